"""The inspection pages (issue 12 parts 1–2): plans list, create, draw, a subject's checklist, the public page."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from zhifa.core.actors import SystemActor
from zhifa.inspections import draw
from zhifa.inspections.models import ConflictOfInterest, InspectionPlan, PlanSubject
from zhifa.inspections.services import checklists_sync_from_catalogue, plan_create, plan_draw
from zhifa.inspections.tests.conftest import footprint
from zhifa.org.tests.factories import OfficerFactory
from zhifa.subjects.tests.factories import SubjectFactory

HOSTILE = '<script>alert("x")</script>餐厅'


def _plan(world: Any, department: Any, name: str = "一季度抽查") -> InspectionPlan:
    return plan_create(
        actor=world.user("dispatcher"),
        department_id=department.pk,
        name=name,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 3, 31),
        target_ratio="0.5",
    )


def test_a_liaison_lists_and_opens_only_its_departments_plans(world: Any, sign_in: Any) -> None:
    own = _plan(world, world.market_dept, "市场监管一季度抽查")
    other = _plan(world, world.enforcement_dept, "综合执法一季度抽查")
    client = sign_in(world.user("liaison"))

    listed = client.get(reverse("web:inspection-plans")).content.decode()
    assert "市场监管一季度抽查" in listed
    assert "综合执法一季度抽查" not in listed
    assert client.get(reverse("web:inspection-plan", args=[own.pk])).status_code == 200
    assert client.get(reverse("web:inspection-plan", args=[other.pk])).status_code == 404
    before = footprint()
    assert client.post(reverse("web:inspection-plan-draw", args=[other.pk]), {"public_value": "1"}).status_code == 404
    assert footprint() == before


@pytest.mark.parametrize("persona", ["officer_a", "street_dispatcher_a"])
def test_street_roles_are_refused_the_plans(world: Any, sign_in: Any, persona: str) -> None:
    client = sign_in(world.user(persona))
    assert client.get(reverse("web:inspection-plans")).status_code == 403
    assert client.get(reverse("web:inspection-plan-new")).status_code == 403


def test_a_plan_made_on_the_page_lands_on_its_page(world: Any, sign_in: Any) -> None:
    client = sign_in(world.user("liaison"))
    response = client.post(
        reverse("web:inspection-plan-new"),
        {
            "department": world.market_dept.pk,
            "name": "二季度餐饮抽查",
            "starts_on": "2026-04-01",
            "ends_on": "2026-06-30",
            "target_percent": "12.5",
            "grade_A": "0.5",
            "grade_B": "1",
            "grade_C": "3",
            "grade_D": "4",
            "colour_red": "2",
            "colour_yellow": "1",
            "colour_green": "0.5",
        },
    )
    plan = InspectionPlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:inspection-plan", args=[plan.pk])
    assert (plan.target_ratio, plan.grade_weights["C"], plan.department_id) == (
        plan.target_ratio.__class__("0.125"),
        3.0,
        world.market_dept.pk,
    )
    page = client.get(response["Location"]).content.decode()
    assert "12.5%" in page
    assert 'id="draw-form"' in page


def test_a_special_check_made_on_the_page_says_so_and_takes_every_subject(world: Any, sign_in: Any) -> None:
    client = sign_in(world.user("liaison"))
    response = client.post(
        reverse("web:inspection-plan-new"),
        {
            "department": world.market_dept.pk,
            "kind": "special",
            "name": "燃气安全专项检查",
            "starts_on": "2026-04-01",
            "ends_on": "2026-04-30",
            "target_percent": "10",
            **{f"grade_{g}": w for g, w in zip("ABCD", ("0.5", "1", "2", "4"), strict=True)},
            **{f"colour_{c}": w for c, w in (("red", "2"), ("yellow", "1"), ("green", "0.5"))},
        },
    )
    plan = InspectionPlan.objects.get()
    assert (response.status_code, plan.kind, plan.target_percent) == (302, "special", "100")
    page = client.get(response["Location"]).content.decode()
    assert '<dd id="plan-kind">专项检查</dd>' in page


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"target_percent": "150"}, "plan_ratio_out_of_range"),
        ({"target_percent": "0"}, "plan_ratio_out_of_range"),
        ({"ends_on": "2026-03-01"}, "plan_period_reversed"),
        ({"ends_on": ""}, "date_invalid"),
        ({"kind": "everyone"}, "plan_kind_unknown"),
    ],
)
def test_a_bad_plan_on_the_page_shows_its_code_and_writes_nothing(
    world: Any, sign_in: Any, changes: dict[str, str], code: str
) -> None:
    client = sign_in(world.user("dispatcher"))
    data = {
        "department": world.market_dept.pk,
        "name": "计划",
        "starts_on": "2026-04-01",
        "ends_on": "2026-06-30",
        "target_percent": "10",
    }
    data.update(changes)
    before = footprint()
    response = client.post(reverse("web:inspection-plan-new"), data)
    assert response.status_code == 422
    assert f"（{code}）" in response.content.decode()
    assert 'value="计划"' in response.content.decode()  # the input kept
    assert footprint() == before


def test_the_draw_page_shows_the_seed_and_the_result(world: Any, market: Any, sign_in: Any) -> None:
    plan = _plan(world, world.market_dept)
    client = sign_in(world.user("liaison"))

    response = client.post(reverse("web:inspection-plan-draw", args=[plan.pk]), {"public_value": "福彩3D 385"})

    plan.refresh_from_db()
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert plan.seed in page
    assert "福彩3D 385" in page
    rows = PlanSubject.objects.filter(plan=plan).select_related("subject", "first_officer", "second_officer")
    assert len(rows) == 6
    for row in rows:
        assert row.subject.name in page
        assert f"{row.first_officer.name}、{row.second_officer.name}" in page
    assert 'id="draw-form"' not in page


def test_a_refused_draw_on_the_page_shows_its_code_and_writes_nothing(world: Any, sign_in: Any) -> None:
    plan = _plan(world, world.market_dept)  # no officers: nobody to draw
    SubjectFactory(district=world.district)
    client = sign_in(world.user("dispatcher"))
    before = footprint()
    response = client.post(reverse("web:inspection-plan-draw", args=[plan.pk]), {"public_value": "x"})
    assert response.status_code == 422
    assert "（plan_no_subjects）" in response.content.decode()
    assert footprint() == before


def test_the_subject_page_links_its_generated_checklist(world: Any, market: Any, sign_in: Any) -> None:
    checklists_sync_from_catalogue(actor=SystemActor("测试"), district_id=world.district.pk)
    subject = market.subjects[0]
    client = sign_in(world.user("dispatcher"))
    url = reverse("web:inspection-subject-checklist", args=[subject.pk])
    assert url in client.get(reverse("web:subject-detail", args=[subject.pk])).content.decode()

    page = client.get(url).content.decode()

    assert "区市场监督管理局" in page
    assert "SC-001 食品经营许可检查" in page
    assert "第 1 版" in page
    assert "检查一" in page and "检查三" in page
    # out of scope: a street-B officer does not see a street-A subject's checklist
    assert sign_in(world.user("officer_b")).get(url).status_code == 404


def _drawn_with_hostile_names(world: Any, market: Any) -> tuple[Any, Any]:
    """The market's shops all named with a script; a plan drawn from them and one not drawn."""
    for subject in market.subjects:
        subject.name = HOSTILE
        subject.save()
    plan = _plan(world, world.market_dept, "市场监管一季度抽查")
    plan_draw(actor=world.user("dispatcher"), plan_id=plan.pk, public_value="385")
    return plan, _plan(world, world.market_dept, "未抽取计划")


