from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "zhifa.inspections"
    verbose_name = "检查与双随机抽查"

    def ready(self) -> None:
        # Issue 12 part 7: a visit signed (its findings now count) recolours its subject after the commit.
        from zhifa.inspections.colours import register

        register()
