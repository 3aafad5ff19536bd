"""Page views: parse the request, call selectors, render. Scoping to the user's jurisdiction lives in the
selectors; nothing here queries a model."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from zhifa.analytics.scope import analytics_scope
from zhifa.analytics.selectors import headline
from zhifa.cases.selectors import legal_review_queue, party_open_cases
from zhifa.catalog.models import Domain, PenaltyKind, SubjectCategory
from zhifa.catalog.selectors import matter_get, matter_list
from zhifa.core.identifiers import mask_id_number
from zhifa.events.permissions import can_command_events
from zhifa.events.selectors import (
    QueueClock,
    QueueFilters,
    event_list,
    event_overview,
    event_queue,
    event_queue_rows,
    notification_list,
    officer_tasks,
)
from zhifa.events.states import EventStatus
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.org.people import can_edit_officers
from zhifa.org.roles import Role
from zhifa.org.selectors import department_list, officer_get, officer_list, sinking_share, street_list, zone_list
from zhifa.subjects.selectors import subject_get, subject_list, subject_matters
from zhifa.web import geojson
from zhifa.web.forms import LoginForm, MatterFilterForm, OfficerFilterForm, SubjectFilterForm
from zhifa.web.pages import page_view, paginate, render_list


class LoginView(auth_views.LoginView):
    """Sign-in. Officers and auxiliary staff work from a phone: without an explicit ``next`` they land on
    the phone's task list (/m/), not on the desktop home page."""

    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        profile = getattr(self.request.user, "profile", None)
        if profile is not None and profile.role in (Role.OFFICER, Role.AUXILIARY):
            return reverse("web:phone-tasks")
        return super().get_default_redirect_url()


# Who sees the district's (or street's) figures on the home page, after their own to-do list: the desk roles
# that run the district or a street. A liaison, a legal reviewer or a business owner has no use for staffing
# figures, and a business must never read "执法人员 0名" as a statement about itself (issue 16).
FIGURE_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.DISPATCHER, Role.STREET_DISPATCHER})
COMMAND_ROLES = frozenset({Role.DISPATCHER, Role.STREET_DISPATCHER})
FIELD_ROLES = frozenset({Role.OFFICER, Role.AUXILIARY})
# Rows shown per to-do list; the count says how many there are, the link opens the whole list.
HOME_ROWS = 10


@dataclass(frozen=True)
class TodoList:
    """One of the user's to-do lists on the home page: its rows (events, cases or notices), how many there are
    in all, and where the whole list is; a case row links to the page ``case_url`` names."""

    key: str
    title: str
    hint: str
    empty: str
    rows: list[Any] = field(default_factory=list)
    total: int = 0
    link: str = ""
    link_label: str = ""
    kind: str = "events"  # "events", "cases" or "notices"
    case_url: str = ""


def _events(key: str, title: str, hint: str, empty: str, rows: Any, **extra: Any) -> TodoList:
    """A list of events (a scoped selector's rows, already ordered), the first ``HOME_ROWS`` shown."""
    return TodoList(key, title, hint, empty, rows=list(rows[:HOME_ROWS]), total=rows.count(), **extra)


def _cases(key: str, title: str, hint: str, empty: str, rows: Any, **extra: Any) -> TodoList:
    """A list of cases (a scoped selector's rows, already ordered, each with its ``next_due_on``)."""
    rows = rows.select_related("matter")
    return TodoList(key, title, hint, empty, rows=list(rows[:HOME_ROWS]), total=rows.count(), kind="cases", **extra)


