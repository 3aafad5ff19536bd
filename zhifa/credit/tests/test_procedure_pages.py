"""Credit procedure pages (issue 13 parts 5–7): the business reaches 我的信用 from its home, objects to an entry of
its own file and follows it; another business's file, entry or procedure answers 404; the administrator sees the
overdue objection and upholds it; the head signs the listing decision; the public list; user text as text."""

import datetime as dt
from typing import Any

from django.test import Client

from zhifa.credit.dishonesty import dishonesty_notify, dishonesty_propose
from zhifa.credit.models import CreditEntry, CreditGrade, CreditObjection, DishonestyListing
from zhifa.credit.objections import objection_submit
from zhifa.credit.services import credit_refresh
from zhifa.credit.states import DishonestyStatus, ObjectionStatus
from zhifa.credit.tests.conftest import at, general_penalty, shop
from zhifa.org.accounts import second_factor_required
from zhifa.org.tests.second_factor import pass_second_factor
from zhifa.subjects.models import SubjectOwner
from zhifa.subjects.tests.factories import SubjectFactory, uscc_for

HOSTILE = "<img src=x onerror=alert(1)>"


def _client(cw: Any, persona: str) -> Client:
    client = Client()
    user = cw.user(persona)
    client.force_login(user)
    if second_factor_required(user):
        pass_second_factor(client, user)
    return client


