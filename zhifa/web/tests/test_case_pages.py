"""The staff's case pages (issue 11 parts 3, 6, 7, 14): scoped like the selectors (another street's officer gets
404, a business owner or a liaison no case page at all), every step form calls its service and shows the
service's refusal in Chinese with its code, the typed input kept and nothing written; names are escaped; the
case page stays a fixed number of queries however long its timeline."""

import datetime as dt
import hashlib
import io
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from pypdf import PdfReader

from zhifa.cases import services
from zhifa.cases.models import Case, CaseStatus, CaseStep, PartyKind
from zhifa.cases.papers import documents_of
from zhifa.cases.states import CaseAction as A
from zhifa.cases.tests import conftest as case_world
from zhifa.cases.tests.conftest import CaseWorld, concluded, filed, lead, noticed
from zhifa.documents.models import Document
from zhifa.events.tests.factories import HandledEventFactory
from zhifa.org.tests.factories import OfficerFactory

# The case world of the case services' tests (officers, a matter with tiers, the clock frozen at 1 June 2026).
cw = case_world.cw
frozen = case_world.frozen

HOSTILE = "<script>alert(1)</script>"


def footprint(case: Case) -> tuple[Any, ...]:
    """What a refused step must leave as it was: the case row, its steps, deadlines and documents."""
    case.refresh_from_db()
    return (
        case.status,
        case.updated_at,
        CaseStep.objects.filter(case=case).count(),
        case.deadlines.count(),
        case.deadlines.filter(met_on__isnull=False).count(),
        Document.objects.count(),
        case.reviews.count(),
        case.records.count(),
        case.submissions.count(),
        case.services.count(),
        case.recusals.count(),
        list(case.deadlines.values_list("code", "due_on", "extended_days", "suspended_since", "suspended_days")),
    )


# --- scope -------------------------------------------------------------------------------------------------


def test_case_pages_are_scoped_to_the_street(cw: CaseWorld, client_as: Any) -> None:
    case = lead(cw)
    client = client_as("officer_a")
    assert case.number in client.get("/cases/").content.decode()
    assert client.get(f"/cases/{case.pk}/").status_code == 200

    client = client_as("officer_b")
    assert case.number not in client.get("/cases/").content.decode()
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert client.post(f"/cases/{case.pk}/do/submit_filing/", {"legal_date": "2026-05-01"}).status_code == 404
    assert client.get(f"/cases/{case.pk}/bundle.pdf").status_code == 404
    assert CaseStep.objects.filter(case=case).count() == 1


@pytest.mark.parametrize("persona", ["business_owner", "liaison"])
@pytest.mark.parametrize(
    "url", ["/cases/", "/cases/review/", "/cases/approvals/", "/cases/deadlines/", "/cases/new/", "/cases/{pk}/"]
)
def test_business_owner_and_liaison_have_no_case_pages(cw: CaseWorld, client_as: Any, persona: str, url: str) -> None:
    case = lead(cw)
    response = client_as(persona).get(url.format(pk=case.pk))
    assert response.status_code == 403
    assert case.party_name not in response.content.decode()


def test_nav_offers_cases_to_staff_and_review_queue_to_the_legal_reviewer(cw: CaseWorld, client_as: Any) -> None:
    page = client_as("legal_reviewer").get("/").content.decode()
    assert 'href="/cases/"' in page and 'href="/cases/review/"' in page
    page = client_as("officer_a").get("/events/").content.decode()
    assert 'href="/cases/"' in page and 'href="/cases/review/"' not in page


def test_hostile_party_name_is_shown_escaped(cw: CaseWorld, client_as: Any) -> None:
    case = lead(cw, party=services.Party(kind=PartyKind.PERSON, name=HOSTILE))
    client = client_as("officer_a")
    for url in ("/cases/", f"/cases/{case.pk}/"):
        page = client.get(url).content.decode()
        assert HOSTILE not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- list --------------------------------------------------------------------------------------------------


