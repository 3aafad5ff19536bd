"""Issue 12 part 8: the joint inspections' report (检查报告); included from ``zhifa.web.urls``."""

from django.urls import URLPattern, URLResolver, path

from zhifa.web import inspection_report_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("inspections/report/", inspection_report_views.inspection_report_page, name="inspection-report"),
]
