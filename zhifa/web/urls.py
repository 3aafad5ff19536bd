from django.contrib.auth import views as auth_views
from django.urls import path

from zhifa.web import views
from zhifa.web.forms import LoginForm

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html", authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("subjects/", views.subjects, name="subject-list"),
    path("subjects/<int:subject_id>/", views.subject_detail, name="subject-detail"),
    path("matters/", views.matters, name="matter-list"),
    path("matters/<int:matter_id>/", views.matter_detail, name="matter-detail"),
    path("officers/", views.officers, name="officer-list"),
    path("officers/<int:officer_id>/", views.officer_detail, name="officer-detail"),
    path("map/", views.map_page, name="map"),
    path("map/layers.json", views.map_layers, name="map-layers"),
    path("map/subjects.json", views.map_subjects, name="map-subjects"),
]
