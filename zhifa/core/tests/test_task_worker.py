"""The task worker rides out a real transient database error, records its heartbeat and runs the task
that was waiting (issue 9, item 6): a SQLite write lock held past the busy timeout, or a PostgreSQL
connection the server terminated. ``db_worker`` itself exits on the terminated connection.
"""

import datetime as dt
import logging
import sqlite3
from typing import Any

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from zhifa.core.heartbeats import TASK_WORKER
from zhifa.core.models import ProcessHeartbeat

pytestmark = pytest.mark.django_db(transaction=True)


@task()
def answer_task() -> int:
    """A task of core's own (core may not import the domain apps' tasks): it only has to be run."""
    return 42


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


def test_a_task_left_running_by_a_worker_that_died_is_run_again(settings: Any) -> None:
    # given a task a worker claimed 20 minutes ago and never finished (the worker was killed), and one claimed
    # a minute ago by a worker still at it
    settings.ZHIFA_TASK_STALE_S = 600
    abandoned = answer_task.enqueue()
    busy = answer_task.enqueue()
    now = timezone.now()
    DBTaskResult.objects.filter(pk=abandoned.id).update(
        status="RUNNING", started_at=now - dt.timedelta(minutes=20), worker_ids=["gone"]
    )
    DBTaskResult.objects.filter(pk=busy.id).update(
        status="RUNNING", started_at=now - dt.timedelta(minutes=1), worker_ids=["alive"]
    )

    # when the worker drains what is ready
    call_command("task_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)

    # then the abandoned task ran to its end, and the one still within its time was left to its worker
    statuses = [DBTaskResult.objects.get(pk=result.id).status for result in (abandoned, busy)]
    assert statuses == ["SUCCESSFUL", "RUNNING"]
    assert DBTaskResult.objects.get(pk=abandoned.id).return_value == 42
