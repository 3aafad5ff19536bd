"""The staff's case pages (案件办理): the list, a lead entered by hand, the case file with its timeline and the
forms of the steps the case's state and the user's post allow, the legal reviewer's and the head's queues, what
is due, a document's PDF and the whole file as one PDF (案卷评查).

Each step is one POST calling one service of ``zhifa.cases.services`` with ``actor=request.user`` and the step's
legal date; a refusal is shown on the case page in Chinese with its code, the typed input kept, and nothing
written (the service runs in one transaction). Views never write to a model."""

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhifa.cases import discretion, selectors, services
from zhifa.cases.models import (
    Case,
    CaseDeadline,
    CaseStatus,
    CaseStep,
    Hearing,
    MeasureKind,
    Procedure,
    SubmissionKind,
)
from zhifa.cases.papers import owner_of
from zhifa.cases.permissions import (
    can_approve_cases,
    can_handle_cases,
    can_review_cases,
    can_see_cases,
    can_serve_documents,
    covers_case_street,
)
from zhifa.cases.services import approvals, publicity
from zhifa.cases.services.evidence import INVESTIGATION_STATES
from zhifa.cases.states import ACTION_LABELS, CASE_WORKFLOW, CaseAction
from zhifa.catalog.selectors import matter_list
from zhifa.core.errors import DomainError, NotFound, ValidationFailed
from zhifa.documents.models import Document
from zhifa.documents.render import pdf_render
from zhifa.documents.selectors import document_get, document_pdf_bytes, documents_for_owner
from zhifa.events import selectors as event_selectors
from zhifa.org.jurisdiction import Jurisdiction, jurisdiction_of, require
from zhifa.org.selectors import officer_list, street_list
from zhifa.web import case_forms as f
from zhifa.web.pages import page_view, paginate, render_list

A = CaseAction


def _require_case_staff(user: Any) -> Jurisdiction:
    """Case pages are for the agency's staff; a business owner reads its own cases in its self-service view."""
    j = jurisdiction_of(user)
    require(can_see_cases(j), "您的岗位无权查看案件", code="cases_not_allowed")
    return j


