"""The event page's 超距到场 and 位置更正记录 tables at 1280 px (issue 16, "What matters is hidden"): in the page's
narrow right column the names wrapped one character a line; names and times now keep one line."""

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from conftest import POINT_IN_A, POINT_IN_B, World
from tests.browser.conftest import login
from zhifa.events import services
from zhifa.events.tests.conftest import jpeg_bytes, officer_of, walk_to

# How many lines a cell's content takes: the distinct tops of its text's boxes.
LINES_OF = """el => {
  const r = document.createRange();
  r.selectNodeContents(el);
  return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size;
}"""


def test_names_and_times_keep_one_line_in_the_place_tables(live_server: Any, world: World, page: Any) -> None:
    event = walk_to(world, "acknowledged")
    services.event_arrive(
        actor=world.user("officer_a"),
        event=event,
        lon=POINT_IN_A[0] + 0.005,
        lat=POINT_IN_A[1],
        exception_reason="定位点在路边，现场在小区最里面的一栋楼后面",
        photo=SimpleUploadedFile("gate.jpg", jpeg_bytes(), content_type="image/jpeg"),
    )
    services.event_relocate(
        actor=world.user("dispatcher"),
        event=officer_of(world, "officer_a").assignments.get().event,
        lon=POINT_IN_B[0],
        lat=POINT_IN_B[1],
        address="体育场路51号东侧小区内",
        reason="来电人更正：在体育场路的小区里面",
    )
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, live_server.url, "dispatcher")
    page.goto(f"{live_server.url}/events/{event.pk}/")

    expect(page.locator("#arrival-exceptions td.who")).to_have_text("甲队员")
    expect(page.locator("#relocations td.who")).to_have_text("dispatcher")
    for cell in page.locator(
        "#arrival-exceptions td.who, #arrival-exceptions td.when, #relocations td.who, #relocations td.when"
    ).all():
        assert cell.evaluate(LINES_OF) == 1, cell.inner_text()
    for heading in page.locator(".place-history th").all():
        assert heading.evaluate(LINES_OF) == 1, heading.inner_text()
    page.locator("#arrival-exceptions").scroll_into_view_if_needed()
    page.screenshot(path="/tmp/issue16-event-place-tables.png", full_page=True)
