"""event_intake: validation before any write, idempotent retries, numbering, photos, auto-triage."""

import datetime as dt
from typing import Any

import pytest
import time_machine

from conftest import POINT_IN_A, POINT_OUTSIDE
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.core.errors import PermissionDenied, ValidationFailed
from zhifa.core.models import AuditEntry
from zhifa.events import services
from zhifa.events.models import Event, EventPhoto, EventTransition
from zhifa.events.states import ClassifiedBy, EventRoute, EventSource, EventStatus
from zhifa.events.tests.conftest import Brain, FakeClassification, jpeg_bytes, patch_module, report
from zhifa.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
NOON = dt.datetime(2026, 6, 1, 4, 0, tzinfo=dt.UTC)  # 12:00 in Shanghai


def _counts() -> tuple[int, int, int, int]:
    return (
        Event.objects.count(),
        EventTransition.objects.count(),
        EventPhoto.objects.count(),
        AuditEntry.objects.count(),
    )


@time_machine.travel(NOON, tick=False)
def test_intake_locates_numbers_and_triages_the_event(world: Any, brain: Brain) -> None:
    event = report(world)

    assert event.public_no == "SJ20260601000001"
    assert (event.street_id, event.zone_id, event.grid_id) == (world.street_a.pk, world.zone_a.pk, world.grid_a.pk)
    assert event.status == EventStatus.TRIAGED
    assert event.route == EventRoute.ZONE_TEAM
    assert event.matter_id is None
    assert list(EventTransition.objects.values_list("action", "from_status", "to_status", "actor_label")) == [
        ("triage", "reported", "triaged", "系统（自动研判）")
    ]
    assert list(AuditEntry.objects.order_by("seq").values_list("action", flat=True)) == ["event.intake", "event.triage"]


@time_machine.travel(NOON, tick=False)
def test_the_daily_sequence_continues_and_restarts_the_next_day(world: Any, brain: Brain) -> None:
    first = report(world)
    second = report(world)
    with time_machine.travel(NOON + dt.timedelta(days=1), tick=False):
        third = report(world)

    assert [first.public_no, second.public_no, third.public_no] == [
        "SJ20260601000001",
        "SJ20260601000002",
        "SJ20260602000001",
    ]


def test_the_same_key_on_another_channel_is_another_event(world: Any, brain: Brain) -> None:
    a = report(world, source=EventSource.API, idempotency_key="k-1")
    b = report(world, source=EventSource.PATROL, idempotency_key="k-1")

    assert a.pk != b.pk


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"lon": POINT_OUTSIDE[0], "lat": POINT_OUTSIDE[1]}, "point_outside_district"),
        ({"lon": 200.0, "lat": 30.0}, "coord_out_of_range"),
        ({"coord_system": "mars"}, "coord_system_unknown"),
        ({"description": "   "}, "description_required"),
        ({"description": "长" * 2001}, "description_too_long"),
        ({"matter_code": "ZJ-NONE-999"}, "matter_code_unknown"),
        ({"lon": None, "lat": None, "address": ""}, "location_required"),
        ({"lon": 120.1, "lat": None}, "coord_incomplete"),
        ({"priority": "whenever"}, "priority_unknown"),
        ({"photos": [("fake.jpg", b"not a photo at all")]}, "photo_unreadable"),
    ],
)
def test_bad_input_is_refused_with_its_code_and_writes_nothing(
    world: Any, brain: Brain, overrides: dict[str, Any], code: str
) -> None:
    before = _counts()

    with pytest.raises(ValidationFailed) as refused:
        report(world, **overrides)

    assert refused.value.code == code
    assert _counts() == before


def test_an_unknown_address_is_refused_and_a_known_one_is_geocoded(
    world: Any, brain: Brain, monkeypatch: pytest.MonkeyPatch
) -> None:
    known = {"仁和路83号": POINT_IN_A}
    patch_module(
        monkeypatch, "zhifa.events.geocode", geocode_address=lambda *, district_id, address: known.get(address)
    )

    with pytest.raises(ValidationFailed) as refused:
        report(world, lon=None, lat=None, address="不存在路1号")
    event = report(world, lon=None, lat=None, address="仁和路83号")

    assert refused.value.code == "address_not_found"
    assert (event.lon, event.lat, event.street_id) == (POINT_IN_A[0], POINT_IN_A[1], world.street_a.pk)


