"""The command centre's triage desk (issue 14): the human triage queue, corrections, the complaint taxonomy: included from ``zhifa.web.urls``."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
