"""Issue 17 part 3: weekly and monthly reports (PDF, XLSX) and their state; included from ``zhifa.web.urls``."""

from django.urls import URLPattern, URLResolver, path

from zhifa.web import report_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("analytics/reports/", report_views.reports, name="analytics-reports"),
    path("analytics/reports/generate/", report_views.report_generate_now, name="analytics-report-generate"),
    path("analytics/reports/status/", report_views.report_status, name="analytics-report-status"),
    path("analytics/reports/<int:report_id>/<str:fmt>/", report_views.report_download, name="analytics-report-file"),
]
