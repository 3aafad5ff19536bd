"""The serious dishonesty list (严重失信名单, issue 13 part 5): a holder is listed only through its own procedure —

    proposal (legal basis ZJC 24, the source entries) → notice to the party (告知, ZJC 28) → the defence period
    (陈述申辩, ZJC 28) → a written decision signed by the agency head (决定书由本机关负责人签发, ZJC 24) →
    publication with its publication and removal dates (ZJC 24, 25) → removal at the end date, or earlier

one transition table (``states.DISHONESTY_WORKFLOW``), one service per step, each audited with its step row.
Publication writes a ``serious_dishonesty`` entry shown until the removal date; scoring vetoes it (grade D).

Configurable (settings; local policy, not fixed by ZJC): ``ZHIFA_DISHONESTY_DEFENCE_DAYS`` (7; a period of
≤ 7 days counts working days, LEGAL.md "Counting periods"), ``ZHIFA_DISHONESTY_PUBLICATION_YEARS`` (3; ZJC 25
leaves the period to the provincial rules), ``ZHIFA_DISHONESTY_MIN_LISTED_DAYS`` (365: the shortest time on the
list before an early removal for corrected conduct; a listing found not to meet the conditions, ZJC 30 (五), is
removed at any time).
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhifa.core.actors import Actor, SystemActor, actor_person, actor_user
from zhifa.core.audit import audit_record, audited_transaction, snapshot
from zhifa.core.calendar import legal_period_end
from zhifa.core.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from zhifa.core.workflow import workflow_apply, workflow_check
from zhifa.credit.models import KIND_CATEGORY, CreditEntry, DishonestyListing, EntryKind, SourceType
from zhifa.credit.procedure_access import is_agency_head, is_business, is_credit_admin, step_recorder
from zhifa.credit.services import credit_grades_recompute, holder_key_of, years_after
from zhifa.credit.states import (
    DISHONESTY_MISSING_STEP,
    DISHONESTY_WORKFLOW,
    DishonestyAction,
    DishonestyStatus,
)
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.subjects.models import Subject
from zhifa.subjects.selectors import subject_get

EXPIRY_ACTOR = SystemActor("严重失信名单期满移出")
TEXT_LIMIT = 2000
# ZJC 24 (一)–(四): the grounds a proposal must name.
GROUNDS = {
    "fraudulent_licence": "以欺骗、贿赂等不正当手段取得关系人身健康和生命安全的行政许可而被依法撤销（ZJC 24（一））",
    "health_safety_order": "损害人身健康和生命安全、严重破坏市场经济秩序和社会管理秩序的行为（ZJC 24（二））",
    "refusing_judgment": "有履行能力而拒不履行生效法律文书（ZJC 24（三））",
    "other_law": "法律、法规规定的其他情形（ZJC 24（四））",
}
REMOVAL_GROUNDS = {
    # ZJC 30 (五): listed without meeting the conditions — off the list at once.
    "conditions_not_met": "不符合严重失信名单具体条件（ZJC 30（五））",
    # ZJC 25 and the provincial removal conditions: conduct corrected, after the shortest listing period.
    "corrected": "已纠正失信行为、符合移出条件（ZJC 25）",
}


def defence_days() -> int:
    return int(getattr(settings, "ZHIFA_DISHONESTY_DEFENCE_DAYS", 7))


def publication_years() -> int:
    return int(getattr(settings, "ZHIFA_DISHONESTY_PUBLICATION_YEARS", 3))


def min_listed_days() -> int:
    return int(getattr(settings, "ZHIFA_DISHONESTY_MIN_LISTED_DAYS", 365))


def _text(value: str, *, code: str, message: str, limit: int = TEXT_LIMIT) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(message, code=code)
    if len(value) > limit:
        raise ValidationFailed(f"内容不超过 {limit} 字", code="credit_text_too_long", details={"limit": limit})
    return value


def _require_admin(actor: Actor) -> Any:
    j = jurisdiction_of(actor)
    if not is_credit_admin(j):
        raise PermissionDenied("仅信用管理人员（管理员、指挥中心、法制审核员）可以办理", code="dishonesty_forbidden")
    return j


def _listing_for_staff(actor: Actor, listing_id: int) -> DishonestyListing:
    j = jurisdiction_of(actor)
    listing = DishonestyListing.objects.filter(pk=listing_id, district_id=j.district_id).first()
    if listing is None or not (is_credit_admin(j) or is_agency_head(j)):
        raise NotFound("严重失信名单程序不存在", code="dishonesty_not_found")
    return listing


def _check_step(listing: DishonestyListing, action: str, actor: Actor, reason: str = "") -> None:
    """The specific refusal for a step taken out of order (list without notice, without a decision …), else the
    table's own check."""
    missing = DISHONESTY_MISSING_STEP.get((listing.status, action))
    if missing is not None:
        code, message = missing
        raise InvalidTransition(message, code=code, details={"state": listing.status, "action": action})
    workflow_check(
        table=DISHONESTY_WORKFLOW, obj=listing, action=action, actor=actor, reason=reason, state=listing.status
    )


