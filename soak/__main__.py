"""``make soak`` (``python -m soak``): event intake at the benchmark's rate on a throwaway PostgreSQL
database for SOAK_SECONDS (default 600) while the web server, the task worker and the clock watcher are each
killed (SIGKILL) and restarted once and PostgreSQL is restarted once (issue 9).

    python -m soak --database-url postgres://postgres@127.0.0.1:5432/postgres --seconds 120

The processes run as ``make run`` runs them, each under ``scripts/supervise``, which starts a killed one
again. One caller (one API token) posts reports as the benchmark does (16 busy keep-alive connections, at
most the benchmark's target of 300 a second on average: that bounds the traffic) through ``soak.load``,
which re-sends a failed request with the same idempotency key and body until it is answered.
Meanwhile the soak dispatches one newly triaged event a second (the command centre's one-click choice of
the recommended officers), so acknowledge clocks (1 min) and arrive clocks (5 min) run out during the soak and
the clock watcher has escalation steps to take across its own restart and the database's.

Printed: reports sent, answered, stored, duplicated and lost; escalation steps taken, taken twice and
missed (a step is missed when, after the watcher's last scan, a scan at that scan's time would still take
it); the kills and restarts. Everything but sent, answered and stored must be 0, and every killed process
must have come back; the exit status says whether they did. The cluster is running again at the end
whatever happens, and the throwaway database is dropped. Traffic goes only to 127.0.0.1.
"""

import argparse
import datetime as dt
import json
import os
import random
import secrets
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.database import throwaway_database
from bench.intake_http import TARGET_EVENTS_PER_S, TEXTS, WORKERS, _free_port, _points, _wait_ready
from soak.load import SteadyLoad
from soak.processes import Supervised, postgres_kept_running, postgres_restart

GRACE_S = 120.0  # after the load's end, for the last retries to be answered
CLOCK_WATCH_INTERVAL_S = 10.0
# When each disruption happens, as a share of the soak's length; one at a time, each well clear of the next.
SCHEDULE = [(0.15, "web"), (0.30, "task_worker"), (0.45, "clock_watch"), (0.60, "postgresql")]


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m soak", description="Zhifa soak test (issue 9)")
    parser.add_argument("--database-url", required=True, help="a PostgreSQL server URL on this machine")
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("SOAK_SECONDS", "600")))
    parser.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="cap on new reports a second (default: none — the benchmark's 16 busy connections set the pace)",
    )
    parser.add_argument(
        "--disrupt",
        default=",".join(what for _, what in SCHEDULE),
        help="which of the disruptions to make (comma-separated; all by default)",
    )
    return parser.parse_args(argv)


def _retrying[T](what: Callable[[], T], attempts: int = 10) -> T:
    """The soak's own database work, across the PostgreSQL restart."""
    from django.db import connections

    from zhifa.core.transient import TRANSIENT_DB_ERRORS

    for attempt in range(attempts):
        try:
            return what()
        except TRANSIENT_DB_ERRORS:
            connections.close_all()
            if attempt == attempts - 1:
                raise
            time.sleep(1.0)
    raise AssertionError("unreachable")


class Dispatcher(threading.Thread):
    """Dispatches the newest triaged zone-team event of the soak once a second, to the officers the
    recommendation puts first, through ``event_dispatch`` as the command centre does."""

    def __init__(self, *, prefix: str, actor: Any) -> None:
        super().__init__(name="soak-dispatcher", daemon=True)
        self.prefix = prefix
        self.actor = actor
        self.stopping = threading.Event()
        self.dispatched = 0
        self.skipped: set[int] = set()
        self.errors: Counter[str] = Counter()

    def run(self) -> None:
        from django.db import connections

        from zhifa.core.errors import DomainError
        from zhifa.core.request_context import Client, acting_as
        from zhifa.core.transient import TRANSIENT_DB_ERRORS
        from zhifa.events.models import Event
        from zhifa.events.recommend import recommend_officers
        from zhifa.events.services import event_dispatch
        from zhifa.events.services.dispatch import officers_needed
        from zhifa.events.states import EventRoute, EventStatus
        from zhifa.org.models import Officer

        while not self.stopping.wait(1.0):
            event: Event | None = None
            try:
                event = (
                    Event.objects.filter(
                        idempotency_key__startswith=f"{self.prefix}-",
                        status=EventStatus.TRIAGED,
                        route=EventRoute.ZONE_TEAM,
                    )
                    .exclude(pk__in=self.skipped)
                    .order_by("-pk")
                    .first()
                )
                if event is None:
                    continue
                needed = officers_needed(event)
                ids = [r.officer_id for r in recommend_officers(event=event, needed=needed, limit=needed)][:needed]
                officers = list(Officer.objects.filter(pk__in=ids))
                if len(officers) < needed:
                    self.skipped.add(event.pk)
                    self.errors["no officer free"] += 1
                    continue
                with acting_as(client=Client.WEB):
                    event_dispatch(actor=self.actor, event=event, officers=officers, was_recommended=True)
                self.dispatched += 1
            except DomainError as error:
                if event is not None:
                    self.skipped.add(event.pk)
                self.errors[error.code] += 1
            except TRANSIENT_DB_ERRORS:
                self.errors["database unavailable"] += 1
                connections.close_all()
        connections.close_all()


