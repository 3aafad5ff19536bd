"""Storing a shift's standby posts (预判布防方案). The posts are computed in ``zhifa.analytics.deployment`` (the
optimisation sits above the domain apps); they are kept here, in the events app, because dispatch reads them:
the recommender starts an officer without a fresh position from their post (docs/adr/0014).

Each officer given a post is told: a notice (``Notification``) written with the plan, and the officer's open
phone shows the new post at once — its live stream (zhifa/web/phone.py) reads the plans naming the officer
after the commit, so a plan that rolls back reaches nobody."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from zhifa.core.actors import Actor, actor_user, is_system
from zhifa.core.audit import audit_record
from zhifa.core.errors import PermissionDenied, ValidationFailed
from zhifa.events.clocks import LOCAL_TZ
from zhifa.events.models import Notification, StandbyPlan, StandbyPost
from zhifa.events.standby_selectors import standby_posts_kept
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.org.models import Grid, Officer
from zhifa.org.roles import Role

# Who deploys officers: the command centre for the district, a street's dispatcher for their street.
DISTRICT_DEPLOYERS = frozenset({Role.ADMIN, Role.DISPATCHER})
STREET_DEPLOYERS = frozenset({Role.STREET_DISPATCHER})
MAX_SHIFT = dt.timedelta(hours=24)


@dataclass(frozen=True)
class StandbyPostDraft:
    officer_id: int
    grid_id: int
    lon: float
    lat: float


def standby_notice_text(*, grid_name: str, starts_at: dt.datetime, ends_at: dt.datetime, now: dt.datetime) -> str:
    """What an officer is told of their post: ``建议待命点位：甲一网格（至 19:00）``; a shift that has not begun
    yet says when it begins (a plan may be set the evening before)."""
    start, end = starts_at.astimezone(LOCAL_TZ), ends_at.astimezone(LOCAL_TZ)
    if starts_at > now:
        return f"建议待命点位：{grid_name}（{start.month}月{start.day}日 {start:%H:%M}起，至 {end:%H:%M}）"
    return f"建议待命点位：{grid_name}（至 {end:%H:%M}）"


def standby_check_deployer(*, actor: Actor, district_id: int, street_id: int | None) -> None:
    """Refuse (``deployment_forbidden``, ``street_outside_scope``) whoever may not set posts for the area."""
    if is_system(actor):
        return
    j = jurisdiction_of(actor)
    if j.district_id != district_id or j.role not in DISTRICT_DEPLOYERS | STREET_DEPLOYERS:
        raise PermissionDenied("预判布防仅由指挥中心和街道调度员设置", code="deployment_forbidden")
    if j.role in STREET_DEPLOYERS and street_id != j.own_street_id:
        raise PermissionDenied("街道调度员只能为本街道布防", code="street_outside_scope")


def standby_plan_publish(
    *,
    actor: Actor,
    district_id: int,
    street_id: int | None,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    reach_s: int,
    expected_events: float,
    covered_events: float,
    posts: list[StandbyPostDraft],
    staffing: dict[str, Any] | None = None,
) -> StandbyPlan:
    """Store a shift's posts; a live plan of the same area and the same shift is superseded by it.

    Refused, writing nothing: ``deployment_forbidden`` / ``street_outside_scope`` (who), ``shift_reversed``,
    ``shift_too_long`` (the shift), ``officer_outside_area`` (an officer not of the area, or twice),
    ``grid_outside_area``."""
    standby_check_deployer(actor=actor, district_id=district_id, street_id=street_id)
    if ends_at <= starts_at:
        raise ValidationFailed("班次结束时间须晚于开始时间", code="shift_reversed", details={"field": "to"})
    if ends_at - starts_at > MAX_SHIFT:
        raise ValidationFailed("一个班次不能超过24小时", code="shift_too_long", details={"field": "to"})
    officer_ids = [p.officer_id for p in posts]
    officers = Officer.objects.filter(district_id=district_id, pk__in=officer_ids)
    grids = Grid.objects.filter(district_id=district_id, pk__in=[p.grid_id for p in posts])
    if street_id is not None:
        officers, grids = officers.filter(street_id=street_id), grids.filter(street_id=street_id)
    if len(set(officer_ids)) != len(officer_ids) or officers.count() != len(officer_ids):
        raise ValidationFailed("建议点位中有不属于本辖区或重复的执法人员", code="officer_outside_area")
    if grids.count() != len({p.grid_id for p in posts}):
        raise ValidationFailed("建议点位中有不属于本辖区的网格", code="grid_outside_area")
    now = timezone.now()
    with transaction.atomic():
        # Locked so that two refreshes of the same shift leave exactly one live plan.
        previous = list(
            StandbyPlan.objects.select_for_update()
            .filter(
                district_id=district_id,
                street__isnull=street_id is None,
                starts_at=starts_at,
                ends_at=ends_at,
                superseded_at__isnull=True,
            )
            .filter(**({} if street_id is None else {"street_id": street_id}))
            .order_by("pk")
        )
        for old in previous:
            old.superseded_at = now
            old.save(update_fields=["superseded_at"])
        plan = StandbyPlan.objects.create(
            district_id=district_id,
            street_id=street_id,
            starts_at=starts_at,
            ends_at=ends_at,
            reach_s=reach_s,
            expected_events=expected_events,
            covered_events=covered_events,
            staffing=staffing or {},
            created_by=actor_user(actor),
            created_at=now,
        )
        StandbyPost.objects.bulk_create(
            StandbyPost(plan=plan, officer_id=p.officer_id, grid_id=p.grid_id, lon=p.lon, lat=p.lat) for p in posts
        )
        kept = standby_posts_kept(plan)  # the posts of ``previous`` (superseded at ``now``, the plan's time)
        notified = _notify_posted(plan, [p for p in posts if (p.officer_id, p.grid_id) not in kept], now=now)
        audit_record(
            actor=actor,
            action="standby_plan.publish",
            obj=plan,
            after={
                "street_id": street_id,
                "starts_at": starts_at,
                "ends_at": ends_at,
                "reach_s": reach_s,
                "expected_events": round(expected_events, 3),
                "covered_events": round(covered_events, 3),
                "posts": [[p.officer_id, p.grid_id] for p in posts],
                "staffing": staffing or {},
                "supersedes": [old.pk for old in previous],
                "notified_users": notified,
            },
        )
    return plan


def _notify_posted(plan: StandbyPlan, posts: list[StandbyPostDraft], *, now: dt.datetime) -> list[int]:
    """A notice to each officer given a post (an officer without an account has no phone to tell), written in
    the plan's transaction like every notice (``services.common.notify``); returns the users told. Officers
    of a superseded plan who have no post in this one get no notice: their phone's post card goes away; nor do
    those whose post it leaves as it was (``posts`` holds only the new or moved ones: a move-up, 补位, that
    moves one free officer tells that officer only)."""
    grid_names = dict(Grid.objects.filter(pk__in={p.grid_id for p in posts}).values_list("pk", "name"))
    users = dict(
        Officer.objects.filter(pk__in=[p.officer_id for p in posts], user__isnull=False).values_list("pk", "user_id")
    )
    rows = [
        Notification(
            district_id=plan.district_id,
            user_id=users[p.officer_id],
            message=standby_notice_text(
                grid_name=grid_names[p.grid_id], starts_at=plan.starts_at, ends_at=plan.ends_at, now=now
            )[:300],
        )
        for p in sorted(posts, key=lambda p: p.officer_id)
        if p.officer_id in users
    ]
    Notification.objects.bulk_create(rows)
    return [row.user_id for row in rows]
