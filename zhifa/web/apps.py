from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "zhifa.web"
    verbose_name = "界面"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from zhifa.web.session_guard import session_begin

        user_logged_in.connect(session_begin, dispatch_uid="zhifa.web.session_begin")
