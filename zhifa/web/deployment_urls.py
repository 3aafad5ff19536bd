"""Issue 17 part 4: predictive deployment (预判布防), standby posts; included from ``zhifa.web.urls``."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
