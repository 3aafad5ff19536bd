"""双随机 (issue 12 part 2): the draw is reproducible from its seed, respects the weights, excludes conflicts,
and bad input is refused writing nothing."""

import datetime as dt
from collections import Counter
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from zhifa.core.errors import Conflict, PermissionDenied, ValidationFailed
from zhifa.core.models import AuditEntry
from zhifa.inspections import draw
from zhifa.inspections.models import InspectionPlan, PlanSubject
from zhifa.inspections.selectors import plan_draw_verify
from zhifa.inspections.services import conflict_declare, plan_create, plan_draw
from zhifa.inspections.tests.conftest import footprint
from zhifa.org.tests.factories import OfficerFactory

Q1 = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))


def _plan(world: Any, ratio: str = "0.25", **extra: Any) -> InspectionPlan:
    return plan_create(
        actor=world.user("liaison"),
        department_id=world.market_dept.pk,
        name="2026年第一季度餐饮抽查",
        starts_on=Q1[0],
        ends_on=Q1[1],
        target_ratio=ratio,
        **extra,
    )


def _drawn(plan: InspectionPlan) -> list[tuple[int, int, int, int]]:
    return list(
        PlanSubject.objects.filter(plan=plan)
        .order_by("position")
        .values_list("position", "subject_id", "first_officer_id", "second_officer_id")
    )


# --- the algorithm ------------------------------------------------------------------------------------------------


def test_the_seed_and_uniforms_are_the_published_sha256_formula() -> None:
    # Known answers, computed by hand with sha256sum as docs/inspections.md shows.
    assert draw.draw_seed(plan_id=7, public_value="2026-001 3D 385") == (
        "748b0da445dc208290f87d88161c37236cb20af159fdd531be00c60785bbe9fa"
    )
    assert draw.uniform("ab" * 32, "subject", 5) == 0.9343582784890995
    assert draw.uniform("ab" * 32, "subject", 6) != draw.uniform("ab" * 32, "subject", 5)


def test_same_seed_same_draw_whatever_the_order_of_the_candidates() -> None:
    candidates = [draw.Candidate(i, "B", "", 1.0) for i in range(1, 101)]
    seed = draw.draw_seed(plan_id=1, public_value="x")
    first = draw.draw_subjects(seed=seed, candidates=candidates, count=10)
    again = draw.draw_subjects(seed=seed, candidates=list(reversed(candidates)), count=10)
    other = draw.draw_subjects(seed=draw.draw_seed(plan_id=1, public_value="y"), candidates=candidates, count=10)
    assert [c.subject_id for c in first] == [c.subject_id for c in again]
    assert len(first) == 10
    assert [c.subject_id for c in first] != [c.subject_id for c in other]


def test_the_draw_respects_the_grade_weights_d_always_in_c_about_twice_b() -> None:
    # given: 1000 B, 1000 C, 1000 A and 20 D subjects at the default multipliers; 3 % drawn, 300 public values
    weights = {"A": 0.5, "B": 1.0, "C": 2.0, "D": 4.0}
    grades = ["A"] * 1000 + ["B"] * 1000 + ["C"] * 1000 + ["D"] * 20
    candidates = [draw.Candidate(i, g, "", weights[g]) for i, g in enumerate(grades, start=1)]
    count = draw.draw_count(eligible=len(candidates), ratio=Decimal("0.03"), mandatory=20)
    drawn_by_grade: Counter[str] = Counter()
    draws = 300
    for n in range(draws):
        drawn = draw.draw_subjects(
            seed=draw.draw_seed(plan_id=1, public_value=f"fixed-{n}"), candidates=candidates, count=count
        )
        assert sum(1 for c in drawn if c.grade == "D") == 20  # every D, every time
        assert len(drawn) == count == 91
        drawn_by_grade.update(c.grade for c in drawn)

    # then: inclusion rates per subject in the ratio of the weights, within 10 %
    rate = {g: drawn_by_grade[g] / (1000 * draws) for g in "ABC"}
    assert rate["C"] / rate["B"] == pytest.approx(2.0, rel=0.1)
    assert rate["B"] / rate["A"] == pytest.approx(2.0, rel=0.1)


