"""A case step that stored a file and was then refused leaves no file behind and writes nothing: the party's
signature of an on-the-spot decision, the photo of a decision left at the party's place, an evidence file
(``zhifa.core.files`` around every ``case_transaction``)."""

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import IntegrityError

from zhifa.cases import services
from zhifa.cases.models import Case, CaseStatus, Evidence, EvidenceKind, Service, ServiceMethod
from zhifa.cases.services import evidence as evidence_services
from zhifa.cases.tests.conftest import CaseWorld, filed, noticed
from zhifa.cases.tests.test_simple_procedure import SIGNATURE, on_spot
from zhifa.core.actors import SystemActor
from zhifa.core.errors import DomainError
from zhifa.core.models import AuditEntry
from zhifa.documents.models import Document
from zhifa.documents.services import allot_range


def stored_files() -> set[str]:
    media = Path(settings.MEDIA_ROOT)
    return {path.relative_to(media).as_posix() for path in media.rglob("*") if path.is_file()}


def footprint() -> tuple[Any, ...]:
    return (
        Case.objects.count(),
        Evidence.objects.count(),
        Service.objects.count(),
        Document.objects.count(),
        AuditEntry.objects.count(),
        stored_files(),
    )


def test_an_on_the_spot_decision_refused_for_a_used_up_range_leaves_no_signature_file(cw: CaseWorld) -> None:
    # The signature is stored with the new case; the decision's number is taken from the officer's range after
    # it, and the range has none left.
    allot_range(officer=cw.officer, count=1, actor=SystemActor("测试"))
    first = on_spot(cw)
    assert first.party_signature.name in stored_files()
    before = footprint()

    with pytest.raises(DomainError) as error:
        on_spot(cw, signature_png=SIGNATURE + b"\1")

    assert error.value.code == "number_range_exhausted"
    assert footprint() == before


def test_serving_a_decision_not_yet_made_leaves_no_service_photo(cw: CaseWorld) -> None:
    # The photo is stored with the service row; the transition table refuses the step after it.
    case = noticed(cw)
    before = footprint()

    with pytest.raises(DomainError) as error:
        services.serve(
            case,
            actor=cw.user("officer_a"),
            legal_date=dt.date(2026, 3, 17),
            method=ServiceMethod.LEFT,
            photo=b"\xff\xd8\xff photo of the decision left on the shop's counter",
        )

    assert error.value.code == "invalid_transition"
    assert footprint() == before
    assert Case.objects.get(pk=case.pk).status == CaseStatus.NOTICED


def test_evidence_whose_step_fails_after_its_file_was_stored_leaves_no_file(
    cw: CaseWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = filed(cw)
    before = footprint()
    seen: list[set[str]] = []

    def audit_refused(**kwargs: Any) -> None:
        seen.append(stored_files())
        raise IntegrityError("audit chain refused the entry")

    monkeypatch.setattr(evidence_services, "audit_record", audit_refused)

    with pytest.raises(IntegrityError):
        services.add_evidence(
            case,
            actor=cw.user("auxiliary_a"),
            kind=EvidenceKind.AUDIOVISUAL,
            description="现场照片",
            collected_by="甲队员",
            collected_at=dt.datetime(2026, 3, 5, 2, 0, tzinfo=dt.UTC),
            collected_place="上塘路16号",
            content=b"\x89PNG photo bytes",
            filename="photo.png",
        )

    assert [len(files - before[-1]) for files in seen] == [1]  # the file was written before the failure
    assert footprint() == before
