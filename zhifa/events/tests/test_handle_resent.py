"""``event_handle`` when the handling report (处置反馈) arrives twice: the phone's offline queue sends it again when the answer to
the first copy was lost, and a double tap sends two. The copy is answered with the event and writes nothing;
a different text, or another person, is still refused with its own error."""

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhifa.core.errors import Conflict, DomainError
from zhifa.core.models import AuditEntry
from zhifa.events import services
from zhifa.events.models import Event, EventAssignment, EventHandlingRound, EventPhoto, EventTransition, Notification
from zhifa.events.services import dispatch
from zhifa.events.states import EventAction, EventStatus
from zhifa.events.tests.conftest import jpeg_bytes, officer_of, walk_to
from zhifa.org.roles import Role
from zhifa.org.tests.factories import OfficerFactory, ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db
OUTCOME = "已劝离，恢复通行"  # what walk_to's officer_a reports


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def written(event: Event, media: Path) -> tuple[Any, ...]:
    """Everything a report writes, as stored."""
    fresh = Event.objects.get(pk=event.pk)
    return (
        fresh.status,
        fresh.outcome,
        fresh.handled_at,
        fresh.updated_at,
        EventTransition.objects.count(),
        AuditEntry.objects.count(),
        EventPhoto.objects.count(),
        EventHandlingRound.objects.count(),
        EventAssignment.objects.filter(released_at__isnull=True).count(),
        Notification.objects.count(),
        sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()),
    )


def photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("scene.jpg", jpeg_bytes(), content_type="image/jpeg")


def handle_actions(event: Event) -> list[tuple[str, str]]:
    rows = EventTransition.objects.filter(event=event, action=EventAction.HANDLE).order_by("pk")
    return [(t.actor.username, t.to_status) for t in rows]  # type: ignore[union-attr]


@pytest.mark.parametrize("state", ["handled", "verified", "closed"])
def test_a_handling_sent_again_returns_the_event_and_writes_nothing(world: Any, media: Path, state: str) -> None:
    # Given an event that officer_a's report handled (and the command centre may have moved on since)
    event = walk_to(world, state)
    before = written(event, media)

    # When the same report arrives again from officer_a, spaces around it and a photo with it
    returned = services.event_handle(
        actor=world.user("officer_a"), event=event, outcome=f"  {OUTCOME}\n", photos=[photo()]
    )

    # Then it is answered with the event as stored, and nothing is written: no transition, no audit
    # entry, no photo row or file
    assert (returned.pk, returned.status, returned.outcome) == (event.pk, state, OUTCOME)
    assert written(event, media) == before
    assert handle_actions(event) == [("officer_a", EventStatus.HANDLED)]


def test_a_different_text_from_the_officer_who_handled_is_refused_as_already_handled(world: Any, media: Path) -> None:
    # Given an event that officer_a's report handled
    event = walk_to(world, "handled")
    before = written(event, media)

    # When officer_a sends another text
    with pytest.raises(Conflict) as refused:
        services.event_handle(actor=world.user("officer_a"), event=event, outcome="已责令整改")

    # Then it is refused, saying what was reported, and nothing is written
    assert (refused.value.code, refused.value.message, refused.value.details) == (
        "already_handled",
        "您已反馈过该事件的处置结果，不能再次反馈",
        {"outcome": OUTCOME},
    )
    assert written(event, media) == before


@pytest.mark.parametrize("persona", ["colleague", "auxiliary_a", "officer_b", "dispatcher"])
def test_the_same_text_from_anyone_else_is_refused_as_not_assigned(world: Any, media: Path, persona: str) -> None:
    # Given an event handled by officer_a, sent there with a colleague who did not report
    colleague_user = UserFactory(username="colleague_a")
    ProfileFactory(user=colleague_user, district=world.district, role=Role.OFFICER, street=world.street_a)
    colleague = OfficerFactory(
        district=world.district, user=colleague_user, home_department=world.enforcement_dept, street=world.street_a
    )
    event = walk_to(world, "triaged")
    officer = world.user("officer_a")
    event = services.event_dispatch(
        actor=world.user("dispatcher"), event=event, officers=[officer_of(world, "officer_a"), colleague]
    )
    event = services.event_acknowledge(actor=officer, event=event)
    event = services.event_arrive(actor=officer, event=event, lon=event.lon, lat=event.lat)
    event = services.event_handle(actor=officer, event=event, outcome=OUTCOME)
    before = written(event, media)
    actor = colleague_user if persona == "colleague" else world.user(persona)

    # When someone else sends the same text
    with pytest.raises(DomainError) as refused:
        services.event_handle(actor=actor, event=event, outcome=OUTCOME)

    # Then it is refused as from someone not sent there (the report released every assignment); street B's
    # officer does not see street A's event at all
    assert (refused.value.code, refused.value.message) == (
        ("event_not_found", "事件不存在或不在您的管辖范围内")
        if persona == "officer_b"
        else ("not_assigned", "只有被派遣到该事件的执法人员才能反馈处置结果")
    )
    assert written(event, media) == before


def test_after_a_redo_the_same_text_is_a_new_handling(world: Any, media: Path) -> None:
    # Given an event officer_a reported, sent back to the field by the command centre and reached again
    event = walk_to(world, "handled")
    officer = world.user("officer_a")
    event = services.event_redo(actor=world.user("dispatcher"), event=event, reason="现场仍有摊贩")
    event = services.event_acknowledge(actor=officer, event=event)
    event = services.event_arrive(actor=officer, event=event, lon=event.lon, lat=event.lat)
    audit_before = AuditEntry.objects.count()

    # When officer_a reports the same text again
    handled = services.event_handle(actor=officer, event=event, outcome=OUTCOME)

    # Then it is a report of its own, with its transition, its round of handling and their audit entries
    assert handled.status == EventStatus.HANDLED
    assert handle_actions(event) == [("officer_a", EventStatus.HANDLED), ("officer_a", EventStatus.HANDLED)]
    assert list(event.handling_rounds.values_list("number", "outcome")) == [(1, OUTCOME), (2, OUTCOME)]
    assert AuditEntry.objects.count() == audit_before + 2


def test_two_copies_sent_at_once_make_one_handling(world: Any, media: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given an event on site, and a first copy that lands while the second is between its checks and the
    # row lock (both found the officer assigned and the event on site)
    event = walk_to(world, "arrived")
    officer = world.user("officer_a")
    real_check = dispatch.require_assignment
    first_copy: list[Event] = []
    calls: list[str] = []

    def check_then_let_the_first_copy_land(actor: Any, event: Event, *, what: str) -> Any:
        found = real_check(actor, event, what=what)
        calls.append(what)
        if len(calls) == 1:  # the second copy's check: the first copy goes all the way through now
            first_copy.append(services.event_handle(actor=officer, event=event, outcome=OUTCOME, photos=[photo()]))
        return found

    monkeypatch.setattr(dispatch, "require_assignment", check_then_let_the_first_copy_land)

    # When the second copy takes the lock
    second = services.event_handle(actor=officer, event=event, outcome=OUTCOME, photos=[photo()])

    # Then it finds the first copy's report and writes nothing of its own
    assert calls == ["反馈处置结果", "反馈处置结果"]
    assert (second.status, second.handled_at) == (EventStatus.HANDLED, first_copy[0].handled_at)
    assert handle_actions(event) == [("officer_a", EventStatus.HANDLED)]
    kept = EventPhoto.objects.get(event=event)
    assert sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()) == sorted(
        [kept.original.name, kept.public_copy.name]
    )
