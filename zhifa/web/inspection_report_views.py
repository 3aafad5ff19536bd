"""检查报告 (issue 12 part 8): /inspections/report/ — for a street (or the district), a period and optionally a
subject category, the joint inspections' figures (``zhifa.inspections.report``), the paragraph generated from
them and the trend chart of high-frequency problems (ECharts, drawn by web/inspection-report.js from the figures
as JSON). Every figure links to the records behind it, shown on the same page (``?figure=…``).

Who: the leaders' view's readers (``analytics.scope``): the administrator, the command centre and the leaders
for any street or the district; a street dispatcher their own street only (``street_outside_scope``); anyone
else is refused (``analytics_forbidden``). A refused input (a reversed period) shows the form with its code.
"""

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from zhifa.analytics.scope import AnalyticsScope, analytics_scope
from zhifa.cases.inspection_leads import NOT_COUNTED
from zhifa.cases.models import Case
from zhifa.catalog.models import SubjectCategory
from zhifa.core.batches import batches
from zhifa.core.errors import ValidationFailed
from zhifa.inspections.report import FIGURES, ReportScope, figure_records, inspection_report
from zhifa.org.models import District
from zhifa.org.selectors import street_list
from zhifa.web.pages import page_view

# The figure's records table lists this many rows at most (the counts are exact; the table says so beyond).
RECORDS_MAX = 500


def _cases_not_counted(case_ids: list[int]) -> set[int]:
    """Of the case leads handed over from findings, those refused (不予立案) or withdrawn (撤案): not counted as 立案,
    as the three colours do not count them (``cases.inspection_leads.NOT_COUNTED``)."""
    # In batches: a district's report over a long period can hand over more leads than a statement takes
    # parameters.
    refused = Case.objects.filter(status__in=NOT_COUNTED)
    return {pk for chunk in batches(case_ids) for pk in refused.filter(pk__in=chunk).values_list("pk", flat=True)}


def _category(raw: str) -> str:
    if raw and raw not in SubjectCategory.values:
        raise ValidationFailed(f"没有这种业态：{raw[:20]}", code="unknown_category", details={"field": "category"})
    return raw


def _url(scope: AnalyticsScope, category: str, **extra: Any) -> str:
    params = {"from": scope.date_from.isoformat(), "to": scope.date_to.isoformat()}
    if scope.street is not None:
        params["street"] = str(scope.street.pk)
    if category:
        params["category"] = category
    params.update({k: str(v) for k, v in extra.items() if v})
    return f"{reverse('web:inspection-report')}?{urlencode(params)}"


@page_view
def inspection_report_page(request: HttpRequest) -> HttpResponse:
    q = request.GET
    base = {
        "q": q,
        "streets": street_list(user=request.user),
        "categories": SubjectCategory.choices,
    }
    try:
        scope = analytics_scope(user=request.user, date_from=q.get("from"), date_to=q.get("to"), street=q.get("street"))
        category = _category(q.get("category", ""))
    except ValidationFailed as exc:
        return render(request, "web/inspections/report.html", {**base, "error": exc}, status=422)
    place = scope.street.name if scope.street is not None else District.objects.get(pk=scope.district_id).name
    report = inspection_report(
        ReportScope(
            district_id=scope.district_id,
            date_from=scope.date_from,
            date_to=scope.date_to,
            street_id=scope.street.pk if scope.street is not None else None,
            category=category,
        ),
        place=place,
        cases_not_counted=_cases_not_counted,
    )

    def link(figure: str, key: str = "") -> str:
        return _url(scope, category, figure=figure, key=key) + "#report-records"

    for row in report.by_severity:
        row["url"] = link("findings", row["key"])
    for row in report.colour_moves:
        row["url"] = link("colour", row["key"])
    chart = {
        "weeks": report.trend.weeks,
        "series": [{**s, "url": link("trend", s["key"])} for s in report.trend.series],
    }
    figure = q.get("figure", "")
    key = q.get("key", "")
    kind, rows, total = figure_records(report, figure, key, limit=RECORDS_MAX) if figure in FIGURES else ("", [], 0)
    previous_from, previous_to = report.scope.previous
    context = {
        **base,
        "scope": scope,
        "category": category,
        "category_label": SubjectCategory(category).label if category else "",
        "r": report,
        "previous_from": previous_from,
        "previous_to": previous_to,
        "links": {name: link(name) for name in ("visits", "findings", "rectified", "cases", "colour")}
        | {"complaints": link("complaints", "current"), "complaints_previous": link("complaints", "previous")},
        "chart": chart,
        "figure": figure if kind else "",
        "figure_label": FIGURES.get(figure, ""),
        "key": key,
        "kind": kind,
        "rows": rows,
        "rows_total": total,
        "rows_max": RECORDS_MAX,
        "visits_url": reverse("web:inspection-visits"),
    }
    return render(request, "web/inspections/report.html", context)
