"""Event pages: the list, the detail with its timeline and clocks, the command actions, and the 12345
hotline intake. Each action is one POST calling one service; a domain error is shown in Chinese and
changes nothing (the service runs in one transaction)."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from zhifa.catalog.selectors import matter_get, matter_list
from zhifa.core.errors import DomainError, PermissionDenied, ValidationFailed
from zhifa.core.request_body import request_body_of
from zhifa.events import selectors, services
from zhifa.events.handling_selectors import event_handling_rounds
from zhifa.events.models import Event
from zhifa.events.permissions import can_command_events, covers_event_street
from zhifa.events.recommend import recommend_officers
from zhifa.events.services.contacts import can_reveal_reporter_phone
from zhifa.events.services.coordination import is_open_task_liaison, open_task
from zhifa.events.services.dispatch import officers_needed
from zhifa.events.services.verification import close_reply_draft
from zhifa.events.states import EVENT_WORKFLOW, CallbackResult, EventAction, EventSource
from zhifa.events.triage_selectors import can_correct_triage, candidates_of, kind_list, transfer_departments
from zhifa.org.jurisdiction import jurisdiction_of, require
from zhifa.org.selectors import officer_list, street_list
from zhifa.web import event_places
from zhifa.web.event_display import clock_states, coordination_due_at, running_deadline, silent_lead
from zhifa.web.event_forms import (
    ClassifyForm,
    CloseForm,
    DispatchForm,
    EventFilterForm,
    FeedbackForm,
    HotlineForm,
    MergeForm,
    ReasonForm,
    SendBackForm,
    TransferForm,
    TriageCorrectionForm,
)
from zhifa.web.pages import page_view, paginate, render_list

# Actions a command-centre user sees as buttons on an event, in this order.
COMMAND_ACTIONS = [
    EventAction.TRIAGE,
    EventAction.DISPATCH,
    EventAction.REDISPATCH,
    EventAction.TRANSFER,
    EventAction.MERGE,
    EventAction.VERIFY,
    EventAction.REDO,
    EventAction.CLOSE,
    EventAction.RETURN,
    EventAction.REJECT,
    EventAction.SEND_BACK,
]


def can_command(user: Any, event: Event) -> bool:
    """Whether the user sees the command buttons; the services check the same rule again."""
    j = jurisdiction_of(user)
    return can_command_events(j) and covers_event_street(j, event.street_id)


def command_actions(user: Any, event: Event) -> list[str]:
    """The command actions the workflow allows from the event's state, for a user who may command it."""
    if not can_command(user, event):
        return []
    allowed = set(EVENT_WORKFLOW.actions_from(event.status))
    # A step whose guard refuses this event (退回12345 for an event that is no hotline ticket) is not offered.
    return [
        a.value
        for a in COMMAND_ACTIONS
        if a in allowed and _guard_allows(EVENT_WORKFLOW.lookup(event.status, a), event, user)
    ]


def _guard_allows(transition: Any, event: Event, user: Any) -> bool:
    return transition.guard is None or transition.guard(event, user) is None


@page_view
def events(request: HttpRequest) -> HttpResponse:
    form = EventFilterForm(request.GET, streets=street_list(user=request.user))
    rows = selectors.event_list(user=request.user, **form.filters())
    return render_list(request, "web/event_list.html", {"form": form, "page": paginate(request, rows)})


@page_view
def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    event = selectors.event_get(user=request.user, event_id=event_id)
    return render(request, "web/event_detail.html", _detail_context(request, event))


