"""Issue 16 on the pages: the caller's number behind "显示号码 / 拨打" (audited, only for who may call),
officers' work phones as tel: links, the 12345 ticket at the hotline desk, closing with the call-back, and
the 退回12345 button."""

import datetime as dt
from typing import Any

import pytest
import time_machine

from conftest import POINT_IN_A, World
from zhifa.core.models import AuditEntry
from zhifa.events import services
from zhifa.events.models import Event, EventCallback
from zhifa.events.services.contacts import AUDIT_ACTION
from zhifa.events.states import EventSource, EventStatus
from zhifa.events.tests.conftest import colleague, officer_of, walk_to

__all__ = ["colleague"]  # 丙队员 of street A, a fixture of the events tests

T0 = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in Shanghai
JSON = {"HTTP_ACCEPT": "application/json"}


def looks() -> int:
    return AuditEntry.objects.filter(action=AUDIT_ACTION).count()


def call(**overrides: Any) -> dict[str, Any]:
    data = {
        "reporter_name": "李女士",
        "reporter_phone": "13912345678",
        "description": "小区门口餐馆油烟直排，味道很大",
        "priority": "normal",
        "lon": str(POINT_IN_A[0]),
        "lat": str(POINT_IN_A[1]),
        "address": "",
        "matter_code": "",
    }
    data.update(overrides)
    return data


# --- the caller's number -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["dispatcher", "street_dispatcher_a", "officer_a"])
def test_who_may_call_gets_the_button_and_the_number_as_a_tel_link(client_as: Any, world: World, persona: str) -> None:
    event = walk_to(world, "dispatched")
    client = client_as(persona)

    page = client.get(f"/events/{event.pk}/").content.decode()
    revealed = client.post(f"/events/{event.pk}/reporter-phone/", **JSON)

    assert "138****1234" in page and "13812341234" not in page
    assert 'id="reveal-phone"' in page and "显示号码 / 拨打" in page
    assert "web/reveal-phone.js" in page
    assert revealed.json() == {"reporter_phone": "13812341234", "tel_url": "tel:13812341234"}
    assert looks() == 1


@pytest.mark.parametrize("persona", ["auxiliary_a", "leader"])
def test_who_may_not_call_sees_the_mask_without_a_button_and_a_forged_post_is_refused(
    client_as: Any, world: World, persona: str
) -> None:
    event = walk_to(world, "dispatched")
    client = client_as(persona)

    page = client.get(f"/events/{event.pk}/").content.decode()
    refused = client.post(f"/events/{event.pk}/reporter-phone/", **JSON)

    assert "138****1234" in page and 'id="reveal-phone"' not in page
    assert (refused.status_code, refused.json()["code"]) == (403, "phone_reveal_not_allowed")
    assert looks() == 0


def test_an_officer_not_assigned_is_refused_and_nothing_is_audited(client: Any, world: World, colleague: Any) -> None:
    event = walk_to(world, "dispatched")
    client.force_login(colleague.user)

    page = client.get(f"/events/{event.pk}/").content.decode()
    refused = client.post(f"/events/{event.pk}/reporter-phone/", **JSON)
    officer_b = client_b(client, world).post(f"/events/{event.pk}/reporter-phone/", **JSON)

    assert 'id="reveal-phone"' not in page
    assert (refused.status_code, refused.json()["code"]) == (403, "phone_reveal_not_allowed")
    assert (officer_b.status_code, officer_b.json()["code"]) == (404, "event_not_found")
    assert looks() == 0


def client_b(client: Any, world: World) -> Any:
    client.force_login(world.user("officer_b"))
    return client


def test_a_look_is_never_a_get_and_without_the_script_the_number_comes_as_a_message(
    client_as: Any, world: World
) -> None:
    event = walk_to(world, "dispatched")
    client = client_as("dispatcher")

    got = client.get(f"/events/{event.pk}/reporter-phone/")
    posted = client.post(f"/events/{event.pk}/reporter-phone/", follow=True)

    assert got.status_code == 405
    assert "来电人号码：13812341234（本次查看已留痕）" in posted.content.decode()
    assert looks() == 1


def test_officers_work_phones_are_tel_links_on_the_roster_and_the_event(client_as: Any, world: World) -> None:
    officer = officer_of(world, "officer_a")
    officer.phone = "13700001111"
    officer.save(update_fields=["phone"])
    event = walk_to(world, "dispatched")
    client = client_as("dispatcher")

    roster = client.get("/officers/").content.decode()
    detail = client.get(f"/officers/{officer.pk}/").content.decode()
    page = client.get(f"/events/{event.pk}/").content.decode()

    link = '<a class="tel-link" href="tel:13700001111">13700001111</a>'
    assert link in roster
    assert link in detail
    assert '<a class="tel-link officer-phone" href="tel:13700001111">13700001111</a>' in page


