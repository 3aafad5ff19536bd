"""Case pages for the agency's staff (案件办理): included from ``zhifa.web.urls``."""

from django.urls import path

from zhifa.web import case_views, legal_views

urlpatterns = [
    path("cases/", case_views.cases, name="case-list"),
    path("cases/new/", case_views.case_new, name="case-new"),
    path("cases/review/", case_views.review_queue, name="case-review-queue"),
    path("cases/approvals/", case_views.approval_queue, name="case-approval-queue"),
    path("cases/deadlines/", case_views.deadlines, name="case-deadlines"),
    path("cases/calculator/", legal_views.calculator, name="case-calculator"),
    path("cases/from-event/<int:event_id>/", case_views.lead_from_event, name="case-from-event"),
    path("cases/<int:case_id>/", case_views.case_detail, name="case-detail"),
    path("cases/<int:case_id>/do/<slug:action>/", case_views.case_action, name="case-action"),
    # Document files only through this view, scoped like the case page (never MEDIA_ROOT as a directory).
    path("cases/<int:case_id>/documents/<int:document_id>.pdf", case_views.case_document, name="case-document"),
    path("cases/<int:case_id>/bundle.pdf", case_views.case_bundle, name="case-bundle"),
]
