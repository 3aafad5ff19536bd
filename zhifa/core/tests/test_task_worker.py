"""The task worker rides out a real transient database error, records its heartbeat and runs the task
that was waiting (issue 9, item 6): a SQLite write lock held past the busy timeout, or a PostgreSQL
connection the server terminated. ``db_worker`` itself exits on the terminated connection.

A task left "running" by a worker that died is run again, once; a task that runs longer than
``ZHIFA_TASK_STALE_S`` while its worker lives (and renews its lease) is not run a second time beside itself.
"""

import datetime as dt
import json
import logging
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, connections
from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from zhifa.core.heartbeats import TASK_WORKER
from zhifa.core.management.commands.task_worker import SupervisedWorker
from zhifa.core.models import ProcessHeartbeat, TaskLease

pytestmark = pytest.mark.django_db(transaction=True)
REPO = Path(__file__).resolve().parents[3]


@task()
def answer_task() -> int:
    """A task of core's own (core may not import the domain apps' tasks): it only has to be run."""
    return 42


class Runs:
    """What ``long_task`` saw: each run's name, and the events that hold its first run until the test ends it."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.started = threading.Event()
        self.release = threading.Event()


RUNS = Runs()


@task()
def long_task(name: str) -> int:
    """Counts its runs; its first run lasts until the test releases it (or 60 s, so that a failing test ends)."""
    RUNS.names.append(name)
    if len(RUNS.names) == 1:
        RUNS.started.set()
        RUNS.release.wait(timeout=60)
    return len(RUNS.names)


@pytest.fixture
def runs() -> Iterator[Runs]:
    global RUNS
    RUNS = Runs()
    yield RUNS
    RUNS.release.set()


def wait_for(condition: Callable[[], bool]) -> None:
    """Until ``condition`` holds; a minute at most (the machine is shared), then the test fails."""
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, "condition not met within a minute"
        time.sleep(0.02)


class OnRetry(logging.Handler):
    """Calls ``action`` once, when the worker logs its first retry; keeps the messages."""

    def __init__(self, action: Any) -> None:
        super().__init__(level=logging.WARNING)
        self.action = action
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
        if len(self.messages) == 1:
            self.action()


@pytest.fixture
def on_retry(settings: Any) -> Any:
    settings.ZHIFA_WORKER_RETRY_BASE_S = 0.05
    logger = logging.getLogger("zhifa.workers")
    handlers: list[OnRetry] = []

    def attach(action: Any) -> OnRetry:
        handlers.append(OnRetry(action))
        logger.addHandler(handlers[-1])
        return handlers[-1]

    yield attach
    for handler in handlers:
        logger.removeHandler(handler)


def run_worker() -> None:
    call_command("task_worker", "--max-tasks", "1", "--no-startup-delay", "--interval", "0", verbosity=0)


def results() -> list[tuple[str, int | None]]:
    return list(DBTaskResult.objects.values_list("status", "return_value"))


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_the_worker_survives_a_locked_sqlite_database(on_retry: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # given a waiting task, a busy timeout short enough for the test, and another connection holding the
    # write lock
    answer_task.enqueue()
    options = dict(connection.settings_dict["OPTIONS"])
    options["init_command"] = options["init_command"].replace("busy_timeout=15000", "busy_timeout=50")
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", options)
    connection.close()
    holder = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    handler = on_retry(lambda: holder.execute("COMMIT"))

    # when the worker runs until it has run one task
    run_worker()
    holder.close()

    # then its first heartbeat failed on the lock, was logged, and the worker went on to run the task
    assert len(handler.messages) == 1
    assert handler.messages[0].startswith("task_worker: 数据库暂时不可用（OperationalError: database is locked）")
    assert results() == [("SUCCESSFUL", 42)]
    assert list(ProcessHeartbeat.objects.values_list("kind", "interval_s")) == [(TASK_WORKER, 10.0)]


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_the_worker_survives_a_terminated_postgresql_connection(on_retry: Any) -> None:
    # given a waiting task and the worker's connection terminated by the server
    answer_task.enqueue()
    connection.ensure_connection()
    backend_pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    params.pop("pool", None)
    params.pop("server_side_binding", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", [backend_pid]).fetchone() == (True,)
    handler = on_retry(lambda: None)

    # when the worker runs until it has run one task
    run_worker()

    # then the dead connection was logged and replaced, and the task ran
    assert len(handler.messages) == 1
    assert handler.messages[0].startswith("task_worker: 数据库暂时不可用（OperationalError: ")
    assert results() == [("SUCCESSFUL", 42)]
    assert list(ProcessHeartbeat.objects.values_list("kind", "interval_s")) == [(TASK_WORKER, 10.0)]


def test_a_task_left_running_by_a_worker_that_died_is_run_again_once(settings: Any, runs: Runs) -> None:
    # given, 20 minutes after they were claimed: a task whose worker died before its first renewal (or a plain
    # db_worker's), one whose worker renewed its lease until 11 minutes ago and died, one whose worker renewed
    # it a minute ago (a long task, alive), and one claimed a minute ago by a worker still within its time
    settings.ZHIFA_TASK_STALE_S = 600
    now = timezone.now()
    tasks = {name: long_task.enqueue(name) for name in ("no_lease", "lapsed", "renewed", "recent")}
    runs.release.set()  # no run here waits
    for name, started_min, worker, renewed_min in (
        ("no_lease", 20, "gone", None),
        ("lapsed", 20, "died", 11),
        ("renewed", 20, "alive", 1),
        ("recent", 1, "busy", None),
    ):
        DBTaskResult.objects.filter(pk=tasks[name].id).update(
            status="RUNNING", started_at=now - dt.timedelta(minutes=started_min), worker_ids=[worker]
        )
        if renewed_min is not None:
            TaskLease.objects.create(
                task_result_id=tasks[name].id, worker_id=worker, renewed_at=now - dt.timedelta(minutes=renewed_min)
            )

    # when the worker drains what is ready, twice
    call_command("task_worker", "--batch", "--no-startup-delay", "--interval", "0", "--worker-id", "w1", verbosity=0)
    call_command("task_worker", "--batch", "--no-startup-delay", "--interval", "0", "--worker-id", "w2", verbosity=0)

    # then the two abandoned tasks ran to their end once each, by the first drain, and the two whose workers
    # are alive were left to them
    rows = {name: DBTaskResult.objects.get(pk=result.id) for name, result in tasks.items()}
    assert {name: (row.status, row.worker_ids) for name, row in rows.items()} == {
        "no_lease": ("SUCCESSFUL", ["gone", "w1"]),
        "lapsed": ("SUCCESSFUL", ["died", "w1"]),
        "renewed": ("RUNNING", ["alive"]),
        "recent": ("RUNNING", ["busy"]),
    }
    assert sorted(runs.names) == ["lapsed", "no_lease"]


def test_a_task_running_past_the_limit_is_left_to_its_live_worker(settings: Any, runs: Runs) -> None:
    # given a worker running a task, renewing its lease every 0.05 s
    settings.ZHIFA_TASK_STALE_S = 600
    settings.ZHIFA_WORKER_HEARTBEAT_S = 0.05
    result = long_task.enqueue("long")
    start = timezone.now()
    with time_machine.travel(start, tick=True) as clock:
        worker = SupervisedWorker(
            heartbeat_every_s=0.05,
            stale_after_s=600,
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=1,
            worker_id="alive",
            excluded_queue_names=[],
        )

        def work() -> None:
            try:
                worker.run()
            finally:
                connections.close_all()

        alive = threading.Thread(target=work)
        alive.start()
        assert runs.started.wait(timeout=60)

        # when 20 minutes pass while the task runs, its worker renews the lease, and another worker drains
        later = start + dt.timedelta(minutes=20)
        clock.move_to(later)
        wait_for(lambda: TaskLease.objects.filter(task_result_id=result.id, renewed_at__gte=later).exists())
        call_command(
            "task_worker", "--batch", "--no-startup-delay", "--interval", "0", "--worker-id", "w2", verbosity=0
        )

        # then the task is still its first worker's, run once, and the worker's heartbeat is recent too
        row = DBTaskResult.objects.get(pk=result.id)
        assert (row.status, row.worker_ids, runs.names) == ("RUNNING", ["alive"], ["long"])
        assert ProcessHeartbeat.objects.get(kind=TASK_WORKER).seen_at >= later

        # and once it ends, it ended once, and its lease is gone
        runs.release.set()
        alive.join(timeout=60)
    assert not alive.is_alive()
    row = DBTaskResult.objects.get(pk=result.id)
    assert (row.status, row.return_value, row.worker_ids, runs.names) == ("SUCCESSFUL", 1, ["alive"], ["long"])
    assert not TaskLease.objects.exists()


def test_a_task_of_a_few_seconds_writes_no_lease(settings: Any) -> None:
    # given the default heartbeat interval (10 s)
    settings.ZHIFA_WORKER_HEARTBEAT_S = 10
    answer_task.enqueue()

    # when the worker runs a task that takes less than that
    call_command("task_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)

    # then it ran, and no lease was written or left
    assert results() == [("SUCCESSFUL", 42)]
    assert not TaskLease.objects.exists()


@pytest.mark.django_db(transaction=False)
def test_the_stale_limits_are_read_from_the_environment() -> None:
    names = ["ZHIFA_TASK_STALE_S", "ZHIFA_REPORT_STALE_S"]
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    )

    def read(**env: str) -> dict[str, Any]:
        run_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "ZHIFA_DEV": "1", **env}
        for name in names:
            if name not in env:
                run_env.pop(name, None)
        done = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=run_env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))

    assert read() == {"ZHIFA_TASK_STALE_S": 600.0, "ZHIFA_REPORT_STALE_S": 3600.0}
    assert read(ZHIFA_TASK_STALE_S="7200", ZHIFA_REPORT_STALE_S="14400") == {
        "ZHIFA_TASK_STALE_S": 7200.0,
        "ZHIFA_REPORT_STALE_S": 14400.0,
    }
