"""Credit repair (信用修复, ZJC 32; issue 13 part 6): a holder that corrected its conduct and removed the harm asks,
with its evidence, that a negative entry stop being shown before its 5 years (ZJC 16); a credit administrator
approves (the entry is no longer shown from that day, the grade recomputed) or refuses with reasons.

Refused at the request, writing nothing: an entry of the serious dishonesty list, or any entry while the holder is
on the list (ZJC 32 second paragraph: 列入严重失信名单的，不适用); positive information; before the waiting
period of the entry's kind has passed.

Configurable: ``ZHIFA_CREDIT_REPAIR_WAITING_DAYS`` — the shortest time an entry is shown before repair, by kind
(defaults after the national repair rules' shortest publicity periods, unverified: a penalty 90 days, a penalty
revoking a licence or closing the business 365 days, a broken commitment 90 days); a kind missing from it cannot
be repaired. ``ZHIFA_CREDIT_REPAIR_REVIEW_WORKING_DAYS`` (10) — the review's deadline.
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from zhifa.core.actors import Actor, actor_person, actor_user
from zhifa.core.audit import audit_record, audited_transaction, snapshot
from zhifa.core.calendar import add_working_days, provisional_for_unknown_years
from zhifa.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from zhifa.core.files import files_removed_on_rollback
from zhifa.core.workflow import workflow_apply, workflow_check
from zhifa.credit.models import CreditEntry, CreditRepair, DishonestyListing, EntryKind
from zhifa.credit.objections import attachments_checked, attachments_store, own_entry_get, text_required
from zhifa.credit.procedure_access import is_agency_head, is_credit_admin, step_recorder
from zhifa.credit.services import credit_grades_recompute
from zhifa.credit.states import REPAIR_WORKFLOW, DishonestyStatus, RepairAction, RepairStatus
from zhifa.org.jurisdiction import jurisdiction_of

DEFAULT_WAITING_DAYS = {
    EntryKind.PENALTY.value: 90,
    EntryKind.PENALTY_SEVERE.value: 365,
    "commitment_broken": 90,
}
# Listed (or on the way to it after a decision): repair does not apply (ZJC 32).
LISTED_STATES = (DishonestyStatus.DECIDED, DishonestyStatus.PUBLISHED)


def waiting_days() -> dict[str, int]:
    return {k: int(v) for k, v in getattr(settings, "ZHIFA_CREDIT_REPAIR_WAITING_DAYS", DEFAULT_WAITING_DAYS).items()}


def review_working_days() -> int:
    return int(getattr(settings, "ZHIFA_CREDIT_REPAIR_REVIEW_WORKING_DAYS", 10))


def repair_eligible_on(entry: CreditEntry) -> dt.date | None:
    """The first day a repair of ``entry`` may be asked for; None when its kind cannot be repaired."""
    if entry.kind == EntryKind.SERIOUS_DISHONESTY or entry.category != "negative":
        return None
    days = waiting_days().get(entry.kind)
    return None if days is None else entry.occurred_on + dt.timedelta(days=days)


def _check_eligible(entry: CreditEntry, today: dt.date) -> dt.date:
    if (
        entry.kind == EntryKind.SERIOUS_DISHONESTY
        or DishonestyListing.objects.filter(
            district_id=entry.district_id, holder_key=entry.holder_key, status__in=LISTED_STATES
        ).exists()
    ):
        raise ValidationFailed(
            "列入严重失信名单的，不适用信用修复（ZJC 32）", code="credit_repair_not_for_dishonesty_list"
        )
    eligible = repair_eligible_on(entry)
    if eligible is None:
        raise ValidationFailed("该类信息不适用信用修复", code="credit_repair_kind_not_repairable")
    if today < eligible:
        raise ValidationFailed(
            f"该信息须展示满最短期限，{eligible:%Y-%m-%d} 起方可申请信用修复",
            code="credit_repair_too_early",
            details={"eligible_on": eligible.isoformat()},
        )
    return eligible


def repair_submit(
    *, actor: Actor, subject_id: int, entry_id: int, evidence: str, files: Sequence[UploadedFile] = ()
) -> CreditRepair:
    """信用修复申请 with the evidence of correction; one open request per entry."""
    subject, entry = own_entry_get(actor, subject_id, entry_id)
    today = timezone.localdate()
    eligible = _check_eligible(entry, today)
    evidence = text_required(
        evidence, code="credit_repair_evidence_required", message="请说明纠正失信行为、消除不良影响的情况"
    )
    checked = attachments_checked(files)
    with provisional_for_unknown_years():  # the reviewer's due date, stored: never refused for the calendar
        due = add_working_days(today, review_working_days())
    with files_removed_on_rollback(), audited_transaction():
        CreditEntry.objects.select_for_update().filter(pk=entry.pk).first()
        if CreditRepair.objects.filter(entry=entry, status=RepairStatus.SUBMITTED).exists():
            raise Conflict("该信息已有正在审核的信用修复申请", code="credit_repair_already_open")
        repair = CreditRepair.objects.create(
            district_id=entry.district_id,
            entry=entry,
            subject=subject,
            holder_key=entry.holder_key,
            evidence=evidence,
            eligible_on=eligible,
            submitted_by=actor_person(actor),
            submitted_on=today,
            due_on=due,
        )
        attachments_store(checked, repair=repair)
        step_recorder(workflow=REPAIR_WORKFLOW.name, action="submit", actor=actor)(repair, "", repair.status)
        audit_record(actor=actor, action="credit.repair.submit", obj=repair, after=snapshot(repair))
    return repair


def _repair_for_reviewer(actor: Actor, repair_id: int) -> CreditRepair:
    j = jurisdiction_of(actor)
    repair = CreditRepair.objects.filter(pk=repair_id, district_id=j.district_id).select_related("entry").first()
    if repair is None or not (is_credit_admin(j) or is_agency_head(j)):
        raise NotFound("信用修复申请不存在", code="credit_repair_not_found")
    if not is_credit_admin(j):
        raise PermissionDenied("仅信用管理人员可以处理信用修复申请", code="credit_repair_review_forbidden")
    return repair


def _apply(repair: CreditRepair, action: str, actor: Actor, reason: str, updates: dict[str, Any]) -> Any:
    return workflow_apply(
        table=REPAIR_WORKFLOW,
        obj=repair,
        action=action,
        actor=actor,
        reason=reason,
        extra_updates=updates,
        record_transition=step_recorder(workflow=REPAIR_WORKFLOW.name, action=action, actor=actor, note=reason),
    )


def repair_reject(*, actor: Actor, repair_id: int, reason: str) -> CreditRepair:
    repair = _repair_for_reviewer(actor, repair_id)
    reason = (reason or "").strip()
    updates = {"decision_reason": reason, "decided_by": actor_user(actor), "decided_at": timezone.now()}
    return _apply(repair, RepairAction.REJECT, actor, reason, updates)


def repair_approve(*, actor: Actor, repair_id: int, reason: str) -> CreditRepair:
    """准予修复: the entry is no longer shown from today (ZJC 32: 删除该不良信息或者对修复情况予以标注 — here it
    stops being shown; the row stays for the record), and the grade is recomputed. The listing rule is checked
    again: a holder listed since the request cannot be repaired."""
    repair = _repair_for_reviewer(actor, repair_id)
    reason = (reason or "").strip()
    workflow_check(
        table=REPAIR_WORKFLOW, obj=repair, action=RepairAction.APPROVE, actor=actor, reason=reason, state=repair.status
    )
    today = timezone.localdate()
    _check_eligible(repair.entry, today)
    with transaction.atomic():
        entry = CreditEntry.objects.select_for_update().get(pk=repair.entry_id)
        before = entry.expires_on
        entry.expires_on = min(entry.expires_on, today)
        entry.save(update_fields=["expires_on", "updated_at"])
        audit_record(
            actor=actor,
            action="credit.entry_repair",
            obj=entry,
            before={"expires_on": before.isoformat()},
            after={"expires_on": entry.expires_on.isoformat()},
            reason=reason,
        )
        updates = {
            "expires_on_before": before,
            "decision_reason": reason,
            "decided_by": actor_user(actor),
            "decided_at": timezone.now(),
        }
        repair = _apply(repair, RepairAction.APPROVE, actor, reason, updates)
        credit_grades_recompute(district_id=entry.district_id, holder_keys=[entry.holder_key], on=today)
    return repair
