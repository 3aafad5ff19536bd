from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "zhifa.credit"
    verbose_name = "信用档案与信用等级"

    def ready(self) -> None:
        # The inspections draw reads grades through the source it defines (zhifa.inspections.grades): that app
        # sits below this one and may not import it, so this app hands it its selector at start-up.
        from zhifa.credit.measures import measures_record_from_port
        from zhifa.credit.selectors import current_grades_for_subjects
        from zhifa.inspections.grades import grade_source_register, measure_sink_register

        grade_source_register(current_grades_for_subjects)
        # Issue 13 part 4: the draw and routine checks record the measures they apply.
        measure_sink_register(measures_record_from_port)
