"""An Open311 client's retry is the request it repeats, not a second event (issue 10).

A client that lost the reply to a POST sends it again. Under its own ``Idempotency-Key``, or — without one —
as the same form from the same account within the retry window, it gets the first request's
``service_request_id`` back (200) and nothing is written; the same key with other content is refused in the
spec's error format with our machine code, and nothing is written."""

import datetime as dt
import threading
from typing import Any

import pytest
import time_machine
from django.db import connection, connections
from django.test import Client

from conftest import POINT_IN_A, World
from zhifa.catalog.models import Domain, Matter
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.core.models import AuditEntry
from zhifa.core.tokens import api_token_issue
from zhifa.events.models import Event, EventTransition
from zhifa.integrations.tests.test_open311 import BASE, NOW, POST_RESPONSE_FIELDS, as_json, form, tags, xml

URL = f"{BASE}/requests.json"
REUSED = "幂等键“app-1”已用于另一份不同内容的上报，请为新的上报使用新的幂等键"


@pytest.fixture
def catering(world: World) -> Matter:
    """A matter with attributes (test_open311's own, whose ``form`` answers them)."""
    return MatterFactory(
        department=world.enforcement_dept, code="ZJ-YY-001", name="餐饮服务业油烟直排", domain=Domain.CATERING_FUMES
    )


@pytest.fixture
def api_key(world: World) -> str:
    _, key = api_token_issue(actor=world.user("dispatcher"), user=world.user("dispatcher"), name="市民App")
    return key


def _footprint() -> tuple[int, int, int]:
    return Event.objects.count(), EventTransition.objects.count(), AuditEntry.objects.count()


def _post(client: Client, data: dict[str, Any], key: str = "", fmt: str = "json") -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(f"{BASE}/requests.{fmt}", data, headers=headers)


def _answer(response: Any, fmt: str) -> tuple[str, str]:
    """(service_request_id, account_id) of a POST's answer, which has the spec's fields in either format."""
    if fmt == "json":
        [body] = as_json(response)
        assert set(body) == POST_RESPONSE_FIELDS
        return body["service_request_id"], body["account_id"]
    [item] = xml(response)
    assert (item.tag, tags(item)) == ("request", POST_RESPONSE_FIELDS)
    return item.findtext("service_request_id") or "", item.findtext("account_id") or ""


# --- the client's own key ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_resend_under_its_key_after_the_reply_was_lost_gets_the_first_request_and_writes_nothing(
    client: Client, catering: Matter, api_key: str, fmt: str
) -> None:
    # Given a POST that was stored, whose reply never reached the client
    _post(client, form(catering, api_key), key="app-1", fmt=fmt)
    stored = Event.objects.get()
    before = _footprint()

    # When the client sends it again, a minute later, under the same key
    with time_machine.travel(dt.timedelta(minutes=1)):
        response = _post(client, form(catering, api_key), key="app-1", fmt=fmt)

    # Then it gets the first request's id in the POST's usual shape, and nothing more is written
    assert response.status_code == 200
    assert _answer(response, fmt) == (stored.public_no, "acc-42")
    assert _footprint() == before


def test_a_key_holds_past_the_window(client: Client, catering: Matter, api_key: str, settings: Any) -> None:
    first = _post(client, form(catering, api_key), key="app-1")

    with time_machine.travel(dt.timedelta(seconds=settings.ZHIFA_OPEN311_RETRY_WINDOW_SECONDS * 10)):
        again = _post(client, form(catering, api_key), key="app-1")

    assert (first.status_code, again.status_code) == (201, 200)
    assert _answer(again, "json") == _answer(first, "json")
    assert Event.objects.count() == 1


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_same_key_with_other_content_is_refused_with_its_code_and_writes_nothing(
    client: Client, catering: Matter, api_key: str, fmt: str
) -> None:
    _post(client, form(catering, api_key), key="app-1")
    before = _footprint()

    response = _post(client, form(catering, api_key, description="另一家饭店油烟扰民"), key="app-1", fmt=fmt)

    assert (response.status_code, response["Zhifa-Error-Code"]) == (409, "idempotency_key_reused")
    if fmt == "json":
        assert as_json(response) == [{"code": 409, "description": REUSED}]
    else:
        assert [(e.tag, e.findtext("code"), e.findtext("description")) for e in xml(response)] == [
            ("error", "409", REUSED)
        ]
    assert _footprint() == before
    assert Event.objects.get().description == "饭店油烟直接排到居民楼"


def test_another_account_using_the_same_key_gets_a_request_of_its_own(
    client: Client, world: World, catering: Matter, api_key: str
) -> None:
    _, other_key = api_token_issue(actor=world.user("officer_a"), user=world.user("officer_a"), name="巡查App")
    first = _post(client, form(catering, api_key), key="app-1")

    other = _post(client, form(catering, other_key), key="app-1")

    assert (first.status_code, other.status_code) == (201, 201)
    assert _answer(first, "json")[0] != _answer(other, "json")[0]
    assert Event.objects.count() == 2


