"""The soak's processes: the web server, the task worker and the clock watcher, each under
``scripts/supervise`` as ``make run`` starts them, killed with SIGKILL on schedule; and the PostgreSQL restart."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _tree(pid: int) -> list[int]:
    pids, pending = [], [pid]
    while pending:
        current = pending.pop()
        pids.append(current)
        pending.extend(_children(current))
    return pids


class Supervised:
    """One process under ``scripts/supervise``; its log (the supervisor's and the process's) in ``log_path``."""

    def __init__(self, name: str, command: list[str], *, env: dict[str, str], log_path: Path) -> None:
        self.name = name
        self.log_path = log_path
        self.log = log_path.open("ab")
        # Its own session, so that a stop reaches the supervisor, the process and (uvicorn) its workers.
        self.supervisor = subprocess.Popen(
            [sys.executable, str(ROOT / "scripts" / "supervise"), name, "--", *command],
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def child(self) -> int | None:
        children = _children(self.supervisor.pid)
        return children[0] if children else None

    def kill(self) -> int:
        """SIGKILL the supervised process and everything it started (uvicorn's worker processes); returns
        its pid. The supervisor is left alone: starting it again is its job."""
        pid = self.child()
        if pid is None:
            raise RuntimeError(f"{self.name}: no process to kill")
        for each in reversed(_tree(pid)):
            with suppress(ProcessLookupError):
                os.kill(each, signal.SIGKILL)
        return pid

    def wait_restarted(self, old_pid: int, timeout: float = 120.0) -> tuple[int, float]:
        """The new process's pid and how long after the kill it was started."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            pid = self.child()
            if pid is not None and pid != old_pid:
                return pid, time.monotonic() - started
            time.sleep(0.05)
        raise RuntimeError(f"{self.name}: not restarted within {timeout:.0f} s")

    def stop(self) -> None:
        if self.supervisor.poll() is None:
            self.supervisor.send_signal(signal.SIGTERM)
            try:
                self.supervisor.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.supervisor.pid, signal.SIGKILL)
                self.supervisor.wait(timeout=10)
        self.log.close()

    def restarts(self) -> int:
        return self.log_path.read_text(encoding="utf-8", errors="replace").count("restarting in")


def _cluster() -> list[str]:
    versions = sorted(os.listdir("/etc/postgresql"))
    return [versions[-1], "main"]


def postgres_restart() -> float:
    """Restart the local PostgreSQL cluster; returns the seconds it took."""
    started = time.monotonic()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", *_cluster(), "restart"],
        check=True,
        timeout=180,
        capture_output=True,
    )
    return time.monotonic() - started


def _postgres_online() -> bool:
    result = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, timeout=30)
    version, name = _cluster()
    return any(line.split()[:2] == [version, name] and "online" in line.split() for line in result.stdout.splitlines())


@contextmanager
def postgres_kept_running() -> Iterator[None]:
    """Whatever happens inside (an interrupted restart included), the cluster is running afterwards."""
    try:
        yield
    finally:
        if not _postgres_online():
            subprocess.run(
                ["pg_ctlcluster", "--skip-systemctl-redirect", *_cluster(), "start"], timeout=180, check=False
            )
        if not _postgres_online():
            print("!! PostgreSQL is not running after the soak: start it by hand", file=sys.stderr)
