"""Reports in a browser (issue 17 part 3): a leader signs in with the second factor, goes from 分析研判 to 分析报告,
makes last week's report of a street named as markup, and sees it listed — the name and the summary as text —
with its PDF and XLSX links, and downloads the PDF. No script runs and the page's policy is never violated."""

import datetime as dt
from typing import Any

from django.utils import timezone
from playwright.sync_api import expect

from conftest import World
from tests.browser.conftest import login_with_second_factor
from zhifa.analytics.models import AnalyticsReport
from zhifa.analytics.reports import last_closed
from zhifa.events.tests.factories import HandledEventFactory
from zhifa.org.models import Street

HOSTILE_STREET = '<img src=x onerror="window.__xss=1">乙'


def test_leader_generates_a_weekly_report(live_server: Any, world: World, watched: tuple[Any, list[str]]) -> None:
    page, dialogs = watched
    Street.objects.filter(pk=world.street_b.pk).update(name=HOSTILE_STREET)
    monday, _sunday = last_closed("weekly", timezone.localdate())
    noon = dt.datetime.combine(monday, dt.time(12, 0), tzinfo=timezone.get_current_timezone())
    for i in range(3):
        HandledEventFactory(grid=world.grid_b, district=world.district, reported_at=noon + dt.timedelta(hours=i))
    login_with_second_factor(page, live_server.url, world.user("leader"))

    # When: 分析研判 → 分析报告, a weekly report of the street, last week (the form's default day).
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="分析研判").click()
    page.locator("#analytics-reports-link").click()
    expect(page.locator("#report-list")).to_contain_text("还没有报告")
    form = page.locator("#report-generate form")
    form.get_by_label("报告周期").select_option(label="周报")
    form.get_by_label("范围").select_option(label=HOSTILE_STREET)
    form.get_by_role("button", name="生成报告").click()

    # Then: listed, the street's name and the summary as text, with its downloads.
    expect(page.locator("#report-made")).to_have_text("报告已生成。")
    report = AnalyticsReport.objects.get()
    row = page.locator(f"#report-{report.pk}")
    expect(row.locator(".report-scope")).to_have_text(HOSTILE_STREET)
    expect(row.locator(".report-summary")).to_contain_text(f"{HOSTILE_STREET}共受理事件3件")
    expect(row).to_contain_text(f"{monday:%Y-%m-%d} 至")
    expect(row.locator("img")).to_have_count(0)
    expect(row.locator("a.report-xlsx")).to_have_attribute("href", f"/analytics/reports/{report.pk}/xlsx/")
    with page.expect_download() as download:
        row.locator("a.report-pdf").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert (report.street_id, report.period_start, report.by_schedule) == (world.street_b.pk, monday, False)
    assert page.evaluate("() => [typeof window.__xss, window.__violations]") == ["undefined", []]
    assert dialogs == []
