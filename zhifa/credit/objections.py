"""Objections (异议, ZJC 30–31; issue 13 part 6): a holder objects to an entry of its file with reasons and
attachments; the entry is marked 异议中 while the objection is open; a credit administrator reviews it within the
configured working days and either upholds it — the entry deleted (fact error), its text corrected, or no longer
shown (past its period), and the grade recomputed — or rejects it with reasons. Every step is audited and leaves a
step row; overdue reviews are listed for the administrator (``procedure_selectors``).

Configurable: ``ZHIFA_CREDIT_OBJECTION_REVIEW_WORKING_DAYS`` (5, ZJC 31) and
``ZHIFA_CREDIT_OBJECTION_MAX_WORKING_DAYS`` (20, ZJC 31: in all, with the head's approval of the extension).
"""

import hashlib
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
from zhifa.core.files import file_store, files_removed_on_rollback
from zhifa.core.workflow import workflow_apply, workflow_check
from zhifa.credit.models import CreditAttachment, CreditEntry, CreditObjection, EntryKind, ObjectionOutcome
from zhifa.credit.procedure_access import is_agency_head, is_business, is_credit_admin, step_recorder
from zhifa.credit.services import credit_grades_recompute, holder_key_of
from zhifa.credit.states import OBJECTION_WORKFLOW, OPEN_OBJECTION_STATES, ObjectionAction
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.subjects.selectors import subject_get

