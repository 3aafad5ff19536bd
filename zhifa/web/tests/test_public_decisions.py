"""Publicity (APL 39, 48): the decisions the head published appear on a public page, with no login, the party's
personal data masked (a person's name → 李某某, its ID number as ``mask_id_number``; an organisation's name kept),
and go when withdrawn; the simple procedure is never published; the procedures and the discretion benchmarks of
the active matters are public too."""

import datetime as dt
from typing import Any

import pytest

from zhifa.cases import services
from zhifa.cases.models import Case
from zhifa.cases.services.publicity import publish_decision, withdraw_publication
from zhifa.cases.tests import conftest as case_world
from zhifa.cases.tests.conftest import CaseWorld, noticed
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.core.actors import SystemActor
from zhifa.core.errors import Conflict, PermissionDenied, ValidationFailed
from zhifa.core.models import AuditEntry
from zhifa.documents import services as documents
from zhifa.web.tests.test_penalty_pages import form

# The case world's fixtures (its conftest is not above this directory): the clock at 2026-06-01, the officers.
cw = case_world.cw
frozen = case_world.frozen
HOSTILE = "<script>alert(1)</script>"


def decided(cw: CaseWorld, **kw: Any) -> Case:
    """Noticed on 2026-03-10, the defence period over, decided on 2026-03-20."""
    case = noticed(cw, **kw)
    return services.decide(case, actor=cw.user("leader"), legal_date=dt.date(2026, 3, 20))


@pytest.fixture
def person_case(cw: CaseWorld) -> Case:
    case = decided(cw, fine="1000.00")
    # Facts that repeat the party's name and ID number, as a handler writes them (the walk's helpers take the
    # default facts): the page must mask them there too.
    Case.objects.filter(pk=case.pk).update(facts=f"李大伟（身份证号330105199001011233）在人行道摆摊 {HOSTILE}")
    case.refresh_from_db()
    return case


def test_apl_48_a_published_decision_is_public_with_the_persons_data_masked(
    cw: CaseWorld, person_case: Case, client: Any
) -> None:
    assert f"decision-{person_case.pk}" not in client.get("/public/decisions/").content.decode()
    publish_decision(person_case, actor=cw.user("leader"))
    response = client.get("/public/decisions/")
    html = response.content.decode()
    assert response.status_code == 200
    assert person_case.decision_number in html
    assert "李某某" in html and "李大伟" not in html
    assert "330105********1233" in html and "330105199001011233" not in html
    assert "罚款人民币1000.00元" in html and "2026-03-20" in html
    assert HOSTILE not in html and "&lt;script&gt;" in html


def test_an_organisations_name_stays(cw: CaseWorld, client: Any) -> None:
    party = services.Party(kind="organisation", name="杭州知味餐饮有限公司")
    case = decided(cw, party=party, fine="1000.00")
    publish_decision(case, actor=cw.user("leader"))
    assert "杭州知味餐饮有限公司" in client.get("/public/decisions/").content.decode()


def test_a_withdrawn_decision_leaves_the_page_and_both_are_audited(
    cw: CaseWorld, person_case: Case, client: Any
) -> None:
    publish_decision(person_case, actor=cw.user("leader"))
    with pytest.raises(ValidationFailed) as empty:
        withdraw_publication(person_case, actor=cw.user("leader"), reason=" ")
    assert empty.value.code == "publication_reason_required"
    withdraw_publication(person_case, actor=cw.user("leader"), reason="复议决定撤销")
    assert f"decision-{person_case.pk}" not in client.get("/public/decisions/").content.decode()
    assert list(
        AuditEntry.objects.filter(action__startswith="case.", object_id=str(person_case.pk))
        .filter(action__in=["case.publish", "case.withdraw_publication"])
        .values_list("action", "reason")
    ) == [("case.publish", ""), ("case.withdraw_publication", "复议决定撤销")]


@pytest.mark.parametrize("persona", ["officer_a", "legal_reviewer", "auxiliary_a"])
def test_only_the_head_publishes(cw: CaseWorld, person_case: Case, persona: str) -> None:
    with pytest.raises(PermissionDenied):
        publish_decision(person_case, actor=cw.user(persona))
    person_case.refresh_from_db()
    assert person_case.is_published is False


def test_nothing_is_published_before_a_decision(cw: CaseWorld) -> None:
    case = noticed(cw)
    with pytest.raises(Conflict) as refused:
        publish_decision(case, actor=cw.user("leader"))
    assert refused.value.code == "publication_not_decided"
    case.refresh_from_db()
    assert case.is_published is False


def test_a_simple_procedure_decision_is_not_published(cw: CaseWorld, sign_in: Any) -> None:
    documents.allot_range(officer=cw.officer, count=1, actor=SystemActor("测试"))
    sign_in(cw.user("officer_a")).post("/m/penalty/", form(cw.matter))
    case = Case.objects.get()
    with pytest.raises(Conflict) as refused:
        publish_decision(case, actor=cw.user("leader"))
    assert refused.value.code == "publication_simple_procedure"
    assert Case.objects.get().is_published is False


def test_apl_39_procedures_and_the_benchmarks_of_active_matters_are_public(cw: CaseWorld, client: Any) -> None:
    inactive = MatterFactory(department=cw.world.enforcement_dept, name="已停用事项", is_active=False)
    response = client.get("/public/procedures/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f"benchmark-{cw.matter.pk}" in html and f"benchmark-{inactive.pk}" not in html
    level = cw.matter.discretion_levels.order_by("tier").first()
    assert level is not None and level.circumstances in html
    assert "当场收缴罚款交至行政机关" in html and "简易程序" in html


def test_the_public_list_reads_the_same_number_of_queries_for_more_decisions(
    cw: CaseWorld, client: Any, django_assert_num_queries: Any
) -> None:
    publish_decision(decided(cw, fine="1000.00"), actor=cw.user("leader"))
    with django_assert_num_queries(2):  # the count for the pager, the page with its matters and districts
        client.get("/public/decisions/")
    publish_decision(decided(cw, fine="2000.00"), actor=cw.user("leader"))
    with django_assert_num_queries(2):
        html = client.get("/public/decisions/").content.decode()
    assert html.count('class="card public-decision"') == 2
