"""Every write to events (STYLE.md: services write, selectors read). Each state change goes through
``EVENT_WORKFLOW`` (``common.apply_transition``): row lock, transition row, audit entry, one transaction."""

from zhifa.events.services.contacts import event_reporter_phone_reveal
from zhifa.events.services.coordination import event_coordination_feedback, event_transfer
from zhifa.events.services.dispatch import (
    event_acknowledge,
    event_arrive,
    event_dispatch,
    event_handle,
    event_redispatch,
    event_return,
)
from zhifa.events.services.escalation import events_escalate_overdue
from zhifa.events.services.hotline import event_send_back
from zhifa.events.services.intake import IntakeResult, event_intake
from zhifa.events.services.notifications import notifications_mark_read
from zhifa.events.services.positions import officer_position_record
from zhifa.events.services.relocation import event_relocate
from zhifa.events.services.triage import (
    event_classify_override,
    event_correct_triage,
    event_merge,
    event_reject,
    event_triage,
)
from zhifa.events.services.verification import event_close, event_redo, event_verify

__all__ = [
    "IntakeResult",
    "event_acknowledge",
    "event_arrive",
    "event_classify_override",
    "event_close",
    "event_coordination_feedback",
    "event_correct_triage",
    "event_dispatch",
    "event_handle",
    "event_intake",
    "event_merge",
    "event_redispatch",
    "event_redo",
    "event_reject",
    "event_relocate",
    "event_reporter_phone_reveal",
    "event_return",
    "event_send_back",
    "event_transfer",
    "event_triage",
    "event_verify",
    "events_escalate_overdue",
    "notifications_mark_read",
    "officer_position_record",
]