def _todo_lists(user: Any, role: str) -> list[TodoList]:
    """The user's own to-do lists, first thing on the home page — each read by the scoped selectors, so a
    street dispatcher's lists hold their street's events only, a liaison's their department's, and so on."""
    now = timezone.now()
    if role in COMMAND_ROLES or role == Role.ADMIN:
        # Not dispatched yet: triaged, or sent back by the field; the oldest first (event_queue's order).
        waiting = event_queue(user=user, filters=QueueFilters(clock=QueueClock.WAITING), now=now).filter(
            status__in=[EventStatus.TRIAGED, EventStatus.RETURNED]
        )
        overdue = event_queue(user=user, filters=QueueFilters(clock=QueueClock.OVERDUE), now=now)
        due_soon = event_queue(user=user, filters=QueueFilters(clock=QueueClock.DUE_SOON), now=now)
        command = reverse("web:command")
        return [
            _events(
                "waiting",
                "待派遣",
                "已研判或被退回、尚未派遣的事件",
                "没有待派遣的事件",
                waiting,
                link=command,
                link_label="到指挥中心派遣",
            ),
            _events(
                "overdue",
                "已超时",
                "时限已过仍未完成的环节",
                "没有超时的事件",
                overdue,
                link=f"{command}?clock=overdue",
            ),
            _events(
                "due_soon",
                "即将超时",
                "十分钟内到期的时限",
                "十分钟内没有到期的时限",
                due_soon,
                link=f"{command}?clock=due_soon",
            ),
        ]
    if role in FIELD_ROLES:
        return [
            _events(
                "tasks",
                "我的任务",
                "派遣给我、尚未办结的任务",
                "暂无待办任务",
                officer_tasks(user=user),
                link=reverse("web:phone-tasks"),
                link_label="打开执法终端",
            )
        ]
    if role == Role.LIAISON:
        transferred = event_queue_rows(user=user, filters=QueueFilters(status=EventStatus.TRANSFERRED), now=now)
        return [
            _events(
                "coordination",
                "协同任务",
                "转办到本部门、待书面反馈的事件",
                "本部门暂无待办的协同任务",
                transferred,
                link=reverse("web:event-list"),
                link_label="全部事件",
            )
        ]
    if role == Role.LEGAL_REVIEWER:
        # The same queue as the review page (cases.selectors.legal_review_queue), the decision deadline first.
        return [
            _cases(
                "review",
                "法制审核",
                "提请法制审核的案件，及听证后待审核的案件；作出处罚决定期限最近的在前",
                "暂无待法制审核的案件",
                legal_review_queue(user),
                link=reverse("web:case-review-queue"),
                link_label="打开审核队列",
                case_url="web:case-detail",
            )
        ]
    if role == Role.LEADER:
        return [_analytics_card(user)]
    if role == Role.BUSINESS_OWNER:
        notices = notification_list(user=user)
        return [
            # Its cases first: a statement, a hearing request or a fine has a last day (the party's own page).
            _cases(
                "cases",
                "我的案件",
                "本单位作为当事人、尚未办结的案件；陈述申辩、申请听证、缴纳罚款期限最近的在前",
                "暂无在办案件",
                party_open_cases(user, today=timezone.localdate()),
                link=reverse("web:party-cases"),
                link_label="全部案件",
                case_url="web:party-case",
            ),
            _events(
                "reports",
                "我的上报",
                "本账号上报的事件及其办理状态",
                "本账号尚未上报事件",
                event_list(user=user),
                link=reverse("web:event-list"),
                link_label="全部上报",
            ),
            TodoList(
                "notices",
                "我的通知",
                "平台发给本账号的通知",
                "暂无通知",
                rows=list(notices[:HOME_ROWS]),
                total=notices.count(),
                link=reverse("web:notifications"),
                link_label="全部通知",
                kind="notices",
            ),
        ]
    return []


def _analytics_card(user: Any) -> TodoList:
    """The leader's card (issue 17): this month's events and 1530 rates, linking to the leaders' view."""
    figures = headline(analytics_scope(user=user))

    def pct(rate: float | None) -> str:
        return "—" if rate is None else f"{rate * 100:.1f}%"

    rates = figures["rates"]
    summary = (
        f"本月事件 {figures['total']} 件；响应达标率 {pct(rates['acknowledge'])}，到场达标率 {pct(rates['arrive'])}，"
        f"处置达标率 {pct(rates['handle'])}；超时升级 {figures['escalated']} 件"
    )
    return TodoList(
        "analytics",
        "领导驾驶舱",
        summary,
        "",
        total=figures["total"],
        link=reverse("web:analytics"),
        link_label="打开领导驾驶舱",
        kind="analytics",
    )


@page_view
def home(request: HttpRequest) -> HttpResponse:
    """Each user's own to-do list first (by role, issue 16); the figures after it, for the roles that run
    the district or a street."""
    scope = jurisdiction_of(request.user)
    context: dict[str, Any] = {
        "todo_lists": _todo_lists(request.user, scope.role),
        "shows_figures": scope.role in FIGURE_ROLES,
        "is_field": scope.role in FIELD_ROLES,
        "is_business": scope.role == Role.BUSINESS_OWNER,
        "today": timezone.localdate(),
    }
    if context["shows_figures"]:
        context.update(
            subject_count=subject_list(user=request.user).count(),
            matter_count=matter_list(user=request.user).count(),
            officer_count=officer_list(user=request.user).count(),
            sinking_share=sinking_share(district_id=scope.district_id),
            # The events at a glance (issue 16): what a leader opens the home page for.
            overview=event_overview(user=request.user),
            # The overdue figure links to the queue filtered to it, for those who may open the queue.
            can_command=can_command_events(scope),
        )
    return render(request, "web/home.html", context)


@page_view
def subjects(request: HttpRequest) -> HttpResponse:
    form = SubjectFilterForm(request.GET, streets=street_list(user=request.user))
    rows = subject_list(user=request.user, **form.filters())
    return render_list(request, "web/subject_list.html", {"form": form, "page": paginate(request, rows)})