def _with_next_deadline(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Each case with its open deadlines, soonest first (``open_deadlines``): one query for a whole page."""
    open_deadlines = CaseDeadline.objects.filter(met_on__isnull=True).order_by("due_on", "pk")
    return cases.prefetch_related(Prefetch("deadlines", queryset=open_deadlines, to_attr="open_deadlines"))


# --- lists -----------------------------------------------------------------------------------------------


@page_view
def cases(request: HttpRequest) -> HttpResponse:
    _require_case_staff(request.user)
    form = f.CaseFilterForm(request.GET)
    rows = _with_next_deadline(selectors.case_list(request.user, **form.filters()))
    context = {
        "form": form,
        "page": paginate(request, rows),
        "today": timezone.localdate(),
        "can_register": can_handle_cases(jurisdiction_of(request.user)),
    }
    return render_list(request, "web/cases/case_list.html", context)


@page_view
def review_queue(request: HttpRequest) -> HttpResponse:
    """The legal reviewer's queue: cases submitted for review, and heard cases whose review after the hearing
    (APL 58 (3)) has not passed yet."""
    _require_case_staff(request.user)
    rows = list(selectors.legal_review_queue(request.user).select_related("matter", "handler"))
    return render(request, "web/cases/queue.html", {"title": "法制审核", "rows": rows, "today": timezone.localdate()})


@page_view
def approval_queue(request: HttpRequest) -> HttpResponse:
    _require_case_staff(request.user)
    rows = list(selectors.approval_queue(request.user).select_related("matter", "handler"))
    return render(request, "web/cases/queue.html", {"title": "待审批案件", "rows": rows, "today": timezone.localdate()})


@page_view
def deadlines(request: HttpRequest) -> HttpResponse:
    _require_case_staff(request.user)
    today = timezone.localdate()
    rows = selectors.deadlines_due(request.user, today=today).select_related("case__street", "case__co_handler")
    mine = request.GET.get("mine") == "1"
    if mine:
        # The handler's own list: the cases they handle or assist (per unit and agency: the scope itself).
        rows = rows.filter(Q(case__handler__user=request.user) | Q(case__co_handler__user=request.user))
    return render(request, "web/cases/deadlines.html", {"rows": list(rows), "today": today, "mine": mine})


# --- a lead entered by hand ------------------------------------------------------------------------------


@page_view
def case_new(request: HttpRequest) -> HttpResponse:
    j = _require_case_staff(request.user)
    require(can_handle_cases(j), "您的岗位无权登记案件线索", code="permission_denied")
    streets = list(street_list(user=request.user))
    matters = list(matter_list(user=request.user))
    if request.method != "POST":
        return render(request, "web/cases/case_new.html", {"form": f.LeadForm(streets=streets, matters=matters)})
    form = f.LeadForm(request.POST, streets=streets, matters=matters)
    if form.is_valid():
        data = form.cleaned_data
        try:
            case = services.create_lead(
                actor=request.user,
                street=next(s for s in streets if s.pk == data["street_id"]),
                source=data["source"],
                source_note=data["source_note"],
                facts=data["facts"],
                discovered_on=data["discovered_on"],
                violation_ended_on=data["violation_ended_on"],
                party=services.Party(
                    kind=data["party_kind"],
                    name=data["party_name"],
                    id_number=data["party_id_number"],
                    address=data["party_address"],
                    phone=data["party_phone"],
                    representative=data["party_representative"],
                ),
                matter=next((m for m in matters if m.pk == data["matter_id"]), None),
                address=data["address"],
                harms_safety=data["harms_safety"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
            return render(request, "web/cases/case_new.html", {"form": form, "error_code": exc.code}, status=exc.status)
        messages.success(request, f"已登记案件线索 {case.number}")
        return redirect("web:case-detail", case.pk)
    return render(request, "web/cases/case_new.html", {"form": form, "error_code": "form_invalid"}, status=422)


@require_POST
@page_view
def lead_from_event(request: HttpRequest, event_id: int) -> HttpResponse:
    """转为案件线索 from the event page: the event's matter, place, facts and photos (as evidence) in one step."""
    event = event_selectors.event_get(user=request.user, event_id=event_id)
    form = f.LeadFromEventForm(request.POST)
    back = reverse("web:event-detail", args=[event.pk])
    if not form.is_valid():
        messages.error(request, "转为案件线索未成功：请选择当事人类型")
        return redirect(back)
    data = form.cleaned_data
    try:
        case = services.lead_from_event(
            actor=request.user,
            event=event,
            party=services.Party(kind=data["party_kind"], name=data["party_name"], id_number=data["party_id_number"]),
        )
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, f"转为案件线索未成功：{exc.message}（{exc.code}）")
        return redirect(back)
    messages.success(request, f"已转为案件线索 {case.number}")
    return redirect("web:case-detail", case.pk)


# --- the case file ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    """A step or a document of the case, in the order they were entered."""

    kind: str  # "step" | "document"
    at: dt.datetime
    step: CaseStep | None = None
    document: Document | None = None


def case_file(case: Case) -> dict[str, Any]:
    """Everything the case file shows, each kind in one query (the page stays a fixed number of queries however
    long the timeline)."""
    steps = list(case.steps.all())
    documents = list(documents_for_owner(district_id=case.district_id, owner=owner_of(case), latest_only=False))
    timeline = sorted(
        [TimelineEntry("step", s.created_at, step=s) for s in steps]
        + [TimelineEntry("document", d.created_at, document=d) for d in documents],
        key=lambda e: (e.at, e.kind == "document"),
    )
    return {
        "timeline": timeline,
        "documents": documents,
        "deadlines": list(case.deadlines.all()),
        "evidence": list(case.evidence.select_related("event_photo")),
        "records": list(case.records.prefetch_related("officers")),
        "reviews": list(case.reviews.select_related("reviewer__profile")),
        "submissions": list(case.submissions.all()),
        "service_records": list(case.services.all()),
        "payments": list(case.payments.all()),
        "recusals": list(case.recusals.select_related("officer")),
        "hearing": Hearing.objects.filter(case=case).select_related("chair").first(),
        "measures": list(case.measures.select_related("deadline")),
    }


