"""Issue 12 part 4: the day's inspection routes (OR-Tools) on the map; included from ``zhifa.web.urls``."""

from django.urls import URLPattern, URLResolver, path

from zhifa.web import inspection_route_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("inspections/routes/", inspection_route_views.routes, name="inspection-routes"),
]
