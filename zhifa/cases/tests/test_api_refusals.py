"""/api/v1/cases refuses what the services refuse, with the error's status and code in the API's one shape
``{code, message, details}``, and writes nothing; reads and downloads are scoped like the case pages."""

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from zhifa.cases.models import Case, CaseStatus
from zhifa.cases.tests.conftest import CaseWorld, bearer, filed, lead, noticed
from zhifa.core.models import AuditEntry
from zhifa.documents.models import Document

URL = "/api/v1/cases"


def footprint(case: Case) -> tuple[Any, ...]:
    case.refresh_from_db()
    return (
        case.status,
        case.steps.count(),
        case.deadlines.count(),
        Document.objects.count(),
        AuditEntry.objects.count(),
        case.submissions.count(),
    )


def post(client: Client, case: Case, action: str, **body: Any) -> Any:
    return client.post(f"{URL}/{case.pk}/actions/{action}", body, content_type="application/json")


def refused(response: Any) -> tuple[int, str]:
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    return response.status_code, body["code"]


def test_zjr_30_an_auxiliary_may_not_decide(cw: CaseWorld) -> None:
    case, auxiliary = noticed(cw), bearer(cw.user("auxiliary_a"))
    before = footprint(case)

    response = post(auxiliary, case, "decide", legal_date="2026-03-16")

    assert refused(response) == (403, "auxiliary_cannot_decide")
    assert "第三十条" in response.json()["message"]
    assert footprint(case) == before


def test_apl_44_62_no_decision_before_the_defence_period_ends(cw: CaseWorld) -> None:
    # Notice received on 10 March (Tuesday): 3 working days of defence run to Friday 13 March.
    case, leader = noticed(cw), bearer(cw.user("leader"))
    before = footprint(case)

    response = post(leader, case, "decide", legal_date="2026-03-13")

    assert refused(response) == (409, "defence_period_running")
    assert response.json()["details"] == {"last_day": "2026-03-13"}
    assert footprint(case) == before


def test_apl_42_filing_needs_two_distinct_officers(cw: CaseWorld) -> None:
    case, officer = lead(cw), bearer(cw.user("officer_a"))
    before = footprint(case)
    body = {"legal_date": "2026-03-03", "handler_id": cw.officer.pk, "co_handler_id": cw.officer.pk}

    response = post(officer, case, "submit_filing", **body)

    assert refused(response) == (422, "two_officers_required")
    assert footprint(case) == before


@pytest.mark.parametrize(
    ("legal_date", "code"),
    [("2026-06-02", "legal_date_in_future"), ("2026-03-01", "legal_date_before_previous_step")],
)
def test_a_step_is_never_dated_in_the_future_nor_before_the_step_it_follows(
    cw: CaseWorld, legal_date: str, code: str
) -> None:
    case, officer = filed(cw), bearer(cw.user("officer_a"))  # approved on 4 March; today is 1 June
    before = footprint(case)
    body = {
        "legal_date": legal_date,
        "kind": "inspection",
        "officer_ids": [cw.officer.pk, cw.colleague.pk],
        "place": "上塘路16号",
        "content": "现场检查",
    }

    response = post(officer, case, "record_investigation", **body)

    assert refused(response) == (422, code)
    assert footprint(case) == before


def test_a_step_the_workflow_does_not_allow_now_is_a_conflict(cw: CaseWorld) -> None:
    case, officer = lead(cw), bearer(cw.user("officer_a"))
    before = footprint(case)

    response = post(officer, case, "give_notice", legal_date="2026-03-03")

    assert refused(response) == (409, "invalid_transition")
    assert response.json()["details"]["allowed"] == ["submit_filing", "not_file", "decide_on_spot"]
    assert footprint(case) == before


def test_apl_67_no_officer_records_a_payment_there_is_no_route_for_it(cw: CaseWorld) -> None:
    case, leader = lead(cw), bearer(cw.user("leader"))
    before = footprint(case)
    body = {"legal_date": "2026-03-03", "amount": "1000.00", "reference": "CASH-1"}

    response = post(leader, case, "record_payment", **body)

    assert refused(response) == (404, "api_path_unknown")
    assert footprint(case) == before


def test_a_case_of_another_street_is_not_found_to_read_to_act_on_or_to_download(cw: CaseWorld) -> None:
    case = filed(cw)  # street A: its filing approval form is one of its documents
    document = Document.objects.filter(owner=f"case:{case.pk}").first()
    assert document is not None
    other = bearer(cw.user("officer_b"))
    before = footprint(case)

    responses = [
        other.get(f"{URL}/{case.pk}"),
        other.get(f"{URL}/{case.pk}/documents/{document.pk}/pdf"),
        post(other, case, "withdraw", legal_date="2026-03-05", reason="无"),
    ]

    assert [refused(r) for r in responses] == [(404, "case_not_found")] * 3
    assert other.get(URL).json() == {"items": [], "count": 0}
    assert footprint(case) == before


def test_a_document_is_downloaded_only_under_its_own_case_and_only_with_its_issued_bytes(
    cw: CaseWorld, settings: Any
) -> None:
    first, second = filed(cw), filed(cw, discovered_on=dt.date(2026, 3, 3))
    theirs = Document.objects.filter(owner=f"case:{second.pk}").first()
    mine = Document.objects.filter(owner=f"case:{first.pk}").first()
    assert theirs is not None and mine is not None
    leader = bearer(cw.user("leader"))

    assert refused(leader.get(f"{URL}/{first.pk}/documents/{theirs.pk}/pdf")) == (404, "document_not_found")
    Path(mine.pdf.path).write_bytes(b"%PDF-1.7 altered")
    assert refused(leader.get(f"{URL}/{first.pk}/documents/{mine.pk}/pdf")) == (409, "document_hash_mismatch")


def test_the_list_is_scoped_filtered_and_paged(cw: CaseWorld) -> None:
    investigating, waiting = filed(cw), lead(cw, discovered_on=dt.date(2026, 3, 3))
    leader = bearer(cw.user("leader"))

    everything = leader.get(URL).json()
    only_leads = leader.get(URL, {"status": CaseStatus.LEAD}).json()
    page = leader.get(URL, {"limit": 1, "offset": 1}).json()

    assert [c["id"] for c in everything["items"]] == [waiting.pk, investigating.pk]
    assert [c["id"] for c in only_leads["items"]] == [waiting.pk]
    assert (page["count"], [c["id"] for c in page["items"]]) == (2, [investigating.pk])
    assert "party_id_number" not in everything["items"][0]


def test_a_lead_refused_by_its_service_writes_nothing(cw: CaseWorld) -> None:
    officer = bearer(cw.user("officer_a"))
    cases, audit = Case.objects.count(), AuditEntry.objects.count()
    body = {
        "street_id": cw.world.street_b.pk,  # officer_a works in street A
        "source": "manual",
        "facts": "占道经营",
        "discovered_on": "2026-03-02",
        "violation_ended_on": "2026-03-02",
        "party": {"kind": "person", "name": "李大伟"},
    }

    response = officer.post(URL, body, content_type="application/json")

    assert refused(response) == (403, "permission_denied")
    assert (Case.objects.count(), AuditEntry.objects.count()) == (cases, audit)