@dataclass(frozen=True)
class ActionSpec:
    form: type[f.StepForm]
    who: str  # "handle" | "serve" | "approve" | "review": the permission the service checks
    run: Callable[[Any, Case, Any], Any]
    needs_officers: bool = False
    # For the steps outside CASE_WORKFLOW (deadlines, recusal, consent): when the page offers them, given the
    # case and its open deadlines. None: the transition table decides.
    offered_when: Callable[[Case, list[CaseDeadline]], bool] | None = None


def _submission(kind: str) -> Callable[[Any, Case, Any], Any]:
    def run(user: Any, case: Case, form: Any) -> Any:
        d = form.cleaned_data
        return services.party_submission(
            case, actor=user, kind=kind, text=d["text"], received_on=d["legal_date"], online=False
        )

    return run


def _with_reason(service: Callable[..., Any]) -> Callable[[Any, Case, Any], Any]:
    def run(user: Any, case: Case, form: Any) -> Any:
        d = form.cleaned_data
        return service(case, actor=user, legal_date=d["legal_date"], reason=d["reason"])

    return run


def _plain(service: Callable[..., Any]) -> Callable[[Any, Case, Any], Any]:
    def run(user: Any, case: Case, form: Any) -> Any:
        return service(case, actor=user, legal_date=form.cleaned_data["legal_date"])

    return run


def _review(passed: bool) -> Callable[[Any, Case, Any], Any]:
    def run(user: Any, case: Case, form: Any) -> Any:
        d = form.cleaned_data
        return services.review(case, actor=user, legal_date=d["legal_date"], passed=passed, opinion=d["opinion"])

    return run


