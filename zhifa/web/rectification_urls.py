"""Issue 12 parts 6–8: rectification orders, the party's upload link, three colours, the street's inspection report; included from ``zhifa.web.urls``."""

from django.urls import URLPattern, URLResolver, path

from zhifa.web import rectification_views as rv

urlpatterns: list[URLPattern | URLResolver] = [
    # Parts 6 and 7 (rectification and three colours): zhifa/web/rectification_views.py.
    path("inspections/rectification/", rv.order_list, name="rectification-list"),
    path("inspections/rectification/<int:order_id>/", rv.order_detail, name="rectification-detail"),
    path("inspections/rectification/<int:order_id>/reinspect/", rv.order_reinspect, name="rectification-reinspect"),
    path("inspections/rectification/<int:order_id>/submit/", rv.owner_submit, name="rectification-owner-submit"),
    path(
        "inspections/rectification/<int:order_id>/photos/<int:photo_id>/",
        rv.order_photo,
        name="rectification-photo",
    ),
    path("public/rectification/<str:token>/", rv.party_page, name="rectification-party"),
    path("inspections/colours/", rv.colours_map, name="colours-map"),
    path("inspections/colours/alliance/", rv.colours_alliance, name="colours-alliance"),
    path("inspections/colours/subjects/<int:subject_id>/", rv.colours_history, name="colours-history"),
]