TEXT_LIMIT = 2000
MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# What a holder may attach: documents and photos (checked by the first bytes, not by the name it was given).
ATTACHMENT_TYPES = {b"%PDF": "application/pdf", b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def review_working_days() -> int:
    return int(getattr(settings, "ZHIFA_CREDIT_OBJECTION_REVIEW_WORKING_DAYS", 5))


def max_working_days() -> int:
    return int(getattr(settings, "ZHIFA_CREDIT_OBJECTION_MAX_WORKING_DAYS", 20))


def text_required(value: str, *, code: str, message: str, limit: int = TEXT_LIMIT) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(message, code=code)
    if len(value) > limit:
        raise ValidationFailed(f"内容不超过 {limit} 字", code="credit_text_too_long", details={"limit": limit})
    return value


def attachments_checked(files: Sequence[UploadedFile]) -> list[tuple[UploadedFile, str, bytes]]:
    """The files as they will be stored, each with its type from its first bytes; refused before anything is
    written (too many, too large, not a PDF, PNG or JPEG)."""
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationFailed(f"附件不超过 {MAX_ATTACHMENTS} 个", code="credit_attachment_too_many")
    checked = []
    for f in files:
        if (f.size or 0) > MAX_ATTACHMENT_BYTES:
            raise ValidationFailed("单个附件不超过 10 MB", code="credit_attachment_too_large", details={"name": f.name})
        data = f.read()
        kind = next((t for magic, t in ATTACHMENT_TYPES.items() if data.startswith(magic)), None)
        if kind is None:
            raise ValidationFailed(
                "附件须为 PDF、PNG 或 JPEG 文件", code="credit_attachment_type_invalid", details={"name": f.name}
            )
        checked.append((f, kind, data))
    return checked


def attachments_store(checked: list[tuple[UploadedFile, str, bytes]], **owner: Any) -> None:
    """Store the checked attachments of ``owner`` (an objection or a repair request). The caller's transaction is
    wrapped in ``files_removed_on_rollback``: its rollback removes the files again."""
    for f, kind, data in checked:
        name = (f.name or "附件")[-200:]
        attachment = CreditAttachment(
            name=name, content_type=kind, size=len(data), sha256=hashlib.sha256(data).hexdigest(), **owner
        )
        file_store(attachment.file, f"{attachment.sha256[:16]}.{kind.split('/')[1]}", data)
        attachment.save()


def own_entry_get(actor: Actor, subject_id: int, entry_id: int) -> tuple[Any, CreditEntry]:
    """The business's own subject (another's is not found: ``subject_get`` scopes by owner) and an entry of its
    file shown today."""
    j = jurisdiction_of(actor)
    if not is_business(j):
        raise PermissionDenied("异议和信用修复由经营主体本人提出", code="credit_party_only")
    subject = subject_get(user=actor, subject_id=subject_id)
    key = holder_key_of(subject)
    today = timezone.localdate()
    entry = CreditEntry.objects.filter(
        pk=entry_id,
        district_id=subject.district_id,
        holder_key=key,
        occurred_on__lte=today,
        expires_on__gt=today,
    ).first()
    if not key or entry is None:
        raise NotFound("信用信息不存在", code="credit_entry_not_found")
    return subject, entry


def objection_submit(
    *, actor: Actor, subject_id: int, entry_id: int, reasons: str, files: Sequence[UploadedFile] = ()
) -> CreditObjection:
    """异议 (ZJC 30): one open objection per entry; received today, due after the review period in working days."""
    subject, entry = own_entry_get(actor, subject_id, entry_id)
    reasons = text_required(reasons, code="objection_reasons_required", message="请填写异议理由")
    checked = attachments_checked(files)
    today = timezone.localdate()
    with provisional_for_unknown_years():  # the reviewer's due date, stored: never refused for the calendar
        due = add_working_days(today, review_working_days())
    with files_removed_on_rollback(), audited_transaction():
        # Lock the entry: two objections to it at once must not both pass the open-objection check.
        CreditEntry.objects.select_for_update().filter(pk=entry.pk).first()
        if CreditObjection.objects.filter(entry=entry, status__in=OPEN_OBJECTION_STATES).exists():
            raise Conflict("该信息已有正在审核的异议", code="objection_already_open")
        objection = CreditObjection.objects.create(
            district_id=entry.district_id,
            entry=entry,
            subject=subject,
            holder_key=entry.holder_key,
            reasons=reasons,
            submitted_by=actor_person(actor),
            submitted_on=today,
            due_on=due,
        )
        attachments_store(checked, objection=objection)
        step_recorder(workflow=OBJECTION_WORKFLOW.name, action="submit", actor=actor)(objection, "", objection.status)
        audit_record(actor=actor, action="credit.objection.submit", obj=objection, after=snapshot(objection))
    return objection


def _objection_for_staff(actor: Actor, objection_id: int) -> CreditObjection:
    j = jurisdiction_of(actor)
    objection = CreditObjection.objects.filter(pk=objection_id, district_id=j.district_id).first()
    if objection is None or not (is_credit_admin(j) or is_agency_head(j)):
        raise NotFound("异议不存在", code="objection_not_found")
    return objection


def _apply(objection: CreditObjection, action: str, actor: Actor, reason: str, updates: dict[str, Any]) -> Any:
    return workflow_apply(
        table=OBJECTION_WORKFLOW,
        obj=objection,
        action=action,
        actor=actor,
        reason=reason,
        extra_updates=updates,
        record_transition=step_recorder(workflow=OBJECTION_WORKFLOW.name, action=action, actor=actor, note=reason),
    )


def objection_extend(*, actor: Actor, objection_id: int, reason: str) -> CreditObjection:
    """A complex objection: the head approves a longer review, at most the configured total (ZJC 31: 20 working
    days from acceptance)."""
    j = jurisdiction_of(actor)
    objection = _objection_for_staff(actor, objection_id)
    if not is_agency_head(j):
        raise PermissionDenied("延长异议处理期限须经机关负责人批准（ZJC 31）", code="objection_extend_head_only")
    workflow_check(
        table=OBJECTION_WORKFLOW,
        obj=objection,
        action=ObjectionAction.EXTEND,
        actor=actor,
        reason=reason,
        state=objection.status,
    )
    with provisional_for_unknown_years():  # the reviewer's due date, stored: never refused for the calendar
        due = add_working_days(objection.submitted_on, max_working_days())
    return _apply(objection, ObjectionAction.EXTEND, actor, reason.strip(), {"due_on": due})


def _require_reviewer(actor: Actor) -> None:
    if not is_credit_admin(jurisdiction_of(actor)):
        raise PermissionDenied("仅信用管理人员可以处理异议", code="objection_review_forbidden")


def objection_reject(*, actor: Actor, objection_id: int, reason: str) -> CreditObjection:
    """驳回: the entry stands, the reasons are told to the holder."""
    _require_reviewer(actor)
    objection = _objection_for_staff(actor, objection_id)
    reason = (reason or "").strip()
    if len(reason) > TEXT_LIMIT:
        raise ValidationFailed(f"内容不超过 {TEXT_LIMIT} 字", code="credit_text_too_long")
    updates = {"decision_reason": reason, "decided_by": actor_user(actor), "decided_at": timezone.now()}
    return _apply(objection, ObjectionAction.REJECT, actor, reason, updates)


def objection_correct(
    *, actor: Actor, objection_id: int, outcome: str, reason: str, corrected_title: str = ""
) -> CreditObjection:
    """异议成立 (ZJC 30): a fact error deletes the entry from the file (no longer shown from today; the row stays
    for the record), a text error corrects its text, an entry past its period stops being shown; the holder's
    grade is recomputed in the same transaction."""
    _require_reviewer(actor)
    objection = _objection_for_staff(actor, objection_id)
    if outcome not in ObjectionOutcome.values:
        raise ValidationFailed("请选择处理方式", code="objection_outcome_invalid", details={"outcome": outcome})
    reason = (reason or "").strip()
    workflow_check(
        table=OBJECTION_WORKFLOW,
        obj=objection,
        action=ObjectionAction.CORRECT,
        actor=actor,
        reason=reason,
        state=objection.status,
    )
    if objection.entry.kind == EntryKind.SERIOUS_DISHONESTY:
        # ZJC 30 (五): a listing found not to meet the conditions comes off the list by the head's removal, which
        # ends the listing itself, not only its line in the file.
        raise ValidationFailed(
            "对列入严重失信名单的异议成立时，由机关负责人以“不符合条件”提前移出名单",
            code="objection_listing_removal_by_head",
        )
    title = ""
    if outcome == ObjectionOutcome.CORRECT:
        title = text_required(
            corrected_title, code="objection_corrected_title_required", message="请填写更正后的内容", limit=300
        )
    today = timezone.localdate()
    with transaction.atomic():
        entry = CreditEntry.objects.select_for_update().get(pk=objection.entry_id)
        before = {"title": entry.title, "expires_on": entry.expires_on.isoformat()}
        if outcome == ObjectionOutcome.CORRECT:
            entry.title = title
        else:
            entry.expires_on = min(entry.expires_on, today)
        entry.save(update_fields=["title", "expires_on", "updated_at"])
        audit_record(
            actor=actor,
            action="credit.entry_correct",
            obj=entry,
            before=before,
            after={"title": entry.title, "expires_on": entry.expires_on.isoformat(), "outcome": outcome},
            reason=reason,
        )
        objection = _apply(
            objection,
            ObjectionAction.CORRECT,
            actor,
            reason,
            {
                "outcome": outcome,
                "corrected_title": title,
                "entry_before": before,
                "decision_reason": reason,
                "decided_by": actor_user(actor),
                "decided_at": timezone.now(),
            },
        )
        credit_grades_recompute(district_id=entry.district_id, holder_keys=[entry.holder_key], on=today)
    return objection
