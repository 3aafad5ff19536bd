from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from zhifa.core.api_input import Id, PageIn, Text
from zhifa.core.errors import NotFound
from zhifa.org import selectors, services
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.org.models import Department, Street, Zone
from zhifa.org.schemas import (
    AuxiliaryIn,
    AuxiliaryOut,
    DepartmentOut,
    OfficerIn,
    OfficerOut,
    OfficerPatch,
    SinkingShareOut,
    StreetOut,
)

router = Router()


class OfficerFilter(PageIn):
    """Pages bounded like every list's (PageIn); the answer stays a bare list, as it always was."""

    q: Text | None = None
    street_id: Id | None = None
    department_id: Id | None = None


def _in_district(model: Any, pk: int | None, district_id: int, label: str) -> Any:
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk, district_id=district_id).first()
    if obj is None:
        raise NotFound(f"{label}不存在", code=f"{model._meta.model_name}_not_found", details={"id": pk})
    return obj


@router.get("/streets", response=list[StreetOut], summary="街道列表")
def streets(request: HttpRequest) -> Any:
    return selectors.street_list(user=request.user)


@router.get("/departments", response=list[DepartmentOut], summary="部门列表")
def departments(request: HttpRequest) -> Any:
    return selectors.department_list(user=request.user)


@router.get("/officers", response=list[OfficerOut], summary="执法人员列表")
def officers(request: HttpRequest, filters: Query[OfficerFilter]) -> Any:
    qs = selectors.officer_list(
        user=request.user, q=filters.q, street_id=filters.street_id, department_id=filters.department_id
    )
    return qs[filters.offset : filters.offset + filters.limit]


@router.get("/officers/{officer_id}", response=OfficerOut, summary="执法人员详情")
def officer(request: HttpRequest, officer_id: int) -> Any:
    return selectors.officer_get(user=request.user, officer_id=officer_id)


@router.post("/officers", response={201: OfficerOut}, summary="新增执法人员")
def officer_create(request: HttpRequest, payload: OfficerIn) -> Any:
    district_id = jurisdiction_of(request.user).district_id
    data = payload.dict()
    created = services.officer_create(
        actor=request.user,
        name=data["name"],
        badge_no=data["badge_no"],
        certificate_no=data["certificate_no"],
        certificate_valid_until=data["certificate_valid_until"],
        home_department=_in_district(Department, data["home_department_id"], district_id, "部门"),
        street=_in_district(Street, data["street_id"], district_id, "街道"),
        zone=_in_district(Zone, data["zone_id"], district_id, "片区"),
        phone=data["phone"],
    )
    return Status(201, created)


@router.patch("/officers/{officer_id}", response=OfficerOut, summary="修改执法人员")
def officer_update(request: HttpRequest, officer_id: int, payload: OfficerPatch) -> Any:
    target = selectors.officer_get(user=request.user, officer_id=officer_id)
    district_id = target.district_id
    changes = payload.dict(exclude_unset=True)
    if "street_id" in changes:
        changes["street"] = _in_district(Street, changes.pop("street_id"), district_id, "街道")
    if "zone_id" in changes:
        changes["zone"] = _in_district(Zone, changes.pop("zone_id"), district_id, "片区")
    return services.officer_update(actor=request.user, officer=target, **changes)


@router.post("/auxiliaries", response={201: AuxiliaryOut}, summary="聘用辅助人员")
def auxiliary_hire(request: HttpRequest, payload: AuxiliaryIn) -> Any:
    district_id = jurisdiction_of(request.user).district_id
    data = payload.dict()
    street = _in_district(Street, data.pop("street_id"), district_id, "街道")
    return Status(201, services.auxiliary_hire(actor=request.user, street=street, **data))


@router.get("/sinking-share", response=SinkingShareOut, summary="人员下沉率")
def sinking_share(request: HttpRequest) -> Any:
    share = selectors.sinking_share(district_id=jurisdiction_of(request.user).district_id)
    return {"sunk": share.sunk, "total": share.total, "ratio": share.ratio, "percent": share.percent}
