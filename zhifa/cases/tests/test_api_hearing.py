"""The hearing branch through the API (APL 63–65): a hearing requested in time blocks the decision until the
hearing is held and reviewed again; the chair did not investigate; the decision may not exceed the notice."""

from typing import Any

from django.test import Client

from zhifa.cases.models import CaseStatus
from zhifa.cases.tests.conftest import CaseWorld, bearer, noticed

URL = "/api/v1/cases"


def test_apl_63_65_a_hearing_requested_in_time_is_held_and_reviewed_before_the_decision(cw: CaseWorld) -> None:
    # A fine of 6,000 yuan on a person calls for a hearing (APL 63); notice received on 10 March.
    case = noticed(cw, fine="6000.00", discretion_reason="占道面积大、持续时间长")
    officer, leader, reviewer = (bearer(cw.user(p)) for p in ("officer_a", "leader", "legal_reviewer"))

    def act(client: Client, action: str, **body: Any) -> Any:
        return client.post(f"{URL}/{case.pk}/actions/{action}", body, content_type="application/json")

    def code(response: Any) -> tuple[int, str]:
        return response.status_code, response.json()["code"]

    requested = act(officer, "party_submission", kind="hearing_request", text="要求听证", received_on="2026-03-11")
    assert requested.json()["status"] == CaseStatus.HEARING_REQUESTED
    assert code(act(leader, "decide", legal_date="2026-03-20")) == (409, "invalid_transition")

    by_investigator = act(
        officer, "notify_hearing", legal_date="2026-03-12", chair_id=cw.officer.pk, hearing_on="2026-03-19"
    )
    assert code(by_investigator) == (422, "hearing_chair_investigated")  # APL 64 (4)
    too_soon = act(officer, "notify_hearing", legal_date="2026-03-12", chair_id=cw.outsider.pk, hearing_on="2026-03-18")
    assert code(too_soon) == (422, "hearing_notice_too_late")  # APL 64 (1): 7 days
    assert (
        act(
            officer, "notify_hearing", legal_date="2026-03-12", chair_id=cw.outsider.pk, hearing_on="2026-03-19"
        ).status_code
        == 200
    )

    held = act(officer, "hold_hearing", legal_date="2026-03-19", record="当事人到场陈述，调查人员出示证据")
    assert (held.json()["status"], held.json()["needs_legal_review"]) == (CaseStatus.HEARD, True)
    assert code(act(leader, "decide", legal_date="2026-03-20")) == (409, "legal_review_required")  # APL 58 (3)

    assert act(reviewer, "review", legal_date="2026-03-20", passed=True, opinion="听证后复核，同意").status_code == 200
    assert code(act(leader, "decide", legal_date="2026-03-20", fine="6000.01")) == (
        409,
        "penalty_exceeds_notice",
    )  # APL 45
    decided = act(leader, "decide", legal_date="2026-03-20")
    assert (decided.status_code, decided.json()["status"], decided.json()["decided_fine"]) == (
        200,
        CaseStatus.DECIDED,
        "6000.00",
    )
    assert [s["action"] for s in decided.json()["steps"]][-5:] == [
        "request_hearing",
        "notify_hearing",
        "hold_hearing",
        "pass_review",
        "decide",
    ]
