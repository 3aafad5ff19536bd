"""Outbound messages to a person, through whatever channel the deployment has (issue 16): an SMS gateway, a
government messenger's work notice (浙政钉 工作通知 and the like), or only the log.

The open phone page is told of a new task at once (zhifa/web/phone.py); a phone whose page is closed is
not, and that is what this is for. A channel is anything with ``send(recipient, message)`` that raises
``SendFailed`` when the message did not go (the caller retries, zhifa/events/outbound.py). The deployment
picks one by ``ZHIFA_MESSAGING_CHANNEL``: "log" (the default: a log line, nothing leaves the server), "http"
(JSON posted to ``ZHIFA_MESSAGING_HTTP_URL``, zhifa/integrations/messaging/http_channel.py), or the dotted path
of its own class. The implementations live with the other edges in zhifa.integrations; this module names
them by path only, so the domain apps that send never import an edge (pyproject's import contracts).
"""

from dataclasses import asdict, dataclass
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

CHANNELS = {
    "log": "zhifa.integrations.messaging.log_channel.LoggingChannel",
    "http": "zhifa.integrations.messaging.http_channel.HttpChannel",
}
DEFAULT_CHANNEL = "log"


@dataclass(frozen=True)
class Recipient:
    user_id: int
    username: str
    name: str
    phone: str  # the officer's registered mobile number; "" when none is on record


@dataclass(frozen=True)
class Message:
    """One notice. ``message_id`` is stable across retries of the same notice: a gateway that received it
    once (and whose answer was lost) can drop the copy."""

    message_id: str
    kind: str  # "task_dispatched"
    title: str
    text: str
    is_urgent: bool
    url: str  # where the task opens (a path on this server)
    data: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class SendFailed(Exception):
    """The message did not go (network, timeout, the gateway refused); ``is_final``: trying again cannot help
    (a 4xx answer other than 408/429: the request itself is wrong, or the token is)."""

    def __init__(self, message: str, *, is_final: bool = False) -> None:
        super().__init__(message)
        self.is_final = is_final


class Channel(Protocol):
    def send(self, recipient: Recipient, message: Message) -> None:
        """Deliver ``message`` to ``recipient``, or raise ``SendFailed``."""
        ...


def channel_path() -> str:
    name = str(getattr(settings, "ZHIFA_MESSAGING_CHANNEL", "") or DEFAULT_CHANNEL)
    return CHANNELS.get(name, name)


def channel() -> Channel:
    """The configured channel, built afresh (its settings are read when it is built)."""
    built: Channel = import_string(channel_path())()
    return built
