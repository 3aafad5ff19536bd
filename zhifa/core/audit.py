"""The hash-chained audit trail: ``audit_record`` appends, ``audit_verify_chain`` proves it intact.

Every service that writes calls ``audit_record`` inside its own transaction, so the audit entry and the
change commit or roll back together (DESIGN.md invariants).
"""

import datetime as dt
import hashlib
import json
import re
import secrets
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
    return _canonical_text(
        entry, seq=entry.seq, prev_hash=entry.prev_hash, recorded_at=entry.recorded_at.astimezone(dt.UTC).isoformat()
    ).encode()


def _canonical_text(entry: AuditEntry, *, seq: Any, prev_hash: str, recorded_at: str) -> str:
    """The text an entry's hash is taken over; the three values the chain gives it are passed in."""
    content = {
        "seq": seq,
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
        "recorded_at": recorded_at,
        "prev_hash": prev_hash,
    }
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


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


_HEAD_ATTR = "zhifa_audit_head"


def audit_head_locked(seq: int, entry_hash: str) -> None:
    """Tell the open ``audited_transaction`` that this transaction holds the chain's head, at ``seq`` and
    ``entry_hash``: its later entries are chained from there without reading the head again."""
    connection = transaction.get_connection()
    if getattr(connection, _PENDING_ATTR, None) is None or not connection.in_atomic_block:
        raise RuntimeError("audit_head_locked outside an audited_transaction")
    setattr(connection, _HEAD_ATTR, (seq, entry_hash))


def audit_head_ensure() -> None:
    """Create the chain's head if the database has none yet: a statement that chains its entries itself
    (``InlineChain``) locks an existing head. A concurrent first writer's row makes this a no-op."""
    with transaction.atomic():
        AuditHead.objects.get_or_create(singleton=1, defaults={"seq": 0, "entry_hash": GENESIS_HASH})


# Chaining inside the caller's own statement (PostgreSQL) -----------------------------------------------
#
# Every writer waits for the head row while another holds it. Chained from Python, the holder reads the
# head, hashes, sends the entries, then commits: round trips under the lock, each waiting for the process at
# the other end to be scheduled again; on a busy 2-core machine that waiting, more than the work, is what
# the next writer queues behind (ADR 0006). ``InlineChain`` moves the chaining into the caller's statement:
# the head is locked, each hash taken by ``sha256`` over the same canonical text (the sequence number, the
# previous hash and the time spliced in), the entries inserted and the head moved — in that one statement,
# so the lock lasts for it and the commit. Python recomputes every hash before the commit and refuses a
# difference (the transaction then rolls back).

# Stand-ins are unique to this process, so that no text an entry carries can be taken for one.
_MARK = secrets.token_hex(6)
_MARK_RE = re.compile(f"@@{_MARK}:([a-z_]+)@@")
# The time written in SQL as ``_canonical`` writes it in Python: isoformat in UTC, no fraction when it is 0.
_ISO_UTC_SQL = (
    "CASE WHEN to_char({t} AT TIME ZONE 'UTC', 'US') = '000000' "
    "THEN to_char({t} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') "
    "ELSE to_char({t} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') END || '+00:00'"
)


def audit_mark(name: str) -> str:
    """A stand-in for a value only the caller's statement knows (the key of a row it inserts, a number it
    takes), to put in an entry's ``object_id`` or among its ``before``/``after`` values. ``InlineChain``
    splices the statement's value in, in the stored entry and in the text its hash is taken over."""
    if not re.fullmatch("[a-z_]+", name):
        raise ValueError(f"audit mark names are lower-case words: {name!r}")
    return f"@@{_MARK}:{name}@@"


def _pieces(text: str | None) -> tuple[tuple[str, ...] | None, list[str]]:
    """``text`` cut at its stand-ins: their names (the shape of the text) and the literal parts around them."""
    if text is None:
        return None, []
    parts = _MARK_RE.split(text)
    return tuple(parts[1::2]), parts[0::2]


