"""/api/v1/analytics/reports (issue 17 part 3): the kept weekly and monthly reports the caller may read (a
street dispatcher their street's, the district's analysts all), and each one's PDF or XLSX. Another street's
report is ``report_not_found`` (404), as on the page.

POST asks for one, as the page's 生成 does (``report_request``): 202 with the report's id and state (排队中, or
the one already waiting — never two); the task worker makes it. GET ``/{id}`` shows its state (``status``:
queued, running, done, failed with ``failure_reason``); its files download once made (before that
``report_not_ready``, 409)."""

import datetime as dt
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zhifa.analytics.models import AnalyticsReport, ReportPeriod
from zhifa.analytics.reports import (
    report_file_bytes,
    report_filename,
    report_get,
    report_request,
    reports_visible,
    street_for,
)
from zhifa.core.api_input import Id, Page, Text
from zhifa.core.errors import NotFound
from zhifa.org.jurisdiction import jurisdiction_of

router = Router()
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ReportsQuery(Schema):
    period: ReportPeriod | None = None
    street: Id | None = None
    district_only: bool = False


class ReportAskIn(Schema):
    period: Text = Field(..., max_length=20, description="weekly（周报）或 monthly（月报）")
    day: dt.date = Field(..., description="期间内任一日（须已结束的期间）")
    street: Id | None = Field(None, description="街道编号；不填为全区（街道调度员须填本街道）")


class ReportOut(Schema):
    id: int
    period: str
    period_start: dt.date
    period_end: dt.date
    street_id: int | None
    scope_name: str
    status: str = Field(..., description="queued 排队中 / running 生成中 / done 已完成 / failed 失败")
    status_label: str
    failure_reason: str
    requested_at: dt.datetime | None
    summary: str
    generated_at: dt.datetime | None
    by_schedule: bool
    generated_by: str
    pdf_sha256: str
    xlsx_sha256: str
    pdf_url: str | None
    xlsx_url: str | None

    @staticmethod
    def resolve_status_label(obj: AnalyticsReport) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_summary(obj: AnalyticsReport) -> str:
        paragraphs = obj.figures.get("paragraphs") or [""]
        return str(paragraphs[0])

    @staticmethod
    def resolve_generated_by(obj: AnalyticsReport) -> str:
        return obj.generated_by.get_username() if obj.generated_by else ""

    @staticmethod
    def resolve_pdf_url(obj: AnalyticsReport) -> str | None:
        return f"/api/v1/analytics/reports/{obj.pk}/pdf" if obj.has_files else None

    @staticmethod
    def resolve_xlsx_url(obj: AnalyticsReport) -> str | None:
        return f"/api/v1/analytics/reports/{obj.pk}/xlsx" if obj.has_files else None


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


@router.post("", response={202: ReportOut}, summary="申请生成分析报告（后台生成，返回报告编号与状态）")
def report_ask(request: HttpRequest, payload: ReportAskIn) -> Status[AnalyticsReport]:
    street = street_for(request.user, payload.street)
    report, _queued = report_request(
        district_id=jurisdiction_of(request.user).district_id,
        period=payload.period,
        day=payload.day,
        street=street,
        actor=request.user,
    )
    return Status(202, report_get(request.user, report.pk))


@router.get("/{report_id}", response=ReportOut, summary="一份分析报告（含生成状态）")
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
