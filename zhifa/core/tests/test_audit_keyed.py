"""The chain is keyed (issue 9): each entry's hash is an HMAC-SHA256 under ZHIFA_AUDIT_KEY, which is not in
the database, so a database administrator who rewrites an entry cannot recompute the hashes after it.
Entries from before the key (empty ``key_id``, plain SHA-256) still verify, but only as the chain's start."""

import hashlib
import hmac
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from zhifa.core import audit
from zhifa.core.audit import GENESIS_HASH, audit_record, audit_verify_chain
from zhifa.core.audit_key import audit_key
from zhifa.core.checks import audit_key_present
from zhifa.core.db_triggers import remove_audit_triggers
from zhifa.core.models import AuditEntry, AuditHead

pytestmark = pytest.mark.django_db


def _write_entries(n: int, start: int = 1) -> list[AuditEntry]:
    return [
        audit_record(actor="测试", action="thing.change", object_type="thing", object_id=str(i), after={"i": i})
        for i in range(start, start + n)
    ]


def rechain_with_plain_sha256(*, from_seq: int, change: Callable[[AuditEntry], None], keep_key_id: bool) -> None:
    """What a database administrator can do without the key: drop the triggers, change entry ``from_seq``
    and recompute its hash and every later one with SHA-256 (the scheme before the key), head included."""
    remove_audit_triggers(connection)
    entries = list(AuditEntry.objects.order_by("seq"))
    prev_hash = GENESIS_HASH if from_seq == 1 else entries[from_seq - 2].entry_hash
    for entry in entries[from_seq - 1 :]:
        if entry.seq == from_seq:
            change(entry)
        if not keep_key_id:
            entry.key_id = ""
        entry.prev_hash = prev_hash
        entry.entry_hash = hashlib.sha256(audit._canonical(entry)).hexdigest()
        AuditEntry.objects.filter(pk=entry.pk).update(
            after=entry.after, key_id=entry.key_id, prev_hash=entry.prev_hash, entry_hash=entry.entry_hash
        )
        prev_hash = entry.entry_hash
    AuditHead.objects.filter(singleton=1).update(seq=entries[-1].seq, entry_hash=prev_hash)


def _change_after(entry: AuditEntry) -> None:
    entry.after = {"i": 999}


def test_each_entry_is_an_hmac_under_the_configured_key_and_names_the_key() -> None:
    first, second = _write_entries(2)
    key = audit_key()
    for entry in (first, second):
        stored = AuditEntry.objects.get(seq=entry.seq)
        assert stored.key_id == key.key_id
        assert len(stored.key_id) == 16
        expected = hmac.new(key.secret, audit._canonical(stored), hashlib.sha256).hexdigest()
        assert stored.entry_hash == expected
        assert stored.entry_hash != hashlib.sha256(audit._canonical(stored)).hexdigest()
    assert audit_verify_chain() == audit.ChainReport(2, None, "")


@pytest.mark.parametrize(
    ("keep_key_id", "problem"),
    [
        (True, "记录内容与其哈希不符（已被篡改）"),
        (False, "带密钥的记录之后出现无密钥哈希（记录被改写后按旧算法重算）"),
    ],
)
def test_a_row_rewritten_and_every_later_hash_recomputed_with_plain_sha256_is_reported(
    keep_key_id: bool, problem: str
) -> None:
    # Given a keyed chain of five entries
    _write_entries(5)
    # When a database administrator rewrites entry 3 and recomputes entries 3-5 and the head without the key
    rechain_with_plain_sha256(from_seq=3, change=_change_after, keep_key_id=keep_key_id)
    assert AuditEntry.objects.get(seq=4).prev_hash == AuditEntry.objects.get(seq=3).entry_hash  # links hold
    # Then the chain is broken at entry 3, and the command says so
    assert audit_verify_chain() == audit.ChainReport(2, 3, problem)
    with pytest.raises(CommandError, match="第一条异常记录序号 3"):
        call_command("audit_verify")


def test_entries_from_before_the_key_verify_as_the_start_of_the_chain() -> None:
    # Given two entries as they were written before the chain was keyed (empty key id, plain SHA-256)
    _write_entries(2)
    rechain_with_plain_sha256(from_seq=1, change=lambda entry: None, keep_key_id=False)
    assert list(AuditEntry.objects.values_list("key_id", flat=True)) == ["", ""]
    # When new entries are written with the key
    third, fourth = _write_entries(2, start=3)
    # Then they chain on the old tip and the whole chain verifies
    assert third.prev_hash == AuditEntry.objects.get(seq=2).entry_hash
    assert (third.key_id, fourth.key_id) == (audit_key().key_id, audit_key().key_id)
    assert audit_verify_chain() == audit.ChainReport(4, None, "")


def test_entries_under_another_key_are_reported(settings: Any) -> None:
    _write_entries(2)
    settings.ZHIFA_AUDIT_KEY = "another-key-of-at-least-32-characters-0123"
    report = audit_verify_chain()
    assert (report.checked, report.first_broken_seq) == (0, 1)
    assert report.problem.endswith("不是本系统配置的审计密钥")


def test_without_a_key_nothing_is_written(settings: Any) -> None:
    settings.ZHIFA_AUDIT_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="ZHIFA_AUDIT_KEY"):
        _write_entries(1)
    assert (AuditEntry.objects.count(), AuditHead.objects.filter(seq__gt=0).count()) == (0, 0)


@pytest.mark.parametrize(
    ("source", "key", "ids"),
    [
        ("missing", "", ["zhifa.E010"]),
        ("environment", "short", ["zhifa.E011"]),
        ("environment", "k" * 32, []),
        ("development", "d" * 67, []),
    ],
)
def test_production_refuses_to_start_without_a_long_enough_audit_key(
    settings: Any, source: str, key: str, ids: list[str]
) -> None:
    settings.ZHIFA_AUDIT_KEY_SOURCE = source
    settings.ZHIFA_AUDIT_KEY = key
    assert [error.id for error in audit_key_present(None)] == ids


@pytest.mark.parametrize(
    ("audit_key_env", "refused"),
    [({}, True), ({"ZHIFA_AUDIT_KEY": "short"}, True), ({"ZHIFA_AUDIT_KEY": "k" * 40}, False)],
)
def test_a_production_server_refuses_to_start_without_the_audit_key(
    tmp_path: Path, audit_key_env: dict[str, str], refused: bool
) -> None:
    # A server process runs no system checks: the WSGI entry point itself must refuse.
    env = {
        "PATH": os.environ.get("PATH", ""),
        "ZHIFA_DEV": "0",
        "ZHIFA_SECRET_KEY": "s" * 60,
        "ZHIFA_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **audit_key_env,
    }
    started = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (started.returncode != 0, "ZHIFA_AUDIT_KEY" in started.stderr) == (refused, refused)
    assert not (tmp_path / "audit_key").exists()
