"""The caller's phone number, shown whole to those who must call them — and to nobody unseen.

Personal data leaves every list and detail masked (APL 48, ``zhifa.events.privacy``). The people who call
the caller back or meet them on site may see the number: the command centre (the street dispatcher for
their own street's events) and the officers assigned to the event while they work on it. Each look is one
tap ("显示号码"), and each writes an audit entry saying who saw which event's number and when — so that a
number that leaks can be traced to those who saw it. A refusal writes nothing.
"""

from zhifa.core.actors import Actor, is_system
from zhifa.core.audit import audit_record, audited_transaction
from zhifa.core.errors import NotFound, PermissionDenied
from zhifa.events.models import Event, EventAssignment
from zhifa.events.permissions import can_command_events, covers_event_street
from zhifa.events.services.common import actor_jurisdiction, require_in_scope

AUDIT_ACTION = "event.reporter_phone_reveal"


def can_reveal_reporter_phone(actor: Actor, event: Event) -> bool:
    """Who may see the whole number: the event's commanders, and its officers while assigned. Pages ask this
    to offer the button; ``event_reporter_phone_reveal`` asks it again before it answers."""
    if is_system(actor):
        return False
    j = actor_jurisdiction(actor, district_id=event.district_id)
    if j is None:
        return False
    if can_command_events(j) and covers_event_street(j, event.street_id):
        return True
    # By the event's id: pages and the API's intake reply pass what they hold (an event, or its stored form).
    return EventAssignment.objects.filter(
        event_id=event.pk, officer__user_id=j.user_id, released_at__isnull=True
    ).exists()


def event_reporter_phone_reveal(*, actor: Actor, event: Event) -> str:
    """The reporter's whole phone number, with the audit entry of this look. Outside the actor's scope the
    event is "not found" (as every write is, issue 9); in scope but not theirs to call, refused."""
    require_in_scope(actor, event)
    if not can_reveal_reporter_phone(actor, event):
        raise PermissionDenied(
            "只有指挥中心和被派遣到该事件的执法人员可以查看来电人号码", code="phone_reveal_not_allowed"
        )
    if not event.reporter_phone:
        raise NotFound("该事件没有留下联系电话", code="reporter_phone_missing", details={"id": event.pk})
    with audited_transaction():
        # The number itself stays out of the audit trail: the entry says that it was seen, not what it is.
        audit_record(actor=actor, action=AUDIT_ACTION, obj=event, after={"public_no": event.public_no})
    return event.reporter_phone