def test_case_list_filters_by_status_and_search_and_shows_the_next_deadline(cw: CaseWorld, client_as: Any) -> None:
    first = lead(cw, discovered_on=dt.date(2026, 3, 2))
    second = filed(cw, party=services.Party(kind=PartyKind.PERSON, name="王小二"))
    client = client_as("officer_a")

    page = client.get("/cases/", {"status": CaseStatus.INVESTIGATING}).content.decode()
    assert second.number in page and first.number not in page
    page = client.get("/cases/", {"q": "王小二"}).content.decode()
    assert second.number in page and first.number not in page
    # The lead's check (lead_check) counted from 2 March is long overdue on 1 June: shown red.
    page = client.get("/cases/", {"q": first.number}).content.decode()
    [deadline] = first.deadlines.all()
    assert f'<span class="overdue">{deadline.label} {deadline.due_on:%Y-%m-%d}（已逾期）</span>' in page


# --- a lead by hand ----------------------------------------------------------------------------------------


def _lead_post(**overrides: str) -> dict[str, str]:
    return {
        "source": "manual",
        "source_note": "",
        "street_id": "",
        "matter_id": "",
        "party_kind": "organisation",
        "party_name": "杭州某某餐饮有限公司",
        "party_id_number": "",
        "facts": "未经许可在人行道上设置广告牌",
        "discovered_on": "2026-05-20",
        "violation_ended_on": "2026-05-20",
        "address": "上塘路1号",
        **overrides,
    }


def test_new_lead_is_registered(cw: CaseWorld, client_as: Any) -> None:
    response = client_as("officer_a").post("/cases/new/", _lead_post(street_id=str(cw.world.street_a.pk)))
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert (case.status, case.source, case.party_name, case.street_id, case.discovered_on) == (
        CaseStatus.LEAD,
        "manual",
        "杭州某某餐饮有限公司",
        cw.world.street_a.pk,
        dt.date(2026, 5, 20),
    )


@pytest.mark.parametrize(
    ("overrides", "code", "message"),
    [
        ({"party_id_number": "91330100MA2ABCDE1X"}, "uscc_", "统一社会信用代码"),
        ({"source": "transfer"}, "transfer_source_required", "外单位移送的线索须注明移送机关及文号"),
        ({"party_name": ""}, "party_name_required", "请填写当事人"),
        ({"violation_ended_on": "2026-05-21"}, "violation_after_discovery", "违法行为终了日期不能晚于发现日期"),
        ({"discovered_on": "2026-06-02", "violation_ended_on": "2026-06-02"}, "legal_date_in_future", "不能晚于今天"),
    ],
)
def test_new_lead_refused_keeps_the_input_and_writes_nothing(
    cw: CaseWorld, client_as: Any, overrides: dict[str, str], code: str, message: str
) -> None:
    post = _lead_post(street_id=str(cw.world.street_a.pk), **overrides)
    response = client_as("officer_a").post("/cases/new/", post)
    page = response.content.decode()
    assert response.status_code == 422
    assert message in page and f"（{code}" in page
    assert 'value="上塘路1号"' in page and "未经许可在人行道上设置广告牌" in page
    assert Case.objects.count() == 0


# --- steps -------------------------------------------------------------------------------------------------


def _stage(cw: CaseWorld, stage: str) -> Case:
    if stage == "lead":
        return lead(cw)
    if stage == "filing":
        return services.submit_filing(
            lead(cw),
            actor=cw.user("officer_a"),
            legal_date=dt.date(2026, 3, 3),
            handler=cw.officer,
            co_handler=cw.colleague,
        )
    if stage == "investigating":
        return filed(cw)
    if stage == "concluded":
        return concluded(cw)
    if stage == "legal_review":
        return services.submit_review(
            concluded(cw, fine="1000.00", needs_legal_review=True),
            actor=cw.user("officer_a"),
            legal_date=dt.date(2026, 3, 9),
        )
    if stage == "noticed":
        return noticed(cw)
    if stage == "decided":
        case = noticed(cw)
        services.party_submission(
            case, actor=cw.user("officer_a"), kind="waiver", text="放弃", received_on=dt.date(2026, 3, 11)
        )
        return services.decide(case, actor=cw.user("leader"), legal_date=dt.date(2026, 3, 12))
    if stage == "served":
        case = _stage(cw, "decided")
        services.serve(case, actor=cw.user("officer_a"), legal_date=dt.date(2026, 3, 13), method="direct")
        case.refresh_from_db()
        return case
    raise AssertionError(stage)


