"""Issue 16, "what matters is hidden": the reason of a 核查不通过 reaches the officer's phone, and the officer
hands in a second round — choosing the result type, tapping a common phrase, refused without the photo the
result needs — while the event page keeps both rounds. The reason and the description are hostile text."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from conftest import POINT_IN_A, World
from tests.browser.conftest import BROWSER_TIMEOUT_MS, login
from zhifa.catalog.models import HandlingPhrase
from zhifa.catalog.services import handling_defaults_install
from zhifa.core.actors import SystemActor
from zhifa.events import services
from zhifa.events.models import Event, EventHandlingRound
from zhifa.events.states import EventSource, EventStatus
from zhifa.events.tests.conftest import jpeg_bytes, officer_of
from zhifa.org.tests.factories import OfficerFactory

HOSTILE = "<img src=x onerror=alert(1)>"
REASON = f"照片中仍有摊位，请复查 {HOSTILE}"
HOSTILE_PHRASE = f"已处理 {HOSTILE}"  # a phrase an administrator typed


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def phone(browser: Any, live_server: Any) -> Iterator[Any]:
    """A phone standing at the event in street A, location allowed."""
    context = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    context.grant_permissions(["geolocation"], origin=live_server.url)
    context.set_geolocation({"longitude": POINT_IN_A[0], "latitude": POINT_IN_A[1], "accuracy": 10})
    page = context.new_page()
    page.set_default_timeout(BROWSER_TIMEOUT_MS)
    yield page
    context.close()


def handled_once(world: World) -> Event:
    """An event officer_a handled a first time (已整改 with a photo)."""
    handling_defaults_install(actor=SystemActor("测试"), district_id=world.district.pk)
    HandlingPhrase.objects.create(district=world.district, text=HOSTILE_PHRASE, position=99)
    officer = world.user("officer_a")
    event = services.event_intake(
        actor=world.user("dispatcher"),
        district=world.district,
        source=EventSource.HOTLINE,
        description=f"仁和路口流动摊贩 {HOSTILE}",
        lon=POINT_IN_A[0],
        lat=POINT_IN_A[1],
    ).event
    # With a partner officer whose name is hostile text, and a work phone on the roster
    partner = OfficerFactory(
        district=world.district,
        name=f"丙{HOSTILE}",
        phone="13900001111",
        home_department=world.enforcement_dept,
        street=world.street_a,
    )
    event = services.event_dispatch(
        actor=world.user("dispatcher"), event=event, officers=[officer_of(world, "officer_a"), partner]
    )
    event = services.event_acknowledge(actor=officer, event=event)
    event = services.event_arrive(actor=officer, event=event, lon=event.lon, lat=event.lat)
    photo = SimpleUploadedFile("after.jpg", jpeg_bytes(), content_type="image/jpeg")
    return services.event_handle(actor=officer, event=event, outcome="已劝离", result_type="rectified", photos=[photo])


def test_a_redo_reason_reaches_the_phone_and_the_officer_hands_in_a_second_round(
    live_server: Any, world: World, media: Path, page: Any, phone: Any
) -> None:
    dialogs: list[str] = []
    for p in (page, phone):
        p.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    event = handled_once(world)

    # The dispatcher checks the first round and sends it back with a reason, on the event page
    login(page, live_server.url, "dispatcher")
    page.goto(f"{live_server.url}/events/{event.pk}/")
    redo = page.locator("details.action-redo")
    redo.locator("summary").click()
    redo.locator("textarea[name=reason]").fill(REASON)
    redo.locator("button[type=submit]").click()
    expect(page.locator("#event-status")).to_have_text("已派遣")

    # The officer's phone: the reason is on the task, as text, above it
    login(phone, live_server.url, "officer_a")
    phone.goto(f"{live_server.url}/m/events/{event.pk}/")
    notice = phone.locator("#redo-reason")
    expect(notice).to_contain_text("核查不通过，请重新处置")
    expect(notice.locator(".m-redo-text")).to_have_text(REASON)
    expect(phone.locator("#round-1")).to_contain_text("已劝离")
    # With the partner sent back too, named as text, one tap from a call
    expect(phone.locator("#partners .m-partner b")).to_have_text(f"丙{HOSTILE}")
    expect(phone.locator("#partners a.m-call")).to_have_attribute("href", "tel:13900001111")
    assert phone.locator("#redo-reason img, #round-1 img, .m-desc img, #partners img").count() == 0

    # The officer goes back: acknowledges, arrives
    phone.locator("#acknowledge").click()
    expect(phone.locator("#task-status")).to_have_text("已响应")
    phone.locator("#arrive").click()
    expect(phone.locator("#task-status")).to_have_text("已到场")

    # The handle form: the result types to tap, a phrase put into the report with a tap; voice only where the
    # browser has the speech API
    phone.locator("#result-types label", has_text="已整改").click()
    outcome = phone.get_by_label("处置情况")
    phone.locator("#phrases [data-phrase]", has_text=HOSTILE_PHRASE).click()
    expect(outcome).to_have_value(HOSTILE_PHRASE)  # the phrase as text, into the report
    assert phone.locator("#phrases img").count() == 0
    outcome.fill("")
    phone.locator("#phrases [data-phrase]", has_text="经现场劝导，当事人已自行整改完毕。").click()
    expect(outcome).to_have_value("经现场劝导，当事人已自行整改完毕。")
    outcome.press("End")
    outcome.type("摊位已拆除。")
    has_speech = phone.evaluate(
        "() => typeof (window.SpeechRecognition || window.webkitSpeechRecognition) === 'function'"
    )
    if has_speech:
        expect(phone.locator("#voice-input")).to_be_visible()
    else:
        expect(phone.locator("#voice-input")).to_be_hidden()

    # 已整改 without a photo is refused, next to the photo field, and nothing is written
    phone.locator("#handle").click()
    expect(phone.locator("#photos-error")).to_have_text("处置结果为“已整改”时须上传处置后现场照片")
    assert EventHandlingRound.objects.filter(event=event).count() == 1

    # With the photo, the second round is handed in
    phone.locator("#result-types label", has_text="已整改").click()
    phone.get_by_label("处置情况").fill("经现场劝导，当事人已自行整改完毕。摊位已拆除。")
    phone.get_by_label("处置照片").set_input_files(
        files=[{"name": "after.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}]
    )
    phone.locator("#handle").click()
    phone.wait_for_url(f"{live_server.url}/m/")
    expect(phone.locator(".m-notice.ok")).to_have_text("处置情况已反馈")

    first, second = EventHandlingRound.objects.filter(event=event).order_by("number")
    assert (first.outcome, first.redo_reason) == ("已劝离", REASON)
    assert (second.outcome, second.result_type_name, second.redo_reason) == (
        "经现场劝导，当事人已自行整改完毕。摊位已拆除。",
        "已整改",
        "",
    )
    assert Event.objects.get(pk=event.pk).status == EventStatus.HANDLED

    # 已办 lists both rounds; the event page keeps both, the first with the reason that ended it
    phone.goto(f"{live_server.url}/m/done/")
    expect(phone.locator("#done-list .m-card")).to_have_count(2)
    page.goto(f"{live_server.url}/events/{event.pk}/")
    expect(page.locator("#handling-round-1")).to_contain_text(REASON)
    expect(page.locator("#handling-round-2")).to_contain_text("摊位已拆除")
    assert page.locator("#handling-rounds img").count() == 0
    assert dialogs == []
