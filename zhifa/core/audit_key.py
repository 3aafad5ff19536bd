"""The audit key: the secret that every audit entry's hash and every checkpoint of the chain is keyed with.

It comes from the environment (``ZHIFA_AUDIT_KEY``; in development a random key kept in VAR_DIR, see
config/settings.py) and is never written to the database: whoever can write the audit table — a database
administrator, a stolen backup restored and edited — cannot compute a hash that ``audit_verify`` accepts
(issue 9). Entries carry the key's id (``key_id``), never the key.
"""

import hashlib
import hmac
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class AuditKey:
    key_id: str
    secret: bytes = field(repr=False)

    def sign(self, data: bytes) -> str:
        """HMAC-SHA256 of ``data`` under this key, in hex."""
        return hmac.new(self.secret, data, hashlib.sha256).hexdigest()


# The id names the key without revealing it: an HMAC of a fixed text under the key, cut to 16 hex digits.
_KEY_ID_TEXT = b"zhifa audit key id"
_keys: dict[str, AuditKey] = {}


def audit_key() -> AuditKey:
    """The configured audit key (read from the settings each time, so a test may change it)."""
    text = getattr(settings, "ZHIFA_AUDIT_KEY", "")
    if not text:
        raise ImproperlyConfigured("ZHIFA_AUDIT_KEY 未设置：审计链的密钥必须由环境变量提供，且不得存入数据库。")
    key = _keys.get(text)
    if key is None:
        secret = text.encode()
        key = _keys[text] = AuditKey(
            key_id=hmac.new(secret, _KEY_ID_TEXT, hashlib.sha256).hexdigest()[:16], secret=secret
        )
    return key
