"""联合奖惩 (issue 13 part 4): 无事不扰 leaves A out of routine checks, D is on the key-supervision list, A gets the
fast track, the draw's multiplier is applied — each application recorded (which, whom, why, where, when)."""

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from zhifa.core.errors import ValidationFailed
from zhifa.credit.measures import has_fast_track, key_supervision_list
from zhifa.credit.models import CreditEntry, MeasureApplication
from zhifa.credit.services import credit_grades_recompute
from zhifa.inspections.grades import routine_check_subjects
from zhifa.inspections.models import InspectionPlan
from zhifa.inspections.services import plan_create, plan_draw
from zhifa.inspections.tests import conftest as inspections_conftest
from zhifa.subjects.tests.factories import SubjectFactory, uscc_for

ON = dt.date(2026, 6, 1)
market = inspections_conftest.market


def _entry(world: Any, key: str, kind: str, n: int, on: dt.date = dt.date(2026, 5, 1)) -> None:
    CreditEntry.objects.create(
        district=world.district,
        holder_key=key,
        holder_name="测试",
        kind=kind,
        category="positive" if kind == "commendation" else "negative",
        title=f"信息{n}",
        occurred_on=on,
        expires_on=on.replace(year=on.year + 3),
        legal_basis="测试依据",
        source_type="document",
        source_reference=f"测试{n}号",
    )


def _graded(world: Any) -> tuple[Any, Any, Any]:
    """An A shop (two commendations today: 90), a D shop (revoked licence: veto) and a B shop (nothing)."""
    a, d, b = (
        SubjectFactory(district=world.district, name=f"店{x}", uscc=uscc_for(600 + i)) for i, x in enumerate("ADB")
    )
    _entry(world, a.uscc, "commendation", 1, ON)
    _entry(world, a.uscc, "commendation", 2, ON)
    _entry(world, d.uscc, "penalty_severe", 3)
    credit_grades_recompute(district_id=world.district.pk, on=ON)
    return a, d, b


def _rows(**filters: Any) -> list[tuple[Any, ...]]:
    return list(
        MeasureApplication.objects.filter(**filters)
        .order_by("id")
        .values_list("measure", "subject_id", "holder_key", "grade", "where", "source_type", "source_id")
    )


def test_an_a_subject_is_left_out_of_a_routine_check_and_the_measure_is_recorded(world: Any, frozen: Any) -> None:
    a, d, b = _graded(world)
    # when: a routine (non-random) check picks from the three
    kept = routine_check_subjects([a, d, b], where="日常巡查 甲街道", source_type="patrol", source_id=7)
    # then: A is left out (无事不扰), D and B stay; one row records it
    assert [s.pk for s in kept] == [d.pk, b.pk]
    assert _rows(measure="no_disturbance") == [("no_disturbance", a.pk, a.uscc, "A", "日常巡查 甲街道", "patrol", 7)]


def test_entering_d_puts_the_holder_on_the_key_supervision_list_and_entering_a_brings_the_fast_track(
    world: Any, frozen: Any
) -> None:
    a, d, b = _graded(world)
    # the grade measures were recorded once, when the grades were entered
    assert _rows(measure="key_supervision") == [
        ("key_supervision", None, d.uscc, "D", "信用等级评定", "credit.creditgrade", None)
    ]
    assert _rows(measure="fast_track") == [
        ("fast_track", None, a.uscc, "A", "信用等级评定", "credit.creditgrade", None)
    ]
    credit_grades_recompute(district_id=world.district.pk, on=ON)  # nothing changed: nothing recorded again
    assert MeasureApplication.objects.count() == 2
    # the list: D only, for staff; nothing for a business
    rows = key_supervision_list(user=world.user("dispatcher"))
    assert [(r.subject.pk, r.grade.grade) for r in rows] == [(d.pk, "D")]
    assert rows[0].listed_at is not None
    assert key_supervision_list(user=world.user("business_owner")) == []
    assert (has_fast_track(subject=a), has_fast_track(subject=b), has_fast_track(subject=d)) == (True, False, False)
    # the page, and the measure on the subject's credit file
    client = Client()
    client.force_login(world.user("dispatcher"))
    page = client.get("/credit/key-supervision/").content.decode()
    assert "店D" in page and "店A" not in page
    file = client.get(f"/credit/subjects/{d.pk}/").content.decode()
    assert "列入重点监管名单" in file and "信用等级评定" in file
    client.force_login(world.user("business_owner"))
    assert client.get("/credit/key-supervision/").status_code == 404


