"""The inspections' hand-off to cases (issue 12 parts 6 and 7), in the direction the layers allow: this app reads
the inspections app, which cannot import it, and registers its functions on the inspections' ports at start-up
(``CasesConfig.ready`` → ``register``):

- ``lead_from_rectification``: a rectification order escalated (逾期未整改, 复查未通过) or issued for a 重大 finding
  becomes a case lead in one step, as a handled event does (``services.leads.lead_from_event``): the subject as the
  party, the checklist item's matter, the finding as the facts, the visit's record as 现场笔录, and every photo of the
  finding and of the party's submissions as evidence with its SHA-256 (the files are the inspection's originals,
  byte for byte, not copies).
- ``case_rows_for_subjects``: the case leads about subjects registered in a window, for the three colours.
- a new case about a subject recolours it (``post_save`` of ``Case``, after the commit).
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

from zhifa.cases.models import Case, CaseSource, CaseStatus, Evidence, EvidenceKind
from zhifa.cases.services.common import actor_label, case_transaction
from zhifa.cases.services.leads import create_lead, party_of_subject
from zhifa.core.actors import Actor, actor_user
from zhifa.inspections import colours, rectification
from zhifa.inspections.models import InspectionPhoto, RectificationOrder, RectificationPhoto

NOT_COUNTED = (CaseStatus.NOT_FILED, CaseStatus.WITHDRAWN)


def lead_from_rectification(actor: Actor, order: RectificationOrder, reason: str) -> tuple[int, str]:
    """The order's finding as a case lead with its evidence; returns (case id, case number)."""
    finding = order.finding
    inspection = finding.inspection
    subject = order.subject
    found_on = timezone.localdate(finding.recorded_at)
    matter = finding.item.version.matter if finding.item is not None else None
    facts = "\n".join(
        x
        for x in (
            f"{finding.get_severity_display()}隐患：{finding.description}",
            f"整改要求：{order.requirement}（期限{order.deadline:%Y年%m月%d日}）",
            f"移送理由：{reason}",
        )
        if x
    )
    with case_transaction():
        case = create_lead(
            actor=actor,
            street=order.street,
            source=CaseSource.PATROL,
            facts=facts,
            discovered_on=found_on,
            violation_ended_on=found_on,
            party=party_of_subject(subject),
            matter=matter,
            subject=subject,
            address=subject.address,
            source_note=f"整改通知 {order.pk}（综合检查 {inspection.pk}）",
            harms_safety=finding.severity == "serious",
        )
        recorder = actor_user(actor)
        Evidence.objects.create(
            case=case,
            kind=EvidenceKind.INSPECTION_RECORD,
            description=f"综合检查{inspection.pk}的检查记录（已签署）",
            collected_by="、".join(o.name for o in inspection.officers.order_by("pk"))[:100] or actor_label(actor),
            collected_at=inspection.signed_at or finding.recorded_at,
            collected_place=subject.address,
            recorded_by=recorder,
        )
        for photo in InspectionPhoto.objects.filter(finding=finding).select_related("uploaded_by").order_by("pk"):
            Evidence.objects.create(
                case=case,
                kind=EvidenceKind.AUDIOVISUAL,
                description=f"综合检查{inspection.pk}隐患照片",
                file=photo.original.name,
                sha256=photo.sha256,
                collected_by=photo.uploaded_by.name,
                collected_at=photo.created_at,
                collected_place=subject.address,
                recorded_by=recorder,
            )
        for rphoto in (
            RectificationPhoto.objects.filter(submission__order=order).select_related("submission").order_by("pk")
        ):
            Evidence.objects.create(
                case=case,
                kind=EvidenceKind.AUDIOVISUAL,
                description=f"当事人提交的整改照片（整改通知{order.pk}）",
                file=rphoto.original.name,
                sha256=rphoto.sha256,
                collected_by="当事人",
                collected_at=rphoto.submission.submitted_at,
                collected_place=subject.address,
                recorded_by=recorder,
            )
    return case.pk, case.number


def case_rows_for_subjects(
    subject_ids: Sequence[int], since: dt.date, until: dt.date
) -> dict[int, list[tuple[int, str, dt.date]]]:
    """{subject id: [(case id, number, registered on)]} of the leads registered on [since, until)."""
    rows: dict[int, list[tuple[int, str, dt.date]]] = {}
    cases = (
        Case.objects.filter(subject_id__in=list(subject_ids), created_at__date__gte=since, created_at__date__lt=until)
        .exclude(status__in=NOT_COUNTED)
        .order_by("created_at", "pk")
        .values_list("pk", "subject_id", "number", "created_at")
    )
    for pk, subject_id, number, created_at in cases:
        rows.setdefault(subject_id, []).append((pk, number, timezone.localdate(created_at)))
    return rows


def _recolour_on_case(sender: Any, instance: Case, created: bool, **kwargs: Any) -> None:
    if created and instance.subject_id is not None:
        subject_id, case_id = instance.subject_id, instance.pk
        # robust: the case stands whatever happens here; a failure is logged and the nightly run catches up.
        transaction.on_commit(
            lambda: colours.colour_recompute(subject_id=subject_id, trigger=f"案件 {case_id} 登记"), robust=True
        )


def register() -> None:
    rectification.lead_sink_register(lead_from_rectification)
    colours.case_source_register(case_rows_for_subjects)
    post_save.connect(_recolour_on_case, sender=Case, dispatch_uid="cases_recolour_subject")
