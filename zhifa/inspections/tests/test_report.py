"""检查报告 (issue 12 part 8): the figures and the paragraph on a world whose answer is known
(report_fixtures.py), and who may read them."""

import datetime as dt
import re
from typing import Any

import pytest
import time_machine

from zhifa.catalog.models import SubjectCategory
from zhifa.core import batches
from zhifa.inspections.report import ReportScope, figure_records, inspection_report
from zhifa.inspections.tests.report_fixtures import MARCH, NOW, ReportWorld, report_world
from zhifa.subjects.models import Subject, SubjectKind

pytestmark = pytest.mark.django_db
MARCH_SCOPE = {"date_from": dt.date(2026, 3, 1), "date_to": dt.date(2026, 3, 31)}


@pytest.fixture
def rw(world: Any) -> ReportWorld:
    return report_world(world)


def test_a_streets_figures_on_the_known_world(world: Any, rw: ReportWorld) -> None:
    with time_machine.travel(NOW, tick=False):
        r = inspection_report(
            ReportScope(district_id=world.district.pk, street_id=world.street_a.pk, **MARCH_SCOPE), place="甲街道"
        )

    assert r.visits == 2
    assert r.findings == 5
    assert {s["key"]: s["count"] for s in r.by_severity} == {"general": 2, "major": 2, "serious": 1}
    assert (r.orders, r.rectified, r.cases) == (4, 2, 2)
    assert {m["key"]: m["count"] for m in r.colour_moves} == {"red-yellow": 1, "red-green": 1}
    assert r.red_to_green == 1
    assert (r.complaints, r.complaints_previous, r.complaint_change) == (3, 5, -40)
    assert r.scope.previous == (dt.date(2026, 1, 29), dt.date(2026, 2, 28))
    # Weeks from 1 March: 03-01, 03-08, 03-15, 03-22, 03-29; visit 1's findings in week 1, visit 2's in week 3.
    assert r.trend.weeks == ["03-01", "03-08", "03-15", "03-22", "03-29"]
    assert {s["label"]: s["counts"] for s in r.trend.series} == {
        "油烟排放检查": [3, 0, 0, 0, 0],
        "食品经营检查": [0, 0, 1, 0, 0],
        "清单外问题": [0, 0, 1, 0, 0],
    }
    assert r.trend.series[0]["label"] == "油烟排放检查"
    assert r.paragraph == (
        "2026年3月1日至2026年3月31日，甲街道开展联合检查2次，发现问题5个，整改2个，立案2起，"
        "1个对象由红转绿，投诉量下降40%。"
    )


@pytest.mark.parametrize("batch", [None, 1], ids=["one read", "a read per record"])
def test_every_figure_opens_the_records_behind_it(
    world: Any, rw: ReportWorld, batch: int | None, monkeypatch: Any
) -> None:
    """In record order whether the ids are read at once or in batches (a record list can be longer than a
    statement takes parameters)."""
    if batch is not None:
        monkeypatch.setattr(batches, "BATCH", batch)
    r = inspection_report(
        ReportScope(district_id=world.district.pk, street_id=world.street_a.pk, **MARCH_SCOPE), place="甲街道"
    )
    f = rw.findings

    assert [row["id"] for row in figure_records(r, "visits")[1]] == [rw.visits[0].pk, rw.visits[1].pk]
    assert {row["id"] for row in figure_records(r, "findings", "major")[1]} == {f["v1_major"].pk, f["v2_major"].pk}
    assert sorted(row["case_id"] for row in figure_records(r, "cases")[1]) == [77, 78]
    assert {row["subject"] for row in figure_records(r, "rectified")[1]} == {"老街面馆0", "老街面馆1"}
    assert [(c["subject"], c["from"], c["to"]) for c in figure_records(r, "colour", "red-green")[1]] == [
        ("老街面馆0", "红", "绿")
    ]
    assert [e["source"] for e in figure_records(r, "complaints", "current")[1]] == ["12345热线", "12345热线", "Open311"]
    assert len(figure_records(r, "complaints", "previous")[1]) == 5
    assert [row["description"] for row in figure_records(r, "trend", "none")[1]] == ["消防通道堵塞"]
    assert figure_records(r, "nonsense") == ("", [], 0)
    # A limit reads the oldest records by id; the count stays whole.
    kind, rows, total = figure_records(r, "findings", limit=2)
    assert (kind, total) == ("findings", 5)
    assert [row["id"] for row in rows] == sorted(r.records["findings"])[:2]


def test_a_district_with_more_subjects_than_a_statement_takes_parameters(world: Any, rw: ReportWorld) -> None:
    """70,000 subjects more in street B (PostgreSQL takes 65,535 parameters a statement, SQLite 32,766): the
    district's report reads their colours without listing their ids, and its figures are those of the known
    world."""
    grid = world.grid_b
    Subject.objects.bulk_create(
        [
            Subject(
                district=world.district, kind=SubjectKind.BUSINESS, category=SubjectCategory.CATERING,
                name=f"批量商户{n}", address=f"批量路{n}号", lon=120.1, lat=30.3,
                street_id=grid.street_id, zone_id=grid.zone_id, grid=grid,
            )
            for n in range(70_000)
        ],
        batch_size=5000,
    )  # fmt: skip

    r = inspection_report(ReportScope(district_id=world.district.pk, **MARCH_SCOPE), place="测试区")

    assert (r.visits, r.findings, r.red_to_green) == (3, 6, 2)
    assert len(figure_records(r, "colour", "red-green")[1]) == 2


