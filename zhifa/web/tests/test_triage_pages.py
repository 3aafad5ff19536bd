"""The triage desk's pages (issue 14): the human triage queue (/triage/) lists what triage could not route with
the model's candidates; a dispatcher's 纠正研判 re-routes the event and is counted; a bad choice is refused with
its message and writes nothing; who does not command events is refused the queue; what citizens typed is shown
as text. And the complaint kinds' page (/triage/kinds/), where the catalogue's editors change what a kind
routes to — every refusal with its message and code, the typed values kept, nothing written."""

from typing import Any

import pytest
from django.test import Client

from conftest import World
from zhifa.catalog.models import ClockPolicy, ComplaintKind, ComplaintPriority
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.core.models import AuditEntry
from zhifa.events.models import Event, TriageCorrection
from zhifa.events.states import ClassifiedBy, EventPriority, EventRoute
from zhifa.events.tests.conftest import report
from zhifa.org.roles import Role
from zhifa.org.tests.factories import DepartmentFactory, DistrictFactory, ProfileFactory, UserFactory

HOSTILE = "<img src=x onerror=alert(1)>"
VAGUE = "那边好像有点情况，你们过来看一下吧"
WAGES = "老板拖欠我们三个月工资了，一直不给，工人们都没钱回家"


def _kind(world: World, code: str) -> ComplaintKind:
    return ComplaintKind.objects.get(district=world.district, code=code)


def _unsure(world: World, settings: Any, description: str = VAGUE) -> Event:
    """An event triage was not sure enough of: in the human triage queue, with the model's candidates."""
    settings.ZHIFA_TRIAGE_MIN_CONFIDENCE = 0.999
    event = report(world, description=description)
    assert (event.route, event.kind_id, event.department_id) == (EventRoute.MANUAL, None, None)
    return event


def _triage_state(event: Event) -> tuple[Any, ...]:
    event.refresh_from_db()
    return (event.kind_id, event.department_id, event.matter_id, event.route, event.priority, event.classified_by)


def _correct(client: Client, event: Event, **data: Any) -> Any:
    return client.post(f"/events/{event.pk}/do/correct-triage/", data)


# --- the queue ----------------------------------------------------------------------------------------------


def test_the_queue_lists_an_unrouted_event_with_the_models_candidates(
    client_as: Any, world: World, settings: Any
) -> None:
    unsure = _unsure(world, settings)
    settings.ZHIFA_TRIAGE_MIN_CONFIDENCE = 0.5
    wages = report(world, description=WAGES, lon=120.102, lat=30.302)  # a kind nobody in this district handles
    routed = report(world, description="楼下超市卖过期的酸奶，吃了拉肚子", lon=120.108, lat=30.308)

    body = client_as("dispatcher").get("/triage/").content.decode()

    assert unsure.public_no in body and wages.public_no in body
    assert routed.public_no not in body  # routed with confidence to 市场监管: not the desk's to judge
    assert body.count("待人工研判") == 2
    assert len(unsure.triage_candidates) == 3
    for code, probability in unsure.triage_candidates:  # each named as the district names it, with its share
        kind = ComplaintKind.objects.filter(district=world.district, code=code).select_related("department").first()
        name, department = (kind.name, kind.department.short_name) if kind else (code, "本区未设")
        shown = f'<li data-kind="{code}">{name} <span class="muted">{department} · {round(probability * 100)}%</span>'
        assert shown in body
    # The model read wages (人社), which this district does not route: named by its code, marked as such.
    [(wages_code, wages_p), *_] = wages.triage_candidates
    assert wages_code == "RS-QX"
    assert f'<li data-kind="RS-QX">RS-QX <span class="muted">本区未设 · {round(wages_p * 100)}%</span>' in body
    assert '<span id="corrections-today">0</span>' in body and '<span id="corrections-total">0</span>' in body


def test_a_dispatchers_correction_reroutes_the_event_and_is_counted(
    client_as: Any, world: World, settings: Any
) -> None:
    event = _unsure(world, settings)
    food = _kind(world, "SC-SPAQ")
    client = client_as("dispatcher")

    response = _correct(client, event, kind_id=food.pk, urgent="1", next="/triage/")

    assert (response.status_code, response["Location"]) == (302, "/triage/")
    assert _triage_state(event) == (
        food.pk,
        world.market_dept.pk,
        None,  # the world's catalogue has no matters for the kind to pick among
        EventRoute.COORDINATION,
        EventPriority.URGENT,
        ClassifiedBy.OPERATOR,
    )
    correction = TriageCorrection.objects.get()
    assert (correction.event_id, correction.chosen_kind_id, correction.chosen_urgent, correction.actor_id) == (
        event.pk,
        food.pk,
        True,
        world.user("dispatcher").pk,
    )
    body = client.get("/triage/").content.decode()
    assert f"{event.public_no}：已纠正为：食品安全（市场监管），紧急" in body
    assert '<span id="corrections-today">1</span>' in body and '<span id="corrections-total">1</span>' in body
    assert f'data-event="{event.public_no}"' not in body  # routed now: off the queue
    assert "没有待人工研判的事件" in body


