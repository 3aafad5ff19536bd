"""The officer's phone (mobile web under /m/): task list, acknowledge, GPS arrival, handle (处置反馈) with
photos, patrol findings, and the position the page posts every ~30 s. Every write is one service call;
``zhifa.core.middleware`` marks requests under /m/ as coming from the phone for the audit chain."""

import datetime as dt
import functools
import json
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_POST

from zhifa.catalog.selectors import handling_options
from zhifa.core.errors import DomainError, ValidationFailed
from zhifa.core.request_body import request_body_of
from zhifa.events import selectors, services
from zhifa.events.handling_selectors import event_handling_rounds, event_redo_pending, officer_done_rounds
from zhifa.events.models import ArrivalException, Event, EventAssignment
from zhifa.events.services.contacts import can_reveal_reporter_phone
from zhifa.events.services.dispatch import offline_max_age
from zhifa.events.services.receipts import task_receipt_record
from zhifa.events.standby_selectors import standby_post_for
from zhifa.events.states import EventPriority, EventSource, EventStatus
from zhifa.org.jurisdiction import jurisdiction_of, require
from zhifa.org.models import Officer
from zhifa.org.roles import Role
from zhifa.web.event_display import clock_states, coordination_due_at, running_deadline
from zhifa.web.event_forms import HandleForm, PatrolFindingForm, PointForm
from zhifa.web.pages import View, page_view
from zhifa.web.phone_standby import StandbyWatch
from zhifa.web.sse import sse_message, sse_response

# The people who work in the street with a phone.
FIELD_ROLES = frozenset({Role.OFFICER, Role.AUXILIARY})
# Names the signed-in user on every phone page: the service worker keeps a page for that user only (sw.js).
USER_HEADER = "X-Zhifa-User"
# The forms the phone keeps in its outbox when they cannot be sent (phone.js, sw.js).
QUEUED_FORMS = (
    "web:phone-acknowledge",
    "web:phone-arrive",
    "web:phone-handle",
    # The joint inspection's steps (zhifa/web/phone_inspection.py), each answered as taken when sent again.
    "web:phone-inspection-start",
    "web:phone-inspection-tick",
    "web:phone-inspection-finding",
    "web:phone-inspection-sign",
    "web:phone-inspection-party-sign",
    "web:phone-inspection-close",
)
# Deprecated addresses of two of them before issue 10's renames (…/check-in/ → …/arrive/, …/report/ →
# …/handle/), still answered for one release by the same views (urls.py): a phone's outbox may hold a step
# queued before the upgrade, and a page kept by the service worker may still post there. To be removed after it.
LEGACY_QUEUED_FORMS = ("web:phone-arrive-legacy", "web:phone-handle-legacy")


def _require_field_staff(user: Any) -> None:
    require(jurisdiction_of(user).role in FIELD_ROLES, "移动端供执法队员和辅助人员使用", code="phone_not_allowed")


def _officer(user: Any) -> Any | None:
    return getattr(user, "officer", None)


def phone_page(view: View) -> View:
    """``page_view``, and the answer names the user it was made for (``USER_HEADER``): a phone shared by a
    shift keeps each page for that officer only, and drops the pages of the previous one when the server
    answers for someone else (sw.js)."""
    checked = page_view(view)

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = checked(request, *args, **kwargs)
        if request.user.is_authenticated:
            response[USER_HEADER] = str(request.user.pk)
        return response

    return wrapped


@phone_page
def tasks(request: HttpRequest) -> HttpResponse:
    _require_field_staff(request.user)
    rows = [(e, running_deadline(e, coordination_due_at(e))) for e in selectors.officer_tasks(user=request.user)]
    officer = _officer(request.user)
    context = {"rows": rows, "officer": officer, "cursor": timezone.now().isoformat()}
    # 预判布防 (issue 17 part 4): the officer's standby post of the shift; a new plan replaces it live (TaskFeed).
    context["standby"] = standby_post_for(officer_id=officer.pk, at=timezone.now()) if officer else None
    return render(request, "web/phone/tasks.html", context)


