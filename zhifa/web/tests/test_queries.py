"""Pages cost the same number of queries for one row as for many: the selectors' select_related covers what
the templates show (no N+1)."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import World
from zhifa.org.tests.factories import OfficerFactory, ZoneFactory
from zhifa.web.tests.conftest import make_subject


def queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _subjects(world: World, n: int) -> None:
    for i in range(n):
        make_subject(world, in_street="ab"[i % 2], name=f"商户{i}")


def _officers(world: World, n: int) -> None:
    for _ in range(n):
        OfficerFactory(
            district=world.district, home_department=world.market_dept, street=world.street_b, zone=world.zone_b
        )


def _zones(world: World, n: int) -> None:
    for _ in range(n):
        ZoneFactory(street=world.street_b)


@pytest.mark.parametrize(
    ("url", "add"),
    [
        ("/subjects/", _subjects),
        ("/map/subjects.json", _subjects),
        ("/officers/", _officers),
        ("/map/layers.json", _zones),
    ],
)
def test_query_count_does_not_grow_with_rows(
    world: World, client_as: Any, url: str, add: Callable[[World, int], None]
) -> None:
    client = client_as("dispatcher")
    add(world, 1)
    few = queries(client, url)
    add(world, 6)
    assert queries(client, url) == few
