"""The report's figures (``sim.engine.summarise``, ``sim.__main__.report``): 1530 from the first dispatch, as
the service starts the clocks, and from the report, as the citizen waits — the minutes before a dispatch
(ours waiting for someone to propose) and behind a busy officer (the baseline's queue) both count there.
No database: the events' times are given."""

import datetime as dt
from typing import Any

from sim.__main__ import report
from sim.engine import EventTimes, summarise
from zhifa.events.states import TimeBase

T0 = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
LIMITS = {"acknowledge": 1, "arrive": 5, "handle": 30}


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def times(
    reported: float, dispatched: float | None, ack: float | None, arrive: float | None, handle: float | None
) -> EventTimes:
    return EventTimes(
        reported=at(reported),
        dispatched=None if dispatched is None else at(dispatched),
        done={
            "acknowledge": None if ack is None else at(ack),
            "arrive": None if arrive is None else at(arrive),
            "handle": None if handle is None else at(handle),
        },
        limits=LIMITS,
        time_base=TimeBase.AROUND_THE_CLOCK,
    )


DAY = [
    # dispatched after 10 minutes' wait, then fast: within every clock from the dispatch, late from the report
    # except handle, done at its due time exactly
    times(0, 10, 10.5, 14, 30),
    # dispatched at once to a busy officer: on site after 7 minutes, reported after 40
    times(0, 0, 0.5, 7, 40),
    # never dispatched
    times(60, None, None, None, None),
]


def test_from_the_dispatch_the_wait_before_it_is_invisible() -> None:
    figures = summarise(DAY)

    assert (figures["accepted"], figures["dispatched"]) == (3, 2)
    assert figures["acknowledge"] == {"met": 2, "share": 1.0, "p50": 30.0, "p90": 30.0, "missing": 0}
    assert figures["arrive"] == {"met": 1, "share": 0.5, "p50": 240.0, "p90": 420.0, "missing": 0}
    assert figures["handle"] == {"met": 1, "share": 0.5, "p50": 1200.0, "p90": 2400.0, "missing": 0}


def test_from_the_report_the_wait_counts_and_an_undispatched_event_misses() -> None:
    figures = summarise(DAY)["from_report"]

    # report → dispatch: 0 s, 600 s, never (counted as the longest)
    assert figures["dispatch"] == {"p50": 600.0, "p90": None, "missing": 1, "waited": 1, "longest": 600.0}
    assert figures["acknowledge"] == {"met": 1, "share": 1 / 3, "p50": 630.0, "p90": None, "missing": 1}
    assert figures["arrive"] == {"met": 0, "share": 0.0, "p50": 840.0, "p90": None, "missing": 1}
    assert figures["handle"] == {"met": 1, "share": 1 / 3, "p50": 2400.0, "p90": None, "missing": 1}


def run(figures: dict[str, Any], policy: str) -> dict[str, Any]:
    return {
        **figures,
        "policy": policy,
        "events": 4,
        "merged": 1,
        "waits": 7,
        "taken_away": 0,
        "skipped": 0,
        "errors": [],
        "seconds": 1.0,
        "escalations": {"1": 0, "2": 0, "3": 0},
        "outside": {"by_dispatcher": 5, "by_watcher": 2, "officers": 3},
        "roster": {"day": {"officers": 9, "riding": 6}, "night": {"officers": 3, "riding": 2}},
    }


def cells(table: str, label: str) -> str:
    """The values printed on the row labelled ``label``, spaces collapsed."""
    (line,) = [line for line in table.splitlines() if line.startswith(label + " ")]
    return " ".join(line[len(label) :].split())


def test_the_table_prints_both_groups_of_rows() -> None:
    # Given our day above and a baseline whose one event went well
    ours = run(summarise(DAY), "ours")
    baseline = run(summarise([times(0, 0, 0.5, 4, 20)]), "baseline")

    # When the table is printed
    table = report("示例", {"ours": ours, "baseline": baseline})

    # Then each group has its own denominator: dispatched events, or every event not merged
    assert cells(table, "已派遣事件") == "2 1"
    assert cells(table, "到场 ≤ 时限") == "50.0% (1/2) 100.0% (1/1)"
    assert cells(table, "到场 p50 / p90") == "4.0 min / 7.0 min 4.0 min / 4.0 min"
    assert cells(table, "上报→派遣 p50 / p90") == "10.0 min / — 0 s / 0 s"
    assert cells(table, "派遣前等待的事件（最长）") == "1（10.0 min） 0（0 s）"
    assert cells(table, "上报→响应 ≤ 时限") == "33.3% (1/3) 100.0% (1/1)"
    assert cells(table, "上报→到场 ≤ 时限") == "0.0% (0/3) 100.0% (1/1)"
    assert cells(table, "上报→到场 p50 / p90") == "14.0 min / — 4.0 min / 4.0 min"
    assert cells(table, "上报→处置 ≤ 时限") == "33.3% (1/3) 100.0% (1/1)"
    assert cells(table, "邻街人员出勤 调度 / 超时改派（人数）") == "5 / 2（3） 5 / 2（3）"
    assert cells(table, "各班次在岗队员（其中骑行）") == "白班 9（6），夜班 3（2） 白班 9（6），夜班 3（2）"
