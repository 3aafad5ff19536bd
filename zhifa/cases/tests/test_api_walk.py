"""A case from lead to closing through the API only, each step by the persona the law gives it: officer_a
handles, the leader approves and decides, the legal reviewer reviews, the bank's signed callback pays (APL 67).
docs/cases.md walks the same requests in the same order."""

import hashlib
import hmac
import json
import time
from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from zhifa.cases.models import CaseStatus
from zhifa.cases.tests.conftest import CaseWorld, bearer

URL = "/api/v1/cases"
PAYMENTS_URL = "/api/v1/integrations/payments"
BANK_SECRET = "bank-secret-0123456789abcdef0123456789"


@pytest.fixture
def bank(cw: CaseWorld) -> Any:
    # The channel as an administrator registers it in the admin (zhifa.integrations.payments, an edge app the
    # cases' code and tests do not import: it is reached by its label).
    channel = apps.get_model("payments", "PaymentChannelAccount")
    return channel.objects.create(
        district=cw.world.district, code="ICBC-GS", kind="bank", name="工商银行拱墅支行（代收）", secret=BANK_SECRET
    )


def bank_notice(body: dict[str, Any]) -> Any:
    """What the bank sends: the documented recipe, hex(HMAC-SHA256(secret, f"{timestamp}." + body))."""
    raw = json.dumps(body, ensure_ascii=False).encode()
    timestamp = str(int(time.time()))
    signature = hmac.new(BANK_SECRET.encode(), timestamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
    headers = {"X-Channel-Id": "ICBC-GS", "X-Timestamp": timestamp, "X-Signature": signature}
    return Client().post(PAYMENTS_URL, data=raw, content_type="application/json", headers=headers)


def act(client: Client, case_id: int, action: str, **body: Any) -> dict[str, Any]:
    response = client.post(f"{URL}/{case_id}/actions/{action}", body, content_type="application/json")
    assert response.status_code == 200, response.json()
    data: dict[str, Any] = response.json()
    return data


def test_a_case_walks_from_lead_to_closing_through_the_api_only(cw: CaseWorld, bank: Any) -> None:
    officer, leader, reviewer = (bearer(cw.user(p)) for p in ("officer_a", "leader", "legal_reviewer"))

    # 1. officer_a registers the lead found on patrol on 2 March.
    response = officer.post(
        URL,
        {
            "street_id": cw.world.street_a.pk,
            "source": "patrol",
            "facts": "在上塘路16号门前人行道摆摊设点，占用人行道约十平方米",
            "discovered_on": "2026-03-02",
            "violation_ended_on": "2026-03-02",
            "party": {"kind": "person", "name": "李大伟", "id_number": "330105199001011233", "address": "上塘路16号"},
            "matter_id": cw.matter.pk,
            "address": "上塘路16号",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    case = response.json()
    case_id = case["id"]
    assert (case["status"], case["actions"]) == (CaseStatus.LEAD, ["submit_filing", "not_file", "decide_on_spot"])

    # 2–3. officer_a asks to file with two certified officers; the leader approves (APL 55, 60).
    body = {"legal_date": "2026-03-03", "handler_id": cw.officer.pk, "co_handler_id": cw.colleague.pk}
    assert act(officer, case_id, "submit_filing", **body)["status"] == CaseStatus.FILING_APPROVAL
    case = act(leader, case_id, "approve_filing", legal_date="2026-03-04", opinion="同意立案")
    assert (case["status"], case["filed_on"]) == (CaseStatus.INVESTIGATING, "2026-03-04")

    # 4–5. the inspection record by both officers; the investigation concluded, legal review asked for.
    act(
        officer,
        case_id,
        "record_investigation",
        legal_date="2026-03-05",
        kind="inspection",
        officer_ids=[cw.officer.pk, cw.colleague.pk],
        place="上塘路16号",
        content="现场检查：人行道上摆放货架三组",
    )
    case = act(
        officer,
        case_id,
        "conclude",
        legal_date="2026-03-09",
        conclusion="penalty",
        penalty=["fine"],
        fine="1000.00",
        needs_legal_review=True,
    )
    assert (case["status"], case["intended_fine"], case["needs_legal_review"]) == (
        CaseStatus.CONCLUDED,
        "1000.00",
        True,
    )

    # 6–7. submitted to, and passed by, the legal reviewer (APL 58).
    assert act(officer, case_id, "submit_review", legal_date="2026-03-09")["status"] == CaseStatus.LEGAL_REVIEW
    case = act(reviewer, case_id, "review", legal_date="2026-03-10", passed=True, opinion="事实清楚，证据充分，同意")
    assert case["status"] == CaseStatus.REVIEWED

    # 8. prior notice received by the party on 11 March (APL 44); its defence on paper the next day.
    case = act(officer, case_id, "give_notice", legal_date="2026-03-11")
    assert (case["status"], case["notice_served_on"]) == (CaseStatus.NOTICED, "2026-03-11")
    act(
        officer,
        case_id,
        "party_submission",
        kind="statement",
        text="摊位已于当日撤除，请求从轻处罚",
        received_on="2026-03-12",
    )

    # 9–10. the leader decides once the 3 working days of defence have passed (to 16 March); officer_a serves.
    case = act(leader, case_id, "decide", legal_date="2026-03-17")
    decision_number = f"{cw.world.district.agency_abbreviation}罚决字〔2026〕第0001号"
    assert (case["status"], case["decision_number"], case["decided_fine"]) == (
        CaseStatus.DECIDED,
        decision_number,
        "1000.00",
    )
    case = act(officer, case_id, "serve", legal_date="2026-03-18", method="direct", recipient="李大伟")
    assert (case["status"], case["served_on"]) == (CaseStatus.SERVED, "2026-03-18")

    # 11. the bank reports the money it received on 25 March; its retry is the same payment.
    notice = {
        "decision_number": decision_number,
        "amount": "1000.00",
        "received_on": "2026-03-25",
        "reference": "B0325-1",
    }
    first, retry = bank_notice(notice), bank_notice(notice)
    assert (first.status_code, first.json()["case_status"], first.json()["late_fee"]) == (201, CaseStatus.PAID, "0.00")
    assert (retry.status_code, retry.json()) == (200, first.json())

    # 12. the leader closes the case.
    case = act(leader, case_id, "close", legal_date="2026-03-26")
    assert (case["status"], case["closed_on"], case["actions"]) == (CaseStatus.CLOSED, "2026-03-26", [])

    assert [(s["action"], s["legal_date"], s["actor_label"]) for s in case["steps"]] == [
        ("register", "2026-03-02", "officer_a"),
        ("submit_filing", "2026-03-03", "officer_a"),
        ("approve_filing", "2026-03-04", "leader"),
        ("record_investigation", "2026-03-05", "officer_a"),
        ("conclude", "2026-03-09", "officer_a"),
        ("submit_review", "2026-03-09", "officer_a"),
        ("pass_review", "2026-03-10", "legal_reviewer"),
        ("give_notice", "2026-03-11", "officer_a"),
        ("party_statement", "2026-03-12", "officer_a"),
        ("decide", "2026-03-17", "leader"),
        ("serve", "2026-03-18", "officer_a"),
        ("record_payment", "2026-03-25", "工商银行拱墅支行（代收）"),
        ("close", "2026-03-26", "leader"),
    ]
    deadlines = {d["code"]: (d["due_on"], d["met_on"]) for d in case["deadlines"]}
    assert deadlines["decision"] == ("2026-06-02", "2026-03-17")  # APL 60: 90 days from filing on 4 March
    # APL 44: 3 working days from the notice; the party's window closed on its last day, before the decision.
    assert deadlines["statement_defence"] == ("2026-03-16", "2026-03-16")
    assert deadlines["payment"] == ("2026-04-02", "2026-03-25")  # APL 67: 15 days from service
    assert [(p["channel"], p["amount"], p["reference"]) for p in case["payments"]] == [("bank", "1000.00", "B0325-1")]
    assert [s["kind"] for s in case["submissions"]] == ["statement"]

    # Every step's paper, numbered where the kind is (the notice and the decision), each with its hash.
    assert [(d["kind"], d["number"]) for d in case["documents"]] == [
        ("case_source_register", ""),
        ("filing_approval", ""),
        ("inspection_record", ""),
        ("penalty_notice", f"{cw.world.district.agency_abbreviation}罚告字〔2026〕第0001号"),
        ("penalty_decision", decision_number),
        ("service_receipt", ""),
        ("closing_approval", ""),
    ]
    decision = case["documents"][4]
    pdf = officer.get(decision["pdf_url"])
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert hashlib.sha256(pdf.content).hexdigest() == decision["sha256"]