# (stage, persona, action, post, code): each step's form refused by its service, with its code and article.
REFUSALS = [
    ("lead", "officer_a", A.SUBMIT_FILING, {"legal_date": "2026-03-03"}, "two_officers_required"),
    ("filing", "leader", A.APPROVE_FILING, {"legal_date": "2026-06-02"}, "legal_date_in_future"),
    (
        "filing",
        "leader",
        A.RETURN_FILING,
        {"legal_date": "2026-03-01", "reason": "补充"},
        "legal_date_before_previous_step",
    ),
    ("filing", "leader", A.NOT_FILE, {"legal_date": "2026-06-02", "reason": "不构成违法"}, "legal_date_in_future"),
    (
        "investigating",
        "officer_a",
        A.RECORD_INVESTIGATION,
        {"legal_date": "2026-03-05", "kind": "inspection", "content": "检查"},
        "two_officers_required",
    ),
    (
        "investigating",
        "officer_a",
        A.CONCLUDE,
        {"legal_date": "2026-03-09", "conclusion": "penalty"},
        "penalty_required",
    ),
    (
        "investigating",
        "leader",
        A.TRANSFER,
        {"legal_date": "2026-03-01", "reason": "移送公安"},
        "legal_date_before_previous_step",
    ),
    ("investigating", "leader", A.WITHDRAW, {"legal_date": "2026-06-02", "reason": "撤案"}, "legal_date_in_future"),
    ("concluded", "officer_a", A.SUBMIT_REVIEW, {"legal_date": "2026-03-01"}, "legal_date_before_previous_step"),
    ("concluded", "officer_a", A.GIVE_NOTICE, {"legal_date": "2026-06-02"}, "legal_date_in_future"),
    ("concluded", "leader", A.DISCUSS, {"legal_date": "2026-03-10", "minutes": ""}, "minutes_required"),
    ("legal_review", "legal_reviewer", A.PASS_REVIEW, {"legal_date": "2026-03-10", "opinion": ""}, "opinion_required"),
    (
        "legal_review",
        "legal_reviewer",
        A.RETURN_REVIEW,
        {"legal_date": "2026-03-10", "opinion": ""},
        "opinion_required",
    ),
    ("noticed", "officer_a", A.PARTY_STATEMENT, {"legal_date": "2026-03-11", "text": ""}, "statement_required"),
    (
        "noticed",
        "officer_a",
        A.WAIVE_DEFENCE,
        {"legal_date": "2026-03-09", "text": "放弃"},
        "legal_date_before_previous_step",
    ),
    (
        "noticed",
        "officer_a",
        A.REQUEST_HEARING,
        {"legal_date": "2026-03-11", "text": "申请听证"},
        "hearing_not_applicable",
    ),
    ("noticed", "leader", A.DECIDE, {"legal_date": "2026-03-12"}, "defence_period_running"),
    ("decided", "officer_a", A.SERVE, {"legal_date": "2026-03-13", "method": "left"}, "witness_required"),
    ("served", "officer_a", A.REMIND, {"legal_date": "2026-03-20"}, "payment_not_overdue"),
    ("served", "leader", A.APPLY_ENFORCEMENT, {"legal_date": "2026-05-01"}, "reminder_required"),
    ("served", "leader", A.CLOSE, {"legal_date": "2026-05-01"}, "fine_unpaid"),
    # Steps outside the transition table: a deadline's extension (APL 60) and suspension, a recusal (APL 43), the
    # party's consent to electronic service entered from paper (APL 61).
    (
        "investigating",
        "leader",
        "extend_deadline",
        {"legal_date": "2026-03-10", "days": "31", "reason": "案情复杂"},
        "extension_too_long",
    ),
    (
        "investigating",
        "leader",
        "extend_deadline",
        {"legal_date": "2026-03-10", "days": "30", "reason": ""},
        "reason_required",
    ),
    (
        "investigating",
        "leader",
        "suspend_deadline",
        {"legal_date": "2026-03-10", "code": "decision", "reason": ""},
        "reason_required",
    ),
    ("investigating", "leader", "recuse", {"officer_id": "{colleague}", "reason": ""}, "reason_required"),
    (
        "decided",
        "officer_a",
        "e_service_consent",
        {"legal_date": "2026-03-01", "text": ""},
        "legal_date_before_previous_step",
    ),
    # The form's own check: a step without its legal date is not sent to the service.
    ("noticed", "officer_a", A.PARTY_STATEMENT, {"legal_date": "", "text": "我有异议"}, "form_invalid"),
]