def _apply(
    listing: DishonestyListing, action: str, actor: Actor, *, reason: str = "", updates: dict[str, Any]
) -> DishonestyListing:
    result = workflow_apply(
        table=DISHONESTY_WORKFLOW,
        obj=listing,
        action=action,
        actor=actor,
        reason=reason,
        extra_updates=updates,
        record_transition=step_recorder(
            workflow=DISHONESTY_WORKFLOW.name, action=action, actor=actor, note=reason or updates.get("note", "")
        ),
    )
    assert isinstance(result, DishonestyListing)
    return result


# The negative entries one proposal may rest on.
MAX_SOURCE_ENTRIES = 200


def dishonesty_propose(
    *,
    actor: Actor,
    subject_id: int,
    ground: str,
    legal_basis: str,
    reasons: str,
    source_entry_ids: list[int],
    responsible_persons: str = "",
) -> DishonestyListing:
    """A proposal to list a holder, naming the ZJC 24 ground, the provision and the negative entries of its file it
    rests on (at least one, shown today). One open procedure per holder."""
    j = _require_admin(actor)
    subject = Subject.objects.filter(pk=subject_id, district_id=j.district_id).first()
    if subject is None:
        raise NotFound("执法对象不存在", code="subject_not_found")
    key = holder_key_of(subject)
    if not key:
        raise ValidationFailed(
            "该执法对象没有统一社会信用代码或身份证号，不能列入名单", code="credit_holder_key_missing"
        )
    if ground not in GROUNDS:
        raise ValidationFailed("请选择列入情形（ZJC 24）", code="dishonesty_ground_invalid", details={"ground": ground})
    basis = _text(legal_basis, code="dishonesty_basis_required", message="请填写列入依据（具体法律条款）", limit=300)
    reasons = _text(reasons, code="dishonesty_reasons_required", message="请填写列入理由")
    if len(responsible_persons.strip()) > 200:
        raise ValidationFailed("负有责任的人员不超过 200 字", code="credit_text_too_long", details={"limit": 200})
    if len(set(source_entry_ids)) > MAX_SOURCE_ENTRIES:
        # A holder's file shows a few negative entries; an unbounded list would also exceed what one statement
        # takes (65,535 parameters on PostgreSQL) and fail as a server error.
        raise ValidationFailed(
            f"列入来源最多选择 {MAX_SOURCE_ENTRIES} 条失信信息",
            code="dishonesty_source_too_many",
            details={"limit": MAX_SOURCE_ENTRIES, "count": len(set(source_entry_ids))},
        )
    today = timezone.localdate()
    entries = list(
        CreditEntry.objects.filter(
            pk__in=source_entry_ids,
            district_id=j.district_id,
            holder_key=key,
            category="negative",
            occurred_on__lte=today,
            expires_on__gt=today,
        ).exclude(kind=EntryKind.SERIOUS_DISHONESTY)
    )
    if not entries or len(entries) != len(set(source_entry_ids)):
        raise ValidationFailed(
            "须选择该主体信用档案中正在展示的失信信息作为列入的来源",
            code="dishonesty_source_required",
            details={"entries": sorted(set(source_entry_ids))},
        )
    with audited_transaction():
        # Lock the subject: two proposals for one holder at once must not both pass the open-procedure check.
        Subject.objects.select_for_update().filter(pk=subject.pk).first()
        open_states = [
            s for s in DishonestyStatus.values if s not in (DishonestyStatus.REMOVED, DishonestyStatus.WITHDRAWN)
        ]
        if DishonestyListing.objects.filter(district_id=j.district_id, holder_key=key, status__in=open_states).exists():
            raise Conflict("该主体已有进行中的严重失信名单程序或已在名单中", code="dishonesty_already_open")
        listing = DishonestyListing.objects.create(
            district_id=j.district_id,
            subject=subject,
            holder_key=key,
            holder_name=subject.name[:200],
            legal_basis=f"{GROUNDS[ground]}；{basis}"[:300],
            reasons=reasons,
            responsible_persons=responsible_persons.strip(),
            proposed_by=actor_person(actor),
        )
        listing.source_entries.set(entries)
        step_recorder(workflow=DISHONESTY_WORKFLOW.name, action="propose", actor=actor)(listing, "", listing.status)
        audit_record(
            actor=actor,
            action="credit.dishonesty.propose",
            obj=listing,
            after={**snapshot(listing), "source_entries": [e.pk for e in entries]},
        )
    return listing


