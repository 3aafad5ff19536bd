"""The handling report's result type (处置结果类型), the photo a result needs, and the rounds of handling kept
across a 核查不通过 (redo) with its reason (issue 16)."""

from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from zhifa.catalog.models import HandlingResultType
from zhifa.catalog.selectors import handling_options
from zhifa.catalog.services import handling_defaults_install
from zhifa.core.actors import SystemActor
from zhifa.core.errors import ValidationFailed
from zhifa.core.models import AuditEntry
from zhifa.events import services
from zhifa.events.models import Event, EventHandlingRound, EventPhoto, EventTransition, Notification
from zhifa.events.states import EventStatus
from zhifa.events.tests.conftest import jpeg_bytes, officer_of, walk_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def defaults(world: Any) -> None:
    """The district's default result types and phrases, as a new district (and the demo) gets them."""
    handling_defaults_install(actor=SystemActor("测试"), district_id=world.district.pk)


def photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("after.jpg", jpeg_bytes(), content_type="image/jpeg")


def footprint(event: Event, media: Path) -> tuple[Any, ...]:
    fresh = Event.objects.get(pk=event.pk)
    return (
        fresh.status,
        fresh.outcome,
        EventTransition.objects.count(),
        EventHandlingRound.objects.count(),
        EventPhoto.objects.count(),
        AuditEntry.objects.count(),
        sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()),
    )


def test_the_defaults_offer_the_result_types_for_every_matter_and_a_matters_own_after_them(
    world: Any, defaults: None, vending_matter: Any
) -> None:
    # Given a matter that adds 暂扣物品 and makes 责令整改 its own (no photo needed for it there)
    HandlingResultType.objects.create(
        district=world.district, matter=vending_matter, code="seized", name="暂扣物品", requires_photo=True
    )
    HandlingResultType.objects.create(
        district=world.district, matter=vending_matter, code="ordered", name="责令整改", requires_photo=False
    )

    # When the options are read for an event of that matter, and for one without a matter
    own = handling_options(district_id=world.district.pk, matter_id=vending_matter.pk)
    plain = handling_options(district_id=world.district.pk, matter_id=None)

    # Then the defaults come first, the matter's 责令整改 in the default's place, its addition last
    assert [(t.name, t.requires_photo) for t in own.result_types] == [
        ("已整改", True),
        ("责令整改", False),
        ("转立案", False),
        ("无违法事实", False),
        ("现场未发现", False),
        ("暂扣物品", True),
    ]
    assert [t.name for t in plain.result_types] == ["已整改", "责令整改", "转立案", "无违法事实", "现场未发现"]
    assert len(own.phrases) == 5


def test_installing_the_defaults_twice_writes_them_once(world: Any, defaults: None) -> None:
    assert handling_defaults_install(actor=SystemActor("测试"), district_id=world.district.pk) == 0
    assert HandlingResultType.objects.filter(district=world.district).count() == 5


@pytest.mark.parametrize(
    ("result_type", "with_photo", "code", "message"),
    [
        ("", False, "result_type_required", "请选择处置结果类型"),
        ("no_such_type", False, "result_type_unknown", "处置结果类型无效，请重新选择"),
        ("rectified", False, "result_photo_required", "处置结果为“已整改”时须上传处置后现场照片"),
        ("ordered", False, "result_photo_required", "处置结果为“责令整改”时须上传处置后现场照片"),
    ],
)
def test_a_report_without_a_valid_result_or_without_the_photo_it_needs_is_refused_and_writes_nothing(
    world: Any, defaults: None, media: Path, result_type: str, with_photo: bool, code: str, message: str
) -> None:
    # Given an event officer_a is on site of
    event = walk_to(world, "arrived")
    before = footprint(event, media)

    # When they report with that result type and no photo
    with pytest.raises(ValidationFailed) as refused:
        services.event_handle(
            actor=world.user("officer_a"), event=event, outcome="已责令摊主收摊", result_type=result_type
        )

    # Then it is refused with its own code and message, and nothing is written
    assert (refused.value.code, refused.value.message) == (code, message)
    assert footprint(event, media) == before


