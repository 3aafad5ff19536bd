"""Case leads (案件线索): from a handled event, a patrol finding or an AI/drone alert in one step, carrying its
photos as evidence (hashes kept) and its matter; or entered by hand, or transferred from another agency."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from zhifa.cases import papers
from zhifa.cases.models import Case, CaseSource, CaseStatus, Evidence, EvidenceKind, PartyKind
from zhifa.cases.permissions import can_handle_cases, covers_case_street
from zhifa.cases.services.common import actor_label, case_transaction, start_deadline, step_recorder
from zhifa.catalog.models import Matter
from zhifa.core.actors import Actor, actor_user
from zhifa.core.audit import audit_record
from zhifa.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from zhifa.core.identifiers import validate_id_number, validate_uscc
from zhifa.events.models import Event
from zhifa.events.selectors import event_in_scope
from zhifa.events.states import HANDLED_STATES, EventSource
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.org.models import Officer, Street
from zhifa.subjects.models import Subject

EVENT_SOURCE_TO_CASE: dict[str, CaseSource] = {
    EventSource.PATROL: CaseSource.PATROL,
    EventSource.AI_CAMERA: CaseSource.AI_ALERT,
    EventSource.DRONE: CaseSource.AI_ALERT,
}
DEVICE_SOURCES = frozenset({EventSource.AI_CAMERA, EventSource.DRONE})


@dataclass(frozen=True)
class Party:
    kind: str
    name: str
    id_number: str = ""
    address: str = ""
    phone: str = ""
    representative: str = ""


def party_of_subject(subject: Subject) -> Party:
    is_person = not subject.uscc
    return Party(
        kind=PartyKind.PERSON if is_person else PartyKind.ORGANISATION,
        name=subject.name if not is_person else (subject.responsible_person or subject.name),
        id_number=subject.uscc or subject.id_number,
        address=subject.address,
        phone=subject.phone,
        representative=subject.responsible_person,
    )


def check_party(party: Party) -> None:
    if party.kind not in PartyKind.values:
        raise ValidationFailed("当事人类型无效", code="party_kind_invalid", details={"kind": party.kind})
    if not party.name.strip():
        raise ValidationFailed("请填写当事人", code="party_name_required")
    if party.id_number.strip():
        (validate_uscc if party.kind == PartyKind.ORGANISATION else validate_id_number)(party.id_number)


def _case_number(case: Case) -> str:
    return f"{case.created_at:%Y}-{case.pk:06d}"


def create_lead(
    *,
    actor: Actor,
    street: Street,
    source: str,
    facts: str,
    discovered_on: dt.date,
    violation_ended_on: dt.date,
    party: Party,
    matter: Matter | None = None,
    subject: Subject | None = None,
    event: Event | None = None,
    address: str = "",
    source_note: str = "",
    harms_safety: bool = False,
    handler: Officer | None = None,
) -> Case:
    """Register a lead; its check is due within the configured period from discovery (``lead_check``)."""
    j = jurisdiction_of(actor)
    if street.district_id != j.district_id or not (can_handle_cases(j) and covers_case_street(j, street.pk)):
        raise PermissionDenied("您无权在该街道登记案件线索", code="permission_denied")
    if source not in CaseSource.values:
        raise ValidationFailed("线索来源无效", code="case_source_invalid", details={"source": source})
    if source == CaseSource.TRANSFER and not source_note.strip():
        raise ValidationFailed("外单位移送的线索须注明移送机关及文号", code="transfer_source_required")
    if not facts.strip():
        raise ValidationFailed("请填写违法事实", code="facts_required")
    check_party(party)
    if violation_ended_on > discovered_on:
        raise ValidationFailed(
            "违法行为终了日期不能晚于发现日期",
            code="violation_after_discovery",
            details={"violation_ended_on": violation_ended_on.isoformat()},
        )
    if discovered_on > timezone.localdate():
        raise ValidationFailed("发现日期不能晚于今天", code="legal_date_in_future")
    if matter is not None and matter.district_id != j.district_id:
        raise NotFound("执法事项不存在", code="matter_not_found")
    if subject is not None and subject.district_id != j.district_id:
        raise NotFound("执法对象不存在", code="subject_not_found")
    if handler is not None and handler.district_id != j.district_id:
        raise NotFound("执法人员不存在", code="officer_not_found")
    with case_transaction():
        case = Case(
            district_id=j.district_id,
            number=f"tmp-{timezone.now().timestamp()}-{j.user_id}",
            source=source,
            source_note=source_note.strip(),
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
            discovered_on=discovered_on,
            violation_ended_on=violation_ended_on,
            harms_safety=harms_safety,
            handler=handler,
            status=CaseStatus.LEAD,
        )
        case.save()
        case.number = _case_number(case)
        case.save(update_fields=["number"])
        step_recorder(action="register", actor=actor, reason="", legal_date=discovered_on)(
            case, CaseStatus.LEAD, CaseStatus.LEAD
        )
        start_deadline(case, "lead_check", discovered_on)
        registrar = Officer.objects.filter(user_id=j.user_id, district_id=j.district_id).first()
        registered_by = papers.officers(registrar or handler) or [
            {"name": actor_label(actor), "certificate_no": "（非执法人员）"}
        ]
        papers.issue_source_register(case, actor=actor, registered_by=registered_by)
        audit_record(actor=actor, action="case.register", obj=case, after={"number": case.number, "source": source})
    return case


def lead_from_event(
    *, actor: Actor, event: Event, discovered_on: dt.date | None = None, **party_and_facts: Any
) -> Case:
    """A handled event (or a patrol finding, an AI/drone alert) becomes a case lead in one step: its matter, its
    place, its description as the facts, and every photo as evidence with its SHA-256 and who took it when."""
    if not event_in_scope(user=actor, event=event):
        raise NotFound("事件不存在或不在您的管辖范围内", code="event_not_found", details={"id": event.pk})
    if event.status not in HANDLED_STATES and event.source not in EVENT_SOURCE_TO_CASE:
        raise Conflict("事件处置后方可转为案件线索", code="event_not_handled", details={"status": event.status})
    if event.source in DEVICE_SOURCES and not event.is_evidence_eligible:
        raise Conflict(
            "该设备的记录未经审核，不能作为证据（《行政处罚法》第四十一条）", code="device_not_evidence_eligible"
        )
    if Case.objects.filter(event=event).exclude(status__in=[CaseStatus.NOT_FILED, CaseStatus.WITHDRAWN]).exists():
        raise Conflict("该事件已转为案件线索", code="event_already_has_case")
    reported_on = timezone.localtime(event.reported_at).date()
    subject = party_and_facts.pop("subject", None)
    party = party_and_facts.pop("party", None) or (party_of_subject(subject) if subject is not None else None)
    if party is None:
        raise ValidationFailed("请填写当事人，或选择执法对象", code="party_name_required")
    facts = party_and_facts.pop("facts", "") or "\n".join(x for x in (event.description, event.outcome) if x)
    with case_transaction():
        case = create_lead(
            actor=actor,
            street=event.street,
            source=EVENT_SOURCE_TO_CASE.get(event.source, CaseSource.EVENT),
            facts=facts,
            discovered_on=discovered_on or reported_on,
            violation_ended_on=party_and_facts.pop("violation_ended_on", None) or reported_on,
            party=party,
            matter=event.matter,
            subject=subject,
            event=event,
            address=event.address,
            source_note=f"事件 {event.public_no}",
            **party_and_facts,
        )
        for photo in event.photos.all().order_by("pk"):
            Evidence.objects.create(
                case=case,
                kind=EvidenceKind.AUDIOVISUAL,
                description=f"事件{event.public_no}的{photo.get_kind_display()}照片",
                event_photo=photo,
                sha256=photo.sha256,
                collected_by=(photo.uploaded_by.get_username() if photo.uploaded_by else actor_label(actor)),
                collected_at=photo.exif_taken_at or event.reported_at,
                collected_place=event.address,
                recorded_by=actor_user(actor),
            )
    return case