def test_a_business_owner_does_not_get_the_officers_phones_on_their_report(client_as: Any, world: World) -> None:
    officer = officer_of(world, "officer_a")
    officer.phone = "13700001111"
    officer.save(update_fields=["phone"])
    event = walk_to(world, "dispatched", actor=world.user("business_owner"), source=EventSource.API)
    Event.objects.filter(pk=event.pk).update(reporter_user=world.user("business_owner"))

    page = client_as("business_owner").get(f"/events/{event.pk}/").content.decode()

    assert "甲队员" in page
    assert "13700001111" not in page


# --- the hotline desk -----------------------------------------------------------------------------------------


@time_machine.travel(T0, tick=False)
def test_the_operator_records_the_ticket_number_and_the_call_time(client_as: Any, world: World) -> None:
    client = client_as("dispatcher")

    form = client.get("/hotline/").content.decode()
    response = client.post("/hotline/", call(hotline_ticket_no="hz20260601000123", called_at="2026-06-01T09:48"))

    assert 'name="hotline_ticket_no"' in form and 'type="datetime-local"' in form
    event = Event.objects.get()
    assert response.status_code == 302
    assert (event.hotline_ticket_no, event.called_at) == (
        "HZ20260601000123",
        dt.datetime(2026, 6, 1, 1, 48, tzinfo=dt.UTC),
    )
    page = client.get(f"/events/{event.pk}/").content.decode()
    assert "HZ20260601000123" in page and "2026-06-01 09:48" in page


@time_machine.travel(T0, tick=False)
@pytest.mark.parametrize(
    ("fields", "message", "error_list"),
    [
        ({"hotline_ticket_no": "12#34"}, "12345工单号格式不正确", "hotline_ticket_no-errors"),
        ({"called_at": "2026-06-01T11:30"}, "来电时间不能晚于当前时间", "called_at-errors"),
        ({"called_at": "昨天下午"}, "请输入正确的来电时间", "called_at-errors"),
    ],
)
def test_a_bad_ticket_or_call_time_is_shown_next_to_its_field_and_nothing_is_stored(
    client_as: Any, world: World, fields: dict[str, str], message: str, error_list: str
) -> None:
    response = client_as("dispatcher").post("/hotline/", call(**fields))

    body = response.content.decode()
    assert response.status_code == 422
    assert f'id="{error_list}"' in body and message in body
    assert 'value="13912345678"' in body  # the rest of the call is kept
    assert Event.objects.count() == 0


# --- closing and 退回12345 -------------------------------------------------------------------------------------


def test_the_close_form_offers_the_call_back_and_the_drafted_reply(client_as: Any, world: World) -> None:
    event = walk_to(world, "verified", hotline_ticket_no="HZ20260601000123")

    page = client_as("dispatcher").get(f"/events/{event.pk}/").content.decode()

    assert 'name="callback_result"' in page and "已回访满意" in page and "未接通" in page
    assert "回访结果（12345工单必填）" in page
    assert "（工单号HZ20260601000123），经甲街道综合行政执法队现场核查处置：已劝离，恢复通行。" in page


def test_closing_a_ticket_on_the_page(client_as: Any, world: World) -> None:
    event = walk_to(world, "verified", hotline_ticket_no="HZ20260601000123")
    client = client_as("dispatcher")
    url = f"/events/{event.pk}/do/close/"

    refused = client.post(url, {"comment": "已办结"})
    closed = client.post(
        url,
        {"comment": "已办结", "callback_result": "satisfied", "callback_note": "满意", "hotline_reply": "已办结。"},
        follow=True,
    )

    assert refused.status_code == 422
    assert "12345工单结案前须记录回访结果" in refused.content.decode()
    body = closed.content.decode()
    fresh = Event.objects.get(pk=event.pk)
    assert (fresh.status, fresh.hotline_reply) == (EventStatus.CLOSED, "已办结。")
    assert list(EventCallback.objects.values_list("result", "note")) == [("satisfied", "满意")]
    assert "回访记录" in body and "已回访满意" in body and "12345回复" in body


