"""/api/v1/analytics/deployment (issue 17 parts 4 and 5): the standby plans (预判布防方案) and their posts, and
computing a shift's plan — what /analytics/deployment/ (zhifa/web/deployment_views.py) shows and does.

- ``GET /plans`` (``street``, ``live``) and ``GET /plans/{id}``: the plans the caller may see, newest first,
  with their posts (``standby_selectors.standby_plans_visible``): the whole district's (the district's and every
  street's) for leaders, the command centre and administrators; a street dispatcher their street's only
  (another street: ``street_outside_scope``; another street's plan by id: 404 ``standby_plan_not_found``);
  anyone else ``analytics_forbidden``.
- ``POST /plans`` ``{"street", "date", "from", "to"}``: computes and publishes the shift's posts with the page's
  function (``deployment.deployment_publish``; a live plan of the same shift is superseded and the officers
  told, zhifa/events/services/standby.py), after the page's checks in the page's order and with its codes:
  ``analytics_forbidden`` (not a reader), ``invalid_date``, ``invalid_hour``, ``unknown_street``,
  ``street_outside_scope`` (the shift), then ``deployment_forbidden`` (a reader who may not deploy: a leader)
  before the optimisation runs. A refusal writes nothing.

The shift is the page's: a date, whole hours ``from`` (0–23) and ``to`` (0–24); ``to`` at or before ``from`` ends
the next morning (a night shift 19–7)."""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zhifa.analytics.deployment import deployment_publish, shift_date, shift_window
from zhifa.analytics.scope import can_analyse
from zhifa.core.api_input import MAX_ID, Page, Text
from zhifa.core.errors import NotFound, PermissionDenied, ValidationFailed
from zhifa.events.models import StandbyPlan, StandbyPost
from zhifa.events.services.standby import standby_check_deployer
from zhifa.events.standby_selectors import standby_plans_visible
from zhifa.org.jurisdiction import Jurisdiction, jurisdiction_of, require
from zhifa.org.models import Street

router = Router()


# ---- input ------------------------------------------------------------------------------------------------


class StandbyPlansQuery(Schema):
    street: Text | None = Field(None, description="街道编号：只看该街道的方案（街道调度员只能是本街道）")
    live: bool = Field(False, description="只看有效的方案（未被替换，班次未结束）")


class StandbyPlanIn(Schema):
    street: int | None = Field(None, description="街道编号；空为全区（街道调度员只能是本街道）")
    date: Text | None = Field(None, description="班次日期 YYYY-MM-DD，默认今天")
    from_hour: int = Field(7, alias="from", description="开始（整点，0–23）")
    to_hour: int = Field(19, alias="to", description="结束（整点，0–24；不晚于开始则为次日）")


# ---- output -----------------------------------------------------------------------------------------------


class StandbyPlanStreetOut(Schema):
    id: int
    name: str


class StandbyPostOut(Schema):
    officer_id: int
    officer: str = Field(alias="officer.name", description="执法人员")
    grid_id: int
    grid: str = Field(alias="grid.name", description="建议待命网格")
    lon: float = Field(description="点位经度（WGS-84）")
    lat: float = Field(description="点位纬度（WGS-84）")


class StandbyPlanOut(Schema):
    id: int
    street: StandbyPlanStreetOut | None = Field(description="街道；空为全区方案")
    starts_at: dt.datetime
    ends_at: dt.datetime
    reach_s: int = Field(description="覆盖时限（秒）")
    expected_events: float = Field(description="班次内预期事件数")
    covered_events: float = Field(description="其中在建议点位覆盖时限内可达的预期事件数")
    created_at: dt.datetime
    created_by: str = Field(description="生成人用户名；空为系统")
    superseded_at: dt.datetime | None = Field(description="被同一班次的新方案替换的时间")
    is_live: bool = Field(description="有效：未被替换，班次未结束")
    posts: list[StandbyPostOut]

    @staticmethod
    def resolve_created_by(obj: StandbyPlan) -> str:
        return obj.created_by.get_username() if obj.created_by else ""

    @staticmethod
    def resolve_is_live(obj: StandbyPlan) -> bool:
        return obj.superseded_at is None and obj.ends_at > timezone.now()

    @staticmethod
    def resolve_posts(obj: StandbyPlan) -> list[StandbyPost]:
        return list(obj.posts.all())  # prefetched by the selector, officer and grid joined


# ---- scope ------------------------------------------------------------------------------------------------


def _reader(user: Any) -> Jurisdiction:
    require(can_analyse(user), "预判布防仅对领导、指挥中心和街道调度员开放", code="analytics_forbidden")
    return jurisdiction_of(user)


def _street(j: Jurisdiction, raw: str | int | None) -> Street | None:
    """The street asked for (None: the district), or ``unknown_street`` / ``street_outside_scope`` — a street
    dispatcher always gets their own street, and may name only it."""
    text = "" if raw is None else str(raw).strip()
    if j.is_street_scoped:
        if text and text != str(j.own_street_id):
            raise PermissionDenied("街道调度员只能查看本街道的布防", code="street_outside_scope")
        return Street.objects.filter(pk=j.own_street_id).first()
    if not text:
        return None
    pk = int(text) if text.isdigit() and 1 <= int(text) <= MAX_ID else 0
    street = Street.objects.filter(district_id=j.district_id, pk=pk).first()
    if street is None:
        raise ValidationFailed(f"本区没有编号为 {text[:20]} 的街道", code="unknown_street", details={"field": "street"})
    return street


def _visible(j: Jurisdiction) -> QuerySet[StandbyPlan]:
    return standby_plans_visible(
        district_id=j.district_id, street_ids=[j.own_street_id] if j.is_street_scoped else None
    )


# ---- endpoints --------------------------------------------------------------------------------------------


@router.get("/plans", response=list[StandbyPlanOut], summary="预判布防方案及建议点位（按管辖范围，最新的在前）")
@paginate(Page)
def deployment_plans(request: HttpRequest, q: Query[StandbyPlansQuery]) -> Any:
    j = _reader(request.user)
    street = _street(j, q.street)
    plans = _visible(j)
    if street is not None:
        plans = plans.filter(street_id=street.pk)
    if q.live:
        plans = plans.filter(superseded_at__isnull=True, ends_at__gt=timezone.now())
    return plans


@router.get("/plans/{plan_id}", response=StandbyPlanOut, summary="一个预判布防方案及其建议点位")
def deployment_plan(request: HttpRequest, plan_id: int) -> Any:
    j = _reader(request.user)
    plan = _visible(j).filter(pk=plan_id).first() if 1 <= plan_id <= MAX_ID else None
    if plan is None:
        raise NotFound("没有这个布防方案", code="standby_plan_not_found")
    return plan


@router.post("/plans", response={201: StandbyPlanOut}, summary="计算并发布一个班次的建议点位（推送到执法人员手机）")
def deployment_plan_publish(request: HttpRequest, payload: StandbyPlanIn) -> Status[StandbyPlan]:
    j = _reader(request.user)
    street = _street(j, payload.street)
    on = shift_date(payload.date)
    starts_at, ends_at = shift_window(on, payload.from_hour, payload.to_hour)
    street_id = street.pk if street is not None else None
    # Who may set posts is checked before the optimisation runs, not only when it is stored (as on the page).
    standby_check_deployer(actor=request.user, district_id=j.district_id, street_id=street_id)
    plan = deployment_publish(
        actor=request.user, district_id=j.district_id, street_id=street_id, starts_at=starts_at, ends_at=ends_at
    )
    return Status(201, _visible(j).get(pk=plan.pk))
