"""The party online (ZJR 23): a business owner sees the cases of the subjects it owns and nobody else's; it reads
its notices, submits its statement and defence, requests a hearing (refused when late, APL 64) and consents to
electronic service — each through ``services.party_submission``, online, arriving today. A person without a login
does the same through its link, acting as the party."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from zhifa.cases import services
from zhifa.cases.models import Case, Conclusion, PartySubmission, PenaltyKind, RecordKind, ServiceMethod
from zhifa.cases.tests import conftest as case_world
from zhifa.cases.tests.conftest import PERSON, CaseWorld, lead
from zhifa.documents.kinds import DocumentKind
from zhifa.documents.models import Document
from zhifa.subjects.models import SubjectOwner
from zhifa.subjects.tests.factories import SubjectFactory

# The case world's fixtures (its conftest is not above this directory): the clock at 2026-06-01, the officers.
cw = case_world.cw
frozen = case_world.frozen
HOSTILE = "<script>alert(1)</script>"


def walk_to_notice(cw: CaseWorld, case: Case, *, fine: str, penalty: list[str], on: dt.date) -> Case:
    """Filing, an inspection by two officers, conclusion and the prior notice, each with its legal date."""
    case = services.submit_filing(
        case, actor=cw.user("officer_a"), legal_date=dt.date(2026, 3, 3), handler=cw.officer, co_handler=cw.colleague
    )
    case = services.approve_filing(case, actor=cw.user("leader"), legal_date=dt.date(2026, 3, 4), opinion="同意立案")
    services.record_investigation(
        case,
        actor=cw.user("officer_a"),
        kind=RecordKind.INSPECTION,
        officers=[cw.officer, cw.colleague],
        legal_date=dt.date(2026, 3, 5),
        place="上塘路16号",
        content="现场检查：人行道上摆放货架三组",
    )
    case = services.conclude(
        case,
        actor=cw.user("officer_a"),
        legal_date=dt.date(2026, 3, 9),
        conclusion=Conclusion.PENALTY,
        penalty=penalty,
        fine=Decimal(fine),
        discretion_reason="情节严重",
    )
    if case.needs_legal_review:
        case = services.submit_review(case, actor=cw.user("officer_a"), legal_date=dt.date(2026, 3, 9))
        case = services.review(
            case, actor=cw.user("legal_reviewer"), legal_date=dt.date(2026, 3, 9), passed=True, opinion="同意"
        )
    return services.give_notice(case, actor=cw.user("officer_a"), legal_date=on)


@pytest.fixture
def owned(cw: CaseWorld) -> Case:
    """A case against a shop the business owner runs, noticed with the right to a hearing (a licence
    suspension, APL 63) — on 2026-05-27, so a request today (2026-06-01) is within 5 working days."""
    subject = SubjectFactory(district=cw.world.district, name="知味小吃店")
    SubjectOwner.objects.create(subject=subject, user=cw.user("business_owner"))
    case = lead(cw, party=services.party_of_subject(subject), subject=subject)
    return walk_to_notice(
        cw, case, fine="1000.00", penalty=[PenaltyKind.FINE, PenaltyKind.SUSPENSION], on=dt.date(2026, 5, 27)
    )


@pytest.fixture
def other(cw: CaseWorld) -> Case:
    """Someone else's case (a person's), noticed long ago with a hearing offered (a fine of 5,000 yuan)."""
    return walk_to_notice(
        cw, lead(cw, party=PERSON), fine="5000.00", penalty=[PenaltyKind.FINE], on=dt.date(2026, 3, 10)
    )


def test_a_business_owner_sees_its_own_cases_only(cw: CaseWorld, owned: Case, other: Case, sign_in: Any) -> None:
    client = sign_in(cw.user("business_owner"))
    home = client.get("/").content.decode()
    assert 'href="/my/cases/"' in home and "我的案件" in home
    listing = client.get("/my/cases/").content.decode()
    assert f"party-case-{owned.pk}" in listing and f"party-case-{other.pk}" not in listing
    assert client.get(f"/my/cases/{other.pk}/").status_code == 404
    page = client.get(f"/my/cases/{owned.pk}/").content.decode()
    assert "知味小吃店" in page
    assert 'id="statement"' in page and 'id="hearing"' in page and 'id="consent"' in page


def test_staff_have_no_party_view(cw: CaseWorld, owned: Case, sign_in: Any) -> None:
    assert sign_in(cw.user("officer_a")).get("/my/cases/").status_code == 403


def test_the_party_reads_its_notices_but_not_the_agencys_internal_forms(
    cw: CaseWorld, owned: Case, sign_in: Any
) -> None:
    client = sign_in(cw.user("business_owner"))
    notice = Document.objects.get(owner=f"case:{owned.pk}", kind=DocumentKind.PENALTY_NOTICE)
    pdf = client.get(f"/my/cases/{owned.pk}/documents/{notice.pk}/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    internal = Document.objects.get(owner=f"case:{owned.pk}", kind=DocumentKind.FILING_APPROVAL)
    assert client.get(f"/my/cases/{owned.pk}/documents/{internal.pk}/").status_code == 404
    assert f"/documents/{internal.pk}/" not in client.get(f"/my/cases/{owned.pk}/").content.decode()


def test_zjr_23_the_statement_is_submitted_online_arriving_today_and_shown_escaped(
    cw: CaseWorld, owned: Case, sign_in: Any
) -> None:
    client = sign_in(cw.user("business_owner"))
    response = client.post(f"/my/cases/{owned.pk}/submit/statement/", {"text": f"货架已移走 {HOSTILE}"})
    assert response.status_code == 302
    submission = PartySubmission.objects.get()
    assert (submission.kind, submission.received_on, submission.online, submission.entered_by) == (
        "statement",
        dt.date(2026, 6, 1),
        True,
        cw.user("business_owner"),
    )
    page = client.get(f"/my/cases/{owned.pk}/").content.decode()
    assert "货架已移走" in page and HOSTILE not in page and "&lt;script&gt;" in page


def test_an_empty_statement_is_refused_with_its_code(cw: CaseWorld, owned: Case, sign_in: Any) -> None:
    response = sign_in(cw.user("business_owner")).post(f"/my/cases/{owned.pk}/submit/statement/", {"text": " "})
    assert response.status_code == 422 and "statement_required" in response.content.decode()
    assert PartySubmission.objects.count() == 0


def test_apl_64_a_hearing_requested_in_time_is_taken_and_a_late_one_refused(
    cw: CaseWorld, owned: Case, other: Case, sign_in: Any
) -> None:
    client = sign_in(cw.user("business_owner"))
    assert client.post(f"/my/cases/{owned.pk}/submit/hearing/", {"text": ""}).status_code == 302
    owned.refresh_from_db()
    assert owned.hearing_requested_on == dt.date(2026, 6, 1)
    # The person's case, through its link: the notice of 2026-03-10 is long past its 5 working days.
    token = services.party_link_token(other, actor=cw.user("officer_a"))
    client.logout()
    response = client.post(f"/p/{token}/submit/hearing/", {"text": "申请听证"})
    html = response.content.decode()
    assert response.status_code == 409 and "hearing_request_late" in html and "五个工作日" in html
    other.refresh_from_db()
    assert other.hearing_requested_on is None
    assert PartySubmission.objects.filter(case=other).count() == 0


def test_a_person_submits_through_its_link_as_the_party(cw: CaseWorld, other: Case, client: Any) -> None:
    token = services.party_link_token(other, actor=cw.user("officer_a"))
    page = client.get(f"/p/{token}/")
    assert page.status_code == 200 and "李大伟" in page.content.decode()
    assert client.post(f"/p/{token}/submit/consent/", {"text": "同意"}).status_code == 302
    assert client.post(f"/p/{token}/submit/statement/", {"text": "已改正"}).status_code == 302
    assert list(PartySubmission.objects.filter(case=other).values_list("kind", "online", "entered_by")) == [
        ("e_service_consent", True, None),
        ("statement", True, None),
    ]
    assert other.steps.order_by("-pk").first().actor_label == "当事人李大伟（链接）"  # type: ignore[union-attr]
    assert 'id="consent"' not in client.get(f"/p/{token}/").content.decode()  # consented once


def test_a_wrong_link_is_not_found(cw: CaseWorld, other: Case, client: Any) -> None:
    assert client.get("/p/" + "x" * 43 + "/").status_code == 404
    assert client.post("/p/" + "x" * 43 + "/submit/statement/", {"text": "x"}).status_code == 404
    assert PartySubmission.objects.count() == 0


def test_the_party_is_told_until_when_it_may_answer_and_pay(cw: CaseWorld, sign_in: Any) -> None:
    # 当事人 must know its own periods: the defence period (3 working days from the notice on 3-10 → 3-13) and,
    # after service, the fine and the day it is due (15 days from service on 3-17 → 4-1).
    subject = SubjectFactory(district=cw.world.district, name="知味小吃店")
    SubjectOwner.objects.create(subject=subject, user=cw.user("business_owner"))
    case = lead(cw, party=services.party_of_subject(subject), subject=subject)
    case = walk_to_notice(cw, case, fine="1000.00", penalty=[PenaltyKind.FINE], on=dt.date(2026, 3, 10))
    client = sign_in(cw.user("business_owner"))
    assert "陈述申辩期限至 <b>2026-03-13</b>" in client.get(f"/my/cases/{case.pk}/").content.decode()
    case = services.decide(case, actor=cw.user("leader"), legal_date=dt.date(2026, 3, 16))
    services.serve(case, actor=cw.user("officer_a"), legal_date=dt.date(2026, 3, 17), method=ServiceMethod.DIRECT)
    page = client.get(f"/my/cases/{case.pk}/").content.decode()
    assert "罚款 <b>1000.00</b> 元，请于 <b>2026-04-01</b> 前" in page
