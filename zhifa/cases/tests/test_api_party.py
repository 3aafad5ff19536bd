"""The party online through the API (ZJR 23): a business owner reads and answers the cases of the subjects it
owns, a person through the link token sent to it; each submission goes through ``services.party_submission``,
online, arriving today, and is refused as the service refuses it; the party reads only what was served on it."""

import datetime as dt

from django.test import Client

from zhifa.cases import services
from zhifa.cases.models import Case, CaseStatus
from zhifa.cases.tests.conftest import CaseWorld, bearer, noticed
from zhifa.subjects.models import SubjectOwner
from zhifa.subjects.tests.factories import SubjectFactory

URL = "/api/v1/cases"


def owned_by_business_owner(cw: CaseWorld) -> Case:
    subject = SubjectFactory(district=cw.world.district, name="上塘小吃店")
    SubjectOwner.objects.create(subject=subject, user=cw.user("business_owner"))
    case = noticed(cw)
    Case.objects.filter(pk=case.pk).update(subject=subject)
    return case


def test_zjr_23_the_business_owner_reads_its_notice_and_states_its_case_online(cw: CaseWorld) -> None:
    case = owned_by_business_owner(cw)
    owner = bearer(cw.user("business_owner"))

    listed = owner.get(f"{URL}/mine").json()
    read = owner.get(f"{URL}/mine/{case.pk}").json()
    stated = owner.post(
        f"{URL}/mine/{case.pk}/submissions", {"kind": "statement", "text": "已整改"}, content_type="application/json"
    )

    assert [c["id"] for c in listed["items"]] == [case.pk]
    # Only what was served on the party, never the agency's internal forms (立案审批表, 现场检查笔录…).
    assert [d["kind"] for d in read["documents"]] == ["penalty_notice"]
    notice = owner.get(read["documents"][0]["pdf_url"])
    assert (notice.status_code, notice["Content-Type"]) == (200, "application/pdf")
    assert stated.status_code == 200, stated.json()
    [submission] = stated.json()["submissions"]
    assert (submission["kind"], submission["online"], submission["received_on"]) == ("statement", True, "2026-06-01")
    step = case.steps.order_by("-pk").first()
    assert step is not None and (step.action, step.legal_date) == ("party_statement", dt.date(2026, 6, 1))


def test_the_party_sees_neither_the_staff_routes_nor_another_partys_case(cw: CaseWorld) -> None:
    case = noticed(cw)  # not one of the business owner's subjects
    owner = bearer(cw.user("business_owner"))

    responses = [owner.get(f"{URL}/mine/{case.pk}"), owner.get(f"{URL}/{case.pk}")]

    assert [(r.status_code, r.json()["code"]) for r in responses] == [(404, "case_not_found")] * 2
    assert owner.get(f"{URL}/mine").json() == {"items": [], "count": 0}


def test_staff_have_no_my_cases(cw: CaseWorld) -> None:
    response = bearer(cw.user("officer_a")).get(f"{URL}/mine")

    assert (response.status_code, response.json()["code"]) == (403, "party_only")


def test_a_person_answers_through_its_link_as_the_party(cw: CaseWorld) -> None:
    case = noticed(cw)
    token = bearer(cw.user("officer_a")).post(f"{URL}/{case.pk}/party-link").json()["token"]
    party = Client(headers={"X-Party-Token": token})
    steps = case.steps.count()

    read = party.get(f"{URL}/by-link")
    hearing = party.post(f"{URL}/by-link/submissions", {"kind": "hearing_request"}, content_type="application/json")
    stated = party.post(
        f"{URL}/by-link/submissions", {"kind": "statement", "text": "请求从轻"}, content_type="application/json"
    )

    assert (read.status_code, read.json()["status"]) == (200, CaseStatus.NOTICED)
    # A fine of 1,000 yuan for a person calls for no hearing (APL 63): refused, nothing written.
    assert (hearing.status_code, hearing.json()["code"]) == (409, "hearing_not_applicable")
    assert stated.status_code == 200
    step = case.steps.order_by("-pk").first()
    assert step is not None and (case.steps.count(), step.actor_label) == (steps + 1, "当事人李大伟（链接）")


def test_a_wrong_link_is_not_found_and_a_missing_one_is_asked_for(cw: CaseWorld) -> None:
    noticed(cw)
    wrong = Client(headers={"X-Party-Token": "x" * 43}).get(f"{URL}/by-link")
    missing = Client().get(f"{URL}/by-link")

    assert (wrong.status_code, wrong.json()["code"]) == (404, "party_link_invalid")
    assert (missing.status_code, missing.json()["code"]) == (422, "party_token_required")


def test_the_link_is_made_once(cw: CaseWorld) -> None:
    case = noticed(cw)
    officer = bearer(cw.user("officer_a"))

    first, second = (officer.post(f"{URL}/{case.pk}/party-link").json()["token"] for _ in range(2))

    assert first == second == services.party_link_token(case, actor=cw.user("officer_a"))
