"""What a figure of the leaders' view is computed over (分析范围): who may ask, the period, and the drill-down.

Parsed once from the raw query (the page's and the API's alike, so both refuse the same input with the same
code) into an ``AnalyticsScope`` that every selector of this app takes. Dates are local (Asia/Shanghai)
calendar days, both ends included; without them, the current month up to today.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from zhifa.core.api_input import MAX_ID
from zhifa.core.errors import PermissionDenied, ValidationFailed
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.org.models import Department, Officer, Street, Zone
from zhifa.org.roles import Role

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
# Who reads the leaders' view: the district's command and leaders, and a street's dispatcher for their street.
# An officer or an auxiliary works events, a liaison its department's transfers: their pages are elsewhere.
DISTRICT_ANALYSTS = frozenset({Role.ADMIN, Role.DISPATCHER, Role.LEADER})
STREET_ANALYSTS = frozenset({Role.STREET_DISPATCHER})
ANALYST_ROLES = DISTRICT_ANALYSTS | STREET_ANALYSTS
# A longer period is a report (issue 17 part 3), not a page: the figures are computed on request.
MAX_PERIOD_DAYS = 366


@dataclass(frozen=True)
class AnalyticsScope:
    district_id: int
    date_from: dt.date
    date_to: dt.date
    street: Street | None = None
    zone: Zone | None = None
    department: Department | None = None
    officer: Officer | None = None
    # A street dispatcher cannot leave their street: the page shows no district level to go back to.
    is_street_locked: bool = False

    @property
    def starts_at(self) -> dt.datetime:
        return dt.datetime.combine(self.date_from, dt.time(0, 0), tzinfo=LOCAL_TZ)

    @property
    def ends_at(self) -> dt.datetime:
        """The first instant after the period (exclusive end)."""
        return dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time(0, 0), tzinfo=LOCAL_TZ)

    def query(self, **extra: Any) -> dict[str, str]:
        """The scope as query parameters (for the links to the records and the drill-down), plus ``extra``."""
        params = {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()}
        for name in ("street", "zone", "department", "officer"):
            row = getattr(self, name)
            if row is not None:
                params[name] = str(row.pk)
        params.update({k: str(v) for k, v in extra.items() if v is not None})
        return params


def can_analyse(user: Any) -> bool:
    return jurisdiction_of(user).role in ANALYST_ROLES


def _date(raw: str | None, *, name: str, label: str) -> dt.date | None:
    if raw is None or not raw.strip():
        return None
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationFailed(
            f"{label}须为日期（YYYY-MM-DD）：{raw[:20]}", code="invalid_date", details={"field": name}
        ) from None


def _id(raw: str | int | None, *, name: str, label: str) -> int | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValidationFailed(f"{label}编号须为整数", code=f"unknown_{name}", details={"field": name}) from None
    if not 1 <= value <= MAX_ID:
        # Past the database's integers a lookup is an overflow error, not "no such row".
        raise ValidationFailed(f"本区没有编号为 {value} 的{label}", code=f"unknown_{name}", details={"field": name})
    return value


def _row(model: Any, pk: int | None, *, district_id: int, name: str, label: str) -> Any:
    if pk is None:
        return None
    row = model.objects.filter(district_id=district_id, pk=pk).first()
    if row is None:
        raise ValidationFailed(f"本区没有编号为 {pk} 的{label}", code=f"unknown_{name}", details={"field": name})
    return row


def analytics_scope(
    *,
    user: Any,
    date_from: str | None = None,
    date_to: str | None = None,
    street: str | int | None = None,
    zone: str | int | None = None,
    department: str | int | None = None,
    officer: str | int | None = None,
) -> AnalyticsScope:
    """The user's scope for the figures, or a refusal with its code: ``analytics_forbidden`` (not a role that
    reads them), ``street_outside_scope`` (a street dispatcher asking for another street), ``invalid_date``,
    ``period_reversed``, ``period_too_long``, ``unknown_street|zone|department|officer`` (not in the
    district), ``zone_outside_street`` (a drill that contradicts itself)."""
    j = jurisdiction_of(user)
    if j.role not in ANALYST_ROLES:
        raise PermissionDenied("分析研判仅对领导、指挥中心和街道调度员开放", code="analytics_forbidden")
    today = timezone.localdate()
    start = _date(date_from, name="from", label="开始日期")
    end = _date(date_to, name="to", label="结束日期")
    end = end or (today if start is None or start <= today else start)
    start = start or end.replace(day=1)
    if start > end:
        raise ValidationFailed(
            f"开始日期（{start.isoformat()}）晚于结束日期（{end.isoformat()}）",
            code="period_reversed",
            details={"field": "from"},
        )
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise ValidationFailed(
            f"统计期间不能超过{MAX_PERIOD_DAYS}天，请分段查看或使用报表",
            code="period_too_long",
            details={"field": "to"},
        )
    ids = {
        "street": _id(street, name="street", label="街道"),
        "zone": _id(zone, name="zone", label="片区"),
        "department": _id(department, name="department", label="部门"),
        "officer": _id(officer, name="officer", label="执法人员"),
    }
    locked = j.role in STREET_ANALYSTS
    if locked:
        if ids["street"] is not None and ids["street"] != j.own_street_id:
            raise PermissionDenied("街道调度员只能查看本街道的分析", code="street_outside_scope")
        ids["street"] = j.own_street_id
    street_row = _row(Street, ids["street"], district_id=j.district_id, name="street", label="街道")
    zone_row = _row(Zone, ids["zone"], district_id=j.district_id, name="zone", label="片区")
    department_row = _row(Department, ids["department"], district_id=j.district_id, name="department", label="部门")
    officer_row = _row(Officer, ids["officer"], district_id=j.district_id, name="officer", label="执法人员")
    if zone_row is not None:
        if street_row is not None and zone_row.street_id != street_row.pk:
            if locked:
                raise PermissionDenied("街道调度员只能查看本街道的分析", code="street_outside_scope")
            raise ValidationFailed("该片区不属于所选街道", code="zone_outside_street", details={"field": "zone"})
        street_row = street_row or zone_row.street
    if officer_row is not None and locked and officer_row.street_id != j.own_street_id:
        raise PermissionDenied("街道调度员只能查看本街道的分析", code="street_outside_scope")
    return AnalyticsScope(
        district_id=j.district_id,
        date_from=start,
        date_to=end,
        street=street_row,
        zone=zone_row,
        department=department_row,
        officer=officer_row,
        is_street_locked=locked,
    )
