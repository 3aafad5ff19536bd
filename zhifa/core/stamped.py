"""Per-process caches of things built from database rows (a grid index, a classifier, an address index),
rebuilt when a cheap "stamp" query says the rows changed.

Every process holds its own copy; the database stays the truth. The stamp is asked at most once every
``ZHIFA_REFERENCE_RECHECK_S`` seconds per key (default 1): on the event intake two stamp queries per
request were a sixth of the database's work (ADR 0005). So an edit of the grids, the catalogue, a
department or a classification override reaches every server process within that second; 0 asks on
every use (the tests do, so that an edit is seen by the next line).
"""

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.conf import settings

DEFAULT_RECHECK_S = 1.0


@dataclass
class _Entry[V]:
    stamp: tuple[Any, ...]
    value: V
    checked_at: float


class StampedCache[K: Hashable, V]:
    """``get(key)``: the value built by ``build(key)``, rebuilt when ``stamp(key)`` changes."""

    def __init__(self, *, stamp: Callable[[K], tuple[Any, ...]], build: Callable[[K], V]) -> None:
        self._stamp = stamp
        self._build = build
        self._entries: dict[K, _Entry[V]] = {}
        self._lock = threading.Lock()

    def get(self, key: K) -> V:
        now = time.monotonic()
        entry = self._entries.get(key)
        recheck = float(getattr(settings, "ZHIFA_REFERENCE_RECHECK_S", DEFAULT_RECHECK_S))
        if entry is not None and now - entry.checked_at < recheck:
            return entry.value
        stamp = self._stamp(key)
        if entry is not None and entry.stamp == stamp:
            entry.checked_at = now
            return entry.value
        # One build at a time per process: a second request for the same key waits and takes that build.
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.stamp != stamp:
                entry = _Entry(stamp=stamp, value=self._build(key), checked_at=now)
                self._entries[key] = entry
        return entry.value

    def clear(self) -> None:
        self._entries.clear()
