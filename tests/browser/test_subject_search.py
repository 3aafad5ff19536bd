"""The dispatcher's most common path: find a subject by its pinyin initials, open it, see it on the map."""

import re
from typing import Any

from playwright.sync_api import expect

from conftest import POINT_IN_A, POINT_IN_B, World
from zhifa.subjects.tests.factories import SubjectFactory


def test_find_subject_by_initials_and_show_it_on_the_map(live_server: Any, world: World, page: Any) -> None:
    # given a restaurant in street A and another subject in street B
    subject = SubjectFactory(district=world.district, name="知味观餐饮店", lon=POINT_IN_A[0], lat=POINT_IN_A[1])
    SubjectFactory(district=world.district, name="乙街烧烤摊", lon=POINT_IN_B[0], lat=POINT_IN_B[1])
    assert subject.name_initials == "zwgcyd"
    assert subject.street == world.street_a

    # the dispatcher logs in through the form
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("dispatcher")
    page.get_by_label("密码").fill("zhifa-test-pw")
    page.get_by_role("button", name="登 录").click()
    expect(page.locator(".topbar .role")).to_have_text("指挥中心调度员")

    # opens 执法对象: both subjects are listed
    page.locator(".sidenav").get_by_role("link", name="执法对象").click()
    rows = page.locator("table.subjects tbody tr")
    expect(rows).to_have_count(2)

    # types the initials: HTMX refreshes the table in place and keeps the query in the address
    search = page.get_by_placeholder("名称、地址、信用代码或拼音首字母")
    search.press_sequentially("zwg", delay=50)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("知味观餐饮店")
    expect(page).to_have_url(re.compile(r"/subjects/\?q=zwg"))
    expect(search).to_have_value("zwg")  # the search box itself was not re-rendered

    # opens the detail page
    rows.first.get_by_role("link", name="知味观餐饮店").click()
    expect(page.locator("h1.subject-name")).to_contain_text("知味观餐饮店")
    expect(page.locator("#minimap.leaflet-container")).to_be_visible()

    # and shows it on the map: centred on it, its popup open
    page.get_by_role("link", name="在地图上查看").click()
    expect(page).to_have_url(f"{live_server.url}/map/?subject={subject.pk}")
    popup = page.locator(".leaflet-popup.subject-popup")
    expect(popup).to_be_visible()
    page.wait_for_load_state("networkidle")  # still open once every layer request has come back
    expect(popup).to_be_visible()
    expect(popup.locator(".popup-name")).to_have_text("知味观餐饮店")
    expect(popup.get_by_role("link", name="查看详情 »")).to_have_attribute("href", f"/subjects/{subject.pk}/")
    expect(page.locator(".leaflet-control-layers")).to_contain_text("执法对象")