def test_the_send_back_button_is_for_hotline_tickets_and_needs_a_reason(client_as: Any, world: World) -> None:
    ticket = walk_to(world, "triaged")
    patrol = services.event_intake(
        actor=world.user("officer_a"),
        district=world.district,
        source=EventSource.PATROL,
        description="巡查发现占道",
        lon=POINT_IN_A[0],
        lat=POINT_IN_A[1],
    ).event
    client = client_as("dispatcher")

    ticket_page = client.get(f"/events/{ticket.pk}/").content.decode()
    patrol_page = client.get(f"/events/{patrol.pk}/").content.decode()
    no_reason = client.post(f"/events/{ticket.pk}/do/send_back/", {"reason": ""})
    sent = client.post(f"/events/{ticket.pk}/do/send_back/", {"reason": "属供电公司职责"}, follow=True)

    assert "action-send_back" in ticket_page and "退回12345" in ticket_page
    assert "action-send_back" not in patrol_page
    assert no_reason.status_code == 422 and "请填写理由" in no_reason.content.decode()
    assert Event.objects.get(pk=ticket.pk).status == EventStatus.SENT_BACK
    body = sent.content.decode()
    assert "已退回12345" in body and "属供电公司职责" in body


def test_the_send_back_button_is_not_offered_to_an_officer(client_as: Any, world: World) -> None:
    event = walk_to(world, "triaged")

    page = client_as("officer_a").get(f"/events/{event.pk}/").content.decode()
    forged = client_as("officer_a").post(f"/events/{event.pk}/do/send_back/", {"reason": "不属本区"})

    assert "action-send_back" not in page
    assert forged.status_code == 403
    assert Event.objects.get(pk=event.pk).status == EventStatus.TRIAGED


def test_the_officer_sent_to_the_caller_gets_the_button_on_the_phone(client: Any, world: World, colleague: Any) -> None:
    event = walk_to(world, "acknowledged")
    client.force_login(world.user("officer_a"))

    sent = client.get(f"/m/events/{event.pk}/").content.decode()
    revealed = client.post(f"/events/{event.pk}/reporter-phone/", **JSON)
    client.force_login(colleague.user)
    other = client.get(f"/m/events/{event.pk}/").content.decode()

    assert "王先生" in sent and "138****1234" in sent and "13812341234" not in sent
    assert 'id="reveal-phone"' in sent and "web/reveal-phone.js" in sent
    assert revealed.json()["tel_url"] == "tel:13812341234"
    assert "138****1234" in other and 'id="reveal-phone"' not in other
    assert looks() == 1


def test_the_command_centre_map_carries_each_officers_work_phone(client_as: Any, world: World) -> None:
    from zhifa.events.tests.conftest import position_of

    officer = officer_of(world, "officer_a")
    officer.phone = "0571-8888 1234"
    officer.save(update_fields=["phone"])
    position_of(officer, lon=POINT_IN_A[0], lat=POINT_IN_A[1])
    position_of(officer_of(world, "officer_b"), lon=POINT_IN_A[0] + 0.01, lat=POINT_IN_A[1])

    data = client_as("dispatcher").get("/command/officers.json").json()

    assert {o["name"]: (o["phone"], o["tel_url"]) for o in data["officers"]} == {
        "甲队员": ("0571-8888 1234", "tel:057188881234"),
        "乙队员": ("", ""),
    }


def test_an_event_is_found_by_its_12345_ticket_number(client_as: Any, world: World) -> None:
    ticket = walk_to(world, "triaged", hotline_ticket_no="HZ20260601000777")
    other = walk_to(world, "triaged", description="另一处占道", hotline_ticket_no="HZ20260601000888")
    client = client_as("dispatcher")

    listed = client.get("/events/", {"q": "000777"}).content.decode()
    queued = client.get("/command/", {"q": "hz20260601000777"}).content.decode()

    assert ticket.public_no in listed and other.public_no not in listed
    assert ticket.public_no in queued and other.public_no not in queued
    assert "事件编号、工单号、描述或地址" in listed


def test_the_command_centre_row_shows_the_crew_with_their_work_phones(client_as: Any, world: World) -> None:
    from zhifa.web.command import command_row

    officer = officer_of(world, "officer_a")
    officer.phone = "13700001111"
    officer.save(update_fields=["phone"])
    event = walk_to(world, "dispatched")
    waiting = walk_to(world, "triaged", description="另一处占道")
    client = client_as("dispatcher")

    page = client.get("/command/").content.decode()
    live = command_row(Event.objects.get(pk=event.pk), user=world.user("dispatcher"))["html"]

    row = page[page.index(f'id="event-{event.pk}"') :]
    row = row[: row.index("</tr>")]
    crew = '<span class="crew-member">甲队员 <a class="tel-link" href="tel:13700001111">13700001111</a></span>'
    assert crew in row
    assert crew in live
    other = page[page.index(f'id="event-{waiting.pk}"') :]
    assert 'class="crew"' not in other[: other.index("</tr>")]
