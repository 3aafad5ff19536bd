import threading

import pytest
from django.db import connection, connections

from zhifa.core.audit import audit_record, audit_verify_chain, audited_transaction
from zhifa.core.models import AuditEntry


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_unbroken_chain() -> None:
    """Eight writers append at once; the head-row lock makes them queue, so no two chain onto the same
    previous entry. (SQLite's in-memory test database serialises writers anyway; the CI run on PostgreSQL
    is where this test bites.)"""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite in-memory test database is single-writer; run on PostgreSQL")
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(10):
                audit_record(actor="并发", action="thing.change", object_type="thing", object_id=f"{n}-{i}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert AuditEntry.objects.count() == 80
    report = audit_verify_chain()
    assert (report.is_intact, report.checked) == (True, 80)


@pytest.mark.django_db(transaction=True)
def test_concurrent_audited_transactions_and_single_appends_keep_one_unbroken_chain() -> None:
    """Writers that chain a whole transaction's entries at its end race writers that append one at a time;
    each transaction's entries still come out contiguous and the chain unbroken."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite in-memory test database is single-writer; run on PostgreSQL")
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(10):
                if n % 2:
                    audit_record(actor="并发", action="thing.change", object_type="thing", object_id=f"{n}-{i}")
                    continue
                with audited_transaction():
                    for part in "ab":
                        audit_record(
                            actor="并发", action="thing.change", object_type="thing", object_id=f"{n}-{i}{part}"
                        )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert AuditEntry.objects.count() == 4 * 10 + 4 * 20
    report = audit_verify_chain()
    assert (report.is_intact, report.checked) == (True, 120)
    ids = list(AuditEntry.objects.order_by("seq").values_list("object_id", flat=True))
    pairs = [ids.index(f"{n}-{i}b") - ids.index(f"{n}-{i}a") for n in range(0, 8, 2) for i in range(10)]
    assert set(pairs) == {1}
