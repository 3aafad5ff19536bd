import io
from typing import Any

import pytest

from zhifa.core.actors import SystemActor
from zhifa.geo.gazetteer_import import places_import
from zhifa.geo.places import nearest_place_label, place_geocode, place_search
from zhifa.geo.tests.gazetteer_data import GOOD_CSV


@pytest.fixture
def gazetteer(world: Any) -> Any:
    f = io.BytesIO(GOOD_CSV.encode())
    f.name = "places.csv"
    places_import(actor=SystemActor("t"), district=world.district, path_or_file=f)
    return world


def _first(world: Any, query: str) -> Any:
    hits = place_search(district_id=world.district.pk, query=query)
    assert hits, f"nothing found for {query}"
    return hits[0]


def test_a_house_number_is_placed_along_its_road(gazetteer: Any) -> None:
    hit = _first(gazetteer, "杭州市拱墅区武林路128号门口有人摆摊")
    # 武林路 1–300 runs from 120.101 to 120.117 along 30.305: 128 is 127/299 of the way.
    assert (hit.name, hit.label, hit.number, hit.number_in_range) == ("武林路", "武林路128号", 128, True)
    assert hit.lon == pytest.approx(120.101 + 0.016 * 127 / 299, abs=1e-7)
    assert hit.lat == pytest.approx(30.305)
    assert _first(gazetteer, "武林路1号").lon == pytest.approx(120.101)
    assert _first(gazetteer, "武林路300号").lon == pytest.approx(120.117)


def test_the_side_of_a_road_numbered_by_sides_carries_the_number(gazetteer: Any) -> None:
    odd, even = _first(gazetteer, "体育场路51号"), _first(gazetteer, "体育场路50号")
    assert (odd.lat, even.lat) == (pytest.approx(30.308), pytest.approx(30.3082))
    assert odd.lon == pytest.approx(120.102 + 0.016 * 50 / 98)


def test_a_number_beyond_the_road_finds_its_nearest_end_and_says_so(gazetteer: Any) -> None:
    hit = _first(gazetteer, "武林路999号")
    assert (hit.number_in_range, hit.lon) == (False, pytest.approx(120.117))


@pytest.mark.parametrize("typed", ["舞林路128号", "武林露128号", "五林路128号"])
def test_a_homophone_misspelling_finds_the_road(gazetteer: Any, typed: str) -> None:
    hit = _first(gazetteer, typed)
    assert (hit.label, hit.lon) == ("武林路128号", pytest.approx(120.101 + 0.016 * 127 / 299, abs=1e-7))


def test_one_syllable_off_still_finds_the_road_but_ranks_below_the_right_sound(gazetteer: Any) -> None:
    near = _first(gazetteer, "武森路128号")
    assert near.label == "武林路128号"
    assert near.score < _first(gazetteer, "舞林路128号").score < _first(gazetteer, "武林路128号").score


@pytest.mark.parametrize("typed", ["wulinlu128", "WLL128号", "wll 128"])
def test_pinyin_and_initials_find_the_road_and_its_number(gazetteer: Any, typed: str) -> None:
    assert _first(gazetteer, typed).label == "武林路128号"


def test_landmarks_compounds_and_aliases_are_found(gazetteer: Any) -> None:
    assert _first(gazetteer, "西湖文化广场东门").kind == "landmark"
    assert _first(gazetteer, "文化广场").name == "西湖文化广场"
    assert _first(gazetteer, "老湖墅路").name == "湖墅南路"
    assert _first(gazetteer, "zhyq").name == "朝晖一区"


def test_a_beginning_lists_the_names_it_starts(gazetteer: Any) -> None:
    names = [h.name for h in place_search(district_id=gazetteer.district.pk, query="体育")]
    assert names == ["体育场路"]  # the two sides of the road, once


def test_nothing_matches_nonsense_and_results_are_bounded(gazetteer: Any) -> None:
    assert place_search(district_id=gazetteer.district.pk, query="火星基地") == []
    assert len(place_search(district_id=gazetteer.district.pk, query="路", limit=2)) <= 2


def test_a_picked_point_is_named_by_the_nearest_road_number(gazetteer: Any) -> None:
    label = nearest_place_label(district_id=gazetteer.district.pk, lon=120.101 + 0.016 * 127 / 299, lat=30.3051)
    assert label == "武林路128号附近"
    assert nearest_place_label(district_id=gazetteer.district.pk, lon=120.1195, lat=30.3005) == ""


def test_a_beginning_of_a_name_is_offered_but_never_placed_unasked(gazetteer: Any) -> None:
    assert place_search(district_id=gazetteer.district.pk, query="武林")[0].name == "武林路"
    assert place_geocode(district_id=gazetteer.district.pk, address="武林") is None
    assert place_geocode(district_id=gazetteer.district.pk, address="wul") is None
    assert place_geocode(district_id=gazetteer.district.pk, address="舞林路5号") is not None
