"""Case pages for the agency's staff (案件办理): included from ``zhifa.web.urls``."""

urlpatterns: list[object] = []
