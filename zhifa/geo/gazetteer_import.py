"""The district gazetteer from a spreadsheet (地名地址库导入): ``places_import``.

Columns (header row, any order; English names or the Chinese aliases in ``COLUMN_ALIASES``):

    kind, name                                                      required
    lon, lat                                                        the point (a road: its start)
    end_lon, end_lat | line                                         roads: the end, or the whole line
    number_from, number_to, parity, aliases, address, coord_system  optional

``kind`` is 道路 / 地标 / 小区 (or road / landmark / compound). A road needs its line: either ``line``
("lon,lat;lon,lat;…", from the lowest house number to the highest) or its two ends (lon/lat to
end_lon/end_lat). ``parity`` is 单号 / 双号 / 单双号 (default): a road numbered by sides is two rows with the
same name, one per side. ``aliases`` are other names people use, separated by 、.

As for subjects (``zhifa.subjects.services.bulk_import``, whose file reading this shares): every row is
checked, every problem is reported with its row and column, and if there is any, nothing is written; one
audit entry for the file (``places.import``, its SHA-256, name and count). ``replace=True`` replaces the
district's whole gazetteer with the file (the usual way a gazetteer is maintained: exported, edited,
re-imported); otherwise the rows are added and a name already in the gazetteer is a row error.

Who: district-wide master-data editors only — a road crosses streets, so no street may rewrite it.
"""

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.db import transaction

from zhifa.core.actors import Actor, is_system
from zhifa.core.audit import audit_record
from zhifa.core.errors import PermissionDenied, ValidationFailed
from zhifa.geo.coords import CoordSystem, to_wgs84
from zhifa.geo.index import grid_index
from zhifa.geo.models import NumberParity, Place, PlaceKind
from zhifa.geo.places import interpolate
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.org.models import District
from zhifa.subjects.tabular import detect_format, read_table

MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_ROWS = 50_000
MAX_REPORTED_ERRORS = 200
MAX_LINE_POINTS = 200
MAX_HOUSE_NUMBER = 99_999

REQUIRED_COLUMNS = ("kind", "name")
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "kind": ("类型", "地名类型"),
    "name": ("名称", "地名", "道路名称"),
    "aliases": ("别名", "俗称"),
    "address": ("地址", "详细地址"),
    "lon": ("经度", "起点经度", "longitude", "lng"),
    "lat": ("纬度", "起点纬度", "latitude"),
    "end_lon": ("终点经度",),
    "end_lat": ("终点纬度",),
    "line": ("线位", "坐标串"),
    "number_from": ("起始门牌号", "门牌起", "起始号"),
    "number_to": ("终止门牌号", "门牌止", "终止号"),
    "parity": ("单双号", "门牌单双号"),
    "coord_system": ("坐标系",),
}
FIELD_LABELS = {field: aliases[0] for field, aliases in COLUMN_ALIASES.items()}
_HEADER_LOOKUP = {alias.lower(): field for field, aliases in COLUMN_ALIASES.items() for alias in (field, *aliases)}
_KINDS = {**{k.value: k.value for k in PlaceKind}, **{k.label: k.value for k in PlaceKind}, "路": "road"}
_PARITIES = {
    "": NumberParity.ALL.value,
    **{p.value: p.value for p in NumberParity},
    **{p.label: p.value for p in NumberParity},
    "单": NumberParity.ODD.value,
    "双": NumberParity.EVEN.value,
    "全部": NumberParity.ALL.value,
}
_SYSTEMS = {
    **{c.value: c.value for c in CoordSystem},
    "gcj-02": "gcj02",
    "bd-09": "bd09",
    "wgs-84": "wgs84",
    "cgcs2000": "wgs84",
    "高德": "gcj02",
    "百度": "bd09",
}


@dataclass(frozen=True)
class PlacesImportResult:
    count: int
    replaced: int
    sha256: str
    file_name: str
    ignored_columns: tuple[str, ...]


def _error(row: int, column: str, field: str, code: str, message: str) -> dict[str, Any]:
    return {"row": row, "column": column, "field": field, "code": code, "message": message}


