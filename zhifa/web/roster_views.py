"""Duty roster pages (排班, issue 14 part 5): the month grid (officers × days) with its filters and the no-cover
banner, one officer-day to edit (add, move, remove a shift), generating a month from a pattern, the patterns,
the leave and swap requests with approve/refuse, and the officer's own roster and requests on the phone.

Each POST calls one service of ``zhifa.org.rosters`` with ``actor=request.user``; a refusal is shown on the page
in Chinese with its code and nothing is written (the service runs in one transaction). Views never write to a
model. Who may edit is the services' rule (a street dispatcher their street, the command centre any); the pages
only hide the forms from those who may not.
"""

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhifa.analytics.deployment import ShiftCover, roster_staffing
from zhifa.core.errors import DomainError, ValidationFailed
from zhifa.org import roster_selectors as rs
from zhifa.org import rosters
from zhifa.org.jurisdiction import Jurisdiction, jurisdiction_of, require
from zhifa.org.models import REST_CODE, DutyShift, Officer, RosterRequestKind, RosterRequestStatus, ShiftDefinition
from zhifa.org.roles import Role
from zhifa.org.roster_states import RosterRequestAction
from zhifa.web.pages import page_view
from zhifa.web.phone import FIELD_ROLES, phone_page

EDITOR_ROLES = {Role.ADMIN, Role.DISPATCHER, Role.STREET_DISPATCHER}


def _viewer(user: Any) -> Jurisdiction:
    j = jurisdiction_of(user)
    require(j.role != Role.BUSINESS_OWNER, "您的岗位无权查看排班", code="roster_not_allowed")
    return j


def _can_edit(j: Jurisdiction) -> bool:
    return j.role in EDITOR_ROLES


def _month(raw: str | None) -> dt.date:
    today = timezone.localdate()
    if raw:
        try:
            return dt.datetime.strptime(raw, "%Y-%m").date()
        except ValueError:
            pass
    return today.replace(day=1)


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


def _aware(value: dt.datetime) -> dt.datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _form_error(form: forms.Form) -> ValidationFailed:
    name, errors = next(iter(form.errors.items()))
    return ValidationFailed(str(errors[0]), code="form_invalid", details={"field": name})


# --- the month grid --------------------------------------------------------------------------------------


@page_view
def roster(request: HttpRequest) -> HttpResponse:
    j = _viewer(request.user)
    month = _month(request.GET.get("month"))
    streets = list(rs.streets_for_roster(user=request.user).prefetch_related("zones"))
    street_id = _int(request.GET.get("street"))
    street = next((s for s in streets if s.pk == street_id), None)
    if street is None and j.is_street_scoped and streets:
        street = streets[0]
    zones = list(street.zones.all()) if street is not None else []
    zone_id = _int(request.GET.get("zone"))
    zone = next((z for z in zones if z.pk == zone_id), None)
    officers = rs.roster_officers(
        user=request.user,
        street_id=street.pk if street else None,
        zone_id=zone.pk if zone else None,
    )
    grid = rs.roster_month(user=request.user, month=month, officers=officers)
    patterns = [p for p in rs.roster_patterns(user=request.user) if street is None or p.street_id == street.pk]
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    context = {
        "grid": grid,
        "month": month,
        "previous": previous,
        "following": following,
        "streets": streets,
        "street": street,
        "zones": zones,
        "zone": zone,
        "patterns": patterns,
        "gaps": rs.roster_gaps_for(user=request.user, now=timezone.now()),
        "can_edit": _can_edit(j),
        "today": timezone.localdate(),
        "rest_code": REST_CODE,
        "staffing_rows": _staffing_rows(grid.days, street) if street is not None and zone is None else [],
    }
    return render(request, "web/roster/month.html", context)


def _staffing_rows(days: list[rs.RosterDay], street: Any) -> list[tuple[str, list[ShiftCover | None]]]:
    """人力测算 under the grid: one row per shift (its hours), one cell per day — the shift of that day, if any."""
    covers = roster_staffing(
        district_id=street.district_id, street_id=street.pk, first_day=days[0].day, last_day=days[-1].day
    )
    index = {d.day: i for i, d in enumerate(days)}
    rows: dict[str, list[ShiftCover | None]] = {}
    for cover in covers:
        start, end = timezone.localtime(cover.starts_at), timezone.localtime(cover.ends_at)
        label = f"{start:%H:%M}–{end:%H:%M}"
        rows.setdefault(label, [None] * len(days))[index[start.date()]] = cover
    return sorted(rows.items())


