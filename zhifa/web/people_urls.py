"""Accounts, posts and officers without the Django admin (issue 14): the district administrator's pages: included from ``zhifa.web.urls``."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
