"""``python -m bench.analytics_scale_kept --database-url postgres://…/h_name``: ``bench.analytics_scale``'s
measurements on a database that is kept between runs — the 5 million events are generated into it once (some
25 minutes on the shared 2-core machine) and reused by every later run, which only migrates it. ``make bench-pg``
still generates them into a throwaway database (``bench/analytics_scale.py``'s ``run``).

    --no-before    skip the views before the rollup (the rollup is emptied for them otherwise)
    --no-repeats   skip the repeat places
    --keep-rollup  with --no-before: read the rollup already in the database instead of writing the year's again
    --keep-marks   read the repeat marks already in the database instead of writing them again (with --no-repeats:
                   the "before" of the repeat places empties them)

Django is set up here before the bench module (and the models it imports) is loaded.
"""

import argparse
import os
import sys
import tempfile
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.analytics_scale_kept")
    parser.add_argument("--database-url", required=True, help="a database kept between runs (created if empty)")
    parser.add_argument("--events", type=int, default=5_000_000, help="events to generate into an empty database")
    parser.add_argument("--no-before", action="store_true", help="skip the views before the rollup")
    parser.add_argument("--no-repeats", action="store_true", help="skip the repeat places")
    parser.add_argument("--keep-rollup", action="store_true", help="read the rollup already written")
    parser.add_argument("--keep-marks", action="store_true", help="read the repeat marks already written")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("ZHIFA_VAR_DIR", tempfile.mkdtemp(prefix="zhifa-bench-"))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.urls import get_resolver

    from bench import district as bench_district
    from bench.analytics_scale import _setup, measure
    from bench.district import BenchDistrict
    from bench.results import Measurement, render_table
    from zhifa.analytics.models import AnalyticsDaily, AnalyticsMonthly, AnalyticsRollupDay
    from zhifa.events.models import Event
    from zhifa.org.models import District, Grid, Officer, Street

    call_command("migrate", verbosity=0, interactive=False)
    # Every view imported now: the tree may change under a run of half an hour (others' work), and a module
    # first imported late could no longer match the ones already loaded.
    get_resolver().url_patterns  # noqa: B018
    rows: list[Measurement] = []
    kept = District.objects.filter(code="339999").first()
    if kept is None:
        bench = bench_district.build_district()
        started = time.perf_counter()
        made = _setup(bench, args.events)
        rows.append(Measurement(f"{args.events:,} events generated", time.perf_counter() - started, "s"))
    else:
        bench = BenchDistrict(
            district=kept,
            west=bench_district.WEST,
            south=bench_district.SOUTH,
            east=bench_district.WEST + bench_district.WIDTH,
            north=bench_district.SOUTH + bench_district.HEIGHT,
            grid_count=Grid.objects.filter(district=kept).count(),
            street_count=Street.objects.filter(district=kept).count(),
        )
        made = {
            "user": get_user_model().objects.get(username="bench-scale-dispatcher"),
            "officer": Officer.objects.get(district=kept, badge_no="BS00000"),
        }
        n = Event.objects.filter(district=kept).count()
        rows.append(Measurement(f"kept database: {n:,} events reused", 0, "s"))
    # "before" is the rollup empty: it is written again after.
    write_rollup = not args.keep_rollup or not args.no_before
    if write_rollup:
        for model in (AnalyticsDaily, AnalyticsMonthly, AnalyticsRollupDay):
            model.objects.filter(district=bench.district).delete()
    try:
        measure(
            bench,
            made,
            before=not args.no_before,
            repeats=not args.no_repeats,
            write_rollup=write_rollup,
            write_marks=not (args.keep_marks and args.no_repeats),
            rows=rows,
        )
    finally:  # what was measured, even when a later view failed
        print(f"Leaders' view at scale — {connection.vendor}, {args.database_url.split('@')[-1]}")
        print(render_table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
