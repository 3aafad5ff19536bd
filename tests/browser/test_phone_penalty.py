"""当场处罚 on the phone (issue 11 part 2, APL 51–52, 68): the officer chooses the matter, fills in the party and
the facts, sees at once whether the simple procedure and on-the-spot collection are allowed, has the party sign on
the screen, and gets the printed decision — its number from the officer's range and a PDF."""

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from playwright.sync_api import expect

from conftest import World
from tests.browser.conftest import BROWSER_TIMEOUT_MS, login
from zhifa.cases.models import Case
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.core.actors import SystemActor
from zhifa.documents import services as documents
from zhifa.org.models import Officer

HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def in_2026() -> Iterator[None]:
    # A decision starts its 6-month lawsuit period: the day must leave it within 2026 (the holiday data's last
    # year). The clock runs on from there (pages wait on real timers).
    with time_machine.travel(dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC), tick=True):
        yield


@pytest.fixture
def phone(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 800}, is_mobile=True
    )
    page = context.new_page()
    page.set_default_timeout(BROWSER_TIMEOUT_MS)
    yield page
    context.close()


def test_an_on_the_spot_penalty_from_the_matter_to_the_printed_decision(
    live_server: Any, world: World, in_2026: None, phone: Any
) -> None:
    dialogs: list[str] = []
    phone.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    refused: list[str] = []  # the page's script and style run under the Content-Security-Policy
    phone.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    officer = Officer.objects.get(user=world.user("officer_a"))
    matter = MatterFactory(department=world.enforcement_dept, name="擅自占用城市道路")
    allotted = documents.allot_range(officer=officer, count=5, actor=SystemActor("测试"))

    login(phone, live_server.url, "officer_a")
    phone.goto(f"{live_server.url}/m/")
    phone.locator("#penalty-link").click()
    phone.wait_for_url("**/m/penalty/")

    phone.get_by_label("执法事项").select_option(str(matter.pk))
    phone.get_by_label("当事人类型").select_option("person")
    phone.get_by_label("当事人姓名/名称").fill(f"李大伟{HOSTILE}")
    phone.get_by_label("身份证号/统一社会信用代码").fill("330105199001011233")
    phone.get_by_label("违法事实", exact=True).fill("在上塘路16号门前人行道摆摊设点")
    phone.get_by_label("违法地点").fill("上塘路16号")
    phone.locator("#penalty-kinds label", has_text="罚款").click()
    phone.get_by_label("罚款金额（元）").fill("200.01")
    phone.get_by_label("违法事实确凿并有法定依据").check()

    # The verdict follows the form: over the cap for a person (APL 51), then within it and collectable (APL 68).
    simple = phone.locator("#verdict-simple")
    expect(simple).to_have_attribute("data-allowed", "0")
    expect(simple).to_contain_text("不得超过200.00元")
    phone.get_by_label("罚款金额（元）").fill("50.00")
    expect(simple).to_have_attribute("data-allowed", "1")
    expect(phone.locator("#verdict-collection")).to_have_attribute("data-allowed", "1")

    # The party signs on the screen.
    pad = phone.locator("#signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    phone.mouse.move(box["x"] + 20, box["y"] + 30)
    phone.mouse.down()
    for step in range(1, 12):
        phone.mouse.move(box["x"] + 20 + step * 20, box["y"] + 30 + (step % 3) * 15)
    phone.mouse.up()
    phone.locator("#penalty-submit").click()

    phone.wait_for_url("**/m/penalty/*/")
    case = Case.objects.get()
    expect(phone.locator("#decision-number")).to_have_text(case.decision_number)
    assert case.decision_number.endswith(f"第{allotted.first:04d}号")
    assert case.party_signature.read().startswith(b"\x89PNG")
    expect(phone.get_by_text(f"当事人：李大伟{HOSTILE}")).to_be_visible()  # shown as typed, as text
    href = phone.locator("a.m-pdf").first.get_attribute("href")
    pdf = phone.context.request.get(f"{live_server.url}{href}")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    assert (dialogs, refused) == ([], [])


def test_an_exhausted_range_is_said_plainly_on_the_phone(
    live_server: Any, world: World, in_2026: None, phone: Any
) -> None:
    matter = MatterFactory(department=world.enforcement_dept, name="擅自占用城市道路")
    login(phone, live_server.url, "officer_a")
    phone.goto(f"{live_server.url}/m/penalty/")
    phone.get_by_label("执法事项").select_option(str(matter.pk))
    phone.get_by_label("当事人姓名/名称").fill("李大伟")
    phone.get_by_label("违法事实", exact=True).fill("在人行道摆摊设点")
    phone.get_by_label("违法地点").fill("上塘路16号")
    phone.locator("#penalty-kinds label", has_text="警告").click()
    phone.get_by_label("违法事实确凿并有法定依据").check()
    phone.get_by_label("当事人拒绝签收").check()
    phone.locator("#penalty-submit").click()

    error = phone.locator("#penalty-error")
    expect(error).to_contain_text("号段已用完")
    expect(error).to_contain_text("number_range_exhausted")
    expect(error).to_be_focused()
    expect(phone.get_by_label("当事人姓名/名称")).to_have_value("李大伟")
    assert Case.objects.count() == 0