def _detail_context(request: HttpRequest, event: Event, **extra: Any) -> dict[str, Any]:
    actions = command_actions(request.user, event)
    recommendations: list[Any] = []
    needed = officers_needed(event)
    # Offered for a first dispatch only: the one-click buttons send 派遣, which a dispatched event (or one sent
    # back to the field by 核查不通过) no longer allows; 改派 picks its crew in its own form.
    if EventAction.DISPATCH in actions:
        recommendations = recommend_officers(event=event, needed=needed)
    assignments = list(event.assignments.all())
    context = {
        "event": event,
        "clocks": clock_states(event),
        "deadline": running_deadline(event, coordination_due_at(event)),
        "transitions": list(event.transitions.all()),
        "assignments": assignments,
        # The 主办 silent while a partner has acknowledged: flagged on the 派遣人员 table.
        "silent_lead": silent_lead(assignments),
        "escalations": list(event.escalations.all()),
        # Each round of handling with the clocks it ran under (a redo restarts the event's own).
        "handling_rounds": [(r, clock_states(r)) for r in event_handling_rounds(event=event)],  # type: ignore[arg-type]
        "coordination_tasks": list(event.coordination_tasks.all()),
        "photos": list(event.photos.all()),
        "duplicates": list(event.duplicates.all()),
        "actions": actions,
        "recommendations": recommendations,
        "officers_needed": needed,
        "crews": _crews(recommendations, needed),
        "action_labels": dict(EventAction.choices),
        "departments": transfer_departments(user=request.user) if actions else [],
        "matters": list(matter_list(user=request.user)) if actions else [],
        # 研判: the model's candidates as the district names them; the kinds a correction may choose.
        "candidates": candidates_of(event, kinds := kind_list(user=request.user)),
        "kinds": kinds if can_correct_triage(request.user, event) else [],
        # The manual picker: the event's street first, then the rest of the district, each with its street.
        "officers": sorted(
            officer_list(user=request.user).filter(is_active=True),
            key=lambda o: (o.street_id != event.street_id, o.street_id is None, o.badge_no),
        )
        if recommendations or actions
        else [],
        "point": {"lon": event.lon, "lat": event.lat, "name": event.public_no},
        # The liaison of the department the event was transferred to gives the written feedback here.
        "can_give_feedback": is_open_task_liaison(jurisdiction_of(request.user), event),
        "open_action": "",
        "action_error": "",
        "typed": None,
        # The caller's number: masked here; those who may call get one audited look (contact_views).
        "can_reveal_phone": bool(event.reporter_phone) and can_reveal_reporter_phone(request.user, event),
        # Officers' work phones for everyone who sees the roster (every post but a business owner).
        "show_officer_phones": _sees_roster(request.user),
        "callbacks": list(event.callbacks.all()),
        "callback_choices": CallbackResult.choices,
        "close_reply_draft": close_reply_draft(event) if EventAction.CLOSE in actions else "",
    }
    context.update(event_places.place_context(request, event))
    context.update(extra)
    return context


def _sees_roster(user: Any) -> bool:
    j = jurisdiction_of(user)
    return j.is_district_wide or j.is_street_scoped or j.is_department_scoped


def _crews(recommendations: list[Any], needed: int) -> dict[int, list[int]]:
    """For each recommended officer, the crew "一键派遣" next to their name sends: that officer first, then the
    best-ranked others, exactly ``needed`` people (fewer only when fewer are recommended)."""
    crews = {}
    for r in recommendations:
        others = [o.officer_id for o in recommendations if o.officer_id != r.officer_id]
        crews[r.officer_id] = [r.officer_id, *others[: max(0, needed - 1)]]
    return crews


# --- actions ---------------------------------------------------------------------------------------------

Handler = Callable[[HttpRequest, Event], str]


def _bound(form: Any) -> Any:
    """A form's cleaned data, or a ValidationFailed with its first error (shown above the buttons)."""
    if form.is_valid():
        return form.cleaned_data
    first = next(iter(form.errors.values()))[0]
    raise ValidationFailed(first, code="form_invalid")


def _officers(request: HttpRequest, event: Event) -> list[Any]:
    form = DispatchForm(request.POST, officers=officer_list(user=request.user))
    ids = _bound(form)["officer_ids"]
    by_id = {o.pk: o for o in officer_list(user=request.user).filter(pk__in=ids)}
    return [by_id[i] for i in ids if i in by_id]


def _triage(request: HttpRequest, event: Event) -> str:
    services.event_triage(actor=request.user, event=event)
    return "已完成研判"


def _dispatch(request: HttpRequest, event: Event) -> str:
    officers = _officers(request, event)
    services.event_dispatch(
        actor=request.user, event=event, officers=officers, was_recommended=request.POST.get("was_recommended") == "1"
    )
    return "已派遣：" + "、".join(o.name for o in officers)


def _redispatch(request: HttpRequest, event: Event) -> str:
    officers = _officers(request, event)
    reason = _bound(ReasonForm(request.POST))["reason"]
    services.event_redispatch(actor=request.user, event=event, officers=officers, reason=reason)
    return "已改派：" + "、".join(o.name for o in officers)


def _transfer(request: HttpRequest, event: Event) -> str:
    departments = transfer_departments(user=request.user)
    data = _bound(TransferForm(request.POST, departments=departments))
    department = next(d for d in departments if d.pk == data["department_id"])
    services.event_transfer(actor=request.user, event=event, department=department, instructions=data["instructions"])
    return f"已转办至{department.name}"


def _merge(request: HttpRequest, event: Event) -> str:
    data = _bound(MergeForm(request.POST))
    into = selectors.event_get_by_public_no(user=request.user, public_no=data["into"].strip())
    services.event_merge(actor=request.user, event=event, into=into, reason=data["reason"])
    return f"已合并至{into.public_no}"


def _feedback(request: HttpRequest, event: Event) -> str:
    task = open_task(event)
    if task is None:
        raise ValidationFailed("该事件没有待反馈的协同任务", code="coordination_task_not_found")
    feedback = _bound(FeedbackForm(request.POST))["feedback"]
    services.event_coordination_feedback(actor=request.user, task=task, feedback=feedback)
    return "书面反馈已提交，已退回指挥中心核查结案"