@pytest.mark.parametrize(("stage", "persona", "action", "post", "code"), REFUSALS)
def test_step_refused_shows_the_code_keeps_the_input_and_writes_nothing(
    cw: CaseWorld, client_as: Any, stage: str, persona: str, action: str, post: dict[str, str], code: str
) -> None:
    case = _stage(cw, stage)
    post = {name: value.replace("{colleague}", str(cw.colleague.pk)) for name, value in post.items()}
    client = client_as(persona)
    # The step is offered to this post in this state.
    assert f'action="/cases/{case.pk}/do/{action}/"' in client.get(f"/cases/{case.pk}/").content.decode()
    before = footprint(case)

    response = client.post(f"/cases/{case.pk}/do/{action}/", post)

    page = response.content.decode()
    assert response.status_code in (409, 422)
    assert f'<span class="error-code">（{code}）</span>' in page
    assert f'<details class="action action-{action}" open>' in page
    for name, value in post.items():
        if value and name in ("reason", "text", "content", "opinion", "minutes"):
            assert f"{value}</textarea>" in page
        elif value and name == "legal_date":
            assert f'name="legal_date" value="{value}"' in page
    assert footprint(case) == before


def test_a_step_outside_the_users_post_is_neither_offered_nor_done(cw: CaseWorld, client_as: Any) -> None:
    """ZJR 30: the auxiliary serves and collects, never decides; the handler does not approve its own filing."""
    case = _stage(cw, "filing")
    for persona in ("officer_a", "auxiliary_a"):
        client = client_as(persona)
        assert "/do/approve_filing/" not in client.get(f"/cases/{case.pk}/").content.decode()
        before = footprint(case)
        response = client.post(f"/cases/{case.pk}/do/approve_filing/", {"legal_date": "2026-03-04"})
        assert response.status_code == 403
        assert "（auxiliary_cannot_decide）" in response.content.decode() if persona == "auxiliary_a" else True
        assert footprint(case) == before


def test_offered_steps_follow_the_state_and_the_post(cw: CaseWorld, client_as: Any) -> None:
    case = _stage(cw, "legal_review")
    page = client_as("legal_reviewer").get(f"/cases/{case.pk}/").content.decode()
    assert "/do/pass_review/" in page and "/do/return_review/" in page and "/do/decide/" not in page
    page = client_as("officer_a").get(f"/cases/{case.pk}/").content.decode()
    assert "/do/pass_review/" not in page
    # 事先告知 waits for the review (APL 58): not offered while it has not passed.
    assert "/do/give_notice/" not in page


def test_steps_through_the_page_walk_a_case_to_its_decision(cw: CaseWorld, client_as: Any) -> None:
    case = lead(cw)
    officer = client_as("officer_a")
    ids = {"handler_id": cw.officer.pk, "co_handler_id": cw.colleague.pk}
    assert officer.post(f"/cases/{case.pk}/do/submit_filing/", {"legal_date": "2026-03-03", **ids}).status_code == 302
    leader = client_as("leader")
    assert (
        leader.post(
            f"/cases/{case.pk}/do/approve_filing/", {"legal_date": "2026-03-04", "opinion": "同意立案"}
        ).status_code
        == 302
    )
    officer = client_as("officer_a")
    record = {
        "legal_date": "2026-03-05",
        "kind": "inspection",
        "officer_ids": [cw.officer.pk, cw.colleague.pk],
        "place": "上塘路16号",
        "content": "现场检查",
    }
    assert officer.post(f"/cases/{case.pk}/do/record_investigation/", record).status_code == 302
    conclude = {"legal_date": "2026-03-09", "conclusion": "penalty", "penalty": ["fine"], "fine": "800"}
    assert officer.post(f"/cases/{case.pk}/do/conclude/", conclude).status_code == 302
    assert officer.post(f"/cases/{case.pk}/do/give_notice/", {"legal_date": "2026-03-10"}).status_code == 302
    waiver = {"legal_date": "2026-03-11", "text": "书面放弃陈述申辩"}
    assert officer.post(f"/cases/{case.pk}/do/waive_defence/", waiver).status_code == 302
    leader = client_as("leader")
    assert leader.post(f"/cases/{case.pk}/do/decide/", {"legal_date": "2026-03-12"}).status_code == 302

    case.refresh_from_db()
    assert (case.status, case.decided_fine, case.decided_on) == (
        CaseStatus.DECIDED,
        Decimal("800.00"),
        dt.date(2026, 3, 12),
    )
    page = leader.get(f"/cases/{case.pk}/").content.decode()
    assert case.decision_number in page
    assert [s.action for s in case.steps.all()] == [
        "register",
        A.SUBMIT_FILING,
        A.APPROVE_FILING,
        A.RECORD_INVESTIGATION,
        A.CONCLUDE,
        A.GIVE_NOTICE,
        A.WAIVE_DEFENCE,
        A.DECIDE,
    ]


