"""Which background tasks "running" in django-tasks-db have lost their worker, judged by the worker's lease.

django-tasks-db marks a task "running" when a worker claims it and never looks at it again; a task whose worker
died while running it (killed, the machine restarted) or whose completion could not be written stays so for
ever, and a task notice to an officer's phone would never be sent. The task worker (``manage.py task_worker``)
makes such a task ready again before each drain. It used to judge by when the task started, and so ran a
second copy, beside the first, of a task that simply ran longer than ``ZHIFA_TASK_STALE_S`` (a district's
year of reports at scale). Now the worker, while it runs a task, renews the task's lease (``TaskLease``) from
a thread of its own every ``ZHIFA_WORKER_HEARTBEAT_S``, and a task is lost only when it started longer than
``ZHIFA_TASK_STALE_S`` ago *and* its lease, if it has one, was last renewed longer ago than that: a live
worker's task is never run twice; a dead worker's is run again within the limit of its last renewal.

The same statements on SQLite and PostgreSQL, every time taken from this process's clock (as django-tasks-db
takes ``started_at``).
"""

import datetime as dt
import logging
import threading
from collections.abc import Callable
from types import TracebackType
from uuid import UUID

from django.db import connections, transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from zhifa.core.heartbeats import TASK_WORKER, heartbeat_record
from zhifa.core.models import TaskLease

logger = logging.getLogger("zhifa.workers")


def task_lease_renew(*, task_id: UUID, worker_id: str, heartbeat_s: float, now: dt.datetime | None = None) -> None:
    """Renew the lease of the task ``worker_id`` is running, and the task worker's heartbeat with it: a worker
    busy with one long task is alive, and ``/healthz`` and the command centre's banner should say so (it
    records its heartbeat otherwise only between tasks). One transaction: one wait for SQLite's write lock."""
    now = now or timezone.now()
    with transaction.atomic():
        TaskLease.objects.update_or_create(task_result_id=task_id, defaults={"worker_id": worker_id, "renewed_at": now})
        heartbeat_record(kind=TASK_WORKER, interval_s=heartbeat_s, now=now)


def task_lease_release(*, task_id: UUID, worker_id: str) -> None:
    """The task has ended: its lease goes (only this worker's; a lease is kept nowhere but while a task runs)."""
    TaskLease.objects.filter(task_result_id=task_id, worker_id=worker_id).delete()


def stale_tasks_ready_again(*, stale_after_s: float, now: dt.datetime | None = None) -> int:
    """Make ready again the tasks "running" whose worker is gone: started longer than ``stale_after_s`` ago and
    without a lease renewed since (a task claimed by a worker that never renewed — it died within its first
    heartbeat interval, or it is a plain ``db_worker`` — is judged by its start alone). One conditional
    UPDATE of the rows still "running", so two workers draining at once ready a task once."""
    since = (now or timezone.now()) - dt.timedelta(seconds=stale_after_s)
    stale = (
        DBTaskResult.objects.running()
        .filter(started_at__lt=since)
        .exclude(pk__in=TaskLease.objects.filter(renewed_at__gte=since).values("task_result_id"))
    )
    count = stale.update(status=TaskResultStatus.READY)
    if count:
        logger.warning(
            "task_worker: %d 个任务运行超过 %d 秒且未续期（执行它的进程已退出），重新排队执行", count, stale_after_s
        )
    return count


class LeaseKeeper:
    """Renews, while the worker runs one task, that task's lease from a thread of its own: the task's code
    (a report's queries, a PDF's rendering) needs not know about it. The first renewal comes one interval
    after the start, so that a task of a few seconds writes no lease at all. A renewal that fails (the
    database briefly unavailable, SQLite's write lock held by the task itself past the busy timeout) is
    logged and tried again at the next interval; the lease has ``ZHIFA_TASK_STALE_S`` to spare. The thread
    uses its own database connection and closes it when the task ends."""

    def __init__(self, *, task_id: UUID, worker_id: str, heartbeat_s: float) -> None:
        self.task_id = task_id
        self.worker_id = worker_id
        self.heartbeat_s = heartbeat_s
        self.renewals = 0
        self._ended = threading.Event()
        self._thread = threading.Thread(target=self._keep, name=f"task-lease-{task_id}", daemon=True)

    def __enter__(self) -> "LeaseKeeper":
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._ended.set()
        self._thread.join()

    def _keep(self) -> None:
        try:
            while not self._ended.wait(self.heartbeat_s):
                self._attempt(self._renew)
            if self.renewals:
                self._attempt(self._release)
        finally:
            connections.close_all()  # this thread's connections only

    def _renew(self) -> None:
        task_lease_renew(task_id=self.task_id, worker_id=self.worker_id, heartbeat_s=self.heartbeat_s)
        self.renewals += 1

    def _release(self) -> None:
        task_lease_release(task_id=self.task_id, worker_id=self.worker_id)

    def _attempt(self, write: Callable[[], None]) -> None:
        try:
            write()
        except Exception as error:  # any: a keeper thread that died would let a live task be run twice
            logger.warning(
                "task_worker: 任务 %s 的租约未能写入（%s: %s），稍后重试", self.task_id, type(error).__name__, error
            )
            # A connection the server dropped stays broken until closed: the next attempt opens a new one.
            connections.close_all()
