"""The party online (issue 11 part 10, ZJR 23): a business owner opens 我的案件, reads its case, submits its
statement and defence, and sees it on its case — received today, online."""

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from playwright.sync_api import expect

from conftest import World
from tests.browser.conftest import login
from zhifa.cases import services
from zhifa.cases.models import PartySubmission, PenaltyKind
from zhifa.cases.tests.conftest import CaseWorld, lead
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.org.models import Officer
from zhifa.org.tests.factories import OfficerFactory
from zhifa.subjects.models import SubjectOwner
from zhifa.subjects.tests.factories import SubjectFactory
from zhifa.web.tests.test_party_pages import walk_to_notice

HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def in_2026() -> Iterator[None]:
    # Every period the case starts ends within 2026 (the holiday data's last year); the clock runs on from here.
    with time_machine.travel(dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC), tick=True):
        yield


def test_the_business_owner_submits_its_defence_online_and_sees_it_on_its_case(
    live_server: Any, world: World, in_2026: None, page: Any
) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    cw = CaseWorld(
        world,
        Officer.objects.get(user=world.user("officer_a")),
        OfficerFactory(
            district=world.district, name="甲二队员", home_department=world.enforcement_dept, street=world.street_a
        ),
        OfficerFactory(
            district=world.district, name="法制科员", home_department=world.enforcement_dept, street=world.street_b
        ),
        MatterFactory(department=world.enforcement_dept, name="擅自占用城市道路"),
    )
    subject = SubjectFactory(district=world.district, name="知味小吃店")
    SubjectOwner.objects.create(subject=subject, user=world.user("business_owner"))
    case = walk_to_notice(
        cw,
        lead(cw, party=services.party_of_subject(subject), subject=subject),
        fine="1000.00",
        penalty=[PenaltyKind.FINE],
        on=dt.date(2026, 5, 29),
    )

    login(page, live_server.url, "business_owner")
    page.get_by_role("link", name="我的案件").click()
    page.get_by_role("link", name=case.number).click()
    expect(page.get_by_role("heading", name=f"案件 {case.number}")).to_be_visible()
    expect(page.locator("#party-documents")).to_contain_text("行政处罚事先告知书")

    typed = f"货架已于当日移走，请求从轻处罚 {HOSTILE}"
    page.get_by_label("陈述申辩内容").fill(typed)
    page.locator("#statement-submit").click()

    expect(page.locator(".notice.ok")).to_contain_text("已提交陈述申辩，收到日期 2026-06-01")
    submitted = page.locator("#party-submissions .submission")
    expect(submitted).to_have_count(1)
    expect(submitted).to_contain_text("陈述申辩")
    expect(submitted).to_contain_text("网上提交")
    expect(submitted.locator(".submission-text")).to_have_text(typed)
    assert page.locator("#party-submissions img").count() == 0
    assert list(PartySubmission.objects.values_list("kind", "received_on", "online")) == [
        ("statement", dt.date(2026, 6, 1), True)
    ]
    assert dialogs == []
