"""Event list and detail pages, and the command actions on them: each one POST, one service; who may not
act gets no button and a forged POST changes nothing."""

import re
from typing import Any

import pytest

from conftest import POINT_IN_A, World
from zhifa.catalog.models import Matter
from zhifa.events import services
from zhifa.events.distance import METRES_PER_DEGREE_LAT
from zhifa.events.models import Event, EventAssignment, EventTransition
from zhifa.events.states import EventSource, EventStatus
from zhifa.events.tests.conftest import officer_of, on_duty, position_of
from zhifa.org.tests.factories import OfficerFactory


def reported(world: World, **overrides: Any) -> Event:
    values: dict[str, Any] = {
        "actor": world.user("dispatcher"),
        "district": world.district,
        "source": EventSource.HOTLINE,
        "description": "仁和路口有流动摊贩占道经营",
        "lon": POINT_IN_A[0],
        "lat": POINT_IN_A[1],
        "reporter_name": "王先生",
        "reporter_phone": "13812341234",
    }
    values.update(overrides)
    return services.event_intake(**values).event


@pytest.fixture
def triaged(world: World) -> Event:
    event = reported(world)
    assert event.status == EventStatus.TRIAGED
    on_duty(officer_of(world, "officer_a"))  # the one officer on duty: whom the page recommends
    return event


def test_event_list_masks_the_reporters_phone(client_as: Any, triaged: Event) -> None:
    body = client_as("dispatcher").get("/events/").content.decode()

    assert triaged.public_no in body
    assert "138****1234" in body
    assert "13812341234" not in body


def test_event_list_filters_by_status(client_as: Any, triaged: Event) -> None:
    client = client_as("dispatcher")

    assert triaged.public_no in client.get("/events/?status=triaged").content.decode()
    assert triaged.public_no not in client.get("/events/?status=closed").content.decode()


def test_officer_of_street_b_does_not_see_street_a_event(client_as: Any, triaged: Event) -> None:
    client = client_as("officer_b")

    assert triaged.public_no not in client.get("/events/").content.decode()
    assert client.get(f"/events/{triaged.pk}/").status_code == 404


def test_detail_shows_masked_phone_timeline_and_one_click_dispatch(client_as: Any, triaged: Event) -> None:
    body = client_as("dispatcher").get(f"/events/{triaged.pk}/").content.decode()

    assert "138****1234" in body
    assert "13812341234" not in body
    assert "流转记录" in body
    assert "研判" in body  # the triage transition row
    assert re.search(r"<b>甲队员</b>", body)
    assert "一键派遣" in body


def test_detail_of_a_merged_event_links_the_event_it_was_merged_into(
    client_as: Any, world: World, triaged: Event
) -> None:
    duplicate = reported(world, description="同一个地方又有人占道经营")
    merged = services.event_merge(actor=world.user("dispatcher"), event=duplicate, into=triaged, reason="同一处")

    body = client_as("dispatcher").get(f"/events/{merged.pk}/").content.decode()

    assert "合并至" in body
    assert f'href="/events/{triaged.pk}/">{triaged.public_no}</a>' in body


