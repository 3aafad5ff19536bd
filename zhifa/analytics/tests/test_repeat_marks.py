"""Repeat marks (ADR 0016): the rollup job's ``RepeatMark`` rows equal the pure detection (``repeats.link``)
over the district's events after a rebuild and after every kind of change the job's step sees (a kind changed
or cleared, a report moved to another point or grid, merged, new reports — one of them back-dated); the view
reads them (scope, the cap, the records) and detects the events not marked yet live."""

import dataclasses
import datetime as dt
import html
import random
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from zhifa.analytics import repeat_marks, selectors
from zhifa.analytics.models import RepeatMark, RepeatMarkState, RepeatPlaceMonth
from zhifa.analytics.repeats import Report, link, order
from zhifa.analytics.scope import AnalyticsScope
from zhifa.analytics.selectors import event_records, event_records_count, overview, repeat_figures
from zhifa.catalog.models import ComplaintKind
from zhifa.events.models import Event
from zhifa.events.states import EventStatus
from zhifa.events.tests.factories import EventFactory
from zhifa.org.tests.factories import GridFactory

TZ = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 3, 31, 20, 0, tzinfo=TZ)  # the events are written; marked an hour later
T1 = T0 + dt.timedelta(hours=3)  # the changes; the job's next step a minute later
START = dt.datetime(2026, 1, 20, tzinfo=TZ)
MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


@pytest.fixture(autouse=True)
def _radius(settings: Any) -> None:
    settings.ZHIFA_DEDUP_RADIUS_M = 100


def expected(district_id: int) -> dict[int, tuple[bool, int | None, int]]:
    """The pure detection over the district's events as they are: (is_repeat, repeat_of, place) per event."""
    rows = [
        Report(pk, kind, grid, lon, lat, at)
        for pk, kind, grid, lon, lat, at in repeat_marks.eligible(district_id).values_list(
            "pk", "kind_id", "grid_id", "lon", "lat", "reported_at"
        )
    ]
    place: dict[int, int] = {}
    out: dict[int, tuple[bool, int | None, int]] = {}
    for r, parent in link(sorted(rows, key=order)):
        place[r.event_id] = place[parent] if parent is not None else r.event_id
        out[r.event_id] = (parent is not None, parent, place[r.event_id])
    return out


def marks(district_id: int) -> dict[int, tuple[bool, int | None, int]]:
    return {
        pk: (is_repeat, parent, place)
        for pk, is_repeat, parent, place in RepeatMark.objects.filter(district_id=district_id).values_list(
            "event_id", "is_repeat", "repeat_of", "place"
        )
    }


def scope_fields(district_id: int) -> set[tuple[Any, ...]]:
    fields = ("street_id", "zone_id", "department_id", "grid_id", "kind_id", "lon", "lat", "reported_at")
    ours = set(RepeatMark.objects.filter(district_id=district_id).values_list("event_id", *fields))
    theirs = set(repeat_marks.eligible(district_id).values_list("pk", *fields))
    return ours ^ theirs


def monthly(district_id: int) -> dict[tuple[Any, ...], int]:
    """The kept monthly counts: (month, place, street, zone, department) → repeats."""
    return {
        (month, place, street, zone, department): n
        for month, place, street, zone, department, n in RepeatPlaceMonth.objects.filter(
            district_id=district_id
        ).values_list("month", "place", "street_id", "zone_id", "department_id", "repeats")
    }


def monthly_from_marks(district_id: int) -> dict[tuple[Any, ...], int]:
    """The same counted here from the marks, each repeat's month read in local time."""
    out: dict[tuple[Any, ...], int] = {}
    for at, place, street, zone, department in RepeatMark.objects.filter(
        district_id=district_id, is_repeat=True
    ).values_list("reported_at", "place", "street_id", "zone_id", "department_id"):
        key = (at.astimezone(TZ).date().replace(day=1), place, street, zone, department)
        out[key] = out.get(key, 0) + 1
    return out


