import threading

import pytest
from django.db import connection, connections

from zhifa.core.audit import audit_record, audit_verify_chain
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
