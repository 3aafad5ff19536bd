"""Fuzzy address search (``zhifa.geo.places``) over a gazetteer of 5,000 roads (two sides each) and 2,000
landmarks and 小区: the time of one query as the hotline form asks it (a typed address with a house number,
a homophone spelling, initials), and of building the per-process index."""

import random
import statistics
import time
from pathlib import Path

import numpy as np

from bench.district import BenchDistrict, random_points
from bench.results import Measurement
from zhifa.geo import places
from zhifa.geo.models import NumberParity, Place, PlaceKind
from zhifa.geo.places import place_search
from zhifa.geo.services import GridIndex

ROADS = 5_000
POINTS = 2_000
QUERIES = 200
MAX_QUERY_MS = 100.0  # the search box asks on every pause in typing: it must answer well inside a keystroke gap
# Characters names are drawn from (two or three per name, then 路 / 街 / 巷, or 广场 / 小区 / 公园)
CHARS = "武林体育场湖墅南北东西中山朝晖潮王上塘香积寺建国凤起长庆石桥华丰祥东新德胜文晖米市大兜信义小河和睦莫干登云丰潭关蔡马半康祥园"
HOMOPHONES = {"武": "舞", "林": "临", "湖": "胡", "山": "衫", "王": "望", "桥": "乔", "文": "闻", "和": "禾"}


def _name(rng: random.Random, suffixes: tuple[str, ...]) -> str:
    return "".join(rng.choice(CHARS) for _ in range(rng.choice((2, 3)))) + rng.choice(suffixes)


def run(bench: BenchDistrict, workdir: Path) -> list[Measurement]:
    rng = random.Random(16)
    index = GridIndex(bench.district.pk)
    street_ids = index.street_ids.tolist()
    lons, lats = random_points(bench, 2 * ROADS + POINTS, np.random.default_rng(16))
    found = index.locate_many(lons.tolist(), lats.tolist()).tolist()
    rows: list[Place] = []
    names: set[str] = set()
    for i in range(ROADS):
        name = _name(rng, ("路", "街", "巷"))
        if name in names:
            continue
        names.add(name)
        a, b = (float(lons[2 * i]), float(lats[2 * i])), (float(lons[2 * i + 1]), float(lats[2 * i + 1]))
        for parity, low, high in ((NumberParity.ODD, 1, 199), (NumberParity.EVEN, 2, 200)):
            rows.append(
                Place(
                    district=bench.district,
                    kind=PlaceKind.ROAD,
                    name=name,
                    lon=a[0],
                    lat=a[1],
                    line=[a, b],
                    number_from=low,
                    number_to=high,
                    parity=parity,
                    street_id=street_ids[found[2 * i]],
                )
            )
    for k in range(POINTS):
        j = 2 * ROADS + k
        name = _name(rng, ("广场", "小区", "公园", "大厦"))
        if name in names:
            continue
        names.add(name)
        kind = PlaceKind.COMPOUND if name.endswith("小区") else PlaceKind.LANDMARK
        rows.append(
            Place(
                district=bench.district,
                kind=kind,
                name=name,
                lon=float(lons[j]),
                lat=float(lats[j]),
                street_id=street_ids[found[j]],
            )
        )
    Place.objects.bulk_create(rows, batch_size=2000)

    places._cache.clear()
    started = time.perf_counter()
    place_search(district_id=bench.district.pk, query="预热")
    built = time.perf_counter() - started

    roads = [r.name for r in rows if r.kind == PlaceKind.ROAD][::2]
    queries = []
    for _ in range(QUERIES):
        road = rng.choice(roads)
        number = rng.randint(1, 200)
        misheard = "".join(HOMOPHONES.get(c, c) for c in road)
        queries.append(rng.choice((f"{road}{number}号门口有人摆摊", f"{misheard}{number}号", road[:2])))
    times = []
    for query in queries:
        started = time.perf_counter()
        place_search(district_id=bench.district.pk, query=query)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    Place.objects.filter(district=bench.district).delete()
    return [
        Measurement(f"gazetteer index build ({len(rows):,} places)", built * 1000, "ms"),
        Measurement("address search, median of 200 typed queries", statistics.median(times), "ms", None, MAX_QUERY_MS),
        Measurement("address search, 95th percentile", p95, "ms", None, MAX_QUERY_MS),
    ]
