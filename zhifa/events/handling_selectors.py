"""Reads of the rounds of handling (处置轮次, ``EventHandlingRound``): an event's rounds for its pages, the
redo reason the officer must see, and the officer's 已办 list. Beside ``selectors.py`` (the event reads),
kept apart so the phone's work has one module to read from."""

from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from zhifa.events.models import Event, EventHandlingRound
from zhifa.events.states import FIELD_STATES
from zhifa.org.jurisdiction import jurisdiction_of


def event_handling_rounds(*, event: Event) -> list[EventHandlingRound]:
    """Every round of ``event`` (already read in the caller's scope), first first, with its result type,
    officers and photos: the event page and the phone show them all."""
    rounds = EventHandlingRound.objects.filter(event_id=event.pk).select_related("result_type")
    return list(rounds.prefetch_related("officers", "photos").order_by("number"))


def event_redo_pending(*, event: Event, rounds: list[EventHandlingRound]) -> EventHandlingRound | None:
    """The round a 核查不通过 sent back, while the event is in the field for the next one: its reason is what
    the officer has to answer (shown on the task). None once the next round is handed in, or otherwise."""
    last = rounds[-1] if rounds else None
    if last is None or last.redone_at is None or event.status not in FIELD_STATES:
        return None
    return last


def officer_done_rounds(*, user: Any) -> QuerySet[EventHandlingRound]:
    """已办: the rounds of handling the user's officer record took part in (was assigned to when the report
    was handed in), the latest first; nothing for a user without one. Only their own: a colleague's rounds
    on other events are not theirs to list."""
    j = jurisdiction_of(user)
    officer = getattr(user, "officer", None)
    if officer is None:
        return EventHandlingRound.objects.none()
    return (
        EventHandlingRound.objects.filter(officers=officer, event__district_id=j.district_id)
        .select_related("event", "event__matter", "result_type")
        .order_by("-handled_at", "-pk")
    )


def with_redo_reason(events: QuerySet[Event]) -> QuerySet[Event]:
    """``redo_reason`` on each event: the reason its last round was sent back for (核查不通过), "" or None
    otherwise. For the phone's task cards, where an event in the field with a reason is a redo."""
    last = EventHandlingRound.objects.filter(event=OuterRef("pk")).order_by("-number").values("redo_reason")[:1]
    return events.annotate(redo_reason=Subquery(last))
