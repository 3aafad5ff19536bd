"""Every figure of the leaders' view on the day built by hand (conftest.py), and the records behind each."""

from typing import Any

import pytest

from zhifa.analytics.scope import analytics_scope
from zhifa.analytics.selectors import case_records, event_records, overview
from zhifa.core.errors import PermissionDenied, ValidationFailed
from zhifa.events.models import Event

DAY_Q = {"date_from": "2026-03-10", "date_to": "2026-03-10"}


def figures(user: Any, **q: Any) -> dict[str, Any]:
    return overview(analytics_scope(user=user, **{**DAY_Q, **q}))


def counts(rows: list[dict[str, Any]], field: str = "count") -> dict[str, int]:
    return {r["label"]: r[field] for r in rows if r[field]}


def test_district_figures_of_the_day(day: Any) -> None:
    f = figures(day.world.user("leader"))

    assert f["total"] == 12
    assert counts(f["by_source"]) == {"12345热线": 7, "巡查发现": 3, "无人机": 1, "接口": 1}
    assert counts(f["by_kind"]) == {day.kind.name: 7, "未研判类型": 5}
    assert counts(f["by_street"]) == {"甲街道": 10, "乙街道": 2}
    assert counts(f["by_zone"]) == {"甲一片区": 10, "乙一片区": 2}
    assert counts(f["by_hour"]) == {"08时": 4, "09时": 3, "10时": 1, "11时": 1, "14时": 3}


def test_1530_compliance_of_the_day(day: Any) -> None:
    f = figures(day.world.user("leader"))

    assert [(c["key"], c["met"], c["missed"], c["running"], c["rate"]) for c in f["compliance"]] == [
        ("acknowledge", 10, 0, 0, 1.0),
        ("arrive", 7, 3, 0, 0.7),
        ("handle", 6, 4, 0, 0.6),
    ]
    assert f["escalated"] == 1
    assert [(e["clock"], e["level"], e["count"]) for e in f["escalations"]] == [("arrive", 1, 1), ("arrive", 2, 1)]


def test_a_clock_still_running_is_neither_met_nor_missed(day: Any, frozen: Any) -> None:
    # At 14:25 the three 14:xx events (dispatched 14:18, 14:19, 14:20) have not been handled and their handle
    # clocks (due 30 minutes after dispatch) still run; the 09:16 one handled after 40 minutes stays missed.
    frozen.move_to("2026-03-10T14:25:00+08:00")

    handle = figures(day.world.user("leader"))["compliance"][2]

    assert (handle["met"], handle["missed"], handle["running"], handle["rate"]) == (6, 1, 3, round(6 / 7, 4))


def test_coordination_timeliness(day: Any) -> None:
    f = figures(day.world.user("leader"))

    assert f["coordination"] == [
        {
            "key": str(day.world.market_dept.pk),
            "label": "区市场监督管理局",
            "total": 2,
            "met": 1,
            "late": 0,
            "overdue": 1,
            "open": 0,
            "rate": 0.5,
        }
    ]


def test_repeat_places(day: Any) -> None:
    repeats = figures(day.world.user("leader"))["repeats"]

    assert repeats["events"] == 6
    assert [(p["key"], p["kind"], p["grid"], p["events"], p["repeats"]) for p in repeats["places"]] == [
        (str(day.street_a_events[0].pk), day.kind.name, "甲一网格", 7, 6)
    ]


def test_workload_per_officer(day: Any) -> None:
    f = figures(day.world.user("leader"))

    assert [(w["label"], w["assigned"], w["handled"]) for w in f["workload"]] == [("甲队员", 10, 7), ("乙队员", 0, 0)]


def test_cases(day: Any) -> None:
    assert figures(day.world.user("leader"))["cases"] == {
        "filed": 2,
        "decided": 1,
        "fines_total": "200.00",
        "overdue_deadlines": 1,
    }
    assert figures(day.world.user("leader"), street=day.world.street_b.pk)["cases"] == {
        "filed": 1,
        "decided": 0,
        "fines_total": "0.00",
        "overdue_deadlines": 0,
    }
    # No zone or department of a case: no case figure there.
    assert figures(day.world.user("leader"), zone=day.world.zone_a.pk)["cases"] is None


def test_default_period_is_this_month(day: Any) -> None:
    scope = analytics_scope(user=day.world.user("leader"))

    assert (scope.date_from.isoformat(), scope.date_to.isoformat()) == ("2026-03-01", "2026-03-10")
    # the day before counts in the month
    assert overview(scope)["total"] == 13


def test_drill_to_an_officer(day: Any) -> None:
    f = figures(day.world.user("leader"), officer=day.officer_a.pk)

    assert f["total"] == 10
    assert [(w["label"], w["assigned"]) for w in f["workload"]] == [("甲队员", 10)]
    assert f["scope"]["officer"] == {"id": day.officer_a.pk, "name": "甲队员"}


