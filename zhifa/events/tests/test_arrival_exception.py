"""超距到场: beyond the radius the arrival is refused, unless the officer gives a reason and a photo — then it
counts, and the dispatcher is told and sees the flag."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhifa.core.errors import ValidationFailed
from zhifa.core.models import AuditEntry
from zhifa.events import services
from zhifa.events.models import ArrivalException, Event, EventPhoto, Notification, PhotoKind
from zhifa.events.states import EventStatus
from zhifa.events.tests.conftest import jpeg_bytes, walk_to

FAR = 0.006  # degrees of longitude east of the event: ≈ 577 m at 30.3°N


def _photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("gate.jpg", jpeg_bytes(), content_type="image/jpeg")


def test_beyond_the_radius_with_a_reason_and_a_photo_the_arrival_counts_and_is_flagged(world: Any) -> None:
    event = walk_to(world, "acknowledged")
    officer = world.user("officer_a")

    arrived = services.event_arrive(
        actor=officer,
        event=event,
        lon=event.lon + FAR,
        lat=event.lat,
        exception_reason="地址在小区内，定位点在路边",
        photo=_photo(),
    )

    assert arrived.status == EventStatus.ARRIVED and arrived.arrived_at is not None
    flag = ArrivalException.objects.get(event=event)
    assert (flag.reason, flag.max_m, flag.officer.name) == ("地址在小区内，定位点在路边", 300, "甲队员")
    assert 560 < flag.distance_m < 600
    assert flag.photo.kind == PhotoKind.ARRIVAL and flag.photo.uploaded_by == officer
    entry = AuditEntry.objects.get(action="event.arrive_exception")
    assert entry.after["distance_m"] == flag.distance_m and entry.reason == flag.reason
    told = Notification.objects.filter(event=event, message__startswith="超距到场")
    assert {n.user.username for n in told} == {"dispatcher", "street_dispatcher_a"}


def test_beyond_the_radius_without_a_reason_it_is_refused_with_the_distance(world: Any) -> None:
    event = walk_to(world, "acknowledged")
    with pytest.raises(ValidationFailed) as refused:
        services.event_arrive(actor=world.user("officer_a"), event=event, lon=event.lon + FAR, lat=event.lat)
    assert refused.value.code == "arrive_too_far"
    assert refused.value.details == {"distance_m": 576, "max_m": 300}
    assert Event.objects.get(pk=event.pk).status == EventStatus.ACKNOWLEDGED


def test_a_reason_without_a_photo_is_refused_and_writes_nothing(world: Any) -> None:
    event = walk_to(world, "acknowledged")
    with pytest.raises(ValidationFailed) as refused:
        services.event_arrive(
            actor=world.user("officer_a"), event=event, lon=event.lon + FAR, lat=event.lat, exception_reason="定位漂移"
        )
    assert refused.value.code == "arrive_exception_photo_required"
    assert Event.objects.get(pk=event.pk).status == EventStatus.ACKNOWLEDGED
    assert not ArrivalException.objects.exists() and not EventPhoto.objects.exists()


def test_within_the_radius_a_reason_makes_no_exception(world: Any) -> None:
    event = walk_to(world, "acknowledged")
    services.event_arrive(
        actor=world.user("officer_a"),
        event=event,
        lon=event.lon,
        lat=event.lat,
        exception_reason="以防万一",
        photo=_photo(),
    )
    assert Event.objects.get(pk=event.pk).status == EventStatus.ARRIVED
    assert not ArrivalException.objects.exists() and not EventPhoto.objects.exists()
