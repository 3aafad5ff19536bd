"""Recording money a channel reports: authenticate the channel, then ``zhifa.cases.services.record_payment`` as
the channel's system actor — the one service that writes a payment, for the callback and the statement alike.

Callback checks, in order, each refused with its own code and writing nothing: the channel and its signature
(``signature_invalid`` for both, 401: an unknown channel and a wrong signature get the same answer), the
timestamp (``timestamp_out_of_window``, 401), the body (``payload_invalid``, or the JSON reader's codes, 422),
the decision in the channel's district (``decision_not_found``, 404), then what ``record_payment`` checks
(``payment_not_expected``, ``payment_amount_mismatch``, ``payment_reference_reused``, ``legal_date_in_future``,
``legal_date_before_previous_step``, …).

A replayed callback is not refused as the AI alerts' are: it can only repeat a payment whose reference is
already recorded, and is answered as that payment, as a retry is. The timestamp window still bounds how long a
captured request stays usable.
"""

import csv
import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from pydantic import ValidationError as PydanticValidationError

from zhifa.cases import legal
from zhifa.cases.models import Case, Payment
from zhifa.cases.services import record_payment
from zhifa.core.actors import SystemActor
from zhifa.core.api_input import json_parse
from zhifa.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from zhifa.integrations.payments.models import PaymentChannelAccount
from zhifa.integrations.payments.schemas import PaymentNoticeIn
from zhifa.integrations.payments.signing import payment_signature_matches

BODY_MAX_BYTES = 16 * 1024
_UNKNOWN_CHANNEL_KEY = secrets.token_hex(32)


class PaymentUnauthenticated(DomainError):
    """The request does not prove it comes from a registered payment channel now."""

    status = 401
    default_code = "signature_invalid"


@dataclass(frozen=True)
class PaymentOutcome:
    payment: Payment
    created: bool


def replay_window_seconds() -> int:
    return int(getattr(settings, "ZHIFA_PAYMENT_REPLAY_WINDOW_SECONDS", 300))


def channel_actor(channel: PaymentChannelAccount, *, how: str = "") -> SystemActor:
    """The channel as it is named on the case's timeline and in the audit chain."""
    return SystemActor(f"{channel.name}{how}")


def payment_record(
    *,
    channel: PaymentChannelAccount,
    actor: SystemActor,
    decision_number: str,
    amount: Decimal,
    received_on: dt.date,
    reference: str,
) -> PaymentOutcome:
    """One payment reported by ``channel`` for a decision of its district; the same reference again is the same
    payment (``created`` False)."""
    reference = reference.strip()
    in_district = Case.objects.filter(district_id=channel.district_id, decision_number=decision_number)
    if not decision_number.strip() or not in_district.exists():
        raise NotFound(
            "未找到该决定书文号的案件", code="decision_not_found", details={"decision_number": decision_number[:60]}
        )
    stored = Payment.objects.filter(channel=channel.kind, reference=reference)
    existed = stored.exists()

    def record() -> Payment:
        return record_payment(
            actor=actor,
            decision_number=decision_number,
            amount=amount,
            received_on=received_on,
            channel=channel.kind,
            reference=reference,
        )

    try:
        payment = record()
    except Conflict as exc:
        # Two copies of one notice at the same moment: the second waited for the first's lock on the case and
        # found it paid. If the first recorded this reference, the second is the same payment (or, with other
        # figures, refused as a reused reference by the service itself).
        if exc.code != "payment_not_expected" or not stored.exists():
            raise
        payment, existed = record(), True
    return PaymentOutcome(payment=payment, created=not existed)


# --- the signed callback


def _signed_channel(*, code: str, timestamp: str, body: bytes, signature: str) -> PaymentChannelAccount:
    channel = PaymentChannelAccount.objects.filter(code=code.strip(), is_active=True).first()
    refusal = PaymentUnauthenticated(
        "缴款渠道未登记、已停用或签名校验失败", code="signature_invalid", details={"channel_id": code[:50]}
    )
    secret = channel.secret if channel is not None else _UNKNOWN_CHANNEL_KEY
    # The same HMAC for an unknown channel as for a known one: the time of the answer tells nothing either.
    matches = payment_signature_matches(secret=secret, timestamp=timestamp, body=body, signature=signature)
    if channel is None or not matches or not signature:
        raise refusal
    return channel


