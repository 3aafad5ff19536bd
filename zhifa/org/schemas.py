import datetime as dt
from decimal import Decimal

from ninja import Schema

from zhifa.core.api_input import Id, omittable


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
    home_department_id: Id
    street_id: Id | None = None
    zone_id: Id | None = None
    phone: str = ""


class OfficerPatch(Schema):
    """Only the fields sent are changed; ``street_id`` and ``zone_id`` may be null (no street or zone)."""

    name: str = omittable()
    certificate_no: str = omittable()
    certificate_valid_until: dt.date = omittable()
    street_id: Id | None = omittable()
    zone_id: Id | None = omittable()
    phone: str = omittable()
    is_active: bool = omittable()


class AuxiliaryIn(Schema):
    street_id: Id
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
