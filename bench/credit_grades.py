"""Credit grades (issue 13 part 3): recompute the grades of many subjects with the district's scoring model, as the
nightly ``credit_refresh --all`` does. Synthetic subjects with a USCC each; one in five has a penalty on file,
one in ten a commendation, one in fifty a revoked licence (veto), one in twenty-five two fresh commendations (A). Three runs: the first writes every grade, the
second (same day) finds nothing changed, the third (a month later) rewrites those whose decay moved the score.
Reported in subjects per second; the issue's target is 100,000 subjects in under 60 s on SQLite."""

import datetime as dt
import time
from pathlib import Path

from bench.district import BenchDistrict
from bench.results import Measurement
from zhifa.catalog.models import SubjectCategory
from zhifa.core.identifiers import uscc_check_char
from zhifa.credit.models import CreditEntry, CreditGrade, MeasureApplication, SourceType
from zhifa.credit.services import credit_grades_recompute
from zhifa.org.models import Grid
from zhifa.subjects.models import Subject, SubjectKind

SUBJECTS = 100_000
ON = dt.date(2026, 6, 1)
TARGET_SECONDS = 60.0  # the issue: 100,000 subjects in under 60 s on SQLite
TARGET_PER_S = 100_000 / TARGET_SECONDS


def _uscc(n: int) -> str:
    first17 = f"91330199{n:09d}"
    return first17 + uscc_check_char(first17)


def _setup(bench: BenchDistrict) -> list[str]:
    grid = Grid.objects.filter(zone__street__district=bench.district).select_related("zone").first()
    assert grid is not None
    keys = [_uscc(70_000_000 + i) for i in range(SUBJECTS)]
    Subject.objects.bulk_create(
        [
            Subject(
                district=bench.district,
                kind=SubjectKind.BUSINESS,
                category=SubjectCategory.CATERING,
                name=f"信用基准餐饮{i}",
                uscc=key,
                address=f"基准路{i}号",
                lon=bench.west,
                lat=bench.south,
                street_id=grid.zone.street_id,
                zone_id=grid.zone_id,
                grid_id=grid.pk,
            )
            for i, key in enumerate(keys)
        ],
        batch_size=2000,
    )
    entries = []
    for i, key in enumerate(keys):
        kinds = (["penalty"] if i % 5 == 0 else []) + (["commendation"] if i % 10 == 3 else [])
        kinds += ["penalty_severe"] if i % 50 == 7 else []
        kinds += ["fresh_commendation", "fresh_commendation"] if i % 25 == 11 else []
        for kind in kinds:
            day = ON if kind == "fresh_commendation" else ON - dt.timedelta(days=(i * 37) % 1500)
            kind = "commendation" if kind == "fresh_commendation" else kind
            entries.append(
                CreditEntry(
                    district=bench.district,
                    holder_key=key,
                    holder_name=f"信用基准餐饮{i}",
                    kind=kind,
                    category="positive" if kind == "commendation" else "negative",
                    title="基准信息",
                    occurred_on=day,
                    expires_on=day.replace(year=day.year + 5),
                    legal_basis="基准",
                    source_type=SourceType.DOCUMENT,
                    source_reference=f"基准{i}",
                )
            )
    CreditEntry.objects.bulk_create(entries, batch_size=2000)
    return keys


def run(bench: BenchDistrict, workdir: Path) -> list[Measurement]:
    keys = _setup(bench)
    district_id = bench.district.pk
    rows: list[Measurement] = []
    for label, on in (("first run, every grade written", ON), ("same day again, nothing changed", ON)):
        started = time.perf_counter()
        credit_grades_recompute(district_id=district_id, holder_keys=keys, on=on)
        seconds = time.perf_counter() - started
        rows.append(
            Measurement(
                f"credit grades: {SUBJECTS:,} subjects, {label}", SUBJECTS / seconds, "subjects/s", TARGET_PER_S
            )
        )
        rows.append(Measurement(f"  all {SUBJECTS:,} subjects", seconds, "s", maximum=TARGET_SECONDS))
    started = time.perf_counter()
    changed = credit_grades_recompute(district_id=district_id, holder_keys=keys, on=ON + dt.timedelta(days=30))
    seconds = time.perf_counter() - started
    rows.append(
        Measurement(
            f"credit grades: a month later ({changed:,} changed)", SUBJECTS / seconds, "subjects/s", TARGET_PER_S
        )
    )
    rows.append(Measurement(f"  all {SUBJECTS:,} subjects", seconds, "s", maximum=TARGET_SECONDS))
    # 联合奖惩 (part 4): entering D or A is recorded as a measure in the same batch (bulk, one audit entry a batch).
    rows.append(
        Measurement("  measures recorded (key supervision, fast track)", MeasureApplication.objects.count(), "")
    )
    by_grade = {
        g: CreditGrade.objects.filter(district_id=district_id, is_current=True, grade=g).count() for g in "ABCD"
    }
    rows.append(Measurement(f"  current grades A/B/C/D: {'/'.join(str(by_grade[g]) for g in 'ABCD')}", SUBJECTS, ""))
    return rows
