"""The officer's phone under /m/: tasks, acknowledge, GPS arrival (refused far away, with the distance),
report back, patrol findings, position updates; each write audited as coming from the phone."""

import datetime as dt
import json
from typing import Any

import pytest
import time_machine

from conftest import POINT_IN_A, World
from zhifa.core.models import AuditEntry
from zhifa.events import services
from zhifa.events.models import Event, EventAssignment, EventTransition, OfficerPosition
from zhifa.events.states import EventAction, EventSource, EventStatus
from zhifa.events.tests.conftest import officer_of
from zhifa.org.roles import Role
from zhifa.org.tests.factories import OfficerFactory, ProfileFactory, UserFactory

T0 = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in Shanghai
# A phone whose clock is wrong by years: 2023-11-14 22:13:20 UTC, in milliseconds as phone.js sends it.
PHONE_CLOCK_MS = 1_700_000_000_000


@pytest.fixture
def dispatched(world: World) -> Event:
    return dispatch_one(world)


def dispatch_one(world: World) -> Event:
    event = services.event_intake(
        actor=world.user("dispatcher"),
        district=world.district,
        source=EventSource.HOTLINE,
        description="仁和路口有流动摊贩占道经营",
        lon=POINT_IN_A[0],
        lat=POINT_IN_A[1],
    ).event
    return services.event_dispatch(
        actor=world.user("dispatcher"), event=event, officers=[officer_of(world, "officer_a")]
    )


@pytest.mark.parametrize("persona", ["dispatcher", "liaison", "leader", "business_owner"])
def test_phone_is_for_field_staff(client_as: Any, persona: str) -> None:
    assert client_as(persona).get("/m/").status_code == 403


def test_task_list_shows_the_officers_task_on_a_phone_page(client_as: Any, dispatched: Event) -> None:
    body = client_as("officer_a").get("/m/").content.decode()

    assert '<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">' in body
    assert f'id="task-{dispatched.pk}"' in body
    assert 'data-track-position="1"' in body


def test_acknowledge_then_arrival_then_report(client_as: Any, world: World, dispatched: Event) -> None:
    client = client_as("officer_a")

    assert client.post(f"/m/events/{dispatched.pk}/acknowledge/").status_code == 302
    dispatched.refresh_from_db()
    assert dispatched.status == EventStatus.ACKNOWLEDGED
    assert AuditEntry.objects.filter(object_id=str(dispatched.pk)).order_by("-seq").first().client == "phone"  # type: ignore[union-attr]

    response = client.post(
        f"/m/events/{dispatched.pk}/arrive/", {"lon": dispatched.lon, "lat": dispatched.lat, "accuracy": "8"}
    )
    assert response.status_code == 302
    dispatched.refresh_from_db()
    assert dispatched.status == EventStatus.ARRIVED

    response = client.post(f"/m/events/{dispatched.pk}/handle/", {"outcome": "已劝离，恢复通行"})
    assert response.status_code == 302
    dispatched.refresh_from_db()
    assert (dispatched.status, dispatched.outcome) == (EventStatus.HANDLED, "已劝离，恢复通行")


def test_arrival_far_away_is_refused_with_the_distance(client_as: Any, dispatched: Event) -> None:
    client = client_as("officer_a")
    client.post(f"/m/events/{dispatched.pk}/acknowledge/")

    # 0.01° of latitude north: about 1112 m away
    response = client.post(f"/m/events/{dispatched.pk}/arrive/", {"lon": dispatched.lon, "lat": dispatched.lat + 0.01})

    assert response.status_code == 422
    body = response.content.decode()
    assert 'id="task-error"' in body
    assert "当前距事件位置 <b>1112</b> 米" in body
    dispatched.refresh_from_db()
    assert dispatched.status == EventStatus.ACKNOWLEDGED


def test_arrival_without_a_position_is_refused(client_as: Any, dispatched: Event) -> None:
    client = client_as("officer_a")
    client.post(f"/m/events/{dispatched.pk}/acknowledge/")

    response = client.post(f"/m/events/{dispatched.pk}/arrive/", {})

    assert response.status_code == 422
    assert "未获取到定位" in response.content.decode()


def test_other_officer_cannot_acknowledge(client_as: Any, world: World, dispatched: Event) -> None:
    response = client_as("auxiliary_a").post(f"/m/events/{dispatched.pk}/acknowledge/")

    assert response.status_code == 403
    dispatched.refresh_from_db()
    assert dispatched.status == EventStatus.DISPATCHED


