from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "zhifa.cases"
    verbose_name = "行政处罚案件"
