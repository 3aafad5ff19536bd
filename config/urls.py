from django.contrib import admin
from django.urls import include, path, re_path

from zhifa.api.errors import api_path_unknown
from zhifa.api.root import api
from zhifa.web.account_views import LogoutView
from zhifa.web.health import healthz

admin.site.site_header = "智慧综合执法平台 · 基础数据管理"
admin.site.site_title = "智慧综合执法平台"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # The admin's sign-out is ours, so that it is audited like the pages' (its sign-in goes through the same
    # authentication backend as theirs, zhifa.org.backends).
    path("admin/logout/", LogoutView.as_view(), name="admin-logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<path>.*)$", api_path_unknown),
    path("open311/v2/", include("zhifa.integrations.open311.urls")),
    path("", include("zhifa.web.urls")),
]