ACTIONS: dict[str, ActionSpec] = {
    A.SUBMIT_FILING: ActionSpec(
        f.SubmitFilingForm,
        "handle",
        lambda user, case, form: services.submit_filing(
            case,
            actor=user,
            legal_date=form.cleaned_data["legal_date"],
            handler=form.officer("handler_id"),
            co_handler=form.officer("co_handler_id"),
        ),
        needs_officers=True,
    ),
    A.APPROVE_FILING: ActionSpec(
        f.OpinionForm,
        "approve",
        lambda user, case, form: services.approve_filing(
            case, actor=user, legal_date=form.cleaned_data["legal_date"], opinion=form.cleaned_data["opinion"]
        ),
    ),
    A.RETURN_FILING: ActionSpec(f.ReasonForm, "approve", _with_reason(services.return_filing)),
    A.NOT_FILE: ActionSpec(f.ReasonForm, "approve", _with_reason(services.not_file)),
    A.RECORD_INVESTIGATION: ActionSpec(
        f.RecordForm,
        "handle",
        lambda user, case, form: services.record_investigation(
            case,
            actor=user,
            kind=form.cleaned_data["kind"],
            officers=[o for o in form.officers if o.pk in set(form.cleaned_data["officer_ids"])],
            legal_date=form.cleaned_data["legal_date"],
            place=form.cleaned_data["place"],
            content=form.cleaned_data["content"],
        ),
        needs_officers=True,
    ),
    A.CONCLUDE: ActionSpec(
        f.ConcludeForm,
        "handle",
        lambda user, case, form: services.conclude(
            case,
            actor=user,
            legal_date=form.cleaned_data["legal_date"],
            conclusion=form.cleaned_data["conclusion"],
            penalty=list(form.cleaned_data["penalty"]),
            fine=form.cleaned_data["fine"],
            is_complex=form.cleaned_data["is_complex"],
            needs_legal_review=form.cleaned_data["needs_legal_review"],
            discretion_reason=form.cleaned_data["discretion_reason"],
            education_note=form.cleaned_data["education_note"],
        ),
    ),
    A.WITHDRAW: ActionSpec(f.ReasonForm, "approve", _with_reason(services.withdraw)),
    A.TRANSFER: ActionSpec(f.ReasonForm, "approve", _with_reason(services.transfer)),
    A.DISCUSS: ActionSpec(
        f.MinutesForm,
        "approve",
        lambda user, case, form: services.record_discussion(
            case, actor=user, legal_date=form.cleaned_data["legal_date"], minutes=form.cleaned_data["minutes"]
        ),
    ),
    A.SUBMIT_REVIEW: ActionSpec(f.StepForm, "handle", _plain(services.submit_review)),
    A.PASS_REVIEW: ActionSpec(f.ReviewForm, "review", _review(passed=True)),
    A.RETURN_REVIEW: ActionSpec(f.ReviewForm, "review", _review(passed=False)),
    A.GIVE_NOTICE: ActionSpec(f.StepForm, "handle", _plain(services.give_notice)),
    A.PARTY_STATEMENT: ActionSpec(f.SubmissionForm, "handle", _submission(SubmissionKind.STATEMENT)),
    A.WAIVE_DEFENCE: ActionSpec(f.SubmissionForm, "handle", _submission(SubmissionKind.WAIVER)),
    A.REQUEST_HEARING: ActionSpec(f.SubmissionForm, "handle", _submission(SubmissionKind.HEARING_REQUEST)),
    A.NOTIFY_HEARING: ActionSpec(
        f.NotifyHearingForm,
        "handle",
        lambda user, case, form: services.notify_hearing(
            case,
            actor=user,
            legal_date=form.cleaned_data["legal_date"],
            chair=form.officer("chair_id"),
            hearing_on=form.cleaned_data["hearing_on"],
        ),
        needs_officers=True,
    ),
    A.HOLD_HEARING: ActionSpec(
        f.HearingRecordForm,
        "handle",
        lambda user, case, form: services.hold_hearing(
            case, actor=user, legal_date=form.cleaned_data["legal_date"], record=form.cleaned_data["record"]
        ),
    ),
    A.DECIDE: ActionSpec(
        f.DecideForm,
        "approve",
        lambda user, case, form: services.decide(
            case,
            actor=user,
            legal_date=form.cleaned_data["legal_date"],
            penalty=list(form.cleaned_data["penalty"]) or None,
            fine=form.cleaned_data["fine"],
        ),
    ),
    A.SERVE: ActionSpec(
        f.ServeForm,
        "serve",
        lambda user, case, form: services.serve(
            case,
            actor=user,
            legal_date=form.cleaned_data["legal_date"],
            method=form.cleaned_data["method"],
            recipient=form.cleaned_data["recipient"],
            witness=form.cleaned_data["witness"],
            note=form.cleaned_data["note"],
            photo=form.cleaned_data["photo"].read() if form.cleaned_data.get("photo") else None,
            photo_name=form.cleaned_data["photo"].name if form.cleaned_data.get("photo") else "",
        ),
    ),
    A.REMIND: ActionSpec(f.StepForm, "handle", _plain(services.remind)),
    A.APPLY_ENFORCEMENT: ActionSpec(f.ReasonForm, "approve", _with_reason(services.apply_enforcement)),
    A.CLOSE: ActionSpec(f.ReasonForm, "approve", _with_reason(services.close)),
}
EXTRA_LABELS = {
    "extend_deadline": "延长办案期限",
    "suspend_deadline": "中止期限计算",
    "resume_deadline": "恢复期限计算",
    "recuse": "决定回避",
    "e_service_consent": "当事人同意电子送达",
    "sign": "签署审批意见",
    "publish": "公示处罚决定",
    "withdraw_publication": "撤回公示",
    "add_evidence": "登记证据",
    "measure": "先行登记保存 / 查封扣押",
    "end_measure": "解除或处理保全、查封扣押",
}
MEASURE_CODES = {"preservation_decision", "seizure"}


def _add_evidence(user: Any, case: Case, form: Any) -> Any:
    d = form.cleaned_data
    upload = d.get("file")
    return services.add_evidence(
        case,
        actor=user,
        kind=d["kind"],
        description=d["description"],
        collected_by=d["collected_by"],
        collected_at=d["collected_at"],
        collected_place=d["collected_place"],
        content=upload.read() if upload else None,
        filename=upload.name if upload else "",
    )


def _measure(user: Any, case: Case, form: Any) -> Any:
    d = form.cleaned_data
    start = services.preserve if d["kind"] == MeasureKind.PRESERVATION else services.seize
    return start(case, actor=user, legal_date=d["legal_date"], items=d["items"], place=d["place"])


def _end_measure(user: Any, case: Case, form: Any) -> Any:
    d = form.cleaned_data
    measure = case.measures.filter(deadline__code=d["code"], ended_on__isnull=True).order_by("started_on").first()
    if measure is None:
        raise ValidationFailed("该措施不存在或已处理", code="measure_not_running")
    return services.end_measure(measure, actor=user, legal_date=d["legal_date"], outcome=d["outcome"])


