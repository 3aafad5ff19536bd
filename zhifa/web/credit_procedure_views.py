"""Credit procedure pages (issue 13 parts 5–7).

The business (经营主体): 我的信用 — its files, each with the grade and its explanation, the entries (异议中 marked),
its objections and repair requests (create and follow) and the dishonesty-list procedures about it, with the
notice and the defence form. Another business's file or procedure answers 404 (the selectors scope by owner).

Staff: the credit administrators (administrator, command centre, legal reviewer) and the head review objections
and repair requests — overdue first — and run the listing procedure; the head signs decisions and early
removals. Public: the serious dishonesty list, a person's data masked.

Views parse the form, call one service or selector, and show a refusal's message and code on the same page.
"""

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from zhifa.core.errors import DomainError, NotFound
from zhifa.credit import dishonesty, dishonesty_papers, objections, repair
from zhifa.credit import procedure_selectors as sel
from zhifa.credit.commitments import commitments_for_subject
from zhifa.credit.models import CreditAttachment, CreditEntry, EntryKind, ObjectionOutcome
from zhifa.credit.procedure_access import is_agency_head, is_business, is_credit_admin
from zhifa.credit.states import (
    DISHONESTY_WORKFLOW,
    OBJECTION_WORKFLOW,
    OPEN_OBJECTION_STATES,
    REPAIR_WORKFLOW,
    DishonestyStatus,
    RepairStatus,
)
from zhifa.inspections.rectification_selectors import owner_open_orders
from zhifa.inspections.visit_selectors import owner_visits
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.subjects.models import Subject
from zhifa.subjects.selectors import subject_list
from zhifa.web.pages import page_view

KIND_LABELS = dict(EntryKind.choices)


def _error(exc: DomainError) -> dict[str, str]:
    return {"message": exc.message, "code": exc.code}


def _int(value: Any) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return 0


def _lines(file: Any) -> list[dict[str, Any]]:
    if file.grade is None:
        return []
    return [{**line, "kind_label": KIND_LABELS.get(line["kind"], line["kind"])} for line in file.grade.explanation]


# --- the business's own view -----------------------------------------------------------------------------------


@require_safe
@page_view
def my_credit(request: HttpRequest) -> HttpResponse:
    """我的信用: the business's subjects that have a file, each with its current grade."""
    subjects = sel.my_credit_subjects(user=request.user)
    rows = []
    for subject in subjects:
        own = sel.own_credit_file(user=request.user, subject_id=subject.pk)
        rows.append({"subject": subject, "own": own})
    return render(request, "web/credit/procedure_my.html", {"rows": rows})


def _own_context(request: HttpRequest, subject_id: int, **extra: Any) -> dict[str, Any]:
    own = sel.own_credit_file(user=request.user, subject_id=subject_id)
    file = own.file
    today = timezone.localdate()
    for entry in file.shown:
        # The first day a repair may be asked for (None: not repairable), for the entry's row.
        entry.repair_from = own.repair_from.get(entry.pk)  # type: ignore[attr-defined]
    return {
        "own": own,
        "file": file,
        "subject": file.subject,
        "lines": _lines(file),
        "vetoed": set(file.grade.vetoed_by) if file.grade is not None else set(),
        "today": today,
        "open_states": OPEN_OBJECTION_STATES,
        "listed": any(item.status in (DishonestyStatus.DECIDED, DishonestyStatus.PUBLISHED) for item in own.listings),
        **extra,
    }


@require_safe
@page_view
def my_file(request: HttpRequest, subject_id: int) -> HttpResponse:
    context = _own_context(request, subject_id)
    # The rest of the business's file (issue 13 part 7): what it has to sign, what it has to rectify, and the
    # inspections it had — each read by its own app, for this subject only.
    context.update(
        commitments=commitments_for_subject(user=request.user, subject_id=subject_id),
        orders=[o for o in owner_open_orders(user=request.user) if o.subject_id == subject_id],
        visits=owner_visits(user=request.user, subject_id=subject_id),
    )
    return render(request, "web/credit/procedure_my_file.html", context)


def _own_entry(request: HttpRequest, subject_id: int, entry_id: int) -> tuple[dict[str, Any], CreditEntry]:
    context = _own_context(request, subject_id)
    entry = context["file"].entries_by_id.get(entry_id)
    if entry is None:
        raise NotFound("信用信息不存在", code="credit_entry_not_found")
    return context, entry


