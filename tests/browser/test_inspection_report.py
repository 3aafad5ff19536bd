"""检查报告 in a browser (issue 12 part 8): a leader opens 检查报告 from the nav, asks for March 2026 and a street, and
reads the generated paragraph and the trend chart of high-frequency problems; the street, a subject and a matter
named as markup stay text — in the paragraph, the records table and the chart's tooltip — no script runs, no
dialog opens and the page's policy is never violated. The known world is zhifa/inspections/tests/report_fixtures.py."""

from typing import Any

from playwright.sync_api import expect

from conftest import World
from tests.browser.conftest import login_with_second_factor
from zhifa.catalog.models import Matter
from zhifa.inspections.tests.report_fixtures import report_world
from zhifa.org.models import Street

HOSTILE_STREET = '<img src=x onerror="window.__xss=1">甲'
HOSTILE_SUBJECT = "<script>window.__xss=2</script>面馆"
HOSTILE_MATTER = '<img src=y onerror="window.__xss=3">食品'


def test_leader_reads_the_paragraph_and_the_chart(
    live_server: Any, world: World, watched: tuple[Any, list[str]]
) -> None:
    page, dialogs = watched
    rw = report_world(world, hostile_name=HOSTILE_SUBJECT)
    Street.objects.filter(pk=world.street_a.pk).update(name=HOSTILE_STREET)
    Matter.objects.filter(pk=rw.joint.market_items[0].version.matter_id).update(name=HOSTILE_MATTER)

    # Given: the leader signed in with the second factor.
    login_with_second_factor(page, live_server.url, world.user("leader"))

    # When: 检查报告 from the nav, March 2026, street A.
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="检查报告").click()
    form = page.locator("#report-form")
    form.locator("input[name=from]").fill("2026-03-01")
    form.locator("input[name=to]").fill("2026-03-31")
    form.locator("select[name=street]").select_option(str(world.street_a.pk))
    form.get_by_role("button", name="生成报告").click()

    # Then: the paragraph from the figures, the street's name as text.
    expect(page.locator("#report-paragraph")).to_have_text(
        f"2026年3月1日至2026年3月31日，{HOSTILE_STREET}开展联合检查2次，发现问题5个，整改2个，立案2起，"
        "1个对象由红转绿，投诉量下降40%。"
    )
    expect(page.locator("#report-paragraph img")).to_have_count(0)
    # The trend chart is drawn; the hostile matter's line shows its name in the tooltip as text.
    expect(page.locator("#chart-trend canvas")).to_have_count(1)
    index = page.evaluate(
        """(name) => {
            const data = JSON.parse(document.getElementById("inspection-report-data").textContent);
            const i = data.series.findIndex((s) => s.label === name);
            echarts.getInstanceByDom(document.getElementById("chart-trend"))
                .dispatchAction({type: "showTip", seriesIndex: i, dataIndex: 2});
            return i;
        }""",
        HOSTILE_MATTER,
    )
    assert index >= 0
    tip = page.locator(".analytics-tooltip")
    expect(tip).to_have_text(f"第3周（03-15起） {HOSTILE_MATTER}：1 个")
    expect(tip.locator("img")).to_have_count(0)

    # When: the number of joint inspections is opened.
    page.locator("#figure-visits .value a").click()

    # Then: its records, the subject's name as text.
    records = page.locator("#report-records")
    expect(records.locator("tbody tr")).to_have_count(2)
    expect(records).to_contain_text(HOSTILE_SUBJECT)
    expect(records.locator("script, img")).to_have_count(0)
    assert page.evaluate("() => [typeof window.__xss, window.__violations]") == ["undefined", []]
    assert dialogs == []
