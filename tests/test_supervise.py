"""``scripts/supervise`` (what ``make run`` starts each process under) starts a process again after it was
killed, and stops it, without a restart, when it is told to stop (issue 9, item 6)."""

import os
import re
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

SUPERVISE = Path(__file__).resolve().parent.parent / "scripts" / "supervise"


def next_line(process: subprocess.Popen[str], selector: selectors.BaseSelector, timeout: float = 20.0) -> str:
    """The supervisor's next log line; fails the test instead of hanging."""
    assert process.stderr is not None
    if not selector.select(timeout):
        raise AssertionError("the supervisor logged nothing in time")
    return process.stderr.readline().split("] ", 1)[1].strip()


def test_a_killed_process_is_started_again_and_a_stop_is_final() -> None:
    process = subprocess.Popen(
        [sys.executable, str(SUPERVISE), "sleeper", "--", sys.executable, "-c", "import time; time.sleep(60)"],
        stderr=subprocess.PIPE,
        text=True,
    )
    selector = selectors.DefaultSelector()
    assert process.stderr is not None
    selector.register(process.stderr, selectors.EVENT_READ)
    try:
        first = re.fullmatch(r"started pid (\d+)", next_line(process, selector))
        assert first is not None
        os.kill(int(first[1]), signal.SIGKILL)

        exited = next_line(process, selector)
        assert re.fullmatch(rf"pid {first[1]} exited with signal SIGKILL after \d+\.\d s; restarting in 1 s", exited)
        second = re.fullmatch(r"started pid (\d+)", next_line(process, selector))
        assert second is not None and second[1] != first[1]

        process.send_signal(signal.SIGTERM)
        assert next_line(process, selector) == "stopped"
        assert process.wait(timeout=10) == 0
        time.sleep(0.2)
        assert not Path(f"/proc/{second[1]}").exists()  # the supervised process was stopped with it
    finally:
        if process.poll() is None:
            process.kill()
        selector.close()
