"""Idempotency keys are the caller's own, and a key stands for one content (issue 9, item 4).

The same caller with the same key and the same content is a retry: the first event, nothing written. The same
caller and key with other content is refused (409 ``idempotency_key_reused``), nothing written. Another caller
who chose the same key gets an event of their own, never the first caller's."""

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client

from conftest import POINT_IN_A, POINT_IN_B, migration_data_step
from zhifa.core.actors import SystemActor
from zhifa.core.errors import Conflict
from zhifa.core.models import AuditEntry
from zhifa.core.tokens import api_token_issue
from zhifa.events import services
from zhifa.events.models import Event, EventPhoto, EventTransition
from zhifa.events.services.common import caller_key
from zhifa.events.states import EventSource
from zhifa.events.tests.conftest import jpeg_bytes

URL = "/api/v1/events"


def _intake(world: Any, persona: str = "dispatcher", **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "actor": world.user(persona),
        "district": world.district,
        "source": EventSource.API,
        "description": "仁和路口流动摊贩占道",
        "lon": POINT_IN_A[0],
        "lat": POINT_IN_A[1],
        "idempotency_key": "k-1",
    }
    values.update(overrides)
    return services.event_intake(**values)


def _footprint() -> tuple[int, int, int, int, list[str]]:
    media = Path(settings.MEDIA_ROOT)
    files = sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()) if media.exists() else []
    return (
        Event.objects.count(),
        EventTransition.objects.count(),
        EventPhoto.objects.count(),
        AuditEntry.objects.count(),
        files,
    )


def _bearer(user: Any) -> Client:
    _, key = api_token_issue(actor=SystemActor("测试"), user=user, name="测试令牌")
    return Client(headers={"Authorization": f"Bearer {key}"})


def _post(client: Client, body: dict[str, Any], key: str) -> Any:
    return client.post(URL, data=json.dumps(body), content_type="application/json", headers={"Idempotency-Key": key})


BODY = {"description": "仁和路口流动摊贩占道", "lon": POINT_IN_A[0], "lat": POINT_IN_A[1]}


@pytest.mark.django_db
def test_a_retry_by_the_same_caller_with_the_same_content_is_the_first_event_and_writes_nothing(world: Any) -> None:
    # Given a report with a key and a photo
    first = _intake(world, photos=[("a.jpg", jpeg_bytes())])
    before = _footprint()
    # When the same caller sends it again, the fields in another order and the text with spaces around it
    retry = _intake(world, description="  仁和路口流动摊贩占道 ", photos=[("renamed.jpg", jpeg_bytes())])
    # Then it is answered with the first event, and nothing is written
    assert (first.created, retry.created, retry.event.pk) == (True, False, first.event.pk)
    assert _footprint() == before
    stored = Event.objects.get(pk=first.event.pk)
    assert (stored.idempotency_caller, len(stored.idempotency_fingerprint)) == (
        f"user:{world.user('dispatcher').pk}",
        64,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "other",
    [
        {"description": "另一件事：小区门口消防通道被堵"},
        {"lon": POINT_IN_A[0] + 0.001},
        {"reporter_phone": "13900000000"},
        {"attributes": {"楼层": "3"}},
        {"photos": [("b.jpg", jpeg_bytes((33, 24)))]},
    ],
    ids=["description", "point", "reporter", "attributes", "photo"],
)
def test_the_same_key_with_other_content_is_refused_and_writes_nothing(world: Any, other: dict[str, Any]) -> None:
    # Given a report with key k-1 (and a photo)
    _intake(world, photos=[("a.jpg", jpeg_bytes())])
    before = _footprint()
    # When the same caller sends something else under k-1
    with pytest.raises(Conflict) as refused:
        _intake(world, **{"photos": [("a.jpg", jpeg_bytes())], **other})
    # Then it is refused by its code, and nothing is written (no event, entry, photo row or file)
    assert (refused.value.code, refused.value.details) == ("idempotency_key_reused", {"idempotency_key": "k-1"})
    assert refused.value.message == "幂等键“k-1”已用于另一份不同内容的上报，请为新的上报使用新的幂等键"
    assert _footprint() == before


@pytest.mark.django_db
def test_another_caller_with_the_same_key_gets_an_event_of_its_own(world: Any) -> None:
    # Given street A's officer's report under key k-1
    first = _intake(world, "officer_a")
    # When street B's officer reports something else in street B under the same key, and a device too
    other = _intake(world, "officer_b", description="乙街道路边垃圾堆放", lon=POINT_IN_B[0], lat=POINT_IN_B[1])
    device = _intake(world, actor=SystemActor("设备CAM-001"), source=EventSource.API)
    # Then each is its own new event, and none is answered with another caller's
    assert (first.created, other.created, device.created) == (True, True, True)
    assert len({first.event.pk, other.event.pk, device.event.pk}) == 3
    assert list(Event.objects.order_by("pk").values_list("idempotency_caller", "idempotency_key", "street_id")) == [
        (f"user:{world.user('officer_a').pk}", "k-1", world.street_a.pk),
        (f"user:{world.user('officer_b').pk}", "k-1", world.street_b.pk),
        ("system:设备CAM-001", "k-1", world.street_a.pk),
    ]


