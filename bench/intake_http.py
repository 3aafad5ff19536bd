"""Event intake through the HTTP API with the full triage on (locate, classify, dedup, route).

The demo district is loaded into the bench database; uvicorn serves the project on a free loopback port
(2 worker processes on this 2-core machine, ``ZHIFA_BENCH_WORKERS`` to compare); a load generator (one
thread keeping CONCURRENCY keep-alive connections busy over non-blocking sockets, opened one by one at the
start of each round, ADR 0007) posts events in three rounds, each bounded in time and count. Reported: accepted events/s (median round, lowest, highest), p50 /
p99 latency, errors, and CPU per event of the server, the load generator and the whole machine. Traffic
goes only to 127.0.0.1.
"""

import errno
import http.client
import json
import os
import random
import selectors
import socket
import statistics
import subprocess
import sys
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
TARGET_EVENTS_PER_S = 300  # issue 3's target; also the rate ``make soak`` offers
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


# Seconds without progress on a connection after which its request counts as failed and the connection is
# dropped, so a stuck server cannot hang a round; like a socket timeout, it applies to each send and receive.
_STALL_S = 30.0
# Statuses whose responses carry no body whatever their headers say (RFC 9112 §6.3).
_NO_BODY = frozenset({204, 304})


class _ProtocolError(ValueError):
    """The server's bytes are not an HTTP/1.x response; the connection cannot be trusted any further."""


class _Connection:
    """One keep-alive connection with at most one request in flight (no pipelining, as a client would)."""

    __slots__ = (
        "active_at",
        "body",
        "body_end",
        "buf",
        "chunk_at",
        "close_after",
        "head_end",
        "out",
        "selector",
        "sock",
        "started",
        "status",
        "writing",
    )

    def __init__(self, port: int, selector: selectors.BaseSelector) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setblocking(False)
        # As http.client does: a request whose send() comes out split must not wait on Nagle for its tail.
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.selector = selector
        self.out: memoryview | None = None  # what is left to send of the current request
        self.writing = False  # registered for write readiness too
        self.buf = bytearray()
        self.started = self.active_at = 0.0
        self.status = 0
        self.head_end = 0  # 0 = the status line and headers of the current response are not in yet
        self.body_end: int | None = None
        self.body = b""  # the last complete response's body (as sent: chunked coding left in)
        self.chunk_at: int | None = None
        self.close_after = False
        selector.register(self.sock, selectors.EVENT_READ, self)
        err = self.sock.connect_ex(("127.0.0.1", port))
        if err not in (0, errno.EINPROGRESS):
            self.close()
            raise OSError(err, os.strerror(err))

    def begin(self, request: bytes) -> None:
        self.started = self.active_at = time.perf_counter()
        self.out = memoryview(request)
        self.flush()

    def flush(self) -> None:
        """Send what is left of the request; wait for writability if the socket (or its connect) is not ready."""
        assert self.out is not None
        try:
            sent = self.sock.send(self.out)
        except BlockingIOError:
            sent = 0
        self.out = self.out[sent:] if sent < len(self.out) else None
        self.active_at = time.perf_counter()
        # Write interest only while something is left: a writable socket would otherwise wake every select.
        if (self.out is not None) != self.writing:
            self.writing = not self.writing
            events = selectors.EVENT_READ | selectors.EVENT_WRITE if self.writing else selectors.EVENT_READ
            self.selector.modify(self.sock, events, self)

    def receive(self, now: float) -> bool:
        """Read what the socket has; True once the current response is complete."""
        try:
            data = self.sock.recv(65536)
        except BlockingIOError:
            return False
        self.active_at = now
        if not data:
            if self.head_end and self.body_end is None and self.chunk_at is None:
                # A response with neither Content-Length nor chunked coding ends where the connection does.
                self.close_after = True
                return True
            raise ConnectionResetError("the server closed the connection before the response was complete")
        self.buf += data
        return self._complete()

    def _complete(self) -> bool:
        buf = self.buf
        if not self.head_end and not self._head():
            return False
        if self.chunk_at is not None and not self._chunks():
            return False
        if self.body_end is None or len(buf) < self.body_end:
            return False
        self.body = bytes(buf[self.head_end : self.body_end])
        # Keep whatever follows (nothing, since requests are not pipelined) for the next response.
        del buf[: self.body_end]
        self.head_end = 0
        return True

    def _head(self) -> bool:
        """Parse the status line and the headers that delimit the body; False until they are all in."""
        end = self.buf.find(b"\r\n\r\n")
        if end < 0:
            return False
        lines = bytes(self.buf[:end]).split(b"\r\n")
        version, _, rest = lines[0].partition(b" ")
        if not version.startswith(b"HTTP/1.") or not rest[:3].isdigit():
            raise _ProtocolError(f"not an HTTP/1.x status line: {lines[0]!r}")
        status = int(rest[:3])
        length: int | None = None
        chunked = False
        close = version == b"HTTP/1.0"  # 1.0 closes unless it says keep-alive
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()  # field names are case-insensitive
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = value.rstrip().lower().endswith(b"chunked")
            elif name == b"connection":
                tokens = {token.strip().lower() for token in value.split(b",")}
                close = b"close" in tokens or (close and b"keep-alive" not in tokens)
        if 100 <= status < 200:
            # An interim response (100 Continue, 103 Early Hints) comes before the real one on the same request.
            del self.buf[: end + 4]
            return self._head()
        self.status, self.head_end, self.close_after = status, end + 4, close
        self.body_end = self.chunk_at = None
        if status in _NO_BODY:
            self.body_end = self.head_end
        elif chunked:
            # Chunked coding wins over a Content-Length sent alongside it (RFC 9112 §6.3).
            self.chunk_at = self.head_end
        elif length is not None:
            self.body_end = self.head_end + length
        else:
            self.close_after = True
        return True

    def _chunks(self) -> bool:
        """Walk the chunks received so far from where the last call stopped; True once the last one is in."""
        buf = self.buf
        at = self.chunk_at
        assert at is not None
        while True:
            eol = buf.find(b"\r\n", at)
            if eol < 0:
                break
            size = int(bytes(buf[at:eol]).split(b";", 1)[0], 16)  # chunk extensions are ignored
            if size == 0:
                # The last chunk; the trailer section, empty or not, ends with an empty line.
                end = buf.find(b"\r\n\r\n", eol)
                if end < 0:
                    break
                self.body_end, self.chunk_at = end + 4, None
                return True
            after = eol + 2 + size
            if len(buf) < after + 2:
                break
            if buf[after : after + 2] != b"\r\n":
                raise _ProtocolError("chunk not followed by CRLF")
            at = after + 2
        self.chunk_at = at
        return False

    def close(self) -> None:
        self.selector.unregister(self.sock)
        self.sock.close()