IN_PROGRESS = selectors.OPEN_STATES - {CaseStatus.PAID}

ACTIONS.update(
    {
        "extend_deadline": ActionSpec(
            f.ExtendForm,
            "approve",
            lambda user, case, form: services.extend_decision_deadline(
                case,
                actor=user,
                days=form.cleaned_data["days"],
                reason=form.cleaned_data["reason"],
                legal_date=form.cleaned_data["legal_date"],
            ),
            offered_when=lambda case, open_: any(d.code == "decision" for d in open_),
        ),
        "suspend_deadline": ActionSpec(
            f.SuspendForm,
            "approve",
            lambda user, case, form: services.suspend_deadline(
                case,
                actor=user,
                code=form.cleaned_data["code"],
                since=form.cleaned_data["legal_date"],
                reason=form.cleaned_data["reason"],
            ),
            offered_when=lambda case, open_: any(d.suspended_since is None for d in open_),
        ),
        "resume_deadline": ActionSpec(
            f.ResumeForm,
            "approve",
            lambda user, case, form: services.resume_deadline(
                case, actor=user, code=form.cleaned_data["code"], on=form.cleaned_data["legal_date"]
            ),
            offered_when=lambda case, open_: any(d.suspended_since is not None for d in open_),
        ),
        "recuse": ActionSpec(
            f.RecuseForm,
            "approve",
            lambda user, case, form: services.recuse(
                case, actor=user, officer=form.officer("officer_id"), reason=form.cleaned_data["reason"]
            ),
            needs_officers=True,
            offered_when=lambda case, open_: case.status in IN_PROGRESS,
        ),
        "e_service_consent": ActionSpec(
            f.SubmissionForm,
            "handle",
            _submission(SubmissionKind.E_SERVICE_CONSENT),
            offered_when=lambda case, open_: case.status in IN_PROGRESS,
        ),
    }
)


def _ladder_step(case: Case) -> str | None:
    """The approval ladder the case is climbing in its state (filing, decision or closing), if any."""
    return next((step for step, states in approvals.LADDER_STATES.items() if case.status in states), None)


def _current_ladder(case: Case) -> approvals.LadderState | None:
    """The ladder of the case's state, read once per case object (the page's actions and its ladder card)."""
    if not hasattr(case, "_current_ladder"):
        step = _ladder_step(case)
        case._current_ladder = approvals.ladder(case, step) if step is not None else None  # type: ignore[attr-defined]
    return case._current_ladder  # type: ignore[attr-defined,no-any-return]


def _sign(user: Any, case: Case, form: Any) -> Any:
    d = form.cleaned_data
    return services.sign(case, actor=user, step=d["step"], agree=d["agree"], text=d["text"], legal_date=d["legal_date"])


ACTIONS.update(
    {
        "sign": ActionSpec(f.SignForm, "sign", _sign),
        "publish": ActionSpec(
            f.PublishForm,
            "approve",
            lambda user, case, form: publicity.publish_decision(case, actor=user),
            offered_when=lambda case, open_: (
                case.procedure == Procedure.GENERAL and bool(case.decision_number) and not case.is_published
            ),
        ),
        "withdraw_publication": ActionSpec(
            f.WithdrawPublicationForm,
            "approve",
            lambda user, case, form: publicity.withdraw_publication(
                case, actor=user, reason=form.cleaned_data["reason"]
            ),
            offered_when=lambda case, open_: case.is_published,
        ),
        "add_evidence": ActionSpec(
            f.EvidenceForm,
            "serve",
            _add_evidence,
            offered_when=lambda case, open_: case.status in INVESTIGATION_STATES,
        ),
        "measure": ActionSpec(
            f.MeasureForm,
            "approve",
            _measure,
            offered_when=lambda case, open_: case.status in INVESTIGATION_STATES,
        ),
        "end_measure": ActionSpec(
            f.EndMeasureForm,
            "approve",
            _end_measure,
            offered_when=lambda case, open_: any(d.code in MEASURE_CODES for d in open_),
        ),
    }
)
# Not offered here: 缴款到账 is recorded by the bank's channel only (APL 67), 当场处罚 on the officer's phone.


