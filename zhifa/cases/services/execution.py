"""Execution (执行): money is received by the bank or the e-payment channel, never by the officer (罚缴分离,
APL 67) — it is recorded here by the channel's signed callback or its statement import (a system actor), with
the late fee (加处罚款, APL 72 / ACL 45) owed on the day the bank received it. On-the-spot collection under the
simple procedure is recorded by ``simple.decide_on_spot`` with its receipt, and handed in within 2 working days
(APL 71)."""

import datetime as dt
from decimal import Decimal

from zhifa.cases import legal
from zhifa.cases.models import Case, CaseStatus, Payment, PaymentChannel
from zhifa.cases.services.common import (
    apply_step,
    case_transaction,
    check_legal_date,
    locked,
    meet_deadlines,
    require_handler,
    today,
)
from zhifa.cases.states import CaseAction as A
from zhifa.core.actors import Actor, is_system
from zhifa.core.audit import audit_record
from zhifa.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


def amount_owed(case: Case, on_day: dt.date) -> tuple[Decimal, Decimal]:
    """(fine, late fee) owed on ``on_day``: the fee runs from the day after the payment deadline (APL 72)."""
    fine = case.decided_fine or Decimal("0.00")
    due = case.deadlines.filter(code="payment").values_list("due_on", flat=True).first()
    if not fine or due is None:
        return fine, Decimal("0.00")
    return fine, legal.late_fee(fine=fine, due_on=due, on_day=on_day).amount


def record_payment(
    *, actor: Actor, decision_number: str, amount: Decimal, received_on: dt.date, channel: str, reference: str
) -> Payment:
    """A payment the bank or e-payment channel reports for the decision ``decision_number``. Only the channel
    (a system actor authenticated by its signature, or the statement import) records money: an officer never does
    (APL 67). The same reference reported again is the same payment (the channel retries)."""
    if not is_system(actor):
        raise PermissionDenied(
            "罚款由代收机构或电子缴款渠道确认到账，执法人员不得录入（《行政处罚法》第六十七条）",
            code="payment_by_channel_only",
        )
    if channel not in (PaymentChannel.BANK, PaymentChannel.E_PAYMENT):
        raise ValidationFailed("缴款渠道无效", code="payment_channel_invalid", details={"channel": channel})
    if not reference.strip():
        raise ValidationFailed("缺少缴款流水号", code="payment_reference_required")
    amount = legal.money(amount, name="缴款金额")
    with case_transaction():
        existing = Payment.objects.filter(channel=channel, reference=reference.strip()).select_related("case").first()
        if existing is not None:
            if existing.amount != amount or existing.case.decision_number != decision_number:
                raise Conflict("该流水号已用于另一笔缴款", code="payment_reference_reused")
            return existing
        case = Case.objects.filter(decision_number=decision_number).exclude(decision_number="").first()
        if case is None:
            raise NotFound(
                "未找到该决定书文号的案件", code="decision_not_found", details={"decision_number": decision_number}
            )
        case = locked(case)
        if case.status not in (CaseStatus.SERVED, CaseStatus.ENFORCEMENT):
            raise Conflict("该案件当前不在待缴款状态", code="payment_not_expected", details={"status": case.status})
        check_legal_date(case, received_on)
        fine, fee = amount_owed(case, received_on)
        if amount != fine + fee:
            raise Conflict(
                f"缴款金额{amount}元与应缴金额{fine + fee}元（罚款{fine}元，加处罚款{fee}元）不符",
                code="payment_amount_mismatch",
                details={"fine": str(fine), "late_fee": str(fee)},
            )
        payment = Payment.objects.create(
            case=case, channel=channel, amount=fine, late_fee=fee, received_on=received_on, reference=reference.strip()
        )
        meet_deadlines(case, ["payment"], received_on)
        apply_step(
            case,
            A.RECORD_PAYMENT,
            actor=actor,
            legal_date=received_on,
            reason=f"{PaymentChannel(channel).label}到账{amount}元，流水号{reference.strip()}",
            updates={"paid_on": received_on, "amount_paid": amount},
        )
    return payment


def hand_in_cash(case: Case, *, actor: Actor, legal_date: dt.date) -> Payment:
    """Cash collected on the spot handed in to the agency (APL 71: within 2 working days)."""
    require_handler(actor, case, what="登记罚款上缴")
    with case_transaction():
        case = locked(case)
        payment = case.payments.filter(channel=PaymentChannel.ON_SPOT, handed_in_on__isnull=True).first()
        if payment is None:
            raise Conflict("本案没有待上缴的当场收缴罚款", code="no_cash_to_hand_in")
        if legal_date > today() or legal_date < payment.received_on:
            raise ValidationFailed("上缴日期无效", code="legal_date_invalid")
        payment.handed_in_on = legal_date
        payment.save(update_fields=["handed_in_on"])
        meet_deadlines(case, ["cash_hand_in"], legal_date)
        audit_record(actor=actor, action="case.hand_in_cash", obj=case, after={"handed_in_on": legal_date})
    return payment
