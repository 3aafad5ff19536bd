"""The general procedure end to end through the services, and the transition table it runs on."""

import datetime as dt
from decimal import Decimal

from zhifa.cases import services
from zhifa.cases.models import Case, CaseStatus, PaymentChannel, ServiceMethod
from zhifa.cases.papers import documents_of
from zhifa.cases.states import CASE_WORKFLOW
from zhifa.cases.tests.conftest import CaseWorld, noticed
from zhifa.core.actors import SystemActor
from zhifa.core.models import AuditEntry
from zhifa.documents.kinds import DocumentKind

BANK = SystemActor("代收银行（测试）")


def test_every_state_of_the_case_workflow_is_reachable_and_only_the_ends_are_terminal() -> None:
    assert CASE_WORKFLOW.reachable() == CASE_WORKFLOW.states
    assert CASE_WORKFLOW.terminal_states == {
        CaseStatus.NOT_FILED,
        CaseStatus.CLOSED,
        CaseStatus.WITHDRAWN,
        CaseStatus.TRANSFERRED,
    }


def test_a_case_from_lead_to_closing_dates_every_step_issues_its_documents_and_counts_its_deadlines(
    cw: CaseWorld,
) -> None:
    case = noticed(cw)  # lead 3-2, filing asked 3-3, approved 3-4, inspection 3-5, concluded 3-9, notice 3-10
    assert case.status == CaseStatus.NOTICED
    case = services.decide(case, actor=cw.user("leader"), legal_date=dt.date(2026, 3, 16))
    assert case.decision_number == f"{cw.world.district.agency_abbreviation}罚决字〔2026〕第0001号"
    services.serve(
        case,
        actor=cw.user("auxiliary_a"),
        legal_date=dt.date(2026, 3, 17),
        method=ServiceMethod.DIRECT,
        recipient="李大伟",
    )
    case.refresh_from_db()
    assert (case.status, case.served_on) == (CaseStatus.SERVED, dt.date(2026, 3, 17))

    services.record_payment(
        actor=BANK,
        decision_number=case.decision_number,
        amount=Decimal("1000.00"),
        received_on=dt.date(2026, 3, 25),
        channel=PaymentChannel.BANK,
        reference="B20260325-0001",
    )
    case = services.close(Case.objects.get(pk=case.pk), actor=cw.user("leader"), legal_date=dt.date(2026, 3, 26))
    assert case.status == CaseStatus.CLOSED

    steps = list(case.steps.values_list("action", "legal_date"))
    assert [a for a, _ in steps] == [
        "register",
        "submit_filing",
        "approve_filing",
        "record_investigation",
        "conclude",
        "give_notice",
        "decide",
        "serve",
        "record_payment",
        "close",
    ]
    assert [d for _, d in steps] == sorted(d for _, d in steps)
    deadlines = {d.code: (d.due_on, d.met_on) for d in case.deadlines.all()}
    # APL 60: decision within 90 days of filing (3-4 → 6-2); met on 3-16.
    assert deadlines["decision"] == (dt.date(2026, 6, 2), dt.date(2026, 3, 16))
    # APL 67: payment within 15 days of service (3-17 → 4-1); met on 3-25.
    assert deadlines["payment"] == (dt.date(2026, 4, 1), dt.date(2026, 3, 25))
    assert deadlines["lawsuit"][0] == dt.date(2026, 9, 17)
    kinds = [d.kind for d in documents_of(case)]
    assert kinds == [
        DocumentKind.CASE_SOURCE_REGISTER,
        DocumentKind.FILING_APPROVAL,
        DocumentKind.INSPECTION_RECORD,
        DocumentKind.PENALTY_NOTICE,
        DocumentKind.PENALTY_DECISION,
        DocumentKind.SERVICE_RECEIPT,
        DocumentKind.CLOSING_APPROVAL,
    ]
    assert AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk), action="case.decide").exists()
