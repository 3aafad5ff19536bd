"""One event's whole life through the services only, and every state reached the same way."""

from typing import Any

import pytest

from zhifa.events.models import Event
from zhifa.events.states import EventStatus
from zhifa.events.tasks import escalate_overdue_task
from zhifa.events.tests.conftest import walk_to

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("state", sorted(EventStatus.values))
def test_every_state_is_reached_through_services(world: Any, state: str) -> None:
    assert walk_to(world, state).status == state


def test_the_full_path_is_recorded_step_by_step(world: Any) -> None:
    event = walk_to(world, "closed")

    path = list(Event.objects.get(pk=event.pk).transitions.values_list("from_status", "to_status", "actor_label"))
    assert path == [
        ("reported", "triaged", "系统（自动研判）"),
        ("triaged", "dispatched", "dispatcher"),
        ("dispatched", "acknowledged", "officer_a"),
        ("acknowledged", "arrived", "officer_a"),
        ("arrived", "handled", "officer_a"),
        ("handled", "verified", "dispatcher"),
        ("verified", "closed", "dispatcher"),
    ]


def test_the_escalation_task_runs_the_service(world: Any) -> None:
    assert escalate_overdue_task.call() == 0
