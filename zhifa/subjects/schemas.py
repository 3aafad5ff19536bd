"""What the subjects API accepts and returns — only the fields meant to be exposed.

The resident ID number of an individual trader is personal data: it leaves the system masked (APL 48).
"""

import datetime as dt

from ninja import Field, Schema

from zhifa.catalog.models import SubjectCategory
from zhifa.core.api_input import FiniteFloat, Id, Text, omittable
from zhifa.core.identifiers import mask_id_number
from zhifa.geo.services import CoordSystem
from zhifa.subjects.models import Subject, SubjectKind


class PlaceOut(Schema):
    id: int
    name: str


class LicenceIn(Schema):
    kind: str = Field(..., max_length=50, description="证照类型，如“食品经营许可证”")
    number: str = Field(..., max_length=50)
    issued_by: str = Field(..., max_length=100)
    valid_from: dt.date
    valid_until: dt.date | None = None


class LicenceOut(Schema):
    id: int
    kind: str
    number: str
    issued_by: str
    valid_from: dt.date
    valid_until: dt.date | None


class SubjectMatterOut(Schema):
    code: str
    name: str
    department: str = Field(..., description="责任部门名称")


class SubjectOut(Schema):
    id: int
    kind: SubjectKind
    kind_label: str
    category: SubjectCategory
    category_label: str
    name: str
    name_initials: str
    uscc: str
    id_number: str = Field(..., description="经营者身份证号码（已脱敏）")
    plate_number: str
    responsible_person: str
    phone: str
    address: str
    lon: float = Field(..., description="经度(WGS-84)")
    lat: float = Field(..., description="纬度(WGS-84)")
    street: PlaceOut
    zone: PlaceOut
    grid: PlaceOut
    is_active: bool
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_id_number(obj: Subject) -> str:
        return mask_id_number(obj.id_number)

    @staticmethod
    def resolve_kind_label(obj: Subject) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_category_label(obj: Subject) -> str:
        return str(obj.get_category_display())


class SubjectDetailOut(SubjectOut):
    licences: list[LicenceOut]
    matters: list[SubjectMatterOut] = Field([], description="适用的执法事项（由 subject_matters 填入）")


class SubjectFilterIn(Schema):
    q: Text | None = Field(None, description="名称、地址、统一社会信用代码或拼音首字母（如 zwg）")
    street_id: Id | None = None
    kind: SubjectKind | None = None
    category: SubjectCategory | None = None


class SubjectCreateIn(Schema):
    kind: SubjectKind
    category: SubjectCategory
    name: str
    address: str
    lon: FiniteFloat
    lat: FiniteFloat
    coord_system: CoordSystem = CoordSystem.WGS84
    uscc: str = ""
    id_number: str = ""
    plate_number: str = ""
    responsible_person: str = ""
    phone: str = ""
    licences: list[LicenceIn] = []


class SubjectUpdateIn(Schema):
    """Only the fields sent are changed; ``lon`` and ``lat`` come together."""

    kind: SubjectKind = omittable()
    category: SubjectCategory = omittable()
    name: str = omittable()
    address: str = omittable()
    lon: FiniteFloat = omittable()
    lat: FiniteFloat = omittable()
    coord_system: CoordSystem = omittable()
    uscc: str = omittable()
    id_number: str = omittable()
    plate_number: str = omittable()
    responsible_person: str = omittable()
    phone: str = omittable()
    is_active: bool = omittable()


class SubjectImportOut(Schema):
    count: int
    sha256: str
    file_name: str
    ignored_columns: list[str]