def test_patrol_finding_becomes_an_event_once_even_when_sent_twice(client_as: Any, world: World) -> None:
    client = client_as("officer_a")
    data = {
        "description": "人行道上有共享单车乱停放",
        "lon": str(POINT_IN_A[0]),
        "lat": str(POINT_IN_A[1]),
        "client_key": "3f0c9a52-0d5e-4a53-9b1e-2f0b5c7a1e11",
    }

    assert client.post("/m/finding/", data).status_code == 302
    assert client.post("/m/finding/", data).status_code == 302  # the offline queue sent it again

    event = Event.objects.get()
    assert (event.source, event.reporter_user_id, event.street_id) == (
        EventSource.PATROL,
        world.user("officer_a").pk,
        world.street_a.pk,
    )


def test_patrol_finding_without_position_writes_nothing(client_as: Any) -> None:
    response = client_as("auxiliary_a").post("/m/finding/", {"description": "占道"})

    assert response.status_code == 422
    assert "未获取到定位，请允许使用位置信息" in response.content.decode()
    assert Event.objects.count() == 0


def test_position_is_recorded_and_throttled(client_as: Any, world: World) -> None:
    client = client_as("officer_a")
    point = {"lon": str(POINT_IN_A[0]), "lat": str(POINT_IN_A[1]), "accuracy": "10"}

    assert client.post("/m/position/", point).json() == {"recorded": True}
    assert client.post("/m/position/", point).json() == {"recorded": False}
    assert OfficerPosition.objects.filter(officer=officer_of(world, "officer_a")).count() == 1


def test_service_worker_is_served_for_the_phone_scope(client_as: Any) -> None:
    response = client_as("officer_a").get("/m/sw.js")

    assert response["Content-Type"] == "application/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/m/"
    assert 'var SHELL = ["/m/", "/m/finding/"];' in response.content.decode()


def test_an_officer_signs_out_from_the_phone_and_the_next_one_must_sign_in(client_as: Any) -> None:
    client = client_as("officer_a")
    body = client.get("/m/").content.decode()
    assert 'action="/logout/"' in body and ">退出</button>" in body

    response = client.post("/logout/")

    assert response.status_code == 302 and response["Location"] == "/login/"
    again = client.get("/m/")
    assert again.status_code == 302 and again["Location"].startswith("/login/")


def test_phone_pages_name_the_user_they_were_made_for(client_as: Any, world: World, dispatched: Event) -> None:
    client = client_as("officer_a")
    officer_a = str(world.user("officer_a").pk)

    answers = [
        client.get("/m/"),
        client.get(f"/m/events/{dispatched.pk}/"),
        client.get("/m/finding/"),
        client.post(f"/m/events/{dispatched.pk}/arrive/", {}),  # refused: the page is shown again
    ]

    assert [(a.status_code, a["X-Zhifa-User"]) for a in answers] == [
        (200, officer_a),
        (200, officer_a),
        (200, officer_a),
        (422, officer_a),
    ]


def test_a_signed_out_phone_page_names_nobody(client: Any) -> None:
    response = client.get("/m/")

    assert response.status_code == 302 and "X-Zhifa-User" not in response


def sw_value(script: str, name: str) -> Any:
    """The JSON value the service worker script is given as ``var NAME = ...;``."""
    line = next(line for line in script.splitlines() if line.startswith(f"var {name} = "))
    return json.loads(line.removeprefix(f"var {name} = ").removesuffix(";"))


def test_the_service_worker_carries_the_offline_page_and_the_forms_it_keeps(client_as: Any) -> None:
    script = client_as("officer_a").get("/m/sw.js").content.decode()

    offline = sw_value(script, "OFFLINE_PAGE")
    assert '<h1 class="m-h1">当前离线，此页面尚未缓存</h1>' in offline
    assert '<a class="m-link" id="offline-back" href="/m/">返回任务列表</a>' in offline
    assert "officer_a" not in offline and "csrf" not in offline  # made for nobody
    assert sw_value(script, "QUEUED") == [
        "/m/events/0/acknowledge/",
        "/m/events/0/arrive/",
        "/m/events/0/handle/",
        # The joint inspection's steps (issue 12 part 5).
        "/m/inspections/0/start/",
        "/m/inspections/0/tick/",
        "/m/inspections/0/finding/",
        "/m/inspections/0/sign/",
        "/m/inspections/0/party-sign/",
        "/m/inspections/0/close/",
        "/m/events/0/check-in/",  # deprecated addresses, kept for one release (test below)
        "/m/events/0/report/",
        "/m/finding/",
    ]
    assert (sw_value(script, "LOGIN"), sw_value(script, "USER_HEADER")) == ("/login/", "X-Zhifa-User")


