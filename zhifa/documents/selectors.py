"""Reads of documents, scoped to a district: one document, its versions, an owner's documents, a PDF whose
stored bytes still match the hash taken when it was issued."""

import hashlib

from django.db.models import Exists, OuterRef, QuerySet

from zhifa.core.errors import Conflict, NotFound
from zhifa.documents.models import Document, NumberRange
from zhifa.org.models import Officer


def document_get(*, district_id: int, pk: int) -> Document:
    try:
        return Document.objects.select_related("district", "created_by").get(district_id=district_id, pk=pk)
    except Document.DoesNotExist:
        raise NotFound("文书不存在", code="document_not_found") from None


def document_versions(document: Document) -> list[Document]:
    """Every version of the document's series, first to latest."""
    return list(Document.objects.filter(series=document.series).select_related("created_by").order_by("version"))


def document_latest(document: Document) -> Document:
    """The latest version of the document's series."""
    latest = Document.objects.filter(series=document.series).order_by("-version").first()
    assert latest is not None
    return latest


def documents_for_owner(*, district_id: int, owner: str, latest_only: bool = True) -> QuerySet[Document]:
    """The documents of one owner (``"case:12"``) in issue order; by default only each series' latest
    version."""
    qs = Document.objects.filter(district_id=district_id, owner=owner).select_related("created_by")
    if latest_only:
        newer = Document.objects.filter(series=OuterRef("series"), version__gt=OuterRef("version"))
        qs = qs.filter(~Exists(newer))
    return qs.order_by("created_at", "pk")


def document_pdf_bytes(document: Document) -> bytes:
    """The stored PDF, refused (``document_hash_mismatch``) when its bytes are not those issued."""
    with document.pdf.open("rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != document.sha256:
        raise Conflict("文书文件与制作时的哈希不符，可能已被篡改", code="document_hash_mismatch")
    return data


def number_ranges_of(officer: Officer) -> list[NumberRange]:
    return list(NumberRange.objects.filter(officer=officer).order_by("year", "first"))