def test_drill_to_a_zone_and_to_a_responsible_department(day: Any) -> None:
    Event.objects.filter(pk__in=[e.pk for e in day.street_b_events]).update(department=day.world.market_dept)

    zone = figures(day.world.user("leader"), zone=day.world.zone_a.pk)
    department = figures(day.world.user("leader"), department=day.world.market_dept.pk)

    assert (zone["total"], zone["scope"]["street"]["name"], zone["scope"]["zone"]["name"]) == (10, "甲街道", "甲一片区")
    assert (department["total"], [c["total"] for c in department["coordination"]]) == (2, [2])
    # nobody of the market department is an officer here, and nobody was sent to its two transfers
    assert department["workload"] == []


def test_every_figure_links_to_its_records(day: Any) -> None:
    leader = day.world.user("leader")
    scope = analytics_scope(user=leader, **DAY_Q)
    f = overview(scope)

    def n(figure: str, key: str = "") -> int:
        return event_records(scope, figure=figure, key=key).count()

    assert n("all") == f["total"]
    for section, figure in [("by_source", "source"), ("by_kind", "kind"), ("by_street", "street"),
                            ("by_zone", "zone"), ("by_hour", "hour")]:  # fmt: skip
        for row in f[section]:
            assert n(figure, row["key"]) == row["count"], (figure, row)
    for c in f["compliance"]:
        for outcome in ("met", "missed", "running"):
            assert n("clock", f"{c['key']}:{outcome}") == c[outcome]
    assert n("escalated") == f["escalated"]
    for d in f["coordination"]:
        assert n("coordination", d["key"]) == 2
        assert n("coordination", f"{d['key']}:overdue") == d["overdue"]
    assert n("repeat") == f["repeats"]["events"]
    assert n("repeat", f["repeats"]["places"][0]["key"]) == 7
    for w in f["workload"]:
        assert n("assigned", w["key"]) == w["assigned"]
        assert n("handled", w["key"]) == w["handled"]
    assert case_records(scope, figure="filed").count() == f["cases"]["filed"]
    assert case_records(scope, figure="decided").count() == f["cases"]["decided"]
    assert list(case_records(scope, figure="overdue").values_list("number", flat=True)) == ["C-3"]


@pytest.mark.parametrize(
    ("figure", "key", "code"),
    [("nonsense", "", "unknown_figure"), ("source", "fax", "unknown_figure_key"), ("hour", "24", "unknown_figure_key"),
     ("clock", "arrive:late", "unknown_figure_key"), ("kind", "x", "unknown_figure_key"), ("street", str(2**64), "unknown_figure_key")],
)  # fmt: skip
def test_unknown_figure_is_refused(day: Any, figure: str, key: str, code: str) -> None:
    scope = analytics_scope(user=day.world.user("leader"), **DAY_Q)

    with pytest.raises(ValidationFailed) as refused:
        event_records(scope, figure=figure, key=key)

    assert refused.value.code == code


def test_street_dispatcher_sees_only_their_street(day: Any) -> None:
    f = figures(day.world.user("street_dispatcher_a"))

    assert f["total"] == 10
    assert counts(f["by_street"]) == {"甲街道": 10}
    assert f["coordination"] == []
    assert [w["label"] for w in f["workload"]] == ["甲队员"]
    assert f["cases"]["filed"] == 1


@pytest.mark.parametrize(
    ("persona", "query", "error", "code"),
    [
        ("officer_a", {}, PermissionDenied, "analytics_forbidden"),
        ("auxiliary_a", {}, PermissionDenied, "analytics_forbidden"),
        ("liaison", {}, PermissionDenied, "analytics_forbidden"),
        ("business_owner", {}, PermissionDenied, "analytics_forbidden"),
        ("street_dispatcher_a", {"street": "B"}, PermissionDenied, "street_outside_scope"),
        ("street_dispatcher_a", {"zone": "B"}, PermissionDenied, "street_outside_scope"),
        ("leader", {"date_from": "2026-03-11", "date_to": "2026-03-10"}, ValidationFailed, "period_reversed"),
        ("leader", {"date_from": "2025-01-01", "date_to": "2026-03-10"}, ValidationFailed, "period_too_long"),
        ("leader", {"date_from": "10/03/2026"}, ValidationFailed, "invalid_date"),
        ("leader", {"street": "999999"}, ValidationFailed, "unknown_street"),
        ("leader", {"street": "甲"}, ValidationFailed, "unknown_street"),
        ("leader", {"zone": str(2**64)}, ValidationFailed, "unknown_zone"),
        ("leader", {"officer": "999999"}, ValidationFailed, "unknown_officer"),
        ("leader", {"street": "A", "zone": "B"}, ValidationFailed, "zone_outside_street"),
    ],
)
def test_refusals(day: Any, persona: str, query: dict[str, str], error: type, code: str) -> None:
    ids = {"A": day.world.street_a.pk, "B": day.world.street_b.pk}
    zones = {"A": day.world.zone_a.pk, "B": day.world.zone_b.pk}
    named = {"street": ids, "zone": zones}
    query = {k: named.get(k, {}).get(v, v) for k, v in query.items()}

    with pytest.raises(error) as refused:
        analytics_scope(user=day.world.user(persona), **query)

    assert refused.value.code == code
    assert refused.value.message  # Chinese, for the person in front of the screen
