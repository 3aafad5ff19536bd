"""The simple procedure on the officer's phone (当场处罚, APL 51–52, 68–71), the party's own view of its case
(ZJR 23), and the published decisions and benchmarks (APL 39, 48).

Every write is one service call (``zhifa.cases.services``); a refusal comes back with its Chinese message and
its code, nothing written. PDFs go out only through views that checked who asks (never MEDIA_ROOT): the
officer's through ``selectors.case_detail`` (the case in their scope), the party's through its login or link."""

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from zhifa.cases import legal, papers, selectors, services
from zhifa.cases.models import Case, CaseStatus, PartyKind, PaymentChannel, PenaltyKind, Procedure, SubmissionKind
from zhifa.cases.services.leads import Party
from zhifa.cases.services.party import case_for_party_token, party_actor
from zhifa.cases.services.publicity import DECIDED_STATES
from zhifa.cases.services.simple import decide_on_spot
from zhifa.catalog.models import Matter
from zhifa.catalog.selectors import matter_list
from zhifa.core.errors import DomainError, NotFound, ValidationFailed
from zhifa.core.identifiers import mask_id_number
from zhifa.documents.kinds import DocumentKind
from zhifa.documents.models import Document
from zhifa.documents.selectors import document_pdf_bytes
from zhifa.org.jurisdiction import jurisdiction_of, require
from zhifa.org.models import Officer, Street
from zhifa.org.roles import Role
from zhifa.subjects.selectors import subject_get, subject_list
from zhifa.web.pages import page_view, paginate
from zhifa.web.penalty_forms import HandInForm, OnSpotPenaltyForm, PartySubmissionForm
from zhifa.web.phone import _require_field_staff, phone_page

SUBJECT_RESULTS = 10


# --- the officer's phone: 当场处罚 ----------------------------------------------------------------------------


def _penalty_form(request: HttpRequest, data: Any = None, **kwargs: Any) -> OnSpotPenaltyForm:
    j = jurisdiction_of(request.user)
    colleagues = (
        Officer.objects.filter(district_id=j.district_id, is_active=True)
        .exclude(user_id=j.user_id)
        .order_by("name", "pk")
    )
    return OnSpotPenaltyForm(
        data, matters=matter_list(user=request.user, is_active=True), colleagues=colleagues, **kwargs
    )


def verdicts(data: Any) -> dict[str, Any]:
    """What the page shows while the officer fills the form: may this be decided on the spot (APL 51), may the
    fine be collected on the spot (APL 68) — the same rules ``decide_on_spot`` applies. A figure the rule cannot
    read is shown as its refusal (message and code)."""
    kinds = [k for k in data.getlist("penalty") if k in PenaltyKind.values]
    fine_raw = (data.get("fine") or "").strip()
    out: dict[str, Any] = {"simple": None, "simple_error": None, "collection": None, "collection_error": None}
    if not kinds:
        out["simple_error"] = {"message": "请选择处罚种类", "code": "penalty_kind_missing"}
        return out
    try:
        out["simple"] = legal.simple_procedure_allowed(
            party_kind=data.get("party_kind", ""),
            penalty_kinds=kinds,
            fine=fine_raw or None,
            facts_clear=data.get("facts_clear") in ("on", "true", "1"),
        )
    except DomainError as exc:
        out["simple_error"] = {"message": exc.message, "code": exc.code}
        return out
    # Collection on the spot follows a decision on the spot only (APL 68).
    if out["simple"].allowed and PenaltyKind.FINE in kinds and fine_raw:
        try:
            out["collection"] = legal.on_spot_collection_allowed(
                fine=fine_raw, hard_to_collect_later=data.get("hard_to_collect_later") in ("on", "true", "1")
            )
        except DomainError as exc:
            out["collection_error"] = {"message": exc.message, "code": exc.code}
    return out


def _officer_street(request: HttpRequest) -> Street | None:
    j = jurisdiction_of(request.user)
    return Street.objects.filter(pk=j.street_id, district_id=j.district_id).first() if j.street_id else None


def _subject_initial(request: HttpRequest, subject_id: str) -> dict[str, Any]:
    """The party's fields filled from a subject of the registry found by name (the officer's street only)."""
    if not subject_id.isdigit():
        return {}
    subject = subject_get(user=request.user, subject_id=int(subject_id))
    party = services.party_of_subject(subject)
    return {
        "subject_id": subject.pk,
        "party_kind": party.kind,
        "party_name": party.name,
        "party_id_number": party.id_number,
        "party_address": party.address,
        "party_phone": party.phone[:20],
        "party_representative": party.representative[:50],
        "address": subject.address,
    }