def test_d_subjects_beyond_the_ratio_are_all_drawn() -> None:
    candidates = [draw.Candidate(i, "D" if i <= 5 else "B", "", 1.0) for i in range(1, 21)]
    assert draw.draw_count(eligible=20, ratio=Decimal("0.1"), mandatory=5) == 5
    drawn = draw.draw_subjects(seed="0" * 64, candidates=candidates, count=5)
    assert sorted(c.subject_id for c in drawn) == [1, 2, 3, 4, 5]


def test_inspectors_exclude_conflicts_and_avoid_the_previous_pair() -> None:
    seed = draw.draw_seed(plan_id=3, public_value="p")
    # officer 1 conflicts with subject 10; subject 11's previous pair must not come again
    first_try = draw.assign_officers(
        seed=seed, subject_ids=[11], officer_ids=[1, 2, 3], conflicts=set(), previous_pairs={}
    )
    previous = frozenset((first_try[0].first_officer_id, first_try[0].second_officer_id))
    got = draw.assign_officers(
        seed=seed, subject_ids=[10, 11], officer_ids=[1, 2, 3], conflicts={(1, 10)}, previous_pairs={11: previous}
    )
    assert 1 not in (got[0].first_officer_id, got[0].second_officer_id)
    assert frozenset((got[1].first_officer_id, got[1].second_officer_id)) != previous
    # with only those two officers the pair is unavoidable, and kept
    two = sorted(previous)
    forced = draw.assign_officers(
        seed=seed, subject_ids=[11], officer_ids=two, conflicts=set(), previous_pairs={11: previous}
    )
    assert frozenset((forced[0].first_officer_id, forced[0].second_officer_id)) == previous


# --- the service ---------------------------------------------------------------------------------------------------


def test_a_plan_is_drawn_once_from_its_published_seed_and_verifies(world: Any, market: Any) -> None:
    plan = _plan(world)
    assert (plan.grade_weights, plan.colour_weights) == (
        {"A": 0.5, "B": 1.0, "C": 2.0, "D": 4.0},
        {"red": 2.0, "yellow": 1.0, "green": 0.5},
    )

    plan_draw(actor=world.user("liaison"), plan_id=plan.pk, public_value="福彩3D 2026001期 385")

    plan.refresh_from_db()
    rows = _drawn(plan)
    assert plan.status == "drawn"
    assert plan.seed == draw.draw_seed(plan_id=plan.pk, public_value="福彩3D 2026001期 385")
    assert len(rows) == 3  # ceil(25 % of 12)
    officer_ids = {o.pk for o in market.officers}
    for _, subject_id, first, second in rows:
        assert subject_id in {s.pk for s in market.subjects}
        assert first != second and {first, second} <= officer_ids
    # the same seed and inputs give the same subjects and inspectors
    candidates = [draw.Candidate(s.pk, "B", "", 1.0) for s in market.subjects]
    again = draw.draw_subjects(seed=plan.seed, candidates=candidates, count=3)
    assert [c.subject_id for c in again] == [r[1] for r in rows]
    assert plan_draw_verify(plan=plan) == []
    out = StringIO()
    call_command("inspection_draw_verify", str(plan.pk), stdout=out)
    assert "重算一致" in out.getvalue()
    assert AuditEntry.objects.filter(action="inspection_plan.draw", object_id=str(plan.pk)).count() == 1

    # a second draw is refused and changes nothing
    before = footprint()
    with pytest.raises(Conflict) as refused:
        plan_draw(actor=world.user("liaison"), plan_id=plan.pk, public_value="again")
    assert refused.value.code == "plan_already_drawn"
    assert footprint() == before


