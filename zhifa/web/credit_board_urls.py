"""Issue 13 parts 2, 4, 8: credit commitments, joint rewards and punishments, the 大综点评 board; included from ``zhifa.web.urls``."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
