"""Duplicate reports: the earliest open event of the same matter within the radius and the time window."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from zhifa.catalog.tests.factories import MatterFactory
from zhifa.events.dedup import find_duplicate
from zhifa.events.distance import METRES_PER_DEGREE_LAT, haversine_m
from zhifa.events.models import Event
from zhifa.events.states import EventStatus
from zhifa.events.tests.factories import ClosedEventFactory, EventFactory, TriagedEventFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 5, 6, 9, 0, tzinfo=dt.UTC)
LON, LAT = 120.105, 30.305


def north_of(metres: float) -> float:
    return LAT + metres / METRES_PER_DEGREE_LAT


@pytest.fixture
def matter(world: Any) -> Any:
    return MatterFactory(department=world.enforcement_dept, district=world.district)


def make(
    world: Any, matter: Any, *, minutes: float = 0, lat: float = LAT, factory: Any = EventFactory, **kw: Any
) -> Event:
    values = {
        "grid": world.grid_a,
        "matter": matter,
        "lon": LON,
        "lat": lat,
        "reported_at": T0 + dt.timedelta(minutes=minutes),
    }
    values.update(kw)
    return factory(**values)


def test_a_report_nearby_soon_after_duplicates_the_open_event(world: Any, matter: Any) -> None:
    primary = make(world, matter, factory=TriagedEventFactory)
    later = make(world, matter, minutes=30, lat=north_of(80))

    assert find_duplicate(event=later) == primary


def test_the_earliest_of_several_open_events_is_the_primary(world: Any, matter: Any) -> None:
    first = make(world, matter, minutes=0)
    make(world, matter, minutes=10, lat=north_of(20))
    newest = make(world, matter, minutes=20, lat=north_of(40))

    assert find_duplicate(event=newest) == first


def test_the_first_report_has_no_duplicate(world: Any, matter: Any) -> None:
    first = make(world, matter)
    make(world, matter, minutes=5)

    assert find_duplicate(event=first) is None


@pytest.mark.parametrize(
    ("minutes", "metres", "is_duplicate"),
    [
        (119, 99, True),
        (120, 0, True),
        (121, 0, False),  # outside the 120-minute window
        (10, 101, False),  # outside the 100-metre radius
    ],
)
def test_radius_and_window_bound_the_match(
    world: Any, matter: Any, minutes: int, metres: float, is_duplicate: bool
) -> None:
    primary = make(world, matter)
    later = make(world, matter, minutes=minutes, lat=north_of(metres))

    assert round(haversine_m(LON, LAT, LON, north_of(metres)), 3) == metres
    assert find_duplicate(event=later) == (primary if is_duplicate else None)


def test_another_matter_is_not_a_duplicate(world: Any, matter: Any) -> None:
    make(world, matter)
    other = MatterFactory(department=world.enforcement_dept, district=world.district)
    later = make(world, other, minutes=5)

    assert find_duplicate(event=later) is None


def test_an_unclassified_event_has_no_duplicate(world: Any, matter: Any) -> None:
    make(world, None)
    make(world, matter)
    later = make(world, None, minutes=5)

    assert find_duplicate(event=later) is None


@pytest.mark.parametrize("status", [EventStatus.CLOSED, EventStatus.REJECTED, EventStatus.MERGED])
def test_a_finished_event_is_not_a_primary(world: Any, matter: Any, status: str) -> None:
    make(world, matter, factory=ClosedEventFactory, status=status)
    later = make(world, matter, minutes=5)

    assert find_duplicate(event=later) is None


def test_an_event_merged_elsewhere_is_skipped_for_the_open_primary(world: Any, matter: Any) -> None:
    primary = make(world, matter, minutes=0, lat=north_of(90))
    make(world, matter, minutes=1, status=EventStatus.MERGED, merged_into=primary)
    later = make(world, matter, minutes=5)

    assert find_duplicate(event=later) == primary


def test_an_unsaved_event_is_matched_too(world: Any, matter: Any) -> None:
    primary = make(world, matter)
    draft = Event(district=world.district, matter=matter, lon=LON, lat=LAT, reported_at=T0 + dt.timedelta(minutes=1))

    assert find_duplicate(event=draft) == primary


def test_events_of_another_district_are_not_duplicates(world: Any, matter: Any) -> None:
    from zhifa.org.tests.factories import DistrictFactory, GridFactory, StreetFactory, ZoneFactory

    other_district = DistrictFactory(code="330106", name="西湖区")
    grid = GridFactory(zone=ZoneFactory(street=StreetFactory(district=other_district)))
    EventFactory(grid=grid, matter=matter, lon=LON, lat=LAT, reported_at=T0)
    later = make(world, matter, minutes=5)

    assert find_duplicate(event=later) is None
    assert timezone.is_aware(later.reported_at)


def _prepared_on_this_connection(fragment: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", [f"%{fragment}%"])
        return int(cursor.fetchone()[0])


def test_the_dedup_query_is_planned_for_its_values_every_time(world: Any, matter: Any) -> None:
    """PostgreSQL would otherwise keep the plan it chose while the table was small (ADR 0007): the dedup
    query is never prepared, while the connection still prepares a statement run as often."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    primary = make(world, matter, factory=TriagedEventFactory)
    later = make(world, matter, minutes=30, lat=north_of(80))
    threshold = connection.connection.prepare_threshold

    for _ in range(threshold + 3):
        assert find_duplicate(event=later) == primary
        assert Event.objects.filter(pk=primary.pk).exists()

    assert _prepared_on_this_connection("e.lon, e.lat") == 0
    assert _prepared_on_this_connection('FROM "events_event"') >= 1  # the ORM's exists(), prepared as usual
    assert connection.connection.prepare_threshold == threshold