def test_a_result_that_needs_a_photo_is_taken_with_one_and_kept_on_its_round(
    world: Any, defaults: None, media: Path
) -> None:
    # Given an event officer_a is on site of
    event = walk_to(world, "arrived")

    # When they report 已整改 with a photo of the site
    handled = services.event_handle(
        actor=world.user("officer_a"),
        event=event,
        outcome="摊主已收摊，通道恢复",
        result_type="rectified",
        photos=[photo()],
    )

    # Then the round holds the report, its result and its photo
    assert handled.status == EventStatus.HANDLED
    (only,) = EventHandlingRound.objects.filter(event=event)
    assert (only.number, only.outcome, only.result_type.code, only.result_type_name) == (  # type: ignore[union-attr]
        1,
        "摊主已收摊，通道恢复",
        "rectified",
        "已整改",
    )
    assert list(only.photos.values_list("kind", flat=True)) == ["handle"]
    assert list(only.officers.all()) == [officer_of(world, "officer_a")]


def test_a_result_without_a_photo_rule_is_taken_without_a_photo(world: Any, defaults: None, media: Path) -> None:
    event = walk_to(world, "arrived")
    services.event_handle(actor=world.user("officer_a"), event=event, outcome="现场无摊贩", result_type="not_found")
    assert list(EventHandlingRound.objects.values_list("result_type_name", "outcome")) == [("现场未发现", "现场无摊贩")]


def test_a_redo_keeps_the_first_round_with_its_reason_and_clocks_and_the_second_round_is_added(
    world: Any, defaults: None, media: Path
) -> None:
    # Given an event officer_a handled in a first round, 10 minutes after dispatch
    dispatcher, officer = world.user("dispatcher"), world.user("officer_a")
    with time_machine.travel("2026-06-01 10:00:00+08:00", tick=False):
        event = walk_to(world, "arrived")
    with time_machine.travel("2026-06-01 10:10:00+08:00", tick=False):
        event = services.event_handle(
            actor=officer, event=event, outcome="已劝离", result_type="rectified", photos=[photo()]
        )
    first_clocks = (event.dispatched_at, event.acknowledge_due_at, event.arrive_due_at, event.handle_due_at)

    # When the command centre sends it back, and the officer hands in a second round
    with time_machine.travel("2026-06-01 10:20:00+08:00", tick=False):
        event = services.event_redo(actor=dispatcher, event=event, reason="照片中仍有摊位，请复查")
    with time_machine.travel("2026-06-01 10:25:00+08:00", tick=False):
        event = services.event_acknowledge(actor=officer, event=event)
        event = services.event_arrive(actor=officer, event=event, lon=event.lon, lat=event.lat)
    with time_machine.travel("2026-06-01 10:40:00+08:00", tick=False):
        event = services.event_handle(
            actor=officer, event=event, outcome="摊位已拆除", result_type="rectified", photos=[photo()]
        )

    # Then both rounds are kept: the first with its report, clocks and the reason that ended it
    first, second = EventHandlingRound.objects.filter(event=event).order_by("number")
    assert (first.number, first.outcome, first.redo_reason, first.redone_by_label) == (
        1,
        "已劝离",
        "照片中仍有摊位，请复查",
        "dispatcher",
    )
    assert (first.dispatched_at, first.acknowledge_due_at, first.arrive_due_at, first.handle_due_at) == first_clocks
    assert first.handled_at.isoformat() == "2026-06-01T02:10:00+00:00"
    assert (second.number, second.outcome, second.redo_reason, second.redone_at) == (2, "摊位已拆除", "", None)
    assert second.dispatched_at.isoformat() == "2026-06-01T02:20:00+00:00"  # type: ignore[union-attr]
    assert (first.photos.count(), second.photos.count()) == (1, 1)
    # And the event itself holds the second round's report
    assert Event.objects.get(pk=event.pk).outcome == "摊位已拆除"


def test_the_redo_reason_reaches_the_officer_in_the_notification(world: Any, media: Path) -> None:
    event = walk_to(world, "handled", description="仁和路口有流动摊贩占道经营")
    services.event_redo(actor=world.user("dispatcher"), event=event, reason="照片中仍有摊位，请复查")
    latest = Notification.objects.filter(user=world.user("officer_a")).order_by("-pk").first()
    assert latest is not None
    assert latest.message == f"核查不通过，请重新处置 {event.public_no}：照片中仍有摊位，请复查"


def test_a_district_without_result_types_still_takes_free_text(world: Any, media: Path) -> None:
    # Given a district that set up no result types (nothing installed)
    event = walk_to(world, "arrived")
    # When the officer reports in text only, Then it is taken, with a round and no result type
    services.event_handle(actor=world.user("officer_a"), event=event, outcome="已劝离")
    assert list(EventHandlingRound.objects.values_list("result_type_id", "result_type_name")) == [(None, "")]
