"""The no-cover alert (无人值守预警, issue 14 part 5): a zone with nobody on duty for its street's next shift
is told to the street's dispatchers and the command centre, once per zone and shift.

The check and its record live in ``zhifa.org.rosters.roster_gaps_record`` (org may not import events); the
notices are written here, in the same transaction as the record, so a scan that fails tells nobody and the
next one tells them. The worker (``manage.py roster_watch``) calls ``roster_gaps_notify`` after extending the
rolling roster."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from zhifa.events.models import Notification
from zhifa.events.services.common import users_with_post
from zhifa.org.roles import Role
from zhifa.org.rosters import roster_gaps_record


def roster_gaps_notify(*, now: dt.datetime | None = None) -> int:
    """Record the zones found uncovered for the first time and notify; returns how many notices were written."""
    now = now or timezone.now()
    written = 0
    with transaction.atomic():
        for row, gap in roster_gaps_record(now=now):
            street = gap.zone.street
            start = timezone.localtime(gap.starts_at)
            end = timezone.localtime(gap.ends_at)
            message = (
                f"排班预警：{street.name}{gap.zone.name}{start:%m月%d日 %H:%M}–{end:%H:%M}（{gap.shift_name}）"
                "无人值守，请调整排班"
            )
            users = [
                *users_with_post(district_id=row.district_id, role=Role.STREET_DISPATCHER, street_id=street.pk),
                *users_with_post(district_id=row.district_id, role=Role.DISPATCHER),
            ]
            seen: set[int] = set()
            notices = []
            for user in users:
                if user.pk not in seen:
                    seen.add(user.pk)
                    notices.append(Notification(district_id=row.district_id, user=user, message=message[:300]))
            Notification.objects.bulk_create(notices)
            written += len(notices)
    return written
