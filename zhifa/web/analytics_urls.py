"""Issue 17: the leaders' view (领导驾驶舱), the records behind its figures, and its tables as CSV."""

from django.urls import path

from zhifa.web import analytics_views

urlpatterns = [
    path("analytics/", analytics_views.analytics, name="analytics"),
    path("analytics/records/", analytics_views.analytics_records, name="analytics-records"),
    path("analytics/cases/", analytics_views.analytics_cases, name="analytics-cases"),
    path("analytics/export/", analytics_views.analytics_export, name="analytics-export"),
]