@dataclasses.dataclass
class Sample:
    world: Any
    kinds: list[ComplaintKind]
    events: list[Event]
    rng: random.Random

    def new_event(self, at: dt.datetime, **fields: Any) -> Any:
        grid = self.rng.choice([self.world.grid_a, self.world.grid_b])
        base = grid.boundary["coordinates"][0][0]
        defaults = {
            "grid": grid,
            "district": self.world.district,
            "kind": self.rng.choice([*self.kinds, None]),
            "department": self.world.enforcement_dept,
            "lon": base[0] + 0.005 + self.rng.random() * 0.003,
            "lat": base[1] + 0.005 + self.rng.random() * 0.003,
            "reported_at": at,
        }
        return EventFactory(**(defaults | fields))


@pytest.fixture
def sample(world: Any) -> Sample:
    """300 events over 70 days (to 31 March) in a 300 m square across the two streets' grids, 3 kinds and
    none, a few merged: many repeats, by grid and by radius."""
    kinds = list(ComplaintKind.objects.filter(district=world.district).order_by("pk")[:3])
    assert len(kinds) == 3
    rng = random.Random(17)
    s = Sample(world, kinds, [], rng)
    with time_machine.travel(T0, tick=False):
        for _ in range(300):
            at = START + dt.timedelta(seconds=rng.randrange(70 * 86400))
            status = EventStatus.MERGED if rng.random() < 0.03 else EventStatus.REPORTED
            s.events.append(s.new_event(at, status=status))
    return s


def test_rebuilt_marks_equal_the_detection(sample: Sample) -> None:
    district = sample.world.district.pk

    written = repeat_marks.rebuild(district, now=T0 + dt.timedelta(hours=1))

    want = expected(district)
    assert written == len(want)
    assert marks(district) == want
    assert sum(1 for r, _p, _pl in want.values() if r) > 50, "the sample has repeats"
    assert len({p for _r, _p, p in want.values()}) < len(want) / 2, "and places of several reports"
    assert scope_fields(district) == set()
    assert monthly(district) == monthly_from_marks(district)
    assert len({key[0] for key in monthly(district)}) == 3, "January, February, March"


@pytest.mark.parametrize("near_max", [repeat_marks.NEAR_MAX, 0])  # the marks near the changes, or the kind's window
def test_the_jobs_step_keeps_the_marks_equal_to_the_detection(sample: Sample, near_max: int, monkeypatch: Any) -> None:
    monkeypatch.setattr(repeat_marks, "NEAR_MAX", near_max)
    district = sample.world.district.pk
    repeat_marks.rebuild(district, now=T0 + dt.timedelta(hours=1))
    rng = sample.rng
    changed = rng.sample(sample.events, 40)
    with time_machine.travel(T1, tick=False):
        for e in changed[:10]:  # another kind, or none
            e.kind = rng.choice([k for k in [*sample.kinds, None] if k != e.kind])
            e.save()
        for e in changed[10:20]:  # moved: another point, another grid
            e.lon += 0.0012
            e.grid = sample.world.grid_b if e.grid == sample.world.grid_a else sample.world.grid_a
            e.street, e.zone = e.grid.street, e.grid.zone
            e.save()
        for e in changed[20:25]:  # merged into another
            e.status = EventStatus.MERGED
            e.save()
        for e in changed[25:30]:  # handed to another department: the scope only
            e.department = sample.world.market_dept
            e.save()
        for e in changed[30:35]:  # reported a day earlier (corrected)
            e.reported_at -= dt.timedelta(days=1)
            e.save()
        for i in range(20):  # new, the last five back-dated into the history
            at = T1 - dt.timedelta(minutes=i) if i < 15 else START + dt.timedelta(days=rng.randrange(60))
            sample.new_event(at)
    assert marks(district) != expected(district)

    counted_before = monthly(district)
    repeat_marks.step(district, now=T1 + dt.timedelta(minutes=1))

    assert marks(district) == expected(district)
    assert scope_fields(district) == set()
    assert monthly(district) == monthly_from_marks(district) != counted_before
    assert RepeatMarkState.objects.get(district_id=district).marked_at == T1 + dt.timedelta(minutes=1)
    with time_machine.travel(T1 + dt.timedelta(minutes=30), tick=False):
        assert repeat_marks.step(district, now=T1 + dt.timedelta(minutes=30)) == 0  # nothing saved since