class Disruptions(threading.Thread):
    """Kills each process once, and restarts PostgreSQL once, on SCHEDULE."""

    def __init__(self, *, began: float, seconds: float, processes: dict[str, Supervised], only: set[str]) -> None:
        super().__init__(name="soak-disruptions", daemon=True)
        self.schedule = [(share, what) for share, what in SCHEDULE if what in only]
        self.began = began
        self.seconds = seconds
        self.processes = processes
        self.done: list[tuple[str, float, str, bool]] = []  # (what, at s, detail, came back)

    def run(self) -> None:
        for share, what in self.schedule:
            time.sleep(max(0.0, self.began + share * self.seconds - time.monotonic()))
            at = time.monotonic() - self.began
            try:
                if what == "postgresql":
                    took = postgres_restart()
                    self.done.append((what, at, f"restarted in {took:.1f} s", True))
                    continue
                process = self.processes[what]
                old = process.kill()
                new, after = process.wait_restarted(old)
                self.done.append((what, at, f"SIGKILL pid {old}; pid {new} started {after:.1f} s later", True))
            except Exception as error:  # reported in the table, and the soak fails
                self.done.append((what, at, f"failed: {error}", False))


def _healthz(port: int) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")
    except OSError:
        return 0, {}


def _wait_for(check: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.5)
    return False


def _last_scan_at() -> dt.datetime | None:
    from zhifa.core.heartbeats import CLOCK_WATCH
    from zhifa.core.models import ProcessHeartbeat

    return ProcessHeartbeat.objects.filter(kind=CLOCK_WATCH).values_list("seen_at", flat=True).first()


def _tally(load: SteadyLoad, prefix: str, last_scan_at: dt.datetime) -> dict[str, int]:
    """Counts from the database, once every process is stopped."""
    from zhifa.core.models import AuditEntry
    from zhifa.core.request_context import Client, acting_as
    from zhifa.events.models import Event, EventEscalation
    from zhifa.events.services import events_escalate_overdue

    stored = dict(
        Counter(
            Event.objects.filter(idempotency_key__startswith=f"{prefix}-").values_list("idempotency_key", flat=True)
        )
    )
    ids_by_key: dict[str, set[int]] = {}
    for key, pk in Event.objects.filter(idempotency_key__startswith=f"{prefix}-").values_list("idempotency_key", "pk"):
        ids_by_key.setdefault(key, set()).add(pk)
    sent = {load.key(i): r for i, r in enumerate(load.reports) if r.attempts}
    answered = {k: r for k, r in sent.items() if r.event_ids}
    # Stored more than once, or answered with an event other than the one stored under its key.
    duplicated = sum(n - 1 for n in stored.values()) + sum(
        1 for k, r in answered.items() if len(r.event_ids) > 1 or not r.event_ids <= ids_by_key.get(k, set())
    )
    steps = Counter(EventEscalation.objects.values_list("event_id", "clock", "due_at", "level"))
    audited = Counter(
        (entry.object_id, json.dumps(entry.after, sort_keys=True))
        for entry in AuditEntry.objects.filter(action="event.escalate").only("object_id", "after")
    )
    with acting_as(client=Client.SYSTEM):
        missed = len(events_escalate_overdue(now=last_scan_at))
    return {
        "sent": len(sent),
        "answered": len(answered),
        "stored": len(stored),
        "duplicated": duplicated,
        "lost": sum(1 for k in sent if k not in stored),
        "refused": sum(1 for r in sent.values() if r.status and r.status not in (200, 201)),
        "unanswered": sum(1 for r in sent.values() if not r.status),
        "steps": sum(steps.values()),
        "twice": sum(n - 1 for n in steps.values()) + sum(n - 1 for n in audited.values()),
        "missed": missed,
    }


