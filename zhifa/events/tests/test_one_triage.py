"""One triage and one transition writer (issue 10): intake and a dispatcher's 研判 take the same decision,
and every rule of ``EVENT_WORKFLOW`` — the table and its guards — applies to intake as to any other step."""

import dataclasses
from typing import Any

import pytest

from zhifa.catalog.tests.factories import MatterFactory
from zhifa.core.errors import InvalidTransition
from zhifa.core.models import AuditEntry
from zhifa.events import services
from zhifa.events.models import Event, EventPhoto, EventTransition
from zhifa.events.states import EVENT_WORKFLOW, EventAction, EventStatus
from zhifa.events.tests.conftest import jpeg_bytes, report, walk_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def street_stall(world: Any) -> Any:
    return MatterFactory(department=world.enforcement_dept, code="ZJ-SR-901", name="擅自占用城市道路")


@pytest.fixture
def refused_triage(monkeypatch: pytest.MonkeyPatch) -> str:
    """A rule added to the workflow table's triage step, as a later change to ``states.py`` would add one."""
    why = "演练：暂停自动研判"
    key = (EventStatus.REPORTED.value, EventAction.TRIAGE.value)
    guarded = dataclasses.replace(EVENT_WORKFLOW._index[key], guard=lambda event, actor: why)
    monkeypatch.setitem(EVENT_WORKFLOW._index, key, guarded)
    return why


def test_a_rule_added_to_the_workflow_refuses_the_intake_and_writes_nothing(world: Any, refused_triage: str) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    audit_before = AuditEntry.objects.count()
    photo = SimpleUploadedFile("现场.jpg", jpeg_bytes(), content_type="image/jpeg")

    with pytest.raises(InvalidTransition) as refused:
        report(world, photos=[photo])

    assert (refused.value.code, refused.value.message) == ("transition_guard_failed", refused_triage)
    assert (Event.objects.count(), EventTransition.objects.count(), EventPhoto.objects.count()) == (0, 0, 0)
    assert AuditEntry.objects.count() == audit_before


def test_the_same_rule_refuses_a_dispatchers_triage(world: Any, refused_triage: str) -> None:
    event = walk_to(world, "reported")

    with pytest.raises(InvalidTransition):
        services.event_triage(actor=world.user("dispatcher"), event=event)

    assert Event.objects.get(pk=event.pk).status == EventStatus.REPORTED


def test_intake_writes_its_triage_as_the_workflow_does(world: Any) -> None:
    event = report(world)

    [transition] = event.transitions.all()
    [entry] = AuditEntry.objects.filter(action="event.triage", object_id=str(event.pk))
    assert (transition.from_status, transition.to_status, transition.actor_id) == ("reported", "triaged", None)
    assert (entry.before, entry.after["status"], entry.actor_label) == (
        {"status": "reported"},
        "triaged",
        transition.actor_label,
    )


def test_a_dispatchers_triage_merges_a_repeat_as_intake_does(world: Any, street_stall: Any) -> None:
    first = report(world, matter_code=street_stall.code)
    repeat = report(world, matter_code=street_stall.code, description="仁和路口还是有摊贩", auto_triage=False)

    merged = services.event_triage(actor=world.user("dispatcher"), event=repeat)

    assert (merged.status, merged.merged_into_id) == (EventStatus.MERGED, first.pk)
    assert merged.transitions.get().reason.endswith(first.public_no)


def test_a_repeat_whose_first_report_has_just_closed_is_triaged_not_refused(world: Any, street_stall: Any) -> None:
    # The case the two triages once disagreed on: intake triaged it, the manual path refused the merge.
    first = report(world, matter_code=street_stall.code)
    repeat = report(world, matter_code=street_stall.code, description="仁和路口还是有摊贩", auto_triage=False)
    services.event_reject(actor=world.user("dispatcher"), event=first, reason="已自行离开")

    triaged = services.event_triage(actor=world.user("dispatcher"), event=repeat)

    assert (triaged.status, triaged.merged_into_id) == (EventStatus.TRIAGED, None)
