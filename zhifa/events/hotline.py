"""12345 tickets (热线工单): the ticket number and call time taken at intake, and the reply the district sends
back to the hotline platform when it closes the ticket or sends it back (退回12345).

The platform answers the caller from our reply and counts the call-back (回访) towards its satisfaction rate
(满意率), so the reply is drafted from the record — what was reported, what the officers did — and the
dispatcher edits it before it is stored: a draft only saves typing, the stored text is the dispatcher's.
"""

import datetime as dt
import re

from django.utils import timezone

from zhifa.core.errors import ValidationFailed
from zhifa.events.clocks import LOCAL_TZ
from zhifa.events.states import HOTLINE_SOURCES

# Platforms number tickets differently (杭州 "HZ20260601000123", others with dashes): letters, digits and
# hyphens, 6 to 32 of them, at least one digit. Anything else is a typing mistake worth catching at the desk.
TICKET_NO_PATTERN = re.compile(r"^(?=.*[0-9])[A-Z0-9-]{6,32}$")
TICKET_NO_MAX = 32
REPLY_MAX_CHARS = 2000
# A call is filed while or after it is taken; a time ahead of the server's clock by more than this is a
# mistake (a wrong day or hour typed), not the operator's watch running a little fast.
CALLED_AT_SKEW = dt.timedelta(minutes=2)


def ticket_no_clean(raw: str, *, source: str) -> str:
    """The ticket number as stored (trimmed, upper case), or "" when none was given. Only a hotline call has
    one: a ticket number on any other channel would send a reply to a platform that never asked."""
    ticket = (raw or "").strip().upper()
    if not ticket:
        return ""
    if source not in HOTLINE_SOURCES:
        raise ValidationFailed(
            "只有12345热线来件可以填写工单号",
            code="hotline_ticket_not_hotline",
            details={"field": "hotline_ticket_no", "source": source},
        )
    if not TICKET_NO_PATTERN.match(ticket):
        raise ValidationFailed(
            "12345工单号格式不正确：应为6至32位字母、数字或连字符，且含数字",
            code="hotline_ticket_invalid",
            details={"field": "hotline_ticket_no", "value": raw[:64]},
        )
    return ticket


def called_at_check(called_at: dt.datetime | None, *, now: dt.datetime) -> dt.datetime | None:
    """The call time as given, refused when it has no time zone (whose 10:00?) or lies in the future."""
    if called_at is None:
        return None
    if timezone.is_naive(called_at):
        raise ValidationFailed(
            "来电时间须带时区（如 2026-06-01T10:00:00+08:00）",
            code="called_at_naive",
            details={"field": "called_at"},
        )
    if called_at > now + CALLED_AT_SKEW:
        raise ValidationFailed(
            "来电时间不能晚于当前时间",
            code="called_at_in_future",
            details={"field": "called_at", "called_at": called_at.isoformat(), "now": now.isoformat()},
        )
    return called_at


def _local(at: dt.datetime) -> str:
    return at.astimezone(LOCAL_TZ).strftime("%Y年%m月%d日%H时%M分")


def _gist(text: str, limit: int = 60) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit] + "…"


def _opening(*, ticket_no: str, called_at: dt.datetime | None, reported_at: dt.datetime, description: str) -> str:
    ticket = f"（工单号{ticket_no}）" if ticket_no else ""
    return f"来电人您好！您于{_local(called_at or reported_at)}反映的“{_gist(description)}”问题{ticket}"


def reply_draft_closed(
    *,
    ticket_no: str,
    called_at: dt.datetime | None,
    reported_at: dt.datetime,
    description: str,
    street_name: str,
    outcome: str,
) -> str:
    """The reply for a closed ticket: what was reported and what the officers did (the outcome as handled)."""
    done = _gist(outcome, 300) or "已处置完毕"
    return (
        f"{_opening(ticket_no=ticket_no, called_at=called_at, reported_at=reported_at, description=description)}，"
        f"经{street_name}综合行政执法队现场核查处置：{done.rstrip('。')}。感谢您对城市管理工作的关心和支持。"
    )


def reply_draft_sent_back(
    *, ticket_no: str, called_at: dt.datetime | None, reported_at: dt.datetime, description: str, reason: str
) -> str:
    """The reply for a ticket sent back: why it is not this district's to handle."""
    return (
        f"{_opening(ticket_no=ticket_no, called_at=called_at, reported_at=reported_at, description=description)}，"
        f"经核查不属于本区综合行政执法职责范围：{_gist(reason, 300).rstrip('。')}。现退回12345平台另行派转。"
    )


def reply_clean(text: str) -> str:
    reply = (text or "").strip()
    if len(reply) > REPLY_MAX_CHARS:
        raise ValidationFailed(
            f"12345回复不能超过{REPLY_MAX_CHARS}字（当前{len(reply)}字）",
            code="hotline_reply_too_long",
            details={"field": "hotline_reply", "max": REPLY_MAX_CHARS, "length": len(reply)},
        )
    return reply