# --- the live task list (issue 16): new tasks reach the open page at once ------------------------------------

# Re-read this far back on every poll: a dispatch that stamped updated_at before another change but committed
# after our last poll would otherwise be missed. Messages already sent are not sent twice.
LOOKBACK = dt.timedelta(seconds=5)


def task_message(event: Event, *, is_task: bool) -> dict[str, Any]:
    """What the phone's stream sends for one of the officer's events: whether it is on the list now, its card
    as server-rendered HTML (the same partial the page renders first, escaped there) and what the alert says."""
    deadline = running_deadline(event) if is_task else None
    title = event.matter.name if event.matter is not None else "待分类事件"
    return {
        "id": event.pk,
        "public_no": event.public_no,
        "is_task": is_task,
        "is_new": is_task and event.status == EventStatus.DISPATCHED,
        "is_urgent": event.priority == EventPriority.URGENT,
        "title": title,
        "text": event.description[:60],
        "status_label": str(event.get_status_display()),
        "url": reverse("web:phone-task", args=[event.pk]),
        "html": render_to_string("web/phone/tasks.html#task-card", {"event": event, "deadline": deadline})
        if is_task
        else "",
    }


class TaskFeed:
    """The officer's tasks changed since the client's cursor, as SSE messages; the cursor only moves forward."""

    def __init__(self, *, user: Any, since: dt.datetime) -> None:
        self.user = user
        self.cursor = since
        self.sent: dict[int, dt.datetime] = {}
        # 预判布防 (issue 17 part 4): a new standby plan naming the officer, on the same stream and cursor.
        self.standby = StandbyWatch(user=user)

    def poll(self) -> list[str]:
        out = []
        for event in selectors.officer_tasks_changed_since(user=self.user, since=self.cursor - LOOKBACK):
            if self.sent.get(event.pk) == event.updated_at:
                continue
            self.sent[event.pk] = event.updated_at
            self.cursor = max(self.cursor, event.updated_at)
            message = task_message(event, is_task=bool(event.is_task))  # type: ignore[attr-defined]
            out.append(sse_message(message, event="task", id=self.cursor.isoformat()))
        standby = self.standby.poll(since=self.cursor - LOOKBACK)
        if standby is not None:
            self.cursor = max(self.cursor, standby.at)
            out.append(sse_message(standby.message, event="standby", id=self.cursor.isoformat()))
        horizon = self.cursor - LOOKBACK
        self.sent = {pk: at for pk, at in self.sent.items() if at >= horizon}
        return out


def _since(request: HttpRequest) -> dt.datetime:
    """Where the client left off: Last-Event-ID on a reconnect, else the page's render time, else now."""
    for raw in (request.headers.get("Last-Event-ID", ""), request.GET.get("since", "")):
        parsed = parse_datetime(raw) if raw else None
        if parsed is not None and timezone.is_aware(parsed):
            return parsed
    return timezone.now()


@page_view
def task_stream(request: HttpRequest) -> StreamingHttpResponse:
    """The phone's live channel: each of the officer's tasks that changed, as it changes (zhifa/web/sse.py).
    Not a ``phone_page``: the service worker lets it through to the network (sw.js) and keeps nothing of it."""
    _require_field_staff(request.user)
    # Load the profile now: the async stream must not touch the lazy user from the event loop.
    jurisdiction_of(request.user)
    return sse_response(request, TaskFeed(user=request.user, since=_since(request)), what="phone task stream")


