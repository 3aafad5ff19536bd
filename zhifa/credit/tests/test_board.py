"""大综点评 (issue 13 part 8): the ranking on known data with the published weights, one run a day, each business's
position history, and the public page masking names."""

import datetime as dt
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.test import Client

from zhifa.credit.board import DEFAULT_WEIGHTS, board_history, board_public, board_refresh
from zhifa.credit.models import BoardPosition, BoardRun, CreditEntry
from zhifa.credit.services import credit_grades_recompute
from zhifa.credit.tests.conftest import at
from zhifa.events.states import EventStatus
from zhifa.events.tests.factories import EventFactory
from zhifa.subjects.tests.factories import SubjectFactory, uscc_for

JUNE_1, JUNE_2 = dt.date(2026, 6, 1), dt.date(2026, 6, 2)


def _shops(cw: Any) -> dict[str, Any]:
    w = cw.world

    def shop(n: int, name: str, lon: float, lat: float) -> Any:
        return SubjectFactory(district=w.district, name=name, uscc=uscc_for(700 + n), lon=lon, lat=lat)

    shops = {
        "plain": shop(1, "平平小吃店", 120.102, 30.302),  # nothing on record
        "complained": shop(2, "吵闹烧烤店", 120.105, 30.305),  # one complaint 10 m away
        "commended": shop(3, "<img src=x onerror=alert(1)>面馆", 120.108, 30.308),  # two commendations: credit 90
        "other_street": shop(4, "乙街小馆", 120.115, 30.305),
    }
    for n in (1, 2):
        CreditEntry.objects.create(
            district=w.district,
            holder_key=shops["commended"].uscc,
            holder_name="面馆",
            kind="commendation",
            category="positive",
            title=f"表彰{n}",
            occurred_on=dt.date(2026, 5, 20),
            expires_on=dt.date(2029, 5, 20),
            legal_basis="测试依据",
            source_type="document",
            source_reference=f"表彰{n}号",
        )
    credit_grades_recompute(
        district_id=w.district.pk, on=JUNE_1
    )  # commended: 80 + 5 + 5 = 90 at 12 days' decay ≈ 89.89
    c = shops["complained"]
    last_week = dt.datetime(2026, 5, 22, 2, 0, tzinfo=dt.UTC)
    EventFactory(grid=w.grid_a, matter=cw.matter, lon=c.lon + 0.0001, lat=c.lat, reported_at=last_week)
    # not counted: 58 m away; merged into another; older than 90 days
    p = shops["plain"]
    EventFactory(grid=w.grid_a, matter=cw.matter, lon=p.lon + 0.0006, lat=p.lat, reported_at=last_week)
    EventFactory(
        grid=w.grid_a, matter=cw.matter, lon=p.lon, lat=p.lat, reported_at=last_week, status=EventStatus.MERGED
    )
    EventFactory(
        grid=w.grid_a, matter=cw.matter, lon=p.lon, lat=p.lat, reported_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
    )
    return shops


def test_the_ranking_on_known_data_with_the_weights(cw: Any) -> None:
    shops = _shops(cw)
    run = board_refresh(district_id=cw.world.district.pk, on=JUNE_1)
    assert run.weights == DEFAULT_WEIGHTS == {"inspection": 0.3, "rectification": 0.2, "complaints": 0.2, "credit": 0.3}
    rows = {
        p.subject_id: (p.street_id, p.position, p.score, p.parts["complaints"], p.parts["credit"])
        for p in BoardPosition.objects.filter(run=run)
    }
    credit = BoardPosition.objects.get(run=run, subject=shops["commended"]).parts["credit"]
    assert 89 < credit < 90
    # 30 + 20 + 20 + 0.3 × credit; plain 30+20+20+24 = 94; complained 30+20+16+24 = 90
    assert rows == {
        shops["commended"].pk: (cw.world.street_a.pk, 1, round(70 + 0.3 * credit, 2), 100.0, credit),
        shops["plain"].pk: (cw.world.street_a.pk, 2, 94.0, 100.0, 80.0),
        shops["complained"].pk: (cw.world.street_a.pk, 3, 90.0, 80.0, 80.0),
        shops["other_street"].pk: (cw.world.street_b.pk, 1, 94.0, 100.0, 80.0),
    }
    # once a day: a second refresh returns the same run and writes nothing
    assert board_refresh(district_id=cw.world.district.pk, on=JUNE_1).pk == run.pk
    assert (BoardRun.objects.count(), BoardPosition.objects.count()) == (1, 4)


