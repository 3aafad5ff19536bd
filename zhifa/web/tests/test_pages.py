"""Every page renders for the dispatcher (district-wide) with the records it should show."""

import datetime as dt
import re
from typing import Any

import pytest
import time_machine

from conftest import World
from zhifa.catalog.models import Matter
from zhifa.org.tests.factories import OfficerFactory
from zhifa.subjects.models import Subject


def body_of(response: Any) -> str:
    return response.content.decode()


def figure(body: str, name: str) -> str:
    match = re.search(rf'id="figure-{name}">.*?<div class="value">(.*?)</div>', body, re.S)
    assert match, name
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def test_home_shows_counts_and_sinking_share(
    world: World, client_as: Any, subject_a: Subject, subject_b: Subject, matter: Matter
) -> None:
    # given a third officer of a sinking department who still works in the department (no street)
    OfficerFactory(district=world.district, name="丙队员", home_department=world.enforcement_dept)

    response = client_as("dispatcher").get("/")

    assert response.status_code == 200
    body = body_of(response)
    assert figure(body, "subjects") == "2个"
    assert figure(body, "matters") == "1项"
    assert figure(body, "officers") == "3名"
    # 2 of 3 officers of sinking departments serve a street
    assert figure(body, "sinking") == "66.67%"
    assert "全区下沉部门 3 名执法人员中 2 名在街道服务" in body


def test_frame_shows_name_role_and_nav(world: World, client_as: Any) -> None:
    body = body_of(client_as("dispatcher").get("/"))

    assert '<span class="user-name">dispatcher</span>' in body
    assert '<span class="role">指挥中心调度员</span>' in body
    nav = re.search(r'<nav class="sidenav".*?</nav>', body, re.S)
    assert nav
    assert re.findall(r">([^<>\s]+)</a>", nav.group(0)) == [
        "首页",
        "执法对象",
        "执法事项",
        "执法人员",
        "一张图",
        "排班",
        "抽查计划",
        "检查路线",
        "综合检查",
        "检查报告",
        "隐患整改",
        "事件",
        "热线受理",
        "指挥中心",
        "人工研判",
        "案件",
        "分析研判",
        "信用管理",
        # the command centre's dispatcher reads the accounts (zhifa.org.people_selectors)
        "账号与岗位",
    ]
    # 基础数据管理 is for staff only
    assert "基础数据管理" not in body


@pytest.mark.parametrize(
    ("persona", "event_links"),
    [
        (
            "dispatcher",
            [
                "抽查计划",
                "检查路线",
                "综合检查",
                "检查报告",
                "隐患整改",
                "事件",
                "热线受理",
                "指挥中心",
                "人工研判",
                "案件",
                "分析研判",
                "信用管理",
                "账号与岗位",
            ],
        ),
        ("officer_a", ["检查路线", "隐患整改", "事件", "案件", "移动端"]),
        ("auxiliary_a", ["事件", "案件", "移动端"]),
        (
            "leader",
            ["抽查计划", "检查路线", "综合检查", "检查报告", "隐患整改", "事件", "案件", "分析研判", "信用管理"],
        ),
        ("legal_reviewer", ["抽查计划", "事件", "案件", "法制审核", "信用管理"]),
        ("liaison", ["抽查计划", "检查路线", "综合检查", "隐患整改", "事件"]),
        (
            "street_dispatcher_a",
            [
                "检查路线",
                "综合检查",
                "检查报告",
                "隐患整改",
                "事件",
                "热线受理",
                "指挥中心",
                "人工研判",
                "案件",
                "分析研判",
            ],
        ),
    ],
)
def test_event_links_in_the_nav_follow_the_role(
    world: World, client_as: Any, persona: str, event_links: list[str]
) -> None:
    nav = re.search(r'<nav class="sidenav".*?</nav>', body_of(client_as(persona).get("/")), re.S)

    assert nav
    # After 首页 执法对象 执法事项 执法人员 一张图 排班, which every staff post sees (then 抽查计划 for the district's
    # posts and a department's liaison, 检查路线 for those who plan or ride a day's routes, 综合检查 for those who
    # plan or oversee joint inspections, 检查报告 for the readers of the inspections' report, 隐患整改 for those who
    # issue, re-inspect or oversee rectification orders and the three colours).
    assert re.findall(r">([^<>\s]+)</a>", nav.group(0))[6:] == event_links


def test_staff_sees_master_data_link(world: World, client_as: Any) -> None:
    user = world.user("dispatcher")
    user.is_staff = True
    user.save(update_fields=["is_staff"])

    body = body_of(client_as("dispatcher").get("/"))

    assert '<a href="/admin/">基础数据管理</a>' in body


