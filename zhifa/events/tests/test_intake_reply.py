"""The reply to POST /api/v1/events is built from what intake wrote, not read back (ADR 0005): it must be
exactly what a GET of the same event answers, whatever the triage did, and follow edits of the places,
matters and departments it names. Real classifier, dedup and grid index — no fakes."""

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conftest import POINT_IN_A
from zhifa.catalog.kinds import kind_rows, kind_update, kinds_write
from zhifa.catalog.models import ClockPolicy, ComplaintKind
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.core.actors import SystemActor
from zhifa.core.models import AuditEntry
from zhifa.core.tokens import api_token_issue
from zhifa.events.models import Event
from zhifa.events.tests.conftest import jpeg_bytes
from zhifa.org.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/events"


def _client(world: Any, persona: str = "dispatcher") -> Client:
    _, key = api_token_issue(actor=SystemActor("测试"), user=world.user(persona), name="测试令牌")
    return Client(headers={"Authorization": f"Bearer {key}"})


def _post(client: Client, **fields: Any) -> dict[str, Any]:
    body = {"lon": POINT_IN_A[0], "lat": POINT_IN_A[1], "reporter_phone": "13812341234", **fields}
    response = client.post(URL, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    return dict(response.json())


def _get(client: Client, event_id: int) -> dict[str, Any]:
    response = client.get(f"{URL}/{event_id}")
    assert response.status_code == 200
    return dict(response.json())


@pytest.fixture
def matters(world: Any) -> dict[str, Any]:
    # A department that works jointly with the command centre but whose officers do not sink to the streets.
    housing = DepartmentFactory(
        district=world.district, code="ZJ", name="区住房和城乡建设局", is_sinking=False, is_coordinating=True
    )
    kinds_write(district_id=world.district.pk, rows=kind_rows())  # its kinds (物业管理) now that it exists
    return {
        "stall": MatterFactory(department=world.enforcement_dept, name="占道经营", keywords="占道经营 摆摊 摊贩"),
        "price": MatterFactory(department=housing, name="物业未公示收费标准", keywords="收费标准 公示"),
    }


def test_the_reply_is_what_a_read_of_the_event_answers_in_every_triage_outcome(
    world: Any, matters: dict[str, Any]
) -> None:
    client = _client(world)
    replies = [
        _post(client, description="路口有摊贩摆摊占道经营"),  # classified, zone team
        _post(client, description="路口又有摊贩摆摊"),  # the same nearby: merged into the first
        _post(client, description="小区物业没有公示收费标准"),  # a coordinating department's matter
        _post(client, description="今天天气不错"),  # nothing to go on: the human triage queue
        # The matter given by the reporter, 300 m away from the first (no duplicate).
        _post(client, description="门口一直有人", matter_code=matters["stall"].code, lon=POINT_IN_A[0] + 0.003),
    ]

    assert [(r["status"], r["route"]) for r in replies] == [
        ("triaged", "zone_team"),
        ("merged", ""),
        ("triaged", "coordination"),
        ("triaged", "manual"),
        ("triaged", "zone_team"),
    ]
    assert replies[1]["merged_into_id"] == replies[0]["id"]
    assert replies[2]["department"]["id"] == matters["price"].department_id
    assert replies[3]["matter"] is None
    for reply in replies:
        assert reply == _get(client, reply["id"])


def test_a_reply_with_photos_lists_them_as_a_read_does(world: Any, matters: dict[str, Any]) -> None:
    client = _client(world, "officer_a")
    photo = SimpleUploadedFile("scene.jpg", jpeg_bytes(), content_type="image/jpeg")
    payload = {"description": "路口有摊贩摆摊", "lon": POINT_IN_A[0], "lat": POINT_IN_A[1], "source": "patrol"}

    response = client.post(URL, data={"payload": json.dumps(payload), "photos": [photo]})

    assert response.status_code == 201
    reply = response.json()
    assert len(reply["photos"]) == 1
    assert reply == _get(client, reply["id"])


def test_renamed_places_and_a_kind_routed_on_site_show_in_the_next_reply(world: Any, matters: dict[str, Any]) -> None:
    client = _client(world)
    before = _post(client, description="小区物业没有公示收费标准")
    world.street_a.name = "新名街道"
    world.street_a.save()
    # The district decides that property complaints are worked on site by the street teams (1530 clocks).
    property_kind = ComplaintKind.objects.get(district=world.district, code="WY-GL")
    kind_update(actor=world.user("dispatcher"), kind_id=property_kind.pk, changes={"clock_policy": ClockPolicy.ON_SITE})

    after = _post(client, description="隔壁小区物业也没有公示收费标准", lon=POINT_IN_A[0] + 0.002)

    assert (before["street"]["name"], before["route"]) == ("甲街道", "coordination")
    assert (after["street"]["name"], after["route"]) == ("新名街道", "zone_team")
    assert after == _get(client, after["id"])


def test_a_retry_gets_the_first_event_and_leaves_no_trace(world: Any, matters: dict[str, Any]) -> None:
    client = _client(world)
    body = {"description": "路口有摊贩摆摊", "lon": POINT_IN_A[0], "lat": POINT_IN_A[1]}
    first = client.post(URL, data=json.dumps(body), content_type="application/json", headers={"Idempotency-Key": "k-1"})
    entries = AuditEntry.objects.count()

    retry = client.post(URL, data=json.dumps(body), content_type="application/json", headers={"Idempotency-Key": "k-1"})
    after_retry = AuditEntry.objects.count()
    other = _post(client, description="另一处有摊贩", lon=POINT_IN_A[0] + 0.003)

    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json() == first.json()
    assert after_retry == entries  # the refused INSERT was rolled back with everything else
    # The retry's number went back with its transaction: the next event takes the one after the first.
    assert int(other["public_no"][-6:]) == int(first.json()["public_no"][-6:]) + 1
    assert Event.objects.count() == 2


def test_the_reply_reads_none_of_the_events_related_rows_back(world: Any, matters: dict[str, Any]) -> None:
    # Every list in the detail (transitions, photos, officers, exceptions, relocations, call-backs …) comes from
    # what intake wrote or knows is empty: a list added to the detail without it costs every intake a query.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(world)
    _post(client, description="热身：另一个路口有人摆摊", lon=POINT_IN_A[0] + 0.003)
    photo = SimpleUploadedFile("scene.jpg", jpeg_bytes(), content_type="image/jpeg")
    body = {"lon": POINT_IN_A[0], "lat": POINT_IN_A[1], "description": "路口有人摆摊"}

    with CaptureQueriesContext(connection) as queries:
        response = client.post(URL, data={"payload": json.dumps(body, ensure_ascii=False), "photos": [photo]})

    assert response.status_code == 201
    related_reads = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT") and 'FROM "events_' in q["sql"]
    ]
    # The one read intake needs: the duplicate check of a classified event (占道经营 here).
    assert len(related_reads) == 1 and "e.matter_id" in related_reads[0], related_reads
