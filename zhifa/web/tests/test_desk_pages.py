"""The event page at the desk (issue 16, "What matters is hidden"): the header's countdown says which clock it
is, the recommendations are offered only for a first dispatch, the dispatcher chooses the 主办, a silent 主办 is
flagged, and a refused 结案 or 转办 keeps what was typed."""

import re
from typing import Any

from conftest import World
from zhifa.events import services
from zhifa.events.models import Event, EventAssignment
from zhifa.events.states import EventStatus
from zhifa.events.tests.conftest import colleague, officer_of, on_duty, walk_to

__all__ = ["colleague"]  # the fixture: 丙队员, a second officer of street A


def action_form(body: str, action: str) -> str:
    """The HTML of one action's <details> on the event page."""
    found = re.search(rf'<details class="action action-{action}"[^>]*>(.*?)</details>', body, re.S)
    assert found, f"no {action} form"
    return found.group(1)


def test_the_header_countdown_says_which_clock_it_counts(client_as: Any, world: World) -> None:
    event = walk_to(world, "dispatched")

    body = client_as("dispatcher").get(f"/events/{event.pk}/").content.decode()

    header = re.search(r'<span class="deadline" id="event-deadline">(.*?)</span></span>', body, re.S)
    assert header, "no deadline in the header"
    # The label is outside the element countdown.js rewrites every second.
    assert re.search(
        r'<span class="clock-label">响应时限</span> <span class="countdown" data-due="[^"]+">', header.group(1)
    )


def test_recommendations_are_offered_before_the_dispatch_and_not_after(client_as: Any, world: World) -> None:
    on_duty(officer_of(world, "officer_a"))
    event = walk_to(world, "triaged")
    client = client_as("dispatcher")

    before = client.get(f"/events/{event.pk}/").content.decode()
    client.post(f"/events/{event.pk}/do/dispatch/", {"officer_ids": [officer_of(world, "officer_a").pk]})
    after = client.get(f"/events/{event.pk}/").content.decode()

    assert "推荐人员" in before and 'class="recommendations"' in before
    assert "推荐人员" not in after and 'class="recommendations"' not in after
    assert "action-redispatch" in after  # 改派 is still there, with its own picker


def test_a_refused_close_keeps_every_typed_field(client_as: Any, world: World) -> None:
    event = walk_to(world, "verified", hotline_ticket_no="HZ20260601000123")

    refused = client_as("dispatcher").post(
        f"/events/{event.pk}/do/close/",
        {"comment": "现场已恢复，同意结案", "callback_note": "电话未说完", "hotline_reply": "我的回复文字"},
    )

    assert refused.status_code == 422
    form = action_form(refused.content.decode(), "close")
    assert "现场已恢复，同意结案</textarea>" in form
    assert 'value="电话未说完"' in form
    assert "我的回复文字</textarea>" in form
    assert '<option value="">未回访</option>' in form and " selected" not in form


def test_a_refused_close_keeps_the_chosen_call_back_result(client_as: Any, world: World) -> None:
    event = walk_to(world, "verified", hotline_ticket_no="HZ20260601000123")

    # Refused: the reply is over its length.
    refused = client_as("dispatcher").post(
        f"/events/{event.pk}/do/close/",
        {"comment": "同意结案", "callback_result": "satisfied", "hotline_reply": "长" * 2001},
    )

    assert refused.status_code == 422
    form = action_form(refused.content.decode(), "close")
    assert '<option value="satisfied" selected>' in form
    assert "同意结案</textarea>" in form


def test_a_refused_transfer_keeps_the_chosen_department(client_as: Any, world: World) -> None:
    event = walk_to(world, "triaged")

    refused = client_as("dispatcher").post(
        f"/events/{event.pk}/do/transfer/", {"department_id": world.market_dept.pk, "instructions": ""}
    )

    assert refused.status_code == 422
    form = action_form(refused.content.decode(), "transfer")
    assert f'<option value="{world.market_dept.pk}" selected>' in form


def test_the_forms_are_empty_on_a_fresh_page(client_as: Any, world: World) -> None:
    event = walk_to(world, "verified", hotline_ticket_no="HZ20260601000123")

    body = client_as("dispatcher").get(f"/events/{event.pk}/").content.decode()

    form = action_form(body, "close")
    assert '<textarea name="comment" rows="2"></textarea>' in form and " selected" not in form
    assert "经甲街道综合行政执法队现场核查处置" in form  # the drafted reply, when nothing was typed


