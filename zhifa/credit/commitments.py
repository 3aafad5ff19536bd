"""信用承诺 (issue 13 part 2): templates per enforcement matter (optionally narrowed to a licence kind), signed by the
business in its self-service view, and broken — automatically negative information, with the commitment as its
source — when a later general-procedure penalty decision or inspection finding on the same matter contradicts it.

The commitment's workflow is one step: ``signed → broken`` (``TRANSITIONS``), never back; a correction of a wrong
breach is the objection procedure's business (part 6), which corrects the entry, not the commitment.

How a breach is found:
- decisions: ``commitment_breaches_scan`` (run by ``manage.py credit_refresh`` on every scan) reads the final
  general-procedure penalty decisions as the credit file does (``services.final_general_penalties``) — the cases
  app sits below credit and cannot call it;
- findings: the same scan reads the findings (隐患) of signed inspection records, on their checklist item's
  matter (``inspections.InspectionFinding``).
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from zhifa.catalog.models import Matter
from zhifa.catalog.specs import ALL_CATEGORIES
from zhifa.core.actors import Actor, SystemActor, actor_user
from zhifa.core.audit import audit_record, snapshot
from zhifa.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from zhifa.credit.models import (
    KIND_CATEGORY,
    Commitment,
    CommitmentStatus,
    CommitmentTemplate,
    CreditEntry,
    EntryKind,
    SourceType,
)
from zhifa.credit.services import (
    NEGATIVE_YEARS,
    credit_grades_recompute,
    final_general_penalties,
    holder_key_of,
    years_after,
)
from zhifa.inspections.models import InspectionFinding
from zhifa.inspections.states import VisitStatus
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.org.roles import Role
from zhifa.subjects.models import Subject
from zhifa.subjects.selectors import subject_get

BREACH_ACTOR = SystemActor("信用承诺核查")
TRANSITIONS = {(CommitmentStatus.SIGNED, "break"): CommitmentStatus.BROKEN}
TEXT_LIMIT = 5000


# --- templates -----------------------------------------------------------------------------------------------------


def commitment_template_create(
    *,
    actor: Actor,
    code: str,
    title: str,
    text: str,
    legal_basis: str,
    matter_id: int | None,
    licence_kind: str = "",
) -> CommitmentTemplate:
    """A new version of the template ``code`` (version 1 if the code is new); the older versions stay, as signed
    commitments name them, and stop being offered. The administrator and the command centre only."""
    j = jurisdiction_of(actor)
    if not j.can_edit_catalogue:
        raise PermissionDenied("仅管理员和指挥中心可以制定信用承诺书", code="commitment_template_forbidden")
    code, title, text, basis = code.strip(), title.strip(), text.strip(), legal_basis.strip()
    licence_kind = licence_kind.strip()
    if not code or not title or not text or not basis:
        raise ValidationFailed("请填写编码、名称、承诺内容和依据", code="commitment_template_incomplete")
    if len(code) > 40 or len(title) > 100 or len(text) > TEXT_LIMIT or len(basis) > 300 or len(licence_kind) > 50:
        raise ValidationFailed(
            "编码不超过 40 字，名称不超过 100 字，内容不超过 5000 字，依据不超过 300 字",
            code="commitment_template_too_long",
        )
    matter = Matter.objects.filter(pk=matter_id or 0, district_id=j.district_id).first()
    if matter is None:
        # A commitment must name the matter it is about: that is what a later decision or finding contradicts.
        raise ValidationFailed("请选择承诺所涉的执法事项", code="commitment_template_matter_required")
    with transaction.atomic():
        latest = CommitmentTemplate.objects.filter(district_id=j.district_id, code=code)
        number = (latest.aggregate(n=Max("version"))["n"] or 0) + 1
        latest.update(is_active=False)
        template = CommitmentTemplate.objects.create(
            district_id=j.district_id,
            code=code,
            version=number,
            title=title,
            matter=matter,
            licence_kind=licence_kind,
            text=text,
            legal_basis=basis,
        )
        audit_record(actor=actor, action="credit.commitment_template_create", obj=template, after=snapshot(template))
    return template


def _applies(template: CommitmentTemplate, subject: Subject, licence_kinds: set[str]) -> bool:
    if template.licence_kind:
        return template.licence_kind in licence_kinds
    categories = set(template.matter.subject_categories or ()) if template.matter is not None else set()
    return ALL_CATEGORIES in categories or subject.category in categories


# --- what a business signs ------------------------------------------------------------------------------------------


@dataclass
class SubjectCommitments:
    subject: Subject
    to_sign: list[CommitmentTemplate]
    signed: list[Commitment]


def commitments_for_subject(*, user: Any, subject_id: int) -> SubjectCommitments:
    """The current templates that apply to the subject and it has not signed (in that version), and the
    commitments it has signed. Scoped by ``subject_get``: a business sees its own subjects only."""
    subject = subject_get(user=user, subject_id=subject_id)
    signed = list(
        Commitment.objects.filter(subject=subject).select_related("template", "signed_by").order_by("-signed_at")
    )
    signed_ids = {c.template_id for c in signed}
    licence_kinds = set(subject.licences.values_list("kind", flat=True))
    templates = CommitmentTemplate.objects.filter(district_id=subject.district_id, is_active=True).select_related(
        "matter"
    )
    to_sign = [t for t in templates if t.pk not in signed_ids and _applies(t, subject, licence_kinds)]
    return SubjectCommitments(subject=subject, to_sign=to_sign, signed=signed)


def commitments_to_sign(*, user: Any) -> list[SubjectCommitments]:
    """For a business owner: each of its subjects with a credit file and the commitments it has to sign (the
    include on the business's home page reads this). Anyone else: nothing."""
    j = jurisdiction_of(user)
    if j.role != Role.BUSINESS_OWNER:
        return []
    subjects = Subject.objects.filter(district_id=j.district_id, owners__user_id=j.user_id).order_by("pk")
    return [commitments_for_subject(user=user, subject_id=s.pk) for s in subjects if s.uscc or s.id_number]


def commitment_sign(*, actor: Actor, subject_id: int, template_id: int) -> Commitment:
    """The business signs a commitment for one of its subjects: who, when and the text of the version signed are
    kept. Only the subject's own business account signs; a template that does not apply, is not the current
    version, or was signed already is refused."""
    j = jurisdiction_of(actor)
    if j.role != Role.BUSINESS_OWNER:
        raise PermissionDenied("信用承诺由经营主体本人签署", code="commitment_sign_forbidden")
    subject = subject_get(user=actor, subject_id=subject_id)
    key = holder_key_of(subject)
    if not key:
        raise ValidationFailed(
            "该执法对象没有统一社会信用代码或身份证号，不能签署信用承诺", code="credit_holder_key_missing"
        )
    user = actor_user(actor)
    assert user is not None  # a business owner is a user
    template = (
        CommitmentTemplate.objects.filter(pk=template_id, district_id=subject.district_id)
        .select_related("matter")
        .first()
    )
    if template is None:
        raise NotFound("信用承诺书不存在", code="commitment_template_not_found")
    licence_kinds = set(subject.licences.values_list("kind", flat=True))
    if not template.is_active or not _applies(template, subject, licence_kinds):
        raise ValidationFailed("该承诺书不是本主体须签署的现行版本", code="commitment_template_not_applicable")
    try:
        with transaction.atomic():
            commitment = Commitment.objects.create(
                district_id=subject.district_id,
                template=template,
                subject=subject,
                holder_key=key,
                template_version=template.version,
                text=template.text,
                signed_by=user,
                signed_at=timezone.now(),
            )
            audit_record(actor=actor, action="credit.commitment_sign", obj=commitment, after=snapshot(commitment))
    except IntegrityError:
        # The unique constraint, not an exists() check, decides: a double click signs once.
        raise Conflict("该承诺书已签署", code="commitment_already_signed") from None
    return commitment


# --- breaches ----------------------------------------------------------------------------------------------------


def _commitment_break(commitment: Commitment, *, on: dt.date, reason: str) -> bool:
    """``signed → broken`` and the negative entry with the commitment as its source, in one transaction. The
    conditional update is the lock: two scans at once break it once (the entry's unique source is the backstop)."""
    template = commitment.template
    with transaction.atomic():
        moved = Commitment.objects.filter(pk=commitment.pk, status=CommitmentStatus.SIGNED).update(
            status=TRANSITIONS[(CommitmentStatus.SIGNED, "break")], broken_on=on, broken_by=reason[:200]
        )
        if not moved:
            return False
        entry = CreditEntry.objects.create(
            district_id=commitment.district_id,
            holder_key=commitment.holder_key,
            holder_name=commitment.subject.name[:200],
            kind=EntryKind.COMMITMENT_BROKEN,
            category=KIND_CATEGORY[EntryKind.COMMITMENT_BROKEN],
            title=f"违背信用承诺：{template.title}（{reason}）"[:300],
            occurred_on=on,
            expires_on=years_after(on, NEGATIVE_YEARS),
            legal_basis=template.legal_basis[:300],
            source_type=SourceType.COMMITMENT,
            source_id=commitment.pk,
            source_reference=f"{template.title}（第{template.version}版）"[:100],
            source_authority=commitment.subject.district.agency_name[:100],
        )
        audit_record(
            actor=BREACH_ACTOR,
            action="credit.commitment_break",
            obj=commitment,
            before={"status": CommitmentStatus.SIGNED},
            after={"status": CommitmentStatus.BROKEN, "broken_on": on.isoformat(), "reason": reason, "entry": entry.pk},
        )
        audit_record(actor=BREACH_ACTOR, action="credit.entry_create", obj=entry, after=snapshot(entry))
    return True


def _breach(commitments: list[Commitment], *, on: dt.date, reason: str) -> int:
    broken = 0
    touched: dict[int, set[str]] = {}
    for commitment in commitments:
        if _commitment_break(commitment, on=on, reason=reason):
            broken += 1
            touched.setdefault(commitment.district_id, set()).add(commitment.holder_key)
    for district_id, keys in touched.items():
        credit_grades_recompute(district_id=district_id, holder_keys=keys, on=timezone.localdate())
    return broken


def _contradicting_records(matter_ids: set[int]) -> list[tuple[int, int, str, dt.date, str]]:
    """(district, matter, holder key, day, what) of every record that contradicts a commitment on its matter: final
    general-procedure penalty decisions (simple-procedure penalties are not negative information, ZJC, and break
    nothing either) and findings (隐患) of signed inspection records, on the checklist item's matter."""
    rows: list[tuple[int, int, str, dt.date, str]] = []
    cases = final_general_penalties().filter(matter_id__in=matter_ids).select_related("subject")
    for case in cases.order_by("decided_on", "pk"):
        key = case.party_id_number or (holder_key_of(case.subject) if case.subject is not None else "")
        assert case.decided_on is not None and case.matter_id is not None
        if key:
            rows.append(
                (case.district_id, case.matter_id, key, case.decided_on, f"行政处罚决定 {case.decision_number}")
            )
    findings = (
        InspectionFinding.objects.filter(inspection__status=VisitStatus.SIGNED, item__version__matter_id__in=matter_ids)
        .select_related("inspection__subject", "item__version")
        .order_by("recorded_at", "pk")
    )
    for f in findings:
        subject = f.inspection.subject
        key = holder_key_of(subject)
        assert f.item is not None
        if key:
            day = timezone.localdate(f.recorded_at)
            rows.append(
                (subject.district_id, f.item.version.matter_id, key, day, f"检查发现隐患（综合检查 {f.inspection_id}）")
            )
    return rows


def commitment_breaches_scan() -> int:
    """Break every signed commitment that a record on its matter, made on or after the day it was signed,
    contradicts (``_contradicting_records``); the earliest such record is named as the breach. Idempotent; run by
    ``manage.py credit_refresh`` on every scan. Returns how many were broken."""
    signed = Commitment.objects.filter(status=CommitmentStatus.SIGNED).select_related("template", "subject__district")
    by_holder: dict[tuple[int, int, str], list[Commitment]] = {}
    for c in signed:
        if c.template.matter_id is not None:
            by_holder.setdefault((c.district_id, c.template.matter_id, c.holder_key), []).append(c)
    if not by_holder:
        return 0
    broken = 0
    for district_id, matter_id, key, day, what in sorted(
        _contradicting_records({m for _d, m, _k in by_holder}), key=lambda r: r[3]
    ):
        hits = [
            c
            for c in by_holder.get((district_id, matter_id, key), [])
            if c.status == CommitmentStatus.SIGNED and timezone.localdate(c.signed_at) <= day
        ]
        if hits:
            broken += _breach(hits, on=day, reason=what)
            for c in hits:
                c.status = CommitmentStatus.BROKEN
    return broken


def commitment_templates(*, user: Any) -> list[CommitmentTemplate]:
    """The district's commitment templates, every version (current first within a code); staff only."""
    j = jurisdiction_of(user)
    if j.role == Role.BUSINESS_OWNER:
        return []
    return list(
        CommitmentTemplate.objects.filter(district_id=j.district_id)
        .select_related("matter")
        .order_by("code", "-version")
    )


def commitment_template_matters(*, user: Any) -> list[Matter]:
    """The matters a template may be about (the district's active ones), for the form."""
    j = jurisdiction_of(user)
    return list(Matter.objects.filter(district_id=j.district_id, is_active=True).order_by("code"))