def test_the_public_page_needs_no_login_and_masks_names_shown_as_text(world: Any, market: Any, client: Any) -> None:
    plan, _ = _drawn_with_hostile_names(world, market)

    response = client.get(reverse("web:public-inspections"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "市场监管一季度抽查" in page
    assert "未抽取计划" not in page
    assert plan.__class__.objects.get(pk=plan.pk).seed in page
    assert "<script>" not in page.split("<main")[1]
    assert "alert" not in page  # masked: only the first character and the last two are shown
    assert page.count("&lt;＊＊") == 6
    assert "市监0" not in page  # inspectors are not published


def test_a_plans_public_page_lists_its_subjects_masked_without_login(world: Any, market: Any, client: Any) -> None:
    plan, undrawn = _drawn_with_hostile_names(world, market)

    response = client.get(reverse("web:public-inspection-plan", args=[plan.pk]))

    page = response.content.decode()
    assert response.status_code == 200 and "市场监管一季度抽查" in page
    assert page.count("&lt;＊＊") == 6 and "<script>" not in page.split("<main")[1]
    assert client.get(reverse("web:public-inspection-plan", args=[undrawn.pk])).status_code == 404
    # the list links to it
    assert (
        reverse("web:public-inspection-plan", args=[plan.pk])
        in client.get(reverse("web:public-inspections")).content.decode()
    )


def test_the_published_record_reruns_to_the_published_result(world: Any, market: Any, client: Any) -> None:
    plan = _plan(world, world.market_dept)
    plan_draw(actor=world.user("dispatcher"), plan_id=plan.pk, public_value="385")
    undrawn = _plan(world, world.market_dept, "未抽取计划")

    record = client.get(reverse("web:public-inspection-draw", args=[plan.pk])).json()

    # re-run from the record alone, as a citizen would
    assert record["seed"] == draw.draw_seed(plan_id=record["plan_id"], public_value=record["public_value"])
    candidates = [draw.Candidate(*row) for row in record["inputs"]["candidates"]]
    count = draw.draw_count(eligible=len(candidates), ratio=Decimal(record["inputs"]["ratio"]), mandatory=0)
    rerun = draw.draw_subjects(seed=record["seed"], candidates=candidates, count=count)
    assert [c.subject_id for c in rerun] == [r["subject_id"] for r in record["result"]]
    assert "味道" not in str(record)  # ids only
    # nothing of the inspectors: who inspects whom, and the officers' declared conflicts, are not published
    assert set(record["inputs"]) == {"ratio", "candidates"} and set(record["result"][0]) == {"position", "subject_id"}
    assert client.get(reverse("web:public-inspection-draw", args=[undrawn.pk])).status_code == 404


def test_a_liaison_records_a_conflict_on_the_page_and_sees_it_listed(world: Any, market: Any, sign_in: Any) -> None:
    subject = market.subjects[0]
    officer = market.officers[0]
    client = sign_in(world.user("liaison"))

    response = client.post(
        reverse("web:inspection-conflicts"), {"officer": officer.pk, "subject": subject.uscc, "reason": "配偶经营"}
    )

    assert response.status_code == 302
    conflict = ConflictOfInterest.objects.get()
    assert (conflict.officer_id, conflict.subject_id, conflict.reason, conflict.recorded_by) == (
        officer.pk,
        subject.pk,
        "配偶经营",
        "liaison",
    )
    page = client.get(reverse("web:inspection-conflicts")).content.decode()
    assert subject.name in page and "配偶经营" in page


@pytest.mark.parametrize(
    ("subject", "reason", "code"),
    [("no-such-subject", "配偶经营", "conflict_subject_not_found"), (None, "  ", "conflict_reason_required")],
)
def test_a_bad_conflict_on_the_page_shows_its_code_and_writes_nothing(
    world: Any, market: Any, sign_in: Any, subject: str | None, reason: str, code: str
) -> None:
    client = sign_in(world.user("liaison"))
    before = footprint()
    response = client.post(
        reverse("web:inspection-conflicts"),
        {"officer": market.officers[0].pk, "subject": subject or market.subjects[0].uscc, "reason": reason},
    )
    assert response.status_code == 422
    assert f"（{code}）" in response.content.decode()
    assert footprint() == before


def test_a_liaison_may_not_record_a_conflict_for_another_departments_officer(
    world: Any, market: Any, sign_in: Any
) -> None:
    other = OfficerFactory(district=world.district, home_department=world.enforcement_dept)
    client = sign_in(world.user("liaison"))
    before = footprint()
    response = client.post(
        reverse("web:inspection-conflicts"),
        {"officer": other.pk, "subject": market.subjects[0].uscc, "reason": "亲属"},
    )
    assert response.status_code == 403
    assert footprint() == before