@pytest.mark.parametrize(
    ("kind_id", "message"),
    [
        ("", "请选择诉求类型"),
        ("abc", "请选择本区启用的诉求类型"),
        ("987654", "请选择本区启用的诉求类型"),
        ("inactive", "请选择本区启用的诉求类型"),
        ("elsewhere", "请选择本区启用的诉求类型"),
    ],
)
def test_a_bad_kind_is_refused_with_the_forms_message_and_writes_nothing(
    client_as: Any, world: World, settings: Any, kind_id: str, message: str
) -> None:
    event = _unsure(world, settings)
    if kind_id == "inactive":
        ComplaintKind.objects.filter(pk=_kind(world, "SC-SPAQ").pk).update(is_active=False)
        kind_id = str(_kind(world, "SC-SPAQ").pk)
    elif kind_id == "elsewhere":
        other: Any = DistrictFactory(code="330106", name="西湖区")
        department: Any = DepartmentFactory(district=other, code="SCJG")
        kind_id = str(
            ComplaintKind.objects.create(
                district=other,
                code="SC-SPAQ",
                name="食品安全",
                department=department,
                clock_policy=ClockPolicy.COORDINATION,
                due_hours=24,
            ).pk
        )
    client = client_as("dispatcher")
    before, audits = _triage_state(event), AuditEntry.objects.count()

    on_queue = _correct(client, event, kind_id=kind_id, urgent="1", next="/triage/")
    queue = client.get("/triage/").content.decode()
    on_page = _correct(client, event, kind_id=kind_id)

    assert (on_queue.status_code, on_queue["Location"]) == (302, "/triage/")
    assert f'<div class="notice danger" role="status">{event.public_no}：{message}</div>' in queue
    assert on_page.status_code == 422 and message in on_page.content.decode()
    assert _triage_state(event) == before
    assert (TriageCorrection.objects.count(), AuditEntry.objects.count()) == (0, audits)


@pytest.mark.parametrize(
    ("persona", "forged_status"),
    # 404 for who may not even see the event (a liaison sees their department's, a business its own).
    [("officer_a", 403), ("auxiliary_a", 403), ("leader", 403), ("liaison", 404), ("business_owner", 404)],
)
def test_who_does_not_command_events_is_refused_the_queue_and_the_correction(
    client_as: Any, world: World, settings: Any, persona: str, forged_status: int
) -> None:
    event = _unsure(world, settings)
    client = client_as(persona)
    before = _triage_state(event)

    queue = client.get("/triage/")
    forged = _correct(client, event, kind_id=_kind(world, "SC-SPAQ").pk, next="/triage/")

    assert queue.status_code == 403
    assert forged.status_code == forged_status
    assert _triage_state(event) == before and TriageCorrection.objects.count() == 0


def test_a_hostile_description_is_shown_as_text_on_the_queue_and_the_event_page(
    client_as: Any, world: World, settings: Any
) -> None:
    event = _unsure(world, settings, description=HOSTILE)
    client = client_as("dispatcher")

    for url in ("/triage/", f"/events/{event.pk}/"):
        body = client.get(url).content.decode()
        assert "&lt;img src=x onerror=alert(1)&gt;" in body, url
        assert HOSTILE not in body, url


# --- the kinds' page ----------------------------------------------------------------------------------------


@pytest.fixture
def admin_persona(world: World) -> str:
    """The district's system administrator (signs in with a second factor)."""
    user = UserFactory(username="district_admin")
    ProfileFactory(user=user, district=world.district, role=Role.ADMIN, display_name="区管理员")
    world.users["district_admin"] = user
    return "district_admin"


def _kinds_footprint(world: World) -> tuple[list[tuple[Any, ...]], int]:
    kinds = [
        (
            k.code,
            k.name,
            k.department_id,
            k.default_priority,
            k.clock_policy,
            k.due_hours,
            k.scope,
            k.is_active,
            tuple(sorted(k.matters.values_list("pk", flat=True))),
        )
        for k in ComplaintKind.objects.filter(district=world.district).order_by("code")
    ]
    return kinds, AuditEntry.objects.count()


