"""The alert signing recipe, shared by the server and by any client (see docs/integrations.md).

    X-Signature = hex(HMAC-SHA256(key=device secret, msg=f"{X-Timestamp}." + raw request body bytes))

The timestamp is signed with the body so that an old request cannot be replayed with a new timestamp.
"""

import hashlib
import hmac


def alert_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    message = timestamp.encode("utf-8") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def alert_signature_matches(*, secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    expected = alert_signature(secret=secret, timestamp=timestamp, body=body)
    # Constant-time comparison: a byte-by-byte early exit would leak how much of a guess was right.
    return hmac.compare_digest(expected, signature.strip().lower())
