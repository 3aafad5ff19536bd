"""Event intake through the HTTP API with the full triage on (locate, classify, dedup, route).

The demo district is loaded into the bench database; uvicorn serves the project on a free loopback port
(2 worker processes on this 2-core machine, ``ZHIFA_BENCH_WORKERS`` to compare); a load generator of
keep-alive connections in threads posts events in three rounds, each bounded in time and count. Reported:
accepted events/s (median round, lowest, highest), p50 / p99 latency, errors, and CPU per event of the
server, the load generator and the whole machine. Traffic goes only to 127.0.0.1.
"""

import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench.results import Measurement

CONCURRENCY = 16
# Server processes; 2 on this 2-core machine unless ZHIFA_BENCH_WORKERS says otherwise (to compare).
WORKERS = int(os.environ.get("ZHIFA_BENCH_WORKERS", "2"))
# Three rounds of load against the same server; the median round is the result (single 20-second runs on
# this shared 2-core machine scattered by ±10 %, ADR 0005).
ROUNDS = 3
MAX_REQUESTS = 8000  # per round
MAX_SECONDS = 20.0  # per round
WARMUP_REQUESTS = 50
TEXTS = [
    "湖墅南路上有流动摊贩占道卖水果，影响行人通行",
    "楼下饭店油烟很大，直接往居民楼里排",
    "工地晚上十一点还在打桩，吵得睡不着",
    "渣土车沿路撒了一地泥，车子开过去尘土飞扬",
    "小区门口的消防通道被私家车堵住了",
    "店门口摆了好多桌子占了人行道",
    "电线杆上贴满了小广告",
    "商店商品没有明码标价",
    "有人在绿化带里焚烧垃圾，烟很大",
    "网吧里有未成年人在上网",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(port: int, deadline: float) -> None:
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/login/")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("uvicorn did not start")


def _tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of a process and its children, from /proc (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (OSError, IndexError, ValueError):
            continue
        pending.extend(int(c) for c in children)
    return total


def _machine_busy_s() -> float:
    """CPU seconds all cores spent busy (not idle or waiting on I/O) since boot, from /proc/stat (Linux)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def _points(district_boundary: dict[str, Any], n: int, rng: random.Random) -> list[tuple[float, float]]:
    from shapely.geometry import Point, shape

    outline = shape(district_boundary)
    minx, miny, maxx, maxy = outline.bounds
    points: list[tuple[float, float]] = []
    while len(points) < n:
        lon, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if outline.contains(Point(lon, lat)):
            points.append((lon, lat))
    return points


def _load(port: int, token: str, bodies: list[bytes], *, first_key: int) -> tuple[list[float], int, float]:
    """Post ``bodies`` with CONCURRENCY keep-alive connections; stop at MAX_SECONDS."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    cursor = iter(range(len(bodies)))
    stop_at = time.perf_counter() + MAX_SECONDS
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def worker() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < stop_at:
            with lock:
                i = next(cursor, None)
            if i is None:
                break
            start = time.perf_counter()
            try:
                conn.request(
                    "POST",
                    "/api/v1/events",
                    body=bodies[i],
                    headers={**headers, "Idempotency-Key": f"b{first_key + i}"},
                )
                response = conn.getresponse()
                response.read()
                ok = response.status in (200, 201)
            except OSError:
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            elapsed = time.perf_counter() - start
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors += 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors, time.perf_counter() - began


def run(bench: Any, workdir: Path) -> list[Measurement]:
    from django.core.management import call_command
    from django.db import connection, connections

    from zhifa.core.tokens import api_token_issue
    from zhifa.org.models import District

    call_command("load_demo", verbosity=0)
    district = District.objects.get(code="330105")
    user = district.profile_set.filter(role="dispatcher").select_related("user").first()
    if user is None:
        raise RuntimeError("demo dispatcher missing")
    _, token = api_token_issue(actor="基准测试", user=user.user, name="bench")
    rng = random.Random(300)
    points = _points(district.boundary, ROUNDS * MAX_REQUESTS + WARMUP_REQUESTS, rng)
    bodies = [
        json.dumps(
            {"description": rng.choice(TEXTS), "lon": lon, "lat": lat, "source": "api"}, ensure_ascii=False
        ).encode()
        for lon, lat in points
    ]
    engine = connection.vendor
    connections.close_all()
    port = _free_port()
    env = {**os.environ, "ZHIFA_ALLOWED_HOSTS": "127.0.0.1,localhost"}
    # The server's log goes to a file: an unread pipe would fill up and stall the server.
    server_log = (workdir / "uvicorn.log").open("wb")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_ready(port, time.time() + 30)
        _load(port, token, bodies[:WARMUP_REQUESTS], first_key=0)
        server_cpu = _tree_cpu_s(server.pid)
        own_cpu = time.process_time()
        busy = _machine_busy_s()
        latencies: list[float] = []
        errors, seconds, rates = 0, 0.0, []
        for r in range(ROUNDS):
            start = WARMUP_REQUESTS + r * MAX_REQUESTS
            got, failed, took = _load(port, token, bodies[start : start + MAX_REQUESTS], first_key=start)
            latencies += got
            errors += failed
            seconds += took
            rates.append(len(got) / took if took else 0.0)
        server_cpu = _tree_cpu_s(server.pid) - server_cpu
        own_cpu = time.process_time() - own_cpu
        busy = _machine_busy_s() - busy
    finally:
        server.terminate()
        server.wait(timeout=10)
        server_log.close()
    print(f"[intake_http] {engine}: events/s by round: " + ", ".join(f"{r:.0f}" for r in rates))
    if errors:
        log = (workdir / "uvicorn.log").read_text(encoding="utf-8", errors="replace").strip().splitlines()
        print(f"[intake_http] {errors} failed requests; last server log lines:", *log[-15:], sep="\n  ")
    latencies.sort()

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else 0.0

    label = f"event intake over HTTP ({engine}, {WORKERS} workers, {CONCURRENCY} conns)"
    return [
        Measurement(f"{label}: events accepted", len(latencies), ""),
        Measurement(
            f"{label}: throughput (median of {ROUNDS} rounds)", statistics.median(rates), "events/s", target=300
        ),
        Measurement(f"{label}: throughput, lowest round", min(rates), "events/s"),
        Measurement(f"{label}: throughput, highest round", max(rates), "events/s"),
        Measurement(f"{label}: latency p50", pct(0.50), "ms"),
        Measurement(f"{label}: latency p99", pct(0.99), "ms"),
        Measurement(f"{label}: errors", errors, ""),
        # CPU per event, less sensitive than events/s to whatever else the two cores run meanwhile.
        Measurement(f"{label}: server CPU per event", server_cpu * 1000 / max(1, len(latencies)), "ms"),
        Measurement(f"{label}: load generator CPU per event", own_cpu * 1000 / max(1, len(latencies)), "ms"),
        # Everything the machine ran (server, database, load generator) per event, and how busy it was.
        Measurement(f"{label}: machine CPU per event", busy * 1000 / max(1, len(latencies)), "ms"),
        Measurement(f"{label}: machine busy", 100 * busy / (seconds * (os.cpu_count() or 1)) if seconds else 0.0, "%"),
    ]
