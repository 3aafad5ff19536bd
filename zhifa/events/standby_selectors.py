"""Reads of the standby posts (建议点位, ``StandbyPlan``/``StandbyPost``): an officer's post now (the phone, the
recommender), the live posts of an area (the command centre's map, the deployment page)."""

import datetime as dt

from django.db.models import OuterRef, Prefetch, Q, QuerySet

from zhifa.events.models import StandbyPlan, StandbyPost


def standby_posts_at(at: dt.datetime) -> QuerySet[StandbyPost]:
    """The posts of live plans (not superseded) whose shift covers ``at``."""
    return StandbyPost.objects.filter(plan__superseded_at__isnull=True, plan__starts_at__lte=at, plan__ends_at__gt=at)


def standby_post_latest(officer: OuterRef | int, at: dt.datetime) -> QuerySet[StandbyPost]:
    """An officer's posts at ``at``, the newest plan first (a district plan and a street plan may overlap:
    the one set last counts)."""
    return standby_posts_at(at).filter(officer_id=officer).order_by("-plan__created_at", "-plan_id")


def standby_post_for(*, officer_id: int, at: dt.datetime) -> StandbyPost | None:
    return standby_post_latest(officer_id, at).select_related("grid", "plan").first()


def standby_map_posts(*, district_id: int, street_ids: list[int] | None, at: dt.datetime) -> list[dict[str, object]]:
    """The live posts of the district (or of ``street_ids``) at ``at``, one per officer (the newest plan's),
    as plain values for the map: officer, grid, point, the shift."""
    rows = standby_posts_at(at).filter(plan__district_id=district_id)
    if street_ids is not None:
        rows = rows.filter(officer__street_id__in=street_ids)
    out: dict[int, dict[str, object]] = {}
    for post in rows.select_related("officer", "grid", "plan").order_by("-plan__created_at", "-plan_id", "pk"):
        out.setdefault(
            post.officer_id,
            {
                "officer": post.officer.name,
                "officer_id": post.officer_id,
                "grid": post.grid.name,
                "lon": post.lon,
                "lat": post.lat,
                "from": post.plan.starts_at.isoformat(),
                "to": post.plan.ends_at.isoformat(),
            },
        )
    return [out[k] for k in sorted(out)]


def standby_plans_recent(*, district_id: int, street_ids: list[int] | None, limit: int = 20) -> QuerySet[StandbyPlan]:
    plans = StandbyPlan.objects.filter(district_id=district_id)
    if street_ids is not None:
        plans = plans.filter(street_id__in=street_ids)
    return plans.select_related("street", "created_by").order_by("-created_at", "-pk")[:limit]


def standby_changes_for(*, officer_id: int, since: dt.datetime) -> list[tuple[int, dt.datetime, bool]]:
    """The plans naming the officer that were stored or superseded at or after ``since`` (the phone's live
    stream): (plan id, when it changed, whether it is a new plan still live), oldest change first."""
    rows = (
        StandbyPlan.objects.filter(posts__officer_id=officer_id)
        .filter(Q(created_at__gte=since) | Q(superseded_at__gte=since))
        .values_list("pk", "created_at", "superseded_at")
        .distinct()
    )
    out = [(pk, superseded or created, superseded is None) for pk, created, superseded in rows]
    return sorted(out, key=lambda r: (r[1], r[0]))


def standby_posts_kept(plan: StandbyPlan) -> set[tuple[int, int]]:
    """(officer, grid) of the posts ``plan`` leaves as they were: those of the plans it superseded — the same
    area and shift, superseded the moment it was stored (``standby_plan_publish`` stamps both with one time).
    An officer whose post is kept is not told again, by a notice or on the phone (a move-up, 补位, that moves
    one officer tells that officer only)."""
    superseded = StandbyPlan.objects.filter(
        district_id=plan.district_id,
        starts_at=plan.starts_at,
        ends_at=plan.ends_at,
        superseded_at=plan.created_at,
    )
    if plan.street_id is None:
        superseded = superseded.filter(street__isnull=True)
    else:
        superseded = superseded.filter(street_id=plan.street_id)
    return set(StandbyPost.objects.filter(plan__in=superseded).values_list("officer_id", "grid_id"))


def standby_plans_visible(
    *, district_id: int, street_ids: list[int] | None, street_id: int | None = None, live_at: dt.datetime | None = None
) -> QuerySet[StandbyPlan]:
    """The plans a reader may see, newest first, with their posts: the district's (``street_ids`` None) or
    those of ``street_ids`` only; narrowed to one street, and to the plans live at ``live_at`` (not superseded,
    the shift not over) when given."""
    plans = StandbyPlan.objects.filter(district_id=district_id)
    if street_ids is not None:
        plans = plans.filter(street_id__in=street_ids)
    if street_id is not None:
        plans = plans.filter(street_id=street_id)
    if live_at is not None:
        plans = plans.filter(superseded_at__isnull=True, ends_at__gt=live_at)
    return (
        plans.select_related("street", "created_by")
        .prefetch_related(
            Prefetch("posts", queryset=StandbyPost.objects.select_related("officer", "grid").order_by("officer_id"))
        )
        .order_by("-created_at", "-pk")
    )


def standby_plans_live_at(at: dt.datetime) -> QuerySet[StandbyPlan]:
    """Every plan live at ``at`` (not superseded, its shift running), in id order: what the move-up
    (``manage.py standby_rebalance``) looks at."""
    return StandbyPlan.objects.filter(superseded_at__isnull=True, starts_at__lte=at, ends_at__gt=at).order_by("pk")
