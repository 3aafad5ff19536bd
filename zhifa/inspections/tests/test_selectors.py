"""Who reads which plans, and what the publication shows (issue 12 part 2)."""

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from zhifa.core import batches
from zhifa.core.errors import NotFound, PermissionDenied
from zhifa.inspections import selectors
from zhifa.inspections.models import InspectionCheck, InspectionFinding, JointInspection, RectificationOrder
from zhifa.inspections.publication import mask_subject_name
from zhifa.inspections.selectors import plan_get, plan_list, public_plan, public_plans
from zhifa.inspections.services import plan_create, plan_draw
from zhifa.inspections.states import RectificationStatus, VisitStatus


def _plan(world: Any, department: Any, name: str) -> Any:
    return plan_create(
        actor=world.user("dispatcher"),
        department_id=department.pk,
        name=name,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 3, 31),
        target_ratio="0.5",
    )


def test_a_department_sees_only_its_own_plans_the_district_all(world: Any) -> None:
    market = _plan(world, world.market_dept, "市场监管抽查")
    enforcement = _plan(world, world.enforcement_dept, "综合执法抽查")

    assert [p.name for p in plan_list(user=world.user("liaison"))] == ["市场监管抽查"]
    assert {p.name for p in plan_list(user=world.user("dispatcher"))} == {"市场监管抽查", "综合执法抽查"}
    assert {p.name for p in plan_list(user=world.user("leader"))} == {"市场监管抽查", "综合执法抽查"}
    assert plan_get(user=world.user("liaison"), plan_id=market.pk) == market
    with pytest.raises(NotFound):
        plan_get(user=world.user("liaison"), plan_id=enforcement.pk)


@pytest.mark.parametrize("persona", ["officer_a", "street_dispatcher_a", "business_owner"])
def test_street_roles_and_owners_see_no_plans(world: Any, persona: str) -> None:
    _plan(world, world.market_dept, "市场监管抽查")
    with pytest.raises(PermissionDenied):
        plan_list(user=world.user(persona))


@pytest.mark.parametrize(
    ("name", "kind", "shown"),
    [
        ("杭州知味观餐饮有限公司", "business", "杭＊＊＊＊＊＊＊＊公司"),
        ("李大伟", "street_vendor", "李某某"),
        ("王记面馆", "individual_trader", "王某某"),
        ("宏达", "business", "宏＊"),
        ("", "business", ""),
    ],
)
def test_subject_names_are_masked_for_publication(name: str, kind: str, shown: str) -> None:
    assert mask_subject_name(name, kind=kind) == shown


def test_the_publication_lists_drawn_plans_only_with_masked_names(world: Any, market: Any) -> None:
    drawn = _plan(world, world.market_dept, "市场监管抽查")
    _plan(world, world.market_dept, "未抽取的计划")
    plan_draw(actor=world.user("dispatcher"), plan_id=drawn.pk, public_value="385")

    _, published = public_plans()

    assert [p.plan.name for p in published] == ["市场监管抽查"]
    assert published[0].eligible == 12
    assert len(published[0].subjects) == published[0].drawn == 6
    drawn_names = [row.subject.name for row in drawn.drawn.order_by("position")]
    assert [s.name for s in published[0].subjects] == [mask_subject_name(n, kind="business") for n in drawn_names]
    assert not {s.name for s in published[0].subjects} & {s.name for s in market.subjects}


def test_the_plan_list_reads_the_same_number_of_queries_for_one_and_five_plans(
    world: Any, django_assert_num_queries: Any
) -> None:
    _plan(world, world.market_dept, "计划0")
    with django_assert_num_queries(1):  # the plans with their department and count (the post is loaded with the user)
        assert len(list(plan_list(user=world.user("liaison")))) == 1
    for n in range(1, 5):
        _plan(world, world.market_dept, f"计划{n}")
    with django_assert_num_queries(1):
        assert len(list(plan_list(user=world.user("liaison")))) == 5


