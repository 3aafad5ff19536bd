"""The rectification and three-colour pages: the party's link shows its own order only and takes evidence, the
officer issues and re-inspects, another street answers 404, the business answers from its home, and the colour
map and list show a hostile name as text with the explanation."""

import datetime as dt
from typing import Any

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhifa.inspections import colours, rectification
from zhifa.inspections.models import RectificationOrder, RectificationSubmission
from zhifa.inspections.states import RectificationStatus
from zhifa.inspections.tests.rectification_fixtures import SH, footprint, photo, signed_visit
from zhifa.subjects.models import SubjectOwner

ISSUE_DAY = dt.datetime(2026, 3, 5, 15, 0, tzinfo=SH)
HOSTILE = '<img src=x onerror="alert(1)">工地'


def upload(name: str = "a.png") -> SimpleUploadedFile:
    _name, data = photo(name)
    return SimpleUploadedFile(name, data, content_type="image/png")


@time_machine.travel(ISSUE_DAY, tick=False)
def test_the_officer_issues_the_party_answers_through_its_link_and_the_officer_confirms(
    world: Any, client: Any, sign_in: Any
) -> None:
    signed = signed_visit(world)
    sign_in(world.users["officer_a"])
    page = client.get(reverse("web:rectification-list"))
    assert page.status_code == 200 and "油烟净化器未开启0" in page.content.decode()
    issued = client.post(reverse("web:rectification-list"), {"finding": signed.findings["general"].pk, "deadline": ""})
    order = RectificationOrder.objects.get(finding=signed.findings["general"])
    assert issued.status_code == 302 and issued["Location"] == reverse("web:rectification-detail", args=[order.pk])
    other = rectification.order_issue(actor=world.users["officer_a"], finding_id=signed.findings["major"].pk)
    before = footprint()
    bad = client.post(reverse("web:rectification-list"), {"finding": signed.findings["general"].pk})
    assert bad.status_code == 409 and "rectification_exists" in bad.content.decode() and footprint() == before

    client.logout()
    link = reverse("web:rectification-party", args=[order.party_token])
    party = client.get(link)
    text = party.content.decode()
    assert party.status_code == 200 and order.requirement in text and other.requirement not in text
    assert client.get(reverse("web:rectification-party", args=["x" * 43])).status_code == 404
    assert client.get(reverse("web:rectification-detail", args=[order.pk])).status_code == 302  # login
    refused = client.post(link, {"note": "已整改"})
    assert refused.status_code == 422 and "rectification_photo_required" in refused.content.decode()
    assert client.post(link, {"note": "已更换净化器", "photos": upload()}).status_code == 302
    order.refresh_from_db()
    assert order.status == RectificationStatus.SUBMITTED

    sign_in(world.users["officer_a"])
    detail = client.get(reverse("web:rectification-detail", args=[order.pk]))
    assert "已更换净化器" in detail.content.decode()
    assert "提交整改材料</td><td>待复查" in detail.content.decode().replace("\n", "")
    photo_row = RectificationSubmission.objects.get(order=order).photos.get()
    assert client.get(reverse("web:rectification-photo", args=[order.pk, photo_row.pk])).status_code == 200
    done = client.post(reverse("web:rectification-reinspect", args=[order.pk]), {"outcome": "confirm", "note": "合格"})
    assert done.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.on_time) == (RectificationStatus.RECTIFIED, True)


@time_machine.travel(ISSUE_DAY, tick=False)
def test_another_street_and_the_business_of_another_subject_see_nothing(world: Any, client: Any, sign_in: Any) -> None:
    signed = signed_visit(world)
    order = rectification.order_issue(actor=world.users["officer_a"], finding_id=signed.findings["general"].pk)
    sign_in(world.users["officer_b"])
    assert client.get(reverse("web:rectification-detail", args=[order.pk])).status_code == 404
    assert order.requirement not in client.get(reverse("web:rectification-list") + "?view=all").content.decode()
    owner = world.users["business_owner"]
    sign_in(owner)
    assert order.requirement not in client.get(reverse("web:home")).content.decode()
    SubjectOwner.objects.create(subject=order.subject, user=owner)
    home = client.get(reverse("web:home")).content.decode()
    assert order.requirement in home and "rectification-home" in home
    sent = client.post(
        reverse("web:rectification-owner-submit", args=[order.pk]), {"note": "已整改", "photos": upload()}
    )
    assert sent.status_code == 302
    order.refresh_from_db()
    assert order.status == RectificationStatus.SUBMITTED


@time_machine.travel(ISSUE_DAY, tick=False)
def test_the_colour_page_lists_the_subject_with_its_explanation_and_a_hostile_name_as_text(
    world: Any, client: Any, sign_in: Any
) -> None:
    signed = signed_visit(world)
    subject = signed.visit.subject
    subject.name = HOSTILE
    subject.category = "construction_site"
    subject.save(update_fields=["name", "category"])
    colours.colour_recompute(subject_id=subject.pk, trigger="测试")
    sign_in(world.users["officer_a"])
    page = client.get(reverse("web:colours-map")).content.decode()
    assert HOSTILE not in page and "&lt;img src=x" in page
    assert "重大隐患 1 项 × 10 分 = 10 分" in page and "黄 1" in page
    history = client.get(reverse("web:colours-history", args=[subject.pk])).content.decode()
    assert "重大隐患：油烟净化器未开启2" in history
    assert client.get(reverse("web:colours-alliance")).status_code == 200
    sign_in(world.users["officer_b"])
    assert client.get(reverse("web:colours-history", args=[subject.pk])).status_code == 404


@time_machine.travel(ISSUE_DAY, tick=False)
def test_the_business_reads_its_open_orders_and_its_inspection_records_in_its_credit_file(
    world: Any, client: Any, sign_in: Any
) -> None:
    # given: a signed visit of a shop with two findings, one ordered rectified; the shop is the business's own
    signed = signed_visit(world)
    order = rectification.order_issue(actor=world.users["officer_a"], finding_id=signed.findings["general"].pk)
    owner = world.users["business_owner"]
    SubjectOwner.objects.create(subject=signed.visit.subject, user=owner)
    sign_in(owner)

    # when: it opens 我的信用 for the shop
    page = client.get(reverse("web:credit-my-file", args=[signed.visit.subject.pk]))

    # then: the order with its deadline, and the record with its findings and its 亮码检查 link
    text = page.content.decode()
    orders = text[text.index('id="my-orders"') : text.index('id="my-visits"')]
    visits = text[text.index('id="my-visits"') :]
    assert (page.status_code, order.requirement in orders, order.deadline.isoformat() in orders) == (200, True, True)
    assert reverse("web:public-inspection-check", args=[signed.visit.check_token]) in visits
    assert f"{signed.visit.findings.count()} 个" in visits

    # and an account that is not the shop's business sees no such file
    sign_in(world.users["officer_a"])
    assert client.get(reverse("web:credit-my-file", args=[signed.visit.subject.pk])).status_code == 404
