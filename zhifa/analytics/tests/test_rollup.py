"""The day rollup (ADR 0016): the leaders' view read from ``AnalyticsDaily`` gives the figures counted from the
events, on the day built by hand (conftest.py), and an event changed after the rollup is counted again."""

import dataclasses
import datetime as dt
import io
from typing import Any

import time_machine
from django.core.management import call_command

from zhifa.analytics import rollup
from zhifa.analytics.models import AnalyticsMonthly, AnalyticsRollupDay
from zhifa.analytics.scope import analytics_scope
from zhifa.analytics.selectors import event_records, event_records_count, overview, rolled_days
from zhifa.events.models import Event
from zhifa.events.states import EventSource

from .conftest import DAY, TZ, at

# The next morning: the day is whole and every clock of it past due.
LATER = dt.datetime(2026, 3, 11, 9, 0, tzinfo=TZ)
PERIOD = {"date_from": "2026-03-09", "date_to": "2026-03-11"}


def counts(rows: list[dict[str, Any]], field: str = "count") -> dict[str, int]:
    return {r["label"]: r[field] for r in rows if r[field]}


def test_figures_from_the_rollup_equal_those_from_the_events(day: Any) -> None:
    with time_machine.travel(LATER, tick=False):
        scopes = [analytics_scope(user=day.world.user("leader"), **PERIOD)]
        street_a = day.street_a_events[0].street
        scopes.append(dataclasses.replace(scopes[0], street=street_a))
        scopes.append(dataclasses.replace(scopes[0], street=street_a, zone=day.street_a_events[0].zone))
        raw = [overview(s) for s in scopes]
        assert rolled_days(scopes[0]) == []

        rollup.refresh(day.world.district.pk, DAY - dt.timedelta(days=1), DAY)

        assert rolled_days(scopes[0]) == [DAY - dt.timedelta(days=1), DAY]
        from_rollup = [overview(s) for s in scopes]
    assert from_rollup == raw
    # Known answers (test_selectors.py), now from the rollup: not two empty dicts agreeing.
    f = from_rollup[0]
    assert f["total"] == 13  # the day's 12 and the day before's 1
    assert [(c["key"], c["met"], c["missed"], c["running"]) for c in f["compliance"]] == [
        ("acknowledge", 10, 0, 0),
        ("arrive", 7, 3, 0),
        ("handle", 6, 4, 0),
    ]
    assert counts(f["by_source"]) == {"12345热线": 7, "巡查发现": 3, "无人机": 1, "接口": 2}
    assert [(e["clock"], e["level"], e["count"]) for e in f["escalations"]] == [("arrive", 1, 1), ("arrive", 2, 1)]
    assert from_rollup[1]["by_street"] == [{"key": str(street_a.pk), "label": street_a.name, "count": 11}]


def test_a_day_not_over_or_not_settled_is_counted_from_the_events(day: Any) -> None:
    # Refreshed at 18:00 on the day itself: the day is not whole, so it is not read from the rollup.
    rollup.refresh(day.world.district.pk, DAY, DAY)
    scope = analytics_scope(user=day.world.user("leader"), date_from="2026-03-10", date_to="2026-03-10")
    assert rolled_days(scope) == []
    row = AnalyticsRollupDay.objects.get(day=DAY)
    assert row.computed_at < dt.datetime(2026, 3, 11, tzinfo=TZ)


def test_an_event_changed_after_the_rollup_is_counted_again(day: Any) -> None:
    district = day.world.district.pk
    with time_machine.travel(LATER, tick=False):
        rollup.refresh(district, DAY, DAY)
    scope = analytics_scope(user=day.world.user("leader"), date_from="2026-03-10", date_to="2026-03-10")
    event = Event.objects.get(pk=day.street_a_events[0].pk)
    assert event.source == EventSource.HOTLINE
    with time_machine.travel(LATER + dt.timedelta(hours=1), tick=False):
        event.source = EventSource.PATROL
        event.save(update_fields=["source", "updated_at"])
    with time_machine.travel(LATER + dt.timedelta(hours=2), tick=False):
        assert counts(overview(scope)["by_source"])["12345热线"] == 7  # the rollup, not yet refreshed
        # The scheduler's step: the last day only, and any older day changed since the previous step.
        rollup.refresh_recent(district, days=1)
        assert rolled_days(scope) == [DAY]
        f = overview(scope)
    assert counts(f["by_source"])["12345热线"] == 6
    assert counts(f["by_source"])["巡查发现"] == 4


def test_the_scheduler_backfills_then_keeps_the_recent_days(day: Any) -> None:
    scope = analytics_scope(user=day.world.user("leader"), date_from="2026-03-09", date_to="2026-03-10")
    with time_machine.travel(LATER, tick=False):
        call_command("analytics_rollup", "--once", "--backfill", "3", stdout=io.StringIO())
        assert rolled_days(scope) == [DAY - dt.timedelta(days=1), DAY]
        assert overview(scope)["total"] == 13


# The month after: March is whole and settled.
APRIL = dt.datetime(2026, 4, 2, 9, 0, tzinfo=TZ)


