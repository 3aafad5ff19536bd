import io
from typing import Any

import pytest
from django.urls import reverse

from conftest import POINT_OUTSIDE
from zhifa.core.actors import SystemActor
from zhifa.geo.gazetteer_import import places_import
from zhifa.geo.tests.gazetteer_data import GOOD_CSV
from zhifa.org.roles import Role
from zhifa.org.tests.factories import DistrictFactory, ProfileFactory, UserFactory, square


@pytest.fixture
def gazetteer(world: Any) -> Any:
    f = io.BytesIO(GOOD_CSV.encode())
    f.name = "places.csv"
    places_import(actor=SystemActor("t"), district=world.district, path_or_file=f)
    return world


def test_the_search_answers_fuzzy_spellings_with_labels_and_points(gazetteer: Any, sign_in: Any) -> None:
    client = sign_in(gazetteer.user("dispatcher"))
    body = client.get(reverse("web:map-places"), {"q": "舞林路128号"}).json()
    first = body["results"][0]
    assert (first["label"], first["kind_label"], first["street"]) == ("武林路128号", "道路", "甲街道")
    assert first["lon"] == pytest.approx(120.101 + 0.016 * 127 / 299, abs=1e-6)
    assert len(client.get(reverse("web:map-places"), {"q": "路", "limit": "500"}).json()["results"]) <= 20


def test_the_search_is_scoped_to_the_users_district(gazetteer: Any, sign_in: Any, client: Any) -> None:
    assert client.get(reverse("web:map-places"), {"q": "武林路"}).status_code == 302  # signed out
    other = DistrictFactory(code="330106", name="西湖区", boundary=square(121.0, 30.0, 0.02))
    stranger = UserFactory(username="xihu_dispatcher")
    ProfileFactory(user=stranger, district=other, role=Role.DISPATCHER, display_name="西湖调度")
    sign_in(stranger)
    assert client.get(reverse("web:map-places"), {"q": "武林路"}).json()["results"] == []
    sign_in(gazetteer.user("officer_b"))
    assert client.get(reverse("web:map-places"), {"q": "武林路"}).json()["results"][0]["name"] == "武林路"


def test_a_clicked_point_is_named_or_refused_outside_the_district(gazetteer: Any, sign_in: Any) -> None:
    client = sign_in(gazetteer.user("dispatcher"))
    inside = client.get(reverse("web:map-where"), {"lon": 120.101 + 0.016 * 127 / 299, "lat": 30.3051}).json()
    assert inside == {
        "inside": True,
        "street": "甲街道",
        "near": "武林路128号附近",
        "label": "武林路128号附近 · 甲街道",
    }
    outside = client.get(reverse("web:map-where"), {"lon": POINT_OUTSIDE[0], "lat": POINT_OUTSIDE[1]}).json()
    assert outside["inside"] is False and outside["code"] == "point_outside_district"
    assert outside["message"].startswith("所选位置不在拱墅区辖区内")
    assert client.get(reverse("web:map-where"), {"lon": "x", "lat": "1"}).status_code == 400


def test_the_roads_of_the_gazetteer_are_drawn_as_lines(gazetteer: Any, sign_in: Any) -> None:
    client = sign_in(gazetteer.user("dispatcher"))
    body = client.get(reverse("web:map-roads")).json()
    names = [f["properties"]["name"] for f in body["features"]]
    assert names == ["体育场路", "体育场路", "武林路", "湖墅南路"]
    assert body["features"][2]["geometry"] == {
        "type": "LineString",
        "coordinates": [[120.101, 30.305], [120.117, 30.305]],
    }
