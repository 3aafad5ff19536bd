"""Issue 12 parts 6–8: rectification orders, the party's upload link, three colours, the street's inspection report; included from ``zhifa.web.urls``."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
