"""The data migrations of issue 10's renames ("one name per concept"): values stored under an old name are
rewritten to the new one, back again when the migration is reversed, and the audit chain keeps the JSON it
was written with (history is not rewritten)."""

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython

from zhifa.core.models import AuditEntry
from zhifa.events import services
from zhifa.events.models import Event, EventEscalation, EventPhoto, EventTransition, PhotoKind
from zhifa.events.states import Clock, EscalationOutcome, EventStatus
from zhifa.events.tests.conftest import jpeg_bytes, walk_to

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in Shanghai


def data_step(migration_name: str) -> RunPython:
    """The migration's one RunPython step, both ways (conftest.migration_data_step gives the forward code only)."""
    migration = MigrationLoader(connection).get_migration("events", migration_name)
    [step] = [operation for operation in migration.operations if isinstance(operation, RunPython)]
    return step


def stored_statuses(event: Event) -> tuple[str, list[tuple[str, str]], list[str]]:
    transitions = EventTransition.objects.filter(event=event).order_by("pk").values_list("from_status", "to_status")
    outcomes = EventEscalation.objects.filter(event=event).order_by("pk").values_list("outcome", flat=True)
    return Event.objects.get(pk=event.pk).status, list(transitions), list(outcomes)


def test_on_site_is_stored_as_arrived_and_back(world: Any) -> None:
    rename = data_step("0012_status_on_site_renamed_arrived")
    # Given an event whose officers arrived and whose handle clock then ran out (level 3: not re-dispatched)
    with time_machine.travel(T0, tick=False):
        event = walk_to(world, "arrived")
    with time_machine.travel(T0 + dt.timedelta(minutes=60), tick=False):
        services.events_escalate_overdue()
    audit_before = list(AuditEntry.objects.order_by("seq").values_list("seq", "after"))
    # ... stored as it was before the rename
    Event.objects.filter(pk=event.pk).update(status="on_site")
    EventTransition.objects.filter(to_status=EventStatus.ARRIVED).update(to_status="on_site")
    EventEscalation.objects.filter(outcome=EscalationOutcome.ARRIVED).update(outcome="on_site")
    old = (
        "on_site",
        [
            ("reported", "triaged"),
            ("triaged", "dispatched"),
            ("dispatched", "acknowledged"),
            ("acknowledged", "on_site"),
        ],
        ["zone_lead_notified", "command_centre_notified", "on_site"],
    )
    assert stored_statuses(event) == old

    # When the migration's data step runs
    rename.code(apps, None)

    # Then every stored "on_site" reads "arrived"; the audit entries are as they were
    assert stored_statuses(event) == (
        "arrived",
        [
            ("reported", "triaged"),
            ("triaged", "dispatched"),
            ("dispatched", "acknowledged"),
            ("acknowledged", "arrived"),
        ],
        ["zone_lead_notified", "command_centre_notified", "arrived"],
    )
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", "after")) == audit_before

    # And reversed, the old values come back
    assert rename.reverse_code is not None
    rename.reverse_code(apps, None)
    assert stored_statuses(event) == old


def test_the_feedback_clock_is_stored_as_handle_and_back(world: Any) -> None:
    rename = data_step("0013_handle_clock")
    # Given an event whose handle clock ran out, and a transferred one whose department is late
    with time_machine.travel(T0, tick=False):
        handling = walk_to(world, "arrived")
        transferred = walk_to(world, "transferred")
    with time_machine.travel(T0 + dt.timedelta(days=10), tick=False):
        services.events_escalate_overdue()
    # ... stored under the clock's name before the rename
    EventEscalation.objects.filter(clock=Clock.HANDLE).update(clock="feedback")

    def clocks(event: Event) -> list[str]:
        return list(EventEscalation.objects.filter(event=event).order_by("pk").values_list("clock", flat=True))

    assert (clocks(handling), clocks(transferred)) == (["feedback"] * 3, ["coordination"] * 3)

    # When the migration's data step runs, the officer's clock reads "handle"; the department's is untouched
    rename.code(apps, None)
    assert (clocks(handling), clocks(transferred)) == (["handle"] * 3, ["coordination"] * 3)

    # And reversed, the old name comes back
    assert rename.reverse_code is not None
    rename.reverse_code(apps, None)
    assert (clocks(handling), clocks(transferred)) == (["feedback"] * 3, ["coordination"] * 3)


def test_handling_photos_are_stored_as_kind_handle_and_back(world: Any) -> None:
    rename = data_step("0014_photo_kind_handle")
    # Given an event handled with a photo, the photo stored under the kind's name before the rename
    with time_machine.travel(T0, tick=False):
        event = walk_to(world, "arrived")
        services.event_handle(
            actor=world.user("officer_a"),
            event=event,
            outcome="已劝离",
            photos=[SimpleUploadedFile("p.jpg", jpeg_bytes(), "image/jpeg")],
        )
    EventPhoto.objects.filter(event=event).update(kind="handling")

    def kinds() -> list[str]:
        return list(EventPhoto.objects.filter(event=event).values_list("kind", flat=True))

    # When the migration's data step runs, it is of kind "handle"; reversed, "handling" again
    rename.code(apps, None)
    assert kinds() == [PhotoKind.HANDLE]
    assert rename.reverse_code is not None
    rename.reverse_code(apps, None)
    assert kinds() == ["handling"]


def test_the_respond_clock_is_stored_as_acknowledge_and_back(world: Any) -> None:
    rename = data_step("0019_acknowledge_clock")
    # Given an event nobody acknowledged, and one acknowledged whose officers never arrived, both escalated
    with time_machine.travel(T0, tick=False):
        unacknowledged = walk_to(world, "dispatched")
        acknowledged = walk_to(world, "acknowledged")
    with time_machine.travel(T0 + dt.timedelta(minutes=5, seconds=1), tick=False):
        services.events_escalate_overdue()
    audit_before = list(AuditEntry.objects.order_by("seq").values_list("seq", "after"))
    # ... stored under the clock's name before the rename
    EventEscalation.objects.filter(clock=Clock.ACKNOWLEDGE).update(clock="respond")

    def clocks(event: Event) -> list[str]:
        return list(EventEscalation.objects.filter(event=event).order_by("pk").values_list("clock", flat=True))

    old = (["respond", "arrive"], ["arrive"])
    assert (clocks(unacknowledged), clocks(acknowledged)) == old

    # When the migration's data step runs, the officer's 响应 clock reads "acknowledge"; the arrive clock is untouched
    rename.code(apps, None)
    assert (clocks(unacknowledged), clocks(acknowledged)) == (["acknowledge", "arrive"], ["arrive"])
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", "after")) == audit_before

    # And reversed, the old name comes back
    assert rename.reverse_code is not None
    rename.reverse_code(apps, None)
    assert (clocks(unacknowledged), clocks(acknowledged)) == old
