"""A typed address → the point of the registered subject it names."""

from typing import Any

import pytest

from zhifa.events import geocode
from zhifa.events.geocode import geocode_address, normalise_address
from zhifa.subjects.tests.factories import SubjectFactory

pytestmark = pytest.mark.django_db

SHOP = (120.1051, 30.3052)
ARCADE = (120.1152, 30.3057)
ARCADE_NO_3 = (120.1155, 30.3041)
SITE = (120.1033, 30.3077)


@pytest.fixture(autouse=True)
def _fresh_index() -> Any:
    geocode._cache.clear()
    yield
    geocode._cache.clear()


@pytest.fixture
def registry(world: Any) -> None:
    for address, (lon, lat) in [
        ("杭州市拱墅区湖墅南路154号", SHOP),
        ("杭州市拱墅区信义坊商业街", ARCADE),
        ("杭州市拱墅区信义坊商业街3号", ARCADE_NO_3),
        ("杭州市拱墅区莫干山路88号（施工现场）", SITE),
    ]:
        SubjectFactory(district=world.district, address=address, lon=lon, lat=lat)


@pytest.mark.parametrize(
    ("typed", "point"),
    [
        ("湖墅南路154号", SHOP),  # exact, without the registry's prefixes
        ("杭州市拱墅区湖墅南路154号", SHOP),
        ("浙江省杭州市 拱墅区 湖墅南路１５４号", SHOP),  # spaces, full-width digits
        ("湖墅南路154号门口有人摆摊", SHOP),  # a registered address inside the text
        ("信义坊商业街3号门口堆了好多纸箱", ARCADE_NO_3),  # the longest one inside wins
        ("信义坊商业街北口", ARCADE),
        ("湖墅南路154", SHOP),  # the text inside a registered address
        ("莫干山路88号", SITE),  # the registry's bracketed note ignored
        ("莫干山路88号（施工现场）", SITE),
    ],
)
def test_an_address_naming_a_registered_subject_gets_its_point(
    world: Any, registry: None, typed: str, point: tuple[float, float]
) -> None:
    assert geocode_address(district_id=world.district.pk, address=typed) == point


@pytest.mark.parametrize("typed", ["", "   ", "西湖区文三路1号", "湖墅", "门口有人摆摊"])
def test_an_unknown_address_is_not_guessed(world: Any, registry: None, typed: str) -> None:
    assert geocode_address(district_id=world.district.pk, address=typed) is None


def test_a_subject_registered_later_is_found(world: Any, registry: None) -> None:
    assert geocode_address(district_id=world.district.pk, address="大关路100号") is None

    SubjectFactory(district=world.district, address="杭州市拱墅区大关路100号", lon=120.1077, lat=30.3011)

    assert geocode_address(district_id=world.district.pk, address="大关路100号") == (120.1077, 30.3011)


def test_another_districts_registry_is_not_consulted(world: Any, registry: None) -> None:
    from zhifa.org.tests.factories import DistrictFactory

    other = DistrictFactory(code="330106", name="西湖区")

    assert geocode_address(district_id=other.pk, address="湖墅南路154号") is None


def test_normalisation() -> None:
    assert normalise_address("浙江省 杭州市拱墅区 湖墅南路１５４号", district_name="拱墅区") == "湖墅南路154号"
