"""Scoring and grades (issue 13 part 3): the score and grade on a known fixture with its explanation, a veto
event, versioned models (bad ones refused), and the multiplier reaching the 双随机 draw (part 4), in a district of
more subjects than a statement takes parameters too."""

import datetime as dt
from typing import Any

import pytest

from zhifa.catalog.models import SubjectCategory
from zhifa.core.errors import DomainError
from zhifa.credit import scoring
from zhifa.credit.models import CreditEntry, CreditGrade, CreditModelVersion, SourceType
from zhifa.credit.services import credit_grades_recompute, credit_model_current, credit_model_version_create
from zhifa.credit.tests.conftest import footprint
from zhifa.inspections.colours import colour_model_current
from zhifa.inspections.models import PlanSubject, SubjectColour
from zhifa.inspections.services import conflict_declare, plan_create, plan_draw
from zhifa.inspections.tests import conftest as inspections_conftest
from zhifa.subjects.models import Subject, SubjectKind
from zhifa.subjects.tests.factories import SubjectFactory, uscc_for

ON = dt.date(2026, 6, 1)
MODEL = scoring.parse_model(scoring.DEFAULT_MODEL)
market = inspections_conftest.market  # the market department with twelve catering shops (fixture)


def _facts(*rows: tuple[int, str, dt.date]) -> list[scoring.EntryFacts]:
    return [scoring.EntryFacts(pk, kind, f"信息{pk}", on) for pk, kind, on in rows]


def test_the_score_and_grade_on_a_known_fixture_with_its_explanation() -> None:
    # given: a penalty one half-life ago (-15 × 0.5) and a commendation today (+5), base 80
    result = scoring.score(MODEL, _facts((1, "penalty", dt.date(2025, 6, 1)), (2, "commendation", ON)), on=ON)
    # then: 80 - 7.5 + 5 = 77.5 → B (70 ≤ score < 90), each line with its weight, decay and points
    assert (result.score, result.grade, result.vetoed_by) == (77.5, "B", ())
    assert [(ln.entry_id, ln.weight, ln.factor, ln.points) for ln in result.lines] == [
        (1, -15.0, 0.5, -7.5),
        (2, 5.0, 1.0, 5.0),
    ]
    # thresholds inclusive: 90 is A, 70 B, 50 C, below D; nothing on file is the base, B
    assert [scoring.grade_of(s, MODEL.thresholds) for s in (90, 89.99, 70, 50, 49.99)] == ["A", "B", "B", "C", "D"]
    assert scoring.score(MODEL, [], on=ON).grade == "B"
    # three recent penalties: 80 - 45 = 35 → D; two commendations: 90 → A
    three = _facts(*((i, "penalty", ON) for i in range(3)))
    assert (scoring.score(MODEL, three, on=ON).score, scoring.score(MODEL, three, on=ON).grade) == (35.0, "D")
    assert scoring.score(MODEL, _facts((1, "commendation", ON), (2, "commendation", ON)), on=ON).grade == "A"


def test_a_veto_event_forces_d_whatever_the_score() -> None:
    # given: a licence revoked two half-lives ago (-40 × 0.25 = -10) and a commendation: 75 points, a B by score
    result = scoring.score(MODEL, _facts((7, "penalty_severe", dt.date(2024, 6, 1)), (8, "commendation", ON)), on=ON)
    assert result.score == 75.0
    assert (result.grade, result.vetoed_by) == ("D", (7,))


def _entry(world: Any, key: str, kind: str, on: dt.date, n: int) -> CreditEntry:
    # Test data: entries as the refresh writes them from a case (source id is a case that need not exist here).
    return CreditEntry.objects.create(
        district=world.district,
        holder_key=key,
        holder_name="测试",
        kind=kind,
        category="negative" if kind != "commendation" else "positive",
        title=f"测试信息{n}",
        occurred_on=on,
        expires_on=on.replace(year=on.year + 5),
        legal_basis="《城市道路管理条例》",
        source_type=SourceType.CASE,
        source_id=900000 + n,
        source_reference=f"测罚决字〔2026〕第{n:04d}号",
    )


