"""Each workflow step through its service: what it writes, who may NOT act, and that a refusal changes nothing."""

import datetime as dt
from typing import Any

import pytest
import time_machine

from zhifa.catalog.models import Domain
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.core.errors import Conflict, DomainError, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from zhifa.core.models import AuditEntry
from zhifa.events import services
from zhifa.events.models import (
    ClassificationFeedback,
    CoordinationTask,
    Event,
    EventAssignment,
    EventTransition,
    Notification,
    OfficerPosition,
)
from zhifa.events.states import ClassifiedBy, EventRoute, EventStatus, TimeBase
from zhifa.events.tests.conftest import officer_of, on_duty, report, walk_to
from zhifa.org.roles import Role
from zhifa.org.tests.factories import DepartmentFactory, OfficerFactory, ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in Shanghai


def footprint(event: Event) -> tuple[Any, ...]:
    """Everything a refused call must leave as it was."""
    fresh = Event.objects.get(pk=event.pk)
    return (
        fresh.status,
        fresh.updated_at,
        fresh.matter_id,
        EventTransition.objects.count(),
        EventAssignment.objects.count(),
        AuditEntry.objects.count(),
        Notification.objects.count(),
        CoordinationTask.objects.count(),
        OfficerPosition.objects.count(),
        ClassificationFeedback.objects.count(),
    )


def street_dispatcher(world: Any, street: Any, username: str = "street_dispatcher") -> Any:
    user = UserFactory(username=username)
    ProfileFactory(user=user, district=world.district, role=Role.STREET_DISPATCHER, street=street)
    return user


@time_machine.travel(T0, tick=False)
def test_dispatch_assigns_the_officers_starts_the_clocks_and_notifies(world: Any) -> None:
    event = walk_to(world, "triaged")
    helper = OfficerFactory(district=world.district, home_department=world.enforcement_dept, street=world.street_a)

    dispatched = services.event_dispatch(
        actor=world.user("dispatcher"), event=event, officers=[officer_of(world, "officer_a"), helper]
    )

    assert dispatched.status == EventStatus.DISPATCHED
    assert dispatched.time_base == TimeBase.AROUND_THE_CLOCK
    assert (dispatched.acknowledge_due_at, dispatched.arrive_due_at, dispatched.handle_due_at) == (
        T0 + dt.timedelta(minutes=1),
        T0 + dt.timedelta(minutes=5),
        T0 + dt.timedelta(minutes=30),
    )
    assert list(EventAssignment.objects.filter(event=event).values_list("officer__name", "is_lead")) == [
        ("甲队员", True),
        (helper.name, False),
    ]
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["officer_a"]


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("auxiliary_a", "permission_denied"),
        ("officer_a", "permission_denied"),
        ("leader", "permission_denied"),
        ("legal_reviewer", "permission_denied"),
        # The event is not in their scope at all (not transferred to the liaison, not reported by the owner).
        ("liaison", "event_not_found"),
        ("business_owner", "event_not_found"),
    ],
)
def test_only_the_command_centre_may_dispatch(world: Any, persona: str, code: str) -> None:
    event = walk_to(world, "triaged")
    before = footprint(event)

    with pytest.raises(DomainError) as refused:
        services.event_dispatch(actor=world.user(persona), event=event, officers=[officer_of(world, "officer_a")])

    assert refused.value.code == code
    assert footprint(event) == before


def test_a_street_dispatcher_commands_only_their_own_street(world: Any) -> None:
    event = walk_to(world, "triaged")
    before = footprint(event)

    with pytest.raises(NotFound) as refused:
        services.event_dispatch(
            actor=street_dispatcher(world, world.street_b), event=event, officers=[officer_of(world, "officer_a")]
        )
    own = services.event_dispatch(
        actor=street_dispatcher(world, world.street_a, "sd_a"), event=event, officers=[officer_of(world, "officer_a")]
    )

    # Another street's event is "not found", as a missing one: the street dispatcher must not learn it exists.
    assert refused.value.code == "event_not_found"
    assert before[0] == EventStatus.TRIAGED
    assert own.status == EventStatus.DISPATCHED


