"""The phone's handle step (issue 16): urgency and the partner on the task, result types and 常用语 offered,
the photo a result needs refused on the page, the 核查不通过 reason on the task, every round on the event
page, and the 已办 list scoped to the officer's own rounds."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import POINT_IN_A, World
from zhifa.catalog.models import HandlingPhrase
from zhifa.catalog.services import handling_defaults_install
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.core.actors import SystemActor
from zhifa.events import services
from zhifa.events.models import Event, EventHandlingRound
from zhifa.events.states import EventPriority, EventSource, EventStatus
from zhifa.events.tests.conftest import jpeg_bytes, officer_of
from zhifa.org.models import Officer
from zhifa.org.roles import Role
from zhifa.org.tests.factories import OfficerFactory, ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def defaults(world: World) -> None:
    handling_defaults_install(actor=SystemActor("测试"), district_id=world.district.pk)


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def arrived_event(world: World, *, officers: list[Officer] | None = None, **intake: Any) -> Event:
    """An event of street A dispatched to officer_a (and ``officers``), acknowledged and arrived at."""
    values: dict[str, Any] = {
        "actor": world.user("dispatcher"),
        "district": world.district,
        "source": EventSource.HOTLINE,
        "description": "仁和路口有流动摊贩占道经营",
        "lon": POINT_IN_A[0],
        "lat": POINT_IN_A[1],
    }
    event = services.event_intake(**(values | intake)).event
    crew = [officer_of(world, "officer_a"), *(officers or [])]
    event = services.event_dispatch(actor=world.user("dispatcher"), event=event, officers=crew)
    officer = world.user("officer_a")
    event = services.event_acknowledge(actor=officer, event=event)
    return services.event_arrive(actor=officer, event=event, lon=event.lon, lat=event.lat)


def photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("after.jpg", jpeg_bytes(), content_type="image/jpeg")


def test_the_handle_form_offers_the_result_types_and_phrases_of_the_events_matter(
    client_as: Any, world: World, defaults: None
) -> None:
    # Given a matter with a phrase of its own, and an event of it officer_a is on site of
    matter = MatterFactory(
        district=world.district, department=world.enforcement_dept, name="占道经营", keywords="占道经营 流动摊贩"
    )
    HandlingPhrase.objects.create(district=world.district, matter=matter, text="已责令摊主将物品搬离盲道。")
    event = arrived_event(world)
    Event.objects.filter(pk=event.pk).update(matter=matter)

    # When officer_a opens the task
    body = client_as("officer_a").get(f"/m/events/{event.pk}/").content.decode()

    # Then the result types are one-tap choices (those needing a photo marked) and the phrases buttons, the
    # district's first and the matter's last; the voice button is there, hidden until the browser has speech
    for code, name in [
        ("rectified", "已整改"),
        ("ordered", "责令整改"),
        ("case_opened", "转立案"),
        ("no_violation", "无违法事实"),
    ]:
        assert f'value="{code}"' in body and f"<span>{name}</span>" in body
    assert body.count("<small>须拍照</small>") == 2
    assert body.index('data-phrase="已到达现场核实，情况属实。"') < body.index(
        'data-phrase="已责令摊主将物品搬离盲道。"'
    )
    assert '<button type="button" class="m-voice" id="voice-input" data-target="id_outcome" hidden>' in body
    assert "web/phone-handle.js" in body


def test_already_rectified_without_a_photo_is_refused_on_the_page_and_nothing_is_written(
    client_as: Any, world: World, defaults: None, media: Any
) -> None:
    event = arrived_event(world)
    response = client_as("officer_a").post(
        f"/m/events/{event.pk}/handle/", {"outcome": "摊主已收摊", "result_type": "rectified"}
    )
    assert response.status_code == 422
    assert (
        '<div class="m-error" id="photos-error">处置结果为“已整改”时须上传处置后现场照片</div>'
        in response.content.decode()
    )
    assert (Event.objects.get(pk=event.pk).status, EventHandlingRound.objects.count()) == (EventStatus.ARRIVED, 0)


def test_a_report_without_a_result_type_is_refused_next_to_the_choices(
    client_as: Any, world: World, defaults: None
) -> None:
    event = arrived_event(world)
    response = client_as("officer_a").post(f"/m/events/{event.pk}/handle/", {"outcome": "摊主已收摊"})
    assert response.status_code == 422
    assert '<div class="m-error" id="result-type-error">请选择处置结果类型</div>' in response.content.decode()


def test_already_rectified_with_a_photo_is_handed_in_with_its_result(
    client_as: Any, world: World, defaults: None, media: Any
) -> None:
    event = arrived_event(world)
    response = client_as("officer_a").post(
        f"/m/events/{event.pk}/handle/", {"outcome": "摊主已收摊", "result_type": "rectified", "photos": photo()}
    )
    assert response.status_code == 302
    assert list(EventHandlingRound.objects.values_list("result_type_name", "outcome")) == [("已整改", "摊主已收摊")]


def test_the_task_shows_urgency_and_the_partner_with_a_number_to_call(client_as: Any, world: World) -> None:
    # Given an urgent event sent to officer_a with a colleague whose work phone is on the roster
    user = UserFactory(username="colleague_a")
    ProfileFactory(user=user, district=world.district, role=Role.OFFICER, street=world.street_a)
    colleague = OfficerFactory(
        district=world.district,
        user=user,
        name="丙队员",
        phone="13900001111",
        home_department=world.enforcement_dept,
        street=world.street_a,
    )
    event = arrived_event(world, officers=[colleague], priority=EventPriority.URGENT)

    # When officer_a opens the task
    body = client_as("officer_a").get(f"/m/events/{event.pk}/").content.decode()

    # Then it says 紧急 and names the colleague with a link to call them
    assert '<span class="m-tag urgent" id="task-urgent">紧急</span>' in body
    assert '<b>丙队员</b> <a class="m-call" href="tel:13900001111">拨打 13900001111</a>' in body


def test_the_redo_reason_is_on_the_task_and_every_round_on_the_event_page(
    client_as: Any, world: World, defaults: None, media: Any
) -> None:
    # Given a first round sent back by the command centre with a reason
    event = arrived_event(world)
    officer = world.user("officer_a")
    event = services.event_handle(
        actor=officer, event=event, outcome="已劝离", result_type="rectified", photos=[photo()]
    )
    event = services.event_redo(actor=world.user("dispatcher"), event=event, reason="照片中仍有摊位，请复查")

    # When officer_a opens the task that came back
    body = client_as("officer_a").get(f"/m/events/{event.pk}/").content.decode()

    # Then the reason is on it, above the task
    assert '<div class="m-notice danger" id="redo-reason" role="alert"><b>核查不通过，请重新处置</b>' in body
    assert '<div class="m-redo-text">照片中仍有摊位，请复查</div>' in body
    # And the event page, while the redo is in the field, does not show the first report as the event's result
    # but as round 1, sent back
    during = client_as("dispatcher").get(f"/events/{event.pk}/").content.decode()
    assert 'class="prose outcome"' not in during and 'id="handling-round-1"' in during
    # And on its card in the task list
    tasks = client_as("officer_a").get("/m/").content.decode()
    assert '<div class="m-error m-redo">核查不通过：照片中仍有摊位，请复查</div>' in tasks

    # And once the second round is handed in, the event page lists both rounds, the first with its reason
    event = services.event_acknowledge(actor=officer, event=event)
    event = services.event_arrive(actor=officer, event=event, lon=event.lon, lat=event.lat)
    services.event_handle(actor=officer, event=event, outcome="摊位已拆除", result_type="rectified", photos=[photo()])
    page = client_as("dispatcher").get(f"/events/{event.pk}/").content.decode()
    assert 'id="handling-round-1"' in page and 'id="handling-round-2"' in page
    assert "照片中仍有摊位，请复查" in page and "已劝离" in page and "摊位已拆除" in page
    # And the task no longer asks for a redo
    assert 'id="redo-reason"' not in client_as("officer_a").get(f"/m/events/{event.pk}/").content.decode()


def test_the_done_list_holds_the_officers_own_rounds_only_paged(client_as: Any, world: World, media: Any) -> None:
    # Given 21 events officer_a handled and one handled by an officer of street B
    for i in range(21):
        event = arrived_event(world, description=f"第{i}件占道经营")
        services.event_handle(actor=world.user("officer_a"), event=event, outcome=f"处置完毕{i}")
    other = services.event_intake(
        actor=world.user("dispatcher"),
        district=world.district,
        source=EventSource.HOTLINE,
        description="乙街道的事件",
        lon=POINT_IN_A[0] + 0.01,
        lat=POINT_IN_A[1],
    ).event
    b = world.user("officer_b")
    other = services.event_dispatch(
        actor=world.user("dispatcher"), event=other, officers=[officer_of(world, "officer_b")]
    )
    other = services.event_acknowledge(actor=b, event=other)
    other = services.event_arrive(actor=b, event=other, lon=other.lon, lat=other.lat)
    services.event_handle(actor=b, event=other, outcome="乙街道处置完毕")

    # When officer_a opens 已办, and its second page
    client = client_as("officer_a")
    first = client.get("/m/done/").content.decode()
    second = client.get("/m/done/?page=2").content.decode()

    # Then 21 rounds are theirs, 20 on the first page (the latest first) and one on the second; B's is on neither
    assert "已办 <small>21 件</small>" in first
    assert first.count('class="m-card task"') == 20 and second.count('class="m-card task"') == 1
    assert "处置完毕20" in first and "处置完毕0" in second
    assert "乙街道处置完毕" not in first + second
    # And officer_b sees their own only
    assert client_as("officer_b").get("/m/done/").content.decode().count('class="m-card task"') == 1


@pytest.mark.parametrize("persona", ["dispatcher", "leader", "business_owner"])
def test_the_done_list_is_for_field_staff(client_as: Any, persona: str) -> None:
    assert client_as(persona).get("/m/done/").status_code == 403


def test_the_done_list_reads_the_same_number_of_queries_for_few_and_many_rounds(
    client_as: Any, world: World, media: Any
) -> None:
    def queries() -> int:
        client = client_as("officer_a")
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/m/done/").status_code == 200
        return len(captured)

    for i in range(2):
        services.event_handle(actor=world.user("officer_a"), event=arrived_event(world), outcome=f"处置{i}")
    few = queries()
    for i in range(8):
        services.event_handle(actor=world.user("officer_a"), event=arrived_event(world), outcome=f"处置{i}")
    assert queries() == few


def test_a_refused_report_shows_its_error_above_the_fields_and_keeps_what_was_typed_and_chosen(
    client_as: Any, world: World, defaults: None, media: Any
) -> None:
    # Given officer_a on site, who chose 已整改 and typed a report but took no photo
    event = arrived_event(world)
    typed = "摊主已收摊 <b>盲道</b>已清理"
    response = client_as("officer_a").post(
        f"/m/events/{event.pk}/handle/", {"outcome": typed, "result_type": "rectified"}
    )

    # Then the page is refused with the reason in an error box at the top of the form, before the result
    # choices and the text field (the page's script scrolls to it), not only next to the photo field below
    assert response.status_code == 422
    body = response.content.decode()
    box = body.index('id="handle-errors"')
    assert body.index('action="/m/events/') < box < body.index('id="result-types"') < body.index('name="outcome"')
    assert "处置结果为“已整改”时须上传处置后现场照片" in body[box : body.index('id="result-types"')]
    # And what the officer typed (escaped) and chose is still there
    assert "摊主已收摊 &lt;b&gt;盲道&lt;/b&gt;已清理</textarea>" in body
    assert '<input type="radio" name="result_type" value="rectified" id="id_result_type_0" checked>' in body