def arrived(client: Any, event: Event) -> None:
    client.post(f"/m/events/{event.pk}/acknowledge/")
    client.post(f"/m/events/{event.pk}/arrive/", {"lon": event.lon, "lat": event.lat, "accuracy": "8"})


def test_a_report_sent_again_after_it_arrived_is_answered_as_arrived(client_as: Any, dispatched: Event) -> None:
    client = client_as("officer_a")
    arrived(client, dispatched)
    assert client.post(f"/m/events/{dispatched.pk}/handle/", {"outcome": "已劝离，恢复通行"}).status_code == 302
    audit_entries = AuditEntry.objects.count()

    again = client.post(f"/m/events/{dispatched.pk}/handle/", {"outcome": "已劝离，恢复通行"})

    assert (again.status_code, again["Location"]) == (302, "/m/")
    assert list(dispatched.transitions.filter(action=EventAction.HANDLE).values_list("actor__username")) == [
        ("officer_a",)
    ]
    assert AuditEntry.objects.count() == audit_entries


def test_a_second_report_with_another_text_is_refused_on_the_page(client_as: Any, dispatched: Event) -> None:
    client = client_as("officer_a")
    arrived(client, dispatched)
    client.post(f"/m/events/{dispatched.pk}/handle/", {"outcome": "已劝离，恢复通行"})

    again = client.post(f"/m/events/{dispatched.pk}/handle/", {"outcome": "已责令整改"})

    assert again.status_code == 422
    # The form has left the page with the event's state; its refusal is shown in the page's error box.
    assert (
        '<div class="m-notice danger" id="task-error" role="alert">您已反馈过该事件的处置结果，不能再次反馈</div>'
        in (again.content.decode())
    )
    dispatched.refresh_from_db()
    assert (dispatched.status, dispatched.outcome) == (EventStatus.HANDLED, "已劝离，恢复通行")


def step_post(client: Any, event: Event, step: str, **fields: str) -> Any:
    extra = {
        "arrive": {"lon": str(event.lon), "lat": str(event.lat), "accuracy": "8"},
        "handle": {"outcome": "已劝离，恢复通行"},
    }.get(step, {})
    return client.post(f"/m/events/{event.pk}/{step}/", {**extra, **fields})


def acknowledged_at_ten(client: Any, world: World, step: str) -> Event:
    """An event dispatched to officer_a at 10:00, and brought at 10:00 to the step to test: acknowledged for
    the arrival, acknowledged and arrived for the report."""
    with time_machine.travel(T0, tick=False):
        event = dispatch_one(world)
        for before in {"acknowledge": [], "arrive": ["acknowledge"], "handle": ["acknowledge", "arrive"]}[step]:
            assert step_post(client, event, before).status_code == 302
    return event


STEP_FIELDS = {"acknowledge": "acknowledged_at", "arrive": "arrived_at", "handle": "handled_at"}
# Where the phone goes after each step: the task for the next one, the task list once reported.
STEP_NEXT = {"acknowledge": "/m/events/{pk}/", "arrive": "/m/events/{pk}/", "handle": "/m/"}


@pytest.mark.parametrize(("old", "step"), [("check-in", "arrive"), ("report", "handle")])
def test_a_step_queued_before_the_rename_is_taken_at_its_old_address(
    client_as: Any, world: World, old: str, step: str
) -> None:
    # Given an event at officer_a's hands since 10:00, and the step queued in the phone's outbox before the
    # upgrade, under the address it had then (deprecated, answered for one release)
    client = client_as("officer_a")
    event = acknowledged_at_ten(client, world, step)
    fields = {
        "arrive": {"lon": str(event.lon), "lat": str(event.lat), "accuracy": "8"},
        "handle": {"outcome": "已劝离，恢复通行"},
    }[step]

    # When it is sent at 10:03, 150 s after it was taken (phone's clock)
    with time_machine.travel(T0 + dt.timedelta(minutes=3), tick=False):
        response = client.post(
            f"/m/events/{event.pk}/{old}/",
            {**fields, "observed_at": str(PHONE_CLOCK_MS), "sent_at": str(PHONE_CLOCK_MS + 150_000)},
        )

    # Then it is the step, as the new address takes it: timed at 10:00:30, one transition of its action
    assert (response.status_code, response["Location"]) == (302, STEP_NEXT[step].format(pk=event.pk))
    assert getattr(Event.objects.get(pk=event.pk), STEP_FIELDS[step]) == T0 + dt.timedelta(seconds=30)
    assert EventTransition.objects.filter(event=event, action=step).count() == 1


