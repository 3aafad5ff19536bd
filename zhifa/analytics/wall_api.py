"""/api/v1/analytics/wall (issue 17 part 5): the wall screen's figures (指挥大屏, ``wall.wall_figures``) as the
page reads them every few seconds (/analytics/wall/data.json), scoped the same (``wall_scope``: today, the
district for leaders, the command centre and administrators — ``street`` for one street —, a street dispatcher
their street) and refused with the same codes. The page's links to its own records pages are not part of the
answer: the API's records are /api/v1/analytics/records (``figure=grid&key=<grid id>`` for a hot grid)."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from zhifa.analytics.wall import wall_figures, wall_scope
from zhifa.core.api_input import Text

router = Router()


class WallQuery(Schema):
    street: Text | None = Field(None, description="街道编号（全区岗位可选；街道调度员只能是本街道）")


class WallNamedOut(Schema):
    id: int
    name: str


class WallScopeOut(Schema):
    street: WallNamedOut | None


class WallEventOut(Schema):
    id: int
    public_no: str
    reported_at: str = Field(description="上报时间（ISO 8601）")
    time: str = Field(description="上报时刻 HH:MM（北京时间）")
    description: str = Field(description="事件描述（前60字）")
    address: str
    street: str
    status: str
    status_label: str
    is_urgent: bool


class WallRateOut(Schema):
    key: str = Field(description="acknowledge 响应 / arrive 到场 / handle 处置")
    label: str
    rate: float | None = Field(description="今日达标率（达标 ÷（达标 + 超时）），无已计时事件时为空")


class WallOfficersOut(Schema):
    on_duty: int = Field(description="在岗：排班覆盖此刻")
    busy: int = Field(description="忙碌：有未释放的派遣（已派遣、已响应、已到场）")
    free: int = Field(description="空闲：在岗且不忙碌")


class WallOfficerPointOut(Schema):
    id: int
    name: str
    lon: float
    lat: float
    status: str = Field(description="busy 忙碌 / free 空闲 / off_duty 不在岗")


class WallClockOut(Schema):
    id: int
    public_no: str
    clock: str
    clock_label: str
    due_at: str = Field(description="时限（ISO 8601）")
    street: str
    description: str
    is_urgent: bool


class WallClocksOut(Schema):
    upcoming: list[WallClockOut] = Field(description="即将到期的计时（尚未超时），最早到期的在前")
    overdue: int = Field(description="已超时的计时数")


class WallHotspotOut(Schema):
    key: str = Field(description="网格编号")
    label: str = Field(description="网格名称")
    street: str
    count: int


class WallOut(Schema):
    """``wall.wall_figures``: everything the wall screen shows but the map's outlines."""

    now: str = Field(description="计算时刻（ISO 8601）")
    scope: WallScopeOut
    events: list[WallEventOut] = Field(description="今日事件，最新的在前（已合并的重复上报不计）")
    events_limit: int
    total: int = Field(description="今日事件数")
    escalated: int = Field(description="今日超时升级事件数")
    rates: list[WallRateOut]
    officers: WallOfficersOut
    officer_points: list[WallOfficerPointOut]
    clocks: WallClocksOut
    hot_hours: int = Field(description="热点统计的小时数")
    hotspots: list[WallHotspotOut] = Field(description="最近 hot_hours 小时内各网格的事件数，多者在前")


@router.get("/wall", response=WallOut, summary="指挥大屏：今日实时数据")
def analytics_wall(request: HttpRequest, q: Query[WallQuery]) -> Any:
    scope = wall_scope(user=request.user, street=q.street)
    return wall_figures(user=request.user, scope=scope)
