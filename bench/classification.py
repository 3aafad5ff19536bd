"""Classification of free complaint text (classify_text) on the labelled set, and its cost per text.

The shipped catalogue (zhifa/catalog/data/matters.csv) is imported into the bench district; the labelled
set (zhifa/events/data/labelled_events.csv) is split deterministically — within each matter, the 1st, 3rd,
5th… text goes to the train half and the 2nd, 4th… to the held-out half. Every accuracy is measured on the
held-out half only:

- catalogue only: the model knows nothing but the catalogue;
- with feedback: the train half is stored as operator overrides (``ClassificationFeedback`` rows on events),
  as the command centre would have left them, and the model learns from them.

Top-3 counts a text as right when its matter is among the three best candidates (the operator's pick list).
Timings are per text through ``classify_text`` on a warm model (including its one stamp query), and for the
in-memory model alone.
"""

import csv
import statistics
import time
from pathlib import Path

from django.utils import timezone

from bench.district import BenchDistrict
from bench.results import Measurement
from zhifa.catalog.importer import SHIPPED_CATALOGUE, matters_import
from zhifa.catalog.models import Matter
from zhifa.core.actors import SystemActor
from zhifa.events import classify
from zhifa.events.classify import classify_text
from zhifa.events.models import ClassificationFeedback, Event
from zhifa.events.states import EventSource
from zhifa.org.models import Department, DepartmentKind, District, Grid

LABELLED = Path(classify.__file__).resolve().parent / "data" / "labelled_events.csv"
TARGET_WITHIN_1MS = 99.0  # % of texts classified in under 1 ms (intake needs ≥ 300 events/s with triage)

# The departments the shipped catalogue names (docs/catalog.md).
DEPARTMENTS = {
    "ZHZF": "区综合行政执法局",
    "SCJG": "区市场监督管理局",
    "WGLT": "区文化广电旅游体育局",
    "YJGL": "区应急管理局",
    "WJ": "区卫生健康局",
    "GZ": "区规划和自然资源分局",
    "XF": "区消防救援大队",
    "STHJ": "区生态环境分局",
    "CG": "区城市管理局",
}


def load_shipped_catalogue(district: District) -> dict[str, Matter]:
    """The shipped catalogue in ``district`` (imported once; its departments created if missing)."""
    for code, name in DEPARTMENTS.items():
        Department.objects.get_or_create(
            district=district,
            code=code,
            defaults={"name": name, "short_name": name[1:5], "kind": DepartmentKind.DEPARTMENT, "is_sinking": True},
        )
    if not Matter.objects.filter(district=district).exists():
        matters_import(actor=SystemActor("基准测试"), district=district, path_or_file=SHIPPED_CATALOGUE)
    return {m.code: m for m in Matter.objects.filter(district=district)}


def labelled_halves() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(train, held-out) lists of (text, matter code)."""
    train: list[tuple[str, str]] = []
    held_out: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    with LABELLED.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            n = seen.get(row["matter_code"], 0)
            seen[row["matter_code"]] = n + 1
            (train if n % 2 == 0 else held_out).append((row["text"], row["matter_code"]))
    return train, held_out


def _accuracy(district_id: int, matters: dict[str, Matter], data: list[tuple[str, str]]) -> tuple[float, float, float]:
    """(top-1 %, top-3 %, no answer %)."""
    top1 = top3 = none = 0
    for text, code in data:
        result = classify_text(district_id=district_id, text=text)
        if result is None:
            none += 1
            continue
        gold = matters[code].pk
        top1 += result.matter_id == gold
        top3 += gold in [m for m, _ in result.candidates[:3]]
    n = len(data)
    return 100 * top1 / n, 100 * top3 / n, 100 * none / n


def _store_feedback(district: District, matters: dict[str, Matter], train: list[tuple[str, str]]) -> list[int]:
    grid = Grid.objects.filter(district=district).order_by("id").first()
    assert grid is not None, "the bench district has grids"
    ring = grid.boundary["coordinates"][0]
    lon = sum(p[0] for p in ring[:-1]) / (len(ring) - 1)
    lat = sum(p[1] for p in ring[:-1]) / (len(ring) - 1)
    now = timezone.now()
    events = Event.objects.bulk_create(
        Event(
            district=district,
            public_no=f"BENCHFB{i:06d}",
            source=EventSource.HOTLINE,
            description=text,
            lon=lon,
            lat=lat,
            street_id=grid.street_id,
            zone_id=grid.zone_id,
            grid=grid,
            reported_at=now,
        )
        for i, (text, _) in enumerate(train)
    )
    ClassificationFeedback.objects.bulk_create(
        ClassificationFeedback(event=event, text=text, chosen_matter=matters[code])
        for event, (text, code) in zip(events, train, strict=True)
    )
    return [e.pk for e in events]


def _percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def run(bench: BenchDistrict, workdir: Path) -> list[Measurement]:
    district = bench.district
    matters = load_shipped_catalogue(district)
    train, held_out = labelled_halves()
    unknown = {code for _, code in train + held_out} - set(matters)
    if unknown:
        raise RuntimeError(f"labelled set names matters not in the catalogue: {sorted(unknown)}")

    started = time.perf_counter()
    classify._cache.clear()
    classify_text(district_id=district.pk, text="占道经营")  # builds the model (and loads jieba's dictionary)
    build_s = time.perf_counter() - started
    catalogue_only = _accuracy(district.pk, matters, held_out)

    timings: list[float] = []
    model_timings: list[float] = []
    model = classify.matter_model(district_id=district.pk)
    for _ in range(3):
        for text, _code in held_out:
            t0 = time.perf_counter()
            classify_text(district_id=district.pk, text=text)
            timings.append((time.perf_counter() - t0) * 1e6)
            t0 = time.perf_counter()
            model.classify(text)
            model_timings.append((time.perf_counter() - t0) * 1e6)

    event_ids = _store_feedback(district, matters, train)
    classify._cache.clear()  # the overrides count at once (in a server: within ZHIFA_REFERENCE_RECHECK_S)
    with_feedback = _accuracy(district.pk, matters, held_out)
    ClassificationFeedback.objects.filter(event_id__in=event_ids).delete()
    Event.objects.filter(pk__in=event_ids).delete()
    classify._cache.clear()

    n = len(held_out)
    within = 100 * sum(1 for t in timings if t < 1000) / len(timings)
    return [
        Measurement(f"classification: held-out texts (train half {len(train)})", n, "texts"),
        Measurement("  top-1 accuracy, catalogue only", catalogue_only[0], "%"),
        Measurement("  top-3 accuracy, catalogue only", catalogue_only[1], "%"),
        Measurement("  left to the operator, catalogue only", catalogue_only[2], "%"),
        Measurement(f"  top-1 accuracy, catalogue + {len(train)} overrides", with_feedback[0], "%"),
        Measurement(f"  top-3 accuracy, catalogue + {len(train)} overrides", with_feedback[1], "%"),
        Measurement(f"  left to the operator, catalogue + {len(train)} overrides", with_feedback[2], "%"),
        Measurement(f"  model build ({len(matters)} matters, first use)", build_s * 1000, "ms"),
        Measurement("  classify_text p50 (warm, incl. stamp query)", _percentile(timings, 50), "µs"),
        Measurement("  classify_text p99 (warm, incl. stamp query)", _percentile(timings, 99), "µs"),
        Measurement("  model alone p50", _percentile(model_timings, 50), "µs"),
        Measurement("  model alone p99", _percentile(model_timings, 99), "µs"),
        Measurement("  texts classified in under 1 ms", within, "%", TARGET_WITHIN_1MS),
    ]