@require_POST
@page_view
def task_receipt(request: HttpRequest) -> JsonResponse:
    """送达 / 查看: the open page says which tasks it holds (``event``, repeated) and whether it was in front of
    the officer (``seen=1``); kept once per assignment (``services.task_receipt_record``)."""
    _require_field_staff(request.user)
    raw = request.POST.getlist("event")
    if not raw or not all(v.isdigit() and len(v) <= 12 for v in raw):
        return JsonResponse({"code": "receipt_invalid", "message": "任务编号无效"}, status=400)
    try:
        result = task_receipt_record(
            actor=request.user, event_ids=[int(v) for v in raw], is_seen=request.POST.get("seen") == "1"
        )
    except DomainError as exc:
        return JsonResponse(exc.as_dict(), status=exc.status)
    return JsonResponse({"delivered": result.delivered, "seen": result.seen})


@phone_page
def task(request: HttpRequest, event_id: int) -> HttpResponse:
    _require_field_staff(request.user)
    event = selectors.event_get(user=request.user, event_id=event_id)
    return render(request, "web/phone/task.html", _task_context(request, event))


def _task_context(request: HttpRequest, event: Event, **extra: Any) -> dict[str, Any]:
    mine = _own_assignment(request.user, event)
    options = handling_options(district_id=event.district_id, matter_id=event.matter_id)
    rounds = event_handling_rounds(event=event)
    context: dict[str, Any] = {
        "event": event,
        "clocks": clock_states(event),
        "deadline": running_deadline(event, coordination_due_at(event)),
        # Once a colleague acknowledged, the other officer goes straight to arriving: nothing to accept.
        "can_acknowledge": event.status == EventStatus.DISPATCHED,
        # On site by the colleague's arrival, the other officer still records their own arrival.
        "can_arrive": event.status == EventStatus.ACKNOWLEDGED
        or (event.status == EventStatus.ARRIVED and mine is not None and mine.arrived_at is None),
        "can_handle": event.status == EventStatus.ARRIVED,
        "handle_form": HandleForm(result_types=options.result_types),
        "phrases": options.phrases,
        # Whom the officer works the task with (同组队员), with a number to call where the roster has one.
        "partners": _partners(request.user, event),
        # The caller's whole number, one audited look away, for the officer sent to them (services.contacts).
        "can_reveal_phone": bool(event.reporter_phone) and can_reveal_reporter_phone(request.user, event),
        "rounds": rounds,
        # Why the command centre sent the last round back (核查不通过): what this round has to answer.
        "redo_round": event_redo_pending(event=event, rounds=rounds),
        "officer": _officer(request.user),
        "error": "",
        "distance_m": None,
    }
    context.update(extra)
    return context


def _partners(user: Any, event: Event) -> list[Officer]:
    """The other officers sent to ``event`` with the user (active assignments, the lead first), from the rows
    ``selectors.event_get`` prefetched."""
    others = [a for a in event.assignments.all() if a.released_at is None and a.officer.user_id != user.pk]
    return [a.officer for a in sorted(others, key=lambda a: (not a.is_lead, a.assigned_at, a.pk))]


def _own_assignment(user: Any, event: Event) -> EventAssignment | None:
    """The user's active assignment on ``event``, from the rows ``selectors.event_get`` prefetched."""
    mine = [a for a in event.assignments.all() if a.released_at is None and a.officer.user_id == user.pk]
    return min(mine, key=lambda a: (a.assigned_at, a.pk), default=None)


def _refused(request: HttpRequest, event_id: int, exc: DomainError, **extra: Any) -> HttpResponse:
    event = selectors.event_get(user=request.user, event_id=event_id)
    details = exc.details if isinstance(exc.details, dict) else {}
    context = _task_context(request, event, error=exc.message, distance_m=details.get("distance_m"), **extra)
    return render(request, "web/phone/task.html", context, status=exc.status)


@require_POST
@phone_page
def acknowledge(request: HttpRequest, event_id: int) -> HttpResponse:
    _require_field_staff(request.user)
    event = selectors.event_get(user=request.user, event_id=event_id)
    try:
        # A copy sent again after the first arrived is answered as arrived by the service.
        services.event_acknowledge(actor=request.user, event=event, acted_at=_acted_at(request.POST))
    except DomainError as exc:
        return _refused(request, event_id, exc)
    messages.success(request, "已响应，请尽快到场")
    return redirect("web:phone-task", event_id=event.pk)


