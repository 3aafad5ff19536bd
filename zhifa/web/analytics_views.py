"""The leaders' view (领导驾驶舱, issue 17 part 1): /analytics/ shows every figure of ``analytics.selectors``
for the reader's scope with ECharts charts, each figure linking to the records behind it
(/analytics/records/, /analytics/cases/) and each table exported as CSV (/analytics/export/<table>.csv).

Charts are drawn by web/analytics.js from the figures passed as JSON (``json_script``): no string from the
data is ever written into HTML or script text. A refused input (a reversed period, an unknown street) shows
the page with its message and code, and no figures.
"""

import csv
import io
from typing import Any
from urllib.parse import quote, urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from zhifa.analytics.hotspots import hotspots
from zhifa.analytics.reports import local_minute, xlsx_text
from zhifa.analytics.scope import AnalyticsScope, analytics_scope
from zhifa.analytics.selectors import (
    CASE_FIGURES,
    CLOCK_OUTCOMES,
    COORDINATION_OUTCOMES,
    EVENT_FIGURES,
    case_records,
    event_records,
    event_records_count,
    overview,
)
from zhifa.core.errors import ValidationFailed
from zhifa.org.models import Department, Zone
from zhifa.org.selectors import street_list
from zhifa.web.pages import PAGE_SIZE, page_view, paginate
from zhifa.web.wall_views import hotspot_section


def _scope(request: HttpRequest) -> AnalyticsScope:
    q = request.GET
    return analytics_scope(
        user=request.user,
        date_from=q.get("from"),
        date_to=q.get("to"),
        street=q.get("street"),
        zone=q.get("zone"),
        department=q.get("department"),
        officer=q.get("officer"),
    )


def _url(name: str, scope: AnalyticsScope, **extra: Any) -> str:
    return f"{reverse(name)}?{urlencode(scope.query(**extra))}"


def _records(scope: AnalyticsScope, figure: str, key: str = "") -> str:
    return _url("web:analytics-records", scope, figure=figure, key=key or None)


def _drill(scope: AnalyticsScope, **level: Any) -> str:
    """The page one level down: the same period, the new level added to the current drill-down."""
    return _url("web:analytics", scope, **level)


def _linked(scope: AnalyticsScope, figures: dict[str, Any]) -> dict[str, Any]:
    """The figures with the address of the records behind each row (and of the level below, for drillable
    rows): the page's tables and the charts' clicks read the same links."""
    for section, figure in [
        ("by_source", "source"),
        ("by_kind", "kind"),
        ("by_street", "street"),
        ("by_zone", "zone"),
        ("by_hour", "hour"),
    ]:
        for row in figures[section]:
            row["url"] = _records(scope, figure, row["key"])
    for row in figures["by_street"]:
        row["drill"] = _drill(scope, street=row["key"])
    for row in figures["by_zone"]:
        row["drill"] = _drill(scope, zone=row["key"])
    for row in figures["compliance"]:
        row["urls"] = {o: _records(scope, "clock", f"{row['key']}:{o}") for o in CLOCK_OUTCOMES}
    for row in figures["coordination"]:
        row["urls"] = {o: _records(scope, "coordination", f"{row['key']}:{o}") for o in COORDINATION_OUTCOMES}
        row["url"] = _records(scope, "coordination", row["key"])
        row["drill"] = _drill(scope, department=row["key"])
    for row in figures["repeats"]["places"]:
        row["url"] = _records(scope, "repeat", row["key"])
        row["last_local"] = local_minute(row["last_at"])
    for row in figures["workload"]:
        row["assigned_url"] = _records(scope, "assigned", row["key"])
        row["handled_url"] = _records(scope, "handled", row["key"])
        row["drill"] = _drill(scope, officer=row["key"])
    return figures


def _levels(scope: AnalyticsScope) -> list[tuple[str, str]]:
    """The breadcrumb: (label, address) from the district down to the current level."""
    crumbs: list[tuple[str, str]] = []
    period = {"from": scope.date_from.isoformat(), "to": scope.date_to.isoformat()}
    base = reverse("web:analytics")
    if not scope.is_street_locked:
        crumbs.append(("全区", f"{base}?{urlencode(period)}"))
    drilled: dict[str, str] = {}
    for name in ("street", "zone", "department", "officer"):
        row = getattr(scope, name)
        if row is not None:
            drilled[name] = str(row.pk)
            crumbs.append((row.name, f"{base}?{urlencode({**period, **drilled})}"))
    return crumbs


