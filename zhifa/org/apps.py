from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "zhifa.org"
    verbose_name = "组织机构"

    def ready(self) -> None:
        from zhifa.org import checks  # noqa: F401 — registers the secret-key checks