@page_view
def my_objection(request: HttpRequest, subject_id: int, entry_id: int) -> HttpResponse:
    """The objection form for one entry of the business's own file (GET), and its submission (POST)."""
    context, entry = _own_entry(request, subject_id, entry_id)
    context.update(entry=entry, form_kind="objection", error=None, text="")
    if request.method == "POST":
        text = request.POST.get("reasons", "")
        try:
            objections.objection_submit(
                actor=request.user,
                subject_id=subject_id,
                entry_id=entry_id,
                reasons=text,
                files=request.FILES.getlist("attachments"),
            )
        except DomainError as exc:
            context.update(error=_error(exc), text=text)
            return render(request, "web/credit/procedure_my_request.html", context, status=exc.status)
        messages.success(request, "异议已提交，审核期间该信息标注为“异议中”")
        return redirect("web:credit-my-file", subject_id=subject_id)
    return render(request, "web/credit/procedure_my_request.html", context)


@page_view
def my_repair(request: HttpRequest, subject_id: int, entry_id: int) -> HttpResponse:
    context, entry = _own_entry(request, subject_id, entry_id)
    context.update(entry=entry, form_kind="repair", error=None, text="")
    if request.method == "POST":
        text = request.POST.get("evidence", "")
        try:
            repair.repair_submit(
                actor=request.user,
                subject_id=subject_id,
                entry_id=entry_id,
                evidence=text,
                files=request.FILES.getlist("attachments"),
            )
        except DomainError as exc:
            context.update(error=_error(exc), text=text)
            return render(request, "web/credit/procedure_my_request.html", context, status=exc.status)
        messages.success(request, "信用修复申请已提交")
        return redirect("web:credit-my-file", subject_id=subject_id)
    return render(request, "web/credit/procedure_my_request.html", context)


@page_view
def my_listing(request: HttpRequest, listing_id: int) -> HttpResponse:
    """The notice of a proposed listing (reasons, basis, the last day of the defence period) and the defence form."""
    listing = sel.own_listing(user=request.user, listing_id=listing_id)
    context: dict[str, Any] = {"listing": listing, "error": None, "text": "", "today": timezone.localdate()}
    if request.method == "POST":
        text = request.POST.get("defence", "")
        try:
            dishonesty.dishonesty_defend(actor=request.user, listing_id=listing_id, text=text)
        except DomainError as exc:
            context.update(error=_error(exc), text=text)
            return render(request, "web/credit/procedure_my_listing.html", context, status=exc.status)
        messages.success(request, "陈述申辩意见已提交")
        return redirect("web:credit-my-listing", listing_id=listing_id)
    return render(request, "web/credit/procedure_my_listing.html", context)


@require_safe
@page_view
def attachment(request: HttpRequest, attachment_id: int) -> FileResponse:
    """An attachment, to the credit staff of its district and to the business that filed it."""
    item = CreditAttachment.objects.select_related("objection", "repair").filter(pk=attachment_id).first()
    owner = (item.objection or item.repair) if item is not None else None
    if item is None or owner is None:
        raise Http404("附件不存在")
    j = jurisdiction_of(request.user)
    staff = (is_credit_admin(j) or is_agency_head(j)) and owner.district_id == j.district_id
    own = is_business(j) and subject_list(user=request.user).filter(pk=owner.subject_id).exists()
    if not (staff or own):
        raise Http404("附件不存在")
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Content-Disposition"] = f'attachment; filename="credit-{item.pk}.{item.content_type.split("/")[1]}"'
    return response


# --- staff -----------------------------------------------------------------------------------------------------


@require_safe
@page_view
def procedures(request: HttpRequest) -> HttpResponse:
    """信用管理: open objections and repair requests by deadline (overdue marked and counted), and the listings."""
    today = timezone.localdate()
    context = {
        "objections": list(sel.objection_queue(user=request.user)),
        "repairs": list(sel.repair_queue(user=request.user)),
        "listings": list(sel.listing_queue(user=request.user)[:100]),
        "overdue": sel.overdue_counts(user=request.user, on=today),
        "today": today,
    }
    return render(request, "web/credit/procedure_staff.html", context)