@pytest.mark.parametrize("batch", [None, 1], ids=["one read", "a read per visit"])
def test_the_publication_shows_each_drawn_subjects_result_once_its_visit_is_signed(
    world: Any, market: Any, batch: int | None, monkeypatch: Any
) -> None:
    """The same results whether the signed visits' problems are read at once or in batches (every drawn plan's
    visits, over the years, can be more than a statement takes parameters)."""
    if batch is not None:
        monkeypatch.setattr(batches, "BATCH", batch)
    # given: a drawn plan; the first drawn subject's visit signed with two problems, one of them rectified; the
    # second's visit started; the third's signed with one problem, rectified; the rest not yet inspected
    plan = _plan(world, world.market_dept, "市场监管抽查")
    plan_draw(actor=world.user("dispatcher"), plan_id=plan.pk, public_value="385")
    first, second, third = plan.drawn.order_by("position")[:3]
    officer = market.officers[0]
    now = timezone.now()

    def visit(row: Any, status: str) -> JointInspection:
        made = JointInspection.objects.create(
            district=world.district,
            subject=row.subject,
            street=row.subject.street,
            earliest=plan.starts_on,
            latest=plan.ends_on,
            status=status,
            merged_by="测试",
        )
        InspectionCheck.objects.create(plan_subject=row, inspection=made, department=world.market_dept)
        return made

    visit(second, VisitStatus.STARTED)
    problems = (
        (first, visit(first, VisitStatus.SIGNED), (True, False)),
        (third, visit(third, VisitStatus.SIGNED), (True,)),
    )
    for row, signed, rectified_or_not in problems:
        for n, rectified in enumerate(rectified_or_not):
            finding = InspectionFinding.objects.create(
                inspection=signed,
                department=world.market_dept,
                severity="general",
                description=f"问题{n}",
                recorded_by=officer,
                recorded_at=now,
            )
            RectificationOrder.objects.create(
                district=world.district,
                finding=finding,
                subject=row.subject,
                street=row.subject.street,
                department=world.market_dept,
                severity="general",
                requirement="整改",
                status=RectificationStatus.RECTIFIED if rectified else RectificationStatus.ISSUED,
                issued_at=now,
                issued_by=officer,
                deadline=now.date(),
                deadline_rule="测试",
            )

    # when: the public reads the plans
    _, [published] = public_plans()

    # then: results as the public may read them, no names or details of the problems
    assert [s.result for s in published.subjects][:4] == [
        "已检查，发现问题 2 个，已整改 1 个",
        "检查中",
        "已检查，发现问题 1 个，已整改 1 个",
        "待检查",
    ]
    assert "问题0" not in str(published.subjects)


def test_the_publication_is_paged_and_a_plans_own_page_lists_every_subject(
    world: Any, market: Any, monkeypatch: Any
) -> None:
    # Years of plans, each drawing many: the public list shows the newest plans a page at a time with their first
    # subjects; a plan's own page lists them all, paged. (Small page sizes here: 12 shops in the known world.)
    monkeypatch.setattr(selectors, "PUBLIC_PLANS_PER_PAGE", 2)
    monkeypatch.setattr(selectors, "PUBLIC_SUBJECTS_PREVIEW", 4)
    monkeypatch.setattr(selectors, "PUBLIC_SUBJECTS_PER_PAGE", 4)
    plans = [_plan(world, world.market_dept, f"抽查{n}") for n in range(3)]
    for n, plan in enumerate(plans):
        with time_machine.travel(dt.datetime(2026, 1, 1 + n, 9, tzinfo=dt.UTC), tick=False):
            plan_draw(actor=world.user("dispatcher"), plan_id=plan.pk, public_value=f"38{n}")
    first, shown = public_plans()
    assert [p.plan.name for p in shown] == ["抽查2", "抽查1"] and first.paginator.num_pages == 2
    assert [(p.drawn, len(p.subjects)) for p in shown] == [(6, 4), (6, 4)]
    last, shown = public_plans(page="99")  # out of range: the last page
    assert last.number == 2 and [p.plan.name for p in shown] == ["抽查0"]
    found = public_plan(plan_id=plans[0].pk, page="2")
    assert found is not None
    published, page = found
    drawn = [mask_subject_name(r.subject.name, kind="business") for r in plans[0].drawn.order_by("position")]
    assert (published.drawn, page.number, [s.name for s in published.subjects]) == (6, 2, drawn[4:])
    undrawn = _plan(world, world.market_dept, "未抽取")
    assert public_plan(plan_id=undrawn.pk) is None