def test_a_two_officer_matter_needs_two_officers(world: Any) -> None:
    matter = MatterFactory(department=world.enforcement_dept, requires_two_officers=True)
    event = walk_to(world, "triaged", matter_code=matter.code)
    before = footprint(event)

    with pytest.raises(ValidationFailed) as refused:
        services.event_dispatch(actor=world.user("dispatcher"), event=event, officers=[officer_of(world, "officer_a")])

    assert (refused.value.code, refused.value.details) == ("officers_insufficient", {"needed": 2, "given": 1})
    assert footprint(event) == before


@pytest.mark.parametrize(("rostered", "assigned"), [(("officer_a", "colleague"), 2), (("officer_a",), 0)])
def test_auto_dispatch_sends_two_officers_to_a_two_officer_matter_or_nobody(
    world: Any, vending_matter: Any, colleague: Any, settings: Any, rostered: tuple[str, ...], assigned: int
) -> None:
    # APL 42: a matter that needs two certified officers is never handed to one, even by the system.
    settings.ZHIFA_AUTO_DISPATCH = True
    vending_matter.requires_two_officers = True
    vending_matter.save(update_fields=["requires_two_officers"])
    officers = {"officer_a": officer_of(world, "officer_a"), "colleague": colleague}
    for name in rostered:
        on_duty(officers[name], domains=[Domain.CITY_APPEARANCE])

    event = report(world)

    assert event.matter_id == vending_matter.pk
    assert event.status == (EventStatus.DISPATCHED if assigned else EventStatus.TRIAGED)
    assert EventAssignment.objects.filter(event=event).count() == assigned


def test_auto_dispatch_sends_one_officer_to_a_one_officer_matter(
    world: Any, vending_matter: Any, colleague: Any, settings: Any
) -> None:
    settings.ZHIFA_AUTO_DISPATCH = True
    for officer in (officer_of(world, "officer_a"), colleague):
        on_duty(officer, domains=[Domain.CITY_APPEARANCE])

    event = report(world)

    assert (event.matter_id, event.status) == (vending_matter.pk, EventStatus.DISPATCHED)
    assert EventAssignment.objects.filter(event=event).count() == 1


def test_an_inactive_officer_cannot_be_dispatched(world: Any) -> None:
    event = walk_to(world, "triaged")
    idle = OfficerFactory(district=world.district, home_department=world.enforcement_dept, is_active=False)

    with pytest.raises(ValidationFailed) as refused:
        services.event_dispatch(actor=world.user("dispatcher"), event=event, officers=[idle])

    assert refused.value.code == "officer_unavailable"


@pytest.mark.parametrize("step", ["acknowledge", "arrive", "handle"])
def test_only_an_assigned_officer_may_take_the_field_steps(world: Any, step: str) -> None:
    state = {"acknowledge": "dispatched", "arrive": "acknowledged", "handle": "arrived"}[step]
    event = walk_to(world, state)
    before = footprint(event)
    calls = {
        "acknowledge": lambda actor: services.event_acknowledge(actor=actor, event=event),
        "arrive": lambda actor: services.event_arrive(actor=actor, event=event, lon=event.lon, lat=event.lat),
        "handle": lambda actor: services.event_handle(actor=actor, event=event, outcome="已处理"),
    }

    codes = {}
    for persona in ["officer_b", "auxiliary_a", "dispatcher"]:
        with pytest.raises(DomainError) as refused:
            calls[step](world.user(persona))
        codes[persona] = refused.value.code
    # Street B's officer does not see street A's event: "not found", as for a missing one.
    assert codes == {"officer_b": "event_not_found", "auxiliary_a": "not_assigned", "dispatcher": "not_assigned"}
    assert footprint(event) == before


