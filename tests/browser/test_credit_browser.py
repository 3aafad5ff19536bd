"""A business owner finds its credit file from its subject page (issue 13 part 7): the grade with the lines that
produced it and the entry with its source — a shop name and a commendation typed as markup shown as those
characters, nothing running — and another business's file is not found."""

import datetime as dt
from typing import Any

from playwright.sync_api import expect

from conftest import World
from tests.browser.conftest import login
from zhifa.credit.services import credit_entry_add
from zhifa.subjects.models import SubjectOwner
from zhifa.subjects.tests.factories import SubjectFactory, uscc_for

HOSTILE = "<img src=x onerror=__xss=1>"


def test_a_business_reads_its_grade_and_file_and_not_another(live_server: Any, world: World, page: Any) -> None:
    own = SubjectFactory(district=world.district, name=f"{HOSTILE}小吃", uscc=uscc_for(601))
    other = SubjectFactory(district=world.district, name="隔壁面馆", uscc=uscc_for(602))
    SubjectOwner.objects.create(subject=own, user=world.user("business_owner"))
    for subject in (own, other):
        credit_entry_add(
            actor=world.user("dispatcher"),
            subject_id=subject.pk,
            kind="commendation",
            title=f"{HOSTILE}诚信示范店",
            occurred_on=dt.date.today() - dt.timedelta(days=1),
            source_reference="拱综执〔2026〕3号",
            source_authority="拱墅区综合行政执法局",
        )
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    login(page, live_server.url, "business_owner")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="执法对象").click()
    page.get_by_role("link", name=f"{HOSTILE}小吃").click()
    page.get_by_role("link", name="信用档案").click()

    expect(page.locator("h1")).to_contain_text(f"{HOSTILE}小吃")
    expect(page.locator(".credit-grade .tag").first).to_have_text("B 级")
    expect(page.locator(".credit-explanation")).to_contain_text(f"{HOSTILE}诚信示范店")
    expect(page.locator(".credit-entries")).to_contain_text("拱综执〔2026〕3号（拱墅区综合行政执法局）")
    expect(page.locator("main img")).to_have_count(0)
    assert page.evaluate("() => typeof window.__xss") == "undefined"
    assert dialogs == []

    response = page.goto(f"{live_server.url}/credit/subjects/{other.pk}/")
    assert response is not None and response.status == 404