def test_a_caller_is_named_by_account_or_system_label(world: Any) -> None:
    assert (caller_key(world.user("leader")), caller_key(SystemActor("设备CAM-9"))) == (
        f"user:{world.user('leader').pk}",
        "system:设备CAM-9",
    )


@pytest.mark.django_db
def test_the_api_answers_retry_200_other_content_409_and_another_caller_201(world: Any) -> None:
    dispatcher, leader = _bearer(world.user("dispatcher")), _bearer(world.user("leader"))

    first = _post(dispatcher, BODY, "abc-1")
    retry = _post(dispatcher, BODY, "abc-1")
    before = _footprint()
    reused = _post(dispatcher, {**BODY, "description": "另一件事"}, "abc-1")
    after_refusal = _footprint()
    other = _post(leader, {**BODY, "description": "领导看到的另一件事"}, "abc-1")

    assert (first.status_code, retry.status_code, reused.status_code, other.status_code) == (201, 200, 409, 201)
    assert retry.json()["id"] == first.json()["id"]
    assert reused.json() == {
        "code": "idempotency_key_reused",
        "message": "幂等键“abc-1”已用于另一份不同内容的上报，请为新的上报使用新的幂等键",
        "details": {"idempotency_key": "abc-1"},
    }
    assert after_refusal == before
    assert other.json()["id"] != first.json()["id"]
    assert other.json()["description"] == "领导看到的另一件事"


@pytest.mark.django_db
def test_a_multipart_retry_with_the_same_photo_is_200_and_another_photo_409(world: Any) -> None:
    client = _bearer(world.user("dispatcher"))

    def send(photo: bytes) -> Any:
        return client.post(
            URL,
            data={"payload": json.dumps(BODY), "photos": [SimpleUploadedFile("p.jpg", photo, "image/jpeg")]},
            headers={"Idempotency-Key": "m-1"},
        )

    first, retry = send(jpeg_bytes()), send(jpeg_bytes())
    other = send(jpeg_bytes((48, 48)))

    assert (first.status_code, retry.status_code, other.status_code) == (201, 200, 409)
    assert other.json()["code"] == "idempotency_key_reused"
    assert EventPhoto.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_sends_of_one_key_make_one_event_per_caller(world: Any) -> None:
    """Two copies of one report sent at once by each of two callers (a phone's outbox and a double tap): the
    unique constraint decides, so each caller gets one event and both its copies are answered with it."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory test database is single-writer; run on PostgreSQL")
    results: dict[tuple[str, int], Any] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def send(persona: str, copy: int) -> None:
        try:
            lon = POINT_IN_A[0] if persona == "officer_a" else POINT_IN_B[0]
            barrier.wait()
            results[(persona, copy)] = _intake(world, persona, lon=lon, auto_triage=False)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(p, c)) for p in ("officer_a", "officer_b") for c in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    for persona in ("officer_a", "officer_b"):
        copies = [results[(persona, 1)], results[(persona, 2)]]
        assert sorted(r.created for r in copies) == [False, True]
        assert copies[0].event.pk == copies[1].event.pk
    assert results[("officer_a", 1)].event.pk != results[("officer_b", 1)].event.pk
    assert Event.objects.count() == 2


@pytest.mark.django_db
def test_keys_stored_before_migration_0009_get_their_caller_and_a_retry_still_finds_its_event(world: Any) -> None:
    # Given a phone's keyed report and a device's alert as they were stored before keys had callers
    from django.apps import apps

    fill = migration_data_step("events", "0009_idempotency_key_per_caller")
    phone = _intake(world, "officer_a", source=EventSource.PATROL, reporter_user=world.user("officer_a"))
    alert = _intake(
        world,
        actor=SystemActor("设备CAM-001"),
        source=EventSource.AI_CAMERA,
        source_ref="CAM-001",
        idempotency_key="CAM-001:7",
    )
    unkeyed = _intake(world, idempotency_key="")
    Event.objects.update(idempotency_caller="", idempotency_fingerprint="")
    # When the migration's data step runs
    fill(apps, None)
    # Then each keyed event has the caller intake now names, and a retry (any content: the first copy's is not
    # known) is answered with it
    assert dict(Event.objects.values_list("pk", "idempotency_caller")) == {
        phone.event.pk: f"user:{world.user('officer_a').pk}",
        alert.event.pk: "system:设备CAM-001",
        unkeyed.event.pk: "",
    }
    retry = _intake(
        world, "officer_a", source=EventSource.PATROL, description="重发", reporter_user=world.user("officer_a")
    )
    assert (retry.created, retry.event.pk) == (False, phone.event.pk)
