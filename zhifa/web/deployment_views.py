"""Predictive deployment (预判布防, issue 17 part 4): /analytics/deployment/ computes and refreshes the standby
posts of a shift (a street or the district, a date, an hour range) with ``zhifa.analytics.deployment`` and
shows them; /analytics/deployment/posts.json gives the live posts to the command centre's map
(web/deployment.js). The officers see their post on the phone's task list (``zhifa.web.phone.tasks``).

Who: the page is read by whoever reads the leaders' view (``can_analyse``: the command centre, leaders, a
street's dispatcher for their street); computing and storing posts is the command centre's and the street
dispatcher's (``standby_plan_publish`` refuses a leader with ``deployment_forbidden``)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from zhifa.analytics.deployment import (
    DEFAULT_REACH_S,
    STAFFING_CEILING,
    deployment_publish,
    shift_date,
    shift_window,
)
from zhifa.analytics.scope import can_analyse
from zhifa.core.api_input import MAX_ID
from zhifa.core.errors import DomainError, PermissionDenied, ValidationFailed
from zhifa.events.models import StandbyPlan
from zhifa.events.permissions import can_command_events
from zhifa.events.services.standby import DISTRICT_DEPLOYERS, STREET_DEPLOYERS, standby_check_deployer
from zhifa.events.standby_selectors import standby_map_posts, standby_plans_recent
from zhifa.org.jurisdiction import jurisdiction_of, require
from zhifa.org.models import Street
from zhifa.org.selectors import street_list
from zhifa.web.pages import page_view


@dataclass(frozen=True)
class Shift:
    street: Street | None
    on: dt.date
    from_hour: int
    to_hour: int

    @property
    def starts_at(self) -> dt.datetime:
        return shift_window(self.on, self.from_hour, self.to_hour)[0]

    @property
    def ends_at(self) -> dt.datetime:
        """``to`` at or before ``from`` is the next morning (a night shift 19–7): ``shift_window``."""
        return shift_window(self.on, self.from_hour, self.to_hour)[1]

    def query(self) -> str:
        return urlencode(
            {
                "street": self.street.pk if self.street else "",
                "date": self.on.isoformat(),
                "from": self.from_hour,
                "to": self.to_hour,
            }
        )


def _require_reader(user: Any) -> None:
    require(can_analyse(user), "预判布防仅对领导、指挥中心和街道调度员开放", code="analytics_forbidden")


def _street_ids(user: Any) -> list[int] | None:
    """The streets whose posts the user sees: None for the whole district."""
    j = jurisdiction_of(user)
    return [j.own_street_id] if j.is_street_scoped else None


def _hour(raw: str | None, *, default: int, name: str, label: str) -> int:
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if not 0 <= value <= 24:
        raise ValidationFailed(f"{label}须为0–24的整点", code="invalid_hour", details={"field": name})
    return value


def _shift(user: Any, q: Any) -> Shift:
    """The shift asked for, or a refusal: ``invalid_date``, ``invalid_hour``, ``unknown_street``,
    ``street_outside_scope`` (a street dispatcher asking for another street or the district)."""
    j = jurisdiction_of(user)
    raw_street = (q.get("street") or "").strip()
    street: Street | None = None
    if j.is_street_scoped:
        if raw_street and raw_street != str(j.own_street_id):
            raise PermissionDenied("街道调度员只能查看本街道的布防", code="street_outside_scope")
        street = Street.objects.filter(pk=j.own_street_id).first()
    elif raw_street:
        pk = int(raw_street) if raw_street.isdigit() and int(raw_street) <= MAX_ID else 0
        street = Street.objects.filter(district_id=j.district_id, pk=pk).first()
        if street is None:
            raise ValidationFailed(f"本区没有编号为 {raw_street[:20]} 的街道", code="unknown_street")
    on = shift_date(q.get("date"))  # invalid_date, date_out_of_range (as the API)
    from_hour = _hour(q.get("from"), default=7, name="from", label="开始时间")
    to_hour = _hour(q.get("to"), default=19, name="to", label="结束时间")
    if from_hour == 24 or from_hour == to_hour:
        raise ValidationFailed("开始时间和结束时间须为不同的整点（开始 0–23）", code="invalid_hour")
    return Shift(street, on, from_hour, to_hour)


def _live_plan(j: Any, shift: Shift) -> StandbyPlan | None:
    return (
        StandbyPlan.objects.filter(
            district_id=j.district_id,
            street=shift.street,
            starts_at=shift.starts_at,
            ends_at=shift.ends_at,
            superseded_at__isnull=True,
        )
        .select_related("street", "created_by")
        .prefetch_related("posts__officer", "posts__grid")
        .first()
    )


def _staffing(plan: StandbyPlan | None) -> dict[str, Any] | None:
    """The plan's 人力测算 for the page: the stored figures, its busiest hour as a time, and whether the
    officers on duty fall short of it."""
    if plan is None or not plan.staffing:
        return None
    figures = plan.staffing
    peak_hour = dt.datetime.fromisoformat(figures["peak_hour"]) if figures.get("peak_hour") else None
    on_duty = len(plan.posts.all())
    peak = figures.get("peak")
    return {
        "target_pct": round(float(figures.get("target", 0)) * 100),
        "shift": figures.get("shift"),
        "peak": peak,
        "peak_hour": timezone.localtime(peak_hour) if peak_hour else None,
        "peak_expected": figures.get("peak_expected", 0),
        "ceiling": STAFFING_CEILING,
        "on_duty": on_duty,
        "short": peak_hour is not None and (peak is None or peak > on_duty),
        "no_demand": peak_hour is None and figures.get("shift") == 0,
    }


@page_view
def deployment(request: HttpRequest) -> HttpResponse:
    _require_reader(request.user)
    j = jurisdiction_of(request.user)
    context: dict[str, Any] = {
        "streets": street_list(user=request.user),
        "is_street_locked": j.is_street_scoped,
        "reach_minutes": DEFAULT_REACH_S // 60,
    }
    try:
        shift = _shift(request.user, request.POST if request.method == "POST" else request.GET)
    except ValidationFailed as exc:
        context.update(error=exc, form=request.GET)
        return render(request, "web/analytics/deployment.html", context, status=422)
    if request.method == "POST":
        try:
            # Who may set posts is checked before the optimisation runs, not only when it is stored.
            standby_check_deployer(
                actor=request.user, district_id=j.district_id, street_id=shift.street.pk if shift.street else None
            )
            plan = deployment_publish(
                actor=request.user,
                district_id=j.district_id,
                street_id=shift.street.pk if shift.street else None,
                starts_at=shift.starts_at,
                ends_at=shift.ends_at,
            )
        except DomainError as exc:
            context.update(error=exc, shift=shift, plan=_live_plan(j, shift))
            return render(request, "web/analytics/deployment.html", context, status=exc.status)
        messages.success(request, f"已生成建议点位：{plan.posts.count()} 名在岗执法人员")
        return redirect(f"{reverse('web:deployment')}?{shift.query()}")
    live = _live_plan(j, shift)
    context.update(
        shift=shift,
        plan=live,
        staffing=_staffing(live),
        recent=standby_plans_recent(district_id=j.district_id, street_ids=_street_ids(request.user)),
        can_deploy=j.role in DISTRICT_DEPLOYERS | STREET_DEPLOYERS,
    )
    return render(request, "web/analytics/deployment.html", context)


@page_view
def deployment_posts(request: HttpRequest) -> JsonResponse:
    """The posts live now, for the command centre's map (its readers: ``can_command_events``)."""
    j = jurisdiction_of(request.user)
    require(can_command_events(j), "只有指挥中心或街道调度员可以进入指挥中心", code="command_not_allowed")
    posts = standby_map_posts(district_id=j.district_id, street_ids=_street_ids(request.user), at=timezone.now())
    return JsonResponse({"posts": posts})
