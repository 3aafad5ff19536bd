"""The hash-chained audit trail: ``audit_record`` appends, ``audit_verify_chain`` proves it intact.

Every service that writes calls ``audit_record`` inside its own transaction, so the audit entry and the
change commit or roll back together (DESIGN.md invariants).

Each entry's hash is an HMAC-SHA256 under the audit key (``zhifa.core.audit_key``), which is never in the
database: whoever can write the table can neither edit an entry nor recompute the hashes after it. Entries
written before the key existed (empty ``key_id``) keep their plain SHA-256 and still verify — but only as
the chain's beginning: an unkeyed entry after a keyed one is a forgery. Signed checkpoints of the tip,
kept outside the database (``zhifa.core.audit_checkpoints``), pin the chain up to each of them, the old
entries included. The rows themselves are read and written by ``zhifa.core.audit_store``.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from zhifa.core import audit_store, request_context
from zhifa.core.actors import Actor, actor_user
from zhifa.core.audit_checkpoints import Checkpoint, audit_checkpoints_read, checkpoint_append
from zhifa.core.audit_key import AuditKey, audit_key
from zhifa.core.models import AuditEntry

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
    """The text an entry's hash is taken over. A keyed entry's text also names its key, so that the id
    cannot be swapped; an unkeyed entry's is the text its SHA-256 was taken over when it was written."""
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
    if entry.key_id:
        content["key_id"] = entry.key_id
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


class UnknownAuditKey(Exception):
    """An entry names a key other than the configured one."""


def entry_digest(entry: AuditEntry, key: AuditKey | None = None) -> str:
    """The hash ``entry`` must carry: HMAC-SHA256 under the audit key, or SHA-256 for an entry written
    before the chain was keyed (empty ``key_id``)."""
    if not entry.key_id:
        return hashlib.sha256(_canonical(entry)).hexdigest()
    key = key or audit_key()
    if entry.key_id != key.key_id:
        raise UnknownAuditKey(entry.key_id)
    return key.sign(_canonical(entry))


