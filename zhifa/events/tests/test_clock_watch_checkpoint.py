"""The clock watcher signs the audit chain's tip outside the database every ZHIFA_AUDIT_CHECKPOINT_EVERY_S
(issue 9); a broken chain is logged and left unsigned, and the watcher goes on."""

import json
from typing import Any

import pytest
from django.core.management import call_command

from zhifa.core.audit import audit_record
from zhifa.core.audit_checkpoints import checkpoint_path
from zhifa.core.models import AuditEntry
from zhifa.core.tests.test_audit_keyed import rechain_with_plain_sha256

pytestmark = pytest.mark.django_db


def _checkpoint_seqs() -> list[int]:
    path = checkpoint_path()
    return [json.loads(line)["seq"] for line in path.read_text().splitlines()] if path.exists() else []


def _write_entries(n: int) -> None:
    for i in range(n):
        audit_record(actor="测试", action="thing.change", object_type="thing", object_id=str(i))


def test_a_scan_signs_the_tip() -> None:
    _write_entries(3)
    call_command("clock_watch", "--once")
    tip = AuditEntry.objects.order_by("-seq").first()
    assert tip is not None and tip.seq == 3
    path = checkpoint_path()
    (line,) = [json.loads(text) for text in path.read_text().splitlines()]
    assert (line["seq"], line["entry_hash"]) == (3, tip.entry_hash)


def test_scans_sign_no_more_often_than_the_setting_says(settings: Any) -> None:
    settings.ZHIFA_AUDIT_CHECKPOINT_EVERY_S = 3600
    _write_entries(1)
    call_command("clock_watch", "--scans", "2", "--interval", "1")
    assert _checkpoint_seqs() == [1]


def test_a_broken_chain_is_logged_and_not_signed_and_the_watcher_goes_on(caplog: Any) -> None:
    _write_entries(3)
    rechain_with_plain_sha256(from_seq=2, change=lambda e: setattr(e, "after", {"x": 1}), keep_key_id=True)
    call_command("clock_watch", "--once")
    assert _checkpoint_seqs() == []
    assert "audit chain broken, no checkpoint signed: 记录内容与其哈希不符（已被篡改）" in caplog.text
