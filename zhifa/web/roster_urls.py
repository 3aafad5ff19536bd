"""Duty rosters (排班, issue 14): patterns, the month's roster, swaps and leave, the no-cover alert: included from ``zhifa.web.urls``."""

from django.urls import URLPattern, URLResolver, path

from zhifa.web import roster_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("roster/", roster_views.roster, name="roster"),
    path("roster/generate/", roster_views.roster_generate, name="roster-generate"),
    path("roster/officers/<int:officer_id>/<str:day>/", roster_views.roster_cell, name="roster-cell"),
    path("roster/patterns/", roster_views.roster_patterns, name="roster-patterns"),
    path("roster/patterns/<int:pattern_id>/active/", roster_views.roster_pattern_active, name="roster-pattern-active"),
    path("roster/requests/", roster_views.roster_requests, name="roster-requests"),
    path(
        "roster/requests/<int:request_id>/<slug:action>/",
        roster_views.roster_request_decide,
        name="roster-request-decide",
    ),
    # The officer's own roster and requests on the phone (audited as coming from the phone, like all of /m/).
    path("m/roster/", roster_views.phone_roster, name="phone-roster"),
    path("m/roster/requests/", roster_views.phone_roster_request, name="phone-roster-request"),
]