# --- the 主办 ---------------------------------------------------------------------------------------------------


def test_the_dispatcher_chooses_the_lead_among_the_chosen(client_as: Any, world: World, colleague: Any) -> None:
    event = walk_to(world, "triaged")
    officer_a = officer_of(world, "officer_a")
    client = client_as("dispatcher")

    page = action_form(client.get(f"/events/{event.pk}/").content.decode(), "dispatch")
    response = client.post(
        f"/events/{event.pk}/do/dispatch/", {"officer_ids": [officer_a.pk, colleague.pk], "lead_id": colleague.pk}
    )

    assert '<select name="lead_id">' in page and '<option value="">所选第一人</option>' in page
    assert response.status_code == 302
    leads = dict(EventAssignment.objects.filter(event=event).values_list("officer_id", "is_lead"))
    assert leads == {colleague.pk: True, officer_a.pk: False}


def test_without_a_chosen_lead_the_first_chosen_leads(client_as: Any, world: World, colleague: Any) -> None:
    event = walk_to(world, "triaged")
    officer_a = officer_of(world, "officer_a")

    client_as("dispatcher").post(
        f"/events/{event.pk}/do/dispatch/", {"officer_ids": [officer_a.pk, colleague.pk], "lead_id": ""}
    )

    leads = dict(EventAssignment.objects.filter(event=event).values_list("officer_id", "is_lead"))
    assert leads == {officer_a.pk: True, colleague.pk: False}


def test_a_lead_outside_the_chosen_crew_is_refused_and_nothing_is_dispatched(
    client_as: Any, world: World, colleague: Any
) -> None:
    event = walk_to(world, "triaged")

    refused = client_as("dispatcher").post(
        f"/events/{event.pk}/do/dispatch/",
        {"officer_ids": [officer_of(world, "officer_a").pk], "lead_id": colleague.pk},
    )

    assert refused.status_code == 422
    assert "主办须是所选执法人员之一" in refused.content.decode()
    assert not EventAssignment.objects.filter(event=event).exists()
    event.refresh_from_db()
    assert event.status == EventStatus.TRIAGED


def test_a_redispatch_takes_the_chosen_lead_too(client_as: Any, world: World, colleague: Any) -> None:
    event = walk_to(world, "dispatched")
    officer_a = officer_of(world, "officer_a")

    response = client_as("dispatcher").post(
        f"/events/{event.pk}/do/redispatch/",
        {
            "officer_ids": [officer_a.pk, colleague.pk],
            "lead_id": colleague.pk,
            "reason": "主办另有任务，改由丙队员主办",
        },
    )

    assert response.status_code == 302
    active = EventAssignment.objects.filter(event=event, released_at__isnull=True)
    assert dict(active.values_list("officer_id", "is_lead")) == {colleague.pk: True, officer_a.pk: False}


def silent_lead_event(world: World, colleague: Any) -> Event:
    """Dispatched to officer_a (主办) and 丙队员; 丙队员 has acknowledged, officer_a not."""
    event = walk_to(world, "triaged")
    event = services.event_dispatch(
        actor=world.user("dispatcher"), event=event, officers=[officer_of(world, "officer_a"), colleague]
    )
    return services.event_acknowledge(actor=colleague.user, event=event)


def test_a_silent_lead_is_flagged_on_the_event_page(client_as: Any, world: World, colleague: Any) -> None:
    event = silent_lead_event(world, colleague)

    body = client_as("dispatcher").get(f"/events/{event.pk}/").content.decode()

    assert "主办 甲队员 尚未响应，协办人员已响应" in body
    assert body.count('class="tag danger silent-lead"') == 1


def test_a_lead_who_acknowledged_is_not_flagged(client_as: Any, world: World, colleague: Any) -> None:
    event = silent_lead_event(world, colleague)
    services.event_acknowledge(actor=world.user("officer_a"), event=Event.objects.get(pk=event.pk))

    body = client_as("dispatcher").get(f"/events/{event.pk}/").content.decode()

    assert "silent-lead" not in body


def test_a_silent_lead_is_flagged_on_the_command_centre_row(client_as: Any, world: World, colleague: Any) -> None:
    event = silent_lead_event(world, colleague)

    body = client_as("dispatcher").get("/command/").content.decode()

    row = re.search(rf'<tr id="event-{event.pk}".*?</tr>', body, re.S)
    assert row, "the event is not in the queue"
    assert re.search(r'甲队员 <span class="tag danger silent-lead"[^>]*>主办未响应</span>', row.group(0))
