"""From a dispatch's commit to the task on the officer's open phone page (issue 16: "the officer is never told";
the target is within 2 s).

Set-up: one officer (account, post, officer record) in a street of the bench district, and a dispatcher.
uvicorn serves the project (ASGI, one worker, as ``make run`` does) on a free loopback port; the officer is
signed in (a session made by Django's login, in the database the server reads) and a Python SSE client holds
``/m/stream`` open as the page's EventSource does. The bench process then reports ``DISPATCHES`` events one
after another and dispatches each to the officer through the service, as the dispatcher's page does; the
time runs from the moment ``event_dispatch`` returned (its transaction committed) to the moment the stream's
message for that task was read. Reported: median, p95 (nearest rank) and the slowest. The stream polls the
database every ``zhifa.web.sse.POLL_SECONDS`` (0.5 s), which is most of what is measured. Traffic goes only
to 127.0.0.1.
"""

import datetime as dt
import http.client
import json
import os
import queue
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench.district import BenchDistrict
from bench.results import Measurement

DISPATCHES = 20
TARGET_S = 2.0
# A message not seen this long after its dispatch counts as lost (and is reported as such).
LOST_AFTER_S = 15.0


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


class StreamReader(threading.Thread):
    """The page's EventSource, in Python: reads ``/m/stream`` and puts (arrival time, task message) on a queue."""

    def __init__(self, port: int, cookie: str) -> None:
        super().__init__(daemon=True)
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.conn.request("GET", "/m/stream", headers={"Cookie": cookie, "Accept": "text/event-stream"})
        response = self.conn.getresponse()
        if response.status != 200:
            raise RuntimeError(f"/m/stream answered {response.status}")
        self.response = response
        self.messages: queue.Queue[tuple[float, dict[str, Any]]] = queue.Queue()
        self.stopped = False

    def run(self) -> None:
        event, data = "", ""
        try:
            while not self.stopped:
                raw = self.response.fp.readline()
                if not raw:
                    return
                line = raw.decode().rstrip("\r\n")
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    data = line[6:]
                elif line == "" and event == "task" and data:
                    self.messages.put((time.perf_counter(), json.loads(data)))
                    event, data = "", ""
        except OSError:
            return

    def close(self) -> None:
        self.stopped = True
        self.conn.close()


def _setup(bench: BenchDistrict) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from zhifa.org.models import Department, DepartmentKind, Officer, Profile, Zone
    from zhifa.org.roles import Role

    district = bench.district
    department, _ = Department.objects.get_or_create(
        district=district,
        code="ZHZF",
        defaults={"name": "区综合行政执法局", "short_name": "综合执法", "kind": DepartmentKind.DEPARTMENT},
    )
    zone = Zone.objects.filter(district=district).order_by("code").first()
    assert zone is not None
    users = get_user_model().objects
    officer_user = users.create_user(username="bench-phone-officer", password=None)
    Profile.objects.create(
        user=officer_user, district=district, role=Role.OFFICER, display_name="基准队员", street_id=zone.street_id
    )
    officer = Officer.objects.create(
        district=district,
        user=officer_user,
        name="基准队员",
        badge_no="BP00001",
        certificate_no="BPC00000001",
        certificate_valid_until=dt.date(2030, 12, 31),
        home_department=department,
        street_id=zone.street_id,
        zone=zone,
    )
    dispatcher = users.create_user(username="bench-phone-dispatcher", password=None)
    Profile.objects.create(user=dispatcher, district=district, role=Role.DISPATCHER, display_name="基准调度员")
    client = Client()
    client.force_login(officer_user)  # the session row the server will read, as the sign-in form makes it
    cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())
    return {"officer": officer, "dispatcher": dispatcher, "zone": zone, "cookie": cookie}


def _report(district: Any, zone: Any, dispatcher: Any, n: int) -> Any:
    from shapely.geometry import shape

    from zhifa.events import services
    from zhifa.events.states import EventSource

    point = shape(zone.boundary).representative_point()
    return services.event_intake(
        actor=dispatcher,
        district=district,
        source=EventSource.HOTLINE,
        description=f"基准测试：门前占道经营 第{n}件",
        lon=point.x,
        lat=point.y,
    ).event


def run(bench: BenchDistrict, workdir: Path) -> list[Measurement]:
    from django.db import connection, connections

    from zhifa.events import services

    ctx = _setup(bench)
    engine = connection.vendor
    connections.close_all()
    port = _free_port()
    env = {**os.environ, "ZHIFA_ALLOWED_HOSTS": "127.0.0.1,localhost"}
    server_log = (workdir / "uvicorn-phone.log").open("wb")
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
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    times: list[float] = []
    lost = 0
    reader: StreamReader | None = None
    try:
        _wait_ready(port, time.time() + 30)
        reader = StreamReader(port, ctx["cookie"])
        reader.start()
        time.sleep(1.0)  # the stream's first poll: what is already there is not a new task
        for n in range(DISPATCHES):
            event = _report(bench.district, ctx["zone"], ctx["dispatcher"], n)
            services.event_dispatch(actor=ctx["dispatcher"], event=event, officers=[ctx["officer"]])
            committed = time.perf_counter()
            deadline = committed + LOST_AFTER_S
            while True:
                left = deadline - time.perf_counter()
                if left <= 0:
                    lost += 1
                    break
                try:
                    at, message = reader.messages.get(timeout=left)
                except queue.Empty:
                    continue
                if message["id"] == event.pk and message["is_task"]:
                    times.append(max(0.0, at - committed))
                    break
            # The task is done with before the next (the officer's list stays short, as on a real shift).
            services.event_return(actor=ctx["dispatcher"], event=event, reason="基准测试结束")
    finally:
        if reader is not None:
            reader.close()
        server.terminate()
        server.wait(timeout=10)
        server_log.close()
    times.sort()
    p95 = times[min(len(times) - 1, max(0, int(0.95 * len(times) + 0.5) - 1))] if times else float("nan")
    print(
        f"[phone_delivery] {engine}: {len(times)} of {DISPATCHES} tasks reached the open stream"
        + (f", {lost} not within {LOST_AFTER_S:.0f} s" if lost else "")
    )
    label = f"dispatch commit → task on the open phone page ({engine}, {DISPATCHES} dispatches)"
    return [
        Measurement(f"{label}: median", statistics.median(times) if times else float("nan"), "s"),
        Measurement(f"{label}: p95", p95, "s", maximum=TARGET_S),
        Measurement(f"{label}: slowest", times[-1] if times else float("nan"), "s"),
        Measurement(f"{label}: not delivered within {LOST_AFTER_S:.0f} s", float(lost), "tasks", maximum=0),
    ]
