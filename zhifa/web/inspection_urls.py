"""Inspections (issue 12 parts 1–2): plans and the 双随机 draw, a subject's checklist, the public page:
included from ``zhifa.web.urls``."""

from django.urls import URLPattern, URLResolver, path

from zhifa.web import inspection_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("inspections/plans/", inspection_views.plans, name="inspection-plans"),
    path("inspections/plans/new/", inspection_views.plan_new, name="inspection-plan-new"),
    path("inspections/plans/<int:plan_id>/", inspection_views.plan_detail, name="inspection-plan"),
    path("inspections/plans/<int:plan_id>/draw/", inspection_views.plan_draw_view, name="inspection-plan-draw"),
    path("inspections/conflicts/", inspection_views.conflicts, name="inspection-conflicts"),
    path(
        "inspections/subjects/<int:subject_id>/checklist/",
        inspection_views.subject_checklist,
        name="inspection-subject-checklist",
    ),
    path("inspections/checklists/sync/", inspection_views.checklists_sync, name="inspection-checklists-sync"),
    # 双随机一公开: no login.
    path("public/inspections/", inspection_views.public_plans, name="public-inspections"),
    path("public/inspections/<int:plan_id>/", inspection_views.public_plan, name="public-inspection-plan"),
    path(
        "public/inspections/<int:plan_id>/draw.json", inspection_views.public_plan_record, name="public-inspection-draw"
    ),
]