def test_the_verify_command_finds_a_changed_result(world: Any, market: Any) -> None:
    plan = _plan(world)
    plan_draw(actor=world.user("dispatcher"), plan_id=plan.pk, public_value="x")
    row = PlanSubject.objects.filter(plan=plan).order_by("position").first()
    outsider = next(s for s in market.subjects if not PlanSubject.objects.filter(plan=plan, subject=s).exists())
    PlanSubject.objects.filter(pk=row.pk).update(subject=outsider)

    with pytest.raises(CommandError, match="不一致"):
        call_command("inspection_draw_verify", str(plan.pk), stdout=StringIO(), stderr=StringIO())


def test_an_officer_with_a_declared_conflict_is_never_drawn_for_that_subject(world: Any, market: Any) -> None:
    related = market.officers[0]
    for subject in market.subjects:
        conflict_declare(actor=world.user("liaison"), officer_id=related.pk, subject_id=subject.pk, reason="亲属经营")
    plan = _plan(world, ratio="1")

    plan_draw(actor=world.user("liaison"), plan_id=plan.pk, public_value="x")

    rows = _drawn(plan)
    assert len(rows) == 12
    assert all(related.pk not in (first, second) for _, _, first, second in rows)
    # the work is spread: three officers, 24 places, 8 each
    load = Counter(o for _, _, first, second in rows for o in (first, second))
    assert sorted(load.values()) == [8, 8, 8]


def test_the_next_plan_does_not_send_the_same_pair_to_a_subject_again(world: Any, market: Any) -> None:
    first_plan = _plan(world, ratio="1")
    plan_draw(actor=world.user("liaison"), plan_id=first_plan.pk, public_value="a")
    before = {s: frozenset((a, b)) for _, s, a, b in _drawn(first_plan)}
    second_plan = _plan(world, ratio="1")
    plan_draw(actor=world.user("liaison"), plan_id=second_plan.pk, public_value="a")
    after = {s: frozenset((a, b)) for _, s, a, b in _drawn(second_plan)}
    assert all(before[s] != after[s] for s in after)
    second_plan.refresh_from_db()
    assert plan_draw_verify(plan=second_plan) == []


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"target_ratio": "0"}, "plan_ratio_out_of_range"),
        ({"target_ratio": "1.5"}, "plan_ratio_out_of_range"),
        ({"target_ratio": "-0.1"}, "plan_ratio_out_of_range"),
        ({"target_ratio": "abc"}, "plan_ratio_out_of_range"),
        ({"target_ratio": "NaN"}, "plan_ratio_out_of_range"),
        ({"ends_on": dt.date(2025, 12, 31)}, "plan_period_reversed"),
        ({"name": "  "}, "plan_name_required"),
        ({"grade_weights": {"C": 0}}, "plan_weight_invalid"),
        ({"grade_weights": {"E": 1}}, "plan_weight_invalid"),
        ({"colour_weights": {"red": "x"}}, "plan_weight_invalid"),
    ],
)
def test_a_bad_plan_is_refused_with_its_code_and_writes_nothing(world: Any, changes: dict[str, Any], code: str) -> None:
    values: dict[str, Any] = {
        "department_id": world.market_dept.pk,
        "name": "计划",
        "starts_on": Q1[0],
        "ends_on": Q1[1],
        "target_ratio": "0.2",
    }
    values.update(changes)
    before = footprint()
    with pytest.raises(ValidationFailed) as refused:
        plan_create(actor=world.user("dispatcher"), **values)
    assert refused.value.code == code
    assert refused.value.message
    assert footprint() == before


