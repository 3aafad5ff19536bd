"""Leads from events and the simple procedure through /api/v1/cases, and the list's cost."""

import base64
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhifa.cases.models import Case, CaseStatus
from zhifa.cases.tests.conftest import CaseWorld, bearer, lead
from zhifa.core.actors import SystemActor
from zhifa.documents.services import allot_range
from zhifa.events.models import EventPhoto
from zhifa.events.states import EventSource
from zhifa.events.tests.factories import EventFactory, HandledEventFactory

URL = "/api/v1/cases"
SIGNATURE = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def test_a_handled_event_becomes_a_lead_with_its_matter_and_place(cw: CaseWorld) -> None:
    event = HandledEventFactory(grid=cw.world.grid_a, matter=cw.matter, address="上塘路16号")

    response = bearer(cw.user("officer_a")).post(
        f"{URL}/from-event",
        {"event_id": event.pk, "party": {"kind": "person", "name": "李大伟"}},
        content_type="application/json",
    )

    assert response.status_code == 201, response.json()
    case = response.json()
    assert (case["status"], case["source"], case["event_id"], case["matter"]["id"], case["address"]) == (
        CaseStatus.LEAD,
        "event",
        event.pk,
        cw.matter.pk,
        "上塘路16号",
    )
    assert case["facts"] == f"{event.description}\n{event.outcome}"


def test_an_event_not_yet_handled_is_refused_and_nothing_is_written(cw: CaseWorld) -> None:
    event = EventFactory(grid=cw.world.grid_a, source=EventSource.API)
    officer = bearer(cw.user("officer_a"))

    response = officer.post(
        f"{URL}/from-event",
        {"event_id": event.pk, "party": {"kind": "person", "name": "李大伟"}},
        content_type="application/json",
    )

    assert (response.status_code, response.json()["code"]) == (409, "event_not_handled")
    assert Case.objects.count() == 0
    assert EventPhoto.objects.count() == 0


def test_an_event_of_another_street_is_not_found(cw: CaseWorld) -> None:
    event = HandledEventFactory(grid=cw.world.grid_b)

    response = bearer(cw.user("officer_a")).post(
        f"{URL}/from-event",
        {"event_id": event.pk, "party": {"kind": "person", "name": "李大伟"}},
        content_type="application/json",
    )

    assert (response.status_code, response.json()["code"], Case.objects.count()) == (404, "event_not_found", 0)


def on_spot(fine: str, **overrides: Any) -> dict[str, Any]:
    return {
        "street_id": overrides.pop("street_id"),
        "party": {"kind": "person", "name": "李大伟"},
        "matter_id": overrides.pop("matter_id"),
        "facts": "在人行道上摆摊设点",
        "address": "上塘路16号",
        "penalty": ["fine"],
        "fine": fine,
        "facts_clear": True,
        "signature_png": base64.b64encode(SIGNATURE).decode(),
        **overrides,
    }


@pytest.mark.parametrize(("fine", "expected"), [("200.00", 201), ("200.01", 409)])
def test_apl_51_the_simple_procedure_on_the_phone_up_to_200_yuan_for_a_person(
    cw: CaseWorld, fine: str, expected: int
) -> None:
    allot_range(officer=cw.officer, count=5, actor=SystemActor("测试"))
    officer = bearer(cw.user("officer_a"))

    response = officer.post(
        f"{URL}/on-spot",
        on_spot(fine, street_id=cw.world.street_a.pk, matter_id=cw.matter.pk, colleague_id=cw.colleague.pk),
        content_type="application/json",
    )

    assert response.status_code == expected, response.json()
    if expected == 201:
        case = response.json()
        assert (case["procedure"], case["status"], case["decided_fine"]) == ("simple", CaseStatus.SERVED, "200.00")
        assert [d["kind"] for d in case["documents"]] == ["on_the_spot_decision"]
    else:
        assert response.json()["code"] == "simple_procedure_not_allowed"
        assert Case.objects.count() == 0


def test_the_list_costs_the_same_queries_for_one_case_or_many(cw: CaseWorld) -> None:
    leader = bearer(cw.user("leader"))
    lead(cw)
    leader.get(URL)  # the token's use is recorded at most once a minute: not inside the counts
    with CaptureQueriesContext(connection) as one:
        leader.get(URL)
    for _ in range(5):
        lead(cw)
    with CaptureQueriesContext(connection) as six:
        body = leader.get(URL).json()

    assert body["count"] == 6
    assert len(six) == len(one)
