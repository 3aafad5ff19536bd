"""The hash-chained audit trail: ``audit_record`` appends, ``audit_verify_chain`` proves it intact.

Every service that writes calls ``audit_record`` inside its own transaction, so the audit entry and the
change commit or roll back together (DESIGN.md invariants).
"""

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from zhifa.core import request_context
from zhifa.core.models import AuditEntry, AuditHead
from zhifa.core.rows import insert_rows, insert_statement, mark_stored

GENESIS_HASH = "0" * 64


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``obj`` as JSON-ready data (foreign keys by id)."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        data[field.attname] = _jsonable(getattr(obj, field.attname))
    return data


def _canonical(entry: AuditEntry) -> bytes:
    content = {
        "seq": entry.seq,
        "district_id": entry.district_id,
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "before": entry.before,
        "after": entry.after,
        "reason": entry.reason,
        "request_id": entry.request_id,
        "client": entry.client,
        "recorded_at": entry.recorded_at.astimezone(dt.UTC).isoformat(),
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def entry_digest(entry: AuditEntry) -> str:
    return hashlib.sha256(_canonical(entry)).hexdigest()


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    district_id: int | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction.

    Inside ``audited_transaction`` the entry is held until that block ends and chained then, together with
    the block's other entries (its ``seq`` and hashes are filled in at that moment); elsewhere it is
    chained at once, which locks the chain's head row until the caller's transaction ends."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        if district_id is None:
            district_id = getattr(obj, "district_id", None)
    ctx = request_context.current()
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    entry = AuditEntry(
        district_id=district_id,
        actor_id=actor.pk if is_user else None,
        actor_label=(actor.get_username() if is_user else str(actor or "系统"))[:150],
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        reason=reason,
        request_id=ctx.request_id,
        client=ctx.client,
    )
    connection = transaction.get_connection()
    pending: list[_Pending] | None = getattr(connection, _PENDING_ATTR, None)
    if pending is not None and connection.in_atomic_block:
        marker = _Pending(entry)
        # Registered with on_commit only so that Django's savepoint bookkeeping tells us whether the
        # savepoint the entry was written in was rolled back (it then drops the marker); it does nothing
        # after the commit.
        transaction.on_commit(marker)
        pending.append(marker)
        return entry
    with transaction.atomic():
        _chain([entry])
    return entry


_PENDING_ATTR = "zhifa_audit_pending"
_HEAD_TABLE = AuditHead._meta.db_table


class _Pending:
    """An entry waiting for the end of its ``audited_transaction``; a no-op as an on-commit callback."""

    __slots__ = ("entry",)

    def __init__(self, entry: AuditEntry) -> None:
        self.entry = entry

    def __call__(self) -> None:
        return None


def _chain(entries: list[AuditEntry]) -> None:
    """Link ``entries`` onto the chain's tip under the head-row lock, in order, and store them.

    The caller holds a transaction; the lock lasts from here to its end."""
    connection = transaction.get_connection()
    # Plain SQL for the two statements on the head: they run while every other writer waits for it.
    row: Any = getattr(connection, _HEAD_ATTR, None)
    if row is None:
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT seq, entry_hash FROM {_HEAD_TABLE} WHERE singleton = 1{lock}")
            row = cursor.fetchone()
    if row is None:  # the very first entry: create the head (a concurrent first writer waits on its key)
        head, _ = AuditHead.objects.select_for_update().get_or_create(
            singleton=1, defaults={"seq": 0, "entry_hash": GENESIS_HASH}
        )
        row = (head.seq, head.entry_hash)
    seq, prev_hash = int(row[0]), str(row[1])
    # Stamped under the lock, so the time order of the chain is its sequence order.
    now = timezone.now()
    for entry in entries:
        seq += 1
        entry.seq = seq
        entry.recorded_at = now
        entry.prev_hash = prev_hash
        entry.entry_hash = entry_digest(entry)
        prev_hash = entry.entry_hash
    # This runs while every other writer waits for the head: the INSERT's SQL is prepared once, and on
    # PostgreSQL the INSERT and the head's update go in one statement (one round trip less under the lock).
    head_update = f"UPDATE {_HEAD_TABLE} SET seq = %s, entry_hash = %s WHERE singleton = 1"
    if connection.vendor == "postgresql":
        insert_sql, params = insert_statement(entries, conn=connection)
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH appended AS ({insert_sql}), head AS ({head_update} RETURNING 1) SELECT * FROM appended",
                [*params, seq, prev_hash],
            )
            ids = cursor.fetchall()
        for entry, (pk,) in zip(entries, ids, strict=True):
            mark_stored(entry, pk=pk, conn=connection)
        return
    insert_rows(entries, conn=connection)
    with connection.cursor() as cursor:
        cursor.execute(head_update, [seq, prev_hash])


