"""Evidence (证据, APL 46): files kept byte for byte with their SHA-256, who collected them, when and where, and
each item's chain of custody; evidence preservation (先行登记保存, APL 56) and seizure (查封扣押, ACL 25) with their
own deadlines and documents."""

import datetime as dt
import hashlib

from django.utils import timezone

from zhifa.cases import legal, papers
from zhifa.cases.models import Case, CaseStatus, CustodyEntry, Evidence, EvidenceKind, Measure, MeasureKind
from zhifa.cases.services.common import (
    actor_label,
    case_transaction,
    check_legal_date,
    locked,
    meet_deadlines,
    require_approver,
    require_server,
    start_deadline,
    today,
)
from zhifa.core.actors import Actor, actor_user
from zhifa.core.audit import audit_record
from zhifa.core.errors import Conflict, ValidationFailed
from zhifa.core.files import file_store

EVIDENCE_MAX_BYTES = 50 * 1024 * 1024
INVESTIGATION_STATES = frozenset({CaseStatus.LEAD, CaseStatus.FILING_APPROVAL, CaseStatus.INVESTIGATING})


def add_evidence(
    case: Case,
    *,
    actor: Actor,
    kind: str,
    description: str,
    collected_by: str,
    collected_at: dt.datetime,
    collected_place: str = "",
    content: bytes | None = None,
    filename: str = "",
) -> Evidence:
    """Collecting information is open to auxiliary staff too (ZJR 30); the file's SHA-256 is taken as received."""
    require_server(actor, case, what="收集证据")
    if kind not in EvidenceKind.values:
        raise ValidationFailed(
            "证据种类无效（《行政处罚法》第四十六条）", code="evidence_kind_invalid", details={"kind": kind}
        )
    if not description.strip() or not collected_by.strip():
        raise ValidationFailed("请填写证据说明和收集人", code="evidence_incomplete")
    if collected_at > timezone.now():
        raise ValidationFailed("收集时间不能晚于现在", code="legal_date_in_future")
    if content is not None and len(content) > EVIDENCE_MAX_BYTES:
        raise ValidationFailed("证据文件超过50MB", code="evidence_too_large")
    with case_transaction():
        case = locked(case)
        if case.status not in INVESTIGATION_STATES:
            raise Conflict("调查终结后不能再补充证据；如需补充，须退回调查", code="investigation_closed")
        evidence = Evidence(
            case=case,
            kind=kind,
            description=description.strip(),
            collected_by=collected_by.strip(),
            collected_at=collected_at,
            collected_place=collected_place.strip(),
            recorded_by=actor_user(actor),
        )
        if content is not None:
            evidence.sha256 = hashlib.sha256(content).hexdigest()
            file_store(evidence.file, filename or "evidence.bin", content)
        evidence.save()
        CustodyEntry.objects.create(
            evidence=evidence,
            action="收集",
            holder=collected_by.strip(),
            at=collected_at,
            note=collected_place.strip(),
            recorded_by=actor_user(actor),
        )
        audit_record(
            actor=actor,
            action="case.add_evidence",
            obj=case,
            after={"evidence": evidence.pk, "sha256": evidence.sha256},
        )
    return evidence


def record_custody(
    evidence: Evidence, *, actor: Actor, action: str, holder: str, at: dt.datetime, note: str = ""
) -> CustodyEntry:
    require_server(actor, evidence.case, what="登记证据保管")
    if not action.strip() or not holder.strip():
        raise ValidationFailed("请填写经手事项和保管人", code="custody_incomplete")
    last = evidence.custody.order_by("-at").values_list("at", flat=True).first()
    if at > timezone.now() or (last is not None and at < last):
        raise ValidationFailed("保管时间无效：不能晚于现在，也不能早于上一次经手", code="legal_date_invalid")
    with case_transaction():
        entry = CustodyEntry.objects.create(
            evidence=evidence,
            action=action.strip(),
            holder=holder.strip(),
            at=at,
            note=note.strip(),
            recorded_by=actor_user(actor),
        )
        audit_record(
            actor=actor,
            action="case.custody",
            obj=evidence.case,
            after={"evidence": evidence.pk, "holder": holder, "by": actor_label(actor)},
        )
    return entry


def preserve(case: Case, *, actor: Actor, legal_date: dt.date, items: str, place: str) -> Measure:
    """APL 56: with the head's approval, evidence at risk of loss is registered for preservation; a decision on it
    is due within 7 working days."""
    return _start_measure(
        case, actor=actor, legal_date=legal_date, items=items, place=place, kind=MeasureKind.PRESERVATION
    )


def seize(case: Case, *, actor: Actor, legal_date: dt.date, items: str, place: str) -> Measure:
    """ACL 25: a seizure lasts at most 30 days from ``legal_date``."""
    return _start_measure(case, actor=actor, legal_date=legal_date, items=items, place=place, kind=MeasureKind.SEIZURE)


