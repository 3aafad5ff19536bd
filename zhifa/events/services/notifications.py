"""Reading one's notifications. Marking them read changes nothing a case depends on, so it is not audited
(the notification rows themselves are the record of who was told what, and when)."""

from django.utils import timezone

from zhifa.core.actors import Actor, actor_user
from zhifa.events.models import Notification


def notifications_mark_read(*, actor: Actor, notification_ids: list[int] | None = None) -> int:
    """Mark the actor's own unread notifications read (all of them, or the given ids); returns how many."""
    qs = Notification.objects.filter(user=actor_user(actor), read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())
