"""The API's shapes of the leaders' view: exactly the fields ``selectors.overview`` computes, nothing more."""

import datetime as dt

from ninja import Field, Schema

from zhifa.core.api_input import Text


class AnalyticsQuery(Schema):
    """The scope, as the page's query string names it. Kept as text so that ``analytics_scope`` refuses bad
    input with the same codes as the page (``invalid_date``, ``unknown_street``, …)."""

    date_from: Text | None = Field(None, alias="from", description="开始日期 YYYY-MM-DD（含），默认本月1日")
    date_to: Text | None = Field(None, alias="to", description="结束日期 YYYY-MM-DD（含），默认今天")
    street: Text | None = Field(None, description="街道编号")
    zone: Text | None = Field(None, description="片区编号")
    department: Text | None = Field(None, description="责任部门编号")
    officer: Text | None = Field(None, description="执法人员编号")


class RecordsQuery(AnalyticsQuery):
    figure: Text = Field(
        description="统计项：all source kind street zone hour grid weekhour clock escalated coordination repeat assigned handled"
    )
    key: Text = Field("", description="统计项下的一行，如 source 的 hotline、clock 的 arrive:missed")


class NamedOut(Schema):
    id: int
    name: str


class ScopeOut(Schema):
    street: NamedOut | None
    zone: NamedOut | None
    department: NamedOut | None
    officer: NamedOut | None


class CountOut(Schema):
    key: str
    label: str
    count: int


class KindCountOut(CountOut):
    code: str


class ComplianceOut(Schema):
    key: str
    label: str
    met: int
    missed: int
    running: int
    rate: float | None


class EscalationCountOut(Schema):
    clock: str
    clock_label: str
    level: int
    level_label: str
    count: int


class CoordinationOut(Schema):
    key: str
    label: str
    total: int
    met: int
    late: int
    overdue: int
    open: int
    rate: float | None


class RepeatPlaceOut(Schema):
    key: str
    kind: str
    grid: str
    address: str
    events: int
    repeats: int
    first_at: str | None
    last_at: str | None


class RepeatsOut(Schema):
    events: int
    places_total: int = Field(description="点位总数（places 只列重复最多的前 50 个）")
    places: list[RepeatPlaceOut]


class WorkloadOut(Schema):
    key: str
    label: str
    badge_no: str
    street: str
    assigned: int
    handled: int


class CasesOut(Schema):
    filed: int
    decided: int
    fines_total: str
    overdue_deadlines: int


class OverviewOut(Schema):
    period: dict[str, str] = Field(description='{"from": 开始日期, "to": 结束日期}')
    scope: ScopeOut
    total: int
    by_source: list[CountOut]
    by_kind: list[KindCountOut]
    by_street: list[CountOut]
    by_zone: list[CountOut]
    by_hour: list[CountOut]
    compliance: list[ComplianceOut]
    escalated: int
    escalations: list[EscalationCountOut]
    coordination: list[CoordinationOut]
    repeats: RepeatsOut
    workload: list[WorkloadOut]
    cases: CasesOut | None


class EventRecordOut(Schema):
    id: int
    public_no: str
    status: str
    source: str
    reported_at: dt.datetime
    street: str = Field(alias="street.name")
    zone: str = Field(alias="zone.name")


class GridCountOut(Schema):
    key: str = Field(description="网格编号")
    label: str = Field(description="网格名称")
    code: str
    street: str
    zone: str
    count: int


class WeekHourOut(Schema):
    key: str = Field(description="星期(1周一…7周日)-小时(0–23)，查明细用 figure=weekhour")
    label: str
    weekday: int
    hour: int
    count: int


class HotspotsOut(Schema):
    """``hotspots.hotspots``: the events by grid and by hour of week (issue 17 part 1)."""

    period: dict[str, str] = Field(description='{"from": 开始日期, "to": 结束日期}')
    total: int
    grids: list[GridCountOut] = Field(description="范围内每个网格（含0件），事件多者在前")
    top_grids: list[GridCountOut]
    max_grid: int
    weekdays: list[str]
    week_hours: list[list[int]] = Field(description="7行（周一…周日）×24列（0–23时）的事件数，按上报时间（北京时间）")
    top_slots: list[WeekHourOut]
    max_slot: int