def test_the_draw_records_the_multiplier_it_applied(world: Any, market: Any, frozen: Any) -> None:
    d_shop, c_shop = market.subjects[0], market.subjects[1]
    _entry(world, d_shop.uscc, "penalty_severe", 1)
    _entry(world, c_shop.uscc, "penalty", 2)
    credit_grades_recompute(district_id=world.district.pk, on=ON)
    plan = plan_create(
        actor=world.user("liaison"),
        department_id=world.market_dept.pk,
        name="抽查一",
        starts_on=dt.date(2026, 7, 1),
        ends_on=dt.date(2026, 9, 30),
        target_ratio="0.08",
    )
    plan_draw(actor=world.user("liaison"), plan_id=plan.pk, public_value="v1")
    rows = list(
        MeasureApplication.objects.filter(measure="inspection_multiplier")
        .order_by("subject_id")
        .values_list("subject_id", "grade", "detail", "where", "source_id")
    )
    assert rows == [
        (d_shop.pk, "D", {"multiplier": 4.0, "drawn": True}, "抽查计划「抽查一」抽取", plan.pk),
        (c_shop.pk, "C", {"multiplier": 2.0, "drawn": rows[1][2]["drawn"]}, "抽查计划「抽查一」抽取", plan.pk),
    ]


def test_a_special_check_takes_every_subject_but_the_a_grades_and_records_the_no_disturbance(
    world: Any, market: Any, frozen: Any
) -> None:
    # given: one catering shop graded A (two commendations), one D, the rest B
    a_shop, d_shop = market.subjects[0], market.subjects[1]
    _entry(world, a_shop.uscc, "commendation", 1, ON)
    _entry(world, a_shop.uscc, "commendation", 2, ON)
    _entry(world, d_shop.uscc, "penalty_severe", 3)
    credit_grades_recompute(district_id=world.district.pk, on=ON)

    # when: the market department draws a 专项检查 (a ratio given is not what decides it) and a 双随机 plan of 100 %
    special = plan_create(
        actor=world.user("liaison"),
        department_id=world.market_dept.pk,
        name="餐饮专项",
        starts_on=dt.date(2026, 7, 1),
        ends_on=dt.date(2026, 7, 31),
        target_ratio="0.1",
        kind="special",
    )
    plan_draw(actor=world.user("liaison"), plan_id=special.pk, public_value="v1")
    random_all = plan_create(
        actor=world.user("liaison"),
        department_id=world.market_dept.pk,
        name="全数抽查",
        starts_on=dt.date(2026, 8, 1),
        ends_on=dt.date(2026, 8, 31),
        target_ratio="1",
    )
    plan_draw(actor=world.user("liaison"), plan_id=random_all.pk, public_value="v2")

    # then: the special check takes the eleven others (D included) and leaves the A shop alone, recorded on its
    # file; the random draw is not a routine check: the A shop is drawn like anyone
    def drawn(plan: Any) -> set[int]:
        return set(plan.drawn.values_list("subject_id", flat=True))

    everyone = {s.pk for s in market.subjects}
    assert (drawn(special), drawn(random_all)) == (everyone - {a_shop.pk}, everyone)
    assert _rows(measure="no_disturbance") == [
        ("no_disturbance", a_shop.pk, a_shop.uscc, "A", "专项检查计划「餐饮专项」抽取", "inspection_plan", special.pk)
    ]


def test_a_plan_of_an_unknown_kind_is_refused_and_writes_nothing(world: Any, market: Any) -> None:
    before = InspectionPlan.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        plan_create(
            actor=world.user("liaison"),
            department_id=world.market_dept.pk,
            name="某计划",
            starts_on=dt.date(2026, 7, 1),
            ends_on=dt.date(2026, 7, 31),
            target_ratio="0.1",
            kind="everyone",
        )
    assert (exc.value.code, exc.value.message, InspectionPlan.objects.count()) == (
        "plan_kind_unknown",
        "计划类型无效",
        before,
    )
