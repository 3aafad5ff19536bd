"""/api/v1/subjects — the regulated-entity registry (执法对象). Parse, call one service or selector, return."""

from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Query, Router, Status, UploadedFile
from ninja.pagination import paginate

from zhifa.core.api_input import Page
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.org.models import District
from zhifa.subjects.models import Subject
from zhifa.subjects.schemas import (
    SubjectCreateIn,
    SubjectDetailOut,
    SubjectFilterIn,
    SubjectImportOut,
    SubjectMatterOut,
    SubjectOut,
    SubjectUpdateIn,
)
from zhifa.subjects.selectors import subject_get, subject_list, subject_matters
from zhifa.subjects.services import subject_create, subject_update, subjects_import

router = Router()


def _user_district(request: HttpRequest) -> District:
    return District.objects.get(pk=jurisdiction_of(request.user).district_id)


def _detail(subject: Subject) -> SubjectDetailOut:
    matters = [
        SubjectMatterOut(code=m.code, name=m.name, department=m.department.name)
        for m in subject_matters(subject=subject)
    ]
    return SubjectDetailOut.from_orm(subject).model_copy(update={"matters": matters})


@router.get("", response=list[SubjectOut], summary="执法对象列表")
@paginate(Page)
def list_subjects(request: HttpRequest, filters: Query[SubjectFilterIn]) -> Any:
    return subject_list(user=request.user, **filters.model_dump())


@router.get("/{int:subject_id}", response=SubjectDetailOut, summary="执法对象详情（含证照与适用事项）")
def get_subject(request: HttpRequest, subject_id: int) -> SubjectDetailOut:
    return _detail(subject_get(user=request.user, subject_id=subject_id))


@router.post("", response={201: SubjectDetailOut}, summary="登记执法对象")
def create_subject(request: HttpRequest, payload: SubjectCreateIn) -> Status[SubjectDetailOut]:
    data = payload.model_dump()
    subject = subject_create(actor=request.user, district=_user_district(request), **data)
    return Status(201, _detail(subject_get(user=request.user, subject_id=subject.pk)))


@router.patch("/{int:subject_id}", response=SubjectDetailOut, summary="修改执法对象")
def update_subject(request: HttpRequest, subject_id: int, payload: SubjectUpdateIn) -> SubjectDetailOut:
    subject = subject_get(user=request.user, subject_id=subject_id)
    subject_update(actor=request.user, subject=subject, **payload.model_dump(exclude_unset=True))
    return _detail(subject_get(user=request.user, subject_id=subject_id))


@router.post("/import", response={201: SubjectImportOut}, summary="批量导入执法对象（CSV/XLSX，全部成功或全部不导入）")
def import_subjects(
    request: HttpRequest,
    file: File[UploadedFile],
    coord_system: Form[str] = "wgs84",
    file_format: Form[str | None] = None,
) -> Status[SubjectImportOut]:
    result = subjects_import(
        actor=request.user,
        district=_user_district(request),
        path_or_file=file,
        file_format=file_format,
        coord_system=coord_system,
    )
    return Status(
        201,
        SubjectImportOut(
            count=result.count,
            sha256=result.sha256,
            file_name=result.file_name,
            ignored_columns=list(result.ignored_columns),
        ),
    )
