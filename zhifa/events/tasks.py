"""Background entry points (Django Tasks API, run by ``db_worker``). Each calls one service and is idempotent."""

from django.tasks import task

from zhifa.core.request_context import Client, acting_as
from zhifa.events.services import events_escalate_overdue


@task()
def escalate_overdue_task() -> int:
    """Take every escalation step that is due; returns how many were taken (0 when run again)."""
    with acting_as(client=Client.SYSTEM):
        return len(events_escalate_overdue())
