"""The leaders' view in a browser (issue 17): a leader signs in with the second factor, opens 分析研判 from
the nav, sees the charts drawn, and drills from the district to a street and on to an officer. A street and an
officer named as markup are shown as text in the tables and in the chart's tooltip; no script runs and the
page's policy is never violated."""

from typing import Any

from playwright.sync_api import expect

from conftest import World
from tests.browser.conftest import login_with_second_factor
from zhifa.events.tests.factories import ArrivedEventFactory, DispatchedEventFactory
from zhifa.org.models import Officer, Street

HOSTILE_STREET = '<img src=x onerror="window.__xss=1">乙'
HOSTILE_OFFICER = "<script>self.__xss=2</script>"  # ≤ 30 characters, the column's length


def test_leader_drills_from_the_district_to_an_officer(
    live_server: Any, world: World, watched: tuple[Any, list[str]]
) -> None:
    page, dialogs = watched
    Street.objects.filter(pk=world.street_b.pk).update(name=HOSTILE_STREET)
    officer_b = Officer.objects.get(user=world.user("officer_b"))
    Officer.objects.filter(pk=officer_b.pk).update(name=HOSTILE_OFFICER)
    for _ in range(3):
        ArrivedEventFactory(grid=world.grid_b, district=world.district, officers=[officer_b])
    DispatchedEventFactory(grid=world.grid_a, district=world.district)
    leader = world.user("leader")

    # Given: the leader signed in with the password and the authenticator's six digits.
    login_with_second_factor(page, live_server.url, leader)

    # When: 分析研判 from the nav.
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="分析研判").click()

    # Then: the district's figures, the names as text, the charts drawn.
    expect(page.locator("#figure-total .value a")).to_have_text("4")
    street_link = page.locator("#table-street a.drill", has_text=HOSTILE_STREET)
    expect(street_link).to_have_count(1)
    expect(page.locator("#table-workload")).to_contain_text(HOSTILE_OFFICER)
    expect(page.locator("#chart-place canvas")).to_have_count(1)
    # The street chart's tooltip over the hostile street's bar: its name as text, no element made of it.
    index = page.evaluate(
        """(name) => {
            const data = JSON.parse(document.getElementById("analytics-data").textContent);
            const i = data.by_street.findIndex((r) => r.label === name);
            echarts.getInstanceByDom(document.getElementById("chart-place"))
                .dispatchAction({type: "showTip", seriesIndex: 0, dataIndex: i});
            return i;
        }""",
        HOSTILE_STREET,
    )
    assert index >= 0
    tip = page.locator(".analytics-tooltip")
    expect(tip).to_have_text(f"{HOSTILE_STREET}：3 件")
    expect(tip.locator("img")).to_have_count(0)

    # When: the street, then the officer.
    street_link.click()
    expect(page.locator(".analytics-levels")).to_contain_text(HOSTILE_STREET)
    expect(page.locator("#figure-total .value a")).to_have_text("3")
    page.locator("#table-workload a.drill", has_text=HOSTILE_OFFICER).click()

    # Then: the officer's figures, the breadcrumb district › street › officer, as text.
    expect(page.locator(".analytics-levels")).to_have_text(f"全区 › {HOSTILE_STREET} › {HOSTILE_OFFICER}")
    expect(page.locator("#figure-total .value a")).to_have_text("3")
    expect(page.locator("#figure-arrive-rate .value a")).to_have_text("100%")
    assert page.evaluate("() => [typeof window.__xss, window.__violations]") == ["undefined", []]
    assert dialogs == []
