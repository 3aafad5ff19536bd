"""The hash-chained audit trail: ``audit_record`` appends, ``audit_verify_chain`` proves it intact.

Every service that writes calls ``audit_record`` inside its own transaction, so the audit entry and the
change commit or roll back together (DESIGN.md invariants).
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from zhifa.core import request_context
from zhifa.core.models import AuditEntry, AuditHead

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
    """Append one entry. Must run inside the caller's transaction (it locks the chain's head row)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        if district_id is None:
            district_id = getattr(obj, "district_id", None)
    ctx = request_context.current()
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(
            singleton=1, defaults={"seq": 0, "entry_hash": GENESIS_HASH}
        )
        entry = AuditEntry(
            seq=head.seq + 1,
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
            recorded_at=timezone.now(),
            prev_hash=head.entry_hash,
        )
        entry.entry_hash = entry_digest(entry)
        entry.save(force_insert=True)
        AuditHead.objects.filter(singleton=1).update(seq=entry.seq, entry_hash=entry.entry_hash)
    return entry


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
