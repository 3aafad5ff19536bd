"""更正位置: an open event moved to where it really is, with a reason, re-located and audited, by those who
command it."""

from typing import Any

import pytest

from conftest import POINT_IN_A, POINT_IN_B, POINT_OUTSIDE
from zhifa.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from zhifa.core.models import AuditEntry
from zhifa.events import services
from zhifa.events.models import Event, EventRelocation
from zhifa.events.tests.conftest import walk_to


def test_the_command_centre_moves_an_event_into_another_street_and_it_is_located_and_audited(world: Any) -> None:
    event = walk_to(world, "dispatched", address="武林路128号")

    moved = services.event_relocate(
        actor=world.user("dispatcher"),
        event=event,
        lon=POINT_IN_B[0],
        lat=POINT_IN_B[1],
        address="武林路129号（小区内）",
        reason="来电人补充：在小区里面",
    )

    assert (moved.lon, moved.lat, moved.address) == (*POINT_IN_B, "武林路129号（小区内）")
    assert (moved.street_id, moved.zone_id, moved.grid_id) == (world.street_b.pk, world.zone_b.pk, world.grid_b.pk)
    assert moved.status == event.status  # the workflow is not touched
    row = EventRelocation.objects.get(event=event)
    assert (row.from_lon, row.from_lat, row.from_address, row.from_street_id) == (
        *POINT_IN_A,
        "武林路128号",
        world.street_a.pk,
    )
    assert (row.reason, row.actor_label) == ("来电人补充：在小区里面", "dispatcher")
    entry = AuditEntry.objects.get(action="event.relocate")
    assert entry.before["street_id"] == world.street_a.pk and entry.after["street_id"] == world.street_b.pk
    assert entry.reason == "来电人补充：在小区里面"


def test_a_street_dispatcher_corrects_within_their_street_only(world: Any) -> None:
    event = walk_to(world, "triaged")
    street = world.user("street_dispatcher_a")
    services.event_relocate(actor=street, event=event, lon=POINT_IN_A[0] + 0.001, lat=POINT_IN_A[1], reason="定位偏差")
    with pytest.raises(PermissionDenied) as refused:
        services.event_relocate(actor=street, event=event, lon=POINT_IN_B[0], lat=POINT_IN_B[1], reason="在隔壁街道")
    assert refused.value.code == "outside_jurisdiction" and "乙街道" in refused.value.message
    assert Event.objects.get(pk=event.pk).street_id == world.street_a.pk
    assert EventRelocation.objects.count() == 1


@pytest.mark.parametrize(
    ("persona", "error"),
    [("officer_a", PermissionDenied), ("liaison", NotFound), ("officer_b", NotFound)],
)
def test_who_does_not_command_the_event_may_not_move_it(world: Any, persona: str, error: type) -> None:
    event = walk_to(world, "triaged")
    with pytest.raises(error):
        services.event_relocate(
            actor=world.user(persona), event=event, lon=POINT_IN_B[0], lat=POINT_IN_B[1], reason="x"
        )
    assert not EventRelocation.objects.exists()


def test_bad_requests_write_nothing(world: Any) -> None:
    event = walk_to(world, "triaged")
    dispatcher = world.user("dispatcher")
    with pytest.raises(ValidationFailed) as no_reason:
        services.event_relocate(actor=dispatcher, event=event, lon=POINT_IN_B[0], lat=POINT_IN_B[1], reason="  ")
    assert no_reason.value.code == "relocate_reason_required"
    with pytest.raises(ValidationFailed) as outside:
        services.event_relocate(
            actor=dispatcher, event=event, lon=POINT_OUTSIDE[0], lat=POINT_OUTSIDE[1], reason="外区"
        )
    assert outside.value.code == "point_outside_district"
    closed = walk_to(world, "closed")
    with pytest.raises(Conflict) as done:
        services.event_relocate(actor=dispatcher, event=closed, lon=POINT_IN_B[0], lat=POINT_IN_B[1], reason="补录")
    assert done.value.code == "event_not_open"
    assert not EventRelocation.objects.exists()
    assert not AuditEntry.objects.filter(action="event.relocate").exists()
