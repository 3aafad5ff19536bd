"""退回12345: a 12345 ticket that is not this district's duty goes back to the hotline platform.

The platform re-routes it (another district, a department outside comprehensive enforcement), so the event
ends here (``SENT_BACK``, terminal) with the reason, which is required, and the reply the platform gets —
drafted from the reason unless the dispatcher wrote their own. Only a hotline ticket can go back (the
transition's guard), and only before anyone was sent to it or after it came back to the command centre
(reported, triaged, returned): an event in the field is the district's own by then.
"""

from zhifa.core.actors import Actor
from zhifa.core.audit import audited_transaction
from zhifa.events import hotline
from zhifa.events.models import Event
from zhifa.events.services.common import apply_transition, require_command
from zhifa.events.states import EventAction


def event_send_back(*, actor: Actor, event: Event, reason: str, hotline_reply: str | None = None) -> Event:
    require_command(actor, event, what="退回12345")
    reason = (reason or "").strip()
    reply = hotline.reply_clean(hotline_reply) if hotline_reply is not None else ""
    if not reply and reason:
        reply = hotline.reply_draft_sent_back(
            ticket_no=event.hotline_ticket_no,
            called_at=event.called_at,
            reported_at=event.reported_at,
            description=event.description,
            reason=reason,
        )
    with audited_transaction():
        # The table refuses a missing reason, a wrong state and an event that is no hotline ticket, before
        # anything is written.
        return apply_transition(
            event=event,
            action=EventAction.SEND_BACK,
            actor=actor,
            reason=reason,
            updates={"hotline_reply": reply},
        )