@time_machine.travel(T0, tick=False)
def test_acknowledge_and_arrival_record_their_times_and_the_position(world: Any) -> None:
    event = walk_to(world, "dispatched")
    officer = world.user("officer_a")

    acknowledged = services.event_acknowledge(actor=officer, event=event)
    arrived = services.event_arrive(
        actor=officer, event=acknowledged, lon=event.lon + 0.001, lat=event.lat, accuracy_m=8
    )

    assert (acknowledged.acknowledged_at, arrived.arrived_at, arrived.status) == (T0, T0, EventStatus.ARRIVED)
    assert list(OfficerPosition.objects.values_list("lon", "lat", "accuracy_m")) == [(event.lon + 0.001, event.lat, 8)]


def test_arrival_far_from_the_event_is_refused_with_the_distance(world: Any) -> None:
    event = walk_to(world, "acknowledged")
    before = footprint(event)

    with pytest.raises(ValidationFailed) as refused:
        services.event_arrive(actor=world.user("officer_a"), event=event, lon=event.lon + 0.005, lat=event.lat)

    assert refused.value.code == "arrive_too_far"
    assert refused.value.details == {"distance_m": 480, "max_m": 300}
    assert refused.value.message == "您距离事件地点约480米，超过300米，请到达现场后再签到"
    assert footprint(event) == before


def test_report_needs_an_outcome_and_releases_the_officers(world: Any) -> None:
    event = walk_to(world, "arrived")
    before = footprint(event)

    with pytest.raises(ValidationFailed) as refused:
        services.event_handle(actor=world.user("officer_a"), event=event, outcome="  ")
    assert refused.value.code == "outcome_required"
    assert footprint(event) == before

    handled = services.event_handle(actor=world.user("officer_a"), event=event, outcome="已劝离")
    assert (handled.status, handled.outcome) == (EventStatus.HANDLED, "已劝离")
    assert EventAssignment.objects.filter(event=event, released_at__isnull=True).count() == 0


@pytest.mark.parametrize("persona", ["auxiliary_a", "officer_a", "liaison", "leader"])
@pytest.mark.parametrize("step", ["verify", "close", "reject", "merge", "transfer", "redo"])
def test_deciding_steps_are_refused_to_everyone_but_the_command_centre(world: Any, persona: str, step: str) -> None:
    state = {"verify": "handled", "close": "verified", "redo": "handled"}.get(step, "triaged")
    event = walk_to(world, state)
    other = report(world, description="另一事件")
    before = footprint(event)
    actor = world.user(persona)
    calls = {
        "verify": lambda: services.event_verify(actor=actor, event=event),
        "close": lambda: services.event_close(actor=actor, event=event),
        "reject": lambda: services.event_reject(actor=actor, event=event, reason="无"),
        "merge": lambda: services.event_merge(actor=actor, event=event, into=other, reason="重复"),
        "transfer": lambda: services.event_transfer(
            actor=actor, event=event, department=world.market_dept, instructions="请处理"
        ),
        "redo": lambda: services.event_redo(actor=actor, event=event, reason="不合格"),
    }

    # The liaison does not see an event that was not transferred to their department: "not found".
    with pytest.raises(NotFound if persona == "liaison" else PermissionDenied):
        calls[step]()

    assert footprint(event) == before


@pytest.mark.parametrize(
    ("state", "call"),
    [
        ("dispatched", lambda w, e: services.event_return(actor=w.user("officer_a"), event=e, reason=" ")),
        ("triaged", lambda w, e: services.event_reject(actor=w.user("dispatcher"), event=e, reason="")),
        ("handled", lambda w, e: services.event_redo(actor=w.user("dispatcher"), event=e, reason="")),
    ],
)
def test_return_reject_and_redo_require_a_reason(world: Any, state: str, call: Any) -> None:
    event = walk_to(world, state)
    before = footprint(event)

    with pytest.raises(ValidationFailed) as refused:
        call(world, event)

    assert refused.value.code == "reason_required"
    assert footprint(event) == before


def test_a_step_the_table_does_not_allow_is_refused(world: Any) -> None:
    event = walk_to(world, "triaged")
    before = footprint(event)

    with pytest.raises(InvalidTransition) as refused:
        services.event_close(actor=world.user("dispatcher"), event=event)

    assert refused.value.details["state"] == "triaged"
    assert footprint(event) == before


