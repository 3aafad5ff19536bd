from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "zhifa.events"
    verbose_name = "事件指挥调度"
