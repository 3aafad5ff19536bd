"""Exports of the leaders' view (issue 17 part 5): every table of the page (and its headline figures, and the
hotspots) as CSV and as XLSX, with the page's scope, on the day built by hand (conftest.py) whose answers are
known; cells are never formulas; refused as the page is."""

import io
import re
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from openpyxl import load_workbook

from zhifa.org.models import Officer

DAY = "from=2026-03-10&to=2026-03-10"
# The page's tables (by their export's name): the headline figures, eleven tables, the hotspots' two.
TABLES = {
    "summary",
    "source",
    "kind",
    "street",
    "zone",
    "hour",
    "compliance",
    "escalations",
    "coordination",
    "repeats",
    "workload",
    "cases",
    "grids",
    "weekhours",
}


def csv_lines(response: Any) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(response.content.decode("utf-8-sig").splitlines())


def sheet(response: Any) -> Any:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(response.content)).active


def test_every_table_of_the_page_links_its_export_in_both_formats(day: Any, sign_in: Any) -> None:
    body = sign_in(day.world.user("leader")).get(f"/analytics/?{DAY}").content.decode()

    links = [
        parse_qs(urlparse(href.replace("&amp;", "&")).query)
        for href in re.findall(r'href="(/analytics/export/[^"]+)"', body)
    ]
    csv_tables = {q["table"][0] for q in links if "format" not in q}
    xlsx_tables = {q["table"][0] for q in links if q.get("format") == ["xlsx"]}
    assert csv_tables == xlsx_tables == TABLES
    # Each with the page's period
    assert {(q["from"][0], q["to"][0]) for q in links} == {("2026-03-10", "2026-03-10")}


def test_the_headline_figures_of_a_street(day: Any, sign_in: Any) -> None:
    client = sign_in(day.world.user("leader"))
    query = f"{DAY}&street={day.world.street_a.pk}&table=summary"

    assert csv_lines(client.get(f"/analytics/export/?{query}")) == [
        "统计项,数值",
        "事件总数,10",
        "响应达标率,100.0%",
        "到场达标率,70.0%",
        "处置达标率,60.0%",
        "超时升级事件,1",
        "重复发生事件,6",
        "重复发生点位,1",
    ]
    rows = list(sheet(client.get(f"/analytics/export/?{query}&format=xlsx")).iter_rows(values_only=True))
    assert rows == [
        ("统计项", "数值"),
        ("事件总数", 10),
        ("响应达标率", 1.0),
        ("到场达标率", 0.7),
        ("处置达标率", 0.6),
        ("超时升级事件", 1),
        ("重复发生事件", 6),
        ("重复发生点位", 1),
    ]


def test_the_hotspots_of_a_street(day: Any, sign_in: Any) -> None:
    client = sign_in(day.world.user("leader"))
    scope = f"{DAY}&street={day.world.street_a.pk}"

    grids = csv_lines(client.get(f"/analytics/export/?{scope}&table=grids"))
    weekhours = csv_lines(client.get(f"/analytics/export/?{scope}&table=weekhours"))

    assert grids == ["网格编码,网格,街道,片区,事件数", "A-1-1,甲一网格,甲街道,甲一片区,10"]
    assert weekhours[0] == "星期," + ",".join(f"{h:02d}时" for h in range(24))
    # 2026-03-10 is a Tuesday: 4 events at 08, 3 at 09, 3 at 14
    tuesday = [0] * 24
    tuesday[8], tuesday[9], tuesday[14] = 4, 3, 3
    assert weekhours[1:] == [
        ",".join([day_name, *(str(n) for n in (tuesday if day_name == "周二" else [0] * 24))])
        for day_name in ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
    ]


def test_the_xlsx_keeps_numbers_and_formats_rates(day: Any, sign_in: Any) -> None:
    ws = sheet(sign_in(day.world.user("leader")).get(f"/analytics/export/?{DAY}&table=compliance&format=xlsx"))

    assert list(ws.iter_rows(values_only=True)) == [
        ("时限", "达标", "超时", "计时中", "达标率"),
        ("响应", 10, 0, 0, 1.0),
        ("到场", 7, 3, 0, 0.7),
        ("处置", 6, 4, 0, 0.6),
    ]
    assert [ws.cell(row=r, column=5).number_format for r in (2, 3, 4)] == ["0.0%"] * 3


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_cells_are_never_formulas(day: Any, sign_in: Any, fmt: str) -> None:
    Officer.objects.filter(pk=day.officer_a.pk).update(name="=HYPERLINK(1)")

    response = sign_in(day.world.user("leader")).get(f"/analytics/export/?{DAY}&table=workload&format={fmt}")

    if fmt == "csv":
        assert "'=HYPERLINK(1)," in response.content.decode("utf-8-sig")
    else:
        names = [row[0].value for row in sheet(response).iter_rows(min_row=2)]
        assert "'=HYPERLINK(1)" in names
        assert all(row[0].data_type == "s" for row in sheet(response).iter_rows(min_row=2))


@pytest.mark.parametrize(
    ("persona", "query", "status"),
    [
        ("street_dispatcher_a", "table=grids&street=B", 403),
        ("officer_a", "table=summary", 403),
        ("leader", "table=summary&format=pdf", 404),
        ("leader", "table=salaries&format=xlsx", 404),
    ],
)
def test_refusals(day: Any, sign_in: Any, persona: str, query: str, status: int) -> None:
    query = query.replace("street=B", f"street={day.world.street_b.pk}")

    response = sign_in(day.world.user(persona)).get(f"/analytics/export/?{DAY}&{query}")

    assert response.status_code == status
