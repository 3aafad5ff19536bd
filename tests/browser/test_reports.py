"""Reports in a browser (issue 17 part 3): a leader signs in with the second factor, goes from 分析研判 to 分析报告,
asks for last week's report of a street named as markup, and sees it listed 排队中 without downloads; the task
worker (``manage.py task_worker``, run here once the ask is queued) makes it, and the page — never reloaded —
shows it 已完成 with the summary as text and its PDF and XLSX links, and the PDF downloads. No script runs and
the page's policy is never violated."""

import datetime as dt
from typing import Any

from django.core.management import call_command
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

    # Then: listed as asked for, waiting for the worker, nothing to download yet.
    expect(page.locator("#report-asked")).to_contain_text("已申请生成")
    report = AnalyticsReport.objects.get()
    row = page.locator(f"#report-{report.pk}")
    expect(row.locator(".report-state")).to_have_text("排队中")
    expect(row.locator("a.report-pdf")).to_have_count(0)
    expect(row.locator(".report-scope")).to_have_text(HOSTILE_STREET)
    page.evaluate("() => { window.__same_page = true; }")  # gone if the page were reloaded

    # When: the task worker drains its queue.
    call_command("task_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)

    # Then: without a reload, made — the street's name and the summary as text, with its downloads.
    expect(row.locator(".report-state")).to_have_text("已完成")
    expect(page.locator("#report-asked")).to_have_text("报告已生成，可以下载。")
    assert page.evaluate("() => window.__same_page") is True
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
