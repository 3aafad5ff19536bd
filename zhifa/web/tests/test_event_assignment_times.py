"""The 派遣人员 table of the event page: each officer's own acknowledgement and arrival, or "—"."""

import datetime as dt
import re
from typing import Any

import time_machine

from conftest import POINT_IN_A, World
from zhifa.events import services
from zhifa.events.states import EventSource
from zhifa.events.tests.conftest import officer_of
from zhifa.org.roles import Role
from zhifa.org.tests.factories import OfficerFactory, ProfileFactory, UserFactory

T0 = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in Shanghai


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def test_each_assigned_officers_own_steps_are_shown(client_as: Any, world: World) -> None:
    # Given an event sent at 10:00 to officer_a and a colleague: officer_a acknowledged at 10:01 and arrived
    # at 10:03, the colleague went straight to the site and arrived at 10:04
    user = UserFactory(username="colleague_a")
    ProfileFactory(user=user, district=world.district, role=Role.OFFICER, street=world.street_a)
    colleague = OfficerFactory(
        district=world.district, user=user, name="丙队员", home_department=world.enforcement_dept, street=world.street_a
    )
    officer = world.user("officer_a")
    with time_machine.travel(T0, tick=False):
        event = services.event_intake(
            actor=world.user("dispatcher"),
            district=world.district,
            source=EventSource.HOTLINE,
            description="仁和路口有流动摊贩占道经营",
            lon=POINT_IN_A[0],
            lat=POINT_IN_A[1],
        ).event
        event = services.event_dispatch(
            actor=world.user("dispatcher"), event=event, officers=[officer_of(world, "officer_a"), colleague]
        )
    with time_machine.travel(at(1), tick=False):
        event = services.event_acknowledge(actor=officer, event=event)
    with time_machine.travel(at(3), tick=False):
        event = services.event_arrive(actor=officer, event=event, lon=event.lon, lat=event.lat)
    with time_machine.travel(at(4), tick=False):
        services.event_arrive(actor=user, event=event, lon=event.lon, lat=event.lat)

    # When the dispatcher opens the event
    body = client_as("dispatcher").get(f"/events/{event.pk}/").content.decode()

    # Then the table has each officer's own times, and "—" for the step the colleague did not take
    table = body[body.index('<table class="data assignments">') :]
    table = table[: table.index("</table>")]
    headers = re.findall(r"<th(?: [^>]*)?>(.*?)</th>", table)
    assert headers == ["执法人员", "派遣时间", "送达", "查看", "响应", "到场", "采纳推荐", "状态"]
    rows = [re.sub(r"<[^>]+>", "|", row) for row in re.findall(r"<tr><td>.*?</tr>", table)]
    # 送达 / 查看 stay "—": no phone page of theirs was open (issue 16's receipts)
    assert sorted([cell.strip() for cell in row.split("|") if cell.strip()] for row in rows) == [
        ["丙队员", "06-01 10:00:00", "—", "—", "—", "06-01 10:04:00", "否", "在办"],
        ["甲队员", "主办", "06-01 10:00:00", "—", "—", "06-01 10:01:00", "06-01 10:03:00", "否", "在办"],
    ]
