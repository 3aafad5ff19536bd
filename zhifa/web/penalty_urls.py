"""On-the-spot penalties on the officer's phone, the party's own view of its case, and published decisions:
included from ``zhifa.web.urls``."""

from django.urls import path

from zhifa.web import penalty_views as views

urlpatterns = [
    # The officer's phone (under /m/: audited as coming from the phone; sw.js keeps its GET pages per officer and
    # lets its posts through to the network — none of them is queued offline).
    path("m/penalty/", views.penalty_new, name="penalty-new"),
    path("m/penalty/check/", views.penalty_check, name="penalty-check"),
    path("m/penalty/<int:case_id>/", views.penalty_decision, name="penalty-decision"),
    path("m/penalty/<int:case_id>/hand-in/", views.penalty_hand_in, name="penalty-hand-in"),
    # PDFs only through these views, after the reader's right to the case was checked (never MEDIA_ROOT).
    path("m/penalty/<int:case_id>/documents/<int:document_id>/", views.penalty_pdf, name="penalty-pdf"),
    # The party: a business owner signed in, a person through its link.
    path("my/cases/", views.my_cases, name="party-cases"),
    path("my/cases/<int:case_id>/", views.my_case, name="party-case"),
    path("my/cases/<int:case_id>/submit/<slug:kind>/", views.my_case_submit, name="party-case-submit"),
    path("my/cases/<int:case_id>/documents/<int:document_id>/", views.my_case_pdf, name="party-case-pdf"),
    path("p/<str:token>/", views.link_case, name="party-link"),
    path("p/<str:token>/submit/<slug:kind>/", views.link_case_submit, name="party-link-submit"),
    path("p/<str:token>/documents/<int:document_id>/", views.link_case_pdf, name="party-link-pdf"),
    # Publicity, no login.
    path("public/decisions/", views.public_decisions, name="public-decisions"),
    path("public/procedures/", views.public_procedures, name="public-procedures"),
]
