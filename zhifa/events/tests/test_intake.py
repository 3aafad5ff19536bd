"""event_intake: validation before any write, idempotent retries, numbering, photos, auto-triage."""

import datetime as dt
from typing import Any

import pytest
import time_machine

from conftest import POINT_IN_A, POINT_IN_B, POINT_OUTSIDE
from zhifa.catalog.models import Domain
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.core.actors import SystemActor
from zhifa.core.errors import PermissionDenied, ValidationFailed
from zhifa.core.models import AuditEntry
from zhifa.events import services
from zhifa.events.models import Event, EventPhoto, EventTransition
from zhifa.events.states import ClassifiedBy, EventRoute, EventSource, EventStatus
from zhifa.events.tests.conftest import jpeg_bytes, report
from zhifa.org.tests.factories import UserFactory
from zhifa.subjects.tests.factories import SubjectFactory

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
def test_intake_locates_numbers_and_triages_the_event(world: Any) -> None:
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
def test_the_daily_sequence_continues_and_restarts_the_next_day(world: Any) -> None:
    first = report(world)
    second = report(world)
    with time_machine.travel(NOON + dt.timedelta(days=1), tick=False):
        third = report(world)

    assert [first.public_no, second.public_no, third.public_no] == [
        "SJ20260601000001",
        "SJ20260601000002",
        "SJ20260602000001",
    ]


def test_the_same_key_on_another_channel_is_another_event(world: Any) -> None:
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
    world: Any, overrides: dict[str, Any], code: str
) -> None:
    before = _counts()

    with pytest.raises(ValidationFailed) as refused:
        report(world, **overrides)

    assert refused.value.code == code
    assert _counts() == before


def test_an_unknown_address_is_refused_and_a_known_one_is_geocoded(world: Any) -> None:
    # The address book is the subject registry: a shop registered at 仁和路83号 with its surveyed point.
    SubjectFactory(district=world.district, address="杭州市拱墅区仁和路83号", lon=POINT_IN_A[0], lat=POINT_IN_A[1])

    with pytest.raises(ValidationFailed) as refused:
        report(world, lon=None, lat=None, address="不存在路1号")
    event = report(world, lon=None, lat=None, address="仁和路83号")

    assert refused.value.code == "address_not_found"
    assert (event.lon, event.lat, event.street_id) == (POINT_IN_A[0], POINT_IN_A[1], world.street_a.pk)


def test_a_matter_code_given_by_the_reporter_is_kept_and_not_reclassified(world: Any, vending_matter: Any) -> None:
    # The text names street vending, which the classifier would file under vending_matter: the reporter's
    # matter wins and no automatic guess is recorded.
    matter = MatterFactory(department=world.market_dept, code="ZJ-SR-901")

    event = report(world, matter_code="zj-sr-901")

    assert (event.matter_id, event.department_id, event.classified_by, event.classification_score) == (
        matter.pk,
        world.market_dept.pk,
        ClassifiedBy.REPORTER,
        None,
    )


def test_a_coordinating_departments_matter_is_routed_to_coordination(world: Any, vending_matter: Any) -> None:
    world.market_dept.is_sinking = False
    world.market_dept.save()
    matter = MatterFactory(
        department=world.market_dept, name="销售过期食品", domain=Domain.MARKET, keywords="过期食品 过期 变质食品"
    )

    event = report(world, description="仁和路超市货架上在卖过期食品，好几样都过期了")

    assert (event.matter_id, event.department_id, event.classified_by, event.route) == (
        matter.pk,
        world.market_dept.pk,
        ClassifiedBy.AUTO,
        EventRoute.COORDINATION,
    )
    assert event.classification_score == 1.0  # no other matter's term in the text


def test_a_duplicate_is_merged_into_the_open_event(world: Any, vending_matter: Any) -> None:
    first = report(world)

    second = report(world, description="仁和路口又有摊贩", reporter_phone="13900001111")
    elsewhere = report(world, description="仁和路口又有摊贩", lon=POINT_IN_B[0], lat=POINT_IN_B[1])

    assert (first.matter_id, first.status) == (vending_matter.pk, EventStatus.TRIAGED)
    assert (second.matter_id, second.status, second.merged_into_id) == (
        vending_matter.pk,
        EventStatus.MERGED,
        first.pk,
    )
    assert EventTransition.objects.get(event=second).reason == (
        f"自动合并：同一事项（擅自占用城市道路设摊经营）在附近已有未办结事件 {first.public_no}"
    )
    assert (elsewhere.status, elsewhere.merged_into_id) == (EventStatus.TRIAGED, None)  # 1 km away: not the same


def test_photos_are_validated_then_stored_as_report_photos(world: Any) -> None:
    event = report(world, photos=[("scene.jpg", jpeg_bytes())])

    assert list(event.photos.values_list("kind", "width", "height")) == [("report", 32, 24)]


def test_a_user_without_a_post_may_not_report(world: Any) -> None:
    before = _counts()

    with pytest.raises(PermissionDenied) as refused:
        report(world, actor=UserFactory(username="nobody"))

    assert refused.value.code == "no_profile"
    assert _counts() == before


def test_an_integration_reports_as_a_system_actor_and_auxiliary_staff_may_report(world: Any) -> None:
    by_device = report(
        world, actor=SystemActor("AI摄像头 CAM-01"), source=EventSource.AI_CAMERA, is_evidence_eligible=False
    )
    by_auxiliary = report(world, actor=world.user("auxiliary_a"), source=EventSource.PATROL)

    assert (by_device.source, by_device.is_evidence_eligible) == (EventSource.AI_CAMERA, False)
    assert by_auxiliary.status == EventStatus.TRIAGED


@time_machine.travel(NOON, tick=False)
@pytest.mark.parametrize(
    ("description", "classified"),
    [
        # One matter's keyword each for four matters: none holds more than a quarter of the evidence (< 0.3).
        ("店门口占道经营，后厨油烟直排，晚上噪音扰民，门前乱堆垃圾", False),
        ("店门口占道经营，桌椅摆到人行道上", True),
    ],
    ids=["four_matters_named", "one_matter_named"],
)
def test_an_ambiguous_matter_is_left_for_the_operator(
    world: Any, vending_matter: Any, description: str, classified: bool
) -> None:
    for name, keywords in [("餐饮油烟直排", "油烟直排"), ("噪音扰民", "噪音扰民"), ("乱堆乱放垃圾", "乱堆垃圾")]:
        MatterFactory(department=world.enforcement_dept, name=name, keywords=keywords)

    event = report(world, description=description)

    # The kind (street order, the zone team's) is read either way; the matter only when one stands out.
    assert event.status == EventStatus.TRIAGED
    assert (event.matter_id, event.classified_by, event.department_id, event.route) == (
        vending_matter.pk if classified else None,
        ClassifiedBy.AUTO,
        world.enforcement_dept.pk,
        EventRoute.ZONE_TEAM,
    )


@time_machine.travel(NOON, tick=False)
def test_the_timeline_names_the_person_not_the_username(world: Any) -> None:
    dispatcher = world.user("dispatcher")
    dispatcher.profile.display_name = "徐俊"
    dispatcher.profile.save()
    event = report(world)

    services.event_reject(actor=dispatcher, event=event, reason="非执法事项，已告知来电人")

    assert EventTransition.objects.filter(event=event).latest("id").actor_label == "徐俊"
