"""A street dispatcher edits next week's roster (issue 14 part 5): opens the month grid, picks an officer's day
next week, adds the street pattern's 中 shift, and sees it in the grid — the officer's name, typed as markup,
shown as those characters, and nothing runs."""

import datetime as dt
from typing import Any

from django.utils import timezone
from playwright.sync_api import expect

from conftest import World
from tests.browser.conftest import login
from zhifa.org.models import DutyShift
from zhifa.org.tests.factories import OfficerFactory
from zhifa.org.tests.rosters_setup import street_a_pattern

HOSTILE = "<img src=x onerror=__xss=1>"  # ≤ 30 characters, the column's length


def test_a_street_dispatcher_adds_a_shift_next_week_and_sees_it_in_the_grid(
    live_server: Any, world: World, page: Any
) -> None:
    day = timezone.localdate() + dt.timedelta(days=7)
    pattern = street_a_pattern(world, anchor_on=day)
    officer = OfficerFactory(
        district=world.district,
        name=HOSTILE,
        home_department=world.enforcement_dept,
        street=world.street_a,
        zone=world.zone_a,
    )
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    login(page, live_server.url, "street_dispatcher_a")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="排班").click()
    if day.month != timezone.localdate().month:
        page.get_by_role("link", name="下月").click()  # next week is in next month
    row = page.locator(f'tr[data-officer="{officer.pk}"]')
    expect(row.locator("td.officer")).to_contain_text(HOSTILE)
    cell = row.locator(f'td[data-day="{day.isoformat()}"]')
    expect(cell).to_have_text("·")

    cell.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(HOSTILE)
    page.get_by_label("班次").select_option(f"{pattern.pk}:中")
    page.get_by_role("button", name="增加班次").click()
    expect(page.locator(".notice.ok")).to_contain_text("已排班")
    expect(page.locator("table.shifts tbody")).to_contain_text("中 中班")

    page.locator(".breadcrumb").get_by_role("link", name="排班").click()
    row = page.locator(f'tr[data-officer="{officer.pk}"]')
    expect(row.locator(f'td[data-day="{day.isoformat()}"]')).to_have_text("中")
    expect(row.locator("td.officer")).to_contain_text(HOSTILE)
    expect(page.locator("img")).to_have_count(0)
    assert page.evaluate("() => typeof window.__xss") == "undefined"
    assert dialogs == []
    shift = DutyShift.objects.get(officer=officer)
    assert (timezone.localtime(shift.starts_at).date(), shift.code, shift.source) == (day, "中", "manual")
