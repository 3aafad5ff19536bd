"""The joint inspection's pages: the phone's steps posted as the phone posts them (and again, from the outbox),
who may open what, the staff pages with the visits saved and the QR code, and the party's public record."""

import base64
import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhifa.inspections.models import InspectionFinding, InspectionItemResult, JointInspection
from zhifa.inspections.states import VisitStatus
from zhifa.inspections.tests.test_visits import NEAR, merge, two_department_plans
from zhifa.inspections.tests.visit_fixtures import Joint, footprint, joint_world, plan, png

SH = ZoneInfo("Asia/Shanghai")
IN_MARCH = dt.datetime(2026, 3, 12, 9, 30, tzinfo=SH)


@pytest.fixture
def joint(world: Any) -> Joint:
    j = joint_world(world)
    two_department_plans(j)
    merge(j)
    return j


def visit_of(joint: Joint) -> JointInspection:
    return JointInspection.objects.get(subject=joint.subjects[0])


def url(name: str, visit: JointInspection) -> str:
    return reverse(name, args=[visit.pk])


def walk(client: Any, joint: Joint, visit: JointInspection) -> None:
    """The phone's forms, one after another, as the officer submits them."""
    start = client.post(url("web:phone-inspection-start", visit), {"lon": NEAR[0], "lat": NEAR[1], "accuracy": 8})
    assert start.status_code == 302
    first, second = joint.enforcement_items
    _name, data = "a.png", png()
    for item, result in ((first, "fail"), (second, "pass"), (joint.market_items[0], "pass")):
        form: dict[str, Any] = {"item": item.pk, "result": result, "note": ""}
        if item.requires_photo:
            form["photos"] = SimpleUploadedFile("site.png", data, content_type="image/png")
        assert client.post(url("web:phone-inspection-tick", visit), form).status_code == 302
    finding = {"severity": "serious", "description": "燃气管道私拉乱接", "item": first.pk, "client_key": "c-1"}
    assert client.post(url("web:phone-inspection-finding", visit), finding).status_code == 302
    signature = "data:image/png;base64," + base64.b64encode(png()).decode()
    party = {"party_name": "王老板", "signature": signature}
    assert client.post(url("web:phone-inspection-party-sign", visit), party).status_code == 302


@time_machine.travel(IN_MARCH, tick=False)
def test_an_officer_walks_the_visit_on_the_phone_and_steps_sent_again_are_taken_once(
    joint: Joint, sign_in: Any
) -> None:
    visit = visit_of(joint)
    client = sign_in(joint.world.users["officer_a"])
    listed = client.get(reverse("web:phone-inspections")).content.decode()
    assert f'id="visit-{visit.pk}"' in listed and "综合查一次" in listed
    walk(client, joint, visit)
    before = footprint()
    # The outbox sends the finding again (its answer was lost): one finding.
    again = {
        "severity": "serious",
        "description": "燃气管道私拉乱接",
        "item": joint.enforcement_items[0].pk,
        "client_key": "c-1",
    }
    assert client.post(url("web:phone-inspection-finding", visit), again).status_code == 302
    assert footprint() == before
    assert client.post(url("web:phone-inspection-close", visit), {}).status_code == 302
    visit.refresh_from_db()
    assert visit.status == VisitStatus.SIGNED
    assert client.post(url("web:phone-inspection-close", visit), {}).status_code == 302  # sent again
    assert InspectionFinding.objects.filter(inspection=visit).count() == 1
    assert InspectionItemResult.objects.filter(inspection=visit).count() == 3


@time_machine.travel(IN_MARCH, tick=False)
def test_a_refused_step_shows_its_message_where_the_outbox_reads_it(joint: Joint, sign_in: Any) -> None:
    visit = visit_of(joint)
    client = sign_in(joint.world.users["officer_a"])
    far = client.post(url("web:phone-inspection-start", visit), {"lon": 120.105, "lat": 30.315, "accuracy": 8})
    assert far.status_code == 422
    page = far.content.decode()
    assert 'id="visit-error"' in page and "1112" in page and 'id="start-exception-form"' in page


