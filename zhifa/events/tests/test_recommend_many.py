"""Recommendations for a page of the command centre's queue at once (``recommend_officers_many``): the same
officers, in the same order and with the same reasons, as one event at a time — read in a fixed number of
queries whatever the number of events."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhifa.catalog.models import Domain
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.events.recommend import recommend_officers, recommend_officers_many
from zhifa.events.tests.factories import DispatchedEventFactory, TriagedEventFactory
from zhifa.events.tests.test_recommend import EVENT_LAT, EVENT_LON, NOW, _fresh_geometry, north, officer

pytestmark = pytest.mark.django_db

__all__ = ["_fresh_geometry"]  # the geometry cache is emptied around each test here too


@pytest.fixture
def page(world: Any) -> list[Any]:
    """Events in both streets, one of a domain only some officers hold, one needing two officers; officers
    near and far in both streets, one busy, one off duty, one certified for another domain only."""
    fumes = MatterFactory(department=world.enforcement_dept, district=world.district, domain=Domain.CATERING_FUMES)
    pair = MatterFactory(
        department=world.enforcement_dept,
        district=world.district,
        domain=Domain.CITY_APPEARANCE,
        requires_two_officers=True,
    )
    near_a = officer(world, at_metres=100)
    officer(world, at_metres=900, domains=(Domain.CITY_APPEARANCE, Domain.CATERING_FUMES))
    officer(world, at_metres=400, on_duty=False)
    busy = officer(world, at_metres=50)
    DispatchedEventFactory(grid=world.grid_a, officers=[busy])
    officer(world, street="b", at_metres=2000)
    officer(world, street="b", at_metres=2500, domains=(Domain.MARKET,))
    assert near_a.pk
    return [
        (TriagedEventFactory(grid=world.grid_a, lon=EVENT_LON, lat=EVENT_LAT, reported_at=NOW), 1),
        (TriagedEventFactory(grid=world.grid_a, matter=fumes, lon=EVENT_LON, lat=north(300), reported_at=NOW), 1),
        (TriagedEventFactory(grid=world.grid_a, matter=pair, lon=EVENT_LON, lat=north(600), reported_at=NOW), 2),
        (TriagedEventFactory(grid=world.grid_b, lon=EVENT_LON, lat=north(2100), reported_at=NOW), 1),
    ]


@pytest.mark.parametrize("limit", [1, 5])
def test_the_same_as_one_event_at_a_time(world: Any, page: list[Any], limit: int) -> None:
    together = recommend_officers_many(events=page, now=NOW, limit=limit)

    for event, needed in page:
        assert together[event.pk] == recommend_officers(event=event, needed=needed, now=NOW, limit=limit)
    assert {pk: len(found) for pk, found in together.items()} != {pk: 0 for pk in together}


def test_a_fixed_number_of_queries_for_a_page(world: Any, page: list[Any]) -> None:
    recommend_officers_many(events=page[1:2], now=NOW)  # the district's geometry is cached by the first call

    with CaptureQueriesContext(connection) as one:
        recommend_officers_many(events=page[1:2], now=NOW)
    with CaptureQueriesContext(connection) as four:
        recommend_officers_many(events=page, now=NOW)

    assert len(one) == len(four) == 3  # matters' domains, the geometry's stamp, the officers


def test_no_events_no_query(world: Any) -> None:
    with CaptureQueriesContext(connection) as captured:
        assert recommend_officers_many(events=[], now=NOW) == {}
    assert len(captured) == 0
