"""The map's JSON endpoints: boundaries and subjects as GeoJSON, scoped, without personal data."""

from typing import Any

import pytest

from conftest import World
from zhifa.subjects.models import Subject
from zhifa.web import geojson


def test_layers_are_feature_collections(world: World, client_as: Any) -> None:
    data = client_as("dispatcher").get("/map/layers.json").json()

    assert set(data) == {"district", "streets", "zones"}
    assert [f["properties"]["name"] for f in data["district"]["features"]] == ["拱墅区"]
    assert [f["properties"]["name"] for f in data["streets"]["features"]] == ["甲街道", "乙街道"]
    assert [(f["properties"]["street"], f["properties"]["name"]) for f in data["zones"]["features"]] == [
        ("甲街道", "甲一片区"),
        ("乙街道", "乙一片区"),
    ]
    street_a = data["streets"]["features"][0]
    assert street_a["geometry"] == world.street_a.boundary
    assert street_a["properties"]["is_approximate"] is True


def test_subjects_are_points_without_personal_data(client_as: Any, subject_a: Subject, subject_b: Subject) -> None:
    data = client_as("dispatcher").get("/map/subjects.json").json()

    assert data["type"] == "FeatureCollection"
    assert data["is_complete"] is True
    feature = data["features"][0]
    assert feature == {
        "type": "Feature",
        "id": subject_a.pk,
        "geometry": {"type": "Point", "coordinates": [120.105, 30.305]},
        "properties": {
            "id": subject_a.pk,
            "name": "知味观餐饮店",
            "address": "甲街道湖墅南路100号",
            "category": "catering",
            "category_label": "餐饮",
            "street": "甲街道",
            "colour": "#e4572e",
            "url": f"/subjects/{subject_a.pk}/",
        },
    }
    assert len(data["features"]) == 2


def test_beyond_the_limit_only_the_box_is_sent(
    monkeypatch: pytest.MonkeyPatch, client_as: Any, subject_a: Subject, subject_b: Subject
) -> None:
    monkeypatch.setattr(geojson, "ALL_SUBJECTS_LIMIT", 1)

    data = client_as("dispatcher").get("/map/subjects.json?bbox=120.11,30.30,120.12,30.31").json()

    assert data["is_complete"] is False
    assert [f["properties"]["name"] for f in data["features"]] == ["乙街烧烤摊"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("120.1,30.3,120.2,30.4", (120.1, 30.3, 120.2, 30.4)),
        (None, None),
        ("", None),
        ("1,2,3", None),
        ("a,b,c,d", None),
        ("120.2,30.3,120.1,30.4", None),
    ],
)
def test_parse_bbox(raw: str | None, expected: tuple[float, ...] | None) -> None:
    assert geojson.parse_bbox(raw) == expected
