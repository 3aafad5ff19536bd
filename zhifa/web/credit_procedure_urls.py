"""Issue 13 parts 5–6: the serious dishonesty list procedure, objections and credit repair; included from ``zhifa.web.urls``."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