@require_POST
@phone_page
def arrive(request: HttpRequest, event_id: int) -> HttpResponse:
    _require_field_staff(request.user)
    event = selectors.event_get(user=request.user, event_id=event_id)
    form = PointForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationFailed("未获取到定位，请允许使用位置信息后重试", code="position_missing")
        point = form.cleaned_data
        # 超距到场: the form offered after a refusal for distance sends a reason and a photo of the site.
        reason = request.POST.get("exception_reason", "")
        services.event_arrive(
            actor=request.user,
            event=event,
            lon=point["lon"],
            lat=point["lat"],
            accuracy_m=point["accuracy"],
            acted_at=_acted_at(request.POST),
            exception_reason=reason,
            photo=request.FILES.get("photo"),
        )
    except DomainError as exc:
        offer = exc.code in ARRIVE_EXCEPTION_CODES
        typed = request.POST.get("exception_reason", "")
        return _refused(request, event_id, exc, arrive_exception=offer, exception_reason=typed)
    officer_user = request.user.pk or 0  # signed in here (the page requires it); 0 matches no officer
    if reason.strip() and ArrivalException.objects.filter(event_id=event.pk, officer__user_id=officer_user).exists():
        messages.success(request, "已到场签到（超距到场，已提示调度员）")
        return redirect("web:phone-task", event_id=event.pk)
    messages.success(request, "已到场签到")
    return redirect("web:phone-task", event_id=event.pk)


# The refusals after which the page offers 超距到场 (a reason and a photo) instead of only "go closer".
ARRIVE_EXCEPTION_CODES = frozenset(
    {
        "arrive_too_far",
        "arrive_exception_photo_required",
        "arrive_exception_reason_too_long",
        "photo_too_large",
        "photo_type_unsupported",
        "photo_unreadable",
    }
)


