"""Registering one subject and changing it: ``subject_create``, ``subject_update``.

Both validate everything before writing (bad input changes nothing), store the point in WGS-84, take
street/zone/grid from the point, and write the subject and its audit entry in one transaction.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction

from zhifa.catalog.models import SubjectCategory
from zhifa.core.actors import Actor
from zhifa.core.audit import audit_record, snapshot
from zhifa.core.errors import Conflict, PermissionDenied, ValidationFailed
from zhifa.geo.services import Location, locate_point, to_wgs84
from zhifa.org.jurisdiction import Jurisdiction
from zhifa.org.models import District
from zhifa.subjects import rules
from zhifa.subjects.models import Licence, Subject
from zhifa.subjects.permissions import can_change_subject_status, can_record_subject, covers_street
from zhifa.subjects.search_keys import name_search_keys
from zhifa.subjects.services.actors import acting_jurisdiction

_NO_RIGHT = "您的岗位无权登记或修改执法对象"

UPDATABLE_FIELDS = frozenset(
    {
        "kind",
        "category",
        "name",
        "address",
        "uscc",
        "id_number",
        "plate_number",
        "responsible_person",
        "phone",
        "lon",
        "lat",
        "coord_system",
        "is_active",
    }
)


def _locate_in_jurisdiction(
    j: Jurisdiction | None, *, district_id: int, lon: float, lat: float, coord_system: str
) -> tuple[float, float, Location]:
    w_lon, w_lat = to_wgs84(lon, lat, coord_system)
    location = locate_point(district_id=district_id, lon=w_lon, lat=w_lat)
    if j is not None and not covers_street(j, location.street_id):
        raise PermissionDenied(
            "该位置不在您所在街道的辖区内", code="outside_jurisdiction", details={"lon": lon, "lat": lat}
        )
    return w_lon, w_lat, location


def _ensure_identifiers_free(*, district_id: int, uscc: str, plate_number: str, exclude_pk: int | None) -> None:
    """A friendly early answer; the unique constraints are what actually prevent a duplicate under races."""
    others = Subject.objects.filter(district_id=district_id)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if uscc and others.filter(uscc=uscc).exists():
        raise Conflict(
            f"统一社会信用代码 {uscc} 已登记为其他执法对象", code="subject_uscc_taken", details={"uscc": uscc}
        )
    if plate_number and others.filter(plate_number=plate_number).exists():
        raise Conflict(
            f"车牌号 {plate_number} 已登记为其他执法对象",
            code="subject_plate_taken",
            details={"plate_number": plate_number},
        )


def _save_guarded(subject: Subject, **save_kwargs: Any) -> None:
    try:
        with transaction.atomic():
            subject.save(**save_kwargs)
    except IntegrityError:
        # Another request registered the same code between our check and this write.
        raise Conflict(
            "统一社会信用代码或车牌号已被其他执法对象登记", code="subject_identifier_taken", details={}
        ) from None


def _parse_date(value: Any, *, index: int, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed(
            f"第{index + 1}个证照的日期“{value}”格式不正确（应为 YYYY-MM-DD）",
            code="licence_date_invalid",
            details={"index": index, "field": field},
        ) from None


def _clean_licence(data: Mapping[str, Any], index: int) -> dict[str, Any]:
    labels = {"kind": "证照类型", "number": "证照编号", "issued_by": "发证机关", "valid_from": "有效期起"}
    cleaned: dict[str, Any] = {}
    for field, limit in (("kind", 50), ("number", 50), ("issued_by", 100)):  # Licence's max_length
        text = str(data.get(field) or "").strip()
        if not text or len(text) > limit:
            raise ValidationFailed(
                f"第{index + 1}个证照的{labels[field]}未填写或超过{limit}个字符",
                code="licence_field_invalid",
                details={"index": index, "field": field},
            )
        cleaned[field] = text
    cleaned["valid_from"] = _parse_date(data.get("valid_from"), index=index, field="valid_from")
    cleaned["valid_until"] = _parse_date(data.get("valid_until"), index=index, field="valid_until")
    if cleaned["valid_from"] is None:
        raise ValidationFailed(
            f"第{index + 1}个证照未填写{labels['valid_from']}",
            code="licence_field_invalid",
            details={"index": index, "field": "valid_from"},
        )
    if cleaned["valid_until"] is not None and cleaned["valid_until"] < cleaned["valid_from"]:
        raise ValidationFailed(
            f"第{index + 1}个证照的有效期止早于有效期起",
            code="licence_period_invalid",
            details={"index": index, "field": "valid_until"},
        )
    return cleaned


def subject_create(
    *,
    actor: Actor,
    district: District,
    kind: str,
    category: str,
    name: str,
    address: str,
    lon: float,
    lat: float,
    coord_system: str = "wgs84",
    uscc: str = "",
    id_number: str = "",
    plate_number: str = "",
    responsible_person: str = "",
    phone: str = "",
    licences: Iterable[Mapping[str, Any]] = (),
) -> Subject:
    """Register one subject (执法对象登记).

    Who: master-data editors anywhere in their scope, and auxiliary staff in their own street — recording
    a shop found on patrol is information collection, which ZJR 30 allows them (see ``permissions``).
    A street-scoped user may only register a point inside their street.
    """
    j = acting_jurisdiction(actor, district_id=district.pk, allowed=can_record_subject, message=_NO_RIGHT)
    subject_kind = rules.parse_kind(kind)
    subject_category: SubjectCategory = rules.parse_category(category)
    clean_name = rules.check_text("name", name, required=True)
    clean_address = rules.check_text("address", address, required=True)
    clean_person = rules.check_text("responsible_person", responsible_person)
    clean_phone = rules.check_phone(phone)
    clean_uscc, clean_id, clean_plate = rules.check_identifiers(
        kind=subject_kind, uscc=uscc, id_number=id_number, plate_number=plate_number
    )
    clean_licences = [_clean_licence(item, i) for i, item in enumerate(licences)]
    w_lon, w_lat, location = _locate_in_jurisdiction(
        j, district_id=district.pk, lon=lon, lat=lat, coord_system=coord_system
    )
    name_pinyin, name_initials = name_search_keys(clean_name)
    with transaction.atomic():
        _ensure_identifiers_free(district_id=district.pk, uscc=clean_uscc, plate_number=clean_plate, exclude_pk=None)
        subject = Subject(
            district=district,
            kind=subject_kind,
            category=subject_category,
            name=clean_name,
            name_pinyin=name_pinyin,
            name_initials=name_initials,
            uscc=clean_uscc,
            id_number=clean_id,
            plate_number=clean_plate,
            responsible_person=clean_person,
            phone=clean_phone,
            address=clean_address,
            lon=w_lon,
            lat=w_lat,
            street_id=location.street_id,
            zone_id=location.zone_id,
            grid_id=location.grid_id,
        )
        _save_guarded(subject, force_insert=True)
        created = Licence.objects.bulk_create(Licence(subject=subject, **item) for item in clean_licences)
        audit_record(
            actor=actor,
            action="subject.create",
            obj=subject,
            after={**snapshot(subject), "licences": [snapshot(licence) for licence in created]},
        )
    return subject


def subject_update(*, actor: Actor, subject: Subject, **changes: Any) -> Subject:
    """Change a subject's details (执法对象信息变更); returns the saved subject.

    ``lon``/``lat`` come together (in ``coord_system``, WGS-84 by default) and re-assign street, zone and
    grid. ``is_active`` takes a subject off or back onto the register: a decision, so not for auxiliary
    staff (ZJR 30). A change that changes nothing writes nothing, not even an audit entry.
    """
    unknown = sorted(set(changes) - UPDATABLE_FIELDS)
    if unknown:
        raise ValidationFailed(
            f"不能修改的字段：{'、'.join(unknown)}", code="subject_field_unknown", details={"fields": unknown}
        )
    if ("lon" in changes) != ("lat" in changes) or ("coord_system" in changes and "lon" not in changes):
        raise ValidationFailed("修改位置时须同时提供经度和纬度", code="coord_pair_required", details={})
    j = acting_jurisdiction(actor, district_id=subject.district_id, allowed=can_record_subject, message=_NO_RIGHT)
    with transaction.atomic():
        current = Subject.objects.select_for_update().get(pk=subject.pk)
        if j is not None and not covers_street(j, current.street_id):
            raise PermissionDenied("该执法对象不在您所在街道的辖区内", code="outside_jurisdiction")
        updates: dict[str, Any] = {}
        if "is_active" in changes:
            if not isinstance(changes["is_active"], bool):
                raise ValidationFailed("在营状态应为是或否", code="is_active_invalid", details={"field": "is_active"})
            if changes["is_active"] != current.is_active and j is not None and not can_change_subject_status(j):
                raise PermissionDenied("辅助人员不能注销或恢复执法对象（只能采集信息）", code="decision_not_allowed")
            updates["is_active"] = changes["is_active"]
        kind = rules.parse_kind(changes.get("kind", current.kind))
        updates["kind"] = kind
        updates["category"] = rules.parse_category(changes.get("category", current.category))
        for field in ("name", "address"):
            updates[field] = rules.check_text(field, changes.get(field, getattr(current, field)), required=True)
        updates["responsible_person"] = rules.check_text(
            "responsible_person", changes.get("responsible_person", current.responsible_person)
        )
        updates["phone"] = rules.check_phone(changes.get("phone", current.phone))
        updates["uscc"], updates["id_number"], updates["plate_number"] = rules.check_identifiers(
            kind=kind,
            uscc=changes.get("uscc", current.uscc),
            id_number=changes.get("id_number", current.id_number),
            plate_number=changes.get("plate_number", current.plate_number),
        )
        if "lon" in changes:
            lon = rules.parse_coordinate("lon", changes["lon"])
            lat = rules.parse_coordinate("lat", changes["lat"])
            w_lon, w_lat, location = _locate_in_jurisdiction(
                j,
                district_id=current.district_id,
                lon=lon,
                lat=lat,
                coord_system=changes.get("coord_system") or "wgs84",
            )
            updates.update(
                lon=w_lon,
                lat=w_lat,
                street_id=location.street_id,
                zone_id=location.zone_id,
                grid_id=location.grid_id,
            )
        if updates["name"] != current.name:
            updates["name_pinyin"], updates["name_initials"] = name_search_keys(updates["name"])
        updates = {f: v for f, v in updates.items() if getattr(current, f) != v}
        if not updates:
            return current
        _ensure_identifiers_free(
            district_id=current.district_id,
            uscc=updates.get("uscc", ""),
            plate_number=updates.get("plate_number", ""),
            exclude_pk=current.pk,
        )
        changed = [Subject._meta.get_field(f).name for f in updates]
        before = snapshot(current, fields=changed)
        for field, value in updates.items():
            setattr(current, field, value)
        _save_guarded(current, update_fields=[*changed, "updated_at"])
        audit_record(
            actor=actor, action="subject.update", obj=current, before=before, after=snapshot(current, fields=changed)
        )
    return current