def _rows_invalid(errors: list[dict[str, Any]]) -> ValidationFailed:
    return ValidationFailed(
        f"导入文件有{len(errors)}处错误，未导入任何记录，请修改后重新导入",
        code="import_rows_invalid",
        details={"errors": errors[:MAX_REPORTED_ERRORS], "error_count": len(errors)},
    )


def _read_input(path_or_file: str | Path | IO[bytes] | Any) -> tuple[bytes, str]:
    if isinstance(path_or_file, str | Path):
        path = Path(path_or_file)
        data = path.read_bytes() if path.stat().st_size <= MAX_FILE_BYTES else None
        name = path.name
    else:
        raw = path_or_file.read(MAX_FILE_BYTES + 1)
        data = bytes(raw) if len(raw) <= MAX_FILE_BYTES else None
        name = Path(str(getattr(path_or_file, "name", "") or "")).name
    if data is None:
        raise ValidationFailed(
            f"文件超过{MAX_FILE_BYTES // 1024 // 1024}MB，请分批导入", code="import_file_too_large", details={}
        )
    return data, name


def places_import(
    *,
    actor: Actor,
    district: District,
    path_or_file: str | Path | IO[bytes] | Any,
    file_format: str | None = None,
    coord_system: str = "wgs84",
    replace: bool = False,
) -> PlacesImportResult:
    """Add every row of the file to the district's gazetteer (or replace the gazetteer with it), or none."""
    if not is_system(actor):
        j = jurisdiction_of(actor)
        if not j.can_edit_master_data or j.is_street_scoped:
            raise PermissionDenied("您的岗位无权导入地名地址库", code="permission_denied")
        if j.district_id != district.pk:
            raise PermissionDenied("该区不在您的管辖范围内", code="outside_jurisdiction")
    default_system = _SYSTEMS.get(str(coord_system).strip().lower())
    if default_system is None:
        raise ValidationFailed(
            f"不支持的坐标系：{coord_system}（可选 wgs84、gcj02、bd09）",
            code="coord_system_unknown",
            details={"system": coord_system},
        )
    data, file_name = _read_input(path_or_file)
    digest = hashlib.sha256(data).hexdigest()
    table = read_table(data, detect_format(data, file_name, file_format))

    index: dict[str, int] = {}
    label: dict[str, str] = {}
    ignored: list[str] = []
    errors: list[dict[str, Any]] = []
    for position, raw in enumerate(table.header):
        text = (raw or "").strip().lstrip("\ufeff")
        if not text:
            continue
        field = _HEADER_LOOKUP.get(text.lower())
        if field is None:
            ignored.append(text)
        elif field in index:
            errors.append(_error(1, text, field, "import_column_duplicate", f"列“{text}”与“{label[field]}”重复"))
        else:
            index[field], label[field] = position, text
    for field in REQUIRED_COLUMNS:
        if field not in index:
            errors.append(
                _error(1, field, field, "import_column_missing", f"缺少必填列 {field}（{FIELD_LABELS[field]}）")
            )
    if errors:
        raise _rows_invalid(errors)

    rows: list[tuple[int, dict[str, Any]]] = []
    for row_number, values in enumerate(table.rows, start=2):
        if not any(v and v.strip() for v in values):
            continue
        if row_number > MAX_ROWS + 1:
            raise ValidationFailed(
                f"单个文件最多导入{MAX_ROWS}行，请分批导入", code="import_too_many_rows", details={"max": MAX_ROWS}
            )
        clean = _check_row(row_number, values, index, label, default_system, errors)
        if clean is not None:
            rows.append((row_number, clean))
    if not rows and not errors:
        raise ValidationFailed("文件中没有数据行", code="import_empty", details={})

    _check_names(district.pk, rows, label, errors, replace=replace)
    _locate(district.pk, rows, label, errors)
    if errors:
        errors.sort(key=lambda e: e["row"])
        raise _rows_invalid(errors)

    with transaction.atomic():
        replaced = 0
        if replace:
            replaced, _ = Place.objects.filter(district_id=district.pk).delete()
        Place.objects.bulk_create([Place(district_id=district.pk, **clean) for _, clean in rows], batch_size=1000)
        audit_record(
            actor=actor,
            action="places.import",
            object_type=Place._meta.label_lower,
            object_id=f"import:{digest[:16]}",
            district_id=district.pk,
            after={
                "count": len(rows),
                "replaced": replaced,
                "sha256": digest,
                "file_name": file_name,
                "coord_system": default_system,
            },
        )
    return PlacesImportResult(
        count=len(rows), replaced=replaced, sha256=digest, file_name=file_name, ignored_columns=tuple(ignored)
    )


