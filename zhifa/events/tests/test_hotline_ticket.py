"""Closing the loop with the caller (issue 16): a 12345 ticket's number and call time at intake, closing with a
comment and the call-back (the satisfaction record) and a reply to the platform, and 退回12345."""

import datetime as dt
from typing import Any

import pytest
import time_machine

from zhifa.core.errors import InvalidTransition, ValidationFailed
from zhifa.core.models import AuditEntry
from zhifa.events import services
from zhifa.events.models import Event, EventCallback, EventTransition
from zhifa.events.services.verification import close_reply_draft
from zhifa.events.states import EventAction, EventSource, EventStatus
from zhifa.events.tests.conftest import report, walk_to

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in Shanghai
CALLED = dt.datetime(2026, 6, 1, 1, 50, tzinfo=dt.UTC)  # 09:50 in Shanghai


def footprint(event: Event) -> tuple[Any, ...]:
    fresh = Event.objects.get(pk=event.pk)
    return (
        fresh.status,
        fresh.updated_at,
        fresh.hotline_reply,
        EventTransition.objects.count(),
        EventCallback.objects.count(),
        AuditEntry.objects.count(),
    )


@time_machine.travel(T0, tick=False)
def test_a_ticket_number_and_call_time_are_kept_with_the_call(world: Any) -> None:
    event = report(world, hotline_ticket_no=" hz20260601-000123 ", called_at=CALLED)

    stored = Event.objects.get(pk=event.pk)
    assert (stored.hotline_ticket_no, stored.called_at, stored.reported_at) == ("HZ20260601-000123", CALLED, T0)


@time_machine.travel(T0, tick=False)
@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"hotline_ticket_no": "12 34"}, "hotline_ticket_invalid"),
        ({"hotline_ticket_no": "工单一二三四五六"}, "hotline_ticket_invalid"),
        ({"hotline_ticket_no": "ABCDEFGH"}, "hotline_ticket_invalid"),  # no digit
        ({"hotline_ticket_no": "A1" * 17}, "hotline_ticket_invalid"),  # 34 characters
        ({"hotline_ticket_no": "HZ123456", "source": EventSource.PATROL}, "hotline_ticket_not_hotline"),
        ({"called_at": T0 + dt.timedelta(minutes=3)}, "called_at_in_future"),
        ({"called_at": dt.datetime(2026, 6, 1, 9, 50)}, "called_at_naive"),
    ],
)
def test_a_bad_ticket_number_or_call_time_is_refused_in_chinese_and_nothing_is_stored(
    world: Any, fields: dict[str, Any], code: str
) -> None:
    actor = world.user("officer_a") if fields.get("source") == EventSource.PATROL else world.user("dispatcher")
    audit_before = AuditEntry.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        report(world, actor=actor, **fields)

    assert refused.value.code == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.value.message)
    assert (Event.objects.count(), AuditEntry.objects.count()) == (0, audit_before)


@time_machine.travel(T0, tick=False)
def test_a_call_time_a_minute_ahead_of_the_server_clock_is_taken(world: Any) -> None:
    event = report(world, called_at=T0 + dt.timedelta(minutes=1))

    assert Event.objects.get(pk=event.pk).called_at == T0 + dt.timedelta(minutes=1)


def test_closing_a_ticket_keeps_the_comment_the_call_back_and_the_reply(world: Any) -> None:
    # Given a 12345 ticket handled by officer_a and verified
    event = walk_to(world, "verified", hotline_ticket_no="HZ20260601000123", called_at=CALLED)
    dispatcher = world.user("dispatcher")

    # When the dispatcher closes it after calling the caller back, with the reply as drafted
    draft = close_reply_draft(event)
    closed = services.event_close(
        actor=dispatcher,
        event=event,
        comment="现场已恢复通行",
        callback_result="satisfied",
        callback_note="来电人确认摊贩已离开",
        hotline_reply=draft + "（已电话回访）",
    )

    # Then the event is closed with the comment in its timeline, one call-back row, the reply as sent, audited
    assert closed.status == EventStatus.CLOSED
    close = EventTransition.objects.get(event=event, action=EventAction.CLOSE)
    assert close.reason == "现场已恢复通行"
    assert list(EventCallback.objects.values_list("event_id", "result", "note", "actor_label")) == [
        (event.pk, "satisfied", "来电人确认摊贩已离开", "dispatcher")
    ]
    assert Event.objects.get(pk=event.pk).hotline_reply == draft + "（已电话回访）"
    assert draft.startswith(
        "来电人您好！您于2026年06月01日09时50分反映的“仁和路口有流动摊贩占道经营”问题（工单号HZ20260601000123）"
    )
    assert "经甲街道综合行政执法队现场核查处置：已劝离，恢复通行。" in draft
    assert list(AuditEntry.objects.filter(action="event.callback").values_list("after__result", flat=True)) == [
        "satisfied"
    ]


def test_a_ticket_closed_without_a_reply_gets_the_draft(world: Any) -> None:
    event = walk_to(world, "verified", hotline_ticket_no="HZ20260601000124")

    services.event_close(actor=world.user("dispatcher"), event=event, callback_result="unreachable")

    assert Event.objects.get(pk=event.pk).hotline_reply == close_reply_draft(event)


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({}, "callback_required"),
        ({"callback_result": "happy"}, "callback_result_unknown"),
        ({"callback_result": "not_needed"}, "callback_needed"),  # the caller left a number
        ({"callback_result": "satisfied", "comment": "很" * 1001}, "close_comment_too_long"),
        ({"callback_result": "satisfied", "hotline_reply": "复" * 2001}, "hotline_reply_too_long"),
    ],
)
def test_a_ticket_is_not_closed_without_a_proper_call_back(world: Any, fields: dict[str, Any], code: str) -> None:
    event = walk_to(world, "verified", hotline_ticket_no="HZ20260601000125")
    before = footprint(event)

    with pytest.raises(ValidationFailed) as refused:
        services.event_close(actor=world.user("dispatcher"), event=event, **fields)

    assert refused.value.code == code
    assert footprint(event) == before


