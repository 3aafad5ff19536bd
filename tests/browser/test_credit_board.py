"""The 大综点评 board and the commitments in a browser (issue 13 parts 2, 8): the public board shows a business and
a street named as markup as those characters (the business's name masked), nothing running, no CSP violation; a
business owner signs its commitment from its home page, its shop's name shown as text."""

import datetime as dt
from typing import Any

from django.utils import timezone
from playwright.sync_api import expect

from conftest import World
from tests.browser.conftest import login
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.credit.board import board_refresh
from zhifa.credit.commitments import commitment_template_create
from zhifa.credit.models import Commitment
from zhifa.inspections.publication import mask_subject_name
from zhifa.subjects.models import SubjectOwner
from zhifa.subjects.tests.factories import SubjectFactory, uscc_for

HOSTILE = "<img src=x onerror=__xss=1>"


def test_the_public_board_shows_a_hostile_name_as_text(live_server: Any, world: World, watched: Any) -> None:
    page, dialogs = watched
    world.street_a.name = f"{HOSTILE}街道"
    world.street_a.save(update_fields=["name"])
    hostile = SubjectFactory(district=world.district, name=f"{HOSTILE}面馆", uscc=uscc_for(801))
    SubjectFactory(district=world.district, name="平平小吃店", uscc=uscc_for(802), lon=120.105, lat=30.305)
    board_refresh(district_id=world.district.pk, on=timezone.localdate())

    page.goto(f"{live_server.url}/public/credit/board/?street={world.street_a.pk}")
    expect(page.locator("h2.board-street")).to_have_text(f"{HOSTILE}街道")
    names = page.locator("table.board .subject-name")
    expect(names).to_have_count(2)
    masked = mask_subject_name(hostile.name, kind=hostile.kind)
    assert masked.startswith("<") and masked.endswith("面馆")
    expect(page.locator(f"#board-{hostile.pk} .subject-name")).to_have_text(masked)
    expect(page.locator(".board-weights")).to_contain_text(
        "检查结果 × 0.3 + 整改落实 × 0.2 + 投诉情况 × 0.2 + 信用等级 × 0.3"
    )
    page.locator(f"#board-{hostile.pk}").get_by_role("link", name="名次变化").click()
    expect(page.locator("h1 .subject-name")).to_have_text(masked)
    expect(page.locator("table.board-history .position")).to_have_text(["1"])
    expect(page.locator("main img")).to_have_count(0)
    assert page.evaluate("() => typeof window.__xss") == "undefined"
    assert page.evaluate("() => window.__violations") == []
    assert dialogs == []


def test_a_business_signs_its_commitment_from_its_home(live_server: Any, world: World, watched: Any) -> None:
    page, dialogs = watched
    matter = MatterFactory(department=world.enforcement_dept, name="擅自占用城市道路")
    template = commitment_template_create(
        actor=world.user("dispatcher"),
        code="ZD-01",
        title=f"{HOSTILE}门前三包承诺书",
        text="本单位承诺：不占道经营。",
        legal_basis="《浙江省公共信用信息管理条例》",
        matter_id=matter.pk,
    )
    shop = SubjectFactory(district=world.district, name=f"{HOSTILE}小吃", uscc=uscc_for(803))
    SubjectOwner.objects.create(subject=shop, user=world.user("business_owner"))

    login(page, live_server.url, "business_owner")
    page.goto(f"{live_server.url}/")
    panel = page.locator("#todo-commitments")
    expect(panel.locator(".subject-name")).to_have_text(f"{HOSTILE}小吃")
    expect(panel).to_contain_text("待签署承诺书 1 份")
    panel.get_by_role("link", name=f"{HOSTILE}小吃").click()
    expect(page.locator(f"#template-{template.pk} h3")).to_contain_text(f"{HOSTILE}门前三包承诺书")
    page.get_by_role("button", name="本单位承诺遵守上述内容并签署").click()
    expect(page.locator(".commitments-signed tbody tr")).to_have_count(1)
    expect(page.locator(".commitments-signed")).to_contain_text("已签署")
    assert Commitment.objects.get().signed_at.date() <= dt.date.today()
    expect(page.locator("main img")).to_have_count(0)
    assert page.evaluate("() => typeof window.__xss") == "undefined"
    assert page.evaluate("() => window.__violations") == []
    assert dialogs == []
