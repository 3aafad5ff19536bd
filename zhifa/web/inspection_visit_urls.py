"""Issue 12 parts 3 and 5: joint inspections (综合查一次), the inspection on the phone, the party's 亮码检查 page; included from ``zhifa.web.urls``."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