def dishonesty_notify(*, actor: Actor, listing_id: int) -> DishonestyListing:
    """告知 (ZJC 28): the party is told the reasons and basis; the defence period starts the next day."""
    _require_admin(actor)
    listing = _listing_for_staff(actor, listing_id)
    _check_step(listing, DishonestyAction.NOTIFY, actor)
    today = timezone.localdate()
    due = legal_period_end(today, defence_days())
    return _apply(listing, DishonestyAction.NOTIFY, actor, updates={"noticed_on": today, "defence_due_on": due})


def dishonesty_defend(*, actor: Actor, listing_id: int, text: str) -> DishonestyListing:
    """陈述申辩 (ZJC 28) by the party, from its self-service view, within the period (the last day included)."""
    j = jurisdiction_of(actor)
    listing = DishonestyListing.objects.filter(pk=listing_id, district_id=j.district_id).first()
    if listing is None or not is_business(j):
        raise NotFound("严重失信名单程序不存在", code="dishonesty_not_found")
    # The party's own: the subject must be one of its subjects (another business's procedure is not found).
    subject_get(user=actor, subject_id=listing.subject_id)
    text = _text(text, code="dishonesty_defence_required", message="请填写陈述申辩意见")
    _check_step(listing, DishonestyAction.DEFEND, actor)
    assert listing.defence_due_on is not None
    if timezone.localdate() > listing.defence_due_on:
        raise ValidationFailed(
            f"陈述申辩期限已于 {listing.defence_due_on:%Y-%m-%d} 届满",
            code="dishonesty_defence_period_over",
            details={"defence_due_on": listing.defence_due_on.isoformat()},
        )
    return _apply(
        listing, DishonestyAction.DEFEND, actor, updates={"defence_text": text, "defended_at": timezone.now()}
    )


def dishonesty_decide(*, actor: Actor, listing_id: int, decision_number: str, decision_text: str) -> DishonestyListing:
    """The written decision (决定书), signed by the agency head (ZJC 24 last paragraph) — only after the party was
    told and its defence heard or its period over (ZJC 28). The decision text must answer a defence."""
    j = jurisdiction_of(actor)
    listing = _listing_for_staff(actor, listing_id)
    _check_step(listing, DishonestyAction.DECIDE, actor)
    if not is_agency_head(j):
        raise PermissionDenied(
            "列入严重失信名单的决定书须由机关负责人签发（ZJC 24）", code="dishonesty_head_signature_required"
        )
    today = timezone.localdate()
    if listing.status == DishonestyStatus.NOTICED and listing.defence_due_on and today <= listing.defence_due_on:
        raise InvalidTransition(
            f"陈述申辩期限至 {listing.defence_due_on:%Y-%m-%d}，期满或当事人陈述申辩后方可决定（ZJC 28）",
            code="dishonesty_defence_period_open",
            details={"defence_due_on": listing.defence_due_on.isoformat()},
        )
    number = _text(decision_number, code="dishonesty_decision_number_required", message="请填写决定书文号", limit=100)
    text = _text(decision_text, code="dishonesty_decision_text_required", message="请填写决定理由")
    if DishonestyListing.objects.filter(district_id=listing.district_id, decision_number=number).exists():
        raise Conflict("该决定书文号已被使用", code="dishonesty_decision_number_taken", details={"number": number})
    return _apply(
        listing,
        DishonestyAction.DECIDE,
        actor,
        updates={
            "decision_number": number,
            "decision_text": text,
            "decided_by": actor_user(actor),
            "decided_on": today,
        },
    )


