"""Credit files (issue 13): a subject's file and grade, the scoring model; included from ``zhifa.web.urls``."""

from django.urls import URLPattern, URLResolver, path

from zhifa.web import credit_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("credit/subjects/<int:subject_id>/", credit_views.subject_credit, name="credit-subject"),
    path("credit/model/", credit_views.model_versions, name="credit-model"),
]
