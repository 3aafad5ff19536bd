"""Every write of the documents app: issuing a document (numbered when its kind is), reissuing it as a new
version, allotting and drawing pre-numbered ranges. Each call is one transaction with its audit entry; the
elements are checked first, so a refused call writes nothing — no row, no number, no file.

Who may issue is the caller's decision (the case workflow checks its own permissions and guards); only
allotting ranges, an administrator's act, is checked here.
"""

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from django.utils import timezone

from zhifa.core.actors import Actor, actor_user, is_system
from zhifa.core.audit import audit_record, audited_transaction
from zhifa.core.errors import ValidationFailed
from zhifa.documents.compose import document_layout
from zhifa.documents.files import document_files_removed_on_rollback, pdf_store
from zhifa.documents.kinds import DECISION_KINDS, KINDS, DocumentKind, Kind
from zhifa.documents.models import Document, DocumentSequence, NumberRange
from zhifa.documents.render import pdf_render
from zhifa.org.jurisdiction import jurisdiction_of, require
from zhifa.org.models import District, Officer
from zhifa.org.roles import Role

# How many pre-numbered decisions one allotment may hand out at most (a book of forms, not a year's worth).
RANGE_MAX = 1000


def _value_at(context: dict[str, Any], path: str) -> Any:
    value: Any = context
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _is_present(path: str, value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list):
        if not value:
            return False
        if path in {"officers", "investigators", "servers", "registered_by"}:
            # APL 55: an officer is shown by name AND certificate number.
            return all(
                isinstance(o, dict) and str(o.get("name", "")).strip() and str(o.get("certificate_no", "")).strip()
                for o in value
            )
        return True
    if isinstance(value, dict):
        return bool(value)
    return True


