"""Officer recommendation: who qualifies (duty, busy, certificate, domain, place) and in which order."""

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhifa.catalog.models import Domain
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.events import recommend
from zhifa.events.distance import METRES_PER_DEGREE_LAT
from zhifa.events.models import EventAssignment, OfficerPosition
from zhifa.events.recommend import recommend_officers
from zhifa.events.services.dispatch import officers_needed
from zhifa.events.states import EventStatus
from zhifa.events.tests.factories import DispatchedEventFactory, HandledEventFactory, TriagedEventFactory
from zhifa.org.models import DutyShift, Officer
from zhifa.org.tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 5, 6, 2, 0, tzinfo=dt.UTC)  # 10:00 in Hangzhou
EVENT_LON, EVENT_LAT = 120.105, 30.302  # street A, zone A-1; the zone's centre is 333 m north


def north(metres: float, lat: float = EVENT_LAT) -> float:
    return lat + metres / METRES_PER_DEGREE_LAT


@pytest.fixture(autouse=True)
def _fresh_geometry() -> Any:
    recommend._geometry_cache.clear()
    yield
    recommend._geometry_cache.clear()


@pytest.fixture
def matter(world: Any) -> Any:
    return MatterFactory(department=world.enforcement_dept, district=world.district, domain=Domain.CITY_APPEARANCE)


@pytest.fixture
def event(world: Any, matter: Any) -> Any:
    return TriagedEventFactory(grid=world.grid_a, matter=matter, lon=EVENT_LON, lat=EVENT_LAT, reported_at=NOW)


def officer(
    world: Any,
    *,
    street: str = "a",
    at_metres: float | None = None,
    on_duty: bool = True,
    domains: tuple[str, ...] = (Domain.CITY_APPEARANCE,),
    **kw: Any,
) -> Officer:
    zone = world.zone_a if street == "a" else world.zone_b
    values: dict[str, Any] = {
        "district": world.district,
        "home_department": world.enforcement_dept,
        "street": zone.street,
        "zone": zone,
        "certified_domains": list(domains),
    }
    values.update(kw)
    person = OfficerFactory(**values)
    if on_duty:
        DutyShift.objects.create(
            district=world.district,
            officer=person,
            starts_at=NOW - dt.timedelta(hours=2),
            ends_at=NOW + dt.timedelta(hours=6),
        )
    if at_metres is not None:
        OfficerPosition.objects.create(
            officer=person, lon=EVENT_LON, lat=north(at_metres), recorded_at=NOW - dt.timedelta(minutes=3)
        )
    return person


def ids(recommendations: list[Any]) -> list[int]:
    return [r.officer_id for r in recommendations]


def test_the_nearest_free_certified_officer_on_duty_comes_first(world: Any, event: Any) -> None:
    far = officer(world, at_metres=900)
    near = officer(world, at_metres=420)
    middle = officer(world, at_metres=600)

    result = recommend_officers(event=event, needed=1, now=NOW)

    assert ids(result) == [near.pk, middle.pk, far.pk]
    first = result[0]
    assert (first.officer_name, first.distance_m) == (near.name, 420.0)
    assert first.eta_s == round(420 * 1.3 / 4.5, 1)
    assert first.reasons == ["同片区", "距离约420米", "约3分钟到达", "实时定位"]


def test_an_officer_on_foot_is_timed_at_walking_speed_and_a_rider_further_off_comes_first(
    world: Any, event: Any
) -> None:
    walker = officer(world, at_metres=290, travel_mode="walking")
    rider = officer(world, at_metres=700)

    result = recommend_officers(event=event, needed=1, now=NOW)

    # 290 m on foot (1.3 m/s) is 290 s; 700 m riding (4.5 m/s) is 202 s — both along the road factor 1.3.
    assert ids(result) == [rider.pk, walker.pk]
    assert result[1].eta_s == pytest.approx(290 * 1.3 / 1.3, abs=0.2)
    assert result[1].reasons == ["同片区", "距离约290米", "约5分钟到达（步行）", "实时定位"]


def test_without_a_recent_position_the_zone_centre_is_the_start(world: Any, event: Any) -> None:
    person = officer(world)
    OfficerPosition.objects.create(
        officer=person, lon=EVENT_LON, lat=EVENT_LAT, recorded_at=NOW - dt.timedelta(minutes=31)
    )

    [result] = recommend_officers(event=event, needed=1, now=NOW)

    assert (result.officer_id, round(result.distance_m)) == (person.pk, 334)
    assert result.reasons == ["同片区", "距离约330米", "约2分钟到达", "按所在片区中心估算"]


