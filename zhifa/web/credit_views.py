"""Credit pages (issue 13 parts 1, 3, 7): a subject's credit file with its grade, the explanation and the grade
history — for staff scoped as the subject pages, and for a business owner its own subjects only (the same
selector: another business's file is not found) — and the scoring model's versions, read-only."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhifa.core.errors import NotFound
from zhifa.credit.models import EntryKind
from zhifa.credit.procedure_access import is_credit_admin
from zhifa.credit.procedure_selectors import open_objection_entries
from zhifa.credit.selectors import credit_file, credit_model_versions
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.org.roles import Role
from zhifa.web.pages import page_view

KIND_LABELS = dict(EntryKind.choices)


@page_view
def subject_credit(request: HttpRequest, subject_id: int) -> HttpResponse:
    file = credit_file(user=request.user, subject_id=subject_id)
    lines: list[dict[str, Any]] = []
    if file.grade is not None:
        for line in file.grade.explanation:
            lines.append({**line, "kind_label": KIND_LABELS.get(line["kind"], line["kind"])})
    context = {
        "file": file,
        "subject": file.subject,
        "lines": lines,
        "vetoed": set(file.grade.vetoed_by) if file.grade is not None else set(),
        "is_business": jurisdiction_of(request.user).role == Role.BUSINESS_OWNER,
        # Issue 13 part 5: the credit administrators propose a listing from here (zhifa.credit.procedure_access).
        "is_credit_admin": is_credit_admin(jurisdiction_of(request.user)),
        # Issue 13 part 6: entries under an open objection are shown marked 异议中 (ZJC 30).
        "objected": open_objection_entries(district_id=file.subject.district_id, holder_key=file.holder_key),
    }
    return render(request, "web/credit/subject_credit.html", context)


@page_view
def model_versions(request: HttpRequest) -> HttpResponse:
    if jurisdiction_of(request.user).role == Role.BUSINESS_OWNER:
        raise NotFound("页面不存在", code="not_found")
    versions = credit_model_versions(user=request.user)
    context = {"versions": versions, "current": versions[0] if versions else None, "kind_labels": KIND_LABELS}
    return render(request, "web/credit/model.html", context)