def _check_timestamp(timestamp: str, *, now: dt.datetime) -> None:
    window = replay_window_seconds()
    try:
        seconds = int(timestamp.strip())
        signed_at = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise PaymentUnauthenticated(
            "X-Timestamp 须为 Unix 时间戳（秒）", code="timestamp_out_of_window", details={"timestamp": timestamp[:20]}
        ) from None
    skew = abs((now - signed_at).total_seconds())
    if skew > window:
        raise PaymentUnauthenticated(
            f"请求时间与服务器时间相差{int(skew)}秒，超出允许的{window}秒",
            code="timestamp_out_of_window",
            details={"timestamp": seconds, "server_time": int(now.timestamp()), "window_seconds": window},
        )


def _parse(body: bytes) -> PaymentNoticeIn:
    raw = json_parse(body)
    try:
        if not isinstance(raw, dict):
            raise ValueError("not an object")
        return PaymentNoticeIn.model_validate(raw)
    except ValueError as exc:
        details: object = {}
        if isinstance(exc, PydanticValidationError):
            details = [{"loc": list(e["loc"]), "reason": e["msg"]} for e in exc.errors()]
        raise ValidationFailed("缴款通知报文格式不正确", code="payload_invalid", details=details) from None


def payment_notice_receive(*, channel_id: str, timestamp: str, signature: str, body: bytes) -> PaymentOutcome:
    """Authenticate the channel and record the payment its signed notice reports."""
    channel = _signed_channel(code=channel_id, timestamp=timestamp, body=body, signature=signature)
    _check_timestamp(timestamp, now=timezone.now())
    notice = _parse(body)
    return payment_record(
        channel=channel,
        actor=channel_actor(channel),
        decision_number=notice.decision_number,
        amount=legal.money(notice.amount, name="缴款金额"),
        received_on=notice.received_on,
        reference=notice.reference,
    )


# --- the statement import

COLUMNS = ("decision_number", "amount", "received_on", "channel", "reference")
CHINESE_COLUMNS = {
    "决定书文号": "decision_number",
    "金额": "amount",
    "到账日期": "received_on",
    "渠道": "channel",
    "流水号": "reference",
}
RECORDED, ALREADY_RECORDED, REFUSED = "recorded", "already_recorded", "refused"


@dataclass(frozen=True)
class LineOutcome:
    line: int
    reference: str
    result: str
    payment: Payment | None = None
    code: str = ""
    message: str = ""


def _header(row: list[str]) -> list[str]:
    names = [CHINESE_COLUMNS.get(cell.strip(), cell.strip()) for cell in row]
    if sorted(names) != sorted(COLUMNS):
        raise ValidationFailed(
            "对账单首行须为列名：decision_number,amount,received_on,channel,reference"
            "（或 决定书文号,金额,到账日期,渠道,流水号）",
            code="statement_header_invalid",
            details={"header": row[:10]},
        )
    return names


def _line(fields: dict[str, str], channels: dict[str, PaymentChannelAccount | None]) -> PaymentOutcome:
    code = fields["channel"].strip()
    if code not in channels:
        channels[code] = PaymentChannelAccount.objects.filter(code=code, is_active=True).first()
    channel = channels[code]
    if channel is None:
        raise NotFound("缴款渠道未登记或已停用", code="channel_unknown", details={"channel": code[:50]})
    try:
        received_on = dt.date.fromisoformat(fields["received_on"].strip())
    except ValueError:
        raise ValidationFailed(
            "到账日期须为 YYYY-MM-DD", code="received_on_invalid", details={"value": fields["received_on"][:20]}
        ) from None
    return payment_record(
        channel=channel,
        actor=channel_actor(channel, how="（对账单导入）"),
        decision_number=fields["decision_number"].strip(),
        amount=legal.money(fields["amount"].strip(), name="缴款金额"),
        received_on=received_on,
        reference=fields["reference"],
    )


def statement_import(lines: Iterable[str]) -> list[LineOutcome]:
    """Each line of a channel's statement (CSV with a header row) through ``payment_record``, one transaction a
    line: a refused line writes nothing and does not stop the others."""
    rows = csv.reader(lines)
    header = _header(next(rows, []))
    channels: dict[str, PaymentChannelAccount | None] = {}
    outcomes = []
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        reference = row[header.index("reference")].strip() if len(row) == len(header) else ""
        if len(row) != len(header):
            outcomes.append(
                LineOutcome(
                    number, reference, REFUSED, code="line_invalid", message=f"应有{len(header)}列，实有{len(row)}列"
                )
            )
            continue
        try:
            done = _line(dict(zip(header, row, strict=True)), channels)
        except DomainError as exc:
            outcomes.append(LineOutcome(number, reference, REFUSED, code=exc.code, message=exc.message))
            continue
        outcomes.append(LineOutcome(number, reference, RECORDED if done.created else ALREADY_RECORDED, done.payment))
    return outcomes
