"""What the domain apps may use from ``geo`` (DESIGN.md: geo sits on top, reached through its services)."""

from zhifa.geo.coords import CoordSystem, to_wgs84
from zhifa.geo.index import GridIndex, Location, grid_index, locate_point

__all__ = ["CoordSystem", "GridIndex", "Location", "grid_index", "locate_point", "to_wgs84"]
