from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhifa.core.errors import NotFound, PermissionDenied
from zhifa.org.models import Officer
from zhifa.org.selectors import officer_get, officer_list, sinking_share, street_list
from zhifa.org.tests.factories import DepartmentFactory, OfficerFactory, UserFactory


def test_street_roles_see_only_their_street(world: Any) -> None:
    names = {o.name for o in officer_list(user=world.user("officer_a"))}
    assert names == {"甲队员"}
    assert list(street_list(user=world.user("auxiliary_a"))) == [world.street_a]


def test_district_roles_see_all(world: Any) -> None:
    assert {o.name for o in officer_list(user=world.user("dispatcher"))} == {"甲队员", "乙队员"}
    assert street_list(user=world.user("leader")).count() == 2


def test_officer_in_another_street_is_not_found(world: Any) -> None:
    other = Officer.objects.get(user=world.user("officer_b"))
    with pytest.raises(NotFound) as exc:
        officer_get(user=world.user("officer_a"), officer_id=other.pk)
    assert exc.value.code == "officer_not_found"


def test_liaison_sees_officers_of_their_department(world: Any) -> None:
    OfficerFactory(district=world.district, name="市监员", home_department=world.market_dept, street=world.street_b)
    assert [o.name for o in officer_list(user=world.user("liaison"))] == ["市监员"]


def test_user_without_post_sees_nothing(world: Any) -> None:
    with pytest.raises(PermissionDenied) as exc:
        officer_list(user=UserFactory(username="nobody"))
    assert exc.value.code == "no_profile"


def test_officer_list_query_count_does_not_grow_with_rows(world: Any) -> None:
    for i in range(10):
        OfficerFactory(
            district=world.district, name=f"队员{i}", home_department=world.enforcement_dept, street=world.street_a
        )
    user = type(world.user("dispatcher")).objects.get(pk=world.user("dispatcher").pk)  # as a request loads it
    with CaptureQueriesContext(connection) as ctx:
        rows = [(o.home_department.name, o.street.name if o.street else "") for o in officer_list(user=user)]
    assert len(rows) == 12
    assert len(ctx.captured_queries) == 2  # the profile, then one joined query


def test_sinking_share_is_computed_from_records(world: Any) -> None:
    # given: the world's two officers of a sinking department serve streets; add one at district level,
    # and one of a non-sinking department (not counted at all)
    OfficerFactory(district=world.district, name="区局队员", home_department=world.enforcement_dept, street=None)
    police = DepartmentFactory(district=world.district, code="GA", name="区公安分局", is_sinking=False)
    OfficerFactory(district=world.district, name="民警", home_department=police, street=world.street_a)
    share = sinking_share(district_id=world.district.pk)
    assert (share.sunk, share.total, share.percent) == (2, 3, "66.67%")
