"""/api/v1/analytics: the same figures as the page's selector, scoped the same, refused the same."""

import json
from typing import Any

import pytest

from zhifa.analytics.scope import analytics_scope
from zhifa.analytics.selectors import overview

DAY = {"from": "2026-03-10", "to": "2026-03-10"}


@pytest.mark.parametrize("persona", ["leader", "dispatcher", "street_dispatcher_a"])
def test_overview_returns_the_selectors_figures(day: Any, sign_in: Any, persona: str) -> None:
    user = day.world.user(persona)
    expected = overview(analytics_scope(user=user, date_from=DAY["from"], date_to=DAY["to"]))

    response = sign_in(user).get("/api/v1/analytics/overview", DAY)

    assert response.status_code == 200
    # The same dict, through JSON (the API's answer is what the page's charts are drawn from).
    assert response.json() == json.loads(json.dumps(expected))


def test_overview_of_a_drill_down(day: Any, sign_in: Any) -> None:
    response = sign_in(day.world.user("leader")).get(
        "/api/v1/analytics/overview", {**DAY, "street": day.world.street_a.pk}
    )

    body = response.json()
    assert body["total"] == 10
    assert [(c["key"], c["rate"]) for c in body["compliance"]] == [
        ("acknowledge", 1.0),
        ("arrive", 0.7),
        ("handle", 0.6),
    ]
    assert body["scope"]["street"] == {"id": day.world.street_a.pk, "name": "甲街道"}


def test_records_behind_a_figure(day: Any, sign_in: Any) -> None:
    response = sign_in(day.world.user("leader")).get(
        "/api/v1/analytics/records", {**DAY, "figure": "clock", "key": "arrive:missed"}
    )

    assert response.status_code == 200
    assert sorted(r["public_no"] for r in response.json()["items"]) == sorted(
        e.public_no for e in day.street_a_events[7:]
    )


@pytest.mark.parametrize(
    ("persona", "query", "status", "code"),
    [
        ("officer_a", {}, 403, "analytics_forbidden"),
        ("liaison", {}, 403, "analytics_forbidden"),
        ("street_dispatcher_a", {"street": "B"}, 403, "street_outside_scope"),
        ("leader", {"from": "2026-03-11", "to": "2026-03-10"}, 422, "period_reversed"),
        ("leader", {"street": "999999"}, 422, "unknown_street"),
        ("leader", {"from": "yesterday"}, 422, "invalid_date"),
    ],
)
def test_refusals(day: Any, sign_in: Any, persona: str, query: dict[str, str], status: int, code: str) -> None:
    if query.get("street") == "B":
        query = {**query, "street": str(day.world.street_b.pk)}

    response = sign_in(day.world.user(persona)).get("/api/v1/analytics/overview", query)

    assert response.status_code == status
    body = response.json()
    assert body["code"] == code
    assert body["message"]


def test_unknown_figure_is_refused(day: Any, sign_in: Any) -> None:
    response = sign_in(day.world.user("leader")).get("/api/v1/analytics/records", {**DAY, "figure": "weather"})

    assert response.status_code == 422
    assert response.json()["code"] == "unknown_figure"


def test_not_logged_in_is_401(day: Any, client: Any) -> None:
    response = client.get("/api/v1/analytics/overview")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
