"""``make bench`` (``python -m bench``): run each benchmark on a throwaway database and print one table.

    python -m bench                         # SQLite file in a temp dir
    python -m bench --database-url postgres://postgres@127.0.0.1:5432/postgres
    python -m bench --only grid_lookup

A benchmark is a module with ``run(bench: BenchDistrict, workdir: Path) -> list[Measurement]``, listed in
``BENCHES``. Timings live here, never in tests (STYLE.md).
"""

import argparse
import importlib
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.database import throwaway_database
from bench.results import Measurement, render_table

BENCHES: dict[str, str] = {
    "subjects_import": "bench.subjects_import",
    "grid_lookup": "bench.grid_lookup",
    "classification": "bench.classification",
    "triage": "bench.triage",
    "recommend": "bench.recommend",
    "intake_http": "bench.intake_http",
    "command_queue": "bench.command_queue",
    "phone_delivery": "bench.phone_delivery",
    "place_search": "bench.place_search",
    "document_render": "bench.document_render",
    "case_page": "bench.case_page",
    "credit_grades": "bench.credit_grades",
    "inspection_planner": "bench.inspection_planner",
    "colours": "bench.colours",
    "inspection_report": "bench.inspection_report",
    "analytics_reports": "bench.analytics_reports",
    "analytics_hotspots": "bench.analytics_hotspots",
    "deployment": "bench.deployment",
    "analytics_scale": "bench.analytics_scale",
}


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Zhifa benchmarks")
    parser.add_argument(
        "--database-url",
        default=None,
        help="run against PostgreSQL: a server URL; a fresh database is created on it and dropped afterwards",
    )
    parser.add_argument("--only", choices=sorted(BENCHES), action="append", help="run only these benchmarks")
    return parser.parse_args(argv)


def _reference_ms() -> float:
    """CPU milliseconds of a fixed pure-Python loop (best of 5): how fast this machine's cores run Python.

    Each session's machine is its own, and their cores have differed threefold (ADR 0006); every throughput
    in the table scales with this, so it is printed with them to compare runs on different machines."""
    best = float("inf")
    for _ in range(5):
        started = time.process_time()
        total = 0
        for i in range(1_000_000):
            total += i * i
        best = min(best, time.process_time() - started)
    return best * 1000


def main(argv: list[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    with throwaway_database(args.database_url) as url, tempfile.TemporaryDirectory(prefix="zhifa-bench-") as tmp:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from bench.district import build_district

        call_command("migrate", verbosity=0, interactive=False)
        started = time.perf_counter()
        bench = build_district()
        setup_s = time.perf_counter() - started
        rows: list[Measurement] = [
            Measurement("machine reference: 1,000,000 Python loop steps (CPU, best of 5)", _reference_ms(), "ms"),
            Measurement("synthetic district set-up", setup_s, "s"),
        ]
        for name in args.only or list(BENCHES):
            run: Callable[..., list[Measurement]] = importlib.import_module(BENCHES[name]).run
            rows.extend(run(bench, Path(tmp)))
        engine = connection.vendor
        print(
            f"Zhifa benchmarks — {engine} ({url.split('@')[-1] if engine != 'sqlite' else 'temp file'}), "
            f"Python {platform.python_version()}, {os.cpu_count()} CPUs; district: {bench.street_count} streets, "
            f"{bench.grid_count:,} grids, {bench.east - bench.west:.3f}° × {bench.north - bench.south:.3f}°"
        )
        print(render_table(rows))
    return 0 if all(m.verdict != "NO" for m in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
