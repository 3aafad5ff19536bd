"""Pre-numbered on-the-spot decisions (简易程序, APL 52): an administrator allots an officer a range of the
kind's numbers; the officer's decisions take them in order; an exhausted range is refused."""

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings

from zhifa.core.errors import PermissionDenied, ValidationFailed
from zhifa.core.models import AuditEntry
from zhifa.documents.kinds import DocumentKind
from zhifa.documents.models import NumberRange
from zhifa.documents.samples import sample_context
from zhifa.documents.services import allot_range, issue_from_range
from zhifa.documents.tests.conftest import footprint
from zhifa.org.models import Officer

SPOT = DocumentKind.ON_THE_SPOT_DECISION
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(dt.datetime(2026, 12, 4, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


def _officer(world: Any, persona: str) -> Officer:
    return Officer.objects.get(user=world.user(persona))


def _spot(world: Any, officer: Officer, owner: str) -> Any:
    return issue_from_range(officer=officer, owner=owner, context=sample_context(SPOT), actor=officer.user)


def test_apl_52_ranges_do_not_overlap_and_each_officer_draws_from_their_own(world: Any, admin_user: Any) -> None:
    a, b = _officer(world, "officer_a"), _officer(world, "officer_b")
    range_a = allot_range(officer=a, count=3, actor=admin_user)
    range_b = allot_range(officer=b, count=2, actor=admin_user)
    assert [(r.first, r.last) for r in (range_a, range_b)] == [(1, 3), (4, 5)]

    numbers = [_spot(world, b, "case:1").number, _spot(world, a, "case:2").number, _spot(world, a, "case:3").number]
    assert numbers == [
        "杭拱综执当罚决字〔2026〕第0004号",
        "杭拱综执当罚决字〔2026〕第0001号",
        "杭拱综执当罚决字〔2026〕第0002号",
    ]
    range_a.refresh_from_db()
    assert (range_a.next_number, range_a.remaining) == (3, 1)
    assert AuditEntry.objects.filter(action="document.number_range_allot").count() == 2


def test_apl_52_an_exhausted_range_is_refused_and_writes_nothing(world: Any, admin_user: Any) -> None:
    # Given an officer whose one-number range is used up
    a = _officer(world, "officer_a")
    allot_range(officer=a, count=1, actor=admin_user)
    _spot(world, a, "case:1")
    before = footprint(Path(settings.MEDIA_ROOT))
    # When they issue another on-the-spot decision
    with pytest.raises(ValidationFailed) as refused:
        _spot(world, a, "case:2")
    # Then it is refused with its own code, and nothing is written
    assert refused.value.code == "number_range_exhausted"
    assert footprint(Path(settings.MEDIA_ROOT)) == before
    # and a new range carries on after the numbers already given out
    allot_range(officer=a, count=5, actor=admin_user)
    assert _spot(world, a, "case:2").number == "杭拱综执当罚决字〔2026〕第0002号"


def test_an_officer_with_no_range_is_refused(world: Any) -> None:
    with pytest.raises(ValidationFailed) as refused:
        _spot(world, _officer(world, "officer_a"), "case:1")
    assert refused.value.code == "number_range_exhausted"


@pytest.mark.parametrize("persona", ["officer_a", "dispatcher", "leader"])
def test_only_an_administrator_allots_ranges(world: Any, persona: str) -> None:
    with pytest.raises(PermissionDenied) as refused:
        allot_range(officer=_officer(world, "officer_a"), count=10, actor=world.user(persona))
    assert refused.value.code == "number_range_allot_forbidden"
    assert NumberRange.objects.count() == 0


@pytest.mark.parametrize("count", [0, 1001])
def test_a_range_size_outside_1_to_1000_is_refused(world: Any, admin_user: Any, count: int) -> None:
    with pytest.raises(ValidationFailed) as refused:
        allot_range(officer=_officer(world, "officer_a"), count=count, actor=admin_user)
    assert refused.value.code == "number_range_count_invalid"
    assert NumberRange.objects.count() == 0


def test_the_admin_allots_a_range_through_the_service_and_refuses_another_districts_officer(
    world: Any, sign_in: Any
) -> None:
    from zhifa.org.roles import Role
    from zhifa.org.tests.factories import DistrictFactory, OfficerFactory, ProfileFactory, UserFactory

    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    ProfileFactory(user=root, district=world.district, role=Role.ADMIN, display_name="root")
    elsewhere = OfficerFactory(district=DistrictFactory(code="330106", agency_abbreviation="杭西综执"))
    admin = sign_in(root)
    a = _officer(world, "officer_a")

    added = admin.post("/admin/documents/numberrange/add/", {"officer": a.pk, "count": 50})
    refused = admin.post("/admin/documents/numberrange/add/", {"officer": elsewhere.pk, "count": 50})

    assert added.status_code == 302
    assert list(NumberRange.objects.values_list("officer_id", "first", "last", "next_number", "allotted_by")) == [
        (a.pk, 1, 50, 1, root.pk)
    ]
    assert AuditEntry.objects.filter(action="document.number_range_allot").count() == 1
    assert refused.status_code == 200
    assert "只有本区系统管理员可以分配文书号段" in refused.content.decode()
