"""Where the audit chain is stored: the statements on the head row and the entries' table.

``zhifa.core.audit`` decides what each entry and its hash are; this module only reads and writes rows, so
that the chain's rules read without SQL in the way and the SQL (which is tuned: it runs while every other
writer waits for the head) sits in one place. Two calls for a writer, ``head_lock`` then ``entries_append``
in one transaction; three for a walk along the chain, ``entries_from``, ``entry_at`` and ``head_seq``.
"""

from collections.abc import Iterator, Sequence
from typing import Any

from django.db import transaction

from zhifa.core.models import AuditEntry, AuditHead
from zhifa.core.rows import insert_rows

_HEAD_TABLE = AuditHead._meta.db_table
# Plain SQL for the two statements on the head: they run while every other writer waits for it.
_HEAD_UPDATE = f"UPDATE {_HEAD_TABLE} SET seq = %s, entry_hash = %s WHERE singleton = 1"


def head_lock(*, genesis_hash: str) -> tuple[int, str]:
    """Lock the chain's head row until the caller's transaction ends; its (seq, entry_hash). The very first
    writer creates the head at (0, ``genesis_hash``) (a concurrent first writer waits on its key)."""
    connection = transaction.get_connection()
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT seq, entry_hash FROM {_HEAD_TABLE} WHERE singleton = 1{lock}")
        row: Any = cursor.fetchone()
    if row is None:
        head, _ = AuditHead.objects.select_for_update().get_or_create(
            singleton=1, defaults={"seq": 0, "entry_hash": genesis_hash}
        )
        row = (head.seq, head.entry_hash)
    return int(row[0]), str(row[1])


def entries_append(entries: Sequence[AuditEntry], *, seq: int, entry_hash: str) -> None:
    """Store ``entries`` (chained already) and move the head, locked by ``head_lock``, to their tip.

    This runs while every other writer waits for the head: the INSERT's SQL is prepared once. The same two
    statements on both databases (issue 10: the PostgreSQL-only statement that joined them saved one round
    trip under the lock, never measured apart; without it intake on PostgreSQL still clears its floor, ADR 0009)."""
    connection = transaction.get_connection()
    insert_rows(entries, conn=connection)
    with connection.cursor() as cursor:
        cursor.execute(_HEAD_UPDATE, [seq, entry_hash])


def entries_from(seq: int, batch_size: int) -> Iterator[AuditEntry]:
    """The entries from ``seq`` on, in order, read a batch at a time by sequence number. Not a server-side
    cursor: a walk that stops at the first problem would leave one open in the caller's transaction."""
    while True:
        batch = list(AuditEntry.objects.filter(seq__gte=seq).order_by("seq")[:batch_size])
        yield from batch
        if len(batch) < batch_size:
            return
        seq = batch[-1].seq + 1


def entry_at(seq: int) -> AuditEntry | None:
    """The stored entry numbered ``seq``, if there is one."""
    return AuditEntry.objects.filter(seq=seq).first()


def head_seq() -> int | None:
    """The sequence number the head says the tip has (None before the first entry)."""
    return AuditHead.objects.filter(singleton=1).values_list("seq", flat=True).first()
