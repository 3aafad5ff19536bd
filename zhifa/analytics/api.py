"""/api/v1/analytics: the leaders' view's figures (issue 17 part 5), scoped to the caller's jurisdiction like
the page (``analytics_scope``: leader/dispatcher/admin district-wide, a street dispatcher their street), and
the events behind any one figure. Refusals are the page's, with the same codes."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from zhifa.analytics.hotspots import hotspots
from zhifa.analytics.schemas import AnalyticsQuery, EventRecordOut, HotspotsOut, OverviewOut, RecordsQuery
from zhifa.analytics.scope import AnalyticsScope, analytics_scope
from zhifa.analytics.selectors import event_records, event_records_count, overview
from zhifa.core.api_input import Page

router = Router()


def _scope(request: HttpRequest, q: AnalyticsQuery) -> AnalyticsScope:
    return analytics_scope(
        user=request.user,
        date_from=q.date_from,
        date_to=q.date_to,
        street=q.street,
        zone=q.zone,
        department=q.department,
        officer=q.officer,
    )


@router.get("/overview", response=OverviewOut, summary="领导驾驶舱：全部统计数据")
def analytics_overview(request: HttpRequest, q: Query[AnalyticsQuery]) -> Any:
    return overview(_scope(request, q))


@router.get("/hotspots", response=HotspotsOut, summary="热点：按网格和一周时段的事件数")
def analytics_hotspots(request: HttpRequest, q: Query[AnalyticsQuery]) -> Any:
    return hotspots(_scope(request, q))


class RecordsPage(Page):
    """``Page`` whose ``count`` is the figure's own number (``event_records_count``, as the records page takes it:
    settled days from the rollup, ADR 0016), not a count of the listed rows — a district's month would otherwise
    count 420,000 events one by one on every page."""

    def _items_count(self, queryset: Any) -> int:
        counted = getattr(queryset, "figure_count", None)
        return int(counted()) if counted is not None else super()._items_count(queryset)


@router.get("/records", response=list[EventRecordOut], summary="某一统计数据对应的事件")
@paginate(RecordsPage)
def analytics_records(request: HttpRequest, q: Query[RecordsQuery]) -> Any:
    scope = _scope(request, q)
    records = event_records(scope, figure=q.figure, key=q.key)
    # Counted when the page is made, once the figure and key have been accepted by event_records.
    records.figure_count = lambda: event_records_count(scope, figure=q.figure, key=q.key)  # type: ignore[attr-defined]
    return records