LABELS = {**ACTION_LABELS, **EXTRA_LABELS, "register": "登记线索"}


def _may(j: Jurisdiction, case: Case, who: str) -> bool:
    """The permission the step's service checks (zhifa.cases.services.common), so that a page offers no step
    the service would refuse for the user's post; the service checks again."""
    if who == "handle":
        return can_handle_cases(j) and covers_case_street(j, case.street_id)
    if who == "serve":
        return can_serve_documents(j) and covers_case_street(j, case.street_id)
    if who == "approve":
        return can_approve_cases(j)
    if who == "sign":
        state = _current_ladder(case)
        rung = state.next_rung if state is not None else None
        return rung is not None and rung.role == j.role and covers_case_street(j, case.street_id)
    return can_review_cases(j)


def offered_actions(user: Any, case: Case, deadlines: list[CaseDeadline]) -> list[str]:
    """The steps ``CASE_WORKFLOW`` allows from the case's state that the user's post may take, in the table's
    order; a step whose guard refuses this case (事先告知 before a required review) is not offered. Then the
    steps outside the table (a deadline's extension or suspension, a recusal, the party's consent on paper)
    where they apply."""
    j = jurisdiction_of(user)
    allowed = set(CASE_WORKFLOW.actions_from(case.status))
    open_deadlines = [d for d in deadlines if d.met_on is None]
    offered = []
    for action, spec in ACTIONS.items():
        if not _may(j, case, spec.who):
            continue
        if spec.who == "sign":
            offered.append(action)
            continue
        if spec.offered_when is not None:
            if spec.offered_when(case, open_deadlines):
                offered.append(action)
            continue
        if action not in allowed:
            continue
        guard = CASE_WORKFLOW.lookup(case.status, action).guard
        if guard is None or guard(case, user) is None:
            offered.append(action)
    return offered


def _facts(request: HttpRequest) -> discretion.Facts:
    names = [n for n in discretion.Facts.__dataclass_fields__ if request.GET.get(n) == "1"]
    return discretion.Facts(**dict.fromkeys(names, True))


FACT_LABELS = {
    "first_violation": "初次违法",
    "harm_minor": "危害后果轻微",
    "corrected_promptly": "及时改正",
    "no_fault": "没有主观过错",
    "coerced_or_deceived": "受胁迫或诱骗",
    "cooperated": "配合查处、有立功表现",
    "repeated": "多次违法",
    "serious_harm": "造成严重危害后果",
}


def _detail_context(
    request: HttpRequest,
    case: Case,
    *,
    open_action: str = "",
    error: DomainError | None = None,
    bound: f.StepForm | None = None,
) -> dict[str, Any]:
    file = case_file(case)
    actions = offered_actions(request.user, case, file["deadlines"])
    open_deadlines = [d for d in file["deadlines"] if d.met_on is None]
    officers = (
        list(officer_list(user=request.user).filter(is_active=True))
        if any(ACTIONS[a].needs_officers for a in actions)
        else []
    )
    forms = []
    for action in actions:
        spec = ACTIONS[action]
        if bound is not None and action == open_action:
            form = bound
        else:
            initial = {"step": _ladder_step(case)} if action == "sign" else None
            form = spec.form(initial=initial, officers=officers, deadlines=open_deadlines, auto_id=f"{action}-%s")
        forms.append((action, LABELS[action], form))
    facts = _facts(request)
    context = {
        "case": case,
        **file,
        "today": timezone.localdate(),
        "action_forms": forms,
        # The approval ladder being climbed now (its next rung), and every sign-off of the case.
        "ladder": _current_ladder(case),
        "case_approvals": list(case.approvals.all()),
        "open_action": open_action,
        "action_error": error,
        "action_labels": LABELS,
        "recommendation": discretion.recommend(case.matter, facts) if case.matter is not None else None,
        "facts": [(name, label, getattr(facts, name)) for name, label in FACT_LABELS.items()],
    }
    return context


@page_view
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    _require_case_staff(request.user)
    case = selectors.case_detail(request.user, case_id)
    return render(request, "web/cases/case_detail.html", _detail_context(request, case))


