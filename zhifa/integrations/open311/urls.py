"""GeoReport v2 paths: the format is the path's suffix (``services.json``, ``requests/SJ….xml``)."""

from django.urls import re_path

from zhifa.integrations.open311 import views

app_name = "open311"

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.services, name="services"),
    re_path(r"^services/(?P<service_code>[^/]+?)" + FMT, views.service_definition, name="service-definition"),
    re_path(r"^requests" + FMT, views.requests, name="requests"),
    re_path(r"^requests/(?P<service_request_id>[^/]+?)" + FMT, views.request_detail, name="request-detail"),
    re_path(r"^tokens/(?P<token>[^/]+?)" + FMT, views.token, name="token"),
    # Not part of GeoReport v2: the file behind a request's media_url (a published photo's public copy).
    re_path(r"^media/(?P<token>[A-Za-z0-9_-]{16,64})\.(?P<ext>jpg|png|webp)$", views.media, name="media"),
]