def test_an_anonymous_callers_ticket_closes_with_no_call_back_needed(world: Any) -> None:
    event = walk_to(world, "verified", hotline_ticket_no="HZ20260601000126", reporter_phone="")

    services.event_close(actor=world.user("dispatcher"), event=event, callback_result="not_needed")

    assert Event.objects.get(pk=event.pk).status == EventStatus.CLOSED
    assert list(EventCallback.objects.values_list("result", flat=True)) == ["not_needed"]


def test_an_event_that_is_no_ticket_closes_as_before(world: Any) -> None:
    event = walk_to(world, "verified")

    services.event_close(actor=world.user("dispatcher"), event=event)

    assert (Event.objects.get(pk=event.pk).status, Event.objects.get(pk=event.pk).hotline_reply) == ("closed", "")
    assert EventCallback.objects.count() == 0


# --- 退回12345 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["reported", "triaged", "returned"])
def test_a_ticket_outside_the_districts_duty_is_sent_back_with_its_reason(world: Any, state: str) -> None:
    event = walk_to(world, state, hotline_ticket_no="HZ20260601000127", called_at=CALLED)

    sent = services.event_send_back(actor=world.user("dispatcher"), event=event, reason="属供电公司职责")

    fresh = Event.objects.get(pk=event.pk)
    assert (sent.status, fresh.status) == (EventStatus.SENT_BACK, EventStatus.SENT_BACK)
    last = EventTransition.objects.filter(event=event).order_by("pk").last()
    assert last is not None
    assert (last.action, last.from_status, last.to_status, last.reason) == (
        "send_back",
        state,
        "sent_back",
        "属供电公司职责",
    )
    assert fresh.hotline_reply.endswith(
        "经核查不属于本区综合行政执法职责范围：属供电公司职责。现退回12345平台另行派转。"
    )
    assert AuditEntry.objects.filter(action="event.send_back", object_id=str(event.pk)).count() == 1


def test_the_dispatchers_own_reply_is_kept_when_sending_back(world: Any) -> None:
    event = walk_to(world, "triaged")

    services.event_send_back(
        actor=world.user("dispatcher"), event=event, reason="非本区辖区", hotline_reply="该地址属邻区，请转邻区办理。"
    )

    assert Event.objects.get(pk=event.pk).hotline_reply == "该地址属邻区，请转邻区办理。"


@pytest.mark.parametrize("reason", ["", "   "])
def test_sending_back_without_a_reason_is_refused(world: Any, reason: str) -> None:
    event = walk_to(world, "triaged")
    before = footprint(event)

    with pytest.raises(ValidationFailed) as refused:
        services.event_send_back(actor=world.user("dispatcher"), event=event, reason=reason)

    assert refused.value.code == "reason_required"
    assert footprint(event) == before


@pytest.mark.parametrize(
    "state", ["dispatched", "acknowledged", "arrived", "handled", "verified", "closed", "rejected"]
)
def test_a_ticket_in_the_field_or_finished_cannot_be_sent_back(world: Any, state: str) -> None:
    event = walk_to(world, state)
    before = footprint(event)

    with pytest.raises(InvalidTransition) as refused:
        services.event_send_back(actor=world.user("dispatcher"), event=event, reason="不属本区")

    assert refused.value.code == "invalid_transition"
    assert footprint(event) == before


def test_only_a_hotline_ticket_can_be_sent_back(world: Any) -> None:
    event = report(world, actor=world.user("officer_a"), source=EventSource.PATROL)
    before = footprint(event)

    with pytest.raises(InvalidTransition) as refused:
        services.event_send_back(actor=world.user("dispatcher"), event=event, reason="不属本区")

    assert (refused.value.code, refused.value.message) == ("transition_guard_failed", "只有12345热线来件可以退回12345")
    assert footprint(event) == before


@pytest.mark.parametrize("persona", ["officer_a", "auxiliary_a", "leader"])
def test_only_the_command_centre_sends_a_ticket_back(world: Any, persona: str) -> None:
    from zhifa.core.errors import PermissionDenied

    event = walk_to(world, "triaged")
    before = footprint(event)

    with pytest.raises(PermissionDenied):
        services.event_send_back(actor=world.user(persona), event=event, reason="不属本区")

    assert footprint(event) == before


def test_support_finds_a_ticket_by_its_number_and_sees_its_call_back_but_not_the_number(
    world: Any, sign_in: Any
) -> None:
    from zhifa.org.roles import Role
    from zhifa.org.tests.factories import ProfileFactory, UserFactory

    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    ProfileFactory(user=root, district=world.district, role=Role.ADMIN, display_name="root")
    event = walk_to(world, "verified", hotline_ticket_no="HZ20260601000128")
    services.event_close(actor=world.user("dispatcher"), event=event, callback_result="dissatisfied")
    admin = sign_in(root)

    found = admin.get("/admin/events/event/", {"q": "HZ20260601000128"}).content.decode()
    page = admin.get(f"/admin/events/event/{event.pk}/change/").content.decode()

    assert event.public_no in found
    assert "已回访不满意" in page
    assert "13812341234" not in page
