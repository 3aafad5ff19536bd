from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "zhifa.web"
    verbose_name = "界面"
