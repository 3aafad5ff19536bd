from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "zhifa.cases"
    verbose_name = "行政处罚案件"

    def ready(self) -> None:
        # Issue 12 parts 6 and 7: the inspections app sits below this one and hands escalated rectification orders
        # and the three colours' case counts through the ports it defines; this app registers its functions there.
        from zhifa.cases.inspection_leads import register

        register()
