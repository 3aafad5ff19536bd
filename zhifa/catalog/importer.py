"""Import the enforcement-matter catalogue from a spreadsheet a person edits in Excel (CSV or XLSX).

One row per matter; the columns are ``COLUMNS`` below (English keys or their Chinese labels as headers).
Multi-valued cells are separated by ``|`` (or ``；``/``;``); keywords by spaces. Codes or Chinese labels are
accepted for domains, penalty kinds and subject categories. Layout and code scheme: docs/catalog.md.

Every row is checked before anything is written. If any row is wrong, ``ValidationFailed`` lists every
error with its spreadsheet row (the header is row 1), column and a Chinese message, and nothing changes —
a half-imported catalogue would leave cases citing a basis nobody reviewed (DESIGN.md: bad input changes
nothing). Otherwise the matters are upserted by code in one transaction with one audit entry each.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

import openpyxl
from django.db import transaction

from zhifa.catalog.models import DiscretionTier, Domain, Matter, PenaltyKind, SubjectCategory
from zhifa.catalog.permissions import require_catalogue_editor
from zhifa.catalog.services import (
    DEFAULT_RESULT_TYPES,
    PHRASE_MAX,
    ImportResult,
    matter_handling_add,
    matters_upsert,
)
from zhifa.catalog.specs import ALL_CATEGORIES, TIER_ORDER, MatterSpec, TierSpec, spec_problems
from zhifa.core.actors import Actor
from zhifa.core.errors import ValidationFailed
from zhifa.org.models import Department, District

SHIPPED_CATALOGUE = Path(__file__).resolve().parent / "data" / "matters.csv"
"""The district catalogue that ships with the product (written from the statutes; reviewed before use)."""


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    required: bool


_TIER_LABELS: dict[str, str] = {
    DiscretionTier.MINOR.value: "轻微",
    DiscretionTier.SERIOUS.value: "较重",
    DiscretionTier.SEVERE.value: "严重",
}

COLUMNS: list[Column] = [
    Column("code", "事项编码", True),
    Column("name", "事项名称", True),
    Column("domain", "领域", True),
    Column("department", "责任部门", True),
    Column("law_name", "法律依据", True),
    Column("violated_provision", "违则", True),
    Column("penalty_provision", "罚则", True),
    Column("penalty_kinds", "处罚种类", True),
    Column("first_violation_exempt", "首违不罚", False),
    Column("first_violation_condition", "首违不罚条件", False),
    Column("subject_categories", "适用对象", True),
    Column("keywords", "关键词", False),
    Column("checklist", "检查要点", True),
    *[
        Column(f"{tier}_{part}", f"{_TIER_LABELS[tier]}{label}", required)
        for tier in TIER_ORDER
        for part, label, required in (
            ("fine_min", "罚款下限", False),
            ("fine_max", "罚款上限", False),
            ("circumstances", "情形", True),
            ("penalty", "处罚标准", True),
        )
    ],
    Column("requires_two_officers", "须两名持证人员", False),
    Column("is_active", "启用", False),
    # The matter's own 常用语 and 处置结果类型 for the officer's handle form (issue 16), after the district's
    # defaults; a result type ending in "*" needs a photo (``HANDLING_PHOTO_MARK``). Added, never removed.
    Column("handling_phrases", "常用语", False),
    Column("handling_result_types", "处置结果类型", False),
]
HANDLING_PHOTO_MARK = "*"
RESULT_TYPE_NAME_MAX = 30
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
HEADER_NAMES = {c.key: c.key for c in COLUMNS} | {c.label: c.key for c in COLUMNS}

SEPARATORS = ("|", "；", ";")

# Penalty kinds as people write them (APL 9), mapped to the stored codes.
PENALTY_KIND_ALIASES = {
    "警告": PenaltyKind.WARNING,
    "通报批评": PenaltyKind.REPRIMAND,
    "罚款": PenaltyKind.FINE,
    "没收违法所得": PenaltyKind.CONFISCATION,
    "没收非法财物": PenaltyKind.CONFISCATION,
    "暂扣许可证件": PenaltyKind.QUALIFICATION_DOWNGRADE,
    "降低资质等级": PenaltyKind.QUALIFICATION_DOWNGRADE,
    "吊销许可证件": PenaltyKind.LICENCE_REVOCATION,
    "吊销营业执照": PenaltyKind.LICENCE_REVOCATION,
    "限制开展生产经营活动": PenaltyKind.RESTRICTION,
    "责令停产停业": PenaltyKind.RESTRICTION,
    "责令关闭": PenaltyKind.RESTRICTION,
    "限制从业": PenaltyKind.RESTRICTION,
    "行政拘留": PenaltyKind.DETENTION,
} | {k.label: k for k in PenaltyKind}

_TRUE = {"是", "y", "yes", "true", "1", "适用"}
_FALSE = {"否", "n", "no", "false", "0", "不适用"}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "code": self.code, "message": self.message}


def matters_import(
    *, actor: Actor, district: District, path_or_file: str | Path | IO[bytes], file_format: str | None = None
) -> ImportResult:
    """Validate every row of the file, then upsert all matters in one transaction, or raise
    ``ValidationFailed(code="import_rows_invalid")`` with every row error and write nothing."""
    # Refuse before reading: a forbidden user learns nothing about the file's problems.
    require_catalogue_editor(actor, district_id=district.pk)
    name, content = _read_bytes(path_or_file)
    rows = list(_rows(content, file_format or _guess_format(name, content)))
    additions, addition_errors = handling_parse(rows)
    try:
        specs = matters_parse(rows, district=district)
    except ValidationFailed as exc:
        # Every row's problems in one answer, those of the two handling columns too.
        listed = exc.details.get("errors", []) if isinstance(exc.details, dict) else []
        if addition_errors and listed:
            merged = [RowError(**e) for e in listed] + addition_errors
            raise _invalid(sorted(merged, key=lambda e: e.row)) from exc
        raise
    if addition_errors:
        raise _invalid(addition_errors)
    with transaction.atomic():
        result = matters_upsert(actor=actor, district_id=district.pk, specs=specs, reason=f"批量导入执法事项：{name}")
        codes = dict(Matter.objects.filter(district=district, code__in=list(additions)).values_list("code", "pk"))
        for code, (phrases, result_types) in additions.items():
            matter_handling_add(actor=actor, matter_id=codes[code], phrases=phrases, result_types=result_types)
    return result


def handling_parse(
    rows: list[list[Any]],
) -> tuple[dict[str, tuple[list[str], list[tuple[str, str, bool]]]], list[RowError]]:
    """The 常用语 and 处置结果类型 columns, by matter code: phrases, and result types as (code, name,
    requires_photo) — a name the district's defaults use keeps the default's code (the matter's own takes its
    place), any other name is its own code. Rows without a code are left to ``matters_parse`` to report."""
    if not rows:
        return {}, []
    keys, _ = _header(rows[0])
    default_codes = {name: code for code, name, _ in DEFAULT_RESULT_TYPES}
    found: dict[str, tuple[list[str], list[tuple[str, str, bool]]]] = {}
    errors: list[RowError] = []
    for row_number, cells in enumerate(rows[1:], start=2):
        values = {key: _text(cells[i] if i < len(cells) else None) for i, key in enumerate(keys) if key}
        code = values.get("code", "")
        phrases = _split(values.get("handling_phrases", ""))
        entries = _split(values.get("handling_result_types", ""))
        if not code or not (phrases or entries):
            continue
        for phrase in phrases:
            if len(phrase) > PHRASE_MAX:
                errors.append(_error(row_number, "handling_phrases", "too_long", f"常用语不能超过{PHRASE_MAX}字"))
        result_types = []
        for entry in entries:
            photo = entry.endswith(HANDLING_PHOTO_MARK)
            name = entry.rstrip(HANDLING_PHOTO_MARK).strip()
            if not name or len(name) > RESULT_TYPE_NAME_MAX:
                errors.append(
                    _error(
                        row_number,
                        "handling_result_types",
                        "invalid_result_type",
                        f"处置结果类型“{entry[:40]}”须为1至{RESULT_TYPE_NAME_MAX}字（须拍照的在末尾加 *）",
                    )
                )
                continue
            result_types.append((default_codes.get(name, name), name, photo))
        found[code] = (phrases, result_types)
    return found, errors


def matters_parse(rows: Iterable[list[Any]], *, district: District) -> list[MatterSpec]:
    """Header row + data rows → specs, or ``ValidationFailed`` with every row's errors."""
    iterator = iter(rows)
    header = next(iterator, None)
    if header is None:
        raise _invalid([RowError(1, "", "empty_file", "文件为空，缺少表头")])
    keys, errors = _header(header)
    if errors:
        raise _invalid(errors)
    departments = dict(Department.objects.filter(district=district).values_list("code", "pk"))
    specs: list[MatterSpec] = []
    first_row_of_code: dict[str, int] = {}
    for row_number, cells in enumerate(iterator, start=2):
        values = {key: _text(cells[i] if i < len(cells) else None) for i, key in enumerate(keys) if key}
        if not any(values.values()):
            continue  # blank lines between blocks are common in hand-edited sheets
        parser = _RowParser(row_number, values, departments)
        spec = parser.spec()
        errors += parser.errors
        code = values.get("code", "")
        if code:
            if code in first_row_of_code:
                errors.append(
                    _error(row_number, "code", "duplicate_code", f"事项编码 {code} 与第{first_row_of_code[code]}行重复")
                )
            else:
                first_row_of_code[code] = row_number
        if spec is not None:
            specs.append(spec)
    if errors:
        raise _invalid(errors)
    if not specs:
        raise _invalid([RowError(2, "", "no_rows", "文件中没有事项数据")])
    return specs