def _objection_context(request: HttpRequest, objection_id: int, **extra: Any) -> dict[str, Any]:
    objection = sel.objection_get(user=request.user, objection_id=objection_id)
    j = jurisdiction_of(request.user)
    return {
        "objection": objection,
        "steps": sel.steps_of(OBJECTION_WORKFLOW.name, objection.pk),
        "attachments": list(objection.attachments.all()),
        "outcomes": ObjectionOutcome.choices,
        "is_open": objection.status in OPEN_OBJECTION_STATES,
        "can_review": is_credit_admin(j),
        "can_extend": is_agency_head(j),
        "today": timezone.localdate(),
        "error": None,
        **extra,
    }


@page_view
def objection_detail(request: HttpRequest, objection_id: int) -> HttpResponse:
    if request.method == "POST":
        action = request.POST.get("action", "")
        reason = request.POST.get("reason", "")
        try:
            if action == "correct":
                objections.objection_correct(
                    actor=request.user,
                    objection_id=objection_id,
                    outcome=request.POST.get("outcome", ""),
                    reason=reason,
                    corrected_title=request.POST.get("corrected_title", ""),
                )
            elif action == "reject":
                objections.objection_reject(actor=request.user, objection_id=objection_id, reason=reason)
            elif action == "extend":
                objections.objection_extend(actor=request.user, objection_id=objection_id, reason=reason)
            else:
                raise Http404("操作不存在")
        except DomainError as exc:
            context = _objection_context(request, objection_id, error=_error(exc))
            return render(request, "web/credit/procedure_objection.html", context, status=exc.status)
        messages.success(request, "已处理")
        return redirect("web:credit-objection", objection_id=objection_id)
    return render(request, "web/credit/procedure_objection.html", _objection_context(request, objection_id))


def _repair_context(request: HttpRequest, repair_id: int, **extra: Any) -> dict[str, Any]:
    item = sel.repair_get(user=request.user, repair_id=repair_id)
    return {
        "repair": item,
        "steps": sel.steps_of(REPAIR_WORKFLOW.name, item.pk),
        "attachments": list(item.attachments.all()),
        "is_open": item.status == RepairStatus.SUBMITTED,
        "can_review": is_credit_admin(jurisdiction_of(request.user)),
        "today": timezone.localdate(),
        "error": None,
        **extra,
    }


@page_view
def repair_detail(request: HttpRequest, repair_id: int) -> HttpResponse:
    if request.method == "POST":
        action = request.POST.get("action", "")
        reason = request.POST.get("reason", "")
        try:
            if action == "approve":
                repair.repair_approve(actor=request.user, repair_id=repair_id, reason=reason)
            elif action == "reject":
                repair.repair_reject(actor=request.user, repair_id=repair_id, reason=reason)
            else:
                raise Http404("操作不存在")
        except DomainError as exc:
            context = _repair_context(request, repair_id, error=_error(exc))
            return render(request, "web/credit/procedure_repair.html", context, status=exc.status)
        messages.success(request, "已处理")
        return redirect("web:credit-repair", repair_id=repair_id)
    return render(request, "web/credit/procedure_repair.html", _repair_context(request, repair_id))


@page_view
def listing_new(request: HttpRequest, subject_id: int) -> HttpResponse:
    """拟列入: the proposal form for a subject, its negative entries shown today to choose from."""
    j = jurisdiction_of(request.user)
    if not is_credit_admin(j):
        raise NotFound("页面不存在", code="not_found")
    subject = Subject.objects.filter(pk=subject_id, district_id=j.district_id).first()
    if subject is None:
        raise NotFound("执法对象不存在", code="subject_not_found")
    today = timezone.localdate()
    key = subject.uscc or subject.id_number
    entries = (
        list(
            CreditEntry.objects.filter(
                district_id=j.district_id,
                holder_key=key,
                category="negative",
                occurred_on__lte=today,
                expires_on__gt=today,
            )
            .exclude(kind=EntryKind.SERIOUS_DISHONESTY)
            .order_by("-occurred_on", "-pk")
        )
        if key
        else []
    )
    context: dict[str, Any] = {
        "subject": subject,
        "entries": entries,
        "grounds": dishonesty.GROUNDS,
        "error": None,
        "posted": request.POST if request.method == "POST" else {},
    }
    if request.method == "POST":
        try:
            listing = dishonesty.dishonesty_propose(
                actor=request.user,
                subject_id=subject_id,
                ground=request.POST.get("ground", ""),
                legal_basis=request.POST.get("legal_basis", ""),
                reasons=request.POST.get("reasons", ""),
                source_entry_ids=[_int(v) for v in request.POST.getlist("entries")],
                responsible_persons=request.POST.get("responsible_persons", ""),
            )
        except DomainError as exc:
            context["error"] = _error(exc)
            return render(request, "web/credit/procedure_listing_new.html", context, status=exc.status)
        messages.success(request, "已提出列入严重失信名单的建议")
        return redirect("web:credit-listing", listing_id=listing.pk)
    return render(request, "web/credit/procedure_listing_new.html", context)


