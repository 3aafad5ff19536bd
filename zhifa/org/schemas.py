import datetime as dt
from decimal import Decimal

from ninja import Schema


class StreetOut(Schema):
    id: int
    code: str
    name: str
    is_approximate: bool
    auxiliary_cap: int


class DepartmentOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    is_sinking: bool
    is_coordinating: bool


class OfficerOut(Schema):
    id: int
    name: str
    badge_no: str
    certificate_no: str
    certificate_valid_until: dt.date
    home_department_id: int
    home_department_name: str
    street_id: int | None
    street_name: str | None
    zone_id: int | None
    is_active: bool

    @staticmethod
    def resolve_home_department_name(obj: object) -> str:
        return obj.home_department.name  # type: ignore[attr-defined]

    @staticmethod
    def resolve_street_name(obj: object) -> str | None:
        street = obj.street  # type: ignore[attr-defined]
        return street.name if street else None


class OfficerIn(Schema):
    name: str
    badge_no: str
    certificate_no: str
    certificate_valid_until: dt.date
    home_department_id: int
    street_id: int | None = None
    zone_id: int | None = None
    phone: str = ""


class OfficerPatch(Schema):
    name: str | None = None
    certificate_no: str | None = None
    certificate_valid_until: dt.date | None = None
    street_id: int | None = None
    zone_id: int | None = None
    phone: str | None = None
    is_active: bool | None = None


class AuxiliaryIn(Schema):
    street_id: int
    name: str
    staff_no: str
    duties: str
    contract_start_on: dt.date
    contract_end_on: dt.date


class AuxiliaryOut(Schema):
    id: int
    name: str
    staff_no: str
    street_id: int
    duties: str
    contract_start_on: dt.date
    contract_end_on: dt.date
    status: str


class SinkingShareOut(Schema):
    sunk: int
    total: int
    ratio: float
    percent: str


class AssessmentIn(Schema):
    year: int
    score: Decimal
    grade: str
    note: str = ""
