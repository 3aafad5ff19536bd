"""Issue 17 part 3: weekly and monthly reports (PDF, XLSX); included from ``zhifa.web.urls``."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
