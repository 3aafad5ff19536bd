"""The leaders' view's pages: /analytics/ with its figures and links, the records behind them, the CSV
exports, the leader's home card, refusals shown with their code, and a query count that does not grow."""

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhifa.analytics.tests.conftest import at
from zhifa.events.tests.factories import DispatchedEventFactory
from zhifa.org.models import Officer

DAY = "from=2026-03-10&to=2026-03-10"


def page(client: Any, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.content.decode()[:500]
    return response.content.decode()


def chart_data(body: str) -> dict[str, Any]:
    found = re.search(r'<script id="analytics-data" type="application/json">(.*?)</script>', body, re.S)
    assert found
    return json.loads(found.group(1))


def test_leader_sees_the_figures_and_their_links(day: Any, sign_in: Any) -> None:
    body = page(sign_in(day.world.user("leader")), f"/analytics/?{DAY}")

    assert re.search(r'id="figure-total">.*?<a href="/analytics/records/\?[^"]*figure=all">12</a>', body, re.S)
    assert re.search(r'id="figure-arrive-rate">.*?>70%</a>.*?达标 7 · 超时 3 · 计时中 0', body, re.S)
    assert re.search(r'id="figure-handle-rate">.*?>60%</a>', body, re.S)
    data = chart_data(body)
    assert [(r["label"], r["count"]) for r in data["by_street"]] == [("甲街道", 10), ("乙街道", 2)]
    assert data["by_street"][0]["drill"] == f"/analytics/?from=2026-03-10&to=2026-03-10&street={day.world.street_a.pk}"
    # the charts' library is loaded with the page's nonce, like every other script
    assert re.search(r'<script nonce="[^"]+" src="/static/vendor/echarts/echarts.min.js">', body)


def test_a_figure_opens_the_records_behind_it(day: Any, sign_in: Any) -> None:
    client = sign_in(day.world.user("leader"))
    body = page(client, f"/analytics/?{DAY}")
    missed = re.search(r'<a href="([^"]*key=arrive%3Amissed)">3</a>', body)
    assert missed

    records = page(client, missed.group(1).replace("&amp;", "&"))

    assert '共 <b class="total">3</b> 件事件' in records
    for event in day.street_a_events[7:]:
        assert f'<a href="/events/{event.pk}/">{event.public_no}</a>' in records


def test_drill_to_street_then_officer(day: Any, sign_in: Any) -> None:
    client = sign_in(day.world.user("leader"))
    street = page(client, f"/analytics/?{DAY}&street={day.world.street_a.pk}")
    officer = re.search(r'<a class="drill" href="([^"]*officer=\d+)">甲队员</a>', street)
    assert officer

    body = page(client, officer.group(1).replace("&amp;", "&"))

    assert re.search(r'class="analytics-levels".*?全区</a> › <a[^>]*>甲街道</a> › <a[^>]*>甲队员</a>', body, re.S)
    assert re.search(r'id="figure-total">.*?>10</a>', body, re.S)


def test_street_dispatcher_sees_their_street_only(day: Any, sign_in: Any) -> None:
    body = page(sign_in(day.world.user("street_dispatcher_a")), f"/analytics/?{DAY}")

    assert re.search(r'id="figure-total">.*?>10</a>', body, re.S)
    assert '<select name="street">' not in body
    assert "全区</a>" not in body


@pytest.mark.parametrize("persona", ["officer_a", "auxiliary_a", "liaison"])
def test_others_are_refused(day: Any, sign_in: Any, persona: str) -> None:
    body = page(sign_in(day.world.user(persona)), "/analytics/", status=403)

    assert "分析研判仅对领导、指挥中心和街道调度员开放" in body


@pytest.mark.parametrize(
    ("query", "message", "code"),
    [
        ("from=2026-03-11&to=2026-03-10", "开始日期（2026-03-11）晚于结束日期（2026-03-10）", "period_reversed"),
        ("street=999999", "本区没有编号为 999999 的街道", "unknown_street"),
    ],
)
def test_bad_input_shows_its_message_and_code(day: Any, sign_in: Any, query: str, message: str, code: str) -> None:
    body = page(sign_in(day.world.user("leader")), f"/analytics/?{query}", status=422)

    assert re.search(rf'id="analytics-error"[^>]*>{re.escape(message)} <code class="error-code">{code}</code>', body)
    assert "analytics-data" not in body


def test_csv_export_of_a_table(day: Any, sign_in: Any) -> None:
    response = sign_in(day.world.user("leader")).get(f"/analytics/export/?{DAY}&table=compliance")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode("utf-8-sig").splitlines() == [
        "时限,达标,超时,计时中,达标率",
        "响应,10,0,0,100.0%",
        "到场,7,3,0,70.0%",
        "处置,6,4,0,60.0%",
    ]


def test_csv_cells_are_never_formulas(day: Any, sign_in: Any) -> None:
    Officer.objects.filter(pk=day.officer_a.pk).update(name="=HYPERLINK(1)")

    response = sign_in(day.world.user("leader")).get(f"/analytics/export/?{DAY}&table=workload")

    assert "'=HYPERLINK(1)," in response.content.decode("utf-8-sig")


def test_unknown_export_is_not_found(day: Any, sign_in: Any) -> None:
    assert sign_in(day.world.user("leader")).get("/analytics/export/?table=salaries").status_code == 404


def test_leader_home_shows_the_month_card(day: Any, sign_in: Any) -> None:
    body = page(sign_in(day.world.user("leader")), "/")

    assert re.search(
        r'id="todo-analytics">.*?领导驾驶舱 <small class="todo-count">13</small> <a class="todo-link" href="/analytics/">打开领导驾驶舱</a>'
        r".*?本月事件 13 件；响应达标率 100.0%，到场达标率 70.0%，处置达标率 60.0%；超时升级 1 件",
        body,
        re.S,
    )


def _queries(client: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/analytics/?{DAY}")
    assert response.status_code == 200
    return len(captured)


def test_page_queries_do_not_grow_with_events(day: Any, sign_in: Any) -> None:
    client = sign_in(day.world.user("leader"))
    before = _queries(client)
    officers = [day.officer_a, Officer.objects.get(user=day.world.user("officer_b"))]
    for i in range(200):
        grid = day.world.grid_a if i % 2 else day.world.grid_b
        DispatchedEventFactory(
            grid=grid,
            district=day.world.district,
            reported_at=at(8) + dt.timedelta(minutes=i),
            dispatched_at=at(8) + dt.timedelta(minutes=i + 1),
            kind=day.kind,
            officers=[officers[i % 2]],
        )

    assert _queries(client) == before