def test_legal_reviewer_passes_the_review_with_an_opinion(cw: CaseWorld, client_as: Any) -> None:
    case = _stage(cw, "legal_review")
    client = client_as("legal_reviewer")
    assert case.number in client.get("/cases/review/").content.decode()

    response = client.post(
        f"/cases/{case.pk}/do/pass_review/", {"legal_date": "2026-03-10", "opinion": "事实清楚，证据确凿"}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.REVIEWED
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert '<td class="reason">事实清楚，证据确凿</td>' in page
    assert case.number not in client.get("/cases/review/").content.decode()


# --- queues ------------------------------------------------------------------------------------------------


def test_queues_list_what_waits_and_deadlines_what_is_due(cw: CaseWorld, client_as: Any) -> None:
    waiting = _stage(cw, "filing")
    other = lead(cw)
    page = client_as("leader").get("/cases/approvals/").content.decode()
    assert f'href="/cases/{waiting.pk}/"' in page and f'href="/cases/{other.pk}/"' not in page
    # The lead's check period (lead_check) from 2 March is overdue on 1 June: listed, red.
    page = client_as("officer_a").get("/cases/deadlines/").content.decode()
    assert f'href="/cases/{other.pk}/"' in page and '<span class="tag danger">已逾期</span>' in page
    assert f'href="/cases/{other.pk}/"' not in client_as("officer_b").get("/cases/deadlines/").content.decode()


# --- documents and the bundle -----------------------------------------------------------------------------


def test_a_document_is_served_through_the_scoped_view_with_its_hash(cw: CaseWorld, client_as: Any) -> None:
    case = noticed(cw)
    notice = documents_of(case)[0]
    response = client_as("officer_a").get(f"/cases/{case.pk}/documents/{notice.pk}.pdf")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert hashlib.sha256(body).hexdigest() == notice.sha256
    page = client_as("officer_a").get(f"/cases/{case.pk}/").content.decode()
    assert notice.sha256 in page and f"/cases/{case.pk}/documents/{notice.pk}.pdf" in page
    assert client_as("officer_b").get(f"/cases/{case.pk}/documents/{notice.pk}.pdf").status_code == 404
    other = lead(cw)
    # A document of another case, under this case's address: not found.
    assert client_as("officer_a").get(f"/cases/{other.pk}/documents/{notice.pk}.pdf").status_code == 404


def test_bundle_is_the_cover_then_every_document(cw: CaseWorld, client_as: Any) -> None:
    case = _stage(cw, "decided")
    docs = documents_of(case)
    response = client_as("officer_a").get(f"/cases/{case.pk}/bundle.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    bundle = PdfReader(io.BytesIO(response.content))
    doc_pages = [len(PdfReader(d.pdf.path).pages) for d in docs]
    cover_pages = len(bundle.pages) - sum(doc_pages)
    assert cover_pages >= 1
    cover = "".join(bundle.pages[i].extract_text() for i in range(cover_pages)).replace(" ", "")
    assert "案卷目录" in cover and case.number in cover and case.decision_number in cover
    first_doc_text = bundle.pages[cover_pages].extract_text().replace(" ", "")
    assert docs[0].title in first_doc_text


# --- the case page's cost ----------------------------------------------------------------------------------


def test_case_page_queries_do_not_grow_with_200_timeline_entries(
    cw: CaseWorld, client_as: Any, django_assert_max_num_queries: Any
) -> None:
    case = noticed(cw)
    client = client_as("officer_a")
    now = timezone.now()
    CaseStep.objects.bulk_create(
        CaseStep(
            case=case,
            action=A.PARTY_STATEMENT,
            from_status=CaseStatus.NOTICED,
            to_status=CaseStatus.NOTICED,
            legal_date=dt.date(2026, 3, 11),
            actor=cw.user("officer_a"),
            actor_label="甲队员",
            reason=f"陈述申辩{n}",
            created_at=now,
        )
        for n in range(200)
    )
    # 22 before the approval ladder; +2 for its rungs and the case's sign-offs (constant, whatever the timeline).
    with django_assert_max_num_queries(24):
        response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    assert response.content.decode().count('<tr class="step step-party_statement">') == 200


# --- from an event -----------------------------------------------------------------------------------------


def test_a_handled_event_becomes_a_case_lead_from_its_page(cw: CaseWorld, client_as: Any) -> None:
    event = HandledEventFactory(grid=cw.world.grid_a)
    client = client_as("officer_a")
    assert f'action="/cases/from-event/{event.pk}/"' in client.get(f"/events/{event.pk}/").content.decode()

    response = client.post(f"/cases/from-event/{event.pk}/", {"party_kind": "person", "party_name": "摊主王某"})

    case = Case.objects.get(event=event)
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert (case.party_name, case.street_id, case.source) == ("摊主王某", cw.world.street_a.pk, "event")
    # Again: refused with its code on the event page, nothing written.
    response = client.post(
        f"/cases/from-event/{event.pk}/", {"party_kind": "person", "party_name": "摊主王某"}, follow=True
    )
    assert "（event_already_has_case）" in response.content.decode()
    assert Case.objects.count() == 1


def test_the_head_extends_suspends_and_resumes_the_decision_period(cw: CaseWorld, client_as: Any) -> None:
    """APL 60: 90 days from filing (4 March → 2 June), extended with a reason; a suspension stops the clock and
    shows why, its days added when it resumes."""
    case = filed(cw)
    client = client_as("leader")
    decision = case.deadlines.get(code="decision")
    assert decision.due_on == dt.date(2026, 6, 2)

    post = {"legal_date": "2026-05-20", "days": "30", "reason": "需专家论证"}
    assert client.post(f"/cases/{case.pk}/do/extend_deadline/", post).status_code == 302
    decision.refresh_from_db()
    assert (decision.extended_days, decision.due_on) == (30, dt.date(2026, 7, 2))
    assert "延长30日：2026-05-20 延长30日：需专家论证" in client.get(f"/cases/{case.pk}/").content.decode()

    post = {"legal_date": "2026-05-21", "code": "decision", "reason": "委托检测"}
    assert client.post(f"/cases/{case.pk}/do/suspend_deadline/", post).status_code == 302
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert '<span class="tag muted suspended">中止中</span><div class="muted">自2026-05-21：委托检测</div>' in page
    assert "/do/resume_deadline/" in page

    post = {"legal_date": "2026-05-31", "code": "decision"}
    assert client.post(f"/cases/{case.pk}/do/resume_deadline/", post).status_code == 302
    decision.refresh_from_db()
    # 2 July + 10 days is Sunday 12 July: a period ending on a rest day ends on the next working day.
    assert (decision.suspended_days, decision.suspended_since, decision.due_on) == (10, None, dt.date(2026, 7, 13))


def test_the_head_decides_a_recusal_and_the_officer_is_named(cw: CaseWorld, client_as: Any) -> None:
    case = filed(cw)
    client = client_as("leader")
    post = {"officer_id": str(cw.colleague.pk), "reason": "与当事人系近亲属"}
    assert client.post(f"/cases/{case.pk}/do/recuse/", post).status_code == 302
    case.refresh_from_db()
    assert (case.co_handler_id, list(case.recusals.values_list("officer_id", flat=True))) == (None, [cw.colleague.pk])
    assert "甲二队员：与当事人系近亲属" in client.get(f"/cases/{case.pk}/").content.decode()


def test_deadlines_page_lists_the_handlers_own_cases_on_request(cw: CaseWorld, client_as: Any) -> None:
    mine = _stage(cw, "filing")  # handled by officer_a (甲队员) with 甲二队员
    other = lead(cw)  # no handler yet
    page = client_as("officer_a").get("/cases/deadlines/", {"mine": "1"}).content.decode()
    assert f'href="/cases/{mine.pk}/"' in page and f'href="/cases/{other.pk}/"' not in page


def test_hearing_through_the_page_puts_the_heard_case_in_the_review_queue(cw: CaseWorld, client_as: Any) -> None:
    """APL 63–65: a person facing a 5,000 yuan fine requests a hearing in time; it is notified 7 days ahead with a
    chair who did not investigate, and held; the review after the hearing (APL 58 (3)) is then in the queue."""
    case = noticed(cw, fine="5000.00")
    chair = OfficerFactory(
        district=cw.world.district,
        name="听证主持人",
        home_department=cw.world.enforcement_dept,
        street=cw.world.street_a,
    )
    officer = client_as("officer_a")
    post = {"legal_date": "2026-03-11", "text": "申请听证"}
    assert officer.post(f"/cases/{case.pk}/do/request_hearing/", post).status_code == 302
    post = {"legal_date": "2026-03-12", "chair_id": str(chair.pk), "hearing_on": "2026-03-19"}
    assert officer.post(f"/cases/{case.pk}/do/notify_hearing/", post).status_code == 302
    post = {"legal_date": "2026-03-19", "record": "当事人到场陈述，承认事实"}
    assert officer.post(f"/cases/{case.pk}/do/hold_hearing/", post).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.needs_legal_review) == (CaseStatus.HEARD, True)

    reviewer = client_as("legal_reviewer")
    assert f'href="/cases/{case.pk}/"' in reviewer.get("/cases/review/").content.decode()
    post = {"legal_date": "2026-03-20", "opinion": "听证程序合法，同意"}
    assert reviewer.post(f"/cases/{case.pk}/do/pass_review/", post).status_code == 302
    assert f'href="/cases/{case.pk}/"' not in reviewer.get("/cases/review/").content.decode()


def test_hearing_chair_who_investigated_is_refused_on_the_page(cw: CaseWorld, client_as: Any) -> None:
    case = noticed(cw, fine="5000.00")
    officer = client_as("officer_a")
    officer.post(f"/cases/{case.pk}/do/request_hearing/", {"legal_date": "2026-03-11", "text": "申请听证"})
    before = footprint(case)
    post = {"legal_date": "2026-03-12", "chair_id": str(cw.colleague.pk), "hearing_on": "2026-03-19"}
    response = officer.post(f"/cases/{case.pk}/do/notify_hearing/", post)
    assert response.status_code == 422
    assert "（hearing_chair_investigated）" in response.content.decode()
    assert footprint(case) == before


@pytest.mark.parametrize(
    ("facts", "shown"),
    [
        ({}, '<b class="tier">情节较重</b>：罚款 2000.00–5000.00 元'),
        ({"corrected_promptly": "1"}, '<b class="tier">情节轻微</b>：罚款 500.00–2000.00 元'),
        ({"repeated": "1"}, '<b class="tier">情节严重</b>：罚款 5000.00–20000.00 元'),
        ({"harm_minor": "1", "corrected_promptly": "1"}, '<b class="tier">不予处罚</b></p>'),
    ],
)
def test_discretion_recommendation_follows_the_facts_ticked(
    cw: CaseWorld, client_as: Any, facts: dict[str, str], shown: str
) -> None:
    """APL 32–34 against the matter's tiers (minor 500–2000, serious 2000–5000, severe 5000–20000)."""
    case = lead(cw)
    page = client_as("officer_a").get(f"/cases/{case.pk}/", facts).content.decode()
    assert shown in page


def test_case_list_filter_answers_htmx_with_the_results_only(cw: CaseWorld, client_as: Any) -> None:
    case = lead(cw)
    response = client_as("officer_a").get("/cases/", {"q": case.number}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert case.number in page and "<html" not in page and 'class="data cases"' in page
