"""Issue 16: a 处置 report the server refuses (已整改 without a photo) comes back as the whole page; the
officer is brought to the reason — an error box at the top of the form, scrolled to and focused by
phone-handle.js — and finds what they typed and chose still there. The typed text is hostile."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import World
from tests.browser.conftest import BROWSER_TIMEOUT_MS, login
from zhifa.catalog.services import handling_defaults_install
from zhifa.core.actors import SystemActor
from zhifa.events.models import EventHandlingRound
from zhifa.web.tests.test_phone_handle import arrived_event

HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def phone(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 600}, is_mobile=True
    )
    page = context.new_page()
    page.set_default_timeout(BROWSER_TIMEOUT_MS)
    yield page
    context.close()


def test_a_refused_report_brings_the_officer_to_the_reason_with_the_typing_kept(
    live_server: Any, world: World, media: Path, phone: Any
) -> None:
    dialogs: list[str] = []
    phone.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    handling_defaults_install(actor=SystemActor("测试"), district_id=world.district.pk)
    event = arrived_event(world)
    typed = f"摊主已收摊 {HOSTILE}"

    login(phone, live_server.url, "officer_a")
    phone.goto(f"{live_server.url}/m/events/{event.pk}/")
    phone.locator("#result-types label", has_text="已整改").click()
    phone.get_by_label("处置情况").fill(typed)
    phone.locator("#handle").click()

    box = phone.locator("#handle-errors")
    expect(box).to_contain_text("处置结果为“已整改”时须上传处置后现场照片")
    expect(box).to_be_focused()
    expect(box).to_be_in_viewport()
    assert phone.evaluate("() => window.scrollY") > 0  # the page came back at the top; the script scrolled
    expect(phone.get_by_label("处置情况")).to_have_value(typed)
    expect(phone.locator("#result-types input[value=rectified]")).to_be_checked()
    assert phone.locator("#handle-errors img, .m-form img").count() == 0
    assert EventHandlingRound.objects.count() == 0
    assert dialogs == []