def test_a_kind_changed_unlinks_the_reports_after_it(world: Any) -> None:
    """A (1 March), B (20 March), C (14 April), one grid, one kind: B repeats A, C repeats B (25 days) — one place
    of three. B's kind corrected: C is 44 days after A, no repeat; no place is left."""
    kind, other = ComplaintKind.objects.filter(district=world.district).order_by("pk")[:2]
    with time_machine.travel(T0, tick=False):
        made: list[Any] = [
            EventFactory(grid=world.grid_a, district=world.district, kind=kind, reported_at=at)
            for at in (
                dt.datetime(2026, 3, 1, 9, tzinfo=TZ),
                dt.datetime(2026, 3, 20, 9, tzinfo=TZ),
                dt.datetime(2026, 4, 14, 9, tzinfo=TZ),
            )
        ]
        a, b, c = made
    repeat_marks.rebuild(world.district.pk, now=T0)
    assert marks(world.district.pk) == {a.pk: (False, None, a.pk), b.pk: (True, a.pk, a.pk), c.pk: (True, b.pk, a.pk)}

    with time_machine.travel(T1, tick=False):
        b.kind = other
        b.save()
    repeat_marks.step(world.district.pk, now=T1)

    assert marks(world.district.pk) == {a.pk: (False, None, a.pk), b.pk: (False, None, b.pk), c.pk: (False, None, c.pk)}


def view(world: Any, **level: Any) -> Any:
    return repeat_figures(AnalyticsScope(district_id=world.district.pk, date_from=MARCH[0], date_to=MARCH[1], **level))


def test_a_new_event_is_counted_before_the_step_and_after_it_alike(sample: Sample) -> None:
    district = sample.world.district.pk
    repeat_marks.rebuild(district, now=T0 + dt.timedelta(hours=1))
    before = view(sample.world)
    last = repeat_marks.eligible(district).order_by("-reported_at").first()
    assert last is not None
    with time_machine.travel(T1, tick=False):
        # The same kind at the same point, a minute before the step: not marked yet.
        sample.new_event(
            dt.datetime(2026, 3, 31, 22, tzinfo=TZ), kind=last.kind, grid=last.grid, lon=last.lon, lat=last.lat
        )

    live = view(sample.world)
    assert live.events == before.events + 1
    repeat_marks.step(district, now=T1 + dt.timedelta(minutes=1))
    marked = view(sample.world)

    assert (marked.events, marked.places_total) == (live.events, live.places_total)
    assert [(p.anchor_id, p.event_ids, p.repeat_ids) for p in marked.places] == [
        (p.anchor_id, p.event_ids, p.repeat_ids) for p in live.places
    ]


def test_a_district_never_marked_is_detected_live_as_the_marks_would_be(sample: Sample) -> None:
    live = view(sample.world)
    repeat_marks.rebuild(sample.world.district.pk, now=T0 + dt.timedelta(hours=1))
    marked = view(sample.world)

    assert live.events > 0
    assert (live.events, live.places_total) == (marked.events, marked.places_total)


