"""The soak's load: event intake at a steady rate over the benchmark's own HTTP connections
(``bench.intake_http._Connection``), where a request that fails is sent again, byte for byte, until it is
answered — the same idempotency key and the same body, from the same caller (one token), as a phone or an
integration retries. Whether that leaves every report stored exactly once is what the soak measures.

A failure is a refused or dropped connection, a malformed response, no progress for ``_STALL_S``, or a 5xx /
429 answer: retried after 0.25 s, doubling to 5 s. Any other 4xx is an answer (the report was refused) and is
not retried; the soak prints how many. Traffic goes only to 127.0.0.1.
"""

import heapq
import json
import selectors
import time
from collections import deque
from dataclasses import dataclass, field

from bench.intake_http import _STALL_S, CONCURRENCY, _Connection

RETRY_FIRST_S = 0.25
RETRY_MAX_S = 5.0


@dataclass
class Report:
    """What became of one report (one idempotency key)."""

    attempts: int = 0
    status: int = 0  # the final answer's HTTP status; 0 while none came
    event_ids: set[int] = field(default_factory=set)  # every event id it was answered with
    first_sent_at: float = 0.0
    answered_at: float = 0.0


class SteadyLoad:
    """Posts ``bodies[i]`` under idempotency key ``f"{prefix}-{i}"`` for ``seconds``, then keeps retrying
    what is unanswered for at most ``grace_s``.

    As the benchmark does, CONCURRENCY keep-alive connections are kept busy: a new report goes out whenever a
    connection is free and no retry is due, so the rate is what the server takes. ``rate`` (reports a second,
    0 = none) caps it; a report is created only when it is sent, so a server slower than the cap leaves no
    backlog behind that would hold retries up, and no new report goes out while CONCURRENCY wait to be
    retried (the server is down)."""

    def __init__(
        self, *, port: int, token: str, bodies: list[bytes], prefix: str, rate: float, seconds: float, grace_s: float
    ) -> None:
        self.port = port
        self.head = (
            f"POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        ).encode()
        self.bodies = bodies
        self.prefix = prefix.encode()
        self.rate = rate
        self.seconds = seconds
        self.grace_s = grace_s
        self.reports: list[Report] = []
        self.latencies: list[float] = []  # first send to answer, seconds
        self.failures = 0  # attempts that failed and were retried
        self.refusals: dict[int, bytes] = {}  # a 4xx status → one body, for the report
        self.load_s = 0.0

    def key(self, index: int) -> str:
        return f"{self.prefix.decode()}-{index}"

    def _request(self, index: int) -> bytes:
        body = self.bodies[index]
        return self.head + b"Idempotency-Key: %s-%d\r\nContent-Length: %d\r\n\r\n%s" % (
            self.prefix,
            index,
            len(body),
            body,
        )

    def run(self) -> None:
        selector = selectors.DefaultSelector()
        began = time.perf_counter()
        stop_new = began + self.seconds
        give_up = stop_new + self.grace_s
        ready: deque[int] = deque()
        retries: list[tuple[float, int]] = []
        live: dict[_Connection, int] = {}
        idle: list[_Connection] = []
        next_sweep = began + 1.0

        def failed(conn: _Connection | None, index: int, now: float) -> None:
            if conn is not None:
                conn.close()
            self.failures += 1
            report = self.reports[index]
            delay = min(RETRY_MAX_S, RETRY_FIRST_S * 2 ** min(report.attempts - 1, 10))
            heapq.heappush(retries, (now + delay, index))

        def next_report(now: float) -> int | None:
            """A retry that is due, else a new report if the load is on and the cap allows one."""
            if ready:
                return ready.popleft()
            # A connection freed by a failure is not an invitation to send more: while the server is down,
            # every slot would fail at once and the whole load would end up waiting in the retry queue.
            if len(retries) >= CONCURRENCY:
                return None
            if now >= stop_new or len(self.reports) >= len(self.bodies):
                return None
            if self.rate and len(self.reports) >= (now - began) * self.rate + 1:
                return None
            self.reports.append(Report())
            return len(self.reports) - 1

        while True:
            now = time.perf_counter()
            while retries and retries[0][0] <= now:
                ready.append(heapq.heappop(retries)[1])
            while idle or len(live) < CONCURRENCY:
                index = next_report(now)
                if index is None:
                    break
                report = self.reports[index]
                report.attempts += 1
                report.first_sent_at = report.first_sent_at or now
                conn = idle.pop() if idle else None
                try:
                    if conn is None:
                        conn = _Connection(self.port, selector)
                    conn.begin(self._request(index))
                except OSError:
                    failed(conn, index, now)
                    continue
                live[conn] = index
            finished_sending = now >= stop_new or len(self.reports) >= len(self.bodies)
            if (finished_sending and not live and not ready and not retries) or now >= give_up:
                break
            waits = [1.0]
            if now < stop_new and self.rate:
                waits.append(began + len(self.reports) / self.rate - now)
            if retries:
                waits.append(retries[0][0] - now)
            for key, mask in selector.select(max(0.001, min(waits))):
                conn = key.data
                now = time.perf_counter()
                if conn not in live:
                    # An idle keep-alive connection became readable: the server closed it (or died).
                    idle.remove(conn)
                    conn.close()
                    continue
                try:
                    if mask & selectors.EVENT_WRITE and conn.out is not None:
                        conn.flush()
                    if not (mask & selectors.EVENT_READ and conn.receive(now)):
                        continue
                except (OSError, ValueError):  # ValueError: the bench's _ProtocolError or a bad header number
                    failed(conn, live.pop(conn), now)
                    continue
                index = live.pop(conn)
                self._answered(index, conn.status, conn.body, now)
                if conn.status >= 500 or conn.status == 429:
                    failed(conn, index, now)
                    continue
                if conn.close_after or conn.out is not None:
                    conn.close()
                else:
                    idle.append(conn)
            now = time.perf_counter()
            if now >= next_sweep:
                next_sweep = now + 1.0
                for conn in [c for c, _ in live.items() if now - c.active_at > _STALL_S]:
                    failed(conn, live.pop(conn), now)
        for conn in [*live, *idle]:
            conn.close()
        selector.close()
        self.load_s = time.perf_counter() - began

    def _answered(self, index: int, status: int, body: bytes, now: float) -> None:
        report = self.reports[index]
        if status >= 500 or status == 429:
            return
        report.status = status
        report.answered_at = now
        self.latencies.append(now - report.first_sent_at)
        if status in (200, 201):
            report.event_ids.add(int(json.loads(body)["id"]))
        else:
            self.refusals.setdefault(status, body[:300])
