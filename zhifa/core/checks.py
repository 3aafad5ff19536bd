"""System checks for the audit key (issue 9: the chain's key lives outside the database; production refuses
to start without one, and ``check --deploy`` says when a deployment runs on the development key)."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

MISSING_MESSAGE = (
    "未设置 ZHIFA_AUDIT_KEY：生产模式下拒绝启动。审计链每条记录的哈希和每个检查点都用它签名，它不得存入数据库；"
    "请设置一个随机的长密钥（至少 32 个字符）并另行保管。开发时设 ZHIFA_DEV=1，将自动生成并保存在 VAR_DIR/audit_key。"
)


@register(Tags.security)
def audit_key_present(app_configs: Any, **kwargs: Any) -> list[Error]:
    if settings.ZHIFA_AUDIT_KEY_SOURCE == "missing":
        return [Error(MISSING_MESSAGE, id="zhifa.E010")]
    if len(settings.ZHIFA_AUDIT_KEY) < 32:
        return [Error("ZHIFA_AUDIT_KEY 太短：至少 32 个字符。", id="zhifa.E011")]
    return []


@register(Tags.security, deploy=True)
def audit_key_not_development(app_configs: Any, **kwargs: Any) -> list[Warning]:
    """The development key sits in a file beside the database: whoever copies one has the other."""
    if settings.ZHIFA_AUDIT_KEY_SOURCE == "development":
        return [
            Warning(
                "审计密钥是开发用的自动生成密钥（VAR_DIR/audit_key），部署时请设置 ZHIFA_AUDIT_KEY 并与数据库分开保管。",
                id="zhifa.W010",
            )
        ]
    return []


def require_audit_key() -> None:
    """Called by the server entry points (config/asgi.py, config/wsgi.py), which run no system checks: a
    server without the key in production stops at its start, not at its first audited write."""
    errors = audit_key_present(None)
    if errors:
        raise ImproperlyConfigured(errors[0].msg)
