"""Reading a spreadsheet the way a person made it: CSV (UTF-8 with or without BOM — Excel's "CSV UTF-8" —
or GB18030, what Excel on a Chinese Windows writes as plain "CSV") and XLSX (first sheet).

Yields rows as lists of strings; row 1 is the header, as in the spreadsheet the person sees, so that error
reports can name the row they will look at.
"""

import codecs
import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from zhifa.core.errors import ValidationFailed

XLSX_MAGIC = b"PK\x03\x04"


class FileFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: Iterator[list[str]]  # data rows, starting at spreadsheet row 2


def detect_format(data: bytes, file_name: str, file_format: str | None) -> FileFormat:
    if file_format:
        try:
            return FileFormat(file_format.lower().lstrip("."))
        except ValueError:
            raise ValidationFailed(
                f"不支持的文件格式：{file_format}（可选 csv、xlsx）",
                code="import_format_unknown",
                details={"file_format": file_format},
            ) from None
    suffix = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if suffix in {"csv", "txt"}:
        return FileFormat.CSV
    if suffix == "xlsx" or data.startswith(XLSX_MAGIC):
        return FileFormat.XLSX
    if suffix == "xls":
        raise ValidationFailed(
            "不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV", code="import_format_unknown", details={}
        )
    return FileFormat.CSV


def _decode(data: bytes) -> str:
    try:
        return codecs.decode(data, "utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise ValidationFailed(
            "无法识别文件编码，请将表格另存为“CSV UTF-8”格式", code="import_encoding", details={}
        ) from None


def _csv_table(data: bytes) -> Table:
    reader = csv.reader(io.StringIO(_decode(data), newline=""))
    header = next(reader, None)
    if header is None:
        raise ValidationFailed("文件为空", code="import_empty", details={})

    def data_rows() -> Iterator[list[str]]:
        try:
            yield from reader
        except csv.Error as exc:
            raise ValidationFailed(
                f"CSV 文件第{reader.line_num}行无法解析：{exc}",
                code="import_file_unreadable",
                details={"line": reader.line_num},
            ) from None

    return Table(header=header, rows=data_rows())


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        # A phone number typed into a number cell comes back as 13800000000.0.
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _xlsx_table(data: bytes) -> Table:
    from openpyxl import load_workbook  # imported here: only XLSX imports pay for loading openpyxl

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ValidationFailed(
            "无法读取 XLSX 文件（文件损坏或不是 Excel 工作簿）", code="import_file_unreadable", details={}
        ) from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    first = next(rows, None)
    if first is None:
        workbook.close()
        raise ValidationFailed("文件为空", code="import_empty", details={})

    def data_rows() -> Iterator[list[str]]:
        try:
            for values in rows:
                yield [_cell_text(v) for v in values]
        finally:
            workbook.close()

    return Table(header=[_cell_text(v) for v in first], rows=data_rows())


def read_table(data: bytes, fmt: FileFormat) -> Table:
    return _xlsx_table(data) if fmt is FileFormat.XLSX else _csv_table(data)
