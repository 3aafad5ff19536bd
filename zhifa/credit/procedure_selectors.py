"""Reads of the credit procedures (issue 13 parts 5–7): the business's own file with its objections, repair
requests and listing procedures; the staff queues with overdue reviews first; the public list.

Scope: a business owner reaches only its own subjects (``subjects.selectors.subject_get``: another business's is
not found); the staff queues are for the credit administrators and the head, within their district; the public
list shows published listings only, a person's name and ID number masked (ZJC 15: a natural person's information
is not public; APL 48 by analogy for the published decision).
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from zhifa.core.errors import NotFound
from zhifa.core.identifiers import mask_id_number
from zhifa.credit.models import (
    CreditObjection,
    CreditProcedureStep,
    CreditRepair,
    DishonestyListing,
)
from zhifa.credit.procedure_access import can_see_procedures, is_business
from zhifa.credit.repair import repair_eligible_on
from zhifa.credit.selectors import CreditFile, credit_file
from zhifa.credit.states import OPEN_OBJECTION_STATES, DishonestyStatus, RepairStatus
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.subjects.models import Subject
from zhifa.subjects.selectors import subject_list

OPEN_LISTING_STATES = (
    DishonestyStatus.PROPOSED,
    DishonestyStatus.NOTICED,
    DishonestyStatus.DEFENDED,
    DishonestyStatus.DECIDED,
    DishonestyStatus.PUBLISHED,
)


def my_credit_subjects(*, user: Any) -> list[Subject]:
    """The business's own subjects that have a file (a USCC or an ID number), for its 我的信用 page."""
    if not is_business(jurisdiction_of(user)):
        raise NotFound("页面不存在", code="not_found")
    return [s for s in subject_list(user=user).order_by("name", "pk") if s.uscc or s.id_number]


@dataclass
class OwnFile:
    """The business's view of one file: the file and grade, and its own procedures on it."""

    file: CreditFile
    objections: list[CreditObjection] = field(default_factory=list)
    repairs: list[CreditRepair] = field(default_factory=list)
    listings: list[DishonestyListing] = field(default_factory=list)
    open_objection_entries: set[int] = field(default_factory=set)
    open_repair_entries: set[int] = field(default_factory=set)
    repair_from: dict[int, dt.date | None] = field(default_factory=dict)


def own_credit_file(*, user: Any, subject_id: int) -> OwnFile:
    """One of the business's files (another business's subject is not found) with its objections, repair requests
    and listing procedures, newest first."""
    if not is_business(jurisdiction_of(user)):
        raise NotFound("页面不存在", code="not_found")
    file = credit_file(user=user, subject_id=subject_id)
    result = OwnFile(file=file)
    if not file.holder_key:
        return result
    scope = {"district_id": file.subject.district_id, "holder_key": file.holder_key}
    result.objections = list(CreditObjection.objects.filter(**scope).select_related("entry").order_by("-pk"))
    result.repairs = list(CreditRepair.objects.filter(**scope).select_related("entry").order_by("-pk"))
    result.listings = list(DishonestyListing.objects.filter(**scope).order_by("-pk"))
    result.open_objection_entries = {o.entry_id for o in result.objections if o.status in OPEN_OBJECTION_STATES}
    result.open_repair_entries = {r.entry_id for r in result.repairs if r.status == RepairStatus.SUBMITTED}
    result.repair_from = {e.pk: repair_eligible_on(e) for e in file.shown}
    return result


def open_objection_entries(*, district_id: int, holder_key: str) -> set[int]:
    """The ids of a holder's entries under an open objection: each is shown marked 异议中 (ZJC 30: 异议标注)."""
    if not holder_key:
        return set()
    return set(
        CreditObjection.objects.filter(
            district_id=district_id, holder_key=holder_key, status__in=OPEN_OBJECTION_STATES
        ).values_list("entry_id", flat=True)
    )


def own_listing(*, user: Any, listing_id: int) -> DishonestyListing:
    """A listing procedure about one of the business's own subjects (the notice, its defence form)."""
    j = jurisdiction_of(user)
    listing = DishonestyListing.objects.filter(pk=listing_id, district_id=j.district_id).first()
    if listing is None or not is_business(j) or not subject_list(user=user).filter(pk=listing.subject_id).exists():
        raise NotFound("严重失信名单程序不存在", code="dishonesty_not_found")
    return listing


