"""The triage desk (issue 14): a dispatcher corrects an event on its page — vendors' tricycles on the pavement,
which triage sent to the street team as 占道经营 and the dispatcher judges a food-safety matter — to 食品安全,
sees it re-routed to 市场监管, and finds the correction counted on the human triage queue; there, an event
described as markup is listed as those characters, and nothing runs."""

from typing import Any

from playwright.sync_api import expect

from conftest import POINT_IN_A, World
from tests.browser.conftest import login
from zhifa.catalog.models import ComplaintKind
from zhifa.events import services
from zhifa.events.models import Event, TriageCorrection
from zhifa.events.states import EventRoute, EventSource

HOSTILE = "<img src=x onerror=alert(1)>"


def _reported(world: World, description: str) -> Event:
    return services.event_intake(
        actor=world.user("dispatcher"),
        district=world.district,
        source=EventSource.HOTLINE,
        description=description,
        lon=POINT_IN_A[0],
        lat=POINT_IN_A[1],
    ).event


def test_a_dispatcher_corrects_a_misrouted_event_and_sees_the_correction_counted(
    live_server: Any, world: World, page: Any, settings: Any
) -> None:
    misrouted = _reported(world, "菜场门口一排三轮车卖菜，把人行道堵死了")
    assert (misrouted.kind.code, misrouted.route) == ("ZF-ZDJY", EventRoute.ZONE_TEAM)  # type: ignore[union-attr]
    settings.ZHIFA_TRIAGE_MIN_CONFIDENCE = 0.999  # what follows is too unsure to route: the human queue
    hostile = _reported(world, HOSTILE)
    assert hostile.route == EventRoute.MANUAL
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)

    login(page, live_server.url, "dispatcher")
    page.goto(f"{live_server.url}/events/{misrouted.pk}/")
    expect(page.locator("dd.triage-kind")).to_contain_text("占道经营、出店经营")
    correct = page.locator("details.action-correct-triage")
    correct.locator("summary").click()
    correct.get_by_label("诉求类型").select_option(label="食品安全（市场监管）")
    correct.get_by_role("button", name="纠正研判", exact=True).click()

    expect(page.locator(".notice.ok")).to_contain_text(f"{misrouted.public_no}：已纠正为：食品安全（市场监管）")
    expect(page.locator("dd.triage-kind")).to_contain_text("食品安全")
    expect(page.locator("dt:text-is('责任部门') + dd")).to_have_text("区市场监督管理局")

    page.goto(f"{live_server.url}/triage/")
    expect(page.locator("#corrections-today")).to_have_text("1")
    expect(page.locator("#corrections-total")).to_have_text("1")
    expect(page.locator(f'tr[data-event="{misrouted.public_no}"]')).to_have_count(0)  # routed: not the queue's
    row = page.locator(f'tr[data-event="{hostile.public_no}"]')
    expect(row.locator("td.prose")).to_have_text(HOSTILE)
    expect(row.locator("img")).to_have_count(0)
    assert dialogs == []

    food = ComplaintKind.objects.get(district=world.district, code="SC-SPAQ")
    misrouted.refresh_from_db()
    assert (misrouted.kind_id, misrouted.department_id, misrouted.route) == (
        food.pk,
        world.market_dept.pk,
        EventRoute.COORDINATION,
    )
    assert list(TriageCorrection.objects.values_list("event_id", "chosen_kind_id", "actor_id")) == [
        (misrouted.pk, food.pk, world.user("dispatcher").pk)
    ]