@require_POST
@page_view
def case_action(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404("没有这个操作")
    _require_case_staff(request.user)
    case = selectors.case_detail(request.user, case_id)
    officers = list(officer_list(user=request.user)) if spec.needs_officers else []
    deadlines = list(case.deadlines.filter(met_on__isnull=True))
    form = spec.form(request.POST, request.FILES, officers=officers, deadlines=deadlines, auto_id=f"{action}-%s")
    try:
        if not form.is_valid():
            name, errors = next(iter(form.errors.items()))
            raise ValidationFailed(str(errors[0]), code="form_invalid", details={"field": name})
        spec.run(request.user, case, form)
    except NotFound:
        raise
    except DomainError as exc:
        context = _detail_context(
            request, selectors.case_detail(request.user, case_id), open_action=action, error=exc, bound=form
        )
        return render(request, "web/cases/case_detail.html", context, status=exc.status)
    messages.success(request, f"{case.number}：{LABELS[action]}已办理")
    return redirect("web:case-detail", case.pk)


# --- PDFs ------------------------------------------------------------------------------------------------


def _pdf_response(data: bytes, filename: str, *, attachment: bool = False) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@page_view
def case_document(request: HttpRequest, case_id: int, document_id: int) -> HttpResponse:
    """A document's stored PDF, only for a case in the user's scope (never MEDIA_ROOT as a directory), refused
    when its bytes no longer match the hash taken when it was issued."""
    _require_case_staff(request.user)
    case = selectors.case_detail(request.user, case_id)
    document = document_get(district_id=case.district_id, pk=document_id)
    if document.owner != owner_of(case):
        raise NotFound("文书不存在", code="document_not_found")
    name = f"{document.title}{document.number or ''}-v{document.version}.pdf"
    return _pdf_response(document_pdf_bytes(document), name)


def bundle_pdf(case: Case, timeline: list[TimelineEntry], documents: list[Document]) -> bytes:
    """The whole file for case review (案卷评查): a cover and index listing the timeline, then each document's
    PDF (each series' latest version) in the order issued. Every document's bytes are checked against its hash
    first (``document_hash_mismatch``)."""
    from pypdf import PdfReader, PdfWriter

    latest: dict[Any, Document] = {}
    for d in documents:
        if d.series not in latest or d.version > latest[d.series].version:
            latest[d.series] = d
    included = sorted(latest.values(), key=lambda d: (d.created_at, d.pk))
    rows: list[list[str]] = [
        ["案件编号", case.number],
        ["当事人", case.party_name],
        ["执法事项", case.matter.name if case.matter else "—"],
        ["状态", case.get_status_display()],
        ["决定书文号", case.decision_number or "—"],
    ]
    blocks: list[dict[str, Any]] = [{"t": "fields", "rows": rows}, {"t": "h", "text": "一、办案流程"}]
    for e in timeline:
        if e.step is not None:
            s = e.step
            text = f"{s.legal_date:%Y-%m-%d}　{ACTION_LABELS.get(s.action, '登记线索')}　{s.actor_label}"
            if s.reason:
                text += f"　{s.reason[:80]}"
        else:
            assert e.document is not None
            text = f"{e.at:%Y-%m-%d}　制作文书：{e.document.title} {e.document.number} 第{e.document.version}版"
        blocks.append({"t": "line", "text": text})
    blocks.append({"t": "h", "text": "二、卷内文书"})
    for n, d in enumerate(included, start=1):
        blocks.append({"t": "line", "text": f"{n}. {d.title} {d.number}（第{d.version}版，SHA-256 {d.sha256[:16]}…）"})
    if not included:
        blocks.append({"t": "line", "text": "（无）"})
    cover = pdf_render(
        template="document.typ",
        layout={"agency": case.district.agency_name, "title": "案卷目录", "number": case.number, "blocks": blocks},
    )
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(cover)))
    for d in included:
        writer.append(PdfReader(io.BytesIO(document_pdf_bytes(d))))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@page_view
def case_bundle(request: HttpRequest, case_id: int) -> HttpResponse:
    _require_case_staff(request.user)
    case = selectors.case_detail(request.user, case_id)
    data = case_file(case)
    return _pdf_response(bundle_pdf(case, data["timeline"], data["documents"]), f"案卷-{case.number}.pdf")
