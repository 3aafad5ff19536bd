"""Id lists read in batches: a statement's parameters are bounded (PostgreSQL 65,535, SQLite 32,766 by
default), and ``pk__in=ids`` sends one parameter per id. A read whose ids come from a query takes the query
as a subquery instead; a read whose ids come from elsewhere (a report's stored record lists, ids gathered in
Python) goes through ``batches``, with any ordering done after, in Python."""

from collections.abc import Iterable, Iterator

# Well under either database's bound, and few round trips for the sizes a district has.
BATCH = 10_000


def batches[T](ids: Iterable[T], size: int | None = None) -> Iterator[list[T]]:
    """``ids`` in lists of at most ``size`` (``BATCH``), in their order."""
    size = size or BATCH
    chunk: list[T] = []
    for i in ids:
        chunk.append(i)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