def test_a_grade_records_its_model_version_and_a_new_version_regrades_keeping_history(world: Any) -> None:
    subject = SubjectFactory(district=world.district, uscc=uscc_for(77))
    e1 = _entry(world, subject.uscc, "penalty", dt.date(2025, 6, 1), 1)
    assert credit_grades_recompute(district_id=world.district.pk, holder_keys=[subject.uscc], on=ON) == 1
    grade = CreditGrade.objects.get(holder_key=subject.uscc)
    assert (grade.score, grade.grade, grade.model_version.number) == (72.5, "B", 1)
    assert grade.explanation == [
        {
            "entry_id": e1.pk,
            "kind": "penalty",
            "title": "测试信息1",
            "occurred_on": "2025-06-01",
            "weight": -15.0,
            "factor": 0.5,
            "points": -7.5,
        }
    ]
    # the same day again: nothing changes, no new row
    assert credit_grades_recompute(district_id=world.district.pk, holder_keys=[subject.uscc], on=ON) == 0

    # a stricter version: B from 75 — the holder is now C, graded with version 2, version 1's grade kept
    params = dict(scoring.DEFAULT_MODEL, thresholds={"A": "90", "B": "75", "C": "50"})
    version = credit_model_version_create(actor=world.user("dispatcher"), params=params, note="提高B级分数线")
    assert version.number == 2
    credit_grades_recompute(district_id=world.district.pk, on=ON)
    rows = list(CreditGrade.objects.filter(holder_key=subject.uscc).order_by("id").values_list("grade", "is_current"))
    assert rows == [("B", False), ("C", True)]
    assert CreditGrade.objects.get(holder_key=subject.uscc, is_current=True).model_version.number == 2


def test_a_recompute_of_some_holders_leaves_the_holders_between_their_keys_alone(world: Any) -> None:
    # The batch is read by its keys and their range: a holder whose key sorts between two of the batch's keys but
    # is not one of them keeps its grade, even when its file changed.
    first, middle, last = (SubjectFactory(district=world.district, uscc=uscc_for(n)) for n in (11, 12, 13))
    assert first.uscc < middle.uscc < last.uscc
    keys = [first.uscc, middle.uscc, last.uscc]
    assert credit_grades_recompute(district_id=world.district.pk, holder_keys=keys, on=ON) == 3
    for n, subject in enumerate((first, middle, last)):
        _entry(world, subject.uscc, "penalty", ON, n)
    assert credit_grades_recompute(district_id=world.district.pk, holder_keys=[first.uscc, last.uscc], on=ON) == 2
    current = dict(CreditGrade.objects.filter(is_current=True).values_list("holder_key", "score"))
    assert current == {first.uscc: 65.0, middle.uscc: 80.0, last.uscc: 65.0}
    assert CreditGrade.objects.filter(holder_key=middle.uscc).count() == 1


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"weights": {"penalty": "重", "penalty_severe": -40, "commendation": 5}}, "credit_model_weight_invalid"),
        ({"weights": {"penalty": -15, "penalty_severe": -40}}, "credit_model_weight_invalid"),
        (
            {"weights": {"penalty": -15, "penalty_severe": -40, "commendation": 5, "bribe": -1}},
            "credit_model_kind_unknown",
        ),
        ({"weights": {"penalty": "nan", "penalty_severe": -40, "commendation": 5}}, "credit_model_weight_invalid"),
        ({"thresholds": {"A": 70, "B": 90, "C": 50}}, "credit_model_thresholds_invalid"),
        ({"thresholds": {"A": 90, "B": 70}}, "credit_model_thresholds_invalid"),
        ({"half_life_days": "一年"}, "credit_model_half_life_invalid"),
        ({"base_score": 120}, "credit_model_base_invalid"),
        ({"veto_kinds": ["bribe"]}, "credit_model_kind_unknown"),
    ],
)
def test_a_model_that_does_not_parse_is_refused_with_its_code_and_writes_nothing(
    world: Any, change: dict[str, Any], code: str
) -> None:
    credit_model_current(district_id=world.district.pk)
    before = footprint()
    with pytest.raises(DomainError) as refused:
        credit_model_version_create(actor=world.user("dispatcher"), params=dict(scoring.DEFAULT_MODEL, **change))
    assert refused.value.code == code
    assert footprint() == before


def test_only_the_administrator_and_the_command_centre_change_the_model(world: Any) -> None:
    before = footprint()
    for persona in ("leader", "officer_a", "liaison", "business_owner"):
        with pytest.raises(DomainError) as refused:
            credit_model_version_create(actor=world.user(persona), params=scoring.DEFAULT_MODEL)
        assert refused.value.code == "credit_model_forbidden"
    assert footprint() == before
    assert CreditModelVersion.objects.count() == 0


