"""Two officers issuing decisions at the same moment (real concurrent transactions on PostgreSQL) never get
the same number and leave no gap — also when one of them rolls back (LEGAL.md "Identifiers"; issue 11
"Proof")."""

import threading
from typing import Any

import pytest
from django.db import connection, connections, transaction

from zhifa.documents.files import document_files_removed_on_rollback
from zhifa.documents.kinds import DocumentKind
from zhifa.documents.models import Document, DocumentSequence
from zhifa.documents.samples import sample_context
from zhifa.documents.services import issue_document

pytestmark = pytest.mark.django_db(transaction=True)
DECISION = DocumentKind.PENALTY_DECISION
PER_THREAD = 4


class Refused(Exception):
    """The case step around an issue refused after the number was taken."""


def _run_at_once(world: Any, work: Any, personas: list[str]) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(personas))

    def run(persona: str) -> None:
        try:
            barrier.wait()
            work(world.user(persona), persona)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(p,)) for p in personas]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def _skip_on_sqlite() -> None:
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's test database is single-writer; run on PostgreSQL")


def test_two_issuers_at_once_never_share_a_number_and_leave_no_gap(world: Any) -> None:
    _skip_on_sqlite()

    def issue_many(user: Any, persona: str) -> None:
        for i in range(PER_THREAD):
            issue_document(
                district=world.district,
                kind=DECISION,
                owner=f"case:{persona}:{i}",
                context=sample_context(DECISION),
                actor=user,
            )

    errors = _run_at_once(world, issue_many, ["officer_a", "officer_b"])

    assert errors == []
    numbers = sorted(Document.objects.values_list("sequence_no", flat=True))
    assert numbers == list(range(1, 2 * PER_THREAD + 1))
    assert len(set(Document.objects.values_list("number", flat=True))) == 2 * PER_THREAD
    assert DocumentSequence.objects.get(kind=DECISION).last_number == 2 * PER_THREAD


def test_a_concurrent_rollback_gives_its_number_back_without_a_gap(world: Any) -> None:
    _skip_on_sqlite()

    def issue_and_maybe_refuse(user: Any, persona: str) -> None:
        for i in range(PER_THREAD):
            try:
                with document_files_removed_on_rollback(), transaction.atomic():
                    issue_document(
                        district=world.district,
                        kind=DECISION,
                        owner=f"case:{persona}:{i}",
                        context=sample_context(DECISION),
                        actor=user,
                    )
                    if persona == "officer_b" and i % 2 == 0:
                        raise Refused
            except Refused:
                pass

    errors = _run_at_once(world, issue_and_maybe_refuse, ["officer_a", "officer_b"])

    assert errors == []
    kept = PER_THREAD + PER_THREAD // 2
    assert sorted(Document.objects.values_list("sequence_no", flat=True)) == list(range(1, kept + 1))
    assert DocumentSequence.objects.get(kind=DECISION).last_number == kept