def dishonesty_publish(*, actor: Actor, listing_id: int) -> DishonestyListing:
    """公示: on the public list from today until the removal date; the listing entry is written (shown until
    removal, and ZJC 16: negative information is kept at least as long) and the holder's grade recomputed (D)."""
    _require_admin(actor)
    listing = _listing_for_staff(actor, listing_id)
    _check_step(listing, DishonestyAction.PUBLISH, actor)
    if listing.decided_by_id is None or not listing.decision_number:
        # The table only lets a decided listing be published; a decided row without its signature is a fault.
        raise InvalidTransition("须有机关负责人签发的列入决定书（ZJC 24）", code="dishonesty_decision_required")
    today = timezone.localdate()
    removal = years_after(today, publication_years())
    with transaction.atomic():
        entry = CreditEntry.objects.create(
            district_id=listing.district_id,
            holder_key=listing.holder_key,
            holder_name=listing.holder_name,
            kind=EntryKind.SERIOUS_DISHONESTY,
            category=KIND_CATEGORY[EntryKind.SERIOUS_DISHONESTY],
            title=f"列入严重失信名单：{listing.reasons}"[:300],
            occurred_on=today,
            expires_on=removal,
            legal_basis=listing.legal_basis,
            source_type=SourceType.DISHONESTY,
            source_id=listing.pk,
            source_reference=listing.decision_number,
            source_authority=listing.district.agency_name[:100],
            created_by=actor_user(actor),
        )
        audit_record(actor=actor, action="credit.entry_create", obj=entry, after=snapshot(entry))
        listing = _apply(
            listing,
            DishonestyAction.PUBLISH,
            actor,
            updates={"published_on": today, "removal_due_on": removal, "entry": entry},
        )
        credit_grades_recompute(district_id=listing.district_id, holder_keys=[listing.holder_key], on=today)
    return listing


def _end_listing(listing: DishonestyListing, action: str, actor: Actor, reason: str) -> DishonestyListing:
    today = timezone.localdate()
    with transaction.atomic():
        listing = _apply(listing, action, actor, reason=reason, updates={"removed_on": today, "closing_reason": reason})
        if listing.entry_id is not None:
            entry = CreditEntry.objects.select_for_update().get(pk=listing.entry_id)
            if entry.expires_on > today:
                before = {"expires_on": entry.expires_on}
                entry.expires_on = today
                entry.save(update_fields=["expires_on", "updated_at"])
                audit_record(
                    actor=actor,
                    action="credit.entry_stop_showing",
                    obj=entry,
                    before=before,
                    after={"expires_on": today},
                    reason=reason,
                )
        credit_grades_recompute(district_id=listing.district_id, holder_keys=[listing.holder_key], on=today)
    return listing


def dishonesty_remove_early(*, actor: Actor, listing_id: int, ground: str, reason: str) -> DishonestyListing:
    """提前移出, signed by the head: at any time when the listing did not meet the conditions (ZJC 30 (五)); for
    corrected conduct only after the shortest listing period (configurable)."""
    j = jurisdiction_of(actor)
    listing = _listing_for_staff(actor, listing_id)
    if not is_agency_head(j):
        raise PermissionDenied("提前移出须由机关负责人决定", code="dishonesty_head_signature_required")
    if ground not in REMOVAL_GROUNDS:
        raise ValidationFailed("请选择移出情形", code="dishonesty_removal_ground_invalid", details={"ground": ground})
    reason = _text(reason, code="reason_required", message="请填写移出理由")
    _check_step(listing, DishonestyAction.REMOVE_EARLY, actor, reason)
    today = timezone.localdate()
    if ground == "corrected" and listing.published_on is not None:
        earliest = listing.published_on + dt.timedelta(days=min_listed_days())
        if today < earliest:
            raise ValidationFailed(
                f"列入未满最短期限，{earliest:%Y-%m-%d} 起方可因纠正失信行为提前移出",
                code="dishonesty_removal_too_early",
                details={"earliest": earliest.isoformat()},
            )
    return _end_listing(listing, DishonestyAction.REMOVE_EARLY, actor, f"{REMOVAL_GROUNDS[ground]}：{reason}")


def dishonesty_withdraw(*, actor: Actor, listing_id: int, reason: str) -> DishonestyListing:
    """不予列入: the proposal dropped before a decision (e.g. the defence is accepted), with reasons."""
    j = jurisdiction_of(actor)
    if not (is_credit_admin(j) or is_agency_head(j)):
        raise PermissionDenied("仅信用管理人员或机关负责人可以办理", code="dishonesty_forbidden")
    listing = _listing_for_staff(actor, listing_id)
    reason = (reason or "").strip()
    _check_step(listing, DishonestyAction.WITHDRAW, actor, reason)
    return _apply(listing, DishonestyAction.WITHDRAW, actor, reason=reason, updates={"closing_reason": reason})


def dishonesty_expire_due(*, on: dt.date | None = None) -> int:
    """期满移出: every published listing whose removal date has come goes off the list (the refresh scan calls
    this; idempotent). Returns how many were removed."""
    on = on or timezone.localdate()
    removed = 0
    for listing in DishonestyListing.objects.filter(status=DishonestyStatus.PUBLISHED, removal_due_on__lte=on).order_by(
        "pk"
    ):
        try:
            _end_listing(listing, DishonestyAction.EXPIRE, EXPIRY_ACTOR, "公示期满")
        except InvalidTransition:
            continue  # removed by someone else meanwhile
        removed += 1
    return removed
