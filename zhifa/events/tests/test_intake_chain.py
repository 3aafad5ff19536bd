"""Intake's audit entries join the one chain on every database through ``audit_record`` (ADR 0008; ADR 0006
had PostgreSQL take their hashes in SQL, which a key kept out of the database rules out). These tests hold
the chain to what Python computes, under concurrent intakes and writers of other entries, and with the
rows intake needs (the day's counter, the chain's head) missing."""

import threading
from typing import Any

import pytest
from django.db import connection, connections

from conftest import POINT_IN_A
from zhifa.core import audit
from zhifa.core.audit import audit_record, audit_verify_chain
from zhifa.core.models import AuditEntry, AuditHead
from zhifa.events import services
from zhifa.events.models import Event, EventDayCounter
from zhifa.events.states import EventSource


def _intake(world: Any, text: str, **extra: Any) -> Event:
    values = {"lon": POINT_IN_A[0], "lat": POINT_IN_A[1], **extra}
    return services.event_intake(
        actor=world.user("dispatcher"), district=world.district, source=EventSource.API, description=text, **values
    ).event


def _entries_of(event: Event) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_type="events.event", object_id=str(event.pk)).order_by("seq"))


@pytest.mark.django_db
def test_each_intake_stores_its_number_and_key_in_its_entries_and_the_chain_holds(world: Any) -> None:
    # Given a database with no audit entry, no chain head and no counter for today
    AuditHead.objects.all().delete()
    EventDayCounter.objects.all().delete()
    # When three events come in, with other entries written between them
    first = _intake(world, "路口有人摆摊")
    audit_record(actor="测试", action="thing.change", object_type="thing", object_id="x")
    second = _intake(world, "工地夜间施工噪声扰民", idempotency_key="k-2")
    third = _intake(world, "小区门口消防通道被堵")
    # Then the numbers follow each other, each event's two entries name it by key and number, and every
    # hash in the chain is what Python computes over the stored entry
    numbers = [first.public_no, second.public_no, third.public_no]
    assert [int(n[-6:]) for n in numbers] == [1, 2, 3]
    for event in (first, second, third):
        intake_entry, triage_entry = _entries_of(event)
        assert (intake_entry.action, intake_entry.after["public_no"]) == ("event.intake", event.public_no)
        assert (triage_entry.action, triage_entry.after["status"]) == ("event.triage", event.status)
        assert triage_entry.seq == intake_entry.seq + 1
    report = audit_verify_chain()
    assert (report.is_intact, report.checked) == (True, 7)
    head = AuditHead.objects.get()
    assert (head.seq, head.entry_hash) == (7, AuditEntry.objects.get(seq=7).entry_hash)


@pytest.mark.django_db
def test_the_entries_in_memory_are_the_stored_ones(world: Any) -> None:
    # Given an intake
    event = _intake(world, "路口有人摆摊")
    # When its entries are read back
    stored = _entries_of(event)
    # Then each is what the database stored, to the microsecond and hash
    assert [e.object_id for e in stored] == [str(event.pk)] * 2
    assert all(audit.entry_digest(e) == e.entry_hash for e in stored)


@pytest.mark.django_db(transaction=True)
def test_concurrent_intakes_and_other_writers_keep_one_chain_and_gapless_numbers(world: Any) -> None:
    """Three threads take events in while three append other entries: every number once, no gap, and one
    unbroken chain (this bites on PostgreSQL; SQLite's test database serialises writers). Six threads and the
    test's own connection stay within the connection pool (ZHIFA_DB_POOL_SIZE, 8): a thread keeps its
    connection until it ends, and one more would wait for a free one."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory test database is single-writer; run on PostgreSQL")
    errors: list[BaseException] = []
    texts = ["路口有人摆摊", "工地夜间施工噪声扰民", "小区门口消防通道被堵", "饭店油烟直排"]

    def intake(n: int) -> None:
        try:
            for i in range(8):
                # More than the merge radius apart (100 m), so that each event stays its own.
                _intake(world, texts[i % 4], lon=POINT_IN_A[0] + 0.0015 * n, lat=POINT_IN_A[1] + 0.0006 * i)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    def other(n: int) -> None:
        try:
            for i in range(8):
                audit_record(actor="并发", action="thing.change", object_type="thing", object_id=f"{n}-{i}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=intake, args=(n,)) for n in range(3)]
    threads += [threading.Thread(target=other, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Event.objects.filter(merged_into__isnull=False).count() == 0
    numbers = sorted(int(n[-6:]) for n in Event.objects.values_list("public_no", flat=True))
    assert numbers == list(range(1, 25))
    report = audit_verify_chain()
    assert (report.is_intact, report.checked) == (True, 24 * 2 + 24)
    for event in Event.objects.all():
        assert [e.after.get("public_no", event.public_no) for e in _entries_of(event)] == [event.public_no] * 2
