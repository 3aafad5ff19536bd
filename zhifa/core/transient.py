"""Riding out a database that is briefly unavailable, for the long-running background loops.

A SQLite write lock held past ``busy_timeout``, a PostgreSQL restart or a connection the server
terminated raise ``OperationalError`` / ``InterfaceError``; the next attempt on a fresh connection usually
works. Before, the clock watcher exited on the first one and escalation stopped while the site looked
healthy (issue 9). Now the loop logs it, closes the broken connection and tries again after a capped
exponential backoff (``ZHIFA_WORKER_RETRY_BASE_S`` doubling up to ``ZHIFA_WORKER_RETRY_MAX_S``), so a
database that stays down is retried about once a minute rather than hammered. Anything else (a bug) still
ends the process, and the supervisor (``scripts/supervise``) restarts it.
"""

import contextlib
import logging

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections

log = logging.getLogger("zhifa.workers")

TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)
DEFAULT_BASE_S = 1.0
DEFAULT_MAX_S = 60.0


class Backoff:
    """The delays after consecutive failures: base, 2 × base, 4 × base, … capped; reset by a success."""

    def __init__(self) -> None:
        self.base_s = float(getattr(settings, "ZHIFA_WORKER_RETRY_BASE_S", DEFAULT_BASE_S))
        self.max_s = float(getattr(settings, "ZHIFA_WORKER_RETRY_MAX_S", DEFAULT_MAX_S))
        self.failures = 0

    def next_delay(self) -> float:
        delay = min(self.max_s, self.base_s * 2 ** min(self.failures, 32))
        self.failures += 1
        return delay

    def reset(self) -> None:
        self.failures = 0


def transient_error_seen(*, what: str, error: Exception, backoff: Backoff) -> float:
    """Log a transient database error of the loop ``what``, drop the broken connections, and return how
    many seconds to wait before the next attempt."""
    delay = backoff.next_delay()
    log.warning(
        "%s: 数据库暂时不可用（%s: %s），第 %d 次重试，%.1f 秒后重试",
        what,
        type(error).__name__,
        str(error).strip().splitlines()[0] if str(error).strip() else "",
        backoff.failures,
        delay,
    )
    for connection in connections.all(initialized_only=True):
        # Already broken: closing it only makes Django open a new one on the next query.
        with contextlib.suppress(DatabaseError):
            connection.close()
    return delay
