"""Weekly and monthly reports (分析报告, issue 17 part 3): /analytics/reports/ lists the kept reports the reader
may see (a street dispatcher their street's, the district's analysts all), makes one now (POST
/analytics/reports/generate/, audited) and downloads its PDF or XLSX (/analytics/reports/<id>/pdf|xlsx/).
Another street's report is "not found" (404). The figures are ``zhifa.analytics.reports``'s."""

import datetime as dt
from typing import Any
from urllib.parse import quote

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhifa.analytics.models import ReportPeriod
from zhifa.analytics.reports import (
    last_closed,
    report_file_bytes,
    report_filename,
    report_generate,
    report_get,
    reports_visible,
    street_for,
)
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
        report = report_generate(
            district_id=jurisdiction_of(request.user).district_id,
            period=data.get("period", ""),
            day=day,
            street=street,
            actor=request.user,
        )
    except ValidationFailed as exc:
        context = _list_context(request, error=exc, posted=data)
        return render(request, "web/analytics/reports.html", context, status=422)
    assert report is not None
    return redirect(f"{reverse('web:analytics-reports')}?made={report.pk}")


@page_view
def report_download(request: HttpRequest, report_id: int, fmt: str) -> HttpResponse:
    if fmt not in CONTENT_TYPES:
        raise Http404("没有这种格式")
    report = report_get(request.user, report_id)
    response = HttpResponse(report_file_bytes(report, fmt), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(report_filename(report, fmt))}"
    return response