def check_elements(kind: DocumentKind | str, context: dict[str, Any]) -> None:
    """Refuse a context that lacks an element its kind requires (``document_elements_missing``).

    For the decision kinds the elements are those of APL 59: party name and address; facts and evidence;
    penalty and its legal basis; how and by when to comply; the remedy route AND its period, for both
    reconsideration and lawsuit; the agency's name and the date."""
    kind = DocumentKind(kind)
    missing = [e for e in KINDS[kind].required if not _is_present(e.path, _value_at(context, e.path))]
    if not missing:
        return
    labels = "、".join(e.label for e in missing)
    rule = "（《中华人民共和国行政处罚法》第五十九条）" if kind in DECISION_KINDS else ""
    raise ValidationFailed(
        f"{kind.label}缺少必备内容{rule}：{labels}",
        code="document_elements_missing",
        details={
            "kind": kind.value,
            "missing": [e.label for e in missing],
            "paths": [e.path for e in missing],
        },
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


def _prepared(district: District, context: dict[str, Any]) -> dict[str, Any]:
    """The context as stored: JSON values only, the agency's name filled from the district."""
    ctx: dict[str, Any] = _jsonable(dict(context))
    if not str(ctx.get("agency") or "").strip():
        ctx["agency"] = district.agency_name
    return ctx


def document_number(district: District, kind: Kind, year: int, no: int) -> str:
    """``杭拱综执罚决字〔2026〕第0001号``: agency abbreviation, number word, year, sequence (LEGAL.md Identifiers)."""
    return f"{district.agency_abbreviation}{kind.number_word}〔{year}〕第{no:04d}号"


def _sequence_locked(district: District, kind: DocumentKind, year: int) -> DocumentSequence:
    """The (district, kind, year) sequence row, locked until the caller's transaction ends: whoever takes a
    number next waits here, so two issuers never read the same ``last_number``; and since the number is
    written in the same transaction as the document, a rollback returns it and leaves no gap."""
    sequence, _ = DocumentSequence.objects.select_for_update().get_or_create(district=district, kind=kind, year=year)
    return sequence


def _actor_label(actor: Actor) -> str:
    user = actor_user(actor)
    return (user.get_username() if user is not None else str(actor))[:150]


def _document_write(
    *,
    district: District,
    kind: Kind,
    owner: str,
    context: dict[str, Any],
    actor: Actor,
    number: str = "",
    year: int | None = None,
    no: int | None = None,
    series: Any = None,
    version: int = 1,
) -> Document:
    pdf = pdf_render(
        template=kind.template,
        layout=document_layout(kind=kind.code, context=context, number=number, agency=context["agency"]),
    )
    document = Document(
        district=district,
        kind=kind.code,
        version=version,
        number=number,
        sequence_year=year,
        sequence_no=no,
        owner=owner,
        title=kind.name,
        context=context,
        sha256=hashlib.sha256(pdf).hexdigest(),
        created_by=actor_user(actor),
        created_by_label=_actor_label(actor),
    )
    if series is not None:
        document.series = series
    pdf_store(document.pdf, f"{document.series}-v{version}.pdf", pdf)
    document.save()
    return document


def _audit_after(document: Document) -> dict[str, Any]:
    return {
        "kind": document.kind,
        "number": document.number,
        "series": str(document.series),
        "version": document.version,
        "owner": document.owner,
        "sha256": document.sha256,
        "pdf": document.pdf.name,
    }


def _owner_checked(owner: str) -> str:
    if not owner.strip():
        raise ValidationFailed("文书必须注明所属（如 case:12）", code="document_owner_required")
    return owner.strip()


def issue_document(
    *, district: District, kind: DocumentKind | str, owner: str, context: dict[str, Any], actor: Actor
) -> Document:
    """Issue version 1 of a document: check its elements, take its number when the kind is numbered (in the
    same transaction as the row, so no gap and no reuse), render and store the PDF with its SHA-256."""
    spec = KINDS[DocumentKind(kind)]
    if spec.is_prenumbered:
        raise ValidationFailed(
            f"{spec.name}使用执法人员的预编号号段出具（《中华人民共和国行政处罚法》第五十二条）",
            code="document_kind_prenumbered",
        )
    owner = _owner_checked(owner)
    ctx = _prepared(district, context)
    check_elements(spec.code, ctx)
    year = timezone.localdate().year
    with document_files_removed_on_rollback(), audited_transaction():
        number, no = "", None
        if spec.is_numbered:
            sequence = _sequence_locked(district, spec.code, year)
            sequence.last_number += 1
            sequence.save(update_fields=["last_number"])
            no = sequence.last_number
            number = document_number(district, spec, year, no)
        document = _document_write(
            district=district,
            kind=spec,
            owner=owner,
            context=ctx,
            actor=actor,
            number=number,
            year=year if no is not None else None,
            no=no,
        )
        audit_record(actor=actor, action="document.issue", obj=document, after=_audit_after(document))
    return document


def reissue(document: Document, context: dict[str, Any], actor: Actor) -> Document:
    """Regenerate a document from a corrected context: a new version in the same series, with the same
    number; the earlier versions stay as they were (a document is never changed)."""
    spec = KINDS[DocumentKind(document.kind)]
    district = document.district
    ctx = _prepared(district, context)
    check_elements(spec.code, ctx)
    with document_files_removed_on_rollback(), audited_transaction():
        # The first version never changes, so locking it serialises reissues of the series: the version
        # read after the lock is the latest committed one.
        Document.objects.select_for_update().get(series=document.series, version=1)
        latest = Document.objects.filter(series=document.series).order_by("-version").first()
        assert latest is not None
        new = _document_write(
            district=district,
            kind=spec,
            owner=latest.owner,
            context=ctx,
            actor=actor,
            number=latest.number,
            year=latest.sequence_year,
            no=latest.sequence_no,
            series=latest.series,
            version=latest.version + 1,
        )
        audit_record(
            actor=actor,
            action="document.reissue",
            obj=new,
            before={"version": latest.version, "sha256": latest.sha256},
            after=_audit_after(new),
        )
    return new


def allot_range_check(*, officer: Officer, count: int, actor: Actor, kind: DocumentKind | str) -> Kind:
    """Whether ``actor`` may allot ``count`` numbers of ``kind`` to ``officer``: raises the refusal, or
    returns the kind. ``allot_range`` asks it first; the admin's form asks it too, to show the refusal on the form."""
    if not is_system(actor):
        j = jurisdiction_of(actor)
        require(
            j.role == Role.ADMIN and j.district_id == officer.district_id,
            "只有本区系统管理员可以分配文书号段",
            "number_range_allot_forbidden",
        )
    spec = KINDS[DocumentKind(kind)]
    if not spec.is_prenumbered:
        raise ValidationFailed(f"{spec.name}不使用预编号号段", code="document_kind_not_prenumbered")
    if not 1 <= count <= RANGE_MAX:
        raise ValidationFailed(
            f"号段数量应在1至{RANGE_MAX}之间", code="number_range_count_invalid", details={"count": count}
        )
    return spec


def allot_range(
    *,
    officer: Officer,
    count: int,
    actor: Actor,
    kind: DocumentKind = DocumentKind.ON_THE_SPOT_DECISION,
    year: int | None = None,
) -> NumberRange:
    """An administrator allots ``officer`` the next ``count`` numbers of a pre-numbered kind (APL 52): they
    are taken from the kind's sequence at once, so ranges never overlap and no number is given twice."""
    spec = allot_range_check(officer=officer, count=count, actor=actor, kind=kind)
    year = year or timezone.localdate().year
    with audited_transaction():
        sequence = _sequence_locked(officer.district, spec.code, year)
        first = sequence.last_number + 1
        sequence.last_number += count
        sequence.save(update_fields=["last_number"])
        number_range = NumberRange.objects.create(
            district=officer.district,
            officer=officer,
            kind=spec.code,
            year=year,
            first=first,
            last=sequence.last_number,
            next_number=first,
            allotted_by=actor_user(actor),
        )
        audit_record(
            actor=actor,
            action="document.number_range_allot",
            obj=number_range,
            after={
                "officer_id": officer.pk,
                "kind": spec.code.value,
                "year": year,
                "first": first,
                "last": number_range.last,
            },
        )
    return number_range


def issue_from_range(
    *,
    officer: Officer,
    owner: str,
    context: dict[str, Any],
    actor: Actor,
    kind: DocumentKind = DocumentKind.ON_THE_SPOT_DECISION,
) -> Document:
    """The officer's next on-the-spot decision (APL 52), numbered with the next number of their earliest
    range of this year that has one left; none left → ``number_range_exhausted``, nothing written."""
    spec = KINDS[DocumentKind(kind)]
    if not spec.is_prenumbered:
        raise ValidationFailed(f"{spec.name}不使用预编号号段", code="document_kind_not_prenumbered")
    owner = _owner_checked(owner)
    district = officer.district
    ctx = _prepared(district, context)
    check_elements(spec.code, ctx)
    year = timezone.localdate().year
    with document_files_removed_on_rollback(), audited_transaction():
        # All the officer's ranges of the year are locked, so two decisions from one officer at once take
        # consecutive numbers, and the second sees the first's range as it left it.
        ranges = list(
            NumberRange.objects.select_for_update().filter(officer=officer, kind=spec.code, year=year).order_by("first")
        )
        number_range = next((r for r in ranges if r.remaining > 0), None)
        if number_range is None:
            raise ValidationFailed(
                f"{officer.name}的{spec.name}号段已用完，请联系系统管理员分配新号段",
                code="number_range_exhausted",
                details={"officer_id": officer.pk, "year": year},
            )
        no = number_range.next_number
        number_range.next_number += 1
        number_range.save(update_fields=["next_number"])
        document = _document_write(
            district=district,
            kind=spec,
            owner=owner,
            context=ctx,
            actor=actor,
            number=document_number(district, spec, year, no),
            year=year,
            no=no,
        )
        audit_record(
            actor=actor,
            action="document.issue",
            obj=document,
            after={**_audit_after(document), "number_range_id": number_range.pk},
        )
    return document