def test_each_business_keeps_its_position_history(cw: Any) -> None:
    shops = _shops(cw)
    board_refresh(district_id=cw.world.district.pk, on=JUNE_1)
    # two complaints at the plain shop on 1 June: on 2 June it falls behind the complained one (86 < 90)
    p = shops["plain"]
    for _ in range(2):
        EventFactory(
            grid=cw.world.grid_a,
            matter=cw.matter,
            lon=p.lon,
            lat=p.lat,
            reported_at=dt.datetime(2026, 6, 1, 3, 0, tzinfo=dt.UTC),
        )
    with at(JUNE_2):
        out = StringIO()
        call_command("credit_board_refresh", "--once", stdout=out)
    assert "大综点评：2026-06-02" in out.getvalue()
    history = board_history(subject_id=p.pk)
    assert [(x.on, x.position, x.score) for x in history.positions] == [(JUNE_2, 3, 86.0), (JUNE_1, 2, 94.0)]
    board = board_public(street_id=cw.world.street_a.pk)
    assert [(r.subject_id, r.position, r.change) for r in board.rows] == [
        (shops["commended"].pk, 1, 0),
        (shops["complained"].pk, 2, 1),
        (p.pk, 3, -1),
    ]


def test_the_public_board_masks_names_and_publishes_the_weights(cw: Any) -> None:
    shops = _shops(cw)
    board_refresh(district_id=cw.world.district.pk, on=JUNE_1)
    client = Client()  # no login
    page = client.get(f"/public/credit/board/?street={cw.world.street_a.pk}").content.decode()
    assert "平＊＊小吃店" not in page  # masking keeps the first character and the last two
    assert "平＊＊吃店" in page and "吵＊＊烤店" in page
    assert "平平小吃店" not in page and "吵闹烧烤店" not in page and "onerror" not in page
    assert "检查结果 × 0.3 + 整改落实 × 0.2 + 投诉情况 × 0.2 + 信用等级 × 0.3" in page
    history = client.get(f"/public/credit/board/subjects/{shops['plain'].pk}/").content.decode()
    assert "平＊＊吃店" in history and "平平小吃店" not in history
    assert client.get("/public/credit/board/?street=99999999").status_code == 404


def test_the_board_and_the_key_supervision_list_read_in_a_fixed_number_of_queries(cw: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhifa.credit.measures import key_supervision_list

    def counts() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as board:
            board_public(street_id=cw.world.street_a.pk)
        with CaptureQueriesContext(connection) as listed:
            key_supervision_list(user=cw.user("dispatcher"))
        return len(board), len(listed)

    def more(n: int) -> None:
        for i in range(n):
            s = SubjectFactory(district=cw.world.district, name=f"加店{n}{i}", uscc=uscc_for(900 + 10 * n + i))
            CreditEntry.objects.create(
                district=cw.world.district,
                holder_key=s.uscc,
                holder_name=s.name,
                kind="penalty_severe",
                category="negative",
                title="吊销",
                occurred_on=dt.date(2026, 5, 1),
                expires_on=dt.date(2031, 5, 1),
                legal_basis="测试依据",
                source_type="document",
                source_reference=f"吊销{n}{i}",
            )
        credit_grades_recompute(district_id=cw.world.district.pk, on=JUNE_1)

    _shops(cw)
    more(1)
    board_refresh(district_id=cw.world.district.pk, on=JUNE_1)
    with at(JUNE_2):
        more(5)
        board_refresh(district_id=cw.world.district.pk, on=JUNE_2)
    few = counts()
    with at(dt.date(2026, 6, 3)):
        more(10)
        board_refresh(district_id=cw.world.district.pk, on=dt.date(2026, 6, 3))
    assert len(board_public(street_id=cw.world.street_a.pk).rows) == 3 + 16
    assert len(key_supervision_list(user=cw.user("dispatcher"))) == 16
    assert counts() == few
