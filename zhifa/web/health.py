"""``/healthz``: is the site whole — the web process, the database, the task worker and the clock watcher?

For a load balancer or a monitoring probe: no login, and nothing in the answer that helps an attacker
(statuses and ages only; no host names, process ids, versions or error text). 200 when every part is ok,
503 otherwise, so a probe that only looks at the status code still sees a stopped clock watcher — the
failure that used to look healthy (issue 9, item 6). The thresholds are zhifa/core/heartbeats.py's.

The same heartbeat drives the command centre's banner (``escalation_banner``).
"""

import datetime as dt
import logging
from typing import Any

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from zhifa.core.heartbeats import CLOCK_WATCH, KINDS, HeartbeatStatus, heartbeat_statuses

logger = logging.getLogger(__name__)


def _part(status: HeartbeatStatus) -> dict[str, Any]:
    return {
        "status": "ok" if status.is_ok else "stale",
        "age_s": None if status.age_s is None else round(status.age_s, 1),
    }


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    parts: dict[str, Any] = {"web": {"status": "ok"}}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        statuses = heartbeat_statuses()
    except DatabaseError:
        logger.warning("healthz: the database did not answer", exc_info=True)
        parts["database"] = {"status": "down"}
        parts.update({kind: {"status": "stale", "age_s": None} for kind in KINDS})
    else:
        parts["database"] = {"status": "ok"}
        parts.update({kind: _part(status) for kind, status in statuses.items()})
    is_ok = all(part["status"] == "ok" for part in parts.values())
    return JsonResponse(parts, status=200 if is_ok else 503, json_dumps_params={"ensure_ascii": False})


def escalation_banner(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """Whether the command centre must be told that overdue clocks are not being escalated, and how long
    since the clock watcher's last scan."""
    status = heartbeat_statuses(now=now or timezone.now())[CLOCK_WATCH]
    if status.is_ok:
        return {"is_stale": False, "message": ""}
    if status.age_s is None:
        return {"is_stale": True, "message": "超时升级未运行（未检测到后台扫描进程），请检查后台进程"}
    minutes = max(1, int(status.age_s // 60))
    return {"is_stale": True, "message": f"超时升级已停止 {minutes} 分钟，请检查后台进程"}