@require_POST
@phone_page
def handle(request: HttpRequest, event_id: int) -> HttpResponse:
    _require_field_staff(request.user)
    event = selectors.event_get(user=request.user, event_id=event_id)
    options = handling_options(district_id=event.district_id, matter_id=event.matter_id)
    form = HandleForm(request.POST, request.FILES, result_types=options.result_types)
    if form.is_valid():
        try:
            # A copy sent again after the first arrived is answered as arrived by the service.
            services.event_handle(
                actor=request.user,
                event=event,
                outcome=form.cleaned_data["outcome"],
                photos=form.cleaned_data["photos"],
                acted_at=_acted_at(request.POST),
                result_type=form.cleaned_data["result_type"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, "处置情况已反馈")
            return redirect("web:phone-tasks")
    context = _task_context(request, event, handle_form=form)
    if not context["can_handle"]:
        # The form is not on the page once the event has left the site (a report sent late from the outbox):
        # its errors go to the page's error box, where the officer (and the outbox) read them.
        context["error"] = "；".join(str(message) for errors in form.errors.values() for message in errors)
    return render(request, "web/phone/task.html", context, status=422)


DONE_PAGE_SIZE = 20


@phone_page
def done(request: HttpRequest) -> HttpResponse:
    """已办: the rounds of handling the officer took part in, the latest first, 20 a page."""
    _require_field_staff(request.user)
    page = Paginator(officer_done_rounds(user=request.user), DONE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/phone/done.html", {"page": page, "officer": _officer(request.user)})


@phone_page
def finding(request: HttpRequest) -> HttpResponse:
    """巡查发现: a new event where the officer stands (source "patrol")."""
    _require_field_staff(request.user)
    if request.method != "POST":
        return render(request, "web/phone/finding.html", {"form": PatrolFindingForm()})
    form = PatrolFindingForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = services.event_intake(
                actor=request.user,
                district=request.user.profile.district,  # type: ignore[union-attr]
                source=EventSource.PATROL,
                description=data["description"],
                lon=data["lon"],
                lat=data["lat"],
                address=data["address"],
                reporter_name=request.user.profile.display_name,  # type: ignore[union-attr]
                reporter_user=request.user,
                # A finding queued while offline is sent again until it arrives: the key the phone made
                # when it was recorded makes the retries one event.
                idempotency_key=request.POST.get("client_key", "")[:100],
                reported_at=_finding_time(request.POST),
                request_body=request_body_of(request),
                photos=data["photos"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, f"已上报巡查发现，事件编号 {result.event.public_no}")
            return redirect("web:phone-tasks")
    return render(request, "web/phone/finding.html", {"form": form}, status=422)


def _acted_at(post: Any) -> dt.datetime | None:
    """When the officer did what the phone sends late (its outbox), on the server's clock; None when sent at once.

    The phone keeps the moment the form was submitted (``observed_at``, phone.js) and adds the moment it
    sends the item (``sent_at``); both are read on the phone's clock, so how far that clock is off cancels
    out of the wait between them, and the wait is counted back from the server's own clock. A form posted
    straight away has no ``sent_at``: it counts from its arrival. Whether the result is plausible is the
    service's to judge (``services.event_acknowledge``, ``event_arrive``, ``event_handle``), so that its
    refusal reason is audited."""
    observed, sent = post.get("observed_at", ""), post.get("sent_at", "")
    # Milliseconds since 1970 have 13 digits; more would not fit a datetime once subtracted.
    if not (observed.isdigit() and sent.isdigit()) or max(len(observed), len(sent)) > 13:
        return None
    return timezone.now() - dt.timedelta(milliseconds=int(sent) - int(observed))


def _finding_time(post: Any) -> dt.datetime | None:
    """When a finding sent late was made; ignored unless within ``ZHIFA_OFFLINE_MAX_AGE_S`` and not ahead."""
    at = _acted_at(post)
    now = timezone.now()
    return at if at is not None and now - offline_max_age() <= at <= now else None


@require_POST
@page_view
def position(request: HttpRequest) -> JsonResponse:
    """The phone's periodic position; the service keeps one every 15 s / 20 m at most."""
    _require_field_staff(request.user)
    officer = _officer(request.user)
    form = PointForm(request.POST)
    if officer is None or not form.is_valid():
        return JsonResponse({"recorded": False}, status=400 if officer is not None else 200)
    point = form.cleaned_data
    recorded = services.officer_position_record(
        actor=request.user, officer=officer, lon=point["lon"], lat=point["lat"], accuracy_m=point["accuracy"]
    )
    return JsonResponse({"recorded": recorded is not None})


def service_worker(request: HttpRequest) -> HttpResponse:
    """Served from /m/ (not /static/) so that its scope covers the phone's pages. The offline page is built
    into the script, rendered without the request: the worker has it from its install on, and it names
    nobody."""
    shell = [reverse("web:phone-tasks"), reverse("web:phone-finding")]
    # An event's form with the event number as 0: the worker matches a form's address with its number so.
    queued = [reverse(name, args=[0]) for name in (*QUEUED_FORMS, *LEGACY_QUEUED_FORMS)] + [
        reverse("web:phone-finding")
    ]
    context = {
        "shell_json": json.dumps(shell),
        "queued_json": json.dumps(queued),
        "login_json": json.dumps(reverse("web:login")),
        "user_header_json": json.dumps(USER_HEADER),
        "offline_json": json.dumps(render_to_string("web/phone/offline.html")),
    }
    response = render(request, "web/phone/sw.js", context)
    response["Content-Type"] = "application/javascript; charset=utf-8"
    response["Service-Worker-Allowed"] = "/m/"
    response["Cache-Control"] = "no-cache"
    return response
