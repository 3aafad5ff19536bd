"""The new-task notice outside the open phone page (issue 16): dispatch enqueues one per officer after the
commit, the task worker sends it through the configured channel — here the HTTP one, against a fake gateway
on 127.0.0.1 (only the network is faked) — and a failed send is tried again by the worker."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from conftest import POINT_IN_A, World
from zhifa.events import services
from zhifa.events.models import Event, EventAssignment
from zhifa.events.outbound import task_notice_send
from zhifa.events.services.receipts import task_receipt_record
from zhifa.events.states import EventPriority, EventSource
from zhifa.events.tests.conftest import officer_of

# The worker claims tasks in its own transactions, as in production: the test's writes must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = "gateway-secret-token"


class Gateway:
    """A fake SMS / work-notice gateway: answers each POST with the next status of ``statuses`` (then 200)."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.received.append(
                    {
                        "authorization": self.headers.get("Authorization"),
                        "idempotency_key": self.headers.get("Idempotency-Key"),
                        "json": json.loads(body),
                    }
                )
                status = gateway.statuses.pop(0) if gateway.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/notice"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def gateway(settings: Any) -> Iterator[Gateway]:
    fake = Gateway()
    settings.ZHIFA_MESSAGING_CHANNEL = "http"
    settings.ZHIFA_MESSAGING_HTTP_URL = fake.url
    settings.ZHIFA_MESSAGING_HTTP_TOKEN = TOKEN
    settings.ZHIFA_MESSAGING_HTTP_TIMEOUT_S = 5
    settings.ZHIFA_MESSAGING_RETRY_BASE_S = 0  # the retry is due at once: the worker's next drain takes it
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def run_worker() -> None:
    call_command("task_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)


def urgent_event(world: World) -> Event:
    event = services.event_intake(
        actor=world.user("dispatcher"),
        district=world.district,
        source=EventSource.HOTLINE,
        description="仁和路口有流动摊贩占道经营，来电人 13812341234",
        lon=POINT_IN_A[0],
        lat=POINT_IN_A[1],
    ).event
    Event.objects.filter(pk=event.pk).update(priority=EventPriority.URGENT)
    event.refresh_from_db()
    return event


def test_dispatch_sends_each_officer_a_notice_through_the_gateway_after_commit(world: World, gateway: Gateway) -> None:
    event = urgent_event(world)
    with transaction.atomic():
        services.event_dispatch(actor=world.user("dispatcher"), event=event, officers=[officer_of(world, "officer_a")])
        # Nothing is queued before the dispatch commits.
        assert not DBTaskResult.objects.exists()
    assert DBTaskResult.objects.count() == 1
    run_worker()

    [sent] = gateway.received
    assignment = EventAssignment.objects.get(event=event)
    assert sent["authorization"] == f"Bearer {TOKEN}"
    assert sent["idempotency_key"] == f"task-{assignment.pk}"
    officer = officer_of(world, "officer_a")
    assert sent["json"]["recipient"] == {
        "user_id": officer.user_id,
        "username": "officer_a",
        "name": officer.name,
        "phone": officer.phone,
    }
    message = sent["json"]["message"]
    assert message["title"] == f"【紧急】新派遣任务 {event.public_no}"
    assert (message["is_urgent"], message["url"]) == (True, f"/m/events/{event.pk}/")
    assert "13812341234" not in json.dumps(sent["json"])  # the caller's words stay on the server
    assert list(DBTaskResult.objects.values_list("return_value", flat=True)) == ["sent"]


def test_a_failed_send_is_tried_again_by_the_worker(world: World, gateway: Gateway) -> None:
    gateway.statuses = [503]
    services.event_dispatch(
        actor=world.user("dispatcher"), event=urgent_event(world), officers=[officer_of(world, "officer_a")]
    )
    run_worker()
    run_worker()

    assert len(gateway.received) == 2
    assert gateway.received[0]["json"] == gateway.received[1]["json"]  # the same message, the same id
    results = sorted(str(v) for v in DBTaskResult.objects.values_list("return_value", flat=True))
    assert results == ["retry 2: 消息网关答复 503", "sent"]


def test_a_refused_send_is_not_tried_again(world: World, gateway: Gateway) -> None:
    gateway.statuses = [401]
    services.event_dispatch(
        actor=world.user("dispatcher"), event=urgent_event(world), officers=[officer_of(world, "officer_a")]
    )
    run_worker()
    assert len(gateway.received) == 1
    assert list(DBTaskResult.objects.values_list("return_value", flat=True)) == ["failed: 消息网关答复 401"]


def test_no_notice_for_a_task_already_seen_or_taken_away(world: World, gateway: Gateway) -> None:
    event = urgent_event(world)
    services.event_dispatch(actor=world.user("dispatcher"), event=event, officers=[officer_of(world, "officer_a")])
    first = EventAssignment.objects.get(event=event)
    task_receipt_record(actor=world.user("officer_a"), event_ids=[event.pk], is_seen=True)
    assert task_notice_send.call(first.pk, 1) == "skipped: seen on the phone"

    services.event_redispatch(
        actor=world.user("dispatcher"), event=event, officers=[officer_of(world, "officer_b")], reason="就近改派"
    )
    assert task_notice_send.call(first.pk, 1) == "skipped: no longer assigned"
    assert gateway.received == []


def test_the_default_channel_only_logs(world: World, caplog: Any) -> None:
    event = urgent_event(world)
    services.event_dispatch(actor=world.user("dispatcher"), event=event, officers=[officer_of(world, "officer_a")])
    with caplog.at_level("INFO", logger="zhifa.messaging"):
        run_worker()
    assert any(f"新派遣任务 {event.public_no}" in r.getMessage() for r in caplog.records)
