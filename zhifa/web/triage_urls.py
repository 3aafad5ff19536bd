"""The command centre's triage desk (issue 14): the human triage queue (人工研判); corrections are the event page's
``correct-triage`` action. Included from ``zhifa.web.urls``."""

from django.urls import URLPattern, URLResolver, path

from zhifa.web import triage_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("triage/", triage_views.queue, name="triage-queue"),
]