def test_a_scope_keeps_the_repeats_in_it(world: Any) -> None:
    """A report in street A, the same kind 50 m away across the street line in street B a week later: the
    second is a repeat (detection is district-wide) counted in street B, not in A; the place's records in B's
    view hold both (the first is why the second counts)."""
    kind = ComplaintKind.objects.filter(district=world.district).order_by("pk").first()
    corner = world.grid_b.boundary["coordinates"][0][0]
    with time_machine.travel(T0, tick=False):
        first: Any = EventFactory(
            grid=world.grid_a, district=world.district, kind=kind, lon=corner[0] - 0.0003, lat=corner[1] + 0.001,
            reported_at=dt.datetime(2026, 3, 2, 9, tzinfo=TZ),
        )  # fmt: skip
        second: Any = EventFactory(
            grid=world.grid_b, district=world.district, kind=kind, lon=corner[0] + 0.0002, lat=corner[1] + 0.001,
            reported_at=dt.datetime(2026, 3, 9, 9, tzinfo=TZ),
        )  # fmt: skip
    repeat_marks.rebuild(world.district.pk, now=T0)

    in_b, in_a, district = view(world, street=world.street_b), view(world, street=world.street_a), view(world)

    assert (district.events, district.places_total) == (1, 1)
    assert (in_a.events, in_a.places_total, in_a.places) == (0, 0, [])
    assert (in_b.events, in_b.places_total) == (1, 1)
    assert [(p.anchor_id, p.event_ids, p.repeat_ids) for p in in_b.places] == [
        (first.pk, [first.pk, second.pk], [second.pk])
    ]
    scope_b = AnalyticsScope(district_id=world.district.pk, date_from=MARCH[0], date_to=MARCH[1], street=world.street_b)
    assert list(event_records(scope_b, figure="repeat").values_list("pk", flat=True)) == [second.pk]
    assert event_records_count(scope_b, figure="repeat") == 1
    assert set(event_records(scope_b, figure="repeat", key=str(first.pk)).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }


def test_the_view_lists_the_largest_places_and_says_how_many_there_are(world: Any, settings: Any) -> None:
    """Five places of 2…6 reports in March (each its own kind × point, 1 km apart): the cap of three lists the
    three largest, most repeats first; the count and the number of places are of all five."""
    kind = ComplaintKind.objects.filter(district=world.district).order_by("pk").first()
    grids = [GridFactory(zone=world.zone_a) for _ in range(5)]  # one grid would make them one place
    with time_machine.travel(T0, tick=False):
        for i, size in enumerate([2, 6, 3, 5, 4]):
            for j in range(size):
                EventFactory(
                    grid=grids[i], district=world.district, kind=kind, lon=120.10 + i * 0.01, lat=30.30,
                    reported_at=dt.datetime(2026, 3, 1 + j, 9, i, tzinfo=TZ),
                )  # fmt: skip
    repeat_marks.rebuild(world.district.pk, now=T0)

    found = repeat_figures(AnalyticsScope(district_id=world.district.pk, date_from=MARCH[0], date_to=MARCH[1]), limit=3)

    assert (found.events, found.places_total) == (1 + 5 + 2 + 4 + 3, 5)
    assert [len(p.repeat_ids) for p in found.places] == [5, 4, 3]
    scope = AnalyticsScope(district_id=world.district.pk, date_from=MARCH[0], date_to=MARCH[1])
    figures = overview(scope, now=T0)["repeats"]
    assert (figures["events"], figures["places_total"], len(figures["places"])) == (15, 5, 5)


def test_the_page_and_its_export_say_how_many_places_and_link_each(world: Any, sign_in: Any, monkeypatch: Any) -> None:
    """The cap on the page and in the export: "共 5 个点位，显示期内重复最多的 2 个"; every place listed links to its
    records (the place's reports), and the figure to the repeats."""
    monkeypatch.setattr(selectors, "PLACES_SHOWN", 2)
    kind = ComplaintKind.objects.filter(district=world.district).order_by("pk").first()
    grids = [GridFactory(zone=world.zone_a) for _ in range(5)]
    with time_machine.travel(T0, tick=False):
        for i, size in enumerate([2, 6, 3, 5, 4]):
            for j in range(size):
                EventFactory(
                    grid=grids[i], district=world.district, kind=kind, lon=120.10 + i * 0.01, lat=30.30,
                    reported_at=dt.datetime(2026, 3, 1 + j, 9, i, tzinfo=TZ),
                )  # fmt: skip
        repeat_marks.rebuild(world.district.pk, now=T0)
        client = sign_in(world.user("leader"))
        query = f"from={MARCH[0]}&to={MARCH[1]}"
        body = client.get(f"/analytics/?{query}").content.decode()
        exported = client.get(f"/analytics/export/?{query}&table=repeats").content.decode("utf-8-sig")
        summary = client.get(f"/analytics/export/?{query}&table=summary").content.decode("utf-8-sig")
        links = re.findall(r'<a href="(/analytics/records/\?[^"]*figure=repeat[^"]*)">(\d+)</a>', body)
        listed = [(int(n), client.get(html.unescape(url)).content.decode()) for url, n in links]

    assert "共 5 个点位，显示期内重复最多的 2 个" in body
    assert exported.strip().splitlines()[-1] == "共 5 个点位，显示期内重复最多的 2 个"
    assert "重复发生点位,5" in summary
    # The figure (15 repeats) and the two largest places (6 and 5 reports), each its own records.
    assert [n for n, _page in listed] == [15, 6, 5]
    assert [re.findall(r'<b class="total">(\d+)</b>', page) for _n, page in listed] == [["15"], ["6"], ["5"]]
    # The largest place's first and last reports in local time, to the minute, on the page and in the export
    assert "<td>2026-03-06 09:01</td>" in body
    assert "2026-03-01 09:01,2026-03-06 09:01" in exported and "T01:01" not in exported


