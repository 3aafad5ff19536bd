"""JSON to an HTTP gateway (an SMS gateway, a messenger's work-notice adapter): one POST per message.

    POST {ZHIFA_MESSAGING_HTTP_URL}
    Authorization: Bearer {ZHIFA_MESSAGING_HTTP_TOKEN}
    Content-Type: application/json; charset=utf-8
    Idempotency-Key: {message.message_id}

    {"recipient": {"user_id", "username", "name", "phone"},
     "message": {"message_id", "kind", "title", "text", "is_urgent", "url", "data"}}

Any 2xx is delivered. A timeout (``ZHIFA_MESSAGING_HTTP_TIMEOUT_S``, default 5 s), a network error, a 5xx,
408 or 429 is ``SendFailed`` to be tried again (the caller retries through the task worker); any other 4xx
is final (the request or the token is wrong: sending the same again cannot help). No redirects are followed
(a 3xx is final as well): the token is for the configured address only.
"""

import json
import urllib.error
import urllib.request

from django.conf import settings

from zhifa.core.messaging import Message, Recipient, SendFailed

DEFAULT_TIMEOUT_S = 5.0
RETRYABLE_STATUSES = frozenset({408, 429})


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class HttpChannel:
    def __init__(self) -> None:
        self.url = str(getattr(settings, "ZHIFA_MESSAGING_HTTP_URL", "") or "")
        self.token = str(getattr(settings, "ZHIFA_MESSAGING_HTTP_TOKEN", "") or "")
        self.timeout_s = float(getattr(settings, "ZHIFA_MESSAGING_HTTP_TIMEOUT_S", DEFAULT_TIMEOUT_S))
        if not self.url.startswith(("http://", "https://")):
            raise SendFailed("未配置消息网关地址 ZHIFA_MESSAGING_HTTP_URL", is_final=True)
        self.opener = urllib.request.build_opener(_NoRedirect)

    def send(self, recipient: Recipient, message: Message) -> None:
        body = json.dumps(
            {
                "recipient": {
                    "user_id": recipient.user_id,
                    "username": recipient.username,
                    "name": recipient.name,
                    "phone": recipient.phone,
                },
                "message": message.as_dict(),
            },
            ensure_ascii=False,
        ).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": message.message_id}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with self.opener.open(request, timeout=self.timeout_s) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            final = exc.code < 500 and exc.code not in RETRYABLE_STATUSES  # a redirect too: the URL is wrong
            raise SendFailed(f"消息网关答复 {exc.code}", is_final=final) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SendFailed(f"消息网关不可达：{exc}") from exc
