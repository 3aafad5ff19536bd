from django.urls import include, path

from zhifa.web import (
    account_views,
    command,
    contact_views,
    event_views,
    notification_views,
    phone,
    photo_views,
    place_views,
    views,
)

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", account_views.LogoutView.as_view(), name="logout"),
    path("account/password/", account_views.password_change, name="password-change"),
    path("account/totp/", account_views.totp_verify, name="totp-verify"),
    path("account/totp/enrol/", account_views.totp_enrol, name="totp-enrol"),
    path("subjects/", views.subjects, name="subject-list"),
    path("subjects/<int:subject_id>/", views.subject_detail, name="subject-detail"),
    path("matters/", views.matters, name="matter-list"),
    path("matters/<int:matter_id>/", views.matter_detail, name="matter-detail"),
    path("officers/", views.officers, name="officer-list"),
    path("officers/<int:officer_id>/", views.officer_detail, name="officer-detail"),
    path("map/", views.map_page, name="map"),
    path("map/layers.json", views.map_layers, name="map-layers"),
    path("map/subjects.json", views.map_subjects, name="map-subjects"),
    path("map/places.json", place_views.places_search, name="map-places"),
    path("map/where.json", place_views.place_where, name="map-where"),
    path("map/roads.json", place_views.roads, name="map-roads"),
    path("events/", event_views.events, name="event-list"),
    path("events/<int:event_id>/", event_views.event_detail, name="event-detail"),
    path("events/<int:event_id>/do/<slug:action>/", event_views.event_action, name="event-action"),
    path("events/<int:event_id>/reporter-phone/", contact_views.reporter_phone, name="event-reporter-phone"),
    path("hotline/", event_views.hotline, name="hotline"),
    # Photo files only through these views, scoped like the event pages (never MEDIA_ROOT as a directory).
    path("photos/<int:photo_id>/public/", photo_views.photo_public, name="photo-public"),
    path("photos/<int:photo_id>/original/", photo_views.photo_original, name="photo-original"),
    path("notifications/", notification_views.notifications, name="notifications"),
    path("notifications/read/", notification_views.notifications_read, name="notifications-read"),
    path("command/", command.command_centre, name="command"),
    path("command/officers.json", command.command_officers, name="command-officers"),
    path("command/stream", command.command_stream, name="command-stream"),
    path("command/events.json", command.command_events, name="command-events"),
    path("command/events/<int:event_id>/do/<slug:action>/", command.command_action, name="command-action"),
    # The officer's phone; requests under /m/ are audited as coming from the phone.
    path("m/", phone.tasks, name="phone-tasks"),
    path("m/sw.js", phone.service_worker, name="phone-sw"),
    path("m/stream", phone.task_stream, name="phone-stream"),
    path("m/receipt/", phone.task_receipt, name="phone-receipt"),
    path("m/events/<int:event_id>/", phone.task, name="phone-task"),
    path("m/events/<int:event_id>/acknowledge/", phone.acknowledge, name="phone-acknowledge"),
    path("m/events/<int:event_id>/arrive/", phone.arrive, name="phone-arrive"),
    path("m/events/<int:event_id>/handle/", phone.handle, name="phone-handle"),
    # Deprecated: the two addresses above before issue 10's renames, for steps queued before the upgrade
    # (phone.LEGACY_QUEUED_FORMS). To be removed one release later.
    path("m/events/<int:event_id>/check-in/", phone.arrive, name="phone-arrive-legacy"),
    path("m/events/<int:event_id>/report/", phone.handle, name="phone-handle-legacy"),
    path("m/done/", phone.done, name="phone-done"),
    path("m/finding/", phone.finding, name="phone-finding"),
    path("m/position/", phone.position, name="phone-position"),
    # Penalty cases (issue 11): the staff's case pages; the phone's on-the-spot penalty, the party's view, the
    # published decisions.
    path("", include("zhifa.web.case_urls")),
    path("", include("zhifa.web.penalty_urls")),
    # Issue 14: the triage desk, duty rosters, accounts and officers.
    path("", include("zhifa.web.triage_urls")),
    path("", include("zhifa.web.roster_urls")),
    path("", include("zhifa.web.people_urls")),
    path("", include("zhifa.web.inspection_urls")),  # issue 12: inspection plans, 双随机, checklists
    path("", include("zhifa.web.credit_urls")),  # issue 13: credit files and grades
    path("", include("zhifa.web.analytics_urls")),  # issue 17: the leaders' view, its records and exports
    path("", include("zhifa.web.inspection_visit_urls")),  # issue 12: joint inspections, the phone, 亮码检查
    path("", include("zhifa.web.inspection_route_urls")),  # issue 12: the day's routes
    path("", include("zhifa.web.rectification_urls")),  # issue 12: rectification, three colours, the report
    path("", include("zhifa.web.inspection_report_urls")),  # issue 12: the inspections' report (检查报告)
    path("", include("zhifa.web.credit_procedure_urls")),  # issue 13: dishonesty list, objection, repair
    path("", include("zhifa.web.credit_board_urls")),  # issue 13: commitments, joint measures, 大综点评
    path("", include("zhifa.web.wall_urls")),  # issue 17: the wall screen, hotspots
    path("", include("zhifa.web.report_urls")),  # issue 17: weekly and monthly reports
    path("", include("zhifa.web.deployment_urls")),  # issue 17: predictive deployment
]