def _close(request: HttpRequest, event: Event) -> str:
    data = _bound(CloseForm(request.POST))
    services.event_close(
        actor=request.user,
        event=event,
        comment=data["comment"],
        callback_result=data["callback_result"],
        callback_note=data["callback_note"],
        hotline_reply=data["hotline_reply"],
    )
    return "已结案"


def _send_back(request: HttpRequest, event: Event) -> str:
    data = _bound(SendBackForm(request.POST))
    services.event_send_back(
        actor=request.user, event=event, reason=data["reason"], hotline_reply=data["hotline_reply"]
    )
    return "已退回12345"


def _with_reason(service: Callable[..., Any], done: str) -> Handler:
    def handler(request: HttpRequest, event: Event) -> str:
        service(actor=request.user, event=event, reason=_bound(ReasonForm(request.POST))["reason"])
        return done

    return handler


def _plain(service: Callable[..., Any], done: str) -> Handler:
    def handler(request: HttpRequest, event: Event) -> str:
        service(actor=request.user, event=event)
        return done

    return handler


def _classify(request: HttpRequest, event: Event) -> str:
    data = _bound(ClassifyForm(request.POST, matters=matter_list(user=request.user)))
    matter = matter_get(user=request.user, matter_id=data["matter_id"])
    services.event_classify_override(actor=request.user, event=event, matter=matter)
    return f"已改为：{matter.name}"


def _correct_triage(request: HttpRequest, event: Event) -> str:
    kinds = kind_list(user=request.user)
    data = _bound(TriageCorrectionForm(request.POST, kinds=kinds))
    kind = next(k for k in kinds if k.pk == data["kind_id"])
    services.event_correct_triage(actor=request.user, event=event, kind=kind, urgent=data["urgent"])
    return f"已纠正为：{kind.name}（{kind.department.short_name}）{'，紧急' if data['urgent'] else ''}"


HANDLERS: dict[str, Handler] = {
    "triage": _triage,
    "dispatch": _dispatch,
    "redispatch": _redispatch,
    "transfer": _transfer,
    "merge": _merge,
    "return": _with_reason(services.event_return, "已退回"),
    "reject": _with_reason(services.event_reject, "已作不予受理"),
    "redo": _with_reason(services.event_redo, "核查不通过，已重新派遣"),
    "verify": _plain(services.event_verify, "核查通过"),
    "close": _close,
    "send_back": _send_back,
    "classify": _classify,
    "correct-triage": _correct_triage,
    "relocate": event_places.relocate,
    "feedback": _feedback,
}


@require_POST
@page_view
def event_action(request: HttpRequest, event_id: int, action: str) -> HttpResponse:
    handler = HANDLERS.get(action)
    if handler is None:
        raise Http404("没有这个操作")
    event = selectors.event_get(user=request.user, event_id=event_id)
    try:
        done = handler(request, event)
    except PermissionDenied:
        raise
    except DomainError as exc:
        if _next_url(request):
            messages.error(request, f"{event.public_no}：{exc.message}")
            return redirect(_next_url(request))
        context = _detail_context(
            request,
            selectors.event_get(user=request.user, event_id=event_id),
            open_action=action,
            action_error=exc.message,
            # What was typed, put back into the refused action's form (a refused 结案 kept nothing).
            typed=request.POST,
        )
        return render(request, "web/event_detail.html", context, status=exc.status)
    messages.success(request, f"{event.public_no}：{done}")
    return redirect(_next_url(request) or reverse("web:event-detail", args=[event.pk]))


def _next_url(request: HttpRequest) -> str:
    """Back to the page the action came from (the command centre), if it is one of ours."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


# --- 12345 hotline ---------------------------------------------------------------------------------------


@page_view
def hotline(request: HttpRequest) -> HttpResponse:
    """12345 热线受理 by an operator of the command centre or a street."""
    j = jurisdiction_of(request.user)
    require(can_command_events(j), "只有指挥中心或街道调度员可以受理热线", code="hotline_not_allowed")
    matters = list(matter_list(user=request.user))
    if request.method != "POST":
        return render(request, "web/hotline.html", {"form": HotlineForm(matters=matters)})
    form = HotlineForm(request.POST, request.FILES, matters=matters)
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = services.event_intake(
                actor=request.user,
                district=request.user.profile.district,  # type: ignore[union-attr]
                source=EventSource.HOTLINE,
                description=data["description"],
                lon=data["lon"],
                lat=data["lat"],
                address=data["address"],
                matter_code=data["matter_code"] or None,
                priority=data["priority"],
                reporter_name=data["reporter_name"],
                reporter_phone=data["reporter_phone"],
                request_body=request_body_of(request),
                photos=data["photos"],
                hotline_ticket_no=data["hotline_ticket_no"],
                called_at=data["called_at"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, f"已受理，事件编号 {result.event.public_no}")
            return HttpResponseRedirect(reverse("web:event-detail", args=[result.event.pk]))
    return render(request, "web/hotline.html", {"form": form}, status=422)
