"""``make fuzz``: Schemathesis over the whole OpenAPI schema against a live local server.

A fresh SQLite database in a throwaway folder under var/ (or, with FUZZ_DATABASE_URL naming a PostgreSQL
server, a database created there for the run and dropped after) is migrated and loaded with the demo district;
uvicorn serves the project on a free loopback port; Schemathesis (its CLI, so that its own engine bounds
and shrinks the run) sends generated requests as an authorised caller (a bearer token issued with
``manage.py issue_token``), as an anonymous caller, and at the Open311 endpoints (described for it in
``fuzz/open311.py``, since they are not in the ninja schema). Each run is bounded in time (FUZZ_SECONDS,
shared out between the three) and in requests (a rate limit of FUZZ_MAX_REQUESTS over that time).

Printed: operations, requests, server errors (5xx responses), response-schema violations and other
failures per caller. Exits non-zero if any request got a 5xx or any response broke its schema; the
folder with the server log and Schemathesis' reports is then kept and named (FUZZ_KEEP=1 keeps it always). Traffic goes only to
127.0.0.1.
"""

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.database import postgres_database
from fuzz.open311 import open311_schema

ROOT = Path(__file__).resolve().parent.parent
SECONDS = int(os.environ.get("FUZZ_SECONDS", "300"))
MAX_REQUESTS = int(os.environ.get("FUZZ_MAX_REQUESTS", "60000"))
WORKERS = os.environ.get("FUZZ_WORKERS", "2")
SEED = os.environ.get("FUZZ_SEED", "")
# The demo's district-wide dispatcher: reaches every list, event action and the catalogue.
USERNAME = os.environ.get("FUZZ_USER", "zhihui")
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
UVICORN = [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1", "--log-level", "warning"]
# Share of the time budget per run: the authorised caller reaches the most code.
SHARES = {"authorised": 0.6, "anonymous": 0.2, "open311": 0.2}


@dataclass(frozen=True)
class Outcome:
    caller: str
    operations: int
    requests: int
    server_errors: int
    schema_violations: int
    other_failures: int
    other_kinds: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _wait_ready(url: str, deadline: float) -> None:
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                response.read()
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("uvicorn did not start")


def _schemathesis(
    *, caller: str, location: str, workdir: Path, seconds: int, headers: list[str], base_url: str | None = None
) -> Outcome:
    reports = workdir / caller
    # One rate for every run: over the runs' shares of FUZZ_SECONDS, at most FUZZ_MAX_REQUESTS in all.
    rate = max(1, MAX_REQUESTS // max(SECONDS, 1))
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        location,
        "--checks",
        "not_a_server_error" if caller == "open311" else CHECKS,
        "--max-time",
        str(seconds),
        "--rate-limit",
        f"{rate}/s",
        "--workers",
        WORKERS,
        "--request-timeout",
        "30",
        "--generation-database",
        "none",
        "--report",
        "json,har",
        "--report-dir",
        str(reports),
        "--report-json-path",
        str(reports / "run.json"),
        "--report-har-path",
        str(reports / "requests.har"),
        "--warnings",
        "off",
        "--no-color",
    ]
    if base_url:
        command += ["--url", base_url]
    if SEED:
        command += ["--seed", SEED]
    for header in headers:
        command += ["--header", header]
    with (workdir / f"{caller}.log").open("w") as log:
        subprocess.run(command, cwd=workdir, stdout=log, stderr=subprocess.STDOUT, check=False)
    return _outcome(caller, reports)


def _outcome(caller: str, reports: Path) -> Outcome:
    run = json.loads((reports / "run.json").read_text())
    entries = json.loads((reports / "requests.har").read_text())["log"]["entries"]
    failures = {f["code"]: f for f in run.get("failures", [])}
    schema = failures.pop("ST108", None)
    # A 5xx is counted from the responses themselves; Schemathesis' own count is of distinct failures.
    failures.pop("ST101", None)
    return Outcome(
        caller=caller,
        operations=int(run["operations"]["tested"]),
        requests=len(entries),
        server_errors=sum(1 for e in entries if int(e["response"]["status"]) >= 500),
        schema_violations=int(schema["count"]) if schema else 0,
        other_failures=sum(int(f["count"]) for f in failures.values()),
        other_kinds=", ".join(f"{code} {f['title']} ×{f['count']}" for code, f in sorted(failures.items())),
    )


def _table(outcomes: list[Outcome]) -> str:
    head = ("caller", "operations", "requests", "server errors (5xx)", "schema violations", "other failures")
    rows = [head] + [
        (
            o.caller,
            str(o.operations),
            f"{o.requests:,}",
            str(o.server_errors),
            str(o.schema_violations),
            str(o.other_failures),
        )
        for o in outcomes
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = []
    for n, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [cell.rjust(widths[i]) for i, cell in enumerate(row) if i]
        lines.append("  ".join(cells))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines += [f"  {o.caller}: {o.other_kinds}" for o in outcomes if o.other_kinds]
    return "\n".join(lines)


@contextmanager
def _database(workdir: Path) -> Iterator[str]:
    """The run's own database: a SQLite file in its folder, or, when FUZZ_DATABASE_URL names a PostgreSQL
    server, a fresh database created there and dropped afterwards."""
    server_url = os.environ.get("FUZZ_DATABASE_URL", "")
    if not server_url:
        yield f"sqlite:///{workdir / 'fuzz.sqlite3'}"
        return
    with postgres_database(server_url, prefix="zhifa_fuzz") as url:
        yield url


def main() -> int:
    workdir = ROOT / "var" / f"fuzz-{secrets.token_hex(4)}"
    workdir.mkdir(parents=True)
    with _database(workdir) as database_url:
        return _fuzz(workdir, database_url)


def _fuzz(workdir: Path, database_url: str) -> int:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ZHIFA_VAR_DIR": str(workdir),
        "DATABASE_URL": database_url,
        "ZHIFA_ALLOWED_HOSTS": "127.0.0.1",
        # A development run: keys are made for it in its own folder.
        "ZHIFA_DEV": "1",
    }
    started = time.time()
    _manage(env, "migrate", "--noinput")
    # The demo accounts into this run's own throwaway database (named by DATABASE_URL, hence both flags).
    _manage(env, "load_demo", "--demo-accounts", "--into-named-database")
    token = _manage(env, "issue_token", USERNAME, "--name", "模糊测试").strip()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    (workdir / "open311.json").write_text(json.dumps(open311_schema(api_key=token), ensure_ascii=False))
    server_log = (workdir / "uvicorn.log").open("wb")
    server = subprocess.Popen(
        [*UVICORN, "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    outcomes: list[Outcome] = []
    try:
        _wait_ready(f"{base}/api/v1/openapi.json", time.time() + 60)
        schema_url = f"{base}/api/v1/openapi.json"
        runs: list[dict[str, Any]] = [
            {"caller": "authorised", "location": schema_url, "headers": [f"Authorization: Bearer {token}"]},
            {"caller": "anonymous", "location": schema_url, "headers": []},
            {
                "caller": "open311",
                "location": str(workdir / "open311.json"),
                "headers": [],
                "base_url": f"{base}/open311/v2",
            },
        ]
        for run in runs:
            seconds = max(10, int(SECONDS * SHARES[run["caller"]]))
            outcomes.append(_schemathesis(workdir=workdir, seconds=seconds, **run))
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        server_log.close()
    engine = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    print(f"Zhifa fuzz — Schemathesis over /api/v1/openapi.json and Open311, {engine}, {int(time.time() - started)} s")
    print(_table(outcomes))
    failed = any(o.server_errors or o.schema_violations for o in outcomes)
    if failed:
        print(f"FAILED: 5xx or schema violations; server log and reports kept in {workdir.relative_to(ROOT)}/")
        return 1
    if os.environ.get("FUZZ_KEEP") == "1":
        print(f"server log and reports kept in {workdir.relative_to(ROOT)}/ (FUZZ_KEEP=1)")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
