"""``Draws``: the seeded generators every build step draws from, shared so that one seed yields one district.

The steps take their numbers from the same generators in a fixed order (``zhifa.demo.builder`` runs them),
so a step that drew one number more or less would change every record after it: that is why the generators
live here, passed to each step, instead of each step seeding its own.
"""

import random

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from zhifa.demo import names


class Draws:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.np_rng = np.random.default_rng(seed)
        self.ids = names.UniqueIds(random.Random(seed + 1))
        # People's names are drawn by several steps (officers, owners, accounts); a name appears once if it can.
        self.used_person_names: set[str] = set()

    def person(self) -> str:
        """A person's name not used yet in this load (after fifty clashes, any name)."""
        for _ in range(50):
            name = names.person_name(self.rng)
            if name not in self.used_person_names:
                self.used_person_names.add(name)
                return name
        return names.person_name(self.rng)

    def near(self, area: BaseGeometry, lon: float, lat: float, metres: float) -> tuple[float, float]:
        """A point within about ``metres`` of (lon, lat), inside ``area`` (the district)."""
        for _ in range(50):
            x = lon + self.rng.gauss(0, metres) / 96_000
            y = lat + self.rng.gauss(0, metres) / 111_000
            if shapely.contains_xy(area, x, y):
                return x, y
        raise RuntimeError(f"({lon:.6f}, {lat:.6f}) 附近找不到区内的点")
