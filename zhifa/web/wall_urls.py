"""Issue 17 part 2 and hotspots: the command centre's wall screen (大屏) and the hotspot map; included from ``zhifa.web.urls``."""

from django.urls import URLPattern, URLResolver, path

from zhifa.web import wall_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("analytics/wall/", wall_views.wall, name="analytics-wall"),
    path("analytics/wall/data.json", wall_views.wall_data, name="analytics-wall-data"),
    path("analytics/wall/stream", wall_views.wall_stream, name="analytics-wall-stream"),
]