def test_dispatcher_dispatches_from_the_recommendation(client_as: Any, world: World, triaged: Event) -> None:
    officer = officer_of(world, "officer_a")

    response = client_as("dispatcher").post(
        f"/events/{triaged.pk}/do/dispatch/", {"officer_ids": [officer.pk], "was_recommended": "1"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/events/{triaged.pk}/"
    triaged.refresh_from_db()
    assert triaged.status == EventStatus.DISPATCHED
    assignment = EventAssignment.objects.get(event=triaged)
    assert (assignment.officer_id, assignment.was_recommended) == (officer.pk, True)


def test_auxiliary_has_no_buttons_and_a_forged_dispatch_changes_nothing(
    client_as: Any, world: World, triaged: Event
) -> None:
    client = client_as("auxiliary_a")
    body = client.get(f"/events/{triaged.pk}/").content.decode()
    assert "一键派遣" not in body
    assert "处置操作" not in body
    transitions_before = EventTransition.objects.filter(event=triaged).count()

    response = client.post(f"/events/{triaged.pk}/do/dispatch/", {"officer_ids": [officer_of(world, "officer_a").pk]})

    assert response.status_code == 403
    triaged.refresh_from_db()
    assert triaged.status == EventStatus.TRIAGED
    assert EventAssignment.objects.filter(event=triaged).count() == 0
    assert EventTransition.objects.filter(event=triaged).count() == transitions_before


def test_reject_without_reason_is_refused_in_chinese_and_changes_nothing(client_as: Any, triaged: Event) -> None:
    response = client_as("dispatcher").post(f"/events/{triaged.pk}/do/reject/", {"reason": ""})

    assert response.status_code == 422
    assert "请填写理由" in response.content.decode()
    triaged.refresh_from_db()
    assert triaged.status == EventStatus.TRIAGED


def test_reject_with_reason(client_as: Any, triaged: Event) -> None:
    response = client_as("dispatcher").post(f"/events/{triaged.pk}/do/reject/", {"reason": "不属于执法事项"})

    assert response.status_code == 302
    triaged.refresh_from_db()
    assert triaged.status == EventStatus.REJECTED
    assert EventTransition.objects.filter(event=triaged).last().reason == "不属于执法事项"  # type: ignore[union-attr]


def test_transfer_to_a_coordinating_department(client_as: Any, world: World, triaged: Event) -> None:
    response = client_as("dispatcher").post(
        f"/events/{triaged.pk}/do/transfer/",
        {"department_id": world.market_dept.pk, "instructions": "请核查无照经营", "next": "/command/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/command/"
    triaged.refresh_from_db()
    assert triaged.status == EventStatus.TRANSFERRED
    assert triaged.coordination_tasks.get().department == world.market_dept


def test_merge_into_another_event(client_as: Any, world: World, triaged: Event) -> None:
    primary = reported(world, description="仁和路口摊贩占道，第二次来电")

    response = client_as("dispatcher").post(
        f"/events/{triaged.pk}/do/merge/", {"into": primary.public_no, "reason": "同一地点同一问题"}
    )

    assert response.status_code == 302
    triaged.refresh_from_db()
    assert (triaged.status, triaged.merged_into_id) == (EventStatus.MERGED, primary.pk)


def test_unknown_action_is_404(client_as: Any, triaged: Event) -> None:
    assert client_as("dispatcher").post(f"/events/{triaged.pk}/do/explode/").status_code == 404


@pytest.fixture
def transferred(client_as: Any, world: World, triaged: Event) -> Event:
    client_as("dispatcher").post(
        f"/events/{triaged.pk}/do/transfer/", {"department_id": world.market_dept.pk, "instructions": "请核查无照经营"}
    )
    triaged.refresh_from_db()
    assert triaged.status == EventStatus.TRANSFERRED
    return triaged


def test_liaison_gives_written_feedback_from_the_event_page(client_as: Any, transferred: Event) -> None:
    client = client_as("liaison")
    assert "提交书面反馈" in client.get(f"/events/{transferred.pk}/").content.decode()

    response = client.post(f"/events/{transferred.pk}/do/feedback/", {"feedback": "已责令停止无照经营并立案调查"})

    assert response.status_code == 302
    transferred.refresh_from_db()
    assert transferred.status == EventStatus.HANDLED
    assert transferred.coordination_tasks.get().feedback == "已责令停止无照经营并立案调查"
    assert "提交书面反馈" not in client.get(f"/events/{transferred.pk}/").content.decode()


def test_feedback_without_text_is_refused_in_chinese(client_as: Any, transferred: Event) -> None:
    response = client_as("liaison").post(f"/events/{transferred.pk}/do/feedback/", {"feedback": "  "})

    assert response.status_code == 422
    assert "请填写书面反馈" in response.content.decode()
    transferred.refresh_from_db()
    assert transferred.status == EventStatus.TRANSFERRED


def test_only_the_liaison_gets_the_feedback_form_and_a_forged_feedback_is_refused(
    client_as: Any, transferred: Event
) -> None:
    client = client_as("dispatcher")
    assert "提交书面反馈" not in client.get(f"/events/{transferred.pk}/").content.decode()

    response = client.post(f"/events/{transferred.pk}/do/feedback/", {"feedback": "调度员代填"})

    assert response.status_code == 403
    transferred.refresh_from_db()
    assert transferred.status == EventStatus.TRANSFERRED


def test_one_click_dispatch_sends_exactly_the_crew_the_law_needs(
    client_as: Any, world: World, triaged: Event, matter: Matter
) -> None:
    matter.requires_two_officers = True
    matter.save()
    Event.objects.filter(pk=triaged.pk).update(matter=matter)
    # Three officers certified for the matter's domain, on duty in street A, 100 / 200 / 300 m from the event
    # (甲队员 is on duty too, but not certified for catering fumes).
    near, middle, far = [
        OfficerFactory(
            district=world.district, home_department=world.enforcement_dept, street=world.street_a, zone=world.zone_a
        )
        for _ in range(3)
    ]
    for officer, metres in ((middle, 200), (far, 300), (near, 100)):
        on_duty(officer, domains=[matter.domain])
        position_of(officer, lon=triaged.lon, lat=triaged.lat + metres / METRES_PER_DEGREE_LAT)

    body = client_as("dispatcher").get(f"/events/{triaged.pk}/").content.decode()

    forms = re.findall(r'<ol class="recommendations">(.*?)</ol>', body, re.S)[0].split("<li>")[1:]
    crews = [re.findall(r'name="officer_ids" value="(\d+)"', f) for f in forms]
    # Each recommended officer leads a crew of two, the nearest other officer going with them.
    a, b, c = (str(o.pk) for o in (near, middle, far))
    assert crews == [[a, b], [b, a], [c, a]]


def test_travel_time_rounds_up_like_the_reasons() -> None:
    from zhifa.web.templatetags.event_tags import seconds_to_minutes

    assert seconds_to_minutes(150) == "3"  # the reasons say "约3分钟到达" for 150 s
    assert seconds_to_minutes(20) == "1"
    assert seconds_to_minutes(None) == "—"


def test_manual_picker_lists_the_events_street_first_with_each_officers_street(
    client_as: Any, world: World, triaged: Event
) -> None:
    body = client_as("dispatcher").get(f"/events/{triaged.pk}/").content.decode()
    picker = body[body.index('<select name="officer_ids"') :]
    picker = picker[: picker.index("</select>")]

    assert re.findall(r"<option[^>]*>([^<]*)</option>", picker) == [
        f"甲队员（{officer_of(world, 'officer_a').badge_no}·甲街道）",
        f"乙队员（{officer_of(world, 'officer_b').badge_no}·乙街道）",
    ]
