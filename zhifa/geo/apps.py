from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "zhifa.geo"
    verbose_name = "地理"
