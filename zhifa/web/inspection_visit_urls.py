"""Issue 12 parts 3 and 5: joint inspections (综合查一次), the inspection on the phone, the party's 亮码检查 page; included from ``zhifa.web.urls``."""

from django.urls import URLPattern, URLResolver, path

from zhifa.web import inspection_visit_views as views
from zhifa.web import phone_inspection as phone

urlpatterns: list[URLPattern | URLResolver] = [
    path("inspections/visits/", views.visit_list, name="inspection-visits"),
    path("inspections/visits/<int:inspection_id>/", views.visit_detail, name="inspection-visit"),
    path("inspections/visits/<int:inspection_id>/cancel/", views.visit_cancel, name="inspection-visit-cancel"),
    path(
        "inspections/visits/<int:inspection_id>/photos/<int:photo_id>/",
        views.visit_photo,
        name="inspection-visit-photo",
    ),
    path(
        "inspections/visits/<int:inspection_id>/signature.png",
        views.visit_signature,
        name="inspection-visit-signature",
    ),
    # The officer's phone (requests under /m/ are audited as coming from the phone). Every POST here is in
    # phone.QUEUED_FORMS: the service worker keeps it in the outbox when the network fails.
    path("m/inspections/", phone.visits, name="phone-inspections"),
    path("m/inspections/<int:inspection_id>/", phone.visit, name="phone-inspection"),
    path("m/inspections/<int:inspection_id>/start/", phone.start, name="phone-inspection-start"),
    path("m/inspections/<int:inspection_id>/tick/", phone.tick, name="phone-inspection-tick"),
    path("m/inspections/<int:inspection_id>/finding/", phone.finding, name="phone-inspection-finding"),
    path("m/inspections/<int:inspection_id>/sign/", phone.officer_sign, name="phone-inspection-sign"),
    path("m/inspections/<int:inspection_id>/party-sign/", phone.party_sign, name="phone-inspection-party-sign"),
    path("m/inspections/<int:inspection_id>/close/", phone.close, name="phone-inspection-close"),
    # 亮码检查: no login; the token is the key.
    path("public/inspections/check/<str:token>/", views.public_check, name="public-inspection-check"),
]