def _listing_context(request: HttpRequest, listing_id: int, **extra: Any) -> dict[str, Any]:
    listing = sel.listing_get(user=request.user, listing_id=listing_id)
    j = jurisdiction_of(request.user)
    return {
        "listing": listing,
        "sources": list(listing.source_entries.all()),
        "steps": sel.steps_of(DISHONESTY_WORKFLOW.name, listing.pk),
        "actions": DISHONESTY_WORKFLOW.actions_from(listing.status),
        "is_admin": is_credit_admin(j),
        "is_head": is_agency_head(j),
        "removal_grounds": dishonesty.REMOVAL_GROUNDS,
        "today": timezone.localdate(),
        "error": None,
        **extra,
    }


@page_view
def listing_detail(request: HttpRequest, listing_id: int) -> HttpResponse:
    if request.method == "POST":
        action = request.POST.get("action", "")
        reason = request.POST.get("reason", "")
        user = request.user
        try:
            if action == "notify":
                dishonesty.dishonesty_notify(actor=user, listing_id=listing_id)
            elif action == "decide":
                dishonesty.dishonesty_decide(
                    actor=user,
                    listing_id=listing_id,
                    decision_number=request.POST.get("decision_number", ""),
                    decision_text=request.POST.get("decision_text", ""),
                )
            elif action == "publish":
                dishonesty.dishonesty_publish(actor=user, listing_id=listing_id)
            elif action == "withdraw":
                dishonesty.dishonesty_withdraw(actor=user, listing_id=listing_id, reason=reason)
            elif action == "remove_early":
                dishonesty.dishonesty_remove_early(
                    actor=user, listing_id=listing_id, ground=request.POST.get("ground", ""), reason=reason
                )
            else:
                raise Http404("操作不存在")
        except DomainError as exc:
            context = _listing_context(request, listing_id, error=_error(exc))
            return render(request, "web/credit/procedure_listing.html", context, status=exc.status)
        messages.success(request, "已办理")
        return redirect("web:credit-listing", listing_id=listing_id)
    return render(request, "web/credit/procedure_listing.html", _listing_context(request, listing_id))


def _paper_response(listing: Any, paper: str) -> HttpResponse:
    render_paper = {"notice": dishonesty_papers.notice_pdf, "decision": dishonesty_papers.decision_pdf}.get(paper)
    if render_paper is None:
        raise Http404("文书不存在")
    try:
        pdf = render_paper(listing)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="dishonesty-{listing.pk}-{paper}.pdf"'
    return response


@require_safe
@page_view
def listing_paper(request: HttpRequest, listing_id: int, paper: str) -> HttpResponse:
    """告知书 / 决定书 of a listing, for the staff who run it."""
    return _paper_response(sel.listing_get(user=request.user, listing_id=listing_id), paper)


@require_safe
@page_view
def my_listing_paper(request: HttpRequest, listing_id: int, paper: str) -> HttpResponse:
    """The same papers, for the business the listing is about."""
    return _paper_response(sel.own_listing(user=request.user, listing_id=listing_id), paper)


# --- public ----------------------------------------------------------------------------------------------------


@require_safe
def public_dishonesty(request: HttpRequest) -> HttpResponse:
    """严重失信名单 (ZJC 24: 向社会公开): no login; a person's name and ID number masked."""
    return render(request, "web/credit/procedure_public_list.html", {"rows": sel.public_dishonesty_list()})