def _form_of(kind: ComplaintKind, **overrides: Any) -> dict[str, Any]:
    """What the edit form posts for a kind unchanged, with ``overrides``."""
    data: dict[str, Any] = {
        "name": kind.name,
        "department_id": kind.department_id,
        "default_priority": kind.default_priority,
        "clock_policy": kind.clock_policy,
        "due_hours": "" if kind.due_hours is None else kind.due_hours,
        "matter_ids": list(kind.matters.values_list("pk", flat=True)),
        "scope": kind.scope,
        "is_active": "on" if kind.is_active else "",
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value != ""}  # a blank field is not posted


@pytest.mark.parametrize("persona", ["dispatcher", "admin"])
def test_the_kinds_page_lists_what_each_kind_routes_to(
    client_as: Any, world: World, admin_persona: str, persona: str
) -> None:
    stall = _kind(world, "ZF-ZDJY")
    matter: Any = MatterFactory(district=world.district, department=world.enforcement_dept)
    stall.matters.set([matter])
    ComplaintKind.objects.filter(pk=_kind(world, "ZF-GXDC").pk).update(is_active=False)

    body = client_as(admin_persona if persona == "admin" else persona).get("/triage/kinds/").content.decode()

    count = ComplaintKind.objects.filter(district=world.district).count()
    assert f'<b class="total">{count}</b>' in body
    assert body.count('<tr class="complaint-kind') == count
    stall_row = body.split('data-code="ZF-ZDJY"')[1].split("</tr>")[0]
    assert '<td class="department">综合执法</td>' in stall_row
    assert '<td class="priority">一般</td>' in stall_row
    assert "1530现场处置" in stall_row and '<td class="due-hours">—</td>' in stall_row
    assert '<td class="matters-count">1 项</td>' in stall_row
    assert "启用" in stall_row and f'href="/triage/kinds/{stall.pk}/"' in stall_row
    food_row = body.split('data-code="SC-SPAQ"')[1].split("</tr>")[0]
    assert '<td class="department">市场监管</td>' in food_row
    assert "转部门办理" in food_row and '<td class="due-hours">24 小时</td>' in food_row
    assert '<td class="matters-count">0 项</td>' in food_row
    assert 'inactive" data-code="ZF-GXDC"' in body


def test_a_street_dispatcher_reads_the_kinds_and_may_not_edit_them(client_as: Any, world: World) -> None:
    kind = _kind(world, "SC-SPAQ")
    client = client_as("street_dispatcher_a")
    before = _kinds_footprint(world)

    listed = client.get("/triage/kinds/").content.decode()
    page = client.get(f"/triage/kinds/{kind.pk}/")
    forged = client.post(f"/triage/kinds/{kind.pk}/", _form_of(kind, due_hours=2))

    assert "只读：诉求类型由系统管理员和指挥中心维护" in listed and "/triage/kinds/" + str(kind.pk) not in listed
    assert (page.status_code, forged.status_code) == (403, 403)
    assert _kinds_footprint(world) == before


@pytest.mark.parametrize("persona", ["officer_a", "auxiliary_a", "liaison", "leader"])
def test_who_neither_triages_nor_edits_the_catalogue_is_refused_the_kinds(
    client_as: Any, world: World, persona: str
) -> None:
    kind = _kind(world, "SC-SPAQ")
    client = client_as(persona)
    before = _kinds_footprint(world)

    statuses = (
        client.get("/triage/kinds/").status_code,
        client.get(f"/triage/kinds/{kind.pk}/").status_code,
        client.post(f"/triage/kinds/{kind.pk}/", _form_of(kind, due_hours=2)).status_code,
    )

    assert statuses == (403, 403, 403)
    assert _kinds_footprint(world) == before


