"""预判布防 on the phone (issue 17 part 4, "pushed to officers' phones as a suggested post"): the officer's open
task list learns of a new standby plan through its live stream (``phone.TaskFeed``, zhifa/web/sse.py) and
replaces its post card without a reload (web/phone-live.js).

The stream reads the plans naming the officer that were stored or superseded since its cursor
(``standby_changes_for``) — after their commit, so a plan that rolled back reaches no phone — and sends one
``standby`` message: the card of the post that counts now (``standby_post_for``, the same read and the same
partial as the page's first render; none when the new plan has no post for the officer) and, for a new plan
that gives the officer a new or moved post, the notice the plan's service wrote for them (``standby_notice_text``);
a refresh that leaves the post as it was (a move-up of someone else) replaces the card silently."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from zhifa.events.models import StandbyPost
from zhifa.events.services.standby import standby_notice_text
from zhifa.events.standby_selectors import standby_changes_for, standby_post_for, standby_posts_kept
from zhifa.org.models import Officer


def standby_card(post: StandbyPost | None) -> str:
    """The post card of the task list (tasks.html#standby-card), empty when there is no post now."""
    return render_to_string("web/phone/tasks.html#standby-card", {"standby": post})


@dataclass(frozen=True)
class StandbyChange:
    at: dt.datetime
    message: dict[str, Any]


class StandbyWatch:
    """The officer's plans changed since a cursor; each change is sent once per connection."""

    def __init__(self, *, user: Any) -> None:
        self.officer_id = Officer.objects.filter(user_id=user.pk).values_list("pk", flat=True).first()
        self.sent: dict[int, dt.datetime] = {}

    def poll(self, *, since: dt.datetime) -> StandbyChange | None:
        if self.officer_id is None:
            return None
        changes = [
            c for c in standby_changes_for(officer_id=self.officer_id, since=since) if self.sent.get(c[0]) != c[1]
        ]
        for plan_id, at, _is_live in changes:
            self.sent[plan_id] = at
        self.sent = {pk: at for pk, at in self.sent.items() if at >= since}
        if not changes:
            return None
        now = timezone.now()
        notice = ""
        new_plans = [plan_id for plan_id, _at, is_live in changes if is_live]
        if new_plans:
            # The newest plan that gives the officer a post: what the notice written with it says — none when it
            # leaves the officer's post as it was (no notice was written then: ``standby_posts_kept``).
            post = (
                StandbyPost.objects.filter(plan_id__in=new_plans, officer_id=self.officer_id)
                .select_related("grid", "plan")
                .order_by("-plan__created_at", "-plan_id")
                .first()
            )
            if post is not None and (post.officer_id, post.grid_id) not in standby_posts_kept(post.plan):
                notice = standby_notice_text(
                    grid_name=post.grid.name, starts_at=post.plan.starts_at, ends_at=post.plan.ends_at, now=now
                )
        current = standby_post_for(officer_id=self.officer_id, at=now)
        message = {"html": standby_card(current), "has_post": current is not None, "notice": notice}
        return StandbyChange(at=max(at for _pk, at, _live in changes), message=message)