def _body(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _own_penalised(cw: Any) -> Any:
    subject = shop(cw, name=f"{HOSTILE}小吃")
    general_penalty(cw, subject)
    credit_refresh()
    SubjectOwner.objects.create(subject=subject, user=cw.user("business_owner"))
    return subject


def test_the_business_reaches_its_file_from_home_and_objects_to_an_entry(cw: Any) -> None:
    subject = _own_penalised(cw)
    entry = CreditEntry.objects.get()
    client = _client(cw, "business_owner")

    home = _body(client.get("/"))
    assert 'href="/credit/my/"' in home
    listing = _body(client.get("/credit/my/"))
    assert f'href="/credit/my/{subject.pk}/"' in listing
    assert "&lt;img src=x onerror=alert(1)&gt;小吃" in listing and HOSTILE not in listing
    page = _body(client.get(f"/credit/my/{subject.pk}/"))
    assert "C 级" in page and "擅自占用城市道路：罚款，罚款1000.00元" in page
    assert f"/credit/my/{subject.pk}/entries/{entry.pk}/objection/" in page
    # the repair waits 90 days from 16 March: from 14 June
    assert "2026-06-14 起可申请信用修复" in page

    response = client.post(f"/credit/my/{subject.pk}/entries/{entry.pk}/objection/", {"reasons": f"{HOSTILE}不是本店"})
    assert response.status_code == 302
    objection = CreditObjection.objects.get()
    assert (objection.reasons, objection.status) == (f"{HOSTILE}不是本店", ObjectionStatus.SUBMITTED)
    page = _body(client.get(f"/credit/my/{subject.pk}/"))
    assert "异议中" in page and "&lt;img src=x onerror=alert(1)&gt;不是本店" in page and HOSTILE not in page

    # an empty objection is refused on the page with its code, nothing written
    response = client.post(f"/credit/my/{subject.pk}/entries/{entry.pk}/objection/", {"reasons": " "})
    assert response.status_code == 422 and "objection_reasons_required" in response.content.decode()
    assert CreditObjection.objects.count() == 1


def test_another_business_file_entry_and_procedure_answer_404(cw: Any) -> None:
    other = SubjectFactory(district=cw.world.district, name="隔壁面馆", uscc=uscc_for(602))
    general_penalty(cw, other)
    credit_refresh()
    entry = CreditEntry.objects.get()
    listing = dishonesty_propose(
        actor=cw.user("legal_reviewer"),
        subject_id=other.pk,
        ground="health_safety_order",
        legal_basis="ZJC 24",
        reasons="理由",
        source_entry_ids=[entry.pk],
    )
    dishonesty_notify(actor=cw.user("legal_reviewer"), listing_id=listing.pk)
    client = _client(cw, "business_owner")
    for url in (
        f"/credit/my/{other.pk}/",
        f"/credit/my/{other.pk}/entries/{entry.pk}/objection/",
        f"/credit/my/{other.pk}/entries/{entry.pk}/repair/",
        f"/credit/my/listings/{listing.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/credit/my/{other.pk}/entries/{entry.pk}/objection/", {"reasons": "x"}).status_code == 404
    assert client.post(f"/credit/my/listings/{listing.pk}/", {"defence": "x"}).status_code == 404
    assert CreditObjection.objects.count() == 0
    # and the staff pages are not for a business
    assert client.get("/credit/procedures/").status_code == 404


def test_the_administrator_sees_the_overdue_objection_and_upholds_it(cw: Any) -> None:
    subject = _own_penalised(cw)
    entry = CreditEntry.objects.get()
    objection = objection_submit(
        actor=cw.user("business_owner"), subject_id=subject.pk, entry_id=entry.pk, reasons="非本店"
    )
    assert objection.due_on == dt.date(2026, 6, 8)  # 1 June + 5 working days
    with at(dt.date(2026, 6, 9)):
        client = _client(cw, "legal_reviewer")
        page = _body(client.get("/credit/procedures/"))
        assert "已超期" in page and f"/credit/objections/{objection.pk}/" in page
        assert "&lt;img src=x onerror=alert(1)&gt;小吃" in page and HOSTILE not in page
        # the staff's view of the file marks the entry too
        assert "异议中" in _body(client.get(f"/credit/subjects/{subject.pk}/"))
        response = client.post(
            f"/credit/objections/{objection.pk}/",
            {"action": "correct", "outcome": "delete", "reason": "经核实非该店行为"},
        )
        assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.CORRECTED
    with at(dt.date(2026, 6, 9)):
        assert "异议中" not in _body(_client(cw, "legal_reviewer").get(f"/credit/subjects/{subject.pk}/"))
    assert CreditGrade.objects.get(is_current=True).grade == "B"


def test_the_listing_pages_the_head_signs_and_the_public_list_masks_nothing_of_a_company(cw: Any) -> None:
    subject = _own_penalised(cw)
    entry = CreditEntry.objects.get()
    admin = _client(cw, "legal_reviewer")
    page = _body(admin.get(f"/credit/subjects/{subject.pk}/listing/new/"))
    assert "擅自占用城市道路" in page
    response = admin.post(
        f"/credit/subjects/{subject.pk}/listing/new/",
        {"ground": "health_safety_order", "legal_basis": "ZJC 24", "reasons": "理由", "entries": [str(entry.pk)]},
    )
    assert response.status_code == 302
    listing_url = response["Location"]
    # publishing straight away is refused with its code on the page
    response = admin.post(listing_url, {"action": "publish"})
    assert response.status_code == 409 and "dishonesty_notice_required" in response.content.decode()
    assert admin.post(listing_url, {"action": "notify"}).status_code == 302

    owner = _client(cw, "business_owner")
    listing_id = int(listing_url.rstrip("/").rsplit("/", 1)[1])
    notice = _body(owner.get(f"/credit/my/listings/{listing_id}/"))
    assert "2026-06-10" in notice and 'name="defence"' in notice
    assert owner.post(f"/credit/my/listings/{listing_id}/", {"defence": "已下架"}).status_code == 302

    with at(dt.date(2026, 6, 11)):
        # ten days on, everyone signs in again (the sessions of 1 June have expired)
        admin = _client(cw, "legal_reviewer")
        response = admin.post(listing_url, {"action": "decide", "decision_number": "信决1号", "decision_text": "理由"})
        assert response.status_code == 403 and "dishonesty_head_signature_required" in response.content.decode()
        head = _client(cw, "leader")
        assert (
            head.post(
                listing_url, {"action": "decide", "decision_number": "信决1号", "decision_text": "理由"}
            ).status_code
            == 302
        )
        assert admin.post(listing_url, {"action": "publish"}).status_code == 302
        public = Client().get("/public/credit/dishonesty/")
        owner = _client(cw, "business_owner")
        assert "D 级" in _body(owner.get(f"/credit/my/{subject.pk}/"))
    body = _body(public)
    assert "&lt;img src=x onerror=alert(1)&gt;小吃" in body and HOSTILE not in body and subject.uscc in body
    assert DishonestyListing.objects.get().status == DishonestyStatus.PUBLISHED
    assert CreditGrade.objects.get(is_current=True).grade == "D"


def test_the_staff_queue_and_the_public_list_read_a_fixed_number_of_queries(cw: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    subject = _own_penalised(cw)
    first = CreditEntry.objects.get()
    owner = cw.user("business_owner")
    objection_submit(actor=owner, subject_id=subject.pk, entry_id=first.pk, reasons="一")
    client = _client(cw, "legal_reviewer")

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/credit/procedures/").status_code == 200
            assert Client().get("/public/credit/dishonesty/").status_code == 200
        return len(ctx)

    one = queries()
    for n in range(3):
        entry = CreditEntry.objects.create(
            district=cw.world.district,
            holder_key=subject.uscc,
            holder_name=subject.name,
            kind="commendation",
            category="positive",
            title=f"表彰{n}",
            occurred_on=dt.date(2026, 5, 1),
            expires_on=dt.date(2029, 5, 1),
            legal_basis="ZJC",
            source_type="document",
            source_reference=f"文{n}",
        )
        objection_submit(actor=owner, subject_id=subject.pk, entry_id=entry.pk, reasons=f"异议{n}")
    assert queries() == one


def _pdf_text(pdf: bytes) -> str:
    import subprocess

    out = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True)
    return "".join(out.stdout.decode().split())


def test_zjc_24_28_the_notice_and_the_signed_decision_as_pdfs_for_the_staff_and_the_business(cw: Any) -> None:
    from zhifa.credit.dishonesty import dishonesty_decide

    subject = _own_penalised(cw)
    listing = dishonesty_propose(
        actor=cw.user("legal_reviewer"),
        subject_id=subject.pk,
        ground="health_safety_order",
        legal_basis="ZJC 24 第一款第二项",
        reasons="销售过期食品",
        source_entry_ids=[CreditEntry.objects.get().pk],
        responsible_persons="王大明",
    )
    admin = _client(cw, "legal_reviewer")
    # no notice yet: no notice paper
    assert admin.get(f"/credit/listings/{listing.pk}/notice.pdf").status_code == 404
    dishonesty_notify(actor=cw.user("legal_reviewer"), listing_id=listing.pk)
    response = admin.get(f"/credit/listings/{listing.pk}/notice.pdf")
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    notice = _pdf_text(response.content)
    assert "列入严重失信名单告知书" in notice and "".join(HOSTILE.split()) + "小吃" in notice  # printed as typed
    assert "销售过期食品" in notice and "2026年6月10日前" in notice and "陈述和申辩" in notice
    # the business reads it too; the decision only once signed
    owner = _client(cw, "business_owner")
    assert _pdf_text(owner.get(f"/credit/my/listings/{listing.pk}/notice.pdf").content) == notice
    assert owner.get(f"/credit/my/listings/{listing.pk}/decision.pdf").status_code == 404
    with at(dt.date(2026, 6, 11)):
        dishonesty_decide(
            actor=cw.user("leader"),
            listing_id=listing.pk,
            decision_number="拱综执信决〔2026〕9号",
            decision_text="危害较大",
        )
        decision = _pdf_text(
            _client(cw, "business_owner").get(f"/credit/my/listings/{listing.pk}/decision.pdf").content
        )
    assert "列入严重失信名单决定书" in decision and "拱综执信决〔2026〕9号" in decision
    assert "在陈述申辩期限内未提出陈述申辩" in decision and "签发人：leader" in decision and "六十日内" in decision
    # another business does not get them
    SubjectOwner.objects.filter(subject=subject).delete()
    with at(dt.date(2026, 6, 11)):
        assert _client(cw, "business_owner").get(f"/credit/my/listings/{listing.pk}/notice.pdf").status_code == 404