def test_subject_list(client_as: Any, subject_a: Subject, subject_b: Subject) -> None:
    response = client_as("dispatcher").get("/subjects/")

    assert response.status_code == 200
    body = body_of(response)
    assert 'placeholder="名称、地址、信用代码或拼音首字母"' in body
    assert 'hx-trigger="keyup changed delay:300ms, change, submit"' in body
    assert '共 <b class="total">2</b> 个执法对象' in body
    assert f'<a href="/subjects/{subject_a.pk}/">知味观餐饮店</a>' in body
    assert f'<a href="/subjects/{subject_b.pk}/">乙街烧烤摊</a>' in body
    # the filter choices
    assert '<option value="catering">餐饮</option>' in body
    assert '<option value="individual_trader">个体工商户</option>' in body
    assert f'<option value="{subject_a.street_id}">甲街道</option>' in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=zwg", ["知味观餐饮店"]),
        ("q=ZWG", ["知味观餐饮店"]),
        ("q=湖墅南路", ["知味观餐饮店"]),
        ("q=91330105000000900L", ["知味观餐饮店"]),
        ("q=烧烤", ["乙街烧烤摊"]),
        ("q=没有这个", []),
        ("street=b", ["乙街烧烤摊"]),
        ("category=catering", ["知味观餐饮店", "乙街烧烤摊"]),
        ("category=catering&kind=individual_trader", ["知味观餐饮店"]),
        ("kind=business", ["乙街烧烤摊"]),
        ("category=retail", []),
        # an unknown value is ignored, the rest still applies
        ("category=nonsense&q=zwg", ["知味观餐饮店"]),
    ],
)
def test_subject_list_filters(
    world: World, client_as: Any, subject_a: Subject, subject_b: Subject, query: str, expected: list[str]
) -> None:
    query = query.replace("street=b", f"street_id={world.street_b.pk}")

    body = body_of(client_as("dispatcher").get(f"/subjects/?{query}"))

    rows = re.findall(r'<a href="/subjects/\d+/">([^<]+)</a>', body)
    assert rows == expected


def test_subject_list_paginates_by_50(world: World, client_as: Any) -> None:
    from zhifa.web.tests.conftest import make_subject

    for n in range(51):
        make_subject(world, name=f"测试商户{n:02d}")

    first = body_of(client_as("dispatcher").get("/subjects/"))
    second = body_of(client_as("dispatcher").get("/subjects/?page=2"))

    assert len(re.findall(r'<a href="/subjects/\d+/">', first)) == 50
    assert "第 1 / 2 页" in first
    assert re.findall(r'<a href="/subjects/\d+/">([^<]+)</a>', second) == ["测试商户50"]


@time_machine.travel(dt.datetime(2026, 6, 1, 10, tzinfo=dt.UTC), tick=False)
def test_subject_detail(client_as: Any, subject_a: Subject, matter: Matter) -> None:
    response = client_as("dispatcher").get(f"/subjects/{subject_a.pk}/")

    assert response.status_code == 200
    body = body_of(response)
    assert "<title>知味观餐饮店 · 智慧综合执法平台</title>" in body
    # the ID number is masked, never shown whole
    assert '<dd class="id-number">330105********1233</dd>' in body
    assert "330105199001011233" not in body
    assert "<dd>91330105000000900L</dd>" in body
    assert "<dd>甲一片区 / 甲一网格</dd>" in body
    assert "<td>JY13301050000001</td>" in body
    assert "2024-01-01 至 2029-01-01" in body
    # 执法事项清单: the matter for catering applies
    assert '执法事项清单 <span class="muted">（1 项）</span>' in body
    assert f'<a href="/matters/{matter.pk}/">对餐饮服务经营者未安装油烟净化设施的行政处罚</a>' in body
    assert f'href="/map/?subject={subject_a.pk}">在地图上查看</a>' in body
    assert "边界为示意范围，非法定界线" in body
    assert '"lon": 120.105, "lat": 30.305' in body


def test_matter_list(world: World, client_as: Any, matter: Matter) -> None:
    body = body_of(client_as("dispatcher").get("/matters/"))

    assert '共 <b class="total">1</b> 项执法事项' in body
    assert f'<a href="/matters/{matter.pk}/">对餐饮服务经营者未安装油烟净化设施的行政处罚</a>' in body
    assert "<td>餐饮油烟</td>" in body
    assert '<option value="catering_fumes">餐饮油烟</option>' in body
    assert f'<option value="{world.market_dept.pk}">市场监管</option>' in body


@pytest.mark.parametrize(
    ("query", "count"),
    [("q=油烟", 1), ("domain=catering_fumes", 1), ("domain=market", 0), ("department=market", 0)],
)
def test_matter_list_filters(world: World, client_as: Any, matter: Matter, query: str, count: int) -> None:
    query = query.replace("department=market", f"department_id={world.market_dept.pk}")

    body = body_of(client_as("dispatcher").get(f"/matters/?{query}"))

    assert f'共 <b class="total">{count}</b> 项执法事项' in body