def test_the_grade_multiplier_reaches_the_draw_through_the_real_provider(world: Any, market: Any) -> None:
    # given: of the twelve catering shops, one graded D (a revoked licence, vetoed) and one C (one penalty)
    d_shop, c_shop = market.subjects[0], market.subjects[1]
    _entry(world, d_shop.uscc, "penalty_severe", dt.date(2026, 5, 1), 1)
    _entry(world, c_shop.uscc, "penalty", dt.date(2026, 5, 1), 2)
    credit_grades_recompute(district_id=world.district.pk, on=ON)
    assert CreditGrade.objects.get(holder_key=d_shop.uscc, is_current=True).grade == "D"
    assert CreditGrade.objects.get(holder_key=c_shop.uscc, is_current=True).grade == "C"

    # when: plans drawing 1 in 12 are drawn with ten public values
    for n in range(10):
        plan = plan_create(
            actor=world.user("liaison"),
            department_id=world.market_dept.pk,
            name=f"抽查{n}",
            starts_on=dt.date(2026, 7, 1),
            ends_on=dt.date(2026, 9, 30),
            target_ratio="0.08",
        )
        plan_draw(actor=world.user("liaison"), plan_id=plan.pk, public_value=f"v{n}")
        plan.refresh_from_db()
        # then: the D shop is in every draw, first, as mandatory; the C shop weighs 2, the others (B) 1
        drawn = list(PlanSubject.objects.filter(plan=plan).order_by("position"))
        assert (drawn[0].subject_id, drawn[0].credit_grade, drawn[0].is_mandatory) == (d_shop.pk, "D", True)
        weights = {sid: (grade, weight) for sid, grade, _colour, weight in plan.draw_inputs["candidates"]}
        assert weights[d_shop.pk] == ("D", 4.0)
        assert weights[c_shop.pk] == ("C", 2.0)
        assert {weights[s.pk] for s in market.subjects[2:]} == {("B", 1.0)}


def test_a_draw_in_a_district_with_more_subjects_than_a_statement_takes_parameters(world: Any, market: Any) -> None:
    """70,000 catering shops more (PostgreSQL takes 65,535 parameters a statement, SQLite 32,766): the draw reads
    every candidate's grade, colour and conflicts without listing their ids or codes in one statement."""
    # given: of the twelve shops, one graded D with a declared conflict, one red; then 70,000 more shops
    d_shop, red_shop = market.subjects[0], market.subjects[1]
    _entry(world, d_shop.uscc, "penalty_severe", dt.date(2026, 5, 1), 1)
    credit_grades_recompute(district_id=world.district.pk, on=ON)
    SubjectColour.objects.create(
        district=world.district,
        subject=red_shop,
        colour="red",
        score=20,
        explanation={},
        model_version=colour_model_current(district_id=world.district.pk),
        trigger="测试",
        computed_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
    )
    related = market.officers[0]
    conflict_declare(actor=world.user("liaison"), officer_id=related.pk, subject_id=d_shop.pk, reason="亲属经营")
    Subject.objects.bulk_create(
        [
            Subject(
                district=world.district, kind=SubjectKind.BUSINESS, category=SubjectCategory.CATERING,
                name=f"批量餐饮{n}", uscc=uscc_for(n, region="330110"), address=f"批量路{n}号",
                lon=red_shop.lon, lat=red_shop.lat,
                street_id=red_shop.street_id, zone_id=red_shop.zone_id, grid_id=red_shop.grid_id,
            )
            for n in range(70_000)
        ],
        batch_size=5000,
    )  # fmt: skip
    plan = plan_create(
        actor=world.user("liaison"),
        department_id=world.market_dept.pk,
        name="全区餐饮抽查",
        starts_on=dt.date(2026, 7, 1),
        ends_on=dt.date(2026, 9, 30),
        target_ratio="0.0001",
    )

    plan_draw(actor=world.user("liaison"), plan_id=plan.pk, public_value="v")

    # then: every shop a candidate, the D shop drawn first with inspectors other than the related officer
    plan.refresh_from_db()
    inputs = plan.draw_inputs
    assert inputs is not None
    candidates = {sid: (grade, colour) for sid, grade, colour, _weight in inputs["candidates"]}
    assert len(candidates) == 70_012
    assert (candidates[d_shop.pk], candidates[red_shop.pk]) == (("D", ""), ("B", "red"))
    assert inputs["conflicts"] == [[related.pk, d_shop.pk]]
    drawn = list(PlanSubject.objects.filter(plan=plan).order_by("position"))
    assert (drawn[0].subject_id, drawn[0].credit_grade, drawn[0].is_mandatory) == (d_shop.pk, "D", True)
    assert related.pk not in (drawn[0].first_officer_id, drawn[0].second_officer_id)
