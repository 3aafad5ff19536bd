"""Execution through the API: a fine unpaid keeps the case open, the reminder waits for the payment deadline
(ACL 35), enforcement is the head's after a reminder, once its 10 days and the remedy periods have run out
(ACL 53–54), and closing it needs the reason."""

import datetime as dt
from typing import Any

import time_machine
from django.test import Client

from zhifa.cases import services
from zhifa.cases.models import Case, CaseStatus
from zhifa.cases.tests.conftest import CaseWorld, bearer, noticed

URL = "/api/v1/cases"


def served(cw: CaseWorld) -> Case:
    case = services.decide(noticed(cw), actor=cw.user("leader"), legal_date=dt.date(2026, 3, 16))
    services.serve(case, actor=cw.user("officer_a"), legal_date=dt.date(2026, 3, 17), method="direct")
    return Case.objects.get(pk=case.pk)


def test_an_unpaid_fine_is_reminded_after_its_deadline_then_enforced_then_closed_with_a_reason(cw: CaseWorld) -> None:
    case = served(cw)  # payment due 1 April (APL 67: 15 days from service on 17 March)
    officer, leader = bearer(cw.user("officer_a")), bearer(cw.user("leader"))

    def act(client: Client, action: str, **body: Any) -> Any:
        return client.post(f"{URL}/{case.pk}/actions/{action}", body, content_type="application/json")

    def code(response: Any) -> tuple[int, str]:
        return response.status_code, response.json()["code"]

    assert code(act(leader, "close", legal_date="2026-03-20")) == (409, "fine_unpaid")
    assert code(act(officer, "remind", legal_date="2026-04-01")) == (409, "payment_not_overdue")  # ACL 35
    reminded = act(officer, "remind", legal_date="2026-04-02")
    assert reminded.status_code == 200
    assert [d["kind"] for d in reminded.json()["documents"]][-1] == "reminder"

    assert code(act(officer, "apply_enforcement", legal_date="2026-04-20")) == (403, "permission_denied")
    # ACL 54: 10 (working) days after the reminder — to 2026-04-16 (Qingming 4-4…4-6 skipped).
    assert code(act(leader, "apply_enforcement", legal_date="2026-04-16")) == (409, "reminder_period_running")
    # ACL 53: and only once the remedy periods have run out (lawsuit: 6 months from service, to 2026-09-17).
    assert code(act(leader, "apply_enforcement", legal_date="2026-04-20")) == (409, "remedy_period_running")
    with time_machine.travel(dt.datetime(2026, 10, 9, 2, 0, tzinfo=dt.UTC), tick=False):
        enforced = act(leader, "apply_enforcement", legal_date="2026-10-09", reason="逾期未缴纳罚款")
        assert enforced.json()["status"] == CaseStatus.ENFORCEMENT
        deadlines = {d["code"]: (d["due_on"], d["met_on"]) for d in enforced.json()["deadlines"]}
        # ACL 53: within 3 months of the end of the lawsuit period (9-17 → 12-17), met on 10-09.
        assert deadlines["court_enforcement"] == ("2026-12-17", "2026-10-09")

        assert code(act(leader, "close", legal_date="2026-10-09")) == (422, "reason_required")
        closed = act(leader, "close", legal_date="2026-10-09", reason="法院裁定执行终结")
        assert (closed.json()["status"], closed.json()["closed_on"]) == (CaseStatus.CLOSED, "2026-10-09")