def test_the_backfill_command_marks_every_district(sample: Sample) -> None:
    call_command("analytics_rollup", "--once", "--mark-repeats", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert marks(sample.world.district.pk) == expected(sample.world.district.pk)


PERIODS = [
    (dt.date(2026, 1, 1), dt.date(2026, 3, 31)),  # whole months only
    (dt.date(2026, 1, 25), dt.date(2026, 3, 10)),  # ragged both ends, February whole
    (dt.date(2026, 2, 1), dt.date(2026, 3, 14)),  # ragged end
    (dt.date(2026, 2, 20), dt.date(2026, 3, 31)),  # ragged start
    (dt.date(2026, 2, 3), dt.date(2026, 2, 26)),  # inside one month
    (dt.date(2026, 1, 31), dt.date(2026, 2, 1)),  # two days across a month's start (local midnight)
]


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: f"{p[0]}..{p[1]}")
def test_a_periods_counts_by_place_equal_the_marks_counted(sample: Sample, period: tuple[dt.date, dt.date]) -> None:
    """The view's repeats by place (whole months from the monthly counts, the ends from the marks) equal the
    marks counted here over the period, for the district, a street, a zone and a department, after the job's
    step changed some of them."""
    world = sample.world
    district = world.district.pk
    repeat_marks.rebuild(district, now=T0 + dt.timedelta(hours=1))
    with time_machine.travel(T1, tick=False):
        for e in sample.rng.sample(sample.events, 10):
            e.kind = sample.rng.choice([k for k in [*sample.kinds, None] if k != e.kind])
            e.save()
    repeat_marks.step(district, now=T1 + dt.timedelta(minutes=1))
    starts = dt.datetime.combine(period[0], dt.time(0, 0), tzinfo=TZ)
    ends = dt.datetime.combine(period[1] + dt.timedelta(days=1), dt.time(0, 0), tzinfo=TZ)
    rows = list(
        RepeatMark.objects.filter(district_id=district, is_repeat=True).values_list(
            "reported_at", "place", "street_id", "zone_id", "department_id"
        )
    )
    levels: list[tuple[dict[str, Any], int]] = [
        ({}, -1),
        ({"street": world.street_a}, 2),
        ({"zone": world.zone_b}, 3),
        ({"department": world.enforcement_dept}, 4),
    ]
    for level, column in levels:
        want: dict[int, int] = {}
        for row in rows:
            value = next(iter(level.values())).pk if level else None
            if starts <= row[0] < ends and (column < 0 or row[column] == value):
                want[row[1]] = want.get(row[1], 0) + 1
        scope = AnalyticsScope(district_id=district, date_from=period[0], date_to=period[1], **level)

        found = repeat_figures(scope, limit=1000)

        assert {p.anchor_id: len(p.repeat_ids) for p in found.places} == want, level
        assert (found.events, found.places_total) == (sum(want.values()), len(want))
        assert selectors.repeat_count(scope) == sum(want.values())
