"""Coordinate systems at the edge: everything is stored in WGS-84; GCJ-02 and BD-09 are converted on input.

GCJ-02 (国测局坐标, used by AMap/Tencent and most Chinese public web maps) offsets WGS-84 by a published
non-linear function of position, defined only inside China; BD-09 (Baidu) is a further rotation/scaling of
GCJ-02. The forward transforms are the well-known public formulas; GCJ-02 → WGS-84 has no closed form, so
it is solved by fixed-point iteration until the forward transform lands within 1e-7° (≈1 cm) of the input.
"""

import math
from enum import StrEnum

from zhifa.core.errors import ValidationFailed

_A = 6378245.0  # Krasovsky 1940 semi-major axis, as the GCJ-02 formula uses it
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0


class CoordSystem(StrEnum):
    WGS84 = "wgs84"
    GCJ02 = "gcj02"
    BD09 = "bd09"


def outside_china(lon: float, lat: float) -> bool:
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _delta(lon: float, lat: float) -> tuple[float, float]:
    x, y = lon - 105.0, lat - 35.0
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    d_lat += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    d_lat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    d_lat += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    d_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    d_lon += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    d_lon += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    d_lon += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    rad_lat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return d_lon, d_lat


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    if outside_china(lon, lat):
        return lon, lat
    d_lon, d_lat = _delta(lon, lat)
    return lon + d_lon, lat + d_lat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    if outside_china(lon, lat):
        return lon, lat
    w_lon, w_lat = lon, lat
    for _ in range(30):
        g_lon, g_lat = wgs84_to_gcj02(w_lon, w_lat)
        e_lon, e_lat = g_lon - lon, g_lat - lat
        if abs(e_lon) < 1e-9 and abs(e_lat) < 1e-9:
            break
        w_lon, w_lat = w_lon - e_lon, w_lat - e_lat
    return w_lon, w_lat


def bd09_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """The usual closed-form inverse is off by up to ~10 cm; refine it against the forward transform."""
    x, y = lon - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    g_lon, g_lat = z * math.cos(theta), z * math.sin(theta)
    for _ in range(10):
        b_lon, b_lat = gcj02_to_bd09(g_lon, g_lat)
        if abs(b_lon - lon) < 1e-10 and abs(b_lat - lat) < 1e-10:
            break
        g_lon, g_lat = g_lon - (b_lon - lon), g_lat - (b_lat - lat)
    return g_lon, g_lat


def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def to_wgs84(lon: float, lat: float, system: str = CoordSystem.WGS84) -> tuple[float, float]:
    """Validate a lon/lat pair given in ``system`` and return it in WGS-84."""
    try:
        system = CoordSystem(system)
    except ValueError:
        raise ValidationFailed(
            f"不支持的坐标系：{system}（可选 wgs84、gcj02、bd09）",
            code="coord_system_unknown",
            details={"system": system},
        ) from None
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0) or math.isnan(lon) or math.isnan(lat):
        raise ValidationFailed("经纬度超出取值范围", code="coord_out_of_range", details={"lon": lon, "lat": lat})
    if system is CoordSystem.GCJ02:
        return gcj02_to_wgs84(lon, lat)
    if system is CoordSystem.BD09:
        return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))
    return lon, lat