def _check_row(
    row_number: int,
    values: list[str],
    index: dict[str, int],
    label: dict[str, str],
    default_system: str,
    errors: list[dict[str, Any]],
) -> dict[str, Any] | None:
    def cell(field: str) -> str:
        i = index.get(field)
        return values[i].strip() if i is not None and i < len(values) and values[i] else ""

    failed = False

    def note(field: str, code: str, message: str) -> None:
        nonlocal failed
        failed = True
        errors.append(_error(row_number, label.get(field, FIELD_LABELS[field]), field, code, message))

    clean: dict[str, Any] = {}
    kind = _KINDS.get(cell("kind").lower()) if cell("kind") else None
    if kind is None:
        note("kind", "place_kind_unknown", f"类型“{cell('kind')}”无效（可选 道路、地标、小区）")
    name = cell("name")
    if not name:
        note("name", "place_name_required", "请填写名称")
    elif len(name) > 100:
        note("name", "field_too_long", "名称不能超过100个字符")
    for field, limit in (("aliases", 200), ("address", 200)):
        if len(cell(field)) > limit:
            note(field, "field_too_long", f"{FIELD_LABELS[field]}不能超过{limit}个字符")
    clean.update(kind=kind, name=name, aliases=cell("aliases"), address=cell("address"))

    system_text = cell("coord_system")
    system = _SYSTEMS.get(system_text.lower()) if system_text else default_system
    if system is None:
        note("coord_system", "coord_system_unknown", f"不支持的坐标系“{system_text}”（可选 wgs84、gcj02、bd09）")
        return None

    def point(lon_text: str, lat_text: str, field: str) -> tuple[float, float] | None:
        try:
            lon, lat = float(lon_text), float(lat_text)
        except ValueError:
            note(field, "coord_invalid", f"坐标“{lon_text}, {lat_text}”不是数字")
            return None
        if math.isnan(lon + lat) or not (-180 <= lon <= 180 and -90 <= lat <= 90):
            note(field, "coord_out_of_range", "经纬度超出取值范围")
            return None
        return to_wgs84(lon, lat, system)

    line: list[tuple[float, float]] = []
    if cell("line"):
        parts = [p for p in cell("line").replace("；", ";").split(";") if p.strip()]
        if len(parts) > MAX_LINE_POINTS:
            note("line", "place_line_too_long", f"线位最多{MAX_LINE_POINTS}个点")
        for part in parts[:MAX_LINE_POINTS]:
            pair = part.replace("，", ",").split(",")
            found = point(pair[0].strip(), pair[1].strip(), "line") if len(pair) == 2 else None
            if len(pair) != 2:
                note("line", "coord_invalid", f"线位中的“{part.strip()}”应为“经度,纬度”")
            if found is None:
                break
            line.append(found)
    elif cell("lon") or cell("lat"):
        start = point(cell("lon"), cell("lat"), "lon")
        if start is not None:
            line.append(start)
        if cell("end_lon") or cell("end_lat"):
            end = point(cell("end_lon"), cell("end_lat"), "end_lon")
            if end is not None:
                line.append(end)
    if failed:
        return None

    numbers: list[int] = []
    for field in ("number_from", "number_to"):
        text = cell(field).removesuffix("号")
        if not text:
            continue
        if not text.isdigit() or not 1 <= int(text) <= MAX_HOUSE_NUMBER:
            note(field, "place_number_invalid", f"{FIELD_LABELS[field]}“{cell(field)}”应为1至{MAX_HOUSE_NUMBER}的整数")
        else:
            numbers.append(int(text))
    parity = _PARITIES.get(cell("parity").lower())
    if parity is None:
        note("parity", "place_parity_unknown", f"单双号“{cell('parity')}”无效（可选 单号、双号、单双号）")
    if failed or kind is None or parity is None:
        return None

    if kind == PlaceKind.ROAD:
        if len(line) < 2:
            note("line", "place_road_line_required", "道路须填写线位，或起点和终点的经纬度")
            return None
        if len(numbers) == 1:
            note("number_to", "place_numbers_incomplete", "起始门牌号和终止门牌号须同时填写")
            return None
        if numbers:
            low, high = numbers
            if low > high:
                note("number_to", "place_numbers_reversed", f"终止门牌号{high}小于起始门牌号{low}")
                return None
            if parity != NumberParity.ALL and (low % 2 != high % 2 or (low % 2 == 1) != (parity == NumberParity.ODD)):
                side = NumberParity(parity).label
                note("parity", "place_parity_mismatch", f"{side}一侧的门牌号范围{low}–{high}两端须都是{side}")
                return None
            clean.update(number_from=low, number_to=high)
        middle = interpolate(line, 0.5)
        clean.update(lon=middle[0], lat=middle[1], line=[[round(x, 7), round(y, 7)] for x, y in line], parity=parity)
    else:
        if len(line) != 1:
            note("lon", "place_point_required", f"{PlaceKind(kind).label}须填写一个点的经纬度（不填终点和线位）")
            return None
        if numbers or cell("parity"):
            note("number_from", "place_numbers_on_point", f"{PlaceKind(kind).label}不填门牌号范围")
            return None
        clean.update(lon=line[0][0], lat=line[0][1], line=[], parity=NumberParity.ALL)
    return clean


