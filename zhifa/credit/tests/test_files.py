"""Credit files (issue 13 part 1): entries built from final penalty decisions of the general procedure, shown
5 years (ZJC 16), none from the simple procedure; entries added from a source document; refusals."""

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from zhifa.cases.models import CaseStatus, PartyKind, PenaltyKind, Procedure
from zhifa.cases.services import Party, decide_on_spot
from zhifa.core.actors import SystemActor
from zhifa.core.errors import DomainError
from zhifa.credit.models import CreditEntry, CreditGrade
from zhifa.credit.selectors import credit_file
from zhifa.credit.services import credit_entry_add, credit_refresh
from zhifa.credit.tests.conftest import at, footprint, general_penalty, shop
from zhifa.documents.services import allot_range


def test_a_served_general_penalty_becomes_negative_information_shown_five_years(cw: Any) -> None:
    # given: a shop fined 1000 yuan in the general procedure, decided 16 March 2026 and served the next day
    subject = shop(cw)
    case = general_penalty(cw, subject)
    assert (case.procedure, case.status) == (Procedure.GENERAL, CaseStatus.SERVED)

    # when: the refresh runs (twice: the second writes nothing)
    assert credit_refresh() == (1, 1)
    assert credit_refresh() == (0, 0)

    # then: one negative entry with its source, date, basis and the day it stops being shown
    entry = CreditEntry.objects.get()
    assert (
        entry.holder_key,
        entry.kind,
        entry.category,
        entry.occurred_on,
        entry.expires_on,
        entry.legal_basis,
        entry.source_type,
        entry.source_id,
        entry.source_reference,
        entry.title,
    ) == (
        subject.uscc,
        "penalty",
        "negative",
        dt.date(2026, 3, 16),
        dt.date(2031, 3, 16),
        "《城市道路管理条例》",
        "case",
        case.pk,
        case.decision_number,
        "擅自占用城市道路：罚款，罚款1000.00元",
    )
    owner = cw.user("dispatcher")
    assert [e.pk for e in credit_file(user=owner, subject_id=subject.pk, on=dt.date(2031, 3, 15)).shown] == [entry.pk]
    assert credit_file(user=owner, subject_id=subject.pk, on=dt.date(2031, 3, 16)).shown == []

    # and the nightly recompute on the day it expires brings the grade back to B, the old grade kept as history
    assert CreditGrade.objects.get(is_current=True).grade == "C"
    with at(dt.date(2031, 3, 16)):
        call_command("credit_refresh", "--once", "--all", stdout=StringIO())
    grades = list(CreditGrade.objects.order_by("computed_at", "id").values_list("grade", "is_current", "computed_on"))
    assert grades[0] == ("C", False, dt.date(2026, 6, 1))
    assert grades[-1] == ("B", True, dt.date(2031, 3, 16))


def test_a_decision_not_yet_served_is_not_on_file(cw: Any) -> None:
    general_penalty(cw, shop(cw), served=False)
    assert credit_refresh() == (0, 0)
    assert CreditEntry.objects.count() == 0


def test_a_simple_procedure_penalty_is_not_negative_information(cw: Any) -> None:
    # given: a shop fined 200 yuan on the spot (simple procedure, served at once)
    subject = shop(cw)
    allot_range(officer=cw.officer, count=5, actor=SystemActor("测试"))
    case = decide_on_spot(
        actor=cw.user("officer_a"),
        street=cw.world.street_a,
        party=Party(kind=PartyKind.ORGANISATION, name=subject.name, id_number=subject.uscc, address="湖墅南路88号"),
        matter=cw.matter,
        facts="在人行道上摆摊设点",
        address="湖墅南路88号",
        penalty=[PenaltyKind.FINE],
        fine=200,
        facts_clear=True,
        signature_png=b"\x89PNG\r\n\x1a\n" + b"\0" * 64,
        colleague=cw.colleague,
    )
    assert (case.procedure, case.status) == (Procedure.SIMPLE, CaseStatus.SERVED)

    assert credit_refresh() == (0, 0)
    assert CreditEntry.objects.count() == 0


def _commendation(cw: Any, subject: Any, **kw: Any) -> CreditEntry:
    values: dict[str, Any] = {
        "actor": cw.user("dispatcher"),
        "subject_id": subject.pk,
        "kind": "commendation",
        "title": "2025年度诚信经营示范店",
        "occurred_on": dt.date(2026, 1, 20),
        "source_reference": "拱综执〔2026〕3号",
        "source_authority": "拱墅区综合行政执法局",
    }
    values.update(kw)
    return credit_entry_add(**values)


def test_a_commendation_from_its_source_document_is_positive_information_and_regrades(cw: Any) -> None:
    subject = shop(cw)
    entry = _commendation(cw, subject)
    assert (entry.category, entry.expires_on, entry.source_type, entry.source_reference) == (
        "positive",
        dt.date(2029, 1, 20),
        "document",
        "拱综执〔2026〕3号",
    )
    grade = CreditGrade.objects.get(holder_key=subject.uscc, is_current=True)
    assert grade.grade == "B"
    assert [line["entry_id"] for line in grade.explanation] == [entry.pk]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"source_reference": " "}, "credit_source_document_required"),
        ({"source_authority": ""}, "credit_source_document_required"),
        ({"title": ""}, "credit_entry_title_required"),
        ({"kind": "penalty"}, "credit_entry_kind_invalid"),
        ({"occurred_on": dt.date(2026, 6, 2)}, "credit_entry_date_invalid"),
        ({"actor": "business_owner"}, "credit_entry_forbidden"),
        ({"actor": "officer_a"}, "credit_entry_forbidden"),
    ],
)
def test_a_bad_entry_is_refused_with_its_code_and_writes_nothing(cw: Any, change: dict[str, Any], code: str) -> None:
    subject = shop(cw)
    if "actor" in change:
        change = {"actor": cw.user(change["actor"])}
    before = footprint()
    with pytest.raises(DomainError) as refused:
        _commendation(cw, subject, **change)
    assert refused.value.code == code
    assert refused.value.message  # a Chinese sentence for the screen
    assert footprint() == before
