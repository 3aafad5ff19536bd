"""The API of issue 16's contacts and closing: the audited look at the caller's number, the 12345 ticket's
fields at intake, closing with the call-back, and 退回12345 (action send_back, an EventAction value)."""

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.test import Client

from conftest import POINT_IN_A
from zhifa.core.actors import SystemActor
from zhifa.core.models import AuditEntry
from zhifa.core.tokens import api_token_issue
from zhifa.events.api import ACTIONS
from zhifa.events.models import Event, EventCallback
from zhifa.events.services.contacts import AUDIT_ACTION
from zhifa.events.states import EventAction
from zhifa.events.tests.conftest import walk_to

pytestmark = pytest.mark.django_db
URL = "/api/v1/events"
T0 = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in Shanghai
CALL = {
    "source": "hotline",
    "description": "仁和路口流动摊贩占道",
    "lon": POINT_IN_A[0],
    "lat": POINT_IN_A[1],
    "reporter_name": "王先生",
    "reporter_phone": "13812341234",
}


def session(user: Any) -> Client:
    """A bearer token's client (the phone's and integrations' way in; a session would ask some roles for
    their second factor first)."""
    _, key = api_token_issue(actor=SystemActor("测试"), user=user, name="测试令牌")
    return Client(headers={"Authorization": f"Bearer {key}"})


def post_json(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def looks() -> int:
    return AuditEntry.objects.filter(action=AUDIT_ACTION).count()


@pytest.mark.parametrize("persona", ["dispatcher", "street_dispatcher_a", "officer_a"])
def test_the_number_is_masked_in_the_detail_and_given_whole_on_request_with_an_audit_entry(
    world: Any, persona: str
) -> None:
    event = walk_to(world, "dispatched")
    client = session(world.user(persona))

    detail = client.get(f"{URL}/{event.pk}").json()
    revealed = client.post(f"{URL}/{event.pk}/reporter-phone")

    assert (detail["reporter_phone"], detail["can_reveal_reporter_phone"]) == ("138****1234", True)
    assert revealed.status_code == 200
    assert revealed.json() == {"reporter_phone": "13812341234", "tel_url": "tel:13812341234"}
    entry = AuditEntry.objects.get(action=AUDIT_ACTION)
    assert (entry.actor_id, entry.object_id) == (world.user(persona).pk, str(event.pk))


@pytest.mark.parametrize(
    ("persona", "status", "code"),
    [
        ("officer_b", 404, "event_not_found"),  # another street, never sent: not theirs to know of
        ("auxiliary_a", 403, "phone_reveal_not_allowed"),
        ("leader", 403, "phone_reveal_not_allowed"),
        ("business_owner", 404, "event_not_found"),
    ],
)
def test_anyone_else_is_refused_and_no_audit_entry_is_written(world: Any, persona: str, status: int, code: str) -> None:
    event = walk_to(world, "dispatched")
    client = session(world.user(persona))

    refused = client.post(f"{URL}/{event.pk}/reporter-phone")

    assert (refused.status_code, refused.json()["code"]) == (status, code)
    assert looks() == 0
    if status == 403:
        assert client.get(f"{URL}/{event.pk}").json()["can_reveal_reporter_phone"] is False


def test_an_officer_not_assigned_is_refused(world: Any, colleague: Any) -> None:
    event = walk_to(world, "dispatched")

    refused = session(colleague.user).post(f"{URL}/{event.pk}/reporter-phone")

    assert (refused.status_code, refused.json()["code"]) == (403, "phone_reveal_not_allowed")
    assert looks() == 0


def test_the_reveal_is_no_get(world: Any) -> None:
    event = walk_to(world, "dispatched")

    response = session(world.user("dispatcher")).get(f"{URL}/{event.pk}/reporter-phone")

    assert response.status_code == 405
    assert looks() == 0


@time_machine.travel(T0, tick=False)
def test_a_hotline_call_is_taken_with_its_ticket_number_and_call_time(world: Any) -> None:
    client = session(world.user("dispatcher"))

    response = post_json(
        client, URL, {**CALL, "hotline_ticket_no": "HZ20260601000123", "called_at": "2026-06-01T09:50:00+08:00"}
    )

    assert response.status_code == 201
    body = response.json()
    called = dt.datetime.fromisoformat(body["called_at"])
    assert (body["hotline_ticket_no"], called) == ("HZ20260601000123", dt.datetime(2026, 6, 1, 1, 50, tzinfo=dt.UTC))
    assert Event.objects.get().called_at == called


@time_machine.travel(T0, tick=False)
@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"hotline_ticket_no": "#123"}, "hotline_ticket_invalid"),
        ({"hotline_ticket_no": "HZ123456", "source": "api"}, "hotline_ticket_not_hotline"),
        ({"called_at": "2026-06-01T11:00:00+08:00"}, "called_at_in_future"),
        ({"called_at": "2026-06-01T09:50:00"}, "called_at_naive"),
    ],
)
def test_bad_ticket_fields_are_422_with_their_code_and_nothing_is_stored(
    world: Any, fields: dict[str, Any], code: str
) -> None:
    response = post_json(session(world.user("dispatcher")), URL, {**CALL, **fields})

    assert response.status_code == 422
    assert response.json()["code"] == code
    assert Event.objects.count() == 0


def test_close_through_the_api_with_the_call_back(world: Any) -> None:
    event = walk_to(world, "verified", hotline_ticket_no="HZ20260601000123")
    client = session(world.user("dispatcher"))
    url = f"{URL}/{event.pk}/actions/close"

    missing = post_json(client, url, {"comment": "已办结"})
    closed = post_json(
        client,
        url,
        {"comment": "已办结", "callback_result": "basically_satisfied", "hotline_reply": "已办结，请知悉。"},
    )

    assert (missing.status_code, missing.json()["code"]) == (422, "callback_required")
    assert closed.status_code == 200
    body = closed.json()
    assert (body["status"], body["hotline_reply"], body["transitions"][-1]["reason"]) == (
        "closed",
        "已办结，请知悉。",
        "已办结",
    )
    assert [(c["result"], c["result_label"], c["actor_label"]) for c in body["callbacks"]] == [
        ("basically_satisfied", "已回访基本满意", "dispatcher")
    ]
    assert EventCallback.objects.count() == 1


def test_send_back_is_an_action_named_as_the_workflow_names_it(world: Any) -> None:
    event = walk_to(world, "triaged")
    client = session(world.user("dispatcher"))
    url = f"{URL}/{event.pk}/actions/send_back"

    no_reason = post_json(client, url, {})
    by_officer = post_json(session(world.user("officer_a")), url, {"reason": "不属本区"})
    sent = post_json(client, url, {"reason": "属供电公司职责"})
    again = post_json(client, url, {"reason": "属供电公司职责"})

    assert EventAction.SEND_BACK.value in ACTIONS
    assert (no_reason.status_code, no_reason.json()["code"]) == (422, "reason_required")
    assert (by_officer.status_code, by_officer.json()["code"]) == (403, "permission_denied")
    assert (sent.status_code, sent.json()["status"], sent.json()["status_label"]) == (200, "sent_back", "已退回12345")
    assert (again.status_code, again.json()["code"]) == (409, "invalid_transition")
