"""The clock watcher rides out a real transient database error and escalates on its next scan (issue 9,
item 6): a SQLite write lock held past the busy timeout, or a PostgreSQL connection the server terminated.

The lock is released (the connection left alone) by a logging handler when the watcher reports the failure,
so exactly one scan fails, whatever the machine's speed.
"""

import datetime as dt
import logging
import sqlite3
from typing import Any

import psycopg
import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from zhifa.core.heartbeats import CLOCK_WATCH
from zhifa.core.models import ProcessHeartbeat
from zhifa.events.models import EventEscalation
from zhifa.events.tests.conftest import walk_to

pytestmark = pytest.mark.django_db(transaction=True)


class OnRetry(logging.Handler):
    """Calls ``action`` once, when the watcher logs its first retry; counts the retries."""

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
    handlers: list[OnRetry] = []

    def attach(action: Any) -> OnRetry:
        handler = OnRetry(action)
        logging.getLogger("zhifa.workers").addHandler(handler)
        handlers.append(handler)
        return handler

    yield attach
    for handler in handlers:
        logging.getLogger("zhifa.workers").removeHandler(handler)


def overdue_event(world: Any) -> Any:
    """Dispatched two minutes ago and not acknowledged: its acknowledge clock (1 min) is one step overdue."""
    with time_machine.travel(timezone.now() - dt.timedelta(minutes=2), tick=False):
        return walk_to(world, "dispatched")


def escalations(event: Any) -> list[tuple[str, int]]:
    return list(EventEscalation.objects.filter(event=event).order_by("pk").values_list("clock", "level"))


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_the_watcher_survives_a_locked_sqlite_database(
    world: Any, on_retry: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    # given an overdue event, a busy timeout short enough for the test, and another connection that
    # holds the write lock
    event = overdue_event(world)
    options = dict(connection.settings_dict["OPTIONS"])
    options["init_command"] = options["init_command"].replace("busy_timeout=15000", "busy_timeout=50")
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", options)
    connection.close()
    holder = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    handler = on_retry(lambda: holder.execute("COMMIT"))

    # when the watcher runs until one scan succeeds
    call_command("clock_watch", "--scans", "1")
    holder.close()

    # then the first scan failed on the lock, was logged, and the next one escalated the event
    assert len(handler.messages) == 1
    assert handler.messages[0].startswith("clock_watch: 数据库暂时不可用（OperationalError: database is locked）")
    assert escalations(event) == [("acknowledge", 1)]
    assert f"{event.public_no} acknowledge L1" in capsys.readouterr().out
    assert list(ProcessHeartbeat.objects.values_list("kind", "interval_s")) == [(CLOCK_WATCH, 10.0)]


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_the_watcher_survives_a_terminated_postgresql_connection(world: Any, on_retry: Any, capsys: Any) -> None:
    # given an overdue event and the watcher's connection terminated by the server
    event = overdue_event(world)
    connection.ensure_connection()
    backend_pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    params.pop("pool", None)
    params.pop("server_side_binding", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", [backend_pid]).fetchone() == (True,)
    handler = on_retry(lambda: None)

    # when the watcher runs until one scan succeeds
    call_command("clock_watch", "--scans", "1")

    # then the first scan failed on the dead connection, was logged, and the next one escalated the event
    assert len(handler.messages) == 1
    assert handler.messages[0].startswith("clock_watch: 数据库暂时不可用（OperationalError: ")
    assert escalations(event) == [("acknowledge", 1)]
    assert f"{event.public_no} acknowledge L1" in capsys.readouterr().out
    assert list(ProcessHeartbeat.objects.values_list("kind", "interval_s")) == [(CLOCK_WATCH, 10.0)]
