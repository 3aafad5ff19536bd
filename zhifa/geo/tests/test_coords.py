import pytest

from zhifa.core.errors import ValidationFailed
from zhifa.geo.coords import bd09_to_gcj02, gcj02_to_bd09, gcj02_to_wgs84, to_wgs84, wgs84_to_gcj02

# West Lake, Hangzhou. Reference offsets: GCJ-02 shifts Hangzhou by roughly +0.0045° lon / -0.0025° lat.
WGS = (120.1551, 30.2741)


def test_gcj02_offset_in_hangzhou_is_a_few_hundred_metres() -> None:
    lon, lat = wgs84_to_gcj02(*WGS)
    assert 0.003 < lon - WGS[0] < 0.006
    assert -0.004 < lat - WGS[1] < -0.001


def test_gcj02_round_trip_is_within_a_centimetre() -> None:
    back = gcj02_to_wgs84(*wgs84_to_gcj02(*WGS))
    assert back == pytest.approx(WGS, abs=1e-7)


def test_bd09_round_trip() -> None:
    gcj = wgs84_to_gcj02(*WGS)
    assert bd09_to_gcj02(*gcj02_to_bd09(*gcj)) == pytest.approx(gcj, abs=1e-6)


def test_to_wgs84_accepts_each_system() -> None:
    gcj = wgs84_to_gcj02(*WGS)
    bd = gcj02_to_bd09(*gcj)
    assert to_wgs84(*WGS, "wgs84") == WGS
    assert to_wgs84(*gcj, "gcj02") == pytest.approx(WGS, abs=1e-7)
    assert to_wgs84(*bd, "bd09") == pytest.approx(WGS, abs=1e-6)


def test_outside_china_is_left_alone() -> None:
    assert wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)


@pytest.mark.parametrize(
    ("lon", "lat", "system", "code"),
    [
        (200.0, 30.0, "wgs84", "coord_out_of_range"),
        (120.0, 95.0, "gcj02", "coord_out_of_range"),
        (120.0, 30.0, "cgcs", "coord_system_unknown"),
    ],
)
def test_bad_coordinates_are_refused(lon: float, lat: float, system: str, code: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        to_wgs84(lon, lat, system)
    assert exc.value.code == code