def audit_record(
    *,
    actor: Actor | None,
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
    # A user by account (id and username); a system process by its name.
    user = actor_user(actor) if actor is not None else None
    entry = AuditEntry(
        district_id=district_id,
        actor_id=user.pk if user is not None else None,
        actor_label=(user.get_username() if user is not None else str(actor or "系统"))[:150],
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
    # Read before the head is locked: a missing key must not keep every other writer waiting.
    key = audit_key()
    seq, prev_hash = audit_store.head_lock(genesis_hash=GENESIS_HASH)
    # Stamped under the lock, so the time order of the chain is its sequence order.
    now = timezone.now()
    for entry in entries:
        seq += 1
        entry.seq = seq
        entry.recorded_at = now
        entry.prev_hash = prev_hash
        entry.key_id = key.key_id
        entry.entry_hash = entry_digest(entry, key)
        prev_hash = entry.entry_hash
    audit_store.entries_append(entries, seq=seq, entry_hash=prev_hash)


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


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_seq: int | None
    problem: str

    @property
    def is_intact(self) -> bool:
        return not self.problem


@dataclass
class _Walk:
    """Where a walk along the chain has got to: the next sequence number, the hash it must link to, and
    whether a keyed entry has been seen (after one, an unkeyed entry can only be a forgery)."""

    expected_seq: int
    prev_hash: str
    seen_keyed: bool
    checked: int = 0


def _walk(
    entries: Iterable[AuditEntry], at: _Walk, *, key: AuditKey, pins: dict[int, list[Checkpoint]]
) -> ChainReport | None:
    """Check ``entries`` (in sequence order) from ``at`` on; the first problem, or None (``at`` advanced)."""
    for entry in entries:
        if entry.seq != at.expected_seq:
            return ChainReport(at.checked, at.expected_seq, f"缺少序号 {at.expected_seq} 的记录（已被删除）")
        if entry.prev_hash != at.prev_hash:
            return ChainReport(at.checked, entry.seq, "与上一条记录的哈希链接不符")
        if entry.key_id:
            at.seen_keyed = True
        elif at.seen_keyed:
            # A rewrite that recomputed the hashes without the key (the scheme before it) can only
            # produce unkeyed entries, and those exist only before the first keyed one.
            return ChainReport(at.checked, entry.seq, "带密钥的记录之后出现无密钥哈希（记录被改写后按旧算法重算）")
        try:
            digest = entry_digest(entry, key)
        except UnknownAuditKey:
            return ChainReport(at.checked, entry.seq, f"记录的密钥编号 {entry.key_id} 不是本系统配置的审计密钥")
        if digest != entry.entry_hash:
            return ChainReport(at.checked, entry.seq, "记录内容与其哈希不符（已被篡改）")
        for checkpoint in pins.get(entry.seq, []):
            if checkpoint.entry_hash != entry.entry_hash:
                return ChainReport(
                    at.checked,
                    entry.seq,
                    f"与 {checkpoint.at} 签署的检查点不符（检查点覆盖的记录被改写，链被重算）",
                )
        at.prev_hash = entry.entry_hash
        at.expected_seq += 1
        at.checked += 1
    return None


def _signed_checkpoints(key: AuditKey) -> tuple[list[Checkpoint], ChainReport | None]:
    checkpoints = audit_checkpoints_read()
    for checkpoint in checkpoints:
        if not checkpoint.is_signed_by(key):
            problem = f"检查点文件第 {checkpoint.line_no} 行的签名不符（检查点被改动，或不是用本系统的审计密钥签署的）"
            return checkpoints, ChainReport(0, None, problem)
    return checkpoints, None


def audit_verify_chain(batch_size: int = 2000) -> ChainReport:
    """Walk the chain in order; report the first entry whose hash, link, key or sequence does not hold,
    or that differs from a signed checkpoint — and a chain whose tip is short of a checkpoint's."""
    key = audit_key()
    checkpoints, bad = _signed_checkpoints(key)
    if bad is not None:
        return bad
    pins: dict[int, list[Checkpoint]] = {}
    for checkpoint in checkpoints:
        pins.setdefault(checkpoint.seq, []).append(checkpoint)
    at = _Walk(expected_seq=1, prev_hash=GENESIS_HASH, seen_keyed=False)
    broken = _walk(audit_store.entries_from(1, batch_size), at, key=key, pins=pins)
    if broken is not None:
        return broken
    checked = at.checked
    head_seq = audit_store.head_seq()
    if head_seq is not None and head_seq != checked:
        return ChainReport(checked, checked + 1, f"链尾应为序号 {head_seq}，实际只有 {checked} 条（末尾记录被删除）")
    furthest = max(checkpoints, key=lambda c: c.seq, default=None)
    if furthest is not None and furthest.seq > checked:
        return ChainReport(
            checked,
            checked + 1,
            f"链尾序号 {checked} 短于 {furthest.at} 签署的检查点序号 {furthest.seq}（检查点之前的记录被删除）",
        )
    return ChainReport(checked, None, "")


class AuditChainBroken(Exception):
    def __init__(self, report: ChainReport) -> None:
        super().__init__(report.problem)
        self.report = report


def audit_checkpoint_write(*, batch_size: int = 2000) -> Checkpoint | None:
    """Sign the chain's tip into the checkpoint file, once the entries since the last checkpoint are
    checked (a checkpoint vouches for them; it must never sign a chain already rewritten). None when there
    is nothing new to sign. Raises ``AuditChainBroken`` instead of signing a broken stretch."""
    key = audit_key()
    checkpoints, bad = _signed_checkpoints(key)
    if bad is not None:
        raise AuditChainBroken(bad)
    last = max(checkpoints, key=lambda c: c.seq, default=None)
    at = _Walk(expected_seq=1, prev_hash=GENESIS_HASH, seen_keyed=False)
    if last is not None:
        pinned = audit_store.entry_at(last.seq)
        if pinned is None or pinned.entry_hash != last.entry_hash:
            raise AuditChainBroken(
                ChainReport(0, last.seq, f"序号 {last.seq} 的记录与 {last.at} 签署的检查点不符或已被删除")
            )
        at = _Walk(expected_seq=last.seq + 1, prev_hash=last.entry_hash, seen_keyed=bool(pinned.key_id))
    broken = _walk(audit_store.entries_from(at.expected_seq, batch_size), at, key=key, pins={})
    if broken is not None:
        raise AuditChainBroken(broken)
    if at.checked == 0:
        return None
    return checkpoint_append(seq=at.expected_seq - 1, entry_hash=at.prev_hash, at=timezone.now().isoformat(), key=key)