def _check_names(
    district_id: int,
    rows: list[tuple[int, dict[str, Any]]],
    label: dict[str, str],
    errors: list[dict[str, Any]],
    *,
    replace: bool,
) -> None:
    column = label.get("name", "名称")
    first: dict[tuple[str, str, str], int] = {}
    for row_number, clean in rows:
        key = (clean["kind"], clean["name"], clean["parity"])
        if key in first:
            message = f"“{clean['name']}”与第{first[key]}行重复（同名道路分单双号两侧时请填写单双号）"
            errors.append(_error(row_number, column, "name", "place_duplicate_in_file", message))
        else:
            first[key] = row_number
    if replace:
        return
    taken = set(Place.objects.filter(district_id=district_id).values_list("kind", "name", "parity"))
    for key, row_number in first.items():
        if key in taken:
            message = f"“{key[1]}”已在地名地址库中（整体更新请选择替换导入）"
            errors.append(_error(row_number, column, "name", "place_name_taken", message))


def _locate(
    district_id: int, rows: list[tuple[int, dict[str, Any]]], label: dict[str, str], errors: list[dict[str, Any]]
) -> None:
    """Every point of every row inside the district; the street from the row's own point (a road's middle)."""
    if not rows:
        return
    index = grid_index(district_id)
    lons: list[float] = []
    lats: list[float] = []
    owners: list[int] = []
    for i, (_, clean) in enumerate(rows):
        for x, y in [(clean["lon"], clean["lat"]), *((p[0], p[1]) for p in clean["line"])]:
            lons.append(x)
            lats.append(y)
            owners.append(i)
    found = index.locate_many(lons, lats).tolist() if len(index.grid_ids) else [-1] * len(lons)
    street_ids = index.street_ids.tolist()
    outside: set[int] = set()
    first_of: dict[int, int] = {}
    for k, (owner, at) in enumerate(zip(owners, found, strict=True)):
        first_of.setdefault(owner, k)
        if at < 0 and owner not in outside:
            outside.add(owner)
            row_number, clean = rows[owner]
            message = f"“{clean['name']}”的坐标（{lons[k]:.6f}, {lats[k]:.6f}）不在辖区范围内"
            errors.append(_error(row_number, label.get("lon", "经度"), "lon", "point_outside_district", message))
    for i, (_, clean) in enumerate(rows):
        if i not in outside:
            clean["street_id"] = street_ids[found[first_of[i]]]
