"""/api/v1/analytics/reports (issue 17 part 3): the kept weekly and monthly reports the caller may read (a
street dispatcher their street's, the district's analysts all), and each one's PDF or XLSX. Another street's
report is ``report_not_found`` (404), as on the page."""

import datetime as dt
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from zhifa.analytics.models import AnalyticsReport, ReportPeriod
from zhifa.analytics.reports import report_file_bytes, report_filename, report_get, reports_visible
from zhifa.core.api_input import Id, Page
from zhifa.core.errors import NotFound

router = Router()
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ReportsQuery(Schema):
    period: ReportPeriod | None = None
    street: Id | None = None
    district_only: bool = False


class ReportOut(Schema):
    id: int
    period: str
    period_start: dt.date
    period_end: dt.date
    street_id: int | None
    scope_name: str
    summary: str
    generated_at: dt.datetime
    by_schedule: bool
    generated_by: str
    pdf_sha256: str
    xlsx_sha256: str
    pdf_url: str
    xlsx_url: str

    @staticmethod
    def resolve_summary(obj: AnalyticsReport) -> str:
        paragraphs = obj.figures.get("paragraphs") or [""]
        return str(paragraphs[0])

    @staticmethod
    def resolve_generated_by(obj: AnalyticsReport) -> str:
        return obj.generated_by.get_username() if obj.generated_by else ""

    @staticmethod
    def resolve_pdf_url(obj: AnalyticsReport) -> str:
        return f"/api/v1/analytics/reports/{obj.pk}/pdf"

    @staticmethod
    def resolve_xlsx_url(obj: AnalyticsReport) -> str:
        return f"/api/v1/analytics/reports/{obj.pk}/xlsx"


@router.get("", response=list[ReportOut], summary="分析报告（周报、月报）列表")
@paginate(Page)
def reports_list(request: HttpRequest, q: Query[ReportsQuery]) -> Any:
    reports = reports_visible(request.user)
    if q.period is not None:
        reports = reports.filter(period=q.period)
    if q.street is not None:
        reports = reports.filter(street_id=q.street)
    if q.district_only:
        reports = reports.filter(street__isnull=True)
    return reports


@router.get("/{report_id}", response=ReportOut, summary="一份分析报告")
def report_detail(request: HttpRequest, report_id: int) -> Any:
    return report_get(request.user, report_id)


@router.get("/{report_id}/{fmt}", summary="下载分析报告（pdf 或 xlsx）")
def report_download(request: HttpRequest, report_id: int, fmt: str) -> HttpResponse:
    if fmt not in CONTENT_TYPES:
        raise NotFound("没有这种格式", code="report_format_unknown")
    report = report_get(request.user, report_id)
    response = HttpResponse(report_file_bytes(report, fmt), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(report_filename(report, fmt))}"
    return response