def _spliced(names: tuple[str, ...], first: int, fills: dict[str, str], array: str) -> str:
    """SQL for a text of this shape: its literal parts (bound in ``array`` from index ``first`` on) with each
    stand-in's SQL expression between them."""
    pieces = [f"{array}[{first}]"]
    for k, name in enumerate(names, start=1):
        if name not in fills:
            raise KeyError(f"audit mark {name!r} has no value in this statement")
        pieces += [f"({fills[name]})::text", f"{array}[{first + k}]"]
    return pieces[0] if len(pieces) == 1 else "concat(" + ", ".join(pieces) + ")"


def _filled(value: Any, values: dict[str, str]) -> Any:
    """``value`` with each stand-in replaced by its value as the statement returned it."""
    if isinstance(value, str):
        return _MARK_RE.sub(lambda m: values[m.group(1)], value)
    if isinstance(value, dict):
        return {k: _filled(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_filled(v, values) for v in value]
    return value


class InlineChain:
    """Entries of the open ``audited_transaction`` (from ``audit_record``), chained by the caller's statement.

    The statement is ``WITH <head_cte>, <the caller's CTEs>, <ctes> SELECT …, <columns> FROM …, <sources>``;
    ``fills`` maps each stand-in (``audit_mark``) the entries hold to an SQL expression over the caller's
    CTEs named in ``uses``. When the statement returns its row, ``stored`` takes the values of ``columns``
    (and the stand-ins' values) and the entries are stored and chained; a statement that returns no row
    wrote none of them, and they stay pending, to be chained when the transaction ends.

    Each entry's values are bound as one text array (psycopg caches the parsing of a statement only up to
    50 parameters); the SQL depends only on where the stand-ins sit, and is built once for each such shape.
    """

    def __init__(self, entries: list[AuditEntry], *, fills: dict[str, str], uses: tuple[str, ...]) -> None:
        if not entries:
            raise ValueError("InlineChain needs entries")
        self.entries = entries
        shapes: list[tuple[Any, ...]] = []
        self.params: list[Any] = []
        seq_mark = audit_mark("seq")
        for entry in entries:
            canonical = _canonical_text(
                entry, seq=seq_mark, prev_hash=audit_mark("prev_hash"), recorded_at=audit_mark("recorded_at")
            ).replace(f'"{seq_mark}"', seq_mark)  # a number in the text, not a string
            texts = [
                canonical,
                entry.object_id,
                None if entry.before is None else json.dumps(entry.before, ensure_ascii=False),
                None if entry.after is None else json.dumps(entry.after, ensure_ascii=False),
            ]
            shape: list[Any] = []
            values: list[str | None] = []
            for text in texts:
                names, literals = _pieces(text)
                shape.append(names)
                values += literals
            for name in _PLAIN_FIELDS:
                value = getattr(entry, name)
                values.append(None if value is None else str(value))
            shapes.append(tuple(shape))
            self.params.append(values)
        key = (tuple(shapes), tuple(sorted(fills.items())), uses)
        sql = _INLINE_SQL.get(key)
        if sql is None:
            sql = _INLINE_SQL[key] = _inline_sql(shapes, fills=fills, uses=uses)
        self.ctes, self.sources, self.columns = sql

    @staticmethod
    def head_cte() -> str:
        """``ah``: the chain's head, locked. The caller's writes must depend on it (read from ``ah``, or
        ``EXISTS (SELECT 1 FROM ah)``): with no head yet the statement then writes nothing, and the caller
        runs ``audit_head_ensure`` and tries again."""
        head = transaction.get_connection().ops.quote_name(_HEAD_TABLE)
        return f"ah AS (SELECT seq, entry_hash FROM {head} WHERE singleton = 1 FOR UPDATE)"

    def stored(self, values: list[Any], *, filled: dict[str, str]) -> None:
        """The statement returned its row: ``values`` are those of ``columns``, ``filled`` the stand-ins'."""
        conn = transaction.get_connection()
        head_seq, prev_hash, at, ids, *hashes = values
        for i, (entry, pk, entry_hash) in enumerate(zip(self.entries, ids, hashes, strict=True), start=1):
            entry.seq = int(head_seq) + i
            entry.recorded_at = at
            entry.prev_hash = prev_hash
            entry.object_id = _filled(entry.object_id, filled)
            entry.before = _filled(entry.before, filled)
            entry.after = _filled(entry.after, filled)
            entry.entry_hash = entry_digest(entry)
            # Two writers of one text: a difference would break the chain for good, so it stops here.
            if entry.entry_hash != entry_hash:
                raise RuntimeError(f"audit entry #{entry.seq}: the database's hash differs from Python's")
            prev_hash = entry.entry_hash
            mark_stored(entry, pk=pk, conn=conn)
        pending: list[_Pending] = getattr(conn, _PENDING_ATTR)
        done = {id(entry) for entry in self.entries}
        pending[:] = [p for p in pending if id(p.entry) not in done]
        audit_head_locked(int(head_seq) + len(self.entries), prev_hash)


# The entry's columns bound as text and cast back, in this order after the literal parts of its texts.
_PLAIN_FIELDS = ("district_id", "actor_id", "actor_label", "action", "object_type", "reason", "request_id", "client")
_INLINE_SQL: dict[tuple[Any, ...], tuple[str, str, str]] = {}


def _inline_sql(shapes: list[tuple[Any, ...]], *, fills: dict[str, str], uses: tuple[str, ...]) -> tuple[str, str, str]:
    """The CTEs, FROM items and result columns of an ``InlineChain`` whose entries have these shapes."""
    conn = transaction.get_connection()
    qn = conn.ops.quote_name
    fields = {f.attname: f for f in AuditEntry._meta.concrete_fields}
    n = len(shapes)
    # The time is taken once the head is held, so that the chain's time order is its sequence order.
    now = "SELECT clock_timestamp() AS at FROM ah"
    ctes = [f"ax AS (SELECT at, {_ISO_UTC_SQL.format(t='at')} AS at_text FROM ({now}) t)"]
    ctes += [f"ap{i} AS (SELECT %s::text[] AS p)" for i in range(1, n + 1)]
    selects: list[str] = []
    for i, shape in enumerate(shapes, start=1):
        prev = "ah.entry_hash" if i == 1 else f"a{i - 1}.hash"
        here = {**fills, "seq": f"ah.seq + {i}", "prev_hash": prev, "recorded_at": "ax.at_text"}
        array = f"ap{i}.p"
        at = 1
        texts: list[str] = []
        for names in shape:
            if names is None:
                texts.append("NULL")
                continue
            texts.append(_spliced(names, at, here, array))
            at += len(names) + 1
        canonical, object_id, before, after = texts
        sources = ", ".join(["ah", "ax", f"ap{i}", *uses, *(f"a{k}" for k in range(1, i))])
        digest = f"encode(sha256(convert_to({canonical}, 'UTF8')), 'hex')"
        ctes.append(f"a{i} AS (SELECT {digest} AS hash FROM {sources})")
        plain = {name: f"{array}[{at + k}]::{fields[name].cast_db_type(conn)}" for k, name in enumerate(_PLAIN_FIELDS)}
        values = {
            **plain,
            "seq": f"ah.seq + {i}",
            "object_id": object_id,
            "before": f"({before})::jsonb",
            "after": f"({after})::jsonb",
            "recorded_at": "ax.at",
            "prev_hash": prev,
            "entry_hash": f"a{i}.hash",
        }
        selects.append(f"SELECT {', '.join(values.values())} FROM {sources}, a{i}")
    columns = ", ".join(qn(str(fields[name].column)) for name in values)
    table, head = qn(AuditEntry._meta.db_table), qn(_HEAD_TABLE)
    ctes.append(f"ain AS (INSERT INTO {table} ({columns}) {' UNION ALL '.join(selects)} RETURNING id, seq)")
    ctes.append(
        f"aup AS (UPDATE {head} SET seq = ah.seq + {n}, entry_hash = a{n}.hash FROM ah, a{n} "
        f"WHERE {head}.singleton = 1)"
    )
    sources = ", ".join(["ah", "ax", *(f"a{k}" for k in range(1, n + 1))])
    result = ", ".join(
        ["ah.seq", "ah.entry_hash", "ax.at", "(SELECT array_agg(id ORDER BY seq) FROM ain)"]
        + [f"a{k}.hash" for k in range(1, n + 1)]
    )
    return ", ".join(ctes), sources, result


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
