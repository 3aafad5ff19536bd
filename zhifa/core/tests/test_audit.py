from typing import Any

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import RequestFactory

from zhifa.core import request_context
from zhifa.core.audit import GENESIS_HASH, audit_record, audit_verify_chain, audited_transaction
from zhifa.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _write_entries(n: int) -> list[AuditEntry]:
    return [
        audit_record(actor="测试", action="thing.change", object_type="thing", object_id=str(i), after={"i": i})
        for i in range(1, n + 1)
    ]


def _raw_sql(sql: str, params: list[Any]) -> None:
    """What a person with a database shell could do once the append-only triggers are dropped."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS audit_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS audit_no_delete")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_no_change ON core_auditentry")
        cursor.execute(sql, params)


def test_entries_chain_each_to_the_previous_hash() -> None:
    first, second, third = _write_entries(3)
    assert [e.seq for e in (first, second, third)] == [1, 2, 3]
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.entry_hash
    assert third.prev_hash == second.entry_hash
    assert audit_verify_chain().is_intact


def test_audited_transaction_chains_its_entries_when_it_ends() -> None:
    (before,) = _write_entries(1)
    with audited_transaction():
        first = audit_record(actor="测试", action="thing.change", object_type="thing", object_id="a")
        with audited_transaction():
            second = audit_record(actor="测试", action="thing.change", object_type="thing", object_id="b")
        assert AuditEntry.objects.count() == 1  # held until the block ends: the head is not locked yet
    assert [(e.seq, e.object_id) for e in AuditEntry.objects.order_by("seq")] == [(1, "1"), (2, "a"), (3, "b")]
    assert (first.prev_hash, second.prev_hash) == (before.entry_hash, first.entry_hash)
    assert audit_verify_chain().checked == 3
    assert audit_verify_chain().is_intact


def test_entry_of_a_rolled_back_savepoint_is_dropped_with_it() -> None:
    with audited_transaction():
        audit_record(actor="测试", action="thing.change", object_type="thing", object_id="kept")
        try:
            with transaction.atomic():
                audit_record(actor="测试", action="thing.change", object_type="thing", object_id="undone")
                raise ValueError("refused")
        except ValueError:
            pass
    assert list(AuditEntry.objects.values_list("seq", "object_id")) == [(1, "kept")]
    assert audit_verify_chain().is_intact


def test_failed_audited_transaction_leaves_no_entry_and_an_unmoved_head() -> None:
    with pytest.raises(ValueError), audited_transaction():
        audit_record(actor="测试", action="thing.change", object_type="thing", object_id="x")
        raise ValueError("refused")
    (entry,) = _write_entries(1)
    assert (entry.seq, entry.prev_hash) == (1, GENESIS_HASH)
    assert audit_verify_chain().is_intact


def test_entry_carries_request_id_client_and_actor(django_user_model: Any) -> None:
    user = django_user_model.objects.create_user("reviewer", password="x-very-long")
    with request_context.acting_as(client="phone", request_id="req-42"):
        entry = audit_record(
            actor=user,
            action="thing.change",
            object_type="thing",
            object_id="7",
            before={"a": 1},
            after={"a": 2},
            reason="核实后更正",
        )
    entry.refresh_from_db()
    assert (entry.actor_id, entry.actor_label, entry.client, entry.request_id) == (
        user.pk,
        "reviewer",
        "phone",
        "req-42",
    )
    assert (entry.before, entry.after, entry.reason) == ({"a": 1}, {"a": 2}, "核实后更正")


def test_changed_content_is_named_as_the_first_broken_entry() -> None:
    _write_entries(5)
    _raw_sql("UPDATE core_auditentry SET after = %s WHERE seq = 3", ['{"i": 999}'])
    report = audit_verify_chain()
    assert (report.first_broken_seq, report.checked) == (3, 2)
    with pytest.raises(CommandError, match="序号 3"):
        call_command("audit_verify")


def test_deleted_entry_in_the_middle_is_found() -> None:
    _write_entries(4)
    _raw_sql("DELETE FROM core_auditentry WHERE seq = 2", [])
    assert audit_verify_chain().first_broken_seq == 2


def test_deleted_last_entry_is_found_from_the_head() -> None:
    _write_entries(4)
    _raw_sql("DELETE FROM core_auditentry WHERE seq = 4", [])
    assert audit_verify_chain().first_broken_seq == 4


def test_intact_chain_passes_the_command(capsys: Any) -> None:
    _write_entries(2)
    call_command("audit_verify")
    assert "共核验 2 条记录" in capsys.readouterr().out


def test_admin_cannot_add_change_or_delete_entries(django_user_model: Any) -> None:
    superuser = django_user_model.objects.create_superuser("root", password="x-very-long")
    request = RequestFactory().get("/admin/")
    request.user = superuser
    model_admin = admin.site._registry[AuditEntry]
    entry = _write_entries(1)[0]
    assert model_admin.has_add_permission(request) is False
    assert model_admin.has_change_permission(request, entry) is False
    assert model_admin.has_delete_permission(request, entry) is False