class _RowParser:
    """Turns one row's cells into a spec, collecting every problem rather than stopping at the first."""

    def __init__(self, row: int, values: dict[str, str], departments: dict[str, int]) -> None:
        self.row = row
        self.values = values
        self.departments = departments
        self.errors: list[RowError] = []

    def fail(self, column: str, code: str, detail: str) -> None:
        self.errors.append(_error(self.row, column, code, detail))

    def spec(self) -> MatterSpec | None:
        for column in COLUMNS:
            if column.required and not self.values.get(column.key):
                self.fail(column.key, "required", "必填，不能为空")
        department_code = self.values.get("department", "")
        department_id = self.departments.get(department_code)
        if department_code and department_id is None:
            self.fail("department", "unknown_department", f"部门编码 {department_code} 不存在")
        domain = self._choice("domain", Domain, "unknown_domain", "领域")
        kinds = [self._penalty_kind(v) for v in _split(self.values.get("penalty_kinds", ""))]
        categories = [self._category(v) for v in _split(self.values.get("subject_categories", ""))]
        tiers = [self._tier(tier) for tier in TIER_ORDER]
        exempt = self._bool("first_violation_exempt", default=False)
        two_officers = self._bool("requires_two_officers", default=False)
        is_active = self._bool("is_active", default=True)
        # Build the spec even when cells were unreadable, so that the shared checks (tier ordering, fine
        # kind) still report on this row; a column already in error is not reported twice.
        spec = MatterSpec(
            code=self.values.get("code", ""),
            name=self.values.get("name", ""),
            domain=domain,
            department_id=department_id or 0,
            law_name=self.values.get("law_name", ""),
            violated_provision=self.values.get("violated_provision", ""),
            penalty_provision=self.values.get("penalty_provision", ""),
            penalty_kinds=[k for k in kinds if k],
            subject_categories=[c for c in categories if c],
            tiers=tiers,
            checklist=_split(self.values.get("checklist", "")),
            is_first_violation_exempt=exempt,
            first_violation_condition=self.values.get("first_violation_condition", ""),
            keywords=self.values.get("keywords", ""),
            requires_two_officers=two_officers,
            is_active=is_active,
        )
        flagged = {e.column for e in self.errors}
        for problem in spec_problems(spec):
            key = problem.column if problem.column in COLUMN_BY_KEY else ""
            if key not in flagged or not key:
                self.errors.append(_error(self.row, key, problem.code, problem.message))
        return None if self.errors else spec

    def _choice(self, key: str, choices: Any, code: str, noun: str) -> str:
        raw = self.values.get(key, "")
        if not raw:
            return ""
        by_label = {c.label: c.value for c in choices}
        if raw in choices.values:
            return raw
        if raw in by_label:
            return str(by_label[raw])
        self.fail(key, code, f"{noun} {raw} 不存在")
        return ""

    def _penalty_kind(self, raw: str) -> str:
        if raw in PenaltyKind.values:
            return raw
        kind = PENALTY_KIND_ALIASES.get(raw)
        if kind is None:
            self.fail("penalty_kinds", "unknown_penalty_kind", f"处罚种类 {raw} 不存在")
            return ""
        return str(kind.value)

    def _category(self, raw: str) -> str:
        if raw == ALL_CATEGORIES or raw in SubjectCategory.values:
            return raw
        by_label = {c.label: c.value for c in SubjectCategory}
        if raw in by_label:
            return str(by_label[raw])
        self.fail("subject_categories", "unknown_subject_category", f"适用对象业态 {raw} 不存在")
        return ""

    def _tier(self, tier: str) -> TierSpec:
        return TierSpec(
            tier=tier,
            circumstances=self.values.get(f"{tier}_circumstances", ""),
            penalty=self.values.get(f"{tier}_penalty", ""),
            fine_min=self._decimal(f"{tier}_fine_min"),
            fine_max=self._decimal(f"{tier}_fine_max"),
        )

    def _decimal(self, key: str) -> Decimal | None:
        """The cell as exact yuan (never through float); None when blank or unreadable (error recorded)."""
        raw = self.values.get(key, "").replace(",", "").replace("，", "")
        if raw.endswith("元"):
            raw = raw[:-1].strip()
        if not raw:
            return None
        try:
            value = Decimal(raw)
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite():
            self.fail(key, "bad_decimal", f"“{self.values[key]}”不是有效的金额")
            return None
        return value

    def _bool(self, key: str, *, default: bool) -> bool:
        raw = self.values.get(key, "").lower()
        if not raw:
            return default
        if raw in _TRUE:
            return True
        if raw in _FALSE:
            return False
        self.fail(key, "bad_boolean", f"“{self.values[key]}”应填“是”或“否”")
        return default


