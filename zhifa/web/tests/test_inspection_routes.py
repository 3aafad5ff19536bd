"""检查路线 (issue 12 part 4): the day's routes page — what it lists, and who sees which street's routes."""

import json
import re
from typing import Any

import pytest
from django.urls import reverse

from zhifa.inspections.tests.route_world import DAY, HOSTILE_NAME, route_day
from zhifa.web.inspection_route_views import clock

URL = reverse("web:inspection-routes")


def _map_data(body: str) -> dict[str, Any]:
    found = re.search(r'<script id="route-data" type="application/json">(.*?)</script>', body, re.S)
    assert found
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def test_a_street_dispatcher_sees_the_days_crew_route_with_the_joint_visit(world: Any, sign_in: Any) -> None:
    day = route_day(world)
    body = sign_in(world.user("street_dispatcher_a")).get(URL, {"date": DAY.isoformat()}).content.decode()

    assert "检查路线" in body
    assert "待查事项 3 项" in body and "当日检查 2 次（合并节省 1 次）" in body
    assert "已排 2 次" in body and "未排入 0 次" in body
    assert "第1组：甲队员" in body and "甲市监" in body
    assert "联合检查" in body and "综合执法、市场监管" in body
    assert "甲夜班" in body and "单人不能执法检查" in body  # the evening officer, unpaired
    assert "乙街道餐馆" not in body  # street B's subject
    data = _map_data(body)
    (crew,) = data["crews"]
    assert sorted(s["name"] for s in crew["stops"]) == sorted([day.joint.name, day.market_only.name])
    assert data["unfitted"] == []


def test_a_hostile_subject_name_is_escaped_in_the_list_and_the_map_data(world: Any, sign_in: Any) -> None:
    route_day(world, joint_name=HOSTILE_NAME)
    body = sign_in(world.user("street_dispatcher_a")).get(URL, {"date": DAY.isoformat()}).content.decode()
    assert HOSTILE_NAME not in body
    assert "&lt;img src=x onerror=" in body
    # json_script escapes < > & inside the JSON; the browser test checks the map shows it as text.
    assert "\\u003Cimg src=x onerror=" in body


def test_another_streets_dispatcher_cannot_see_this_streets_routes(world: Any, sign_in: Any) -> None:
    route_day(world)
    client = sign_in(world.user("officer_b"))
    own = client.get(URL, {"date": DAY.isoformat()}).content.decode()
    assert "乙街道" in own and "联合餐馆" not in own and "甲队员" not in own
    response = client.get(URL, {"date": DAY.isoformat(), "scope": f"street:{world.street_a.pk}"})
    assert response.status_code == 404
    assert "联合餐馆" not in response.content.decode()


def test_a_liaison_sees_its_department_only(world: Any, sign_in: Any) -> None:
    route_day(world)
    client = sign_in(world.user("liaison"))
    body = client.get(URL, {"date": DAY.isoformat()}).content.decode()
    assert "部门：市场监管" in body and "街道：甲街道" not in body
    # Its two checks, no pair on duty in the market department: listed as not fitted, with the reason.
    assert "当日检查 2 次（合并节省 0 次）" in body
    assert "当日没有可编组的在岗执法人员" in body and "no_crew" in body
    assert client.get(URL, {"scope": f"street:{world.street_a.pk}"}).status_code == 404


@pytest.mark.parametrize("persona", ["auxiliary_a", "business_owner"])
def test_others_are_refused(world: Any, sign_in: Any, persona: str) -> None:
    response = sign_in(world.user(persona)).get(URL)
    assert response.status_code == 403
    assert "无权查看检查路线" in response.content.decode()


def test_a_bad_date_says_so_and_shows_today(world: Any, sign_in: Any) -> None:
    body = sign_in(world.user("street_dispatcher_a")).get(URL, {"date": "2026-13-45"}).content.decode()
    assert "date_invalid" in body


def test_the_plans_page_links_the_routes(world: Any, sign_in: Any) -> None:
    body = sign_in(world.user("liaison")).get(reverse("web:inspection-plans")).content.decode()
    assert f'href="{URL}"' in body


def test_times_past_midnight_say_next_day() -> None:
    assert clock(9 * 3600 + 5 * 60) == "09:05"
    assert clock(25 * 3600 + 30 * 60) == "次日01:30"
