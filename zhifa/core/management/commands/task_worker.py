"""``manage.py task_worker``: django-tasks-db's ``db_worker`` that survives a briefly unavailable database
and reports a heartbeat (issue 9, item 6). Same options as ``db_worker`` (``--reload`` is ignored).

``db_worker`` ignores a locked SQLite database while claiming a task but exits on any other database
error — a PostgreSQL restart, a terminated connection, a lock that outlasts the three quick retries of
marking a task done — and ``make run`` did not bring it back. Here the worker drains the ready tasks in
``db_worker``'s own batch mode (its loop, its claiming, untouched), then this loop records the heartbeat,
sleeps ``--interval`` and drains again; a transient database error anywhere in a drain is logged and the
drain retried after a backoff (zhifa/core/transient.py).

A task whose worker died while running it (killed, the machine restarted) or whose completion could not be
written stays "running" in django-tasks-db for ever: a task notice to an officer's phone would never be sent.
Before each drain, a task that started longer than ``ZHIFA_TASK_STALE_S`` (600 s) ago and whose lease was not
renewed within that time is made ready again and run (zhifa/core/task_leases.py); while this worker runs a
task, a thread of its own renews the task's lease every ``ZHIFA_WORKER_HEARTBEAT_S``, so that a task running
longer than the limit (a district's year of reports at scale) is never run a second time beside itself.
Tasks are idempotent (STYLE.md), so the second run of a task whose worker died is harmless.
"""

import logging
import time
from typing import Any

from django.conf import settings
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from zhifa.core.heartbeats import TASK_WORKER, heartbeat_record
from zhifa.core.task_leases import LeaseKeeper, stale_tasks_ready_again
from zhifa.core.transient import TRANSIENT_DB_ERRORS, Backoff, transient_error_seen


class SupervisedWorker(Worker):
    def __init__(self, *, heartbeat_every_s: float, stale_after_s: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.heartbeat_every_s = heartbeat_every_s
        self.stale_after_s = stale_after_s
        self.last_beat = float("-inf")
        self.backoff = Backoff()

    def run(self) -> None:
        drain_once = self.batch
        self.batch = True  # db_worker's run() returns once no task is ready
        while self.running:
            try:
                self.beat()
                stale_tasks_ready_again(stale_after_s=self.stale_after_s)
                super().run()
            except TRANSIENT_DB_ERRORS as error:
                time.sleep(transient_error_seen(what="task_worker", error=error, backoff=self.backoff))
                continue
            self.backoff.reset()
            self.startup_delay = False  # the random start-up delay is for the first drain only
            if drain_once or (self.max_tasks is not None and self._run_tasks >= self.max_tasks):
                return
            time.sleep(self.interval)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        with LeaseKeeper(task_id=db_task_result.pk, worker_id=self.worker_id, heartbeat_s=self.heartbeat_every_s):
            super().run_task(db_task_result)
        self.beat()  # a long queue of tasks is work too: the worker is not stale while it drains one

    def beat(self) -> None:
        """Record the heartbeat at most every ``heartbeat_every_s``: a write each second would only add
        contention for the SQLite write lock."""
        now = time.monotonic()
        if now - self.last_beat >= self.heartbeat_every_s:
            heartbeat_record(kind=TASK_WORKER, interval_s=self.heartbeat_every_s)
            self.last_beat = now


class Command(DbWorkerCommand):
    help = "后台任务进程（db_worker），数据库暂时不可用时重试并记录心跳"

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        # Each drain would log "Starting worker" and "No more tasks" at INFO; the tasks' own log stays.
        logging.getLogger("django_tasks_db").setLevel(max(logging.WARNING, logging.getLogger("django_tasks_db").level))
        worker = SupervisedWorker(
            heartbeat_every_s=float(settings.ZHIFA_WORKER_HEARTBEAT_S),
            stale_after_s=float(settings.ZHIFA_TASK_STALE_S),
            queue_names=options["queue_name"].split(","),
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=options["exclude_queues"].split(",") if options["exclude_queues"] else [],
        )
        worker.configure_signals()
        worker.run()
