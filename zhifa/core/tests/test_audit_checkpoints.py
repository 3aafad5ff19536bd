"""Signed checkpoints of the chain's tip, outside the database (issue 9): ``audit_checkpoint`` writes them,
``audit_verify`` holds the chain to every one of them."""

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from zhifa.core.audit import AuditChainBroken, ChainReport, audit_checkpoint_write, audit_record, audit_verify_chain
from zhifa.core.audit_checkpoints import audit_checkpoints_read, checkpoint_path
from zhifa.core.audit_key import audit_key
from zhifa.core.db_triggers import remove_audit_triggers
from zhifa.core.models import AuditEntry, AuditHead
from zhifa.core.tests.test_audit_keyed import rechain_with_plain_sha256

pytestmark = pytest.mark.django_db


def _write_entries(n: int, start: int = 1) -> None:
    for i in range(start, start + n):
        audit_record(actor="测试", action="thing.change", object_type="thing", object_id=str(i), after={"i": i})


def _lines() -> list[dict[str, Any]]:
    path = checkpoint_path()
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_the_command_signs_the_tip_into_the_checkpoint_file(capsys: Any) -> None:
    # Given three entries
    _write_entries(3)
    # When the checkpoint command runs twice, with two more entries between
    call_command("audit_checkpoint")
    _write_entries(2, start=4)
    call_command("audit_checkpoint")
    # Then the file holds the two tips, signed with the key, and the chain verifies against them
    tips = [(line["seq"], line["entry_hash"], line["key_id"]) for line in _lines()]
    key_id = audit_key().key_id
    assert tips == [
        (3, AuditEntry.objects.get(seq=3).entry_hash, key_id),
        (5, AuditEntry.objects.get(seq=5).entry_hash, key_id),
    ]
    assert all(checkpoint.is_signed_by(audit_key()) for checkpoint in audit_checkpoints_read())
    assert "已签署检查点：序号 5" in capsys.readouterr().out
    call_command("audit_verify")
    assert "共核验 5 条记录，对照 2 个检查点" in capsys.readouterr().out
    assert audit_verify_chain(batch_size=2) == ChainReport(5, None, "")  # read a batch at a time


def test_nothing_new_writes_no_checkpoint() -> None:
    _write_entries(1)
    assert audit_checkpoint_write() is not None
    assert audit_checkpoint_write() is None
    assert len(_lines()) == 1


def test_a_chain_cut_below_a_checkpoint_is_reported() -> None:
    # Given five entries and a checkpoint of entry 5
    _write_entries(5)
    audit_checkpoint_write()
    # When the last two entries are deleted and the head moved back onto entry 3 (a chain that is intact
    # in itself)
    remove_audit_triggers(connection)
    AuditEntry.objects.filter(seq__gt=3).delete()
    AuditHead.objects.filter(singleton=1).update(seq=3, entry_hash=AuditEntry.objects.get(seq=3).entry_hash)
    # Then the tip is short of the checkpoint
    report = audit_verify_chain()
    assert (report.checked, report.first_broken_seq) == (3, 4)
    assert report.problem.startswith("链尾序号 3 短于 ")
    assert report.problem.endswith("签署的检查点序号 5（检查点之前的记录被删除）")


def test_a_chain_rewritten_from_its_first_entry_is_caught_only_by_a_checkpoint() -> None:
    # Given three entries and a checkpoint of entry 3
    _write_entries(3)
    audit_checkpoint_write()
    # When the whole chain is rewritten from entry 1 as if it were older than the key (unkeyed, SHA-256)
    rechain_with_plain_sha256(from_seq=1, change=lambda e: e.after.update(i=999), keep_key_id=False)
    # Then the chain is consistent in itself, but its entry 3 is not the one the checkpoint signed
    report = audit_verify_chain()
    assert (report.checked, report.first_broken_seq) == (2, 3)
    assert report.problem.endswith("签署的检查点不符（检查点覆盖的记录被改写，链被重算）")


def test_a_chain_rewritten_before_any_checkpoint_is_not_caught() -> None:
    # The limit of the design, stated: before its first checkpoint an all-unkeyed rewrite reads as a chain
    # from before the key. ``audit_checkpoint`` right after upgrading (and clock_watch's every 10 min) closes it.
    _write_entries(3)
    rechain_with_plain_sha256(from_seq=1, change=lambda e: e.after.update(i=999), keep_key_id=False)
    assert audit_verify_chain() == ChainReport(3, None, "")


def test_an_edited_checkpoint_line_is_reported() -> None:
    _write_entries(2)
    audit_checkpoint_write()
    path = checkpoint_path()
    line = json.loads(path.read_text())
    line["seq"] = 1
    path.write_text(json.dumps(line) + "\n")
    report = audit_verify_chain()
    assert report.first_broken_seq is None
    assert report.problem == "检查点文件第 1 行的签名不符（检查点被改动，或不是用本系统的审计密钥签署的）"
    with pytest.raises(CommandError, match="审计链无法核验：检查点文件第 1 行的签名不符"):
        call_command("audit_verify")


def test_a_broken_stretch_is_never_signed() -> None:
    # Given a checkpoint of entry 2, then two more entries of which the last is rewritten
    _write_entries(2)
    audit_checkpoint_write()
    _write_entries(2, start=3)
    rechain_with_plain_sha256(from_seq=4, change=lambda e: e.after.update(i=999), keep_key_id=True)
    # When a checkpoint is asked for, then it is refused and nothing is appended
    with pytest.raises(AuditChainBroken) as refused:
        audit_checkpoint_write()
    assert refused.value.report.first_broken_seq == 4
    with pytest.raises(CommandError, match="拒绝签署"):
        call_command("audit_checkpoint")
    assert [line["seq"] for line in _lines()] == [2]


def test_each_database_has_its_own_checkpoint_file(settings: Any, monkeypatch: Any) -> None:
    # A development machine's SQLite and PostgreSQL databases (or staging and production on one mount) never
    # check their chains against each other's checkpoints.
    mine = checkpoint_path()
    other = "/elsewhere/zhifa-staging.sqlite3" if connection.vendor == "sqlite" else "zhifa-staging"
    monkeypatch.setitem(connection.settings_dict, "NAME", other)
    theirs = checkpoint_path()
    assert (
        theirs
        == Path(settings.ZHIFA_AUDIT_CHECKPOINT_DIR) / f"audit-checkpoints.{connection.vendor}.zhifa-staging.jsonl"
    )
    assert mine.parent == theirs.parent
    assert mine != theirs