def _start_measure(
    case: Case, *, actor: Actor, legal_date: dt.date, items: str, place: str, kind: MeasureKind
) -> Measure:
    require_approver(actor, case, what=f"批准{kind.label}")
    if not items.strip() or not place.strip():
        raise ValidationFailed("请填写物品清单和地点", code="measure_incomplete")
    with case_transaction():
        case = locked(case)
        if case.status not in INVESTIGATION_STATES:
            raise Conflict("只能在调查取证阶段采取证据保全或强制措施", code="investigation_closed")
        check_legal_date(case, legal_date)
        code = "preservation_decision" if kind == MeasureKind.PRESERVATION else "seizure"
        deadline = start_deadline(case, code, legal_date)
        measure = Measure.objects.create(
            case=case, kind=kind, items=items.strip(), place=place.strip(), started_on=legal_date, deadline=deadline
        )
        papers.issue_measure(case, measure, actor=actor)
        audit_record(
            actor=actor, action=f"case.{kind.value}", obj=case, after={"measure": measure.pk, "due_on": deadline.due_on}
        )
    return measure


def extend_seizure(measure: Measure, *, actor: Actor, days: int, reason: str) -> Measure:
    """ACL 25: extended once, by at most 30 days, with the head's approval."""
    require_approver(actor, measure.case, what="批准延长查封、扣押期限")
    if not reason.strip():
        raise ValidationFailed("请填写延长理由", code="reason_required")
    with case_transaction():
        measure = Measure.objects.select_for_update().select_related("deadline").get(pk=measure.pk)
        if measure.kind != MeasureKind.SEIZURE or measure.ended_on is not None:
            raise Conflict("只有进行中的查封、扣押可以延长", code="measure_not_running")
        if measure.extension_days:
            raise Conflict("查封、扣押期限只能延长一次（《行政强制法》第二十五条）", code="seizure_already_extended")
        due = legal.seizure_expiry(measure.started_on, extension_days=days, testing_periods=_periods(measure))
        measure.extension_days = days
        measure.save(update_fields=["extension_days"])
        _set_due(measure, due.due_on, f"延长{days}日：{reason.strip()}")
        audit_record(
            actor=actor,
            action="case.extend_seizure",
            obj=measure.case,
            after={"days": days, "due_on": due.due_on},
            reason=reason,
        )
    return measure


def add_testing_period(measure: Measure, *, actor: Actor, first: dt.date, last: dt.date) -> Measure:
    """ACL 25: the days of testing, inspection or appraisal notified in writing are not counted."""
    require_approver(actor, measure.case, what="登记检测期间")
    if last > today():
        raise ValidationFailed("检测期间结束日不能晚于今天", code="legal_date_in_future")
    with case_transaction():
        measure = Measure.objects.select_for_update().select_related("deadline").get(pk=measure.pk)
        periods = [*_periods(measure), (first, last)]
        due = legal.seizure_expiry(measure.started_on, extension_days=measure.extension_days, testing_periods=periods)
        measure.testing_periods = [[a.isoformat(), b.isoformat()] for a, b in sorted(periods)]
        measure.save(update_fields=["testing_periods"])
        _set_due(measure, due.due_on, f"检测期间{first.isoformat()}至{last.isoformat()}不计入")
        audit_record(
            actor=actor,
            action="case.seizure_testing",
            obj=measure.case,
            after={"first": first, "last": last, "due_on": due.due_on},
        )
    return measure


def end_measure(measure: Measure, *, actor: Actor, legal_date: dt.date, outcome: str) -> Measure:
    """The disposal decision on preserved evidence, or the release or disposal of seized property."""
    require_approver(actor, measure.case, what="作出处理决定")
    if not outcome.strip():
        raise ValidationFailed("请填写处理决定", code="outcome_required")
    with case_transaction():
        measure = Measure.objects.select_for_update().select_related("deadline").get(pk=measure.pk)
        if measure.ended_on is not None:
            raise Conflict("该措施已处理", code="measure_not_running")
        if legal_date > today() or legal_date < measure.started_on:
            raise ValidationFailed("处理日期无效", code="legal_date_invalid")
        measure.ended_on = legal_date
        measure.outcome = outcome.strip()
        measure.save(update_fields=["ended_on", "outcome"])
        meet_deadlines(measure.case, [measure.deadline.code], legal_date)
        audit_record(
            actor=actor, action="case.end_measure", obj=measure.case, after={"measure": measure.pk, "on": legal_date}
        )
    return measure


def _periods(measure: Measure) -> list[tuple[dt.date, dt.date]]:
    return [(dt.date.fromisoformat(a), dt.date.fromisoformat(b)) for a, b in measure.testing_periods]


def _set_due(measure: Measure, due_on: dt.date, note: str) -> None:
    deadline = measure.deadline
    deadline.due_on = due_on
    deadline.extension_reason = "\n".join(x for x in (deadline.extension_reason, note) if x)
    deadline.save(update_fields=["due_on", "extension_reason"])
