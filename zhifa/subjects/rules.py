"""What makes a subject's data valid, as pure functions shared by the form/API path and the bulk import.

Each check returns the normalised value or raises ``ValidationFailed`` whose ``details["field"]`` names the
offending field, so that the import can report the column and the API can point at the input.

Which identifier a subject must carry follows from its kind:

- 企业 (business): a 统一社会信用代码, checked per GB 32100-2015.
- 个体工商户 (individual trader): a 统一社会信用代码, or — for the many traders registered before 2016 or
  never re-issued one — the operator's 居民身份证号码 (GB 11643-1999).
- 车辆 (vehicle): a plate number.
- sites and street vendors: none required; whatever is given is still checked.
"""

import re
from typing import Any

from zhifa.catalog.models import SubjectCategory
from zhifa.core.errors import ValidationFailed
from zhifa.core.identifiers import validate_id_number, validate_uscc
from zhifa.subjects.models import Subject, SubjectKind

# Labels as people write them in spreadsheets, besides the codes and the official labels.
_KIND_ALIASES = {"个体户": SubjectKind.INDIVIDUAL_TRADER, "公司": SubjectKind.BUSINESS, "单位": SubjectKind.BUSINESS}
KIND_LOOKUP: dict[str, SubjectKind] = {
    **{k.value: k for k in SubjectKind},
    **{str(k.label): k for k in SubjectKind},
    **_KIND_ALIASES,
}
CATEGORY_LOOKUP: dict[str, SubjectCategory] = {
    **{c.value: c for c in SubjectCategory},
    **{str(c.label): c for c in SubjectCategory},
}

# GA 36-2018 plates: province abbreviation, issuing-office letter, then 5 characters (6 for new-energy
# plates), the last of which may be 挂/学/警/港/澳.
_PLATE_RE = re.compile(
    r"^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Z][A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9挂学警港澳]$"
)
_PLATE_NOISE = re.compile(r"[\s·•\-]")
_PHONE_RE = re.compile(r"^\+?[0-9][0-9\- ]{4,19}$")

MAX_LENGTH: dict[str, int] = {
    f.name: f.max_length
    for f in Subject._meta.concrete_fields
    if f.max_length is not None and f.name not in {"name_pinyin", "name_initials"}
}
FIELD_LABELS: dict[str, str] = {f.name: str(f.verbose_name) for f in Subject._meta.concrete_fields}


def _fail(field: str, code: str, message: str, **details: Any) -> ValidationFailed:
    return ValidationFailed(message, code=code, details={"field": field, **details})


def _with_field(exc: ValidationFailed, field: str) -> ValidationFailed:
    details = exc.details if isinstance(exc.details, dict) else {}
    return ValidationFailed(exc.message, code=exc.code, details={"field": field, **details})


def parse_kind(value: Any) -> SubjectKind:
    text = str(value or "").strip()
    if not text:
        raise _fail("kind", "subject_kind_required", "请填写执法对象类型")
    kind = KIND_LOOKUP.get(text) or KIND_LOOKUP.get(text.lower())
    if kind is None:
        allowed = "、".join(str(k.label) for k in SubjectKind)
        raise _fail("kind", "subject_kind_unknown", f"未知的执法对象类型“{text}”（可选：{allowed}）", value=text)
    return kind


def parse_category(value: Any) -> SubjectCategory:
    text = str(value or "").strip()
    if not text:
        raise _fail("category", "subject_category_required", "请填写业态")
    category = CATEGORY_LOOKUP.get(text) or CATEGORY_LOOKUP.get(text.lower())
    if category is None:
        raise _fail("category", "subject_category_unknown", f"未知的业态“{text}”，请使用业态目录中的名称", value=text)
    return category


def check_text(field: str, value: Any, *, required: bool = False) -> str:
    text = str(value if value is not None else "").strip()
    label = FIELD_LABELS[field]
    if required and not text:
        raise _fail(field, f"subject_{field}_required", f"请填写{label}")
    limit = MAX_LENGTH.get(field)
    if limit is not None and len(text) > limit:
        raise _fail(field, "field_too_long", f"{label}不能超过{limit}个字符（实际{len(text)}个）", max_length=limit)
    return text


def check_phone(value: Any) -> str:
    phone = check_text("phone", value)
    if phone and not _PHONE_RE.match(phone):
        raise _fail("phone", "phone_invalid", f"联系电话“{phone}”格式不正确", value=phone)
    return phone


def normalise_plate(value: Any) -> str:
    return _PLATE_NOISE.sub("", str(value or "")).upper()


def check_plate(value: Any) -> str:
    plate = normalise_plate(value)
    if plate and not _PLATE_RE.match(plate):
        raise _fail("plate_number", "plate_number_invalid", f"车牌号“{plate}”格式不正确", value=plate)
    return plate


def check_identifiers(*, kind: str, uscc: Any, id_number: Any, plate_number: Any) -> tuple[str, str, str]:
    """Normalised ``(uscc, id_number, plate_number)`` for a subject of ``kind``."""
    uscc_text = str(uscc or "").strip()
    id_text = str(id_number or "").strip()
    if kind == SubjectKind.BUSINESS and not uscc_text:
        raise _fail("uscc", "uscc_required", "企业须填写统一社会信用代码")
    if kind == SubjectKind.INDIVIDUAL_TRADER and not uscc_text and not id_text:
        raise _fail("uscc", "uscc_or_id_number_required", "个体工商户须填写统一社会信用代码或经营者身份证号码")
    try:
        uscc_norm = validate_uscc(uscc_text) if uscc_text else ""
    except ValidationFailed as exc:
        raise _with_field(exc, "uscc") from None
    try:
        id_norm = validate_id_number(id_text) if id_text else ""
    except ValidationFailed as exc:
        raise _with_field(exc, "id_number") from None
    plate = check_plate(plate_number)
    if kind == SubjectKind.VEHICLE and not plate:
        raise _fail("plate_number", "plate_number_required", "车辆须填写车牌号")
    return uscc_norm, id_norm, plate


def parse_coordinate(field: str, value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = str(value or "").strip()
    label = "经度" if field == "lon" else "纬度"
    if not text:
        raise _fail(field, f"{field}_required", f"请填写{label}")
    try:
        return float(text)
    except ValueError:
        raise _fail(field, "coord_invalid", f"{label}“{text}”不是数字", value=text) from None
