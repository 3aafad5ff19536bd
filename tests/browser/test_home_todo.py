"""The home page's to-do list shows what people typed as text (issue 16): an event described as markup is
listed under 待派遣 as those characters, and nothing runs."""

from typing import Any

from playwright.sync_api import expect

from conftest import POINT_IN_A, World
from tests.browser.conftest import login
from zhifa.events import services
from zhifa.events.states import EventSource

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