def test_the_administrator_changes_a_kind_and_the_change_is_audited(
    client_as: Any, world: World, admin_persona: str
) -> None:
    kind = _kind(world, "SC-SPAQ")
    matter: Any = MatterFactory(district=world.district, department=world.market_dept)
    client = client_as(admin_persona)

    form = client.get(f"/triage/kinds/{kind.pk}/").content.decode()
    response = client.post(
        f"/triage/kinds/{kind.pk}/",
        _form_of(kind, default_priority=ComplaintPriority.URGENT, due_hours=6, matter_ids=[matter.pk]),
    )

    assert 'value="食品安全"' in form and "类型编码 <code>SC-SPAQ</code>" in form
    assert f'<option value="{world.market_dept.pk}" selected>区市场监督管理局（SCJG）</option>' in form
    assert '<option value="coordination" selected>' in form and 'name="due_hours" value="24"' in form
    assert (response.status_code, response["Location"]) == (302, "/triage/kinds/")
    kind.refresh_from_db()
    assert (kind.default_priority, kind.due_hours, list(kind.matters.all()), kind.department_id) == (
        ComplaintPriority.URGENT,
        6,
        [matter],
        world.market_dept.pk,
    )
    entry = AuditEntry.objects.get(action="complaint_kind.update")
    assert (entry.object_id, entry.actor_id) == (str(kind.pk), world.user(admin_persona).pk)
    assert (entry.before["due_hours"], entry.after["due_hours"]) == (24, 6)  # type: ignore[index]
    listed = client.get("/triage/kinds/").content.decode()
    assert "诉求类型“食品安全”（SC-SPAQ）已保存" in listed


def test_a_kind_of_another_district_is_not_found(client_as: Any, world: World) -> None:
    other: Any = DistrictFactory(code="330106", name="西湖区")
    department: Any = DepartmentFactory(district=other, code="SCJG")
    theirs = ComplaintKind.objects.create(
        district=other,
        code="SC-SPAQ",
        name="食品安全",
        department=department,
        clock_policy=ClockPolicy.COORDINATION,
        due_hours=24,
    )
    client = client_as("dispatcher")

    page = client.get(f"/triage/kinds/{theirs.pk}/")
    forged = client.post(f"/triage/kinds/{theirs.pk}/", _form_of(theirs, due_hours=1))

    assert (page.status_code, forged.status_code) == (404, 404)
    theirs.refresh_from_db()
    assert theirs.due_hours == 24 and AuditEntry.objects.count() == 0


def _other_districts_department(world: World) -> int:
    other = DistrictFactory(code="330106", name="西湖区")
    department: Any = DepartmentFactory(district=other, code="SCJG")
    return int(department.pk)


def _other_districts_matter(world: World) -> int:
    other = DistrictFactory(code="330106", name="西湖区")
    matter: Any = MatterFactory(district=other, department=DepartmentFactory(district=other))
    return int(matter.pk)


@pytest.mark.parametrize(
    ("overrides", "code", "message"),
    [
        (lambda w: {"due_hours": ""}, "kind_due_hours_required", "转部门办理和咨询答复须设办理时限（小时）"),
        (
            lambda w: {"department_id": _other_districts_department(w)},
            "kind_department_unknown",
            "办理部门不属于本区",
        ),
        (lambda w: {"matter_ids": [_other_districts_matter(w)]}, "kind_matter_unknown", "对应执法事项须为本区事项"),
        (lambda w: {"name": "   "}, "kind_name_required", "类型名称不能为空"),
        (lambda w: {"clock_policy": "whenever"}, "kind_clock_policy_invalid", "计时方式无效"),
        (lambda w: {"due_hours": "三天"}, "form_invalid", "办理时限须为整数小时"),
    ],
)
def test_a_refused_edit_shows_its_message_and_code_keeps_the_input_and_writes_nothing(
    client_as: Any, world: World, overrides: Any, code: str, message: str
) -> None:
    kind = _kind(world, "SC-SPAQ")
    data = _form_of(kind, scope="只改这一句看是否保留", **overrides(world))
    before = _kinds_footprint(world)

    response = client_as("dispatcher").post(f"/triage/kinds/{kind.pk}/", data)

    body = response.content.decode()
    assert response.status_code == 422
    assert f'<span class="error-message">{message}</span> <span class="error-code">（{code}）</span>' in body
    assert "只改这一句看是否保留</textarea>" in body  # what was typed is still in the form
    assert _kinds_footprint(world) == before


def test_a_hostile_kind_name_is_shown_as_text(client_as: Any, world: World, settings: Any) -> None:
    kind = _kind(world, "SC-SPAQ")
    client = client_as("dispatcher")
    client.post(f"/triage/kinds/{kind.pk}/", _form_of(kind, name=HOSTILE))
    _unsure(world, settings)

    for url in ("/triage/kinds/", f"/triage/kinds/{kind.pk}/", "/triage/"):
        body = client.get(url).content.decode()
        assert "&lt;img src=x onerror=alert(1)&gt;" in body, url
        assert HOSTILE not in body, url
