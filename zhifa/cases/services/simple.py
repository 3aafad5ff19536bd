"""The simple procedure (简易程序, 当场处罚) on the officer's phone (APL 51–52, 68–71).

Allowed only for a warning, or a fine of at most 200 yuan (person) / 3,000 yuan (organisation), facts clear
(APL 51, ``legal.simple_procedure_allowed``). The officer shows their certificate, fills a decision numbered from
their own pre-numbered range, the party signs on the screen or its refusal is noted, and the decision is filed
with the agency (备案) at once: the case is stored decided and served in one step. The fine is collected on the
spot only where APL 68 allows it (≤ 100 yuan, or hard to collect later), against an official receipt, and the
cash is handed in within 2 working days (APL 71); otherwise the party pays the bank within 15 days (APL 67)."""

from decimal import Decimal

from django.utils import timezone

from zhifa.cases import legal, papers
from zhifa.cases.models import Case, CaseSource, Conclusion, Payment, PaymentChannel, Procedure
from zhifa.cases.services.common import apply_step, case_transaction, certified_on, start_deadline, step_recorder
from zhifa.cases.services.leads import Party, check_party
from zhifa.cases.states import CASE_WORKFLOW
from zhifa.cases.states import CaseAction as A
from zhifa.catalog.models import Matter
from zhifa.core.actors import Actor
from zhifa.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from zhifa.core.files import file_store
from zhifa.core.workflow import workflow_apply_new
from zhifa.events.models import Event
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.org.models import Officer, Street
from zhifa.org.roles import Role
from zhifa.subjects.models import Subject

SIGNATURE_MAX_BYTES = 512 * 1024


def decide_on_spot(
    *,
    actor: Actor,
    street: Street,
    party: Party,
    matter: Matter,
    facts: str,
    address: str,
    penalty: list[str],
    fine: Decimal | None,
    facts_clear: bool,
    signature_png: bytes | None = None,
    refused_to_sign: bool = False,
    collect_on_spot: bool = False,
    hard_to_collect_later: bool = False,
    receipt_no: str = "",
    colleague: Officer | None = None,
    subject: Subject | None = None,
    event: Event | None = None,
) -> Case:
    j = jurisdiction_of(actor)
    officer = Officer.objects.filter(user_id=j.user_id, district_id=j.district_id).first()
    if j.role != Role.OFFICER or officer is None:
        raise PermissionDenied("当场处罚由持证执法人员作出", code="permission_denied", details={"role": j.role})
    if street.district_id != j.district_id or (j.street_id and street.pk != j.street_id):
        raise PermissionDenied("您无权在该街道当场处罚", code="outside_jurisdiction")
    if matter.district_id != j.district_id:
        raise NotFound("执法事项不存在", code="matter_not_found")
    today = timezone.localdate()
    if not certified_on(officer, today):
        raise PermissionDenied(
            "您的执法证件无效或已过期，不得当场处罚（《行政处罚法》第四十二条、第五十二条）", code="certificate_invalid"
        )
    check_party(party)
    if not facts.strip():
        raise ValidationFailed("请填写违法事实", code="facts_required")
    verdict = legal.simple_procedure_allowed(
        party_kind=party.kind, penalty_kinds=penalty, fine=fine, facts_clear=facts_clear
    )
    if not verdict.allowed:
        raise Conflict(
            f"{verdict.reason}（《行政处罚法》第五十一条）",
            code="simple_procedure_not_allowed",
            details={"article": verdict.article},
        )
    fine = legal.money(fine, name="罚款金额") if fine is not None else None
    if signature_png is None and not refused_to_sign:
        raise ValidationFailed(
            "请当事人在屏幕上签名，或注明当事人拒绝签收（《行政处罚法》第五十二条）", code="signature_required"
        )
    if signature_png is not None and (
        len(signature_png) > SIGNATURE_MAX_BYTES or not signature_png.startswith(b"\x89PNG")
    ):
        raise ValidationFailed("签名图片无效", code="signature_invalid")
    collected = collect_on_spot and fine is not None
    if collected:
        assert fine is not None
        allowed = legal.on_spot_collection_allowed(fine=fine, hard_to_collect_later=hard_to_collect_later)
        if not allowed.allowed:
            raise Conflict(
                f"{allowed.reason}（《行政处罚法》第六十七条、第六十八条）", code="on_spot_collection_not_allowed"
            )
        if not receipt_no.strip():
            raise ValidationFailed(
                "当场收缴罚款须出具财政部门统一制发的专用票据，请填写票据号（《行政处罚法》第七十条）",
                code="receipt_required",
            )
    kinds = list(dict.fromkeys(penalty))
    case = Case(
        district_id=j.district_id,
        number=f"tmp-{timezone.now().timestamp()}-{j.user_id}",
        procedure=Procedure.SIMPLE,
        source=CaseSource.EVENT if event is not None else CaseSource.PATROL,
        event=event,
        matter=matter,
        street=street,
        subject=subject,
        party_kind=party.kind,
        party_name=party.name.strip(),
        party_id_number=party.id_number.strip().upper(),
        party_address=party.address.strip(),
        party_phone=party.phone.strip(),
        party_representative=party.representative.strip(),
        address=address.strip(),
        facts=facts.strip(),
        discovered_on=today,
        violation_ended_on=today,
        handler=officer,
        co_handler=colleague,
        conclusion=Conclusion.PENALTY,
        intended_penalty=kinds,
        intended_fine=fine,
        decided_penalty=kinds,
        decided_fine=fine,
        decided_on=today,
        served_on=today,
        party_refused_to_sign=refused_to_sign,
    )

    def insert(obj: object) -> None:
        assert isinstance(obj, Case)
        obj.save()
        obj.number = f"{obj.created_at:%Y}-{obj.pk:06d}"
        if signature_png is not None:
            file_store(obj.party_signature, f"case-{obj.pk}.png", signature_png)
        obj.save(update_fields=["number", "party_signature"])

    with case_transaction():
        workflow_apply_new(
            table=CASE_WORKFLOW,
            obj=case,
            action=A.DECIDE_ON_SPOT,
            actor=actor,
            insert=insert,
            reason="当场处罚，决定书当场交付，已自动备案（《行政处罚法》第五十二条）",
            record_transition=step_recorder(
                action=A.DECIDE_ON_SPOT, actor=actor, reason="当场处罚，已自动备案", legal_date=today
            ),
        )
        decision = papers.issue_on_the_spot(case, actor=actor, officer=officer, colleague=colleague, on=today)
        case.decision_number = decision.number
        case.save(update_fields=["decision_number"])
        start_deadline(case, "reconsideration", today)
        start_deadline(case, "lawsuit", today)
        if collected:
            assert fine is not None
            Payment.objects.create(
                case=case, channel=PaymentChannel.ON_SPOT, amount=fine, received_on=today, reference=receipt_no.strip()
            )
            start_deadline(case, "cash_hand_in", today)
            apply_step(
                case,
                A.RECORD_PAYMENT,
                actor=actor,
                legal_date=today,
                reason=f"当场收缴{fine}元，票据号{receipt_no.strip()}（《行政处罚法》第六十八条、第七十条）",
                updates={"paid_on": today, "amount_paid": fine},
            )
        elif fine:
            start_deadline(case, "payment", today)
    return case