def test_the_dispatcher_may_return_a_dispatched_event(world: Any) -> None:
    event = walk_to(world, "dispatched")

    returned = services.event_return(actor=world.user("dispatcher"), event=event, reason="人员调整")

    assert returned.status == EventStatus.RETURNED
    assert EventAssignment.objects.filter(event=event, released_at__isnull=True).count() == 0


@time_machine.travel(T0, tick=False)
def test_transfer_opens_a_coordination_task_with_a_working_days_deadline(world: Any) -> None:
    event = walk_to(world, "triaged")

    task = services.event_transfer(
        actor=world.user("dispatcher"), event=event, department=world.market_dept, instructions="无证经营，请核处"
    )

    assert Event.objects.get(pk=event.pk).status == EventStatus.TRANSFERRED
    assert (task.department_id, task.instructions) == (world.market_dept.pk, "无证经营，请核处")
    assert task.due_at == dt.datetime(2026, 6, 4, 2, 0, tzinfo=dt.UTC)  # Thursday 10:00, 3 working days
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["liaison"]


def test_transfer_only_to_a_coordinating_department(world: Any) -> None:
    event = walk_to(world, "triaged")
    before = footprint(event)

    with pytest.raises(ValidationFailed) as refused:
        services.event_transfer(
            actor=world.user("dispatcher"), event=event, department=world.enforcement_dept, instructions="请处理"
        )

    assert refused.value.code == "department_not_coordinating"
    assert footprint(event) == before


def test_coordination_feedback_only_from_the_departments_liaison(world: Any) -> None:
    event = walk_to(world, "transferred")
    task = CoordinationTask.objects.get(event=event)
    other_liaison = UserFactory(username="other_liaison")
    ProfileFactory(
        user=other_liaison,
        district=world.district,
        role=Role.LIAISON,
        department=DepartmentFactory(district=world.district, is_coordinating=True),
    )
    before = footprint(event)

    for actor in [world.user("officer_a"), world.user("dispatcher")]:
        with pytest.raises(PermissionDenied):
            services.event_coordination_feedback(actor=actor, task=task, feedback="已处理")
    # Another department's liaison does not see the event at all.
    with pytest.raises(NotFound):
        services.event_coordination_feedback(actor=other_liaison, task=task, feedback="已处理")
    with pytest.raises(ValidationFailed) as empty:
        services.event_coordination_feedback(actor=world.user("liaison"), task=task, feedback="")
    assert empty.value.code == "feedback_required"
    assert footprint(event) == before

    handled = services.event_coordination_feedback(actor=world.user("liaison"), task=task, feedback="已责令整改")
    task.refresh_from_db()
    assert (handled.status, handled.outcome, task.feedback) == (EventStatus.HANDLED, "已责令整改", "已责令整改")
    assert list(Notification.objects.filter(event=event).order_by("pk").values_list("user__username", flat=True)) == [
        "liaison",
        "dispatcher",
    ]


def test_merge_needs_an_open_target(world: Any) -> None:
    closed = walk_to(world, "closed")
    event = walk_to(world, "triaged")
    before = footprint(event)

    with pytest.raises(Conflict) as refused:
        services.event_merge(actor=world.user("dispatcher"), event=event, into=closed, reason="重复")
    with pytest.raises(ValidationFailed) as into_self:
        services.event_merge(actor=world.user("dispatcher"), event=event, into=event, reason="重复")

    assert (refused.value.code, into_self.value.code) == ("merge_target_closed", "merge_into_self")
    assert footprint(event) == before


def test_closing_tells_the_reporters_of_merged_duplicates(world: Any) -> None:
    citizen = world.user("business_owner")
    primary = walk_to(world, "handled", reporter_user=citizen)
    duplicate = report(world, reporter_user=citizen, description="同一摊贩")
    services.event_merge(actor=world.user("dispatcher"), event=duplicate, into=primary, reason="重复上报")
    services.event_verify(actor=world.user("dispatcher"), event=primary)

    services.event_close(actor=world.user("dispatcher"), event=primary)

    notices = Notification.objects.filter(user=citizen).order_by("pk")
    assert [(n.event_id, n.message) for n in notices] == [
        (primary.pk, f"您反映的事件 {primary.public_no} 已办结：已劝离，恢复通行"),
        (duplicate.pk, f"您反映的事件 {duplicate.public_no} 已办结：已劝离，恢复通行"),
    ]


