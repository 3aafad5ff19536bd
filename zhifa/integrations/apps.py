from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "zhifa.integrations"
    verbose_name = "外部系统对接"