def _penalty_page(request: HttpRequest, form: OnSpotPenaltyForm, *, status: int = 200, **extra: Any) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:50]
    found = list(subject_list(user=request.user, q=q)[:SUBJECT_RESULTS]) if q else []
    # Before anything is typed the verdict asks for the penalty; afterwards it judges what was sent.
    data = form.data if form.is_bound else QueryDict()
    context = {
        "form": form,
        "verdict": verdicts(data),
        "q": q,
        "found": found,
        "error": None,
        "officer": getattr(request.user, "officer", None),
        **extra,
    }
    return render(request, "web/phone/penalty.html", context, status=status)


@phone_page
def penalty_new(request: HttpRequest) -> HttpResponse:
    """当场处罚: the officer fills the decision with the party present; the verdicts of APL 51 and 68 show as the
    form changes (penalty.js asks ``penalty_check``); submitted, the decision takes the officer's next
    pre-numbered number and the party's signature (or its refusal)."""
    _require_field_staff(request.user)
    if request.method != "POST":
        return _penalty_page(
            request, _penalty_form(request, initial=_subject_initial(request, request.GET.get("subject", "")))
        )
    form = _penalty_form(request, request.POST)
    if not form.is_valid():
        return _penalty_page(request, form, status=422)
    data = form.cleaned_data
    street = _officer_street(request)
    try:
        if street is None:
            raise ValidationFailed("您未分配街道，不能当场处罚", code="street_missing")
        subject = subject_get(user=request.user, subject_id=data["subject_id"]) if data["subject_id"] else None
        case = decide_on_spot(
            actor=request.user,
            street=street,
            party=Party(
                kind=data["party_kind"],
                name=data["party_name"],
                id_number=data["party_id_number"],
                address=data["party_address"],
                phone=data["party_phone"],
                representative=data["party_representative"],
            ),
            matter=data["matter"],
            facts=data["facts"],
            address=data["address"],
            penalty=data["penalty"],
            fine=data["fine"],
            facts_clear=data["facts_clear"],
            signature_png=data["signature"],
            refused_to_sign=data["refused_to_sign"],
            collect_on_spot=data["collect_on_spot"],
            hard_to_collect_later=data["hard_to_collect_later"],
            receipt_no=data["receipt_no"],
            colleague=data["colleague"],
            subject=subject,
        )
    except DomainError as exc:
        return _penalty_page(request, form, status=exc.status, error={"message": exc.message, "code": exc.code})
    messages.success(request, f"已作出当场处罚决定，决定书文号 {case.decision_number}")
    return redirect("web:penalty-decision", case_id=case.pk)


@require_POST
@page_view
def penalty_check(request: HttpRequest) -> HttpResponse:
    """The verdicts for the form as it stands (penalty.js, on each change): a server-rendered fragment, nothing
    written. Not a phone page: the service worker keeps nothing of it."""
    _require_field_staff(request.user)
    return render(request, "web/phone/penalty.html#verdict", {"verdict": verdicts(request.POST)})


def _decision_context(request: HttpRequest, case: Case, **extra: Any) -> dict[str, Any]:
    cash = case.payments.filter(channel=PaymentChannel.ON_SPOT).first()
    return {
        "case": case,
        "documents": papers.documents_of(case),
        "cash": cash,
        "hand_in_form": HandInForm(initial={"handed_in_on": timezone.localdate()}),
        "cash_due": case.deadlines.filter(code="cash_hand_in").first(),
        "error": None,
        "officer": getattr(request.user, "officer", None),
        **extra,
    }


@phone_page
def penalty_decision(request: HttpRequest, case_id: int) -> HttpResponse:
    """The printed decision: its number and PDF, and the cash collected on the spot still to hand in."""
    _require_field_staff(request.user)
    case = selectors.case_detail(request.user, case_id)
    return render(request, "web/phone/penalty_decision.html", _decision_context(request, case))


@require_POST
@phone_page
def penalty_hand_in(request: HttpRequest, case_id: int) -> HttpResponse:
    """罚款现金上缴: the cash collected on the spot handed in to the agency (APL 71, 2 working days)."""
    _require_field_staff(request.user)
    case = selectors.case_detail(request.user, case_id)
    form = HandInForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationFailed("请填写上缴日期", code="legal_date_invalid")
        services.hand_in_cash(case, actor=request.user, legal_date=form.cleaned_data["handed_in_on"])
    except DomainError as exc:
        context = _decision_context(request, case, hand_in_form=form, error={"message": exc.message, "code": exc.code})
        return render(request, "web/phone/penalty_decision.html", context, status=exc.status)
    messages.success(request, "罚款现金已登记上缴")
    return redirect("web:penalty-decision", case_id=case.pk)