def test_a_draw_without_two_eligible_inspectors_is_refused_and_writes_nothing(world: Any, market: Any) -> None:
    # given: three of the four officers off duty, expired or certified for another domain
    a, b, c, _ = market.officers
    a.is_active = False
    a.save()
    b.certificate_valid_until = dt.date(2020, 1, 1)
    b.save()
    c.certified_domains = ["construction"]
    c.save()
    OfficerFactory(district=world.district, home_department=world.enforcement_dept, certified_domains=["market"])
    plan = _plan(world)
    before = footprint()

    with pytest.raises(ValidationFailed) as refused:
        plan_draw(actor=world.user("liaison"), plan_id=plan.pk, public_value="x")

    assert refused.value.code == "plan_no_inspectors"
    assert footprint() == before
    plan.refresh_from_db()
    assert (plan.status, plan.seed, plan.public_value) == ("draft", "", "")


def test_a_subject_whose_officers_all_conflict_refuses_the_draw(world: Any, market: Any) -> None:
    for officer in market.officers[:3]:
        conflict_declare(
            actor=world.user("dispatcher"), officer_id=officer.pk, subject_id=market.subjects[0].pk, reason="股东"
        )
    plan = _plan(world, ratio="1")
    before = footprint()
    with pytest.raises(ValidationFailed) as refused:
        plan_draw(actor=world.user("liaison"), plan_id=plan.pk, public_value="x")
    assert (refused.value.code, refused.value.details) == (
        "plan_subject_no_inspectors",
        {"subject_id": market.subjects[0].pk},
    )
    assert footprint() == before


def test_a_draw_with_no_subjects_is_refused(world: Any) -> None:
    OfficerFactory.create_batch(
        2, district=world.district, home_department=world.market_dept, certified_domains=["market"]
    )
    plan = _plan(world)
    with pytest.raises(ValidationFailed) as refused:
        plan_draw(actor=world.user("liaison"), plan_id=plan.pk)
    assert refused.value.code == "plan_no_subjects"


def test_an_empty_public_value_is_chosen_at_draw_time_and_published(world: Any, market: Any) -> None:
    plan = _plan(world)
    plan_draw(actor=world.user("liaison"), plan_id=plan.pk, public_value="")
    plan.refresh_from_db()
    assert len(plan.public_value) == 16
    assert plan.seed == draw.draw_seed(plan_id=plan.pk, public_value=plan.public_value)


def test_a_conflict_recorded_twice_is_refused(world: Any, market: Any) -> None:
    conflict_declare(
        actor=world.user("liaison"), officer_id=market.officers[0].pk, subject_id=market.subjects[0].pk, reason="亲属"
    )
    before = footprint()
    with pytest.raises(Conflict) as refused:
        conflict_declare(
            actor=world.user("liaison"),
            officer_id=market.officers[0].pk,
            subject_id=market.subjects[0].pk,
            reason="亲属",
        )
    assert refused.value.code == "conflict_already_recorded"
    assert footprint() == before


@pytest.mark.parametrize("persona", ["officer_a", "leader", "street_dispatcher_a", "business_owner"])
def test_who_may_not_make_plans_is_refused_and_nothing_is_written(world: Any, persona: str) -> None:
    before = footprint()
    with pytest.raises(PermissionDenied) as refused:
        plan_create(
            actor=world.user(persona),
            department_id=world.market_dept.pk,
            name="计划",
            starts_on=Q1[0],
            ends_on=Q1[1],
            target_ratio="0.1",
        )
    assert refused.value.code == "plan_forbidden"
    assert footprint() == before


def test_a_liaison_may_not_plan_or_draw_for_another_department(world: Any, market: Any) -> None:
    other = plan_create(
        actor=world.user("dispatcher"),
        department_id=world.enforcement_dept.pk,
        name="综合执法抽查",
        starts_on=Q1[0],
        ends_on=Q1[1],
        target_ratio="0.1",
    )
    before = footprint()
    with pytest.raises(PermissionDenied):
        plan_create(
            actor=world.user("liaison"),
            department_id=world.enforcement_dept.pk,
            name="计划",
            starts_on=Q1[0],
            ends_on=Q1[1],
            target_ratio="0.1",
        )
    with pytest.raises(PermissionDenied):
        plan_draw(actor=world.user("liaison"), plan_id=other.pk, public_value="x")
    assert footprint() == before