@page_view
def analytics(request: HttpRequest) -> HttpResponse:
    try:
        scope = _scope(request)
    except ValidationFailed as exc:
        # The form again with the refusal, and no figure computed from input that was refused.
        context = {"error": exc, "streets": street_list(user=request.user), "q": request.GET}
        return render(request, "web/analytics/overview.html", context, status=422)
    figures = _linked(scope, overview(scope))
    cases = figures["cases"]
    context = {
        "scope": scope,
        "q": request.GET,
        "f": figures,
        "levels": _levels(scope),
        "streets": [] if scope.is_street_locked else street_list(user=request.user),
        "zones": Zone.objects.filter(street=scope.street).order_by("code") if scope.street else [],
        "departments": Department.objects.filter(district_id=scope.district_id).order_by("code"),
        "all_url": _records(scope, "all"),
        "escalated_url": _records(scope, "escalated"),
        "repeat_url": _records(scope, "repeat"),
        "case_urls": {k: _url("web:analytics-cases", scope, figure=k) for k in CASE_FIGURES} if cases else {},
        "exports": {t: _url("web:analytics-export", scope, table=t) for t in EXPORTS},
        # What the charts draw: the figures and their links, as data (json_script), never as markup.
        "charts": {k: figures[k] for k in ("by_source", "by_kind", "by_street", "by_zone", "by_hour", "compliance")},
        "hot": hotspot_section(scope),
        "wall_url": reverse("web:analytics-wall"),
    }
    return render(request, "web/analytics/overview.html", context)


