"""The per-process reference caches: rebuilt when the rows' stamp changes, the stamp asked at most once per
ZHIFA_REFERENCE_RECHECK_S seconds."""

from typing import Any

import pytest

from zhifa.core import stamped
from zhifa.core.stamped import StampedCache


class Rows:
    def __init__(self) -> None:
        self.version = 1
        self.stamp_calls = 0
        self.builds = 0

    def stamp(self, key: int) -> tuple[Any, ...]:
        self.stamp_calls += 1
        return (key, self.version)

    def build(self, key: int) -> str:
        self.builds += 1
        return f"{key}@{self.version}"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [1000.0]
    monkeypatch.setattr(stamped.time, "monotonic", lambda: now[0])
    return now


def test_an_edit_is_seen_on_the_next_use_when_rechecking_every_time(settings: Any, clock: list[float]) -> None:
    settings.ZHIFA_REFERENCE_RECHECK_S = 0
    rows = Rows()
    cache = StampedCache(stamp=rows.stamp, build=rows.build)

    assert cache.get(7) == "7@1"
    assert cache.get(7) == "7@1"
    rows.version = 2
    assert cache.get(7) == "7@2"
    assert (rows.stamp_calls, rows.builds) == (3, 2)  # an unchanged stamp does not rebuild


def test_the_stamp_is_asked_at_most_once_per_interval_and_an_edit_shows_after_it(
    settings: Any, clock: list[float]
) -> None:
    settings.ZHIFA_REFERENCE_RECHECK_S = 1.0
    rows = Rows()
    cache = StampedCache(stamp=rows.stamp, build=rows.build)

    assert cache.get(7) == "7@1"
    rows.version = 2
    clock[0] += 0.5
    assert cache.get(7) == "7@1"  # within the second: the cached value, no query
    assert rows.stamp_calls == 1
    clock[0] += 0.6
    assert cache.get(7) == "7@2"
    assert cache.get(8) == "8@2"  # each key has its own clock
    assert (rows.stamp_calls, rows.builds) == (3, 3)


def test_clear_forgets_everything(settings: Any, clock: list[float]) -> None:
    settings.ZHIFA_REFERENCE_RECHECK_S = 60
    rows = Rows()
    cache = StampedCache(stamp=rows.stamp, build=rows.build)
    cache.get(1)
    rows.version = 3
    cache.clear()
    assert cache.get(1) == "1@3"
