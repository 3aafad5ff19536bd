"""The payment callback's signing recipe — the AI alerts' recipe with the channel's key (docs/cases.md).

X-Signature = hex(HMAC-SHA256(key=channel secret, msg=f"{X-Timestamp}." + raw request body bytes))
"""

from zhifa.integrations.ai_alerts.signing import alert_signature, alert_signature_matches

payment_signature = alert_signature
payment_signature_matches = alert_signature_matches
