"""Accounts, posts and officers without the Django admin (issue 14): the district administrator's pages: included from ``zhifa.web.urls``."""

from django.urls import URLPattern, URLResolver, path

from zhifa.web import people_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("people/", people_views.people_list, name="people-list"),
    path("people/new/", people_views.person_new, name="people-new"),
    path("people/<int:account_id>/", people_views.person_detail, name="people-detail"),
    path("people/<int:account_id>/do/<slug:action>/", people_views.person_action, name="people-action"),
    path("officers/<int:officer_id>/edit/", people_views.officer_edit, name="officer-edit"),
]