def test_a_matter_code_given_by_the_reporter_is_kept_and_not_reclassified(world: Any, brain: Brain) -> None:
    matter = MatterFactory(department=world.enforcement_dept, code="ZJ-SR-901")

    event = report(world, matter_code="zj-sr-901")

    assert (event.matter_id, event.department_id, event.classified_by) == (
        matter.pk,
        world.enforcement_dept.pk,
        ClassifiedBy.REPORTER,
    )
    assert brain.classify_calls == 0


def test_a_coordinating_departments_matter_is_routed_to_coordination(world: Any, brain: Brain) -> None:
    world.market_dept.is_sinking = False
    world.market_dept.save()
    matter = MatterFactory(department=world.market_dept)
    brain.classification = FakeClassification(matter_id=matter.pk, department_id=world.market_dept.pk, score=0.82)

    event = report(world)

    assert (event.matter_id, event.classified_by, event.classification_score, event.route) == (
        matter.pk,
        ClassifiedBy.AUTO,
        0.82,
        EventRoute.COORDINATION,
    )


def test_a_duplicate_is_merged_into_the_open_event(world: Any, brain: Brain) -> None:
    first = report(world)
    brain.duplicate = first

    second = report(world, description="仁和路口又有摊贩")

    assert (second.status, second.merged_into_id) == (EventStatus.MERGED, first.pk)
    assert EventTransition.objects.get(event=second).reason.startswith("自动合并：同一事项")


def test_photos_are_validated_then_stored_as_report_photos(world: Any, brain: Brain) -> None:
    event = report(world, photos=[("scene.jpg", jpeg_bytes())])

    assert list(event.photos.values_list("kind", "width", "height")) == [("report", 32, 24)]


def test_a_user_without_a_post_may_not_report(world: Any, brain: Brain) -> None:
    before = _counts()

    with pytest.raises(PermissionDenied) as refused:
        report(world, actor=UserFactory(username="nobody"))

    assert refused.value.code == "no_profile"
    assert _counts() == before


def test_an_integration_reports_as_a_system_actor_and_auxiliary_staff_may_report(world: Any, brain: Brain) -> None:
    by_device = report(world, actor="AI摄像头 CAM-01", source=EventSource.AI_CAMERA, is_evidence_eligible=False)
    by_auxiliary = report(world, actor=world.user("auxiliary_a"), source=EventSource.PATROL)

    assert (by_device.source, by_device.is_evidence_eligible) == (EventSource.AI_CAMERA, False)
    assert by_auxiliary.status == EventStatus.TRIAGED


@time_machine.travel(NOON, tick=False)
@pytest.mark.parametrize(("score", "classified"), [(0.29, False), (0.30, True)])
def test_an_ambiguous_classification_is_left_for_the_operator(
    world: Any, brain: Brain, score: float, classified: bool
) -> None:
    matter = MatterFactory(department=world.enforcement_dept)
    brain.classification = FakeClassification(matter_id=matter.pk, department_id=world.enforcement_dept.pk, score=score)

    event = report(world)

    assert event.status == EventStatus.TRIAGED
    assert (event.matter_id, event.classified_by) == ((matter.pk, ClassifiedBy.AUTO) if classified else (None, ""))


@time_machine.travel(NOON, tick=False)
def test_the_timeline_names_the_person_not_the_username(world: Any, brain: Brain) -> None:
    dispatcher = world.user("dispatcher")
    dispatcher.profile.display_name = "徐俊"
    dispatcher.profile.save()
    event = report(world)

    services.event_reject(actor=dispatcher, event=event, reason="非执法事项，已告知来电人")

    assert EventTransition.objects.filter(event=event).latest("id").actor_label == "徐俊"