@pytest.mark.parametrize(
    "excluded",
    [
        {"on_duty": False},
        {"is_active": False},
        {"certificate_valid_until": dt.date(2026, 5, 5)},
        {"domains": (Domain.MARKET,)},
        {"domains": ()},
        {"street": "a", "district": "other"},
    ],
)
def test_who_is_not_recommended(world: Any, event: Any, excluded: dict[str, Any]) -> None:
    qualified = officer(world, at_metres=500)
    if excluded.get("district") == "other":
        from zhifa.org.tests.factories import DepartmentFactory, DistrictFactory

        other = DistrictFactory(code="330106", name="西湖区")
        excluded = {"district": other, "home_department": DepartmentFactory(district=other)}
    officer(world, at_metres=100, **excluded)

    assert ids(recommend_officers(event=event, needed=1, now=NOW)) == [qualified.pk]


def test_an_officer_on_a_running_field_task_is_busy(world: Any, event: Any) -> None:
    qualified = officer(world, at_metres=500)
    busy = officer(world, at_metres=100)
    DispatchedEventFactory(grid=world.grid_a, officers=[busy])
    finished = officer(world, at_metres=200)
    HandledEventFactory(grid=world.grid_a, officers=[finished])
    released = officer(world, at_metres=300)
    other = DispatchedEventFactory(grid=world.grid_a, officers=[released])
    EventAssignment.objects.filter(event=other).update(released_at=NOW)

    assert ids(recommend_officers(event=event, needed=1, now=NOW)) == [finished.pk, released.pk, qualified.pk]


def test_an_unclassified_event_takes_any_valid_certificate(world: Any) -> None:
    unclassified = TriagedEventFactory(grid=world.grid_a, lon=EVENT_LON, lat=EVENT_LAT, reported_at=NOW)
    market = officer(world, at_metres=100, domains=(Domain.MARKET,))
    officer(world, at_metres=50, certificate_valid_until=dt.date(2026, 5, 5))

    assert ids(recommend_officers(event=unclassified, needed=1, now=NOW)) == [market.pk]


def test_the_neighbouring_street_helps_only_when_the_zone_cannot(world: Any, event: Any) -> None:
    neighbour = officer(world, street="b", at_metres=50)
    assert ids(recommend_officers(event=event, needed=1, now=NOW)) == [neighbour.pk]
    assert recommend_officers(event=event, needed=1, now=NOW)[0].reasons[0] == "邻近街道"

    own = officer(world, at_metres=800)

    assert ids(recommend_officers(event=event, needed=1, now=NOW)) == [own.pk]


def test_two_certified_officers_where_the_matter_needs_two(world: Any, event: Any, matter: Any) -> None:
    matter.requires_two_officers = True
    matter.save(update_fields=["requires_two_officers"])
    event.refresh_from_db()
    own = officer(world, at_metres=300)
    neighbour = officer(world, street="b", at_metres=700)

    result = recommend_officers(event=event, needed=officers_needed(event), now=NOW, limit=1)

    assert officers_needed(event) == 2
    assert ids(result) == [own.pk, neighbour.pk]


def test_one_officer_is_needed_by_default(world: Any, event: Any) -> None:
    unclassified = TriagedEventFactory(grid=world.grid_a, reported_at=NOW)

    assert (officers_needed(event), officers_needed(unclassified)) == (1, 1)


@pytest.mark.parametrize("count", [5, 50])
def test_the_query_count_does_not_grow_with_the_officers(world: Any, event: Any, count: int) -> None:
    for i in range(count):
        officer(world, street="ab"[i % 2], at_metres=100 + i)
    recommend_officers(event=event, needed=1, now=NOW)  # builds the district's geometry cache

    with CaptureQueriesContext(connection) as queries:
        result = recommend_officers(event=event, needed=1, now=NOW, limit=count)

    # The matter, the geometry stamp, the officers with their latest positions.
    assert (len(queries), len(result)) == (3, (count + 1) // 2)


def test_a_closed_event_officer_is_free_again(world: Any, event: Any) -> None:
    person = officer(world, at_metres=100)
    done = DispatchedEventFactory(grid=world.grid_a, officers=[person])
    assert recommend_officers(event=event, needed=1, now=NOW) == []

    done.status = EventStatus.CLOSED
    done.save(update_fields=["status"])

    assert ids(recommend_officers(event=event, needed=1, now=NOW)) == [person.pk]
