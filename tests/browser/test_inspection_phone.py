"""The joint inspection on the officer's phone (issue 12 part 5): an officer walks a visit from the start at
the site to the party's signature on the screen; the phone loses its network in the middle and nothing is
lost once it is back (each step kept in the outbox and sent once, a step whose answer was lost taken once);
and the signed record's pages show hostile names as text."""

import datetime as dt
from typing import Any

from django.utils import timezone
from playwright.sync_api import expect

from conftest import POINT_IN_A, World
from tests.browser.conftest import login
from tests.browser.test_phone_offline import (  # noqa: F401 - fixtures: the phone, its media and its link
    back_online,
    back_online_with_the_answer_lost,
    first_answer_lost,
    link,
    media,
    offline_airtight,
    phone,
    sign_in_and_open,
    submit_offline,
)
from zhifa.inspections import visit_services
from zhifa.inspections.models import InspectionFinding, InspectionItemResult, InspectionSignature, JointInspection
from zhifa.inspections.states import VisitStatus
from zhifa.inspections.tests.visit_fixtures import Joint, joint_world, photo, plan, png

PHOTO = {"name": "site.png", "mimeType": "image/png", "buffer": photo()[1]}


def joint_visit(world: World, *, subject_name: str = "", officer_name: str = "") -> tuple[Joint, JointInspection]:
    """Enforcement and market checks of one subject, due around today, merged into one joint visit."""
    joint = joint_world(world)
    subject = joint.subjects[0]
    if subject_name:
        subject.name = subject_name
        subject.save(update_fields=["name"])
    if officer_name:
        joint.enforcement_officers[0].name = officer_name
        joint.enforcement_officers[0].save(update_fields=["name"])
    today = timezone.localdate()
    e, m = joint.enforcement_officers, joint.market_officers
    plan(world.enforcement_dept, today - dt.timedelta(days=2), today + dt.timedelta(days=10), [(subject, e[0], e[1])])
    plan(world.market_dept, today, today + dt.timedelta(days=20), [(subject, m[0], m[1])])
    visit_services.inspections_merge(
        actor=world.users["dispatcher"],
        district_id=world.district.pk,
        starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=30),
    )
    return joint, JointInspection.objects.get(subject=subject)


def sign_on_the_canvas(page: Any) -> None:
    canvas = page.locator("#signature-pad")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(box["x"] + 20 + step * box["width"] * 0.08, box["y"] + box["height"] * (0.7 - 0.04 * step))
    page.mouse.up()
    page.wait_for_function(
        "() => document.getElementById('party-signature').value.startsWith('data:image/png;base64,')"
    )


def tick(page: Any, item_id: int, result: str, *, with_photo: bool = False) -> Any:
    form = page.locator(f"#item-{item_id} form")
    form.get_by_label(result, exact=True).check()
    if with_photo:
        form.locator("input[type=file]").set_input_files(files=[PHOTO])
    return form.get_by_role("button", name="保存")


def test_an_officer_walks_a_joint_inspection_from_the_start_to_the_partys_signature(
    live_server: Any,
    world: World,
    media: Any,  # noqa: F811 - the fixture imported above
    phone: Any,  # noqa: F811
) -> None:
    joint, visit = joint_visit(world)
    login(phone, live_server.url, "officer_a")
    phone.goto(f"{live_server.url}/m/inspections/")
    phone.locator(f"#visit-{visit.pk}").click()
    expect(phone.locator("#visit-status")).to_have_text("待检查")

    phone.locator("#start").click()  # the phone's position: at the subject
    expect(phone.locator("#visit-status")).to_have_text("检查中")
    expect(phone.locator("#visit-started")).to_contain_text("距对象约 0 米")

    first, second = joint.enforcement_items
    tick(phone, first.pk, "不符合", with_photo=True).click()
    expect(phone.locator(f"#item-{first.pk} .item-result")).to_contain_text("不符合")
    tick(phone, second.pk, "符合").click()
    expect(phone.locator(f"#item-{second.pk} .item-result")).to_contain_text("符合")
    tick(phone, joint.market_items[0].pk, "不适用").click()
    expect(phone.locator("#ticked-count")).to_have_text("已填 3 / 3 项")

    phone.locator("#finding-severity").select_option(label="较大")
    phone.locator("#finding-item").select_option(str(first.pk))
    phone.get_by_label("隐患描述").fill("油烟净化器未开启，油污外溢")
    phone.locator("#finding-submit").click()
    expect(phone.locator(".finding-text")).to_have_text("油烟净化器未开启，油污外溢")

    phone.get_by_label("当事人姓名").fill("王老板")
    sign_on_the_canvas(phone)
    phone.locator("#party-sign").click()
    expect(phone.locator("#party-status")).to_have_text("当事人：王老板 已签名")

    phone.locator("#close").click()
    expect(phone.locator("#visit-status")).to_have_text("已签署")
    expect(phone.locator("#visit-signed")).to_be_visible()
    expect(phone.locator("#check-qr svg")).to_be_visible()  # the party scans it from this screen

    visit.refresh_from_db()
    assert visit.status == VisitStatus.SIGNED
    party = InspectionSignature.objects.get(inspection=visit, kind="party")
    assert party.party_name == "王老板" and bytes(party.image_png).startswith(b"\x89PNG")
    assert sorted(InspectionItemResult.objects.filter(inspection=visit).values_list("outcome", flat=True)) == [
        "fail",
        "na",
        "pass",
    ]
    assert list(InspectionFinding.objects.filter(inspection=visit).values_list("severity", flat=True)) == ["major"]