@contextmanager
def audited_transaction() -> Iterator[None]:
    """``transaction.atomic`` for services whose audit entries are chained only when the block ends.

    The head row is what makes the chain a chain, and every writer in the district queues on it. Locked
    by the first entry of a transaction, it was held through everything the transaction did after that
    (a whole triage); here the block's entries are collected and chained in one step just before the
    block ends, so the lock is held for a few statements before the commit. The outermost
    ``audited_transaction`` of a connection owns the entries; a nested one is a plain savepoint, and an
    entry whose savepoint was rolled back is dropped with it, as its other writes were."""
    connection = transaction.get_connection()
    if getattr(connection, _PENDING_ATTR, None) is not None:
        with transaction.atomic():
            yield
        return
    pending: list[_Pending] = []
    setattr(connection, _PENDING_ATTR, pending)
    try:
        with transaction.atomic():
            yield
            if not connection.needs_rollback:
                live = {id(callback) for _, callback, _ in connection.run_on_commit}
                entries = [p.entry for p in pending if id(p) in live]
                if entries:
                    _chain(entries)
    finally:
        setattr(connection, _PENDING_ATTR, None)
        setattr(connection, _HEAD_ATTR, None)


# For a service that reads the head inside one of its own statements (``AUDIT_HEAD_LOCK_SQL`` as a CTE):
# the whole locked stretch of an intake is then two statements and the commit (ADR 0005).
_HEAD_ATTR = "zhifa_audit_head"
AUDIT_HEAD_LOCK_SQL = f"SELECT seq, entry_hash FROM {_HEAD_TABLE} WHERE singleton = 1 FOR UPDATE"


def audit_head_locked(seq: int, entry_hash: str) -> None:
    """Tell the open ``audited_transaction`` that this transaction locked and read the chain's head
    (``AUDIT_HEAD_LOCK_SQL``, PostgreSQL): its entries are chained from there without reading it again."""
    connection = transaction.get_connection()
    if getattr(connection, _PENDING_ATTR, None) is None or not connection.in_atomic_block:
        raise RuntimeError("audit_head_locked outside an audited_transaction")
    setattr(connection, _HEAD_ATTR, (seq, entry_hash))


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_seq: int | None
    problem: str

    @property
    def is_intact(self) -> bool:
        return self.first_broken_seq is None


def audit_verify_chain(batch_size: int = 2000) -> ChainReport:
    """Walk the chain in order; report the first entry whose hash, link or sequence does not hold."""
    prev_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=batch_size):
        if entry.seq != expected_seq:
            return ChainReport(checked, expected_seq, f"缺少序号 {expected_seq} 的记录（已被删除）")
        if entry.prev_hash != prev_hash:
            return ChainReport(checked, entry.seq, "与上一条记录的哈希链接不符")
        if entry_digest(entry) != entry.entry_hash:
            return ChainReport(checked, entry.seq, "记录内容与其哈希不符（已被篡改）")
        prev_hash = entry.entry_hash
        expected_seq += 1
        checked += 1
    head = AuditHead.objects.filter(singleton=1).first()
    if head is not None and head.seq != checked:
        return ChainReport(checked, checked + 1, f"链尾应为序号 {head.seq}，实际只有 {checked} 条（末尾记录被删除）")
    return ChainReport(checked, None, "")
