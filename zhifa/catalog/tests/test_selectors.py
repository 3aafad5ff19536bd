"""Reads of the catalogue, scoped to the reader, and the category lookup the subjects app uses."""

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from zhifa.catalog.selectors import matter_get, matter_ids_by_category, matter_list, matters_for_category
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.core.errors import NotFound, PermissionDenied
from zhifa.org.tests.factories import DepartmentFactory, DistrictFactory, UserFactory


@pytest.fixture
def matters(world: Any) -> dict[str, Any]:
    return {
        "fumes": MatterFactory(
            department=world.enforcement_dept,
            code="ZJ-YY-001",
            name="超标排放油烟",
            keywords="油烟 净化器",
            subject_categories=["catering"],
            domain="catering_fumes",
        ),
        "road": MatterFactory(
            department=world.enforcement_dept,
            code="ZJ-SR-001",
            name="擅自占用城市道路",
            keywords="占道 摆摊",
            subject_categories=["street_vendor", "catering"],
        ),
        "price": MatterFactory(
            department=world.market_dept,
            code="ZJ-SC-007",
            name="不按规定明码标价",
            keywords="明码标价 价签",
            subject_categories=["*"],
            domain="market",
        ),
        "retired": MatterFactory(
            department=world.market_dept,
            code="ZJ-SC-099",
            name="已停用事项",
            is_active=False,
            subject_categories=["catering"],
            domain="market",
        ),
    }


@pytest.mark.parametrize(
    ("persona", "codes"),
    [
        ("dispatcher", ["ZJ-SC-007", "ZJ-SC-099", "ZJ-SR-001", "ZJ-YY-001"]),
        ("leader", ["ZJ-SC-007", "ZJ-SC-099", "ZJ-SR-001", "ZJ-YY-001"]),
        ("officer_a", ["ZJ-SC-007", "ZJ-SC-099", "ZJ-SR-001", "ZJ-YY-001"]),
        ("officer_b", ["ZJ-SC-007", "ZJ-SC-099", "ZJ-SR-001", "ZJ-YY-001"]),
        ("auxiliary_a", ["ZJ-SC-007", "ZJ-SC-099", "ZJ-SR-001", "ZJ-YY-001"]),
        ("liaison", ["ZJ-SC-007", "ZJ-SC-099"]),
        ("business_owner", ["ZJ-SC-007", "ZJ-SR-001", "ZJ-YY-001"]),
    ],
)
def test_matter_list_is_scoped_by_role(world: Any, matters: Any, persona: str, codes: list[str]) -> None:
    assert [m.code for m in matter_list(user=world.user(persona))] == codes


def test_matter_list_never_shows_another_districts_matters(world: Any, matters: Any) -> None:
    MatterFactory(department=DepartmentFactory(district=DistrictFactory(code="330106", name="西湖区")), code="ZJ-X-1")

    assert "ZJ-X-1" not in [m.code for m in matter_list(user=world.user("dispatcher"))]


@pytest.mark.parametrize(
    ("filters", "codes"),
    [
        ({"q": "油烟"}, ["ZJ-YY-001"]),
        ({"q": "zj-sr"}, ["ZJ-SR-001"]),
        ({"q": "明码"}, ["ZJ-SC-007"]),
        ({"q": "  "}, ["ZJ-SC-007", "ZJ-SC-099", "ZJ-SR-001", "ZJ-YY-001"]),
        ({"domain": "market"}, ["ZJ-SC-007", "ZJ-SC-099"]),
        ({"is_active": False}, ["ZJ-SC-099"]),
    ],
)
def test_matter_list_filters(world: Any, matters: Any, filters: dict[str, Any], codes: list[str]) -> None:
    assert [m.code for m in matter_list(user=world.user("dispatcher"), **filters)] == codes


def test_matter_list_filters_by_department(world: Any, matters: Any) -> None:
    found = matter_list(user=world.user("dispatcher"), department_id=world.enforcement_dept.pk)

    assert [m.code for m in found] == ["ZJ-SR-001", "ZJ-YY-001"]


@pytest.mark.parametrize("extra", [0, 12])
def test_matter_list_query_count_does_not_grow_with_rows(
    world: Any, matters: Any, extra: int, django_assert_num_queries: Any
) -> None:
    MatterFactory.create_batch(extra, department=world.market_dept)
    # A fresh user object, as the auth middleware gives a view: its profile is not cached yet.
    user = get_user_model().objects.get(username="dispatcher")

    with django_assert_num_queries(2):  # the profile, then the matters joined to their departments
        rows = [(m.code, m.department.code) for m in matter_list(user=user)]

    assert len(rows) == 4 + extra


def test_matter_get_returns_tiers_and_checklist_in_two_prefetches(
    world: Any, matters: Any, django_assert_num_queries: Any
) -> None:
    user = get_user_model().objects.get(username="liaison")

    with django_assert_num_queries(4):  # profile, matter+department, tiers, checklist
        matter = matter_get(user=user, matter_id=matters["price"].pk)
        tiers = [lv.tier for lv in matter.discretion_levels.all()]
        items = [i.text for i in matter.checklist.all()]

    assert sorted(tiers) == ["minor", "serious", "severe"]
    assert items == ["检查一", "检查二", "检查三"]


@pytest.mark.parametrize(("persona", "key"), [("liaison", "road"), ("business_owner", "retired")])
def test_matter_get_outside_scope_is_not_found(world: Any, matters: Any, persona: str, key: str) -> None:
    with pytest.raises(NotFound) as caught:
        matter_get(user=world.user(persona), matter_id=matters[key].pk)

    assert caught.value.code == "matter_not_found"


def test_user_without_post_sees_nothing(world: Any, matters: Any) -> None:
    with pytest.raises(PermissionDenied) as caught:
        list(matter_list(user=UserFactory(username="nobody")))

    assert caught.value.code == "no_profile"


def test_matters_for_category_includes_all_category_matters_and_skips_inactive(world: Any, matters: Any) -> None:
    catering = matters_for_category(district_id=world.district.pk, category="catering")
    vendor = matters_for_category(district_id=world.district.pk, category="street_vendor")
    lodging = matters_for_category(district_id=world.district.pk, category="lodging")

    assert [m.code for m in catering] == ["ZJ-SC-007", "ZJ-SR-001", "ZJ-YY-001"]
    assert [m.code for m in vendor] == ["ZJ-SC-007", "ZJ-SR-001"]
    assert [m.code for m in lodging] == ["ZJ-SC-007"]


def test_matters_for_category_matches_whole_values_only(world: Any) -> None:
    # "market" must not match "supermarket"-like values nor the "market" domain; only the exact category.
    MatterFactory(department=world.market_dept, code="ZJ-SC-001", subject_categories=["market"])
    MatterFactory(department=world.market_dept, code="ZJ-SC-002", subject_categories=["retail"], domain="market")

    assert [m.code for m in matters_for_category(district_id=world.district.pk, category="market")] == ["ZJ-SC-001"]


def test_matter_ids_by_category_is_one_query(world: Any, matters: Any, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        index = matter_ids_by_category(district_id=world.district.pk)

    assert index == {
        "catering": {matters["fumes"].pk, matters["road"].pk},
        "street_vendor": {matters["road"].pk},
        "*": {matters["price"].pk},
    }