def _table(rows: list[tuple[str, str, str]]) -> str:
    header = ("metric", "value", "must be")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]
    lines = [" | ".join(c.ljust(widths[i]) for i, c in enumerate(r)).rstrip() for r in [header, *rows]]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("ZHIFA_DEV", "1")  # a throwaway database: the keys are made in its temp dir
    if not args.database_url.startswith("postgres"):
        print("make soak runs on PostgreSQL: --database-url postgres://…", file=sys.stderr)
        return 2
    with throwaway_database(args.database_url) as url, postgres_kept_running():
        return _soak(args, url)


def _soak(args: argparse.Namespace, url: str) -> int:
    import logging

    import django

    django.setup()
    # The soak's own pool (its dispatcher) says at each attempt that the restarting server refused it.
    logging.getLogger("psycopg.pool").setLevel(logging.ERROR)
    from django.core.management import call_command
    from django.db import connections

    from zhifa.core.actors import SystemActor
    from zhifa.core.heartbeats import CLOCK_WATCH, TASK_WORKER
    from zhifa.core.models import ProcessHeartbeat
    from zhifa.core.tokens import api_token_issue
    from zhifa.org.models import District

    workdir = Path(os.environ["ZHIFA_VAR_DIR"])
    call_command("migrate", verbosity=0, interactive=False)
    # The throwaway database made for this run (bench.database): its demo accounts go nowhere else.
    call_command("load_demo", verbosity=0, demo_accounts=True, into_named_database=True)
    district = District.objects.get(code="330105")
    profile = district.profile_set.filter(role="dispatcher").select_related("user").first()
    if profile is None:
        raise RuntimeError("demo dispatcher missing")
    _, token = api_token_issue(actor=SystemActor("浸泡测试"), user=profile.user, name="soak")
    total = int((args.rate or TARGET_EVENTS_PER_S) * args.seconds) + 1
    rng = random.Random(600)
    bodies = [
        json.dumps(
            {"description": rng.choice(TEXTS), "lon": lon, "lat": lat, "source": "api"}, ensure_ascii=False
        ).encode()
        for lon, lat in _points(district.boundary, total, rng)
    ]
    prefix = f"soak{secrets.token_hex(3)}"
    connections.close_all()

    port = _free_port()
    env = {**os.environ, "ZHIFA_ALLOWED_HOSTS": "127.0.0.1,localhost"}
    py = sys.executable
    uvicorn = [py, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1", "--port", str(port)]
    commands = {
        "web": [*uvicorn, "--workers", str(WORKERS), "--log-level", "warning", "--no-access-log"],
        "task_worker": [py, "manage.py", "task_worker", "--interval", "1"],
        "clock_watch": [py, "manage.py", "clock_watch", "--interval", str(CLOCK_WATCH_INTERVAL_S)],
    }
    processes = {
        name: Supervised(name, command, env=env, log_path=workdir / f"{name}.log") for name, command in commands.items()
    }
    dispatcher = Dispatcher(prefix=prefix, actor=profile.user)
    try:
        _wait_ready(port, time.time() + 60)
        both_beat = _wait_for(
            lambda: ProcessHeartbeat.objects.filter(kind__in=[CLOCK_WATCH, TASK_WORKER]).count() == 2, 60
        )
        if not both_beat:
            raise RuntimeError("the task worker and the clock watcher did not report within 60 s")
        connections.close_all()
        pace = f"at most {args.rate:.0f} reports/s" if args.rate else "as fast as the server answers"
        print(f"[soak] {args.seconds:.0f} s, {pace} (≤ {total:,} reports), on {url.split('@')[-1]}")
        began = time.monotonic()
        disruptions = Disruptions(
            began=began, seconds=args.seconds, processes=processes, only=set(args.disrupt.split(","))
        )
        disruptions.start()
        dispatcher.start()
        load = SteadyLoad(
            port=port, token=token, bodies=bodies, prefix=prefix, rate=args.rate, seconds=args.seconds, grace_s=GRACE_S
        )
        load.run()
        dispatcher.stopping.set()
        dispatcher.join(timeout=60)
        disruptions.join(timeout=GRACE_S)
        load_ended_at = dt.datetime.now(dt.UTC)
        # One scan of the clock watcher after the load: what was due by then has had its chance.
        scanned = _wait_for(
            lambda: (_retrying(_last_scan_at) or load_ended_at) > load_ended_at, 6 * CLOCK_WATCH_INTERVAL_S
        )
        health_status, health = _healthz(port)
    finally:
        dispatcher.stopping.set()
        for process in processes.values():
            process.stop()
    connections.close_all()
    last_scan_at = _retrying(_last_scan_at)
    assert last_scan_at is not None
    counts = _retrying(lambda: _tally(load, prefix, last_scan_at))
    latencies = sorted(load.latencies)

    def pct(q: float) -> str:
        return f"{latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000:,.0f} ms" if latencies else "—"

    rows = [
        ("reports sent (one idempotency key each)", f"{counts['sent']:,}", ""),
        ("reports answered (201 new, or 200 for a retry)", f"{counts['answered']:,}", ""),
        ("events stored", f"{counts['stored']:,}", ""),
        ("events duplicated", f"{counts['duplicated']}", "0"),
        ("events lost (sent, not stored)", f"{counts['lost']}", "0"),
        ("reports refused (4xx)", f"{counts['refused']}", "0"),
        ("reports never answered", f"{counts['unanswered']}", "0"),
        ("failed attempts re-sent with the same key", f"{load.failures:,}", ""),
        ("answered per second (over the load)", f"{counts['answered'] / max(1.0, load.load_s):,.1f}", ""),
        ("latency from first send to answer, p50 / p99", f"{pct(0.5)} / {pct(0.99)}", ""),
        ("events dispatched by the soak (clocks started)", f"{dispatcher.dispatched:,}", ""),
        ("escalation steps taken", f"{counts['steps']:,}", ""),
        ("clocks escalated twice", f"{counts['twice']}", "0"),
        ("clocks missed (after the last scan)", f"{counts['missed']}", "0"),
    ]
    for what, at, detail, ok in disruptions.done:
        rows.append((f"{what} at {at:.0f} s", detail, "back" if ok else "BACK"))
    rows.append(("clock watcher scanned after the load", "yes" if scanned else "no", "yes"))
    parts = ", ".join(
        f"{name} {part.get('status')}" + (f" {part['age_s']} s" if part.get("age_s") is not None else "")
        for name, part in health.items()
    )
    rows.append(("/healthz at the end", f"{health_status} ({parts})", "200"))
    for name, process in processes.items():
        expected = "1" if name in args.disrupt.split(",") else "0"
        rows.append((f"restarts logged by supervise ({name})", str(process.restarts()), expected))
    print(_table(rows))
    if dispatcher.errors:
        print("[soak] dispatches skipped: " + ", ".join(f"{k} × {v}" for k, v in dispatcher.errors.items()))
    for status, body in load.refusals.items():
        print(f"[soak] refused {status}: {body.decode(errors='replace')}")
    is_ok = (
        all(counts[k] == 0 for k in ("duplicated", "lost", "refused", "unanswered", "twice", "missed"))
        and len(disruptions.done) == len(disruptions.schedule)
        and all(ok for *_, ok in disruptions.done)
        and scanned
        and health_status == 200
        and all(p.restarts() == (1 if name in args.disrupt.split(",") else 0) for name, p in processes.items())
    )
    print(f"[soak] {'PASS' if is_ok else 'FAIL'}; logs were in {Path(os.environ['ZHIFA_VAR_DIR'])} (removed)")
    if not is_ok:
        for name, process in processes.items():
            lines = process.log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
            print(f"[soak] last lines of {name}'s log:", *lines[-12:], sep="\n  ")
    return 0 if is_ok else 1


if __name__ == "__main__":
    sys.exit(main())
