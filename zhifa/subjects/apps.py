from django.apps import AppConfig


class SubjectsConfig(AppConfig):
    name = "zhifa.subjects"
    verbose_name = "执法对象"