def pdf_response(case: Case, document_id: int) -> FileResponse:
    """A document of ``case`` whose bytes still match the hash taken when it was issued."""
    document = Document.objects.filter(pk=document_id, owner=papers.owner_of(case)).first()
    if document is None:
        raise Http404("文书不存在")
    response = FileResponse(
        iter([document_pdf_bytes(document)]),
        content_type="application/pdf",
        filename=f"{document.number or document.title}.pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    # A decision names the party: kept in no shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@page_view
def penalty_pdf(request: HttpRequest, case_id: int, document_id: int) -> FileResponse:
    case = selectors.case_detail(request.user, case_id)
    return pdf_response(case, document_id)


# --- the party online (ZJR 23) ----------------------------------------------------------------------------------

PARTY_DOCUMENT_KINDS = papers.PARTY_DOCUMENT_KINDS  # one list for the page, the link and the API
# The party's submissions online, by the address's last part.
PARTY_SUBMISSIONS = {
    "statement": SubmissionKind.STATEMENT,
    "hearing": SubmissionKind.HEARING_REQUEST,
    "consent": SubmissionKind.E_SERVICE_CONSENT,
}
# Before a decision the party may still state its case and ask for a hearing (the service judges the period).
BEFORE_DECISION = frozenset({CaseStatus.NOTICED, CaseStatus.HEARING_REQUESTED, CaseStatus.HEARD})


def _require_business_owner(user: Any) -> None:
    require(jurisdiction_of(user).role == Role.BUSINESS_OWNER, "“我的案件”供经营主体使用", code="party_only")


def _own_case(request: HttpRequest, case_id: int) -> Case:
    case = selectors.party_cases(request.user).select_related("matter", "district").filter(pk=case_id).first()
    if case is None:
        raise NotFound("案件不存在", code="case_not_found", details={"id": case_id})
    return case


def _party_context(case: Case, *, base: str, **extra: Any) -> dict[str, Any]:
    documents = [d for d in papers.documents_of(case) if d.kind in PARTY_DOCUMENT_KINDS]
    kinds = {d.kind for d in documents}
    submissions = list(case.submissions.all())
    open_case = case.status in BEFORE_DECISION
    windows = {d.code: d for d in case.deadlines.filter(code__in=selectors.PARTY_ACTION_WINDOWS)}
    return {
        "case": case,
        # The party's own periods, with their last day (the party must know until when it may answer or pay).
        "statement_window": windows.get("statement_defence"),
        "hearing_window": windows.get("hearing_request"),
        "payment_window": windows.get("payment"),
        "documents": documents,
        "submissions": submissions,
        "base": base,
        "can_state": open_case,
        # A hearing is offered by the hearing notice (APL 63–64); whether it is still in time is the service's.
        "can_request_hearing": open_case and DocumentKind.HEARING_NOTICE in kinds and case.hearing_requested_on is None,
        "can_consent": not any(s.kind == SubmissionKind.E_SERVICE_CONSENT for s in submissions)
        and case.status not in (CaseStatus.CLOSED, CaseStatus.WITHDRAWN, CaseStatus.TRANSFERRED),
        "form": PartySubmissionForm(),
        "error": None,
        **extra,
    }


def _party_submit(
    request: HttpRequest, case: Case, kind_slug: str, *, actor: Any, base: str, template: str
) -> HttpResponse | None:
    """One submission through ``services.party_submission`` (online, arriving today); None when it was taken."""
    kind = PARTY_SUBMISSIONS.get(kind_slug)
    if kind is None:
        raise Http404("提交种类不存在")
    form = PartySubmissionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationFailed("内容过长", code="submission_too_long")
        services.party_submission(
            case,
            actor=actor,
            kind=kind,
            text=form.cleaned_data["text"],
            received_on=timezone.localdate(),
            online=True,
        )
    except DomainError as exc:
        context = _party_context(
            case, base=base, form=form, error={"message": exc.message, "code": exc.code, "kind": kind_slug}
        )
        return render(request, template, context, status=exc.status)
    messages.success(request, f"已提交{SubmissionKind(kind).label}，收到日期 {timezone.localdate():%Y-%m-%d}")
    return None


@require_safe
@page_view
def my_cases(request: HttpRequest) -> HttpResponse:
    """我的案件: the business owner's cases (those of the subjects it owns)."""
    _require_business_owner(request.user)
    cases = selectors.party_cases(request.user).select_related("matter").order_by("-created_at", "-pk")
    return render(request, "web/party/cases.html", {"cases": cases})


@require_safe
@page_view
def my_case(request: HttpRequest, case_id: int) -> HttpResponse:
    _require_business_owner(request.user)
    case = _own_case(request, case_id)
    return render(request, "web/party/case.html", _party_context(case, base="web/base.html"))


@require_POST
@page_view
def my_case_submit(request: HttpRequest, case_id: int, kind: str) -> HttpResponse:
    _require_business_owner(request.user)
    case = _own_case(request, case_id)
    refused = _party_submit(
        request, case, kind, actor=request.user, base="web/base.html", template="web/party/case.html"
    )
    return refused or redirect("web:party-case", case_id=case.pk)


@require_safe
@page_view
def my_case_pdf(request: HttpRequest, case_id: int, document_id: int) -> FileResponse:
    _require_business_owner(request.user)
    return _party_pdf(_own_case(request, case_id), document_id)


def _party_pdf(case: Case, document_id: int) -> FileResponse:
    document = Document.objects.filter(
        pk=document_id, owner=papers.owner_of(case), kind__in=PARTY_DOCUMENT_KINDS
    ).first()
    if document is None:
        raise Http404("文书不存在")
    return pdf_response(case, document.pk)


def _token_case(token: str) -> Case:
    try:
        return case_for_party_token(token)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@require_safe
def link_case(request: HttpRequest, token: str) -> HttpResponse:
    """The party's own case through the link sent to it (a person without a login); acting as the party."""
    case = _token_case(token)
    return render(request, "web/party/case.html", _party_context(case, base="web/public/base.html", token=token))


@require_POST
def link_case_submit(request: HttpRequest, token: str, kind: str) -> HttpResponse:
    case = _token_case(token)
    refused = _party_submit(
        request, case, kind, actor=party_actor(case), base="web/public/base.html", template="web/party/case.html"
    )
    return refused or redirect("web:party-link", token=token)


@require_safe
def link_case_pdf(request: HttpRequest, token: str, document_id: int) -> FileResponse:
    try:
        return _party_pdf(_token_case(token), document_id)
    except DomainError as exc:
        raise Http404(exc.message) from exc


# --- publicity (APL 39, 48): no login ----------------------------------------------------------------------------


def mask_person_name(name: str) -> str:
    """李大伟 → 李某某: the surname kept, the rest of a person's name hidden (APL 48, personal data)."""
    name = name.strip()
    return f"{name[:1]}某某" if name else ""


def public_party(case: Case) -> dict[str, str]:
    """The party as published: a person's name and ID number masked, an organisation's name and code kept
    (its legal representative is a person: masked)."""
    if case.party_kind == PartyKind.PERSON:
        return {"name": mask_person_name(case.party_name), "id_number": mask_id_number(case.party_id_number)}
    return {
        "name": case.party_name,
        "id_number": case.party_id_number,
        "representative": mask_person_name(case.party_representative),
    }


def public_facts(case: Case) -> str:
    """The facts as published: a person's name and ID number, where the facts repeat them, masked too."""
    facts = case.facts
    if case.party_kind == PartyKind.PERSON:
        if case.party_id_number:
            facts = facts.replace(case.party_id_number, mask_id_number(case.party_id_number))
        if len(case.party_name.strip()) > 1:
            facts = facts.replace(case.party_name.strip(), mask_person_name(case.party_name))
    return facts


@require_safe
def public_decisions(request: HttpRequest) -> HttpResponse:
    """行政处罚决定公开: the general-procedure decisions the head published, the latest first."""
    cases = (
        Case.objects.filter(is_published=True, procedure=Procedure.GENERAL, status__in=DECIDED_STATES)
        .exclude(decision_number="")
        .select_related("matter", "district")
        .order_by("-decided_on", "-pk")
    )
    page = paginate(request, cases)
    rows = [
        {
            "case": case,
            "party": public_party(case),
            "facts": public_facts(case),
            "basis": papers.legal_basis(case),
            "penalty": papers.penalty_text(case.decided_penalty, case.decided_fine),
        }
        for case in page
    ]
    return render(request, "web/public/decisions.html", {"page": page, "rows": rows})


@require_safe
def public_procedures(request: HttpRequest) -> HttpResponse:
    """The agency's procedures and time limits, and the discretion benchmarks of the active matters (APL 39)."""
    matters = (
        Matter.objects.filter(is_active=True, discretion_levels__isnull=False)
        .distinct()
        .select_related("district", "department")
        .prefetch_related("discretion_levels")
        .order_by("district_id", "code")
    )
    periods = [
        {"label": p.label, "length": p.current_length(), "unit": p.unit.label, "starts": p.starts, "article": p.article}
        for p in legal.PERIODS.values()
    ]
    return render(request, "web/public/procedures.html", {"matters": matters, "periods": periods})