@time_machine.travel(IN_MARCH, tick=False)
def test_an_officer_not_drawn_for_the_visit_gets_not_found_everywhere(joint: Joint, sign_in: Any) -> None:
    visit = visit_of(joint)
    client = sign_in(joint.world.users["officer_b"])
    before = footprint()
    assert client.get(url("web:phone-inspection", visit)).status_code == 404
    assert client.post(url("web:phone-inspection-start", visit), {"lon": NEAR[0], "lat": NEAR[1]}).status_code == 404
    assert client.get(url("web:inspection-visit", visit)).status_code == 404
    assert f'id="visit-{visit.pk}"' not in client.get(reverse("web:phone-inspections")).content.decode()
    assert footprint() == before


def test_the_staff_list_shows_the_visits_saved_and_a_liaison_only_its_departments_visits(
    joint: Joint, sign_in: Any
) -> None:
    dispatcher = sign_in(joint.world.users["dispatcher"])
    page = dispatcher.get(reverse("web:inspection-visits")).content.decode()
    # March: 4 checks, 3 visits, 1 joint, 1 saved (the two March visits open on 1 and 10 March).
    row = re.search(r"<tr><td>2026年3月</td>(.*?)</tr>", page)
    assert row is not None
    assert re.findall(r"<td[^>]*>(\d+)</td>", row.group(1)) == ["4", "3", "1", "1"]
    liaison = sign_in(joint.world.users["liaison"])
    listed = liaison.get(reverse("web:inspection-visits")).content.decode()
    assert joint.subjects[0].name in listed and joint.subjects[2].name in listed
    assert joint.subjects[1].name not in listed  # enforcement only
    only_enforcement = JointInspection.objects.get(subject=joint.subjects[1])
    assert liaison.get(url("web:inspection-visit", only_enforcement)).status_code == 404


@time_machine.travel(IN_MARCH, tick=False)
def test_the_signed_record_has_a_qr_code_to_the_public_record_which_shows_only_that_record_masked(
    joint: Joint, sign_in: Any
) -> None:
    visit = visit_of(joint)
    officer = sign_in(joint.world.users["officer_a"])
    walk(officer, joint, visit)
    officer.post(url("web:phone-inspection-close", visit), {})
    visit.refresh_from_db()
    staff = sign_in(joint.world.users["dispatcher"])
    page = staff.get(url("web:inspection-visit", visit)).content.decode()
    assert "<svg" in page and visit.check_token in page
    public = reverse("web:public-inspection-check", args=[visit.check_token])
    anonymous = staff.__class__()
    shown = anonymous.get(public).content.decode()
    assert "甲某某" in shown and "甲队员" not in shown  # officer_a's officer, masked
    assert joint.enforcement_officers[0].badge_no in shown
    assert "燃气管道私拉乱接" in shown and "不符合" in shown
    assert joint.subjects[0].name not in shown  # the subject's name masked too
    assert anonymous.get(reverse("web:public-inspection-check", args=["x" * 43])).status_code == 404
    other = JointInspection.objects.get(subject=joint.subjects[2])
    assert anonymous.get(reverse("web:public-inspection-check", args=[other.check_token])).status_code == 404  # planned


def test_the_service_worker_queues_the_inspection_steps(joint: Joint, sign_in: Any) -> None:
    script = sign_in(joint.world.users["officer_a"]).get(reverse("web:phone-sw")).content.decode()
    for step in ("start", "tick", "finding", "sign", "party-sign", "close"):
        assert f'"/m/inspections/0/{step}/"' in script


def test_the_plan_page_shows_the_repeat_alert_of_its_checks(world: Any, sign_in: Any) -> None:
    j = joint_world(world)
    e, m = j.enforcement_officers, j.market_officers
    first = plan(world.enforcement_dept, dt.date(2026, 3, 1), dt.date(2026, 3, 5), [(j.subjects[0], e[0], e[1])])
    second = plan(world.market_dept, dt.date(2026, 3, 20), dt.date(2026, 3, 25), [(j.subjects[0], m[0], m[1])])
    assert len(merge(j).alerts) == 1
    client = sign_in(world.users["dispatcher"])
    for shown in (first, second):
        page = client.get(reverse("web:inspection-plan", args=[shown.pk])).content.decode()
        assert 'id="repeat-alerts"' in page and "15 天内" in page
