"""The command centre on the desks' 1280 px screens (issue 16, "What matters is hidden"): each row shows its
number, the 紧急 tag, the matter and the start of the description — not a number cut to "SJ2026…"."""

import time
from typing import Any

from playwright.sync_api import expect

from conftest import World
from tests.browser.conftest import BROWSER_TIMEOUT_MS, login
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.events.states import EventPriority
from zhifa.events.tests.factories import TriagedEventFactory

MATTER = "擅自占用城市道路从事经营"
DESCRIPTION = "菜市场门口三轮车摆摊卖水果，堵住人行道"


def box_of(locator: Any) -> Any:
    """The element's box. The live queue may re-render the row between two reads (a row re-sent by the stream):
    read it again until it is on screen, for as long as any expectation waits; one never shown still fails."""
    deadline = time.monotonic() + BROWSER_TIMEOUT_MS / 1000
    box = locator.bounding_box()
    while box is None and time.monotonic() < deadline:
        time.sleep(0.1)
        box = locator.bounding_box()
    assert box is not None, locator
    return box


def fully_shown(page: Any, locator: Any) -> None:
    """The element lies inside the viewport and inside its line's box: nothing of it is hidden behind the
    line's ellipsis (the lines are ``overflow: hidden``)."""
    expect(locator).to_be_visible()
    box = box_of(locator)
    viewport = page.viewport_size
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], box
    line = locator.locator("xpath=ancestor::div[contains(@class, 'line')][1]")
    line_box = box_of(line)
    assert box["x"] + box["width"] <= line_box["x"] + line_box["width"] + 0.5, (box, line_box)


def test_a_row_shows_its_matter_and_description_at_1280_px(live_server: Any, world: World, page: Any) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    matter = MatterFactory(department=world.enforcement_dept, name=MATTER)
    event = TriagedEventFactory(
        grid=world.grid_a, matter=matter, description=DESCRIPTION, priority=EventPriority.URGENT
    )
    login(page, live_server.url, "dispatcher")
    page.goto(f"{live_server.url}/command/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    row = page.locator(f"#event-{event.pk}")
    expect(row.locator(".queue-title")).to_have_text(MATTER)

    for part in (".public-no", ".tag.danger", ".queue-title"):
        fully_shown(page, row.locator(part))
    # The description starts on the matter's line: its first characters are shown (the rest may be cut).
    description = row.locator(".queue-desc")
    expect(description).to_have_text(DESCRIPTION)
    box = box_of(description)
    line_box = box_of(row.locator("td.what .line").nth(1))
    assert box["x"] + 4 * 12 <= line_box["x"] + line_box["width"], "not even four characters of the description"
    page.screenshot(path="/tmp/issue16-command-1280.png")
