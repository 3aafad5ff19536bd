"""The command centre's triage desk (issue 14): the human triage queue (人工研判); corrections are the event page's
``correct-triage`` action. Included from ``zhifa.web.urls``."""

from django.urls import URLPattern, URLResolver, path

from zhifa.web import kinds_views, triage_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("triage/", triage_views.queue, name="triage-queue"),
    # 诉求类型: what each kind routes to, edited by the catalogue's editors.
    path("triage/kinds/", kinds_views.kinds, name="triage-kinds"),
    path("triage/kinds/<int:kind_id>/", kinds_views.kind_edit, name="triage-kind-edit"),
]