def test_matter_detail(client_as: Any, matter: Matter) -> None:
    body = body_of(client_as("dispatcher").get(f"/matters/{matter.pk}/"))

    assert "法律依据：《中华人民共和国大气污染防治法》" in body
    assert "第八十一条第一款 排放油烟的餐饮服务业经营者应当安装油烟净化设施并保持正常使用。" in body
    assert "第一百一十八条第一款 责令改正，处五千元以上五万元以下的罚款。" in body
    assert '<span class="tag">罚款</span>' in body
    assert '<span class="tag">餐饮</span>' in body
    assert "适用：首次违法且危害后果轻微并及时改正" in body
    assert re.search(
        r"<td>情节轻微</td>\s*<td>经责令改正后及时改正</td>\s*<td>处五千元以上一万五千元以下罚款</td>\s*"
        r'<td class="num">5000.00</td>\s*<td class="num">15000.00</td>',
        body,
    )
    assert re.findall(r"<tr><td>(\d)</td><td>([^<]+)</td></tr>", body) == [
        ("1", "是否安装油烟净化设施"),
        ("2", "油烟净化设施是否正常使用"),
    ]


def test_officer_list(world: World, client_as: Any) -> None:
    body = body_of(client_as("dispatcher").get("/officers/"))

    assert '共 <b class="total">2</b> 名执法人员' in body
    assert re.findall(r'<a href="/officers/\d+/">([^<]+)</a>', body) == ["甲队员", "乙队员"]


def test_officer_list_filters_by_street(world: World, client_as: Any) -> None:
    body = body_of(client_as("dispatcher").get(f"/officers/?street_id={world.street_b.pk}"))

    assert re.findall(r'<a href="/officers/\d+/">([^<]+)</a>', body) == ["乙队员"]


@time_machine.travel(dt.datetime(2026, 6, 1, 10, tzinfo=dt.UTC), tick=False)
@pytest.mark.parametrize(
    ("valid_until", "notice", "tag"),
    [
        (dt.date(2026, 5, 31), "执法证已于 2026年5月31日 过期", '<span class="tag danger">已过期</span>'),
        (dt.date(2026, 6, 1), "执法证将于 2026年6月1日 到期", '<span class="tag warn">即将到期</span>'),
        (dt.date(2029, 12, 31), None, '<span class="tag ok">有效</span>'),
    ],
)
def test_officer_detail_certificate(
    world: World, client_as: Any, valid_until: dt.date, notice: str | None, tag: str
) -> None:
    officer = world.user("officer_a").officer
    officer.certificate_valid_until = valid_until
    officer.save(update_fields=["certificate_valid_until"])

    body = body_of(client_as("dispatcher").get(f"/officers/{officer.pk}/"))

    assert f'<dd class="certificate-no">{officer.certificate_no}</dd>' in body
    assert f'<dd class="certificate-valid-until">{valid_until:%Y-%m-%d}' in body
    assert tag in body
    assert "<dd>区综合行政执法局</dd>" in body
    assert "<dd>甲街道</dd>" in body
    assert "<dd>甲一片区</dd>" in body
    if notice:
        assert notice in body
    else:
        assert "notice" not in body


def test_map_page(client_as: Any, subject_a: Subject) -> None:
    body = body_of(client_as("dispatcher").get("/map/"))

    assert 'data-layers-url="/map/layers.json"' in body
    assert "/static/vendor/leaflet/leaflet.js" in body
    assert "边界为示意范围，非法定界线" in body
    assert "未配置底图，仅显示边界与点位" in body
    assert '<script id="map-focus" type="application/json">null</script>' in body
    assert '["\\u9910\\u996e", "#e4572e"]' in body  # legend: 餐饮 and its colour


def test_map_page_focuses_a_subject(client_as: Any, subject_a: Subject) -> None:
    response = client_as("dispatcher").get(f"/map/?subject={subject_a.pk}")

    focus = response.context["focus"]
    assert focus["id"] == subject_a.pk
    assert focus["geometry"] == {"type": "Point", "coordinates": [120.105, 30.305]}
    assert focus["properties"]["name"] == "知味观餐饮店"
    assert focus["properties"]["url"] == f"/subjects/{subject_a.pk}/"


def test_map_page_uses_configured_tiles(settings: Any, client_as: Any) -> None:
    settings.ZHIFA_TILE_URL = "https://tiles.example/{z}/{x}/{y}.png"
    settings.ZHIFA_TILE_ATTRIBUTION = "天地图"

    body = body_of(client_as("dispatcher").get("/map/"))

    assert '"tileUrl": "https://tiles.example/{z}/{x}/{y}.png"' in body
    assert '"tileAttribution": "\\u5929\\u5730\\u56fe"' in body
    assert "未配置底图" not in body
