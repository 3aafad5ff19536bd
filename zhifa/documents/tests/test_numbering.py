"""Numbering of documents (文号): per district, kind and year, without gaps, never reused (LEGAL.md
"Identifiers"); regenerating makes a new version with the same number."""

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import transaction

from zhifa.core.models import AuditEntry
from zhifa.documents.files import document_files_removed_on_rollback
from zhifa.documents.kinds import DocumentKind
from zhifa.documents.models import Document, DocumentSequence
from zhifa.documents.samples import sample_context
from zhifa.documents.selectors import document_latest, document_pdf_bytes, document_versions, documents_for_owner
from zhifa.documents.services import issue_document, reissue
from zhifa.org.tests.factories import DistrictFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
DECISION = DocumentKind.PENALTY_DECISION


class Boom(Exception):
    pass


def _issue(world: Any, kind: DocumentKind = DECISION, owner: str = "case:1", district: Any = None) -> Document:
    return issue_document(
        district=district or world.district,
        kind=kind,
        owner=owner,
        context=sample_context(kind),
        actor=world.user("officer_a"),
    )


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2026, 12, 4, 10, tzinfo=SHANGHAI), tick=False)
def test_numbers_follow_one_another_in_the_agency_format(world: Any) -> None:
    numbers = [_issue(world, owner=f"case:{i}").number for i in range(3)]
    assert numbers == [
        "杭拱综执罚决字〔2026〕第0001号",
        "杭拱综执罚决字〔2026〕第0002号",
        "杭拱综执罚决字〔2026〕第0003号",
    ]
    assert AuditEntry.objects.filter(action="document.issue").count() == 3


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2026, 12, 4, 10, tzinfo=SHANGHAI), tick=False)
def test_a_rolled_back_issue_gives_its_number_back_no_gap(world: Any) -> None:
    # Given a decision issued in a transaction that then fails (the case step after it refused)
    first = _issue(world)
    with pytest.raises(Boom), document_files_removed_on_rollback(), transaction.atomic():
        _issue(world, owner="case:2")
        raise Boom
    # When the next decision is issued
    second = _issue(world, owner="case:3")
    # Then it takes the number the failed one had held: no gap
    assert (first.number, second.number) == ("杭拱综执罚决字〔2026〕第0001号", "杭拱综执罚决字〔2026〕第0002号")
    assert list(Document.objects.values_list("owner", flat=True)) == ["case:1", "case:3"]
    assert AuditEntry.objects.filter(action="document.issue").count() == 2
    # and the failed one's PDF was removed with its row
    stored = sorted(p.name for p in Path(settings.MEDIA_ROOT).rglob("*.pdf"))
    assert stored == sorted(Path(d.pdf.name).name for d in Document.objects.all())


@pytest.mark.django_db
def test_sequences_are_per_kind_per_district_and_restart_each_year(world: Any) -> None:
    other = DistrictFactory(
        code="330106", name="西湖区", agency_name="杭州市西湖区综合行政执法局", agency_abbreviation="杭西综执"
    )
    with time_machine.travel(dt.datetime(2026, 12, 31, 23, 59, tzinfo=SHANGHAI), tick=False):
        d1 = _issue(world)
        n1 = _issue(world, kind=DocumentKind.PENALTY_NOTICE)
        x1 = _issue(world, district=other)
        d2 = _issue(world)
    with time_machine.travel(dt.datetime(2027, 1, 1, 0, 1, tzinfo=SHANGHAI), tick=False):
        d3 = _issue(world)
    assert [d.number for d in (d1, n1, x1, d2, d3)] == [
        "杭拱综执罚决字〔2026〕第0001号",
        "杭拱综执罚告字〔2026〕第0001号",
        "杭西综执罚决字〔2026〕第0001号",
        "杭拱综执罚决字〔2026〕第0002号",
        "杭拱综执罚决字〔2027〕第0001号",
    ]


@pytest.mark.django_db
def test_unnumbered_kinds_take_no_number_and_touch_no_sequence(world: Any) -> None:
    record = _issue(world, kind=DocumentKind.INQUIRY_RECORD)
    assert (record.number, record.sequence_no, record.version) == ("", None, 1)
    assert DocumentSequence.objects.count() == 0


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2026, 12, 4, 10, tzinfo=SHANGHAI), tick=False)
def test_reissue_keeps_the_number_makes_version_2_and_leaves_version_1_as_it_was(world: Any) -> None:
    # Given an issued decision
    first = _issue(world)
    first_pdf = document_pdf_bytes(first)
    # When it is regenerated from a corrected context
    corrected = sample_context(DECISION)
    corrected["party"]["address"] = "杭州市拱墅区湖墅南路90号"
    second = reissue(first, corrected, world.user("officer_a"))
    # Then the new version has the same number, version 2, its own PDF; version 1 is unchanged
    first.refresh_from_db()
    assert (second.number, second.version, second.series) == (first.number, 2, first.series)
    assert (first.version, first.context["party"]["address"]) == (1, "杭州市拱墅区湖墅南路88号")
    assert document_pdf_bytes(first) == first_pdf
    assert second.sha256 != first.sha256
    assert [d.version for d in document_versions(first)] == [1, 2]
    assert document_latest(first).pk == second.pk
    assert list(documents_for_owner(district_id=world.district.pk, owner="case:1")) == [second]
    # and the next decision's number is not taken by the reissue
    assert _issue(world, owner="case:2").number == "杭拱综执罚决字〔2026〕第0002号"
    assert AuditEntry.objects.filter(action="document.reissue").count() == 1


@pytest.mark.django_db
def test_a_tampered_pdf_is_refused_when_read(world: Any) -> None:
    document = _issue(world)
    path = Path(settings.MEDIA_ROOT) / document.pdf.name
    path.write_bytes(path.read_bytes() + b"%")
    from zhifa.core.errors import Conflict

    with pytest.raises(Conflict) as refused:
        document_pdf_bytes(document)
    assert refused.value.code == "document_hash_mismatch"


@pytest.mark.django_db
def test_the_on_the_spot_decision_is_refused_outside_a_number_range(world: Any) -> None:
    from zhifa.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        _issue(world, kind=DocumentKind.ON_THE_SPOT_DECISION)
    assert refused.value.code == "document_kind_prenumbered"
    assert (Document.objects.count(), DocumentSequence.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_without_the_chinese_fonts_issuing_fails_loudly_and_writes_nothing(
    world: Any, settings: Any, tmp_path: Path
) -> None:
    from zhifa.documents.render import FontsMissing

    settings.ZHIFA_DOCUMENT_FONT_DIRS = [str(tmp_path / "no-fonts")]
    with pytest.raises(FontsMissing):
        _issue(world)
    assert (Document.objects.count(), DocumentSequence.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_an_owners_documents_are_read_in_one_query_latest_versions_only(
    world: Any, django_assert_num_queries: Any
) -> None:
    notice = _issue(world, kind=DocumentKind.PENALTY_NOTICE)
    decision = _issue(world)
    newer = reissue(decision, sample_context(DECISION), world.user("officer_a"))
    _issue(world, owner="case:2")
    with django_assert_num_queries(1):
        rows = [
            (d.pk, d.created_by.username if d.created_by else "")
            for d in documents_for_owner(district_id=world.district.pk, owner="case:1")
        ]
    assert rows == [(notice.pk, "officer_a"), (newer.pk, "officer_a")]