def _header(cells: list[Any]) -> tuple[list[str | None], list[RowError]]:
    errors: list[RowError] = []
    keys: list[str | None] = []
    seen: set[str] = set()
    for cell in cells:
        name = _text(cell)
        if not name:
            keys.append(None)
            continue
        key = HEADER_NAMES.get(name)
        if key is None:
            errors.append(RowError(1, name, "unknown_column", f"第1行（表头）：无法识别的列“{name}”"))
        elif key in seen:
            errors.append(RowError(1, key, "duplicate_column", f"第1行（表头）：列“{COLUMN_BY_KEY[key].label}”重复"))
        else:
            seen.add(key)
        keys.append(key)
    for column in COLUMNS:
        if column.required and column.key not in seen:
            errors.append(
                RowError(1, column.key, "missing_column", f"第1行（表头）：缺少必填列“{column.label}”（{column.key}）")
            )
    return keys, errors


def _error(row: int, column: str, code: str, detail: str) -> RowError:
    label = COLUMN_BY_KEY[column].label if column in COLUMN_BY_KEY else ""
    where = f"第{row}行“{label}”列" if label else f"第{row}行"
    return RowError(row, column, code, f"{where}：{detail}")


def _invalid(errors: list[RowError]) -> ValidationFailed:
    rows = {e.row for e in errors}
    return ValidationFailed(
        f"导入文件有{len(rows)}行错误，未导入任何数据",
        code="import_rows_invalid",
        details={"errors": [e.as_dict() for e in errors]},
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # Excel stores 5000 as 5000.0; the yuan amount is the integer.
        return str(int(value))
    return str(value).strip()


def _split(cell: str) -> list[str]:
    for separator in SEPARATORS[1:]:
        cell = cell.replace(separator, SEPARATORS[0])
    return [part.strip() for part in cell.split(SEPARATORS[0]) if part.strip()]


def _read_bytes(path_or_file: str | Path | IO[bytes]) -> tuple[str, bytes]:
    if isinstance(path_or_file, str | Path):
        path = Path(path_or_file)
        return path.name, path.read_bytes()
    name = Path(str(getattr(path_or_file, "name", "") or "")).name
    data = path_or_file.read()
    return name, data if isinstance(data, bytes) else str(data).encode()


def _guess_format(name: str, content: bytes) -> str:
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix in {"csv", "xlsx"}:
        return suffix
    # An XLSX workbook is a ZIP archive.
    return "xlsx" if content[:4] == b"PK\x03\x04" else "csv"


def _rows(content: bytes, file_format: str) -> Iterator[list[Any]]:
    file_format = file_format.lower()
    if file_format == "csv":
        return iter(list(csv.reader(io.StringIO(_decode(content), newline=""))))
    if file_format == "xlsx":
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises several unrelated types for a damaged file
            raise ValidationFailed("无法读取 XLSX 文件，请确认文件未损坏", code="import_file_unreadable") from exc
        sheet = workbook.worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        workbook.close()
        return iter(rows)
    raise ValidationFailed(
        f"不支持的文件格式 {file_format}，请上传 CSV 或 XLSX",
        code="import_format_unsupported",
        details={"format": file_format},
    )


def _decode(content: bytes) -> str:
    """UTF-8 with or without BOM; failing that GB18030, which is what Excel on a Chinese Windows writes
    when a user picks plain "CSV" instead of "CSV UTF-8"."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ValidationFailed("无法识别文件编码，请另存为“CSV UTF-8”格式", code="import_file_unreadable") from exc