def test_a_key_longer_than_100_characters_is_400_and_writes_nothing(
    client: Client, catering: Matter, api_key: str
) -> None:
    response = _post(client, form(catering, api_key), key="k" * 101)

    assert (response.status_code, response["Zhifa-Error-Code"]) == (400, "field_too_long")
    assert as_json(response) == [{"code": 400, "description": "字段 idempotency_key 不能超过100个字符"}]
    assert _footprint()[0] == 0


# --- without a key: the same form from the same account within the window ------------------------------
# NOW (02:00 UTC) starts one of the window's 10-minute slots; the cases cross into the next slot too.


@pytest.mark.parametrize(
    ("first_at", "again_at"),
    [
        (dt.timedelta(minutes=1), dt.timedelta(minutes=3)),  # one slot
        (dt.timedelta(minutes=9), dt.timedelta(minutes=10, seconds=30)),  # the next slot, 90 s later
        (dt.timedelta(minutes=1), dt.timedelta(minutes=10, seconds=59)),  # the next slot, 9 min 59 s later
        (dt.timedelta(0), dt.timedelta(minutes=10)),  # the window's full length
    ],
    ids=["same-slot", "next-slot", "next-slot-near-the-end", "window-length"],
)
def test_a_resend_without_a_key_within_the_window_gets_the_first_request(
    client: Client, catering: Matter, api_key: str, first_at: dt.timedelta, again_at: dt.timedelta
) -> None:
    with time_machine.travel(NOW + first_at, tick=False):
        first = _post(client, form(catering, api_key))
    before = _footprint()

    # The same form, its fields in another order (a client library may send them so)
    with time_machine.travel(NOW + again_at, tick=False):
        again = _post(client, dict(reversed(form(catering, api_key).items())))

    assert (first.status_code, again.status_code) == (201, 200)
    assert _answer(again, "json") == _answer(first, "json") == (Event.objects.get().public_no, "acc-42")
    assert _footprint() == before


@pytest.mark.parametrize(
    ("first_at", "again_at"),
    [
        (dt.timedelta(minutes=1), dt.timedelta(minutes=11, seconds=1)),  # the next slot, past the window
        (dt.timedelta(0), dt.timedelta(minutes=20)),  # two slots on
    ],
    ids=["next-slot-past-the-window", "two-slots-on"],
)
def test_the_same_form_after_the_window_is_a_new_request(
    client: Client, catering: Matter, api_key: str, first_at: dt.timedelta, again_at: dt.timedelta
) -> None:
    with time_machine.travel(NOW + first_at, tick=False):
        first = _post(client, form(catering, api_key))
    with time_machine.travel(NOW + again_at, tick=False):
        again = _post(client, form(catering, api_key))

    assert (first.status_code, again.status_code) == (201, 201)
    assert _answer(first, "json")[0] != _answer(again, "json")[0]
    assert Event.objects.count() == 2


@pytest.mark.parametrize(
    "change",
    [
        {"description": "饭店油烟直接排到居民楼，晚上更严重"},
        {"lat": str(POINT_IN_A[1] + 0.001)},
        {"attribute[duration]": "today"},
        {"first_name": "小红"},
    ],
    ids=["description", "point", "attribute", "reporter"],
)
def test_another_form_within_the_window_is_a_new_request(
    client: Client, catering: Matter, api_key: str, change: dict[str, str]
) -> None:
    with time_machine.travel(NOW, tick=False):
        first = _post(client, form(catering, api_key))
        other = _post(client, form(catering, api_key, **change))

    assert (first.status_code, other.status_code) == (201, 201)
    assert Event.objects.count() == 2


def test_the_same_form_from_another_account_is_a_new_request(
    client: Client, world: World, catering: Matter, api_key: str
) -> None:
    _, other_key = api_token_issue(actor=world.user("officer_a"), user=world.user("officer_a"), name="巡查App")
    with time_machine.travel(NOW, tick=False):
        first = _post(client, form(catering, api_key))
        other = _post(client, form(catering, other_key))

    assert (first.status_code, other.status_code) == (201, 201)
    assert Event.objects.count() == 2


def test_a_window_of_zero_makes_every_post_without_a_key_new(
    client: Client, catering: Matter, api_key: str, settings: Any
) -> None:
    settings.ZHIFA_OPEN311_RETRY_WINDOW_SECONDS = 0
    with time_machine.travel(NOW, tick=False):
        statuses = [_post(client, form(catering, api_key)).status_code for _ in range(2)]

    assert statuses == [201, 201]
    assert Event.objects.count() == 2


# --- at the same time ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("key", ["app-1", ""], ids=["own-key", "window"])
def test_two_copies_sent_at_once_make_one_request(world: World, catering: Matter, api_key: str, key: str) -> None:
    """A client that retries before its first send was answered: the unique constraint decides, so one copy
    creates the request and the other is answered with it."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's test database is single-writer; run on PostgreSQL")
    responses: list[Any] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def send() -> None:
        try:
            barrier.wait()
            responses.append(_post(Client(), form(catering, api_key), key=key))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert sorted(r.status_code for r in responses) == [200, 201]
    assert {_answer(r, "json")[0] for r in responses} == {Event.objects.get().public_no}
