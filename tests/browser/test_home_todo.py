"""The home page's to-do list shows what people typed as text (issue 16): an event described as markup is
listed under 待派遣 as those characters, a shop named as markup under its owner's 我的案件, and nothing runs."""

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from playwright.sync_api import expect

from conftest import POINT_IN_A, World
from tests.browser.conftest import login
from zhifa.cases import services as cases
from zhifa.cases.models import PenaltyKind
from zhifa.cases.tests.conftest import CaseWorld, lead
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.events import services
from zhifa.events.states import EventSource
from zhifa.org.models import Officer
from zhifa.org.tests.factories import OfficerFactory
from zhifa.subjects.models import SubjectOwner
from zhifa.subjects.tests.factories import SubjectFactory
from zhifa.web.tests.test_party_pages import walk_to_notice

HOSTILE = "<img src=x onerror=alert(1)>"


def test_a_hostile_description_is_listed_as_text(live_server: Any, world: World, page: Any) -> None:
    event = services.event_intake(
        actor=world.user("dispatcher"),
        district=world.district,
        source=EventSource.HOTLINE,
        description=HOSTILE,
        lon=POINT_IN_A[0],
        lat=POINT_IN_A[1],
    ).event
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    login(page, live_server.url, "dispatcher")
    page.goto(f"{live_server.url}/")

    row = page.locator(f"#todo-waiting-{event.pk}")
    expect(row).to_contain_text(HOSTILE)
    expect(row.locator("img")).to_have_count(0)
    expect(page.locator("#todo-waiting .todo-count")).to_have_text("1")
    assert dialogs == []


@pytest.fixture
def in_2026() -> Iterator[None]:
    # Every period the case starts ends within 2026 (the holiday data's last year); the clock runs on from here.
    with time_machine.travel(dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC), tick=True):
        yield


def test_a_business_sees_its_case_named_as_markup_as_text_and_opens_it(
    live_server: Any, world: World, in_2026: None, page: Any
) -> None:
    """A shop registered under a name typed as markup: its case is listed under 我的案件 on the owner's home
    page as those characters, with its statement window; the link opens the owner's own case page."""
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
    subject = SubjectFactory(district=world.district, name=f"知味小吃店{HOSTILE}")
    SubjectOwner.objects.create(subject=subject, user=world.user("business_owner"))
    case = walk_to_notice(
        cw,
        lead(cw, party=cases.party_of_subject(subject), subject=subject),
        fine="1000.00",
        penalty=[PenaltyKind.FINE],
        on=dt.date(2026, 5, 29),
    )
    window = case.deadlines.get(code="statement_defence")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    login(page, live_server.url, "business_owner")
    page.goto(f"{live_server.url}/")

    row = page.locator(f"#todo-cases-{case.pk}")
    expect(row.locator(".party")).to_have_text(f"知味小吃店{HOSTILE}")
    expect(row).to_contain_text(f"陈述、申辩期限至 {window.due_on:%Y-%m-%d}")
    expect(row.locator("img")).to_have_count(0)
    expect(page.locator("#todo-cases .todo-count")).to_have_text("1")
    row.get_by_role("link", name=case.number).click()
    expect(page.get_by_role("heading", name=f"案件 {case.number}")).to_be_visible()
    assert page.url == f"{live_server.url}/my/cases/{case.pk}/"
    assert dialogs == []