def test_redo_sends_the_event_back_to_the_same_officers_with_new_clocks(world: Any) -> None:
    event = walk_to(world, "handled")

    redone = services.event_redo(actor=world.user("dispatcher"), event=event, reason="现场仍有摊位")

    assert (redone.status, redone.acknowledged_at, redone.handled_at) == (EventStatus.DISPATCHED, None, None)
    assert list(
        EventAssignment.objects.filter(event=event, released_at__isnull=True).values_list("officer__name", flat=True)
    ) == ["甲队员"]


def test_classification_override_is_kept_as_training_signal_and_reroutes(world: Any, vending_matter: Any) -> None:
    world.market_dept.is_sinking = False
    world.market_dept.save()
    chosen = MatterFactory(department=world.market_dept)
    event = walk_to(world, "triaged")  # "…流动摊贩占道经营": the classifier guesses vending_matter
    guessed = vending_matter
    assert (event.matter_id, event.classified_by) == (guessed.pk, ClassifiedBy.AUTO)

    changed = services.event_classify_override(actor=world.user("dispatcher"), event=event, matter=chosen)

    assert (changed.matter_id, changed.classified_by, changed.route) == (
        chosen.pk,
        ClassifiedBy.OPERATOR,
        EventRoute.COORDINATION,
    )
    assert list(ClassificationFeedback.objects.values_list("predicted_matter_id", "chosen_matter_id")) == [
        (guessed.pk, chosen.pk)
    ]
    assert AuditEntry.objects.filter(action="event.classify").count() == 1


def test_classification_override_is_refused_to_an_auxiliary(world: Any) -> None:
    event = walk_to(world, "triaged")
    matter = MatterFactory(department=world.enforcement_dept)
    before = footprint(event)

    with pytest.raises(PermissionDenied):
        services.event_classify_override(actor=world.user("auxiliary_a"), event=event, matter=matter)

    assert footprint(event) == before


def test_positions_are_kept_when_far_or_not_recent(world: Any) -> None:
    officer = officer_of(world, "officer_a")
    actor = world.user("officer_a")
    with time_machine.travel(T0, tick=False):
        first = services.officer_position_record(actor=actor, officer=officer, lon=120.105, lat=30.305)
    with time_machine.travel(T0 + dt.timedelta(seconds=10), tick=False):
        soon_but_far = services.officer_position_record(actor=actor, officer=officer, lon=120.106, lat=30.305)
    with time_machine.travel(T0 + dt.timedelta(seconds=30), tick=False):
        later_same_place = services.officer_position_record(actor=actor, officer=officer, lon=120.106, lat=30.305)

    assert None not in (first, soon_but_far, later_same_place)
    assert OfficerPosition.objects.filter(officer=officer).count() == 3


def test_positions_close_and_recent_are_skipped(world: Any) -> None:
    officer = officer_of(world, "officer_a")
    actor = world.user("officer_a")
    with time_machine.travel(T0, tick=False):
        services.officer_position_record(actor=actor, officer=officer, lon=120.105, lat=30.305)
    with time_machine.travel(T0 + dt.timedelta(seconds=10), tick=False):
        skipped = services.officer_position_record(actor=actor, officer=officer, lon=120.10505, lat=30.305)

    assert skipped is None
    assert OfficerPosition.objects.filter(officer=officer).count() == 1


def test_an_officer_reports_only_their_own_position(world: Any) -> None:
    with pytest.raises(DomainError):
        services.officer_position_record(
            actor=world.user("officer_b"), officer=officer_of(world, "officer_a"), lon=120.105, lat=30.305
        )

    assert OfficerPosition.objects.count() == 0