@page_view
def analytics_records(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    figure = request.GET.get("figure", "all")
    key = request.GET.get("key", "")
    rows = event_records(scope, figure=figure, key=key)
    # The list's total is the figure's number, counted as the figure is (settled days from the rollup, ADR 0016):
    # counting a district's month of events row by row took over a second at 5 million events.
    paginator = Paginator(rows, PAGE_SIZE)
    paginator.count = event_records_count(scope, figure=figure, key=key)
    context = {
        "scope": scope,
        "levels": _levels(scope),
        "figure_label": EVENT_FIGURES.get(figure, figure),
        "key": key,
        "page": paginator.get_page(request.GET.get("page")),
        "back": _url("web:analytics", scope),
    }
    return render(request, "web/analytics/records.html", context)


@page_view
def analytics_cases(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    figure = request.GET.get("figure", "")
    rows = case_records(scope, figure=figure)
    context = {
        "scope": scope,
        "levels": _levels(scope),
        "figure_label": CASE_FIGURES.get(figure, figure),
        "page": paginate(request, rows),
        "back": _url("web:analytics", scope),
    }
    return render(request, "web/analytics/cases.html", context)


def _places_shown(repeats: dict[str, Any]) -> list[list[Any]]:
    """The repeat places' export ends with how many there are when it lists only the largest."""
    total, shown = repeats["places_total"], len(repeats["places"])
    return [[f"共 {total} 个点位，显示期内重复最多的 {shown} 个"]] if total > shown else []


# Each table of the page as CSV or XLSX: (file name, header, the row's cells). The rows are read from the
# figures of ``overview``, or of ``hotspots`` for the tables in ``HOTSPOT_TABLES``.
EXPORTS: dict[str, tuple[str, list[str], Any]] = {
    "summary": (
        "主要数据",
        ["统计项", "数值"],
        lambda f: [
            ["事件总数", f["total"]],
            *[[f"{r['label']}达标率", _pct(r["rate"])] for r in f["compliance"]],
            ["超时升级事件", f["escalated"]],
            ["重复发生事件", f["repeats"]["events"]],
            ["重复发生点位", f["repeats"]["places_total"]],
        ],
    ),
    "source": ("事件来源", ["来源", "事件数"], lambda f: [[r["label"], r["count"]] for r in f["by_source"]]),
    "kind": (
        "诉求类型",
        ["类型编码", "诉求类型", "事件数"],
        lambda f: [[r["code"], r["label"], r["count"]] for r in f["by_kind"]],
    ),
    "street": ("街道", ["街道", "事件数"], lambda f: [[r["label"], r["count"]] for r in f["by_street"]]),
    "zone": ("片区", ["片区", "事件数"], lambda f: [[r["label"], r["count"]] for r in f["by_zone"]]),
    "hour": ("时段", ["时段", "事件数"], lambda f: [[r["label"], r["count"]] for r in f["by_hour"]]),
    "compliance": (
        "1530达标",
        ["时限", "达标", "超时", "计时中", "达标率"],
        lambda f: [[r["label"], r["met"], r["missed"], r["running"], _pct(r["rate"])] for r in f["compliance"]],
    ),
    "escalations": (
        "超时升级",
        ["时限", "级别", "次数"],
        lambda f: [[r["clock_label"], r["level_label"], r["count"]] for r in f["escalations"]],
    ),
    "coordination": (
        "协同部门时效",
        ["部门", "转办", "按时反馈", "逾期反馈", "逾期未反馈", "办理中", "按时率"],
        lambda f: [
            [r["label"], r["total"], r["met"], r["late"], r["overdue"], r["open"], _pct(r["rate"])]
            for r in f["coordination"]
        ],
    ),
    "repeats": (
        "重复发生点位",
        ["诉求类型", "网格", "地址", "事件数", "期内重复", "首次", "最近"],
        lambda f: (
            [
                [
                    r["kind"],
                    r["grid"],
                    r["address"],
                    r["events"],
                    r["repeats"],
                    local_minute(r["first_at"]),
                    local_minute(r["last_at"]),
                ]
                for r in f["repeats"]["places"]
            ]
            + _places_shown(f["repeats"])
        ),
    ),
    "workload": (
        "人员工作量",
        ["执法人员", "工号", "街道", "派遣", "处置"],
        lambda f: [[r["label"], r["badge_no"], r["street"], r["assigned"], r["handled"]] for r in f["workload"]],
    ),
    "cases": (
        "案件",
        ["立案", "作出决定", "罚款合计(元)", "期限已过未完成"],
        lambda f: [[c["filed"], c["decided"], c["fines_total"], c["overdue_deadlines"]]] if (c := f["cases"]) else [],
    ),
    # 热点分析: every grid of the scope (the map's shading; the page's table lists the ten busiest) and the
    # hour-of-week table the heatmap draws (its top ten are the page's second table).
    "grids": (
        "网格热点",
        ["网格编码", "网格", "街道", "片区", "事件数"],
        lambda f: [[r["code"], r["label"], r["street"], r["zone"], r["count"]] for r in f["grids"]],
    ),
    "weekhours": (
        "一周时段热点",
        ["星期", *[f"{h:02d}时" for h in range(24)]],
        lambda f: [[day, *counts] for day, counts in zip(f["weekdays"], f["week_hours"], strict=True)],
    ),
}
HOTSPOT_TABLES = frozenset({"grids", "weekhours"})
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Percent(float):
    """A rate in an export: ``85.0%`` as CSV text, a number formatted as a percentage in XLSX."""

    def __str__(self) -> str:
        return f"{self * 100:.1f}%"


def _pct(rate: float | None) -> Percent | str:
    return "" if rate is None else Percent(rate)


def _cell(value: Any) -> Any:
    """A cell a spreadsheet will not run: text starting with = + - @ (or a tab/CR) is prefixed with '."""
    if isinstance(value, Percent):
        return str(value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _xlsx(title: str, header: list[str], rows: list[list[Any]]) -> bytes:
    """One sheet: the header in bold, numbers as numbers, rates as percentages, text never a formula
    (``reports.xlsx_text``, the reports' rule)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    for col, name in enumerate(header, start=1):
        sheet.cell(row=1, column=col, value=name).font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=col)
            if isinstance(value, Percent):
                cell.value = float(value)
                cell.number_format = "0.0%"
            elif isinstance(value, str):
                cell.value = xlsx_text(value)
            else:
                cell.value = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@page_view
def analytics_export(request: HttpRequest) -> HttpResponse:
    """``?table=<one of EXPORTS>`` with the page's scope; ``&format=xlsx`` for Excel, CSV otherwise."""
    table = request.GET.get("table", "")
    fmt = request.GET.get("format", "csv")
    if table not in EXPORTS or fmt not in ("csv", "xlsx"):
        raise Http404("没有这张统计表")
    scope = _scope(request)
    name, header, rows = EXPORTS[table]
    figures = hotspots(scope) if table in HOTSPOT_TABLES else overview(scope)
    filename = f"{name}_{scope.date_from.isoformat()}_{scope.date_to.isoformat()}.{fmt}"
    if fmt == "xlsx":
        response = HttpResponse(_xlsx(name, header, rows(figures)), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
        return response
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    # The BOM tells Excel the file is UTF-8 (Chinese headers otherwise open as mojibake).
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows(figures):
        writer.writerow([_cell(v) for v in row])
    return response
