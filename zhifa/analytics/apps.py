from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "zhifa.analytics"
    verbose_name = "分析研判"