@require_POST
@page_view
def roster_generate(request: HttpRequest) -> HttpResponse:
    pattern = rs.roster_pattern_get(user=request.user, pattern_id=_int(request.POST.get("pattern")) or 0)
    month = _month(request.POST.get("month"))
    back = f"{reverse('web:roster')}?month={month:%Y-%m}" + (
        f"&street={pattern.street_id}" if pattern.street_id else ""
    )
    try:
        report = rosters.roster_generate_month(actor=request.user, pattern=pattern, month=month)
    except DomainError as exc:
        messages.error(request, f"生成排班未成功：{exc.message}（{exc.code}）")
        return redirect(back)
    messages.success(request, f"{pattern.name} {month:%Y年%m月}：{report.summary()}")
    return redirect(back)


# --- one officer-day -------------------------------------------------------------------------------------


class ShiftTimesForm(forms.Form):
    starts_at = forms.DateTimeField(label="开始", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label="结束", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


def _definitions_for(officer: Officer, user: Any) -> list[ShiftDefinition]:
    patterns = rs.roster_patterns(user=user).filter(is_active=True)
    if officer.street_id is not None:
        patterns = patterns.filter(street_id=officer.street_id)
    else:
        patterns = patterns.filter(street__isnull=True, department_id=officer.home_department_id)
    return [d for p in patterns for d in p.shifts.all()]


def _day(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed("日期格式应为 YYYY-MM-DD", code="date_invalid") from None


def _cell_context(request: HttpRequest, officer_id: int, day: dt.date, **extra: Any) -> dict[str, Any]:
    j = _viewer(request.user)
    officer, shifts = rs.roster_day_shifts(user=request.user, officer_id=officer_id, day=day)
    definitions = _definitions_for(officer, request.user)
    return {
        "officer": officer,
        "day": day,
        "shifts": shifts,
        "definitions": [(f"{d.pattern_id}:{d.code}", d, *rs.shift_window(d, day)) for d in definitions],
        "can_edit": _can_edit(j),
        "month": day.replace(day=1),
        **extra,
    }


@page_view
def roster_cell(request: HttpRequest, officer_id: int, day: str) -> HttpResponse:
    the_day = _day(day)
    if request.method == "POST":
        return _roster_cell_post(request, officer_id, the_day)
    return render(request, "web/roster/cell.html", _cell_context(request, officer_id, the_day))


def _roster_cell_post(request: HttpRequest, officer_id: int, day: dt.date) -> HttpResponse:
    op = request.POST.get("op", "")
    try:
        officer, _ = rs.roster_day_shifts(user=request.user, officer_id=officer_id, day=day)
        if op == "add":
            _add(request, officer, day)
            done = "已排班"
        elif op == "remove":
            shift = rs.roster_shift_get(user=request.user, shift_id=_int(request.POST.get("shift")) or 0)
            rosters.duty_shift_remove(actor=request.user, shift=shift, reason=request.POST.get("reason", ""))
            done = "已撤销班次"
        elif op == "move":
            shift = rs.roster_shift_get(user=request.user, shift_id=_int(request.POST.get("shift")) or 0)
            times = ShiftTimesForm(request.POST)
            if not times.is_valid():
                raise _form_error(times)
            rosters.duty_shift_move(
                actor=request.user,
                shift=shift,
                starts_at=_aware(times.cleaned_data["starts_at"]),
                ends_at=_aware(times.cleaned_data["ends_at"]),
            )
            done = "已调整班次时间"
        else:
            raise ValidationFailed("没有这个操作", code="op_invalid")
    except DomainError as exc:
        if exc.status == 404:
            raise
        context = _cell_context(request, officer_id, day, error=exc, posted=request.POST)
        return render(request, "web/roster/cell.html", context, status=exc.status)
    messages.success(request, f"{officer.name} {day:%m月%d日}：{done}")
    return redirect("web:roster-cell", officer.pk, day.isoformat())


def _add(request: HttpRequest, officer: Officer, day: dt.date) -> DutyShift:
    choice = request.POST.get("shift_code", "")
    note = request.POST.get("note", "")
    if choice and choice != "custom":
        found = {key: d for key, d, *_ in _cell_context(request, officer.pk, day)["definitions"]}.get(choice)
        if found is None:
            raise ValidationFailed("请选择排班模式中的班次", code="shift_code_unknown")
        starts_at, ends_at = rs.shift_window(found, day)
        return rosters.duty_shift_add(
            actor=request.user,
            officer=officer,
            starts_at=starts_at,
            ends_at=ends_at,
            code=found.code,
            name=found.name,
            note=note,
        )
    times = ShiftTimesForm(request.POST)
    if not times.is_valid():
        raise _form_error(times)
    return rosters.duty_shift_add(
        actor=request.user,
        officer=officer,
        starts_at=_aware(times.cleaned_data["starts_at"]),
        ends_at=_aware(times.cleaned_data["ends_at"]),
        code=request.POST.get("code", ""),
        name=request.POST.get("name", ""),
        note=note,
    )


# --- patterns --------------------------------------------------------------------------------------------


def _parse_shifts(text: str) -> list[rosters.ShiftSpec]:
    """One shift a line: ``代码 名称 开始时刻 时长(小时)``, e.g. ``夜 夜班 19:00 12``."""
    specs = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split()
        try:
            code, name, start, hours = parts
            start_time = dt.time.fromisoformat(start)
            minutes = round(float(hours) * 60)
        except ValueError:
            raise ValidationFailed(
                f"第{number}行应为“代码 名称 开始时刻 时长(小时)”，如“夜 夜班 19:00 12”",
                code="shift_line_invalid",
                details={"line": number},
            ) from None
        specs.append(rosters.ShiftSpec(code, name, start_time, minutes))
    return specs


def _codes(text: str) -> list[str]:
    """``白白夜夜休休`` (one character a day) or ``白 白 夜 …`` (separated, for codes of several characters)."""
    text = text.replace("，", " ").replace(",", " ").strip()
    return text.split() if " " in text else list(text)


@page_view
def roster_patterns(request: HttpRequest) -> HttpResponse:
    j = _viewer(request.user)
    error = None
    if request.method == "POST":
        try:
            streets = {s.pk: s for s in rs.streets_for_roster(user=request.user)}
            street = streets.get(_int(request.POST.get("street")) or 0)
            anchor_raw = request.POST.get("anchor_on", "")
            try:
                anchor_on = dt.date.fromisoformat(anchor_raw)
            except ValueError:
                raise ValidationFailed("请填写周期起始日（YYYY-MM-DD）", code="date_invalid") from None
            rest_raw = request.POST.get("rest_day_codes", "").strip()
            pattern = rosters.shift_pattern_create(
                actor=request.user,
                name=request.POST.get("name", ""),
                street=street,
                department=None if street is not None else _department(request),
                shifts=_parse_shifts(request.POST.get("shifts", "")),
                cycle=_codes(request.POST.get("cycle", "")),
                group_count=_int(request.POST.get("group_count")) or 0,
                anchor_on=anchor_on,
                rest_day_codes=None if rest_raw == "" else _codes(rest_raw),
            )
        except DomainError as exc:
            if exc.status == 404:
                raise
            error = exc
        else:
            messages.success(request, f"已建立排班模式“{pattern.name}”")
            return redirect("web:roster-patterns")
    context = {
        "patterns": rs.roster_patterns(user=request.user),
        "streets": rs.streets_for_roster(user=request.user),
        "departments": rs.departments_for_roster(user=request.user),
        "can_edit": _can_edit(j),
        "error": error,
        "posted": request.POST if error else None,
        "today": timezone.localdate(),
    }
    return render(request, "web/roster/patterns.html", context, status=error.status if error else 200)


@require_POST
@page_view
def roster_pattern_active(request: HttpRequest, pattern_id: int) -> HttpResponse:
    pattern = rs.roster_pattern_get(user=request.user, pattern_id=pattern_id)
    is_active = request.POST.get("is_active") == "1"
    try:
        rosters.shift_pattern_set_active(actor=request.user, pattern=pattern, is_active=is_active)
    except DomainError as exc:
        messages.error(request, f"“{pattern.name}”未能{'启用' if is_active else '停用'}：{exc.message}（{exc.code}）")
    else:
        messages.success(request, f"已{'启用' if is_active else '停用'}排班模式“{pattern.name}”")
    return redirect("web:roster-patterns")


def _department(request: HttpRequest) -> Any:
    department_id = _int(request.POST.get("department"))
    found = rs.departments_for_roster(user=request.user).filter(pk=department_id or 0).first()
    if found is None:
        raise ValidationFailed("请选择街道或部门", code="pattern_scope_invalid")
    return found


# --- leave and swap requests -----------------------------------------------------------------------------


@page_view
def roster_requests(request: HttpRequest) -> HttpResponse:
    j = _viewer(request.user)
    status = request.GET.get("status", RosterRequestStatus.PENDING)
    if status not in RosterRequestStatus.values:
        status = ""
    context = {
        "requests": rs.roster_requests(user=request.user, status=status or None)[:200],
        "status": status,
        "statuses": RosterRequestStatus.choices,
        "can_decide": _can_edit(j),
    }
    return render(request, "web/roster/requests.html", context)


@require_POST
@page_view
def roster_request_decide(request: HttpRequest, request_id: int, action: str) -> HttpResponse:
    if action not in (RosterRequestAction.APPROVE, RosterRequestAction.REFUSE, RosterRequestAction.WITHDRAW):
        raise ValidationFailed("没有这个操作", code="op_invalid")
    found = rs.roster_request_get(user=request.user, request_id=request_id)
    back = request.POST.get("next") or reverse("web:roster-requests")
    if not back.startswith("/"):
        back = reverse("web:roster-requests")
    try:
        rosters.roster_request_decide(
            actor=request.user, request=found, action=action, reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        messages.error(request, f"{found.officer.name}的{found.get_kind_display()}申请：{exc.message}（{exc.code}）")
        return redirect(back)
    label = {"approve": "已批准", "refuse": "已不予批准", "withdraw": "已撤回"}[action]
    messages.success(request, f"{found.officer.name}的{found.get_kind_display()}申请{label}")
    return redirect(back)


# --- the officer's phone ---------------------------------------------------------------------------------


def _own_officer(user: Any) -> Officer:
    require(jurisdiction_of(user).role in FIELD_ROLES, "移动端供执法队员和辅助人员使用", code="phone_not_allowed")
    officer = getattr(user, "officer", None)
    require(officer is not None, "该账号未关联执法人员，没有排班", code="no_officer")
    return officer  # type: ignore[return-value]


def _phone_context(request: HttpRequest, officer: Officer, **extra: Any) -> dict[str, Any]:
    now = timezone.now()
    return {
        "officer": officer,
        "shifts": rs.officer_upcoming_shifts(officer=officer, now=now),
        # A swap is asked for a shift that has not started (roster_request_create refuses the others).
        "open_shifts": rs.officer_upcoming_shifts(officer=officer, now=now).filter(starts_at__gt=now),
        "candidates": rs.swap_candidates(officer=officer, now=now),
        "requests": rs.roster_requests(user=request.user)[:30],
        "today": timezone.localdate(),
        **extra,
    }


@phone_page
def phone_roster(request: HttpRequest) -> HttpResponse:
    officer = _own_officer(request.user)
    return render(request, "web/phone/roster.html", _phone_context(request, officer))


@require_POST
@phone_page
def phone_roster_request(request: HttpRequest) -> HttpResponse:
    officer = _own_officer(request.user)
    kind = request.POST.get("kind", "")
    try:
        if kind == RosterRequestKind.LEAVE:
            try:
                starts_on = dt.date.fromisoformat(request.POST.get("starts_on", ""))
                ends_on = dt.date.fromisoformat(request.POST.get("ends_on", ""))
            except ValueError:
                raise ValidationFailed("请填写请假起止日期", code="leave_dates_invalid") from None
            rosters.roster_request_create(
                actor=request.user,
                officer=officer,
                kind=kind,
                starts_on=starts_on,
                ends_on=ends_on,
                reason=request.POST.get("reason", ""),
            )
        else:
            shift = (
                rs.officer_upcoming_shifts(officer=officer, now=timezone.now())
                .filter(pk=_int(request.POST.get("shift")) or 0)
                .first()
            )
            other = (
                rs.swap_candidates(officer=officer, now=timezone.now())
                .filter(pk=_int(request.POST.get("other_shift")) or 0)
                .first()
            )
            rosters.roster_request_create(
                actor=request.user,
                officer=officer,
                kind=kind,
                shift=shift,
                other_shift=other,
                reason=request.POST.get("reason", ""),
            )
    except DomainError as exc:
        context = _phone_context(request, officer, error=exc, posted=request.POST)
        return render(request, "web/phone/roster.html", context, status=exc.status)
    messages.success(request, "申请已提交，等待街道调度员审批")
    return redirect("web:phone-roster")
