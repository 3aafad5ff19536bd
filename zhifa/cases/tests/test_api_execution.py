"""Execution through the API: a fine unpaid keeps the case open, the reminder waits for the payment deadline
(ACL 35), enforcement is the head's after a reminder (ACL 53–54), and closing it needs the reason."""

import datetime as dt
from typing import Any

from django.test import Client

from zhifa.cases import services
from zhifa.cases.models import Case, CaseStatus
from zhifa.cases.tests.conftest import CaseWorld, noticed
from zhifa.core.actors import SystemActor
from zhifa.core.tokens import api_token_issue

URL = "/api/v1/cases"


def bearer(user: Any) -> Client:
    _, key = api_token_issue(actor=SystemActor("测试"), user=user, name="测试令牌")
    return Client(headers={"Authorization": f"Bearer {key}"})


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
    enforced = act(leader, "apply_enforcement", legal_date="2026-04-20", reason="逾期未缴纳罚款")
    assert enforced.json()["status"] == CaseStatus.ENFORCEMENT

    assert code(act(leader, "close", legal_date="2026-05-20")) == (422, "reason_required")
    closed = act(leader, "close", legal_date="2026-05-20", reason="法院裁定执行终结")
    assert (closed.json()["status"], closed.json()["closed_on"]) == (CaseStatus.CLOSED, "2026-05-20")