def _staff(user: Any) -> Any:
    j = jurisdiction_of(user)
    if not can_see_procedures(j):
        raise NotFound("页面不存在", code="not_found")
    return j


def objection_queue(*, user: Any, include_closed: bool = False) -> QuerySet[CreditObjection]:
    """The objections of the district, the open ones by deadline (overdue first); with ``include_closed`` also the
    decided ones. Each row has ``entry`` and ``subject`` loaded."""
    j = _staff(user)
    rows = CreditObjection.objects.filter(district_id=j.district_id).select_related("entry", "subject", "submitted_by")
    if not include_closed:
        rows = rows.filter(status__in=OPEN_OBJECTION_STATES)
    return rows.order_by("due_on", "pk")


def repair_queue(*, user: Any, include_closed: bool = False) -> QuerySet[CreditRepair]:
    j = _staff(user)
    rows = CreditRepair.objects.filter(district_id=j.district_id).select_related("entry", "subject", "submitted_by")
    if not include_closed:
        rows = rows.filter(status=RepairStatus.SUBMITTED)
    return rows.order_by("due_on", "pk")


def overdue_counts(*, user: Any, on: dt.date | None = None) -> dict[str, int]:
    """Open reviews past their deadline (the last day has passed), for the administrator's attention."""
    on = on or timezone.localdate()
    return {
        "objections": objection_queue(user=user).filter(due_on__lt=on).count(),
        "repairs": repair_queue(user=user).filter(due_on__lt=on).count(),
    }


def listing_queue(*, user: Any) -> QuerySet[DishonestyListing]:
    j = _staff(user)
    return DishonestyListing.objects.filter(district_id=j.district_id).select_related("subject").order_by("-pk")


def objection_get(*, user: Any, objection_id: int) -> CreditObjection:
    row = objection_queue(user=user, include_closed=True).filter(pk=objection_id).first()
    if row is None:
        raise NotFound("异议不存在", code="objection_not_found")
    return row


def repair_get(*, user: Any, repair_id: int) -> CreditRepair:
    row = repair_queue(user=user, include_closed=True).filter(pk=repair_id).first()
    if row is None:
        raise NotFound("信用修复申请不存在", code="credit_repair_not_found")
    return row


def listing_get(*, user: Any, listing_id: int) -> DishonestyListing:
    row = listing_queue(user=user).filter(pk=listing_id).first()
    if row is None:
        raise NotFound("严重失信名单程序不存在", code="dishonesty_not_found")
    return row


def steps_of(workflow: str, object_id: int) -> list[CreditProcedureStep]:
    return list(CreditProcedureStep.objects.filter(workflow=workflow, object_id=object_id).order_by("at", "pk"))


def mask_person_name(name: str) -> str:
    """李大伟 → 李某某 (the publicity pages' rule)."""
    name = name.strip()
    return f"{name[:1]}某某" if name else ""


@dataclass(frozen=True)
class PublicListing:
    name: str
    key: str
    key_label: str
    responsible: str
    basis: str
    decision_number: str
    agency: str
    published_on: dt.date
    removal_due_on: dt.date


def public_dishonesty_list(*, on: dt.date | None = None) -> list[PublicListing]:
    """The published serious dishonesty list (ZJC 24: 向社会公开), current on ``on``: an organisation's name and
    code as they are (ZJC 15), a person's masked; the responsible persons (ZJC 27) by surname only."""
    on = on or timezone.localdate()
    rows = (
        DishonestyListing.objects.filter(status=DishonestyStatus.PUBLISHED, published_on__lte=on, removal_due_on__gt=on)
        .select_related("subject", "district")
        .order_by("-published_on", "-pk")
    )
    result = []
    for listing in rows:
        is_person = not listing.subject.uscc
        responsible = "、".join(
            mask_person_name(p) for p in listing.responsible_persons.replace("，", "、").split("、") if p.strip()
        )
        result.append(
            PublicListing(
                name=mask_person_name(listing.holder_name) if is_person else listing.holder_name,
                key=mask_id_number(listing.holder_key) if is_person else listing.holder_key,
                key_label="身份证号码" if is_person else "统一社会信用代码",
                responsible=responsible,
                basis=listing.legal_basis,
                decision_number=listing.decision_number,
                agency=listing.district.agency_name,
                published_on=listing.published_on or on,
                removal_due_on=listing.removal_due_on or on,
            )
        )
    return result
