"""Duty rosters (排班, issue 14): patterns, the month's roster, swaps and leave, the no-cover alert: included from ``zhifa.web.urls``."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
