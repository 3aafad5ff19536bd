"""/api/v1/catalog: the enforcement-matter catalogue. Each endpoint parses, calls one selector or service,
and returns a schema; domain errors become ``{code, message, details}`` in ``zhifa.api.root``."""

from typing import Any

from django.http import HttpRequest
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from zhifa.catalog import selectors, services
from zhifa.catalog.importer import matters_import
from zhifa.catalog.models import Domain, Matter
from zhifa.catalog.schemas import MatterDetailOut, MatterImportOut, MatterIn, MatterOut, MatterPatchIn
from zhifa.core.api_input import Id, Page, Text
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.org.models import District

router = Router()


class MatterFilters(Schema):
    q: Text | None = None
    domain: Domain | None = None
    department_id: Id | None = None
    is_active: bool | None = None


@router.get("/matters", response=list[MatterOut], summary="执法事项列表")
@paginate(Page)
def matters_list(request: HttpRequest, filters: Query[MatterFilters]) -> Any:
    return selectors.matter_list(
        user=request.user,
        q=filters.q,
        domain=filters.domain.value if filters.domain else None,
        department_id=filters.department_id,
        is_active=filters.is_active,
    )


@router.get("/matters/{int:matter_id}", response=MatterDetailOut, summary="执法事项详情（含裁量基准与检查要点）")
def matter_detail(request: HttpRequest, matter_id: int) -> Matter:
    return selectors.matter_get(user=request.user, matter_id=matter_id)


@router.get("/matters/by-code/{code}", response=MatterDetailOut, summary="按事项编码查询执法事项")
def matter_by_code(request: HttpRequest, code: Text) -> Matter:
    return selectors.matter_get_by_code(user=request.user, code=code)


@router.post("/matters", response={201: MatterDetailOut}, summary="新增执法事项")
def matter_create(request: HttpRequest, payload: MatterIn) -> Status[Matter]:
    district_id = jurisdiction_of(request.user).district_id
    matter = services.matter_create(actor=request.user, district_id=district_id, spec=payload.to_spec())
    return Status(201, selectors.matter_get(user=request.user, matter_id=matter.pk))


@router.patch("/matters/{int:matter_id}", response=MatterDetailOut, summary="修改执法事项")
def matter_update(request: HttpRequest, matter_id: int, payload: MatterPatchIn) -> Matter:
    # Read through the selector first: a matter outside the caller's scope is "not found", not "forbidden".
    selectors.matter_get(user=request.user, matter_id=matter_id)
    services.matter_update(actor=request.user, matter_id=matter_id, changes=payload.to_changes())
    return selectors.matter_get(user=request.user, matter_id=matter_id)


@router.post("/matters/import", response=MatterImportOut, summary="导入执法事项目录（CSV 或 XLSX）")
def matter_import(request: HttpRequest, file: File[UploadedFile]) -> dict[str, int]:
    district = District.objects.get(pk=jurisdiction_of(request.user).district_id)
    result = matters_import(actor=request.user, district=district, path_or_file=file)
    return {"created": result.created, "updated": result.updated, "unchanged": result.unchanged, "total": result.total}
