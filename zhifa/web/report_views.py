"""Weekly and monthly reports (分析报告, issue 17 part 3): /analytics/reports/ lists the kept reports the reader
may see (a street dispatcher their street's, the district's analysts all) with their state, asks for one
(POST /analytics/reports/generate/, audited: the row is put 排队中 and the task worker makes it — the request
never waits for the PDF) and downloads its PDF or XLSX once made (/analytics/reports/<id>/pdf|xlsx/). The
page follows the reports still waiting through /analytics/reports/status/?ids=… (JSON, the same scope) and
shows each one's state, reason and downloads when it changes (web/analytics-reports.js). Another street's
report is "not found" (404). The figures are ``zhifa.analytics.reports``'s."""

import datetime as dt
from typing import Any
from urllib.parse import quote

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhifa.analytics.models import AnalyticsReport, ReportPeriod
from zhifa.analytics.reports import (
    last_closed,
    report_file_bytes,
    report_filename,
    report_get,
    report_request,
    reports_visible,
    street_for,
)
from zhifa.core.api_input import MAX_ID
from zhifa.core.errors import ValidationFailed
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.org.selectors import street_list
from zhifa.web.pages import page_view, paginate

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _list_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    reports = reports_visible(request.user)
    period = request.GET.get("period", "")
    if period in ReportPeriod.values:
        reports = reports.filter(period=period)
    street = request.GET.get("street", "")
    if street == "district":
        reports = reports.filter(street__isnull=True)
    elif street.isdigit():
        reports = reports.filter(street_id=int(street))
    j = jurisdiction_of(request.user)
    return {
        "page": paginate(request, reports),
        "periods": ReportPeriod.choices,
        "streets": street_list(user=request.user),
        "district_reader": not j.is_street_scoped,
        "q": request.GET,
        "default_day": last_closed(ReportPeriod.WEEKLY, timezone.localdate())[0].isoformat(),
        "default_month_day": last_closed(ReportPeriod.MONTHLY, timezone.localdate())[0].isoformat(),
        **extra,
    }


@page_view
def reports(request: HttpRequest) -> HttpResponse:
    return render(request, "web/analytics/reports.html", _list_context(request))


@require_POST
@page_view
def report_generate_now(request: HttpRequest) -> HttpResponse:
    data = request.POST
    try:
        street = street_for(request.user, data.get("street") or None)
        raw_day = (data.get("day") or "").strip()
        try:
            day = dt.date.fromisoformat(raw_day)
        except ValueError:
            raise ValidationFailed(f"日期须为 YYYY-MM-DD：{raw_day[:20]}", code="invalid_date") from None
        report, queued = report_request(
            district_id=jurisdiction_of(request.user).district_id,
            period=data.get("period", ""),
            day=day,
            street=street,
            actor=request.user,
        )
    except ValidationFailed as exc:
        context = _list_context(request, error=exc, posted=data)
        return render(request, "web/analytics/reports.html", context, status=422)
    waiting = "" if queued else "&waiting=1"
    return redirect(f"{reverse('web:analytics-reports')}?asked={report.pk}{waiting}")


MAX_STATUS_IDS = 100


def report_state(report: AnalyticsReport) -> dict[str, Any]:
    """One report's state as the page shows it (plain text; the script sets it as text, never markup)."""
    files = report.has_files
    return {
        "id": report.pk,
        "status": report.status,
        "status_label": report.get_status_display(),
        "failure_reason": report.failure_reason,
        "summary": str((report.figures.get("paragraphs") or [""])[0]) if report.figures else "",
        "generated_at": timezone.localtime(report.generated_at).strftime("%Y-%m-%d %H:%M")
        if report.generated_at
        else "",
        "generated_by": "定时生成"
        if report.by_schedule
        else (report.generated_by.get_username() if report.generated_by else ""),
        "pdf_url": reverse("web:analytics-report-file", args=[report.pk, "pdf"]) if files else None,
        "xlsx_url": reverse("web:analytics-report-file", args=[report.pk, "xlsx"]) if files else None,
    }


@page_view
def report_status(request: HttpRequest) -> JsonResponse:
    """The state of the reports named in ``ids`` (comma-separated, at most 100) that the reader may see; the
    others (another street's, unknown, not numbers) are left out."""
    ids = [int(v) for v in request.GET.get("ids", "").split(",")[:MAX_STATUS_IDS] if v.isdigit() and 0 < len(v) < 20]
    ids = [pk for pk in ids if 1 <= pk <= MAX_ID]
    rows = reports_visible(request.user).filter(pk__in=ids) if ids else reports_visible(request.user).none()
    response = JsonResponse({"reports": [report_state(r) for r in rows]}, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


@page_view
def report_download(request: HttpRequest, report_id: int, fmt: str) -> HttpResponse:
    if fmt not in CONTENT_TYPES:
        raise Http404("没有这种格式")
    report = report_get(request.user, report_id)
    response = HttpResponse(report_file_bytes(report, fmt), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(report_filename(report, fmt))}"
    return response