def test_the_phone_goes_offline_in_the_middle_of_the_inspection_and_nothing_is_lost(
    live_server: Any,
    world: World,
    media: Any,  # noqa: F811 - the fixture imported above
    phone: Any,  # noqa: F811
) -> None:
    joint, visit = joint_visit(world)
    sign_in_and_open(phone, live_server.url, "officer_a", f"/m/inspections/{visit.pk}/")
    phone.locator("#start").click()
    expect(phone.locator("#visit-status")).to_have_text("检查中")  # this page, started, is kept for offline use

    offline_airtight(phone)
    phone.reload()  # answered by the service worker
    expect(phone.locator("#offline-banner")).to_be_visible()
    first, second = joint.enforcement_items
    for item_id, result, with_photo in (
        (first.pk, "不符合", True),
        (second.pk, "符合", False),
        (joint.market_items[0].pk, "符合", False),
    ):
        tick(phone, item_id, result, with_photo=with_photo)
        submit_offline(phone, f"#item-{item_id} form button[type=submit]")
    phone.locator("#finding-severity").select_option(label="重大")
    phone.get_by_label("隐患描述").fill("燃气管道私拉乱接")
    submit_offline(phone, "#finding-submit")
    phone.get_by_label("当事人姓名").fill("王老板")
    sign_on_the_canvas(phone)
    submit_offline(phone, "#party-sign")
    submit_offline(phone, "#close")
    expect(phone.locator("#queued-banner")).to_have_text("有 6 条上报待发送")
    visit.refresh_from_db()
    assert visit.status == VisitStatus.STARTED
    assert InspectionItemResult.objects.filter(inspection=visit).count() == 0

    # Back online the outbox sends the steps in order: the three ticks; then the finding reaches the server but
    # its answer is lost, which stops the send there. A moment later the phone sends the finding again (one
    # finding), the party's signature and the close: three more.
    first_answer_lost(phone, f"**/m/inspections/{visit.pk}/finding/")
    back_online_with_the_answer_lost(phone)
    expect(phone.locator("#outbox-result")).to_have_text("离线保存的 3 条上报已发送")
    expect(phone.locator("#queued-banner")).to_be_hidden()

    visit.refresh_from_db()
    assert visit.status == VisitStatus.SIGNED
    results = InspectionItemResult.objects.filter(inspection=visit)
    assert sorted(results.values_list("outcome", flat=True)) == ["fail", "pass", "pass"]
    assert results.get(item=first).photos.count() == 1
    assert list(InspectionFinding.objects.filter(inspection=visit).values_list("description", "severity")) == [
        ("燃气管道私拉乱接", "serious")
    ]
    party = InspectionSignature.objects.get(inspection=visit, kind="party")
    assert party.party_name == "王老板" and bytes(party.image_png).startswith(b"\x89PNG")
    # Each step timed when the officer took it, not when it arrived: before the visit was signed.
    assert max(r.recorded_at for r in results) <= visit.signed_at


HOSTILE_SUBJECT = '<img src=x onerror="window.__xss=1">'
HOSTILE_OFFICER = "<script>self.__xss=2</script>"
HOSTILE_TEXT = "<img src=x onerror=__xss=3>"


def test_the_record_pages_show_hostile_names_as_text(
    live_server: Any,
    world: World,
    media: Any,  # noqa: F811 - the fixture imported above
    watched: Any,
) -> None:
    joint, visit = joint_visit(world, subject_name=HOSTILE_SUBJECT + "餐厅", officer_name=HOSTILE_OFFICER)
    officer_a = world.users["officer_a"]
    visit_services.inspection_start(actor=officer_a, inspection_id=visit.pk, lon=POINT_IN_A[0], lat=POINT_IN_A[1])
    for item in [*joint.enforcement_items, *joint.market_items]:
        photos = [photo()] if item.requires_photo else []
        visit_services.item_tick(
            actor=officer_a, inspection_id=visit.pk, item_id=item.pk, outcome="fail", note=HOSTILE_TEXT, photos=photos
        )
    visit_services.finding_add(actor=officer_a, inspection_id=visit.pk, severity="general", description=HOSTILE_TEXT)
    visit_services.party_sign(
        actor=officer_a, inspection_id=visit.pk, party_name=HOSTILE_TEXT[:50], signature_png=png()
    )
    visit_services.inspection_close(actor=officer_a, inspection_id=visit.pk)
    visit.refresh_from_db()

    page, dialogs = watched
    login(page, live_server.url, "dispatcher")
    response = page.goto(f"{live_server.url}/inspections/visits/{visit.pk}/")
    assert response.status == 200
    expect(page.locator("#visit-subject")).to_have_text(HOSTILE_SUBJECT + "餐厅")
    expect(page.locator(".visit-officers")).to_contain_text(HOSTILE_OFFICER)
    expect(page.locator("#findings .finding-text")).to_have_text(HOSTILE_TEXT)
    expect(page.locator("#party-signature .party-name")).to_have_text(HOSTILE_TEXT)
    expect(page.locator("#check-qr svg")).to_be_visible()
    page.goto(f"{live_server.url}/inspections/visits/")
    expect(page.locator(".visit-subject").first).to_have_text(HOSTILE_SUBJECT + "餐厅")
    page.goto(f"{live_server.url}/public/inspections/check/{visit.check_token}/")
    expect(page.locator("#public-status")).to_have_text("已签署")
    expect(page.locator(".public-findings li")).to_have_text(f"【一般】{HOSTILE_TEXT}")
    assert HOSTILE_OFFICER not in page.content()  # masked: the surname's first character and 某某
    assert page.evaluate("() => [typeof window.__xss, window.__violations]") == ["undefined", []]
    assert dialogs == []