@page_view
def subject_detail(request: HttpRequest, subject_id: int) -> HttpResponse:
    subject = subject_get(user=request.user, subject_id=subject_id)
    context = {
        "subject": subject,
        "id_number_masked": mask_id_number(subject.id_number) if subject.id_number else "",
        "licences": list(subject.licences.all()),
        "matters": subject_matters(subject=subject),
        "point": {"lon": subject.lon, "lat": subject.lat, "name": subject.name},
        "today": timezone.localdate(),
    }
    return render(request, "web/subject_detail.html", context)


@page_view
def matters(request: HttpRequest) -> HttpResponse:
    form = MatterFilterForm(request.GET, departments=department_list(user=request.user))
    rows = matter_list(user=request.user, **form.filters())
    context = {"form": form, "page": paginate(request, rows), "domains": dict(Domain.choices)}
    return render_list(request, "web/matter_list.html", context)


@page_view
def matter_detail(request: HttpRequest, matter_id: int) -> HttpResponse:
    matter = matter_get(user=request.user, matter_id=matter_id)
    context = {
        "matter": matter,
        "levels": list(matter.discretion_levels.all()),
        "checklist": list(matter.checklist.all()),
        "penalty_kinds": _penalty_kind_labels(matter.penalty_kinds),
        "subject_categories": _category_labels(matter.subject_categories),
    }
    return render(request, "web/matter_detail.html", context)


@page_view
def officers(request: HttpRequest) -> HttpResponse:
    form = OfficerFilterForm(
        request.GET, streets=street_list(user=request.user), departments=department_list(user=request.user)
    )
    rows = officer_list(user=request.user, **form.filters())
    context = {"form": form, "page": paginate(request, rows), "today": timezone.localdate()}
    return render_list(request, "web/officer_list.html", context)


@page_view
def officer_detail(request: HttpRequest, officer_id: int) -> HttpResponse:
    officer = officer_get(user=request.user, officer_id=officer_id)
    today = timezone.localdate()
    context = {
        "officer": officer,
        "is_certificate_expired": officer.certificate_valid_until < today,
        # A certificate that lapses within 90 days needs renewal training booked now.
        "is_certificate_expiring": today <= officer.certificate_valid_until < today + dt.timedelta(days=90),
        # The catalogue's names, in its order (the record keeps Domain values: zhifa.catalog.certificates).
        "certified_domains": [label for value, label in Domain.choices if value in officer.certified_domains],
        "can_edit": can_edit_officers(request.user),
    }
    return render(request, "web/officer_detail.html", context)


@page_view
def map_page(request: HttpRequest) -> HttpResponse:
    focus = None
    raw = request.GET.get("subject", "")
    if raw.isdigit():
        subject = subject_get(user=request.user, subject_id=int(raw))
        focus = geojson.subject_feature(subject)
    context = {
        "focus": focus,
        "legend": [
            (label, geojson.CATEGORY_COLOURS.get(value, geojson.DEFAULT_COLOUR))
            for value, label in SubjectCategory.choices
        ],
    }
    return render(request, "web/map.html", context)


@page_view
def map_layers(request: HttpRequest) -> JsonResponse:
    """District outline, streets and zones the user may see, as three FeatureCollections."""
    district = request.user.profile.district  # type: ignore[union-attr]
    streets = list(street_list(user=request.user))
    zones = list(zone_list(user=request.user))
    return JsonResponse(
        {
            "district": geojson.collection(
                [
                    geojson.boundary_feature(
                        district.boundary, name=district.name, is_approximate=district.is_approximate
                    )
                ]
            ),
            "streets": geojson.collection(
                geojson.boundary_feature(s.boundary, id=s.pk, name=s.name, is_approximate=s.is_approximate)
                for s in streets
            ),
            "zones": geojson.collection(
                geojson.boundary_feature(z.boundary, id=z.pk, name=z.name, street=z.street.name) for z in zones
            ),
        }
    )


@page_view
def map_subjects(request: HttpRequest) -> JsonResponse:
    """Subjects in the user's scope: all of them up to ``ALL_SUBJECTS_LIMIT``, beyond that those in ``bbox``.
    ``is_complete`` tells the map whether it must ask again when the view moves."""
    rows = subject_list(user=request.user)
    is_complete = rows.count() <= geojson.ALL_SUBJECTS_LIMIT
    bbox = geojson.parse_bbox(request.GET.get("bbox"))
    if not is_complete and bbox is not None:
        west, south, east, north = bbox
        # Narrows the selector's already-scoped rows; never widens them.
        rows = rows.filter(lon__gte=west, lon__lte=east, lat__gte=south, lat__lte=north)
    features = [geojson.subject_feature(s) for s in rows[: geojson.ALL_SUBJECTS_LIMIT]]
    return JsonResponse(geojson.collection(features, is_complete=is_complete))


def _penalty_kind_labels(values: list[str]) -> list[str]:
    labels = dict(PenaltyKind.choices)
    return [labels.get(v, v) for v in values]


def _category_labels(values: list[str]) -> list[str]:
    labels = dict(SubjectCategory.choices)
    return [labels.get(v, v) for v in values]