@pytest.mark.parametrize("step", ["acknowledge", "arrive", "handle"])
def test_a_queued_step_is_timed_by_the_wait_the_phone_measured(client_as: Any, world: World, step: str) -> None:
    # Given an event at officer_a's hands since 10:00, and a phone whose clock is years off
    client = client_as("officer_a")
    event = acknowledged_at_ten(client, world, step)

    # When the step the officer took offline arrives at 10:03, sent 150 s after it was taken (phone's clock)
    with time_machine.travel(T0 + dt.timedelta(minutes=3), tick=False):
        response = step_post(
            client, event, step, observed_at=str(PHONE_CLOCK_MS), sent_at=str(PHONE_CLOCK_MS + 150_000)
        )

    # Then it is recorded as taken at 10:00:30, the server's clock less the wait
    assert (response.status_code, response["Location"]) == (302, STEP_NEXT[step].format(pk=event.pk))
    assert getattr(Event.objects.get(pk=event.pk), STEP_FIELDS[step]) == T0 + dt.timedelta(seconds=30)


@pytest.mark.parametrize("step", ["acknowledge", "arrive", "handle"])
@pytest.mark.parametrize(
    "fields",
    [
        {"observed_at": str(PHONE_CLOCK_MS)},  # posted at once: no sent_at
        {"observed_at": str(PHONE_CLOCK_MS), "sent_at": "刚才"},
        {"observed_at": "0", "sent_at": "9" * 14},  # a wait of 3000 years
        {},
    ],
    ids=["posted_at_once", "sent_at_unreadable", "too_many_digits", "no_times"],
)
def test_a_step_without_a_readable_wait_counts_from_its_arrival(
    client_as: Any, world: World, step: str, fields: dict[str, str]
) -> None:
    # Given an event at officer_a's hands since 10:00
    client = client_as("officer_a")
    event = acknowledged_at_ten(client, world, step)

    # When the step arrives at 10:03 without a wait the server can read
    with time_machine.travel(T0 + dt.timedelta(minutes=3), tick=False):
        response = step_post(client, event, step, **fields)

    # Then it is timed at its arrival, whatever the phone's clock said, and no note is made
    assert response.status_code == 302
    assert getattr(Event.objects.get(pk=event.pk), STEP_FIELDS[step]) == T0 + dt.timedelta(minutes=3)
    action = {"acknowledge": EventAction.ACKNOWLEDGE, "arrive": EventAction.ARRIVE, "handle": EventAction.HANDLE}
    assert EventTransition.objects.get(event=event, action=action[step]).reason == ""


@pytest.mark.parametrize("step", ["acknowledge", "arrive", "handle"])
def test_a_step_sent_again_after_it_arrived_is_answered_as_arrived(client_as: Any, world: World, step: str) -> None:
    # Given a step officer_a took (acknowledged, arrived, or reported) whose answer the phone did not get
    client = client_as("officer_a")
    event = acknowledged_at_ten(client, world, step)
    sent = {"observed_at": str(PHONE_CLOCK_MS), "sent_at": str(PHONE_CLOCK_MS + 1_000)}
    with time_machine.travel(T0 + dt.timedelta(minutes=1), tick=False):
        assert step_post(client, event, step, **sent).status_code == 302
    stored = (EventTransition.objects.count(), AuditEntry.objects.count(), OfficerPosition.objects.count())

    # When the phone sends it again a minute later
    with time_machine.travel(T0 + dt.timedelta(minutes=2), tick=False):
        again = step_post(client, event, step, observed_at=str(PHONE_CLOCK_MS), sent_at=str(PHONE_CLOCK_MS + 61_000))

    # Then the server answers as for the first (so the outbox counts it sent), and writes nothing
    assert (again.status_code, again["Location"]) == (302, STEP_NEXT[step].format(pk=event.pk))
    assert (EventTransition.objects.count(), AuditEntry.objects.count(), OfficerPosition.objects.count()) == stored


@pytest.mark.parametrize("step", ["acknowledge", "arrive", "handle"])
def test_each_step_form_keeps_the_moment_it_is_submitted(client_as: Any, world: World, step: str) -> None:
    # Given an event waiting for officer_a's step
    client = client_as("officer_a")
    event = acknowledged_at_ten(client, world, step)

    # When officer_a opens the task
    body = client.get(f"/m/events/{event.pk}/").content.decode()

    # Then the step's form, the one the outbox keeps, has the field phone.js fills when it is submitted
    start = body.index(f'<form method="post" action="/m/events/{event.pk}/{step}/"')
    form = body[start : body.index("</form>", start)]
    assert 'data-offline="queue"' in form
    assert form.count('<input type="hidden" name="observed_at">') == 1


