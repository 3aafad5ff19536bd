from django.urls import path

from zhifa.web import views

urlpatterns = [
    path("", views.home, name="home"),
]
