from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import POINT_IN_B
from zhifa.catalog.models import Domain, Matter, SubjectCategory
from zhifa.core.errors import NotFound, PermissionDenied
from zhifa.org.models import Department
from zhifa.subjects.models import Subject
from zhifa.subjects.selectors import subject_get, subject_list, subject_matters
from zhifa.subjects.tests.factories import SubjectFactory, SubjectOwnerFactory

pytestmark = pytest.mark.django_db


def _matter(world: Any, code: str, department: Department, categories: list[str], **extra: Any) -> Matter:
    return Matter.objects.create(
        district=world.district,
        code=code,
        name=f"事项{code}",
        domain=Domain.MARKET,
        department=department,
        law_name="某某条例",
        violated_provision="第一条",
        penalty_provision="第二条",
        subject_categories=categories,
        **extra,
    )


@pytest.fixture
def subjects(world: Any) -> dict[str, Subject]:
    b_lon, b_lat = POINT_IN_B
    return {
        "a_catering": SubjectFactory(district=world.district, name="知味观", category=SubjectCategory.CATERING),
        "a_retail": SubjectFactory(district=world.district, name="联华超市", category=SubjectCategory.RETAIL),
        "b_catering": SubjectFactory(
            district=world.district, name="楼外楼", category=SubjectCategory.CATERING, lon=b_lon, lat=b_lat
        ),
        "b_site": SubjectFactory(
            district=world.district, name="某工地", category=SubjectCategory.CONSTRUCTION_SITE, lon=b_lon, lat=b_lat
        ),
    }


def _names(user: Any, **filters: Any) -> list[str]:
    return list(subject_list(user=user, **filters).values_list("name", flat=True))


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("dispatcher", ["知味观", "联华超市", "楼外楼", "某工地"]),
        ("leader", ["知味观", "联华超市", "楼外楼", "某工地"]),
        ("officer_a", ["知味观", "联华超市"]),
        ("auxiliary_a", ["知味观", "联华超市"]),
        ("officer_b", ["楼外楼", "某工地"]),
        ("business_owner", []),
    ],
)
def test_list_is_scoped_to_the_users_jurisdiction(
    world: Any, subjects: dict[str, Subject], persona: str, expected: list[str]
) -> None:
    assert _names(world.user(persona)) == expected


def test_liaison_sees_the_categories_their_department_enforces(world: Any, subjects: dict[str, Subject]) -> None:
    _matter(world, "M1", world.market_dept, ["retail"])
    _matter(world, "M2", world.market_dept, ["catering"], is_active=False)
    _matter(world, "M3", world.enforcement_dept, ["construction_site"])

    assert _names(world.user("liaison")) == ["联华超市"]


def test_liaison_of_a_department_with_a_matter_for_every_category_sees_the_district(
    world: Any, subjects: dict[str, Subject]
) -> None:
    _matter(world, "M1", world.market_dept, ["*"])

    assert len(_names(world.user("liaison"))) == 4


def test_liaison_of_a_department_without_matters_sees_nothing(world: Any, subjects: dict[str, Subject]) -> None:
    assert _names(world.user("liaison")) == []


def test_business_owner_sees_only_their_linked_subjects(world: Any, subjects: dict[str, Subject]) -> None:
    SubjectOwnerFactory(subject=subjects["b_catering"], user=world.user("business_owner"))

    assert _names(world.user("business_owner")) == ["楼外楼"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("zwg", ["知味观"]),
        ("ZWG", ["知味观"]),
        ("zhiwei", ["知味观"]),
        ("lou", ["楼外楼"]),
        ("超市", ["联华超市"]),
        ("l", ["联华超市", "楼外楼"]),
    ],
)
def test_search_by_name_and_pinyin(world: Any, subjects: dict[str, Subject], q: str, expected: list[str]) -> None:
    assert _names(world.user("dispatcher"), q=q) == expected


def test_search_by_uscc_prefix_and_address(world: Any, subjects: dict[str, Subject]) -> None:
    target = subjects["a_retail"]

    assert _names(world.user("dispatcher"), q=target.uscc[:17]) == ["联华超市"]
    assert _names(world.user("dispatcher"), q=target.address) == ["联华超市"]


def test_filters_combine_with_scope(world: Any, subjects: dict[str, Subject]) -> None:
    dispatcher = world.user("dispatcher")

    assert _names(dispatcher, street_id=world.street_b.pk, category="catering") == ["楼外楼"]
    assert _names(dispatcher, kind="vehicle") == []
    assert _names(world.user("officer_a"), street_id=world.street_b.pk) == []


def test_list_query_count_does_not_grow_with_rows(world: Any, subjects: dict[str, Subject]) -> None:
    for _ in range(10):
        SubjectFactory(district=world.district)
    user = world.user("dispatcher")
    user.refresh_from_db()
    _ = user.profile

    with CaptureQueriesContext(connection) as queries:
        rows = [(s.street.name, s.zone.name, s.grid.name) for s in subject_list(user=user)]

    assert len(rows) == 14
    assert len(queries) == 1


def test_liaison_list_costs_one_query_more_for_the_departments_categories(
    world: Any, subjects: dict[str, Subject]
) -> None:
    _matter(world, "M1", world.market_dept, ["retail", "catering"])
    user = world.user("liaison")
    _ = user.profile

    with CaptureQueriesContext(connection) as queries:
        rows = [s.street.name for s in subject_list(user=user)]

    assert len(rows) == 3
    assert len(queries) == 2


def test_get_out_of_scope_is_not_found(world: Any, subjects: dict[str, Subject]) -> None:
    with pytest.raises(NotFound) as exc:
        subject_get(user=world.user("officer_a"), subject_id=subjects["b_catering"].pk)

    assert exc.value.code == "subject_not_found"
    assert subject_get(user=world.user("officer_b"), subject_id=subjects["b_catering"].pk).name == "楼外楼"


def test_get_of_a_missing_subject_looks_the_same_as_out_of_scope(world: Any) -> None:
    with pytest.raises(NotFound) as exc:
        subject_get(user=world.user("dispatcher"), subject_id=999_999)

    assert exc.value.code == "subject_not_found"


def test_user_without_a_post_sees_nothing(world: Any, subjects: dict[str, Subject]) -> None:
    from zhifa.org.tests.factories import UserFactory

    with pytest.raises(PermissionDenied) as exc:
        subject_list(user=UserFactory(username="nobody"))

    assert exc.value.code == "no_profile"


def test_matters_that_apply_to_a_subject(world: Any, subjects: dict[str, Subject]) -> None:
    _matter(world, "M1", world.market_dept, ["catering", "retail"])
    _matter(world, "M2", world.enforcement_dept, ["*"])
    _matter(world, "M3", world.enforcement_dept, ["construction_site"])
    _matter(world, "M4", world.market_dept, ["catering"], is_active=False)

    assert [m.code for m in subject_matters(subject=subjects["a_catering"])] == ["M1", "M2"]
    assert [m.code for m in subject_matters(subject=subjects["b_site"])] == ["M2", "M3"]