def test_a_lead_the_cases_app_did_not_file_is_not_counted(world: Any, rw: ReportWorld) -> None:
    asked: list[list[int]] = []

    def not_counted(case_ids: list[int]) -> set[int]:
        asked.append(sorted(case_ids))
        return {78}  # 不予立案

    r = inspection_report(
        ReportScope(district_id=world.district.pk, street_id=world.street_a.pk, **MARCH_SCOPE),
        place="甲街道",
        cases_not_counted=not_counted,
    )

    assert asked == [[77, 78]]
    assert r.cases == 1
    assert [row["case_id"] for row in figure_records(r, "cases")[1]] == [77]
    assert "立案1起" in r.paragraph


def test_the_district_counts_every_street_and_a_category_narrows_it(world: Any, rw: ReportWorld) -> None:
    r = inspection_report(ReportScope(district_id=world.district.pk, **MARCH_SCOPE), place="测试区")

    assert (r.visits, r.findings, r.red_to_green) == (3, 6, 2)

    sites = inspection_report(
        ReportScope(district_id=world.district.pk, category="construction_site", **MARCH_SCOPE), place="测试区"
    )
    assert (sites.visits, sites.findings) == (0, 0)
    assert sites.paragraph.startswith("2026年3月1日至2026年3月31日，测试区开展工地联合检查0次，发现问题0个")
    assert "0个工地由红转绿" in sites.paragraph
    # Nobody inspected: no subject to count complaints at, in either period.
    assert sites.paragraph.endswith("期内及上期均无投诉。")


def test_complaints_rising_or_from_nothing_are_worded_as_such(world: Any, rw: ReportWorld) -> None:
    # February against the 28 days before it (1–31 January): 5 against 1 (20 January).
    feb = inspection_report(
        ReportScope(
            district_id=world.district.pk,
            street_id=world.street_a.pk,
            date_from=dt.date(2026, 2, 1),
            date_to=dt.date(2026, 2, 28),
        ),
        place="甲街道",
    )
    assert (feb.visits, feb.complaints, feb.complaints_previous, feb.complaint_change) == (1, 5, 1, 400)
    assert feb.paragraph.endswith("投诉量上升400%。")


# --- the page -------------------------------------------------------------------------------------------------


def body(response: Any) -> str:
    return response.content.decode()


def page(client: Any, **params: str) -> Any:
    q = {"from": MARCH[0], "to": MARCH[1], **params}
    return client.get("/inspections/report/", q)


def test_the_page_shows_the_paragraph_figures_and_chart_data(world: Any, rw: ReportWorld, sign_in: Any) -> None:
    client = sign_in(world.user("leader"))
    with time_machine.travel(NOW, tick=False):
        response = page(client, street=str(world.street_a.pk))

    assert response.status_code == 200
    text = body(response)
    assert "甲街道开展联合检查2次，发现问题5个，整改2个，立案2起，1个对象由红转绿，投诉量下降40%。" in text
    assert re.search(r'id="figure-visits".*?<a href="[^"]*figure=visits[^"]*">2</a>', text, re.S)
    assert 'id="inspection-report-data"' in text
    assert "油烟排放检查" in text


def test_a_figures_records_table_links_each_record(world: Any, rw: ReportWorld, sign_in: Any) -> None:
    client = sign_in(world.user("leader"))
    response = page(client, street=str(world.street_a.pk), figure="cases")

    text = body(response)
    assert 'id="report-records"' in text
    assert 'href="/cases/77/"' in text and 'href="/cases/78/"' in text
    order = rw.findings["v1_major"].rectification
    assert f'href="/inspections/rectification/{order.pk}/"' in text
    assert f'href="/inspections/visits/{rw.visits[0].pk}/"' in text


def test_a_hostile_subject_name_is_shown_as_text(world: Any, sign_in: Any) -> None:
    report_world(world, hostile_name="<img src=x onerror=alert(1)>面馆")
    client = sign_in(world.user("leader"))
    text = body(page(client, figure="visits"))

    assert "<img src=x" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;面馆" in text


def test_a_street_dispatcher_reads_only_their_street(world: Any, rw: ReportWorld, sign_in: Any) -> None:
    client = sign_in(world.user("street_dispatcher_a"))

    own = page(client)
    assert own.status_code == 200
    assert "甲街道开展联合检查2次" in body(own)
    assert "全区</option>" not in body(own)
    assert page(client, street=str(world.street_b.pk)).status_code == 403


def test_an_officer_is_refused(world: Any, rw: ReportWorld, sign_in: Any) -> None:
    client = sign_in(world.user("officer_a"))

    assert page(client).status_code == 403


def test_a_reversed_period_or_unknown_category_is_refused_with_its_code(
    world: Any, rw: ReportWorld, sign_in: Any
) -> None:
    client = sign_in(world.user("dispatcher"))

    reversed_ = client.get("/inspections/report/", {"from": "2026-03-31", "to": "2026-03-01"})
    assert reversed_.status_code == 422
    assert "period_reversed" in body(reversed_)
    assert 'id="report-paragraph"' not in body(reversed_)
    unknown = page(client, category="<b>")
    assert unknown.status_code == 422
    assert "unknown_category" in body(unknown)


def test_the_page_reads_as_many_queries_with_more_visits(world: Any, rw: ReportWorld, sign_in: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhifa.inspections.tests.report_fixtures import _finding, _visit, at

    client = sign_in(world.user("leader"))

    def queries(figure: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert page(client, figure=figure).status_code == 200
        return len(ctx.captured_queries)

    before = {f: queries(f) for f in ("visits", "findings")}
    officer = rw.joint.enforcement_officers[0]
    for n in range(4):
        v = _visit(world, rw.joint.subjects[n % 3], world.street_a, at(3, 6 + n), officer)
        _finding(v, rw.joint.market_items[0], world.market_dept, "general", f"新增隐患{n}", officer)

    assert {f: queries(f) for f in ("visits", "findings")} == before
