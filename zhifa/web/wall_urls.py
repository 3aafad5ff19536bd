"""Issue 17 part 2 and hotspots: the command centre's wall screen (大屏) and the hotspot map; included from ``zhifa.web.urls``."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
