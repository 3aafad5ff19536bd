"""The demo's gazetteer: roads with odd/even numbers along a line, landmarks and 小区, every point in its
street; found by the fuzzy search as an operator types; the same seed the same places."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from zhifa.demo.services import DemoLoadResult, demo_load
from zhifa.geo.models import Place, PlaceKind
from zhifa.geo.places import place_search
from zhifa.geo.services import locate_point
from zhifa.subjects.models import Subject


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[DemoLoadResult]:
    with django_db_blocker.unblock(), transaction.atomic():
        result = demo_load()
        yield result
        transaction.set_rollback(True)


def test_the_demo_gazetteer_has_numbered_roads_landmarks_and_compounds_in_their_streets(
    demo: DemoLoadResult, db: None
) -> None:
    district = demo.district
    kinds = {k: Place.objects.filter(district=district, kind=k).count() for k in PlaceKind}
    assert kinds[PlaceKind.ROAD] >= 100 and kinds[PlaceKind.LANDMARK] >= 12 and kinds[PlaceKind.COMPOUND] >= 40
    wulin = Place.objects.filter(district=district, name="武林路").order_by("parity")
    assert [(p.parity, p.number_from % 2) for p in wulin] == [("even", 0), ("odd", 1)]
    for place in Place.objects.filter(district=district).select_related("street")[:400]:
        assert locate_point(district_id=district.pk, lon=place.lon, lat=place.lat).street_id == place.street_id


def test_the_demo_gazetteer_answers_a_misheard_address_and_a_subjects_road(demo: DemoLoadResult, db: None) -> None:
    district_id = demo.district.pk
    [hit] = place_search(district_id=district_id, query="舞林路12号门口", limit=1)
    assert (hit.label, hit.number_in_range) == ("武林路12号", True)
    assert place_search(district_id=district_id, query="wlgc", limit=1)[0].name == "武林广场"
    # The roads the demo's subjects are registered on are in the gazetteer.
    address = (
        Subject.objects.filter(district_id=district_id, address__contains="湖墅南路")
        .values_list("address", flat=True)
        .first()
    )
    assert address is not None
    assert place_search(district_id=district_id, query=address, limit=1)[0].name == "湖墅南路"