def test_a_whole_month_is_read_from_the_month_rollup_and_equals_the_events(day: Any) -> None:
    with time_machine.travel(APRIL, tick=False):
        leader = day.world.user("leader")
        march = analytics_scope(user=leader, date_from="2026-03-01", date_to="2026-03-31")
        street_a = day.street_a_events[0].street
        scopes = [
            march,
            dataclasses.replace(march, street=street_a),
            dataclasses.replace(march, street=street_a, zone=day.street_a_events[0].zone),
            # February's second half from its day rows, March from its month's.
            analytics_scope(user=leader, date_from="2026-02-15", date_to="2026-03-31"),
        ]
        raw = [overview(s) for s in scopes]

        rollup.refresh(day.world.district.pk, dt.date(2026, 2, 1), dt.date(2026, 3, 31))

        assert AnalyticsMonthly.objects.filter(month=dt.date(2026, 3, 1), dim="all").exists()
        from_rollup = [overview(s) for s in scopes]
    assert from_rollup == raw
    f = from_rollup[0]
    assert f["total"] == 13
    assert [(c["key"], c["met"], c["missed"], c["running"]) for c in f["compliance"]] == [
        ("acknowledge", 10, 0, 0),
        ("arrive", 7, 3, 0),
        ("handle", 6, 4, 0),
    ]
    assert counts(f["by_hour"]) == {"08时": 4, "09时": 4, "10时": 1, "11时": 1, "14时": 3}
    assert [(c["label"], c["total"], c["met"], c["overdue"]) for c in f["coordination"]] == [
        (day.world.market_dept.name, 2, 1, 1)
    ]
    assert sum(w["assigned"] for w in f["workload"]) == 10


def test_the_month_is_rewritten_with_a_day_changed_in_it(day: Any) -> None:
    district = day.world.district.pk
    with time_machine.travel(APRIL, tick=False):
        rollup.refresh(district, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
        march = analytics_scope(user=day.world.user("leader"), date_from="2026-03-01", date_to="2026-03-31")
    event = Event.objects.get(pk=day.street_a_events[0].pk)
    with time_machine.travel(APRIL + dt.timedelta(hours=1), tick=False):
        event.source = EventSource.PATROL
        event.save(update_fields=["source", "updated_at"])
    with time_machine.travel(APRIL + dt.timedelta(hours=2), tick=False):
        rollup.refresh_recent(district, days=1)
        assert len(rolled_days(march)) == 31
        f = overview(march)
    assert counts(f["by_source"])["12345热线"] == 6
    assert counts(f["by_source"])["巡查发现"] == 4


def test_old_days_changed_in_one_month_are_recounted_with_their_month(day: Any) -> None:
    district = day.world.district.pk
    with time_machine.travel(APRIL, tick=False):
        rollup.refresh(district, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
        march = analytics_scope(user=day.world.user("leader"), date_from="2026-03-01", date_to="2026-03-31")
    day_before = Event.objects.get(district_id=district, reported_at__lt=at(0))
    on_the_day = Event.objects.get(pk=day.street_a_events[0].pk)
    with time_machine.travel(APRIL + dt.timedelta(hours=1), tick=False):
        for event in (day_before, on_the_day):
            event.source = EventSource.DRONE
            event.save(update_fields=["source", "updated_at"])
    with time_machine.travel(APRIL + dt.timedelta(hours=2), tick=False):
        rollup.refresh_recent(district, days=1)  # the 9th and the 10th, and March's sum once
        assert len(rolled_days(march)) == 31
        from_rollup = overview(march)
        AnalyticsRollupDay.objects.all().delete()
        raw = overview(march)
    assert from_rollup == raw
    assert counts(raw["by_source"])["无人机"] == 3


RECORD_KEYS = [
    ("all", ""),
    ("source", "hotline"),
    ("source", "drone"),
    ("kind", "none"),
    ("hour", "8"),
    ("hour", "08"),
    ("hour", "14"),
    ("weekhour", "2-8"),  # Tuesday 10 March, 08:00–08:59
    ("weekhour", "1-9"),  # Monday 9 March, 09:00–09:59: the day before's one event
    ("clock", "arrive:met"),
    ("clock", "arrive:missed"),
    ("clock", "handle:running"),
    ("escalated", ""),
]


def test_the_records_count_from_the_rollup_is_the_list_s_count(day: Any) -> None:
    with time_machine.travel(APRIL, tick=False):
        leader = day.world.user("leader")
        scopes = [
            analytics_scope(user=leader, date_from="2026-03-01", date_to="2026-03-31"),  # the month's rows
            analytics_scope(user=leader, **PERIOD),  # day rows, and the 11th from the events
        ]
        event = day.street_a_events[0]
        keys = [
            *RECORD_KEYS,
            ("kind", str(day.kind.pk)),
            ("street", str(event.street_id)),
            ("zone", str(event.zone_id)),
            ("grid", str(event.grid_id)),
            ("coordination", f"{day.world.market_dept.pk}:overdue"),  # not in the rollup: from the events
        ]
        listed = {(i, f, k): event_records(s, figure=f, key=k).count() for i, s in enumerate(scopes) for f, k in keys}

        rollup.refresh(day.world.district.pk, dt.date(2026, 3, 1), dt.date(2026, 3, 31))

        assert len(rolled_days(scopes[0])) == 31
        counted = {(i, f, k): event_records_count(s, figure=f, key=k) for i, s in enumerate(scopes) for f, k in keys}
    assert counted == listed
    assert [listed[(0, f, k)] for f, k in RECORD_KEYS[:6]] == [13, 7, 1, 6, 4, 4]
    assert listed[(0, "clock", "arrive:missed")] == 3
    assert listed[(0, "weekhour", "1-9")] == 1
    assert listed[(0, "escalated", "")] == 1