@pytest.mark.parametrize(
    ("waited_ms", "max_age_s", "reported_at"),
    [
        (150_000, 86400, T0 - dt.timedelta(seconds=150)),
        (150_000, 120, T0),  # older than the limit: timed when it arrived
        (-5_000, 86400, T0),  # sent before it was made: the phone's clock jumped
    ],
)
def test_a_queued_finding_keeps_the_time_it_was_made_within_the_limit(
    client_as: Any, world: World, settings: Any, waited_ms: int, max_age_s: int, reported_at: dt.datetime
) -> None:
    # Given a limit on how old a time kept offline may be
    settings.ZHIFA_OFFLINE_MAX_AGE_S = max_age_s
    data = {
        "description": "人行道上有共享单车乱停放",
        "lon": str(POINT_IN_A[0]),
        "lat": str(POINT_IN_A[1]),
        "observed_at": str(PHONE_CLOCK_MS),
        "sent_at": str(PHONE_CLOCK_MS + waited_ms),
    }

    # When a finding the phone kept arrives at 10:00
    with time_machine.travel(T0, tick=False):
        response = client_as("officer_a").post("/m/finding/", data)

    # Then it is reported at the moment it was made, if that is within the limit and not ahead
    assert response.status_code == 302
    assert Event.objects.get().reported_at == reported_at


@pytest.fixture
def colleague(world: World) -> Any:
    """A second officer of street A (丙队员)."""
    user = UserFactory(username="colleague_a")
    ProfileFactory(user=user, district=world.district, role=Role.OFFICER, street=world.street_a)
    OfficerFactory(
        district=world.district, user=user, name="丙队员", home_department=world.enforcement_dept, street=world.street_a
    )
    return user


def buttons(client: Any, event: Event) -> list[str]:
    """The step buttons the task page offers."""
    body = client.get(f"/m/events/{event.pk}/").content.decode()
    return [name for name in ("acknowledge", "arrive", "handle") if f'id="{name}"' in body]


def test_the_colleague_arrives_on_the_phone_after_officer_a_did(client_as: Any, world: World, colleague: Any) -> None:
    def as_colleague() -> Any:
        client = client_as("officer_a")
        client.force_login(colleague)
        return client

    # Given an event sent to officer_a and a colleague, which officer_a acknowledged
    event = services.event_intake(
        actor=world.user("dispatcher"),
        district=world.district,
        source=EventSource.HOTLINE,
        description="仁和路口有流动摊贩占道经营",
        lon=POINT_IN_A[0],
        lat=POINT_IN_A[1],
    ).event
    event = services.event_dispatch(
        actor=world.user("dispatcher"), event=event, officers=[officer_of(world, "officer_a"), colleague.officer]
    )
    assert step_post(client_as("officer_a"), event, "acknowledge").status_code == 302

    # When the colleague's acknowledgement, kept in their phone's outbox, arrives, and officer_a arrives
    late = step_post(as_colleague(), event, "acknowledge")
    assert step_post(client_as("officer_a"), event, "arrive").status_code == 302

    # Then the outbox counts the acknowledgement sent, and the colleague is offered the arrival for their own
    # arrival (with the report, as officer_a); officer_a is offered the report only
    assert (late.status_code, late["Location"]) == (302, f"/m/events/{event.pk}/")
    assert buttons(as_colleague(), event) == ["arrive", "handle"]
    assert buttons(client_as("officer_a"), event) == ["handle"]

    # And when the colleague arrives there at 10:03
    with time_machine.travel(T0 + dt.timedelta(minutes=3), tick=False):
        assert step_post(as_colleague(), event, "arrive").status_code == 302

    # Then their arrival and position are recorded (no transition of their own), and the arrival is no
    # longer offered
    mine = EventAssignment.objects.get(event=event, officer=colleague.officer)
    assert (
        mine.arrived_at
        == OfficerPosition.objects.get(officer=colleague.officer).recorded_at
        == T0 + dt.timedelta(minutes=3)
    )
    assert list(EventTransition.objects.filter(event=event).values_list("action", "actor__username")) == [
        (EventAction.TRIAGE, None),
        (EventAction.DISPATCH, "dispatcher"),
        (EventAction.ACKNOWLEDGE, "officer_a"),
        (EventAction.ARRIVE, "officer_a"),
    ]
    assert buttons(as_colleague(), event) == ["handle"]
