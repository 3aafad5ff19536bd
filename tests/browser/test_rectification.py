"""责令整改 in a browser (issue 12 parts 6, 7): the party opens its link (no login), sees its own order with the
subject named as markup shown as text, uploads a photo with a note; the officer opens the order, sees the
evidence and confirms it rectified; the subject's dot on the three-colour map has the name as text in its tooltip.
No script runs, no dialog opens, the page's policy is never violated."""

from typing import Any

from playwright.sync_api import expect

from conftest import World
from tests.browser.conftest import login
from tests.browser.test_hostile_names import HOSTILE_SUBJECT, assert_nothing_ran, hover_until_shown, open_page
from zhifa.inspections import colours, rectification
from zhifa.inspections.models import RectificationOrder
from zhifa.inspections.states import RectificationStatus
from zhifa.inspections.tests.rectification_fixtures import photo, signed_visit


def test_the_party_uploads_evidence_through_its_link_and_the_officer_confirms(
    live_server: Any, world: World, watched: tuple[Any, list[str]]
) -> None:
    page, dialogs = watched
    signed = signed_visit(world)
    subject = signed.visit.subject
    subject.name = HOSTILE_SUBJECT
    subject.save(update_fields=["name"])
    order = rectification.order_issue(actor=world.users["officer_a"], finding_id=signed.findings["general"].pk)

    # The party, not signed in, opens its link: its order, the name as text.
    # A public page: its policy allows no script at all (no nonce).
    response = page.goto(f"{live_server.url}/public/rectification/{order.party_token}/")
    assert response is not None and response.status == 200
    assert "script-src 'self';" in response.headers["content-security-policy"]
    expect(page.locator("#party-subject")).to_have_text(HOSTILE_SUBJECT)
    expect(page.locator("#party-status")).to_have_text("待整改")
    page.get_by_label("整改情况说明").fill("已更换油烟净化器并开启")
    name, data = photo("after.png")
    page.get_by_label("整改后照片").set_input_files({"name": name, "mimeType": "image/png", "buffer": data})
    page.get_by_role("button", name="提交").click()
    expect(page.locator("#party-status")).to_have_text("待复查")
    expect(page.get_by_text("整改材料已提交")).to_be_visible()
    assert_nothing_ran(page, dialogs)

    # The officer opens the order, sees the note and the photo, and confirms.
    login(page, live_server.url, "officer_a")
    open_page(page, f"{live_server.url}/inspections/rectification/{order.pk}/")
    expect(page.locator("#order-subject")).to_have_text(HOSTILE_SUBJECT)
    expect(page.locator("#order-submissions")).to_contain_text("已更换油烟净化器并开启")
    expect(page.locator("#order-submissions img")).to_have_count(1)
    page.get_by_label("复查意见").fill("现场复查合格")
    page.get_by_role("button", name="复查通过").click()
    expect(page.locator("#order-status")).to_have_text("已整改")
    order.refresh_from_db()
    assert (order.status, order.on_time) == (RectificationStatus.RECTIFIED, True)

    # The three-colour map: the subject's dot, its tooltip the name as text.
    colours.colour_recompute(subject_id=subject.pk, trigger="测试")
    open_page(page, f"{live_server.url}/inspections/colours/")
    themap = page.locator("#colours-map")
    expect(themap).to_have_attribute("data-ready", "true")
    expect(page.locator("#colour-list")).to_contain_text(HOSTILE_SUBJECT)
    dot = themap.locator("path.colour-dot")
    expect(dot).to_have_count(1)
    tooltip = page.locator(".leaflet-tooltip", has_text=HOSTILE_SUBJECT)
    hover_until_shown(page, dot, tooltip)
    expect(tooltip).to_contain_text("风险分")
    expect(page.locator(".leaflet-tooltip img")).to_have_count(0)
    assert_nothing_ran(page, dialogs)
    assert RectificationOrder.objects.count() == 1