def _load(port: int, token: str, bodies: list[bytes], *, first_key: int) -> tuple[list[float], int, float]:
    """Post ``bodies`` over CONCURRENCY keep-alive connections from one thread; stop at MAX_SECONDS.

    One thread multiplexes the connections with ``selectors`` rather than one thread each with
    ``http.client``: the load generator runs on the same two cores as the server it measures, and this way it
    spends a fraction of the CPU per request (no thread switches, no lock, no header building or
    ``email``-based header parsing per request). Each request is one pre-encoded write; each response is
    parsed by hand (Content-Length, chunked, or read to the close). A status other than 200/201, a socket
    error, a malformed response or a stall of _STALL_S counts as an error, and that request is not retried.
    """
    head = (
        f"POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
    ).encode()
    # Encoded before the clock starts, so the round times only sending and receiving.
    requests = [
        head + b"Idempotency-Key: b%d\r\nContent-Length: %d\r\n\r\n%s" % (first_key + i, len(body), body)
        for i, body in enumerate(bodies)
    ]
    latencies: list[float] = []
    errors = 0
    cursor = 0
    selector = selectors.DefaultSelector()
    live: set[_Connection] = set()  # every live connection has exactly one request in flight
    began = time.perf_counter()
    stop_at = began + MAX_SECONDS

    def send_next(conn: _Connection | None, now: float) -> None:
        """Give ``conn`` (a new connection if None) the next request, or close it once the round is over."""
        nonlocal cursor, errors
        while cursor < len(requests) and now < stop_at:
            request = requests[cursor]
            cursor += 1
            try:
                if conn is None:
                    conn = _Connection(port, selector)
                conn.begin(request)
            except OSError:
                errors += 1
                if conn is not None:
                    live.discard(conn)
                    conn.close()
                    conn = None
                now = time.perf_counter()
                continue
            live.add(conn)
            return
        if conn is not None:
            live.discard(conn)
            conn.close()

    def fail(conn: _Connection, now: float) -> None:
        nonlocal errors
        errors += 1
        live.discard(conn)
        conn.close()
        send_next(None, now)

    # Ramp-up: one connection first, and another each time a response comes back, until CONCURRENCY are
    # open. Opened all at once, the connections queue while both server processes wait idle, and the one
    # that wakes first takes the whole queue (asyncio accepts up to the backlog per wake-up): a round then
    # ran on one process at half speed. Opened one by one, each goes to whichever process is free.
    opened = 1
    send_next(None, began)
    next_sweep = began + 1.0
    while live:
        events = selector.select(1.0)
        # One clock reading per wake-up: every response in this batch was complete by then.
        now = time.perf_counter()
        for key, mask in events:
            conn = key.data
            try:
                if mask & selectors.EVENT_WRITE and conn.out is not None:
                    conn.flush()
                if not (mask & selectors.EVENT_READ and conn.receive(now)):
                    continue
            except (OSError, ValueError):  # ValueError: _ProtocolError or a bad number in a header
                fail(conn, now)
                continue
            if conn.status == 200 or conn.status == 201:
                latencies.append(now - conn.started)
            else:
                errors += 1
            if opened < CONCURRENCY:
                opened += 1
                send_next(None, now)
            # A response that came before the whole request was sent leaves the server mid-request: start afresh.
            if conn.close_after or conn.out is not None:
                live.discard(conn)
                conn.close()
                send_next(None, now)
            else:
                send_next(conn, now)
        if now >= next_sweep:
            next_sweep = now + 1.0
            for conn in [c for c in live if now - c.active_at > _STALL_S]:
                fail(conn, now)
    selector.close()
    return latencies, errors, time.perf_counter() - began


def run(bench: Any, workdir: Path) -> list[Measurement]:
    from django.core.management import call_command
    from django.db import connection, connections

    from zhifa.core.actors import SystemActor
    from zhifa.core.tokens import api_token_issue
    from zhifa.org.models import District

    # The throwaway database made for this run (bench.database): its demo accounts go nowhere else.
    call_command("load_demo", verbosity=0, demo_accounts=True, into_named_database=True)
    district = District.objects.get(code="330105")
    user = district.profile_set.filter(role="dispatcher").select_related("user").first()
    if user is None:
        raise RuntimeError("demo dispatcher missing")
    _, token = api_token_issue(actor=SystemActor("基准测试"), user=user.user, name="bench")
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
            f"{label}: throughput (median of {ROUNDS} rounds)",
            statistics.median(rates),
            "events/s",
            target=TARGET_EVENTS_PER_S,
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
