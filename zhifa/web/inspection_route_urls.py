"""Issue 12 part 4: the day's inspection routes (OR-Tools) on the map; included from ``zhifa.web.urls``."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
