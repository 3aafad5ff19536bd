"""System checks for the secret key (issue 9: no key in the repository; production refuses to start
without one, and ``check --deploy`` says when a deployment runs on the development key)."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

MISSING_MESSAGE = (
    "未设置 ZHIFA_SECRET_KEY：生产模式下拒绝启动。请设置一个随机的长密钥（至少 50 个字符）；"
    "开发时设 ZHIFA_DEV=1（make 的各个命令已经设置），将自动生成并保存在 VAR_DIR/secret_key。"
)


@register(Tags.security)
def secret_key_present(app_configs: Any, **kwargs: Any) -> list[Error]:
    """Not a deploy-only check: every ``manage.py`` command that runs checks (runserver, migrate, check)
    refuses to go on without a key in production mode."""
    if settings.ZHIFA_SECRET_KEY_SOURCE == "missing":
        return [Error(MISSING_MESSAGE, id="zhifa.E001")]
    return []


@register(Tags.security, deploy=True)
def secret_key_not_development(app_configs: Any, **kwargs: Any) -> list[Warning]:
    """The generated development key is random but lives in a file next to the data, outside any key
    management; a deployment sets ZHIFA_SECRET_KEY. (A short or repetitive key is Django's security.W009.)"""
    if settings.ZHIFA_SECRET_KEY_SOURCE == "development":
        return [
            Warning(
                "SECRET_KEY 是开发用的自动生成密钥（VAR_DIR/secret_key），部署时请设置 ZHIFA_SECRET_KEY。",
                id="zhifa.W001",
            )
        ]
    return []


def require_secret_key() -> None:
    """Called by the server entry points (config/asgi.py, config/wsgi.py), which run no system checks."""
    if settings.ZHIFA_SECRET_KEY_SOURCE == "missing":
        raise ImproperlyConfigured(MISSING_MESSAGE)
