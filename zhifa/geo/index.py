"""Point → (street, zone, grid) with a shapely STRtree over the district's grid polygons.

Grids tile zones and zones tile streets, so the grid a point falls in names all three. An index is built
once per district and reused while the district's grids are unchanged (keyed on their count and latest
``updated_at``); it is a cache of database rows, so every process may hold its own.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.db import connection
from shapely.geometry import shape

from zhifa.core.errors import ValidationFailed
from zhifa.core.stamped import StampedCache
from zhifa.org.models import District, Grid, Street, Zone


@dataclass(frozen=True)
class Location:
    street_id: int
    zone_id: int
    grid_id: int
    # Names as of the index's stamp (grids, zones and streets unchanged since): what a reply shows.
    street_name: str = field(default="", compare=False)
    zone_name: str = field(default="", compare=False)
    grid_name: str = field(default="", compare=False)


class GridIndex:
    def __init__(self, district_id: int) -> None:
        rows = list(
            Grid.objects.filter(district_id=district_id).values_list("id", "zone_id", "street_id", "boundary", "name")
        )
        self.district_id = district_id
        self.grid_ids = np.array([r[0] for r in rows], dtype=np.int64)
        self.zone_ids = np.array([r[1] for r in rows], dtype=np.int64)
        self.street_ids = np.array([r[2] for r in rows], dtype=np.int64)
        self.tree = shapely.STRtree([shape(r[3]) for r in rows])
        self.grid_names = [r[4] for r in rows]
        self.zone_names = dict(Zone.objects.filter(district_id=district_id).values_list("id", "name"))
        self.street_names = dict(Street.objects.filter(district_id=district_id).values_list("id", "name"))

    def locate_many(self, lons: Sequence[float], lats: Sequence[float]) -> np.ndarray:
        """Index into the grid arrays for each point, or -1 where the point is in no grid."""
        points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
        found = np.full(len(points), -1, dtype=np.int64)
        point_idx, geom_idx = self.tree.query(points, predicate="intersects")
        # A point on a shared edge touches two grids; keep the first so the answer is deterministic.
        found[point_idx[::-1]] = geom_idx[::-1]
        return found

    def location_at(self, i: int) -> Location:
        street_id, zone_id = int(self.street_ids[i]), int(self.zone_ids[i])
        return Location(
            street_id,
            zone_id,
            int(self.grid_ids[i]),
            street_name=self.street_names.get(street_id, ""),
            zone_name=self.zone_names.get(zone_id, ""),
            grid_name=self.grid_names[i],
        )


# Plain SQL: checked on every intake, and compiling the ORM aggregate costs ten times the query. The
# zones' and streets' latest edits are in the key too: the index also carries their names.
_STAMP_SQL = (
    f"SELECT COUNT(*), MAX(updated_at), "
    f"(SELECT MAX(updated_at) FROM {Zone._meta.db_table} WHERE district_id = %s), "
    f"(SELECT MAX(updated_at) FROM {Street._meta.db_table} WHERE district_id = %s) "
    f"FROM {Grid._meta.db_table} WHERE district_id = %s"
)


def _stamp(district_id: int) -> tuple[object, ...]:
    with connection.cursor() as cursor:
        cursor.execute(_STAMP_SQL, [district_id, district_id, district_id])
        # SQLite hands back the MAX of a datetime column as text; the key only has to change when rows do.
        return tuple(cursor.fetchone())


_cache: StampedCache[int, GridIndex] = StampedCache(stamp=_stamp, build=GridIndex)


def grid_index(district_id: int) -> GridIndex:
    return _cache.get(district_id)


def locate_point(*, district_id: int, lon: float, lat: float) -> Location:
    """The street, zone and grid of a WGS-84 point; a point outside them is refused."""
    index = grid_index(district_id)
    found = index.locate_many([lon], [lat])[0] if len(index.grid_ids) else -1
    if found < 0:
        district = District.objects.filter(pk=district_id).values_list("name", flat=True).first() or ""
        raise ValidationFailed(
            f"所选位置不在{district}辖区内，请在辖区范围内重新选点（坐标 {lon:.6f}, {lat:.6f}）",
            code="point_outside_district",
            details={"lon": lon, "lat": lat},
        )
    return index.location_at(int(found))
