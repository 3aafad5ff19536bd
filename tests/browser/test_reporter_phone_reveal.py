"""Issue 16 in the browser: the dispatcher reveals a caller's number on the event page ("显示号码 / 拨打")
and gets a tel: link, with the look audited; the caller's hostile name, description and the 12345 reply
drafted from them stay text; nothing runs and the Content-Security-Policy reports no violation."""

from typing import Any

from playwright.sync_api import expect

from conftest import POINT_IN_A, World
from tests.browser.conftest import WATCH, login
from tests.browser.test_hostile_names import HOSTILE_OFFICER, assert_nothing_ran, hover_until_shown, open_page
from zhifa.core.models import AuditEntry
from zhifa.events import services
from zhifa.events.services.contacts import AUDIT_ACTION
from zhifa.events.states import EventSource
from zhifa.events.tests.conftest import officer_of
from zhifa.events.tests.factories import OfficerPositionFactory
from zhifa.org.tests.factories import OfficerFactory

HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_DESCRIPTION = '<img src=x onerror="window.__xss=6">占道经营'


def test_the_dispatcher_reveals_a_hostile_callers_number_as_a_tel_link(
    live_server: Any, world: World, watched: Any
) -> None:
    page, dialogs = watched
    dispatcher = world.user("dispatcher")
    event = services.event_intake(
        actor=dispatcher,
        district=world.district,
        source=EventSource.HOTLINE,
        description=HOSTILE_DESCRIPTION,
        lon=POINT_IN_A[0],
        lat=POINT_IN_A[1],
        reporter_name=HOSTILE_NAME,
        reporter_phone="13812341234",
        hotline_ticket_no="HZ20260601000123",
    ).event
    login(page, live_server.url, "dispatcher")

    # The page shows the name as text and the number masked, with the button
    open_page(page, f"{live_server.url}/events/{event.pk}/")
    expect(page.locator("dl.fields")).to_contain_text(HOSTILE_NAME)
    expect(page.locator("#reporter-phone")).to_contain_text("138****1234")
    assert AuditEntry.objects.filter(action=AUDIT_ACTION).count() == 0

    # One tap shows the whole number as a tel: link, and the look is in the audit trail
    page.locator("#reveal-phone").click()
    link = page.locator("#reporter-phone-link")
    expect(link).to_have_text("13812341234")
    expect(link).to_have_attribute("href", "tel:13812341234")
    expect(page.locator("#reporter-phone .call-btn")).to_have_attribute("href", "tel:13812341234")
    entries = list(AuditEntry.objects.filter(action=AUDIT_ACTION).values_list("actor_id", "object_id"))
    assert entries == [(dispatcher.pk, str(event.pk))]
    assert_nothing_ran(page, dialogs)


def test_the_close_form_shows_the_drafted_12345_reply_as_text(live_server: Any, world: World, watched: Any) -> None:
    page, dialogs = watched
    dispatcher, officer = world.user("dispatcher"), world.user("officer_a")
    event = services.event_intake(
        actor=dispatcher,
        district=world.district,
        source=EventSource.HOTLINE,
        description=HOSTILE_DESCRIPTION,
        lon=POINT_IN_A[0],
        lat=POINT_IN_A[1],
        reporter_name=HOSTILE_NAME,
        reporter_phone="13812341234",
        hotline_ticket_no="HZ20260601000124",
    ).event
    event = services.event_dispatch(actor=dispatcher, event=event, officers=[officer_of(world, "officer_a")])
    event = services.event_acknowledge(actor=officer, event=event)
    event = services.event_arrive(actor=officer, event=event, lon=event.lon, lat=event.lat)
    event = services.event_handle(actor=officer, event=event, outcome="<b onmouseover=alert(2)>已劝离</b>")
    services.event_verify(actor=dispatcher, event=event)
    login(page, live_server.url, "dispatcher")

    open_page(page, f"{live_server.url}/events/{event.pk}/")
    page.locator("details.action-close summary").click()
    reply = page.locator("details.action-close textarea[name=hotline_reply]")
    expect(reply).to_be_visible()
    assert reply.input_value().startswith("来电人您好！您于")
    assert HOSTILE_DESCRIPTION in reply.input_value()
    assert "<b onmouseover=alert(2)>已劝离</b>" in reply.input_value()
    page.locator("details.action-close select[name=callback_result]").select_option("satisfied")
    page.locator("details.action-close button[type=submit]").click()

    expect(page.locator("#event-status")).to_have_text("已结案")
    expect(page.locator(".hotline-reply")).to_contain_text(HOSTILE_DESCRIPTION)
    expect(page.locator("ul.callbacks")).to_contain_text("已回访满意")
    assert_nothing_ran(page, dialogs)


def test_an_officers_work_phone_is_a_tel_link_on_the_command_centre_map(
    live_server: Any, world: World, watched: Any
) -> None:
    page, dialogs = watched
    officer = OfficerFactory(
        district=world.district,
        name=HOSTILE_OFFICER,
        home_department=world.enforcement_dept,
        street=world.street_a,
        zone=world.zone_a,
        phone="13700001111",
    )
    OfficerPositionFactory(officer=officer, lon=POINT_IN_A[0], lat=POINT_IN_A[1])  # on street A's label
    login(page, live_server.url, "dispatcher")

    open_page(page, f"{live_server.url}/command/")
    expect(page.locator("#command-map")).to_have_attribute("data-officer-count", "1")
    tooltip = page.locator(".leaflet-tooltip:not(.street-label)")
    hover_until_shown(page, page.locator(".street-label", has_text="甲街道"), tooltip)
    page.mouse.down()
    page.mouse.up()

    card = page.locator(".leaflet-popup .officer-card")
    expect(card).to_contain_text(f"{HOSTILE_OFFICER}（不在岗）")
    expect(card.locator("a.tel-link")).to_have_attribute("href", "tel:13700001111")
    expect(card.locator("a.tel-link")).to_have_text("拨打 13700001111")
    assert_nothing_ran(page, dialogs)


def test_the_officer_sent_to_the_caller_reveals_the_number_on_the_phone(
    live_server: Any, world: World, browser: Any
) -> None:
    dispatcher = world.user("dispatcher")
    event = services.event_intake(
        actor=dispatcher,
        district=world.district,
        source=EventSource.HOTLINE,
        description="小区门口占道经营",
        lon=POINT_IN_A[0],
        lat=POINT_IN_A[1],
        reporter_name=HOSTILE_NAME,
        reporter_phone="13812341234",
    ).event
    services.event_dispatch(actor=dispatcher, event=event, officers=[officer_of(world, "officer_a")])
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844}, is_mobile=True
    )
    context.add_init_script(WATCH)
    page = context.new_page()
    dialogs: list[str] = []

    def dismiss(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    try:
        login(page, live_server.url, "officer_a")
        open_page(page, f"{live_server.url}/m/events/{event.pk}/")
        expect(page.locator("#caller")).to_contain_text(HOSTILE_NAME)
        expect(page.locator("#reporter-phone")).to_contain_text("138****1234")

        page.locator("#reveal-phone").click()

        expect(page.locator("#reporter-phone-link")).to_have_attribute("href", "tel:13812341234")
        expect(page.locator("#reporter-phone .call-btn")).to_have_text("拨打")
        officer = world.user("officer_a")
        assert list(AuditEntry.objects.filter(action=AUDIT_ACTION).values_list("actor_id", flat=True)) == [officer.pk]
        assert_nothing_ran(page, dialogs)
    finally:
        context.close()
