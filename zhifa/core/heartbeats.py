"""Heartbeats of the background processes, and whether each is alive (read by ``/healthz`` and the
command centre's banner).

A background process records a heartbeat after each loop that reached the database and did its work; a
loop that failed records nothing, so a watcher that keeps retrying a broken database goes stale as surely
as one that died. A kind is stale when its last heartbeat is older than ``ZHIFA_HEALTH_STALE_S[kind]``
seconds, by default three of the intervals the process itself reported (one missed scan is not an outage;
three are). A kind that never reported is stale too: escalation that never started has stopped.

Heartbeats are operational telemetry, not a change of any record's state: no audit entry is written.
"""

import datetime as dt
import os
import socket
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from zhifa.core.models import ProcessHeartbeat

CLOCK_WATCH = "clock_watch"
TASK_WORKER = "worker"
KINDS = (CLOCK_WATCH, TASK_WORKER)
STALE_INTERVALS = 3


@dataclass(frozen=True)
class HeartbeatStatus:
    kind: str
    is_ok: bool
    # Seconds since the last heartbeat; None when the kind never reported.
    age_s: float | None
    stale_after_s: float | None


def heartbeat_record(*, kind: str, interval_s: float, now: dt.datetime | None = None) -> None:
    """Record that a process of ``kind`` (looping every ``interval_s`` seconds) finished a loop now."""
    ProcessHeartbeat.objects.update_or_create(
        kind=kind,
        defaults={
            "seen_at": now or timezone.now(),
            "interval_s": interval_s,
            "pid": os.getpid(),
            "host": socket.gethostname()[:255],
        },
    )


def _stale_after_s(kind: str, row: ProcessHeartbeat) -> float:
    configured: dict[str, float] = getattr(settings, "ZHIFA_HEALTH_STALE_S", {})
    if kind in configured:
        return float(configured[kind])
    return STALE_INTERVALS * row.interval_s


def heartbeat_statuses(*, now: dt.datetime | None = None) -> dict[str, HeartbeatStatus]:
    """Each kind's status, from one query."""
    now = now or timezone.now()
    rows = {row.kind: row for row in ProcessHeartbeat.objects.filter(kind__in=KINDS)}
    statuses: dict[str, HeartbeatStatus] = {}
    for kind in KINDS:
        row = rows.get(kind)
        if row is None:
            statuses[kind] = HeartbeatStatus(kind=kind, is_ok=False, age_s=None, stale_after_s=None)
            continue
        age_s = max(0.0, (now - row.seen_at).total_seconds())
        stale_after_s = _stale_after_s(kind, row)
        statuses[kind] = HeartbeatStatus(
            kind=kind, is_ok=age_s <= stale_after_s, age_s=age_s, stale_after_s=stale_after_s
        )
    return statuses
