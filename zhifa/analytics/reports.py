"""Weekly and monthly reports (分析报告, issue 17 part 3), per street and for the district.

A report is the leaders' view's figures (``selectors.overview``) for one closed period — a week (Monday to
Sunday) or a calendar month, local days — and one scope (the district, or one street), set against the
period before it, written the way the article gives its figures (so many events, so many handled within the
1530 clocks, what recurred, what changed) as a generated paragraph plus tables, and kept as a PDF (Typst and
the Noto CJK fonts the documents use, ADR 0010) and an XLSX (one sheet per table), each with its SHA-256.

A person's ask (the page's 生成, the API's POST) is ``report_request``: the report's row is put 排队中 and a task
(``zhifa.analytics.tasks.report_make_task``) enqueued; the task worker (``manage.py task_worker``) runs
``report_make`` — 生成中, then 已完成 with the files, or 失败 with a Chinese reason kept on the row (asked
again, it is queued again). Asking while it waits returns the same row. The web request never makes the
files: a district's month takes seconds at 14,500 events and minutes at scale. ``report_generate`` makes one
at once (the schedule: ``reports_scheduled`` makes the last closed week's and month's reports that are
missing, ``manage.py analytics_reports``, its own process). Every write is audited. A period still running
has no report.
Who sees which: a district analyst (leader, command centre, administrator) every report of the district; a
street dispatcher their street's only — another's is "not found".
"""

import datetime as dt
import hashlib
import io
import json
import logging
import re
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

import typst
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from zhifa.analytics.models import AnalyticsReport, ReportPeriod, ReportStatus
from zhifa.analytics.scope import LOCAL_TZ, AnalyticsScope
from zhifa.analytics.selectors import overview
from zhifa.core.actors import Actor, SystemActor, is_system
from zhifa.core.api_input import MAX_ID
from zhifa.core.audit import audit_record, audited_transaction
from zhifa.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from zhifa.core.files import file_store, files_removed_on_rollback
from zhifa.documents.render import REQUIRED_FAMILIES, FontsMissing, font_dirs
from zhifa.events.states import Clock
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.org.models import District, Street
from zhifa.org.roles import Role

TEMPLATES = Path(__file__).resolve().parent / "report_templates"
SCHEDULE = SystemActor("定时报表")
# The task worker, when the report it makes has no asker left to name (the asker's account is the actor).
WORKER = SystemActor("报表任务")
logger = logging.getLogger("zhifa.analytics")
DISTRICT_READERS = frozenset({Role.ADMIN, Role.DISPATCHER, Role.LEADER})
STREET_READERS = frozenset({Role.STREET_DISPATCHER})
WORDS = {
    ReportPeriod.WEEKLY: {"this": "本周", "last": "上周"},
    ReportPeriod.MONTHLY: {"this": "本月", "last": "上月"},
}
TOP_REPEATS = 5

# ---- periods ---------------------------------------------------------------------------------------------


def period_bounds(period: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The week (Monday–Sunday) or calendar month containing ``day``: first and last day, both included."""
    if period == ReportPeriod.WEEKLY:
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    if period == ReportPeriod.MONTHLY:
        start = day.replace(day=1)
        following = (start + dt.timedelta(days=32)).replace(day=1)
        return start, following - dt.timedelta(days=1)
    raise ValidationFailed("报告周期须为周报或月报", code="report_period_unknown", details={"field": "period"})


def previous_bounds(period: str, start: dt.date) -> tuple[dt.date, dt.date]:
    return period_bounds(period, start - dt.timedelta(days=1))


def last_closed(period: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The last period that has ended before ``today`` (last week, last month)."""
    return previous_bounds(period, period_bounds(period, today)[0])


# ---- figures ---------------------------------------------------------------------------------------------


def _change(current: int, previous: int) -> tuple[int, float | None]:
    delta = current - previous
    return delta, (round(delta / previous, 4) if previous else None)


def _points(current: float | None, previous: float | None) -> float | None:
    return round((current - previous) * 100, 1) if current is not None and previous is not None else None


def _rate_of(figures: dict[str, Any], clock: str) -> float | None:
    return next(r["rate"] for r in figures["compliance"] if r["key"] == clock)


def _coordination_totals(figures: dict[str, Any]) -> dict[str, Any]:
    rows = figures["coordination"]
    totals = {k: sum(r[k] for r in rows) for k in ("total", "met", "late", "overdue", "open")}
    judged = totals["met"] + totals["late"] + totals["overdue"]
    totals["rate"] = round(totals["met"] / judged, 4) if judged else None
    return totals


def _counts(figures: dict[str, Any]) -> dict[str, Any]:
    """The figures a report compares with the period before: counts and rates."""
    cases = figures["cases"] or {}
    coordination = _coordination_totals(figures)
    return {
        "total": figures["total"],
        "escalated": figures["escalated"],
        "repeats": figures["repeats"]["events"],
        "coordination": coordination["total"],
        "filed": cases.get("filed"),
        "decided": cases.get("decided"),
        "rate_acknowledge": _rate_of(figures, Clock.ACKNOWLEDGE),
        "rate_arrive": _rate_of(figures, Clock.ARRIVE),
        "rate_handle": _rate_of(figures, Clock.HANDLE),
        "rate_coordination": coordination["rate"],
    }


COUNT_LABELS = {
    "total": "受理事件（件）",
    "escalated": "超时升级事件（件）",
    "repeats": "重复发生事件（件）",
    "coordination": "协同部门转办（件）",
    "filed": "立案（件）",
    "decided": "作出处罚决定（件）",
}
RATE_LABELS = {
    "rate_acknowledge": "响应达标率",
    "rate_arrive": "到场达标率",
    "rate_handle": "处置达标率",
    "rate_coordination": "协同按时反馈率",
}


def count_phrase(label: str, n: int) -> str:
    """ "12345热线799件", but "Open311 195件": a label ending in a Latin letter or digit keeps a space before the
    number, or the two run together."""
    tail = label[-1:]
    return f"{label}{' ' if tail.isascii() and tail.isalnum() else ''}{n}件"


def report_figures(
    *, district_id: int, period: str, start: dt.date, street: Street | None, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Everything a report prints, as plain data (kept with the report): the period's and the previous
    period's figures, the comparison, the paragraph and the tables."""
    now = now or timezone.now()
    start, end = period_bounds(period, start)
    prev_start, prev_end = previous_bounds(period, start)
    current = overview(AnalyticsScope(district_id, start, end, street=street), now=now)
    previous = overview(AnalyticsScope(district_id, prev_start, prev_end, street=street), now=now)
    this, last = _counts(current), _counts(previous)
    district = District.objects.get(pk=district_id)
    scope_name = street.name if street is not None else district.name
    comparison: dict[str, list[dict[str, Any]]] = {"counts": [], "rates": []}
    for key, label in COUNT_LABELS.items():
        if this[key] is None:
            continue  # cases have no figure at this level
        delta, ratio = _change(this[key], last[key])
        comparison["counts"].append(
            {"key": key, "label": label, "current": this[key], "previous": last[key], "delta": delta, "ratio": ratio}
        )
    for key, label in RATE_LABELS.items():
        comparison["rates"].append(
            {
                "key": key,
                "label": label,
                "current": this[key],
                "previous": last[key],
                "points": _points(this[key], last[key]),
            }
        )
    data = {
        "period": str(period),
        "period_label": ReportPeriod(period).label,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "previous_from": prev_start.isoformat(),
        "previous_to": prev_end.isoformat(),
        "scope_name": scope_name,
        "agency": district.agency_name,
        "is_district": street is None,
        "computed_at": now.astimezone(LOCAL_TZ).isoformat(timespec="seconds"),
        "current": current,
        "previous": previous,
        "comparison": comparison,
    }
    data["paragraphs"] = _paragraphs(data)
    data["tables"] = _tables(data)
    return data


# ---- the paragraph ---------------------------------------------------------------------------------------


def pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _day(iso: str) -> str:
    d = dt.date.fromisoformat(iso)
    return f"{d.year}年{d.month}月{d.day}日"


def _count_change(delta: int, ratio: float | None, unit: str = "件") -> str:
    if delta == 0:
        return "持平"
    word = "增加" if delta > 0 else "减少"
    return f"{word}{abs(delta)}{unit}" + (f"（{ratio * 100:+.1f}%）" if ratio is not None else "")


def _rate_change(points: float | None) -> str:
    if points is None:
        return "无法比较"
    if points == 0:
        return "持平"
    return f"{'上升' if points > 0 else '下降'}{abs(points):.1f}个百分点"


def _paragraphs(data: dict[str, Any]) -> list[str]:
    words = WORDS[ReportPeriod(data["period"])]
    cur = data["current"]
    handle = next(r for r in cur["compliance"] if r["key"] == Clock.HANDLE)
    judged = handle["met"] + handle["missed"]
    rates = {r["key"]: r["current"] for r in data["comparison"]["rates"]}
    if judged:
        within = f"其中{handle['met']}件在1530时限内处置（处置达标率{pct(handle['rate'])}，按已计时的{judged}件计）"
    else:
        within = f"其中{handle['met']}件在1530时限内处置（无已计时的事件）"
    first = (
        f"{words['this']}（{_day(data['from'])}至{_day(data['to'])}），{data['scope_name']}共受理事件"
        f"{cur['total']}件，{within}；响应达标率{pct(rates['rate_acknowledge'])}，"
        f"到场达标率{pct(rates['rate_arrive'])}。"
    )
    sources = [count_phrase(r["label"], r["count"]) for r in cur["by_source"] if r["count"]]
    if sources:
        first += f"按来源：{'、'.join(sources)}。"
    coordination = _coordination_totals(cur)
    first += f"超时升级{cur['escalated']}件；协同部门转办{coordination['total']}件，按时反馈{coordination['met']}件"
    first += f"（按时反馈率{pct(coordination['rate'])}）。"
    counts = {r["key"]: r for r in data["comparison"]["counts"]}
    total = counts["total"]
    if total["previous"] == 0 and total["current"] > 0:
        events_change = f"增加{total['current']}件（{words['last']}无受理事件）"
    else:
        events_change = _count_change(total["delta"], total["ratio"])
    rate_points = next(r["points"] for r in data["comparison"]["rates"] if r["key"] == "rate_handle")
    second = (
        f"与{words['last']}相比（{words['last']}受理{total['previous']}件），受理事件{events_change}，"
        f"处置达标率{_rate_change(rate_points)}，超时升级{_count_change(counts['escalated']['delta'], None)}。"
    )
    places = sorted(cur["repeats"]["places"], key=lambda p: (-p["repeats"], p["last_at"] or ""))
    if places:
        listed = []
        for p in places[:TOP_REPEATS]:
            where = p["grid"] or p["address"] or "同一地点"
            listed.append(f"{p['kind']}（{where}）30日内{p['events']}次")
        third = f"反复发生的问题：{'；'.join(listed)}"
        total_places = cur["repeats"].get("places_total", len(places))  # the list stops at the largest 50
        if total_places > TOP_REPEATS:
            third += f"；另有{total_places - TOP_REPEATS}处"
        third += f"（共{cur['repeats']['events']}起重复事件，{total_places}处点位）。"
    else:
        third = "反复发生的问题：无（同一地点30日内未再次发生同类事件）。"
    out = [first, second, third]
    if cur["cases"] is not None:
        c = cur["cases"]
        out.append(
            f"案件：立案{c['filed']}件，作出处罚决定{c['decided']}件，罚款合计{c['fines_total']}元；"
            f"办案期限已过未完成{c['overdue_deadlines']}项。"
        )
    return out


# ---- tables (the PDF's and the XLSX's, one list) ------------------------------------------------------------

# Column formats: text, int, rate (0–1), ratio (a signed share), points (signed percentage points), money.


def _table(key: str, title: str, columns: list[tuple[str, str]], rows: list[list[Any]]) -> dict[str, Any]:
    return {
        "key": key,
        "title": title,
        "columns": [c for c, _f in columns],
        "formats": [f for _c, f in columns],
        "rows": rows,
    }


def _tables(data: dict[str, Any]) -> list[dict[str, Any]]:
    cur = data["current"]
    words = WORDS[ReportPeriod(data["period"])]
    this, last = words["this"], words["last"]
    tables = [
        _table(
            "counts",
            "主要数量与上期对比",
            [("指标", "text"), (this, "int"), (last, "int"), ("增减", "int"), ("增减率", "ratio")],
            [[r["label"], r["current"], r["previous"], r["delta"], r["ratio"]] for r in data["comparison"]["counts"]],
        ),
        _table(
            "rates",
            "达标率与上期对比",
            [("指标", "text"), (this, "rate"), (last, "rate"), ("变化（百分点）", "points")],
            [[r["label"], r["current"], r["previous"], r["points"]] for r in data["comparison"]["rates"]],
        ),
        _table(
            "compliance",
            "1530时限达标",
            [("时限", "text"), ("达标", "int"), ("超时", "int"), ("计时中", "int"), ("达标率", "rate")],
            [[r["label"], r["met"], r["missed"], r["running"], r["rate"]] for r in cur["compliance"]],
        ),
        _table(
            "source",
            "事件来源",
            [("来源", "text"), ("件数", "int")],
            [[r["label"], r["count"]] for r in cur["by_source"]],
        ),
        _table(
            "kind",
            "诉求类型",
            [("类型", "text"), ("件数", "int")],
            [[r["label"], r["count"]] for r in cur["by_kind"]],
        ),
    ]
    if data["is_district"]:
        tables.append(
            _table(
                "street",
                "各街道事件",
                [("街道", "text"), ("件数", "int")],
                [[r["label"] or "未定街道", r["count"]] for r in cur["by_street"]],
            )
        )
    tables += [
        _table(
            "escalations",
            "超时升级",
            [("时限", "text"), ("级别", "text"), ("次数", "int")],
            [[r["clock_label"], r["level_label"], r["count"]] for r in cur["escalations"]],
        ),
        _table(
            "coordination",
            "协同部门办理时效",
            [
                ("部门", "text"),
                ("转办", "int"),
                ("按时反馈", "int"),
                ("逾期反馈", "int"),
                ("逾期未反馈", "int"),
                ("办理中", "int"),
                ("按时反馈率", "rate"),
            ],
            [
                [r["label"], r["total"], r["met"], r["late"], r["overdue"], r["open"], r["rate"]]
                for r in cur["coordination"]
            ],
        ),
        _table(
            "repeats",
            "重复发生点位",
            [
                ("类型", "text"),
                ("网格", "text"),
                ("地址", "text"),
                ("事件数", "int"),
                ("重复次数", "int"),
                ("最近发生", "text"),
            ],
            [
                [p["kind"], p["grid"], p["address"], p["events"], p["repeats"], local_minute(p["last_at"])]
                for p in sorted(cur["repeats"]["places"], key=lambda p: (-p["repeats"], p["key"]))
            ],
        ),
    ]
    if cur["cases"] is not None:
        c = cur["cases"]
        tables.append(
            _table(
                "cases",
                "案件",
                [("立案", "int"), ("作出处罚决定", "int"), ("罚款合计（元）", "money"), ("期限已过未完成", "int")],
                [[c["filed"], c["decided"], c["fines_total"], c["overdue_deadlines"]]],
            )
        )
    return tables


def local_minute(iso: str | None) -> str:
    """A figure's ISO time (UTC, as the API gives it) as people read it: local time to the minute."""
    if not iso:
        return ""
    return dt.datetime.fromisoformat(iso).astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def cell_text(value: Any, fmt: str) -> str:
    """A table cell as the PDF prints it."""
    if value is None:
        return "—"
    if fmt == "rate":
        return pct(value)
    if fmt == "ratio":
        return f"{value * 100:+.1f}%"
    if fmt == "points":
        return f"{value:+.1f}"
    return str(value)


def title_of(data: dict[str, Any]) -> str:
    return f"{data['scope_name']}城市运行与综合执法{data['period_label']}"


# ---- PDF -------------------------------------------------------------------------------------------------

_lock = threading.Lock()
_compilers: dict[tuple[str, ...], typst.Compiler] = {}


def _compiler() -> typst.Compiler:
    """One compiler per process over the documents' fonts (indexing the CJK collections is the costly part);
    its own root, so the report's template sits with the report."""
    dirs = tuple(font_dirs())
    compiler = _compilers.get(dirs)
    if compiler is None:
        fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=True, font_paths=list(dirs))
        missing = [f for f in REQUIRED_FAMILIES if f not in fonts.families()]
        if missing:
            raise FontsMissing(f"缺少报告字体 {', '.join(missing)}（请运行 make pdf-deps 安装 fonts-noto-cjk）")
        compiler = _compilers[dirs] = typst.Compiler(root=str(TEMPLATES), font_paths=fonts, ignore_system_fonts=True)
    return compiler


def report_pdf(data: dict[str, Any]) -> bytes:
    layout = {
        "title": title_of(data),
        "subtitle": f"{_day(data['from'])}至{_day(data['to'])}　对比期间：{_day(data['previous_from'])}至{_day(data['previous_to'])}",
        "paragraphs": data["paragraphs"],
        "tables": [
            {
                "title": t["title"],
                "columns": t["columns"],
                "rows": [[cell_text(v, f) for v, f in zip(row, t["formats"], strict=True)] for row in t["rows"]],
            }
            for t in data["tables"]
        ],
        "footer": f"{data['agency']}　数据截至{data['computed_at'][:16].replace('T', ' ')}",
    }
    with _lock:
        pdf = _compiler().compile(
            input=str(TEMPLATES / "report.typ"),
            format="pdf",
            sys_inputs={"data": json.dumps(layout, ensure_ascii=False)},
            pdf_tags=False,
        )
    assert isinstance(pdf, bytes)
    return pdf


# ---- XLSX ------------------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@")
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def xlsx_text(value: str) -> str:
    """Text as a cell holds it: never a formula (a leading ``= + - @`` gets a ``'``), no control characters."""
    value = _ILLEGAL.sub("", value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def report_xlsx(data: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "报告"
    sheet["A1"] = xlsx_text(title_of(data))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = f"{data['from']} 至 {data['to']}（对比 {data['previous_from']} 至 {data['previous_to']}）"
    for i, paragraph in enumerate(data["paragraphs"], start=4):
        cell = sheet.cell(row=i, column=1, value=xlsx_text(paragraph))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 120
    for table in data["tables"]:
        ws = book.create_sheet(table["title"][:31])
        for col, name in enumerate(table["columns"], start=1):
            ws.cell(row=1, column=col, value=name).font = Font(bold=True)
            ws.column_dimensions[ws.cell(row=1, column=col).column_letter].width = 18
        for r, row in enumerate(table["rows"], start=2):
            for col, (value, fmt) in enumerate(zip(row, table["formats"], strict=True), start=1):
                cell = ws.cell(row=r, column=col)
                if value is None:
                    continue
                if fmt == "text":
                    cell.value = xlsx_text(str(value))
                elif fmt == "money":
                    cell.value = Decimal(value)
                    cell.number_format = "#,##0.00"
                else:
                    cell.value = value
                    if fmt in ("rate", "ratio"):
                        cell.number_format = "0.0%"
                    elif fmt == "points":
                        cell.number_format = "+0.0;-0.0;0.0"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ---- who reads which -------------------------------------------------------------------------------------


def _reader(user: Any) -> Any:
    j = jurisdiction_of(user)
    if j.role not in DISTRICT_READERS | STREET_READERS:
        raise PermissionDenied("分析报告仅对领导、指挥中心和街道调度员开放", code="analytics_forbidden")
    return j


def can_read_reports(user: Any) -> bool:
    try:
        _reader(user)
    except PermissionDenied:
        return False
    return True


def reports_visible(user: Any) -> QuerySet[AnalyticsReport]:
    """The reports ``user`` may read: the district's all for a district analyst, a street dispatcher's
    street's only (never the district's)."""
    j = _reader(user)
    reports = AnalyticsReport.objects.filter(district_id=j.district_id).select_related("street", "generated_by")
    if j.role in STREET_READERS:
        reports = reports.filter(street_id=j.own_street_id)
    return reports


def report_get(user: Any, pk: int) -> AnalyticsReport:
    """One report ``user`` may read; another street's (or an unknown id) is ``report_not_found``."""
    report = reports_visible(user).filter(pk=pk).first() if 1 <= pk <= MAX_ID else None
    if report is None:
        raise NotFound("没有这份报告", code="report_not_found")
    return report


def report_file_bytes(report: AnalyticsReport, fmt: str) -> bytes:
    """The stored PDF or XLSX, refused (``report_hash_mismatch``) when its bytes are not those generated."""
    if fmt not in ("pdf", "xlsx"):
        raise NotFound("没有这种格式", code="report_format_unknown")
    if not report.has_files:
        raise Conflict("报告尚未生成完成，完成后即可下载", code="report_not_ready")
    field, expected = (report.pdf, report.pdf_sha256) if fmt == "pdf" else (report.xlsx, report.xlsx_sha256)
    with field.open("rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != expected:
        raise Conflict("报告文件与生成时的哈希不符，可能已被篡改", code="report_hash_mismatch")
    return data


def report_filename(report: AnalyticsReport, fmt: str) -> str:
    return f"{report.scope_name}{report.get_period_display()}_{report.period_start}_{report.period_end}.{fmt}"


def street_for(user: Any, street_id: int | str | None) -> Street | None:
    """The scope ``user`` asks a report for: a street of the district, or None for the district itself. A
    street dispatcher may ask only for their own street (``street_outside_scope``)."""
    j = _reader(user)
    if street_id in (None, ""):
        if j.role in STREET_READERS:
            raise PermissionDenied("街道调度员只能生成本街道的报告", code="street_outside_scope")
        return None
    try:
        pk = int(street_id)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValidationFailed("街道编号须为整数", code="unknown_street", details={"field": "street"}) from None
    if j.role in STREET_READERS and pk != j.own_street_id:
        raise PermissionDenied("街道调度员只能生成本街道的报告", code="street_outside_scope")
    street = Street.objects.filter(district_id=j.district_id, pk=pk).first() if 0 < pk <= MAX_ID else None
    if street is None:
        raise ValidationFailed(f"本区没有编号为 {pk} 的街道", code="unknown_street", details={"field": "street"})
    return street


# ---- the writers ----------------------------------------------------------------------------------------


def _snapshot(report: AnalyticsReport) -> dict[str, Any]:
    return {
        "period": report.period,
        "from": report.period_start.isoformat(),
        "to": report.period_end.isoformat(),
        "scope": report.scope_name,
        "street_id": report.street_id,
        "status": report.status,
        "failure_reason": report.failure_reason,
        "pdf_sha256": report.pdf_sha256,
        "xlsx_sha256": report.xlsx_sha256,
        "by_schedule": report.by_schedule,
    }


def _existing(district_id: int, period: str, start: dt.date, street: Street | None) -> QuerySet[AnalyticsReport]:
    return AnalyticsReport.objects.filter(district_id=district_id, period=period, period_start=start, street=street)


def _checked(
    *, district_id: int, period: str, day: dt.date, street: Street | None, actor: Actor, now: dt.datetime
) -> tuple[dt.date, dt.date]:
    """The period asked for, once the ask is allowed: ``street_outside_scope`` (a person asks only for what they
    may read), ``report_period_unknown``, ``report_period_not_ended``, ``unknown_street``."""
    if not is_system(actor):
        # A person generates only what they may read: their district, and a street dispatcher their street.
        j = _reader(actor)
        if j.district_id != district_id or (
            j.role in STREET_READERS and (street is None or street.pk != j.own_street_id)
        ):
            raise PermissionDenied("街道调度员只能生成本街道的报告", code="street_outside_scope")
    start, end = period_bounds(period, day)
    if end >= timezone.localdate(now):
        raise ValidationFailed(
            f"报告期间（{start.isoformat()}至{end.isoformat()}）尚未结束", code="report_period_not_ended"
        )
    if street is not None and street.district_id != district_id:
        raise ValidationFailed("该街道不属于本区", code="unknown_street", details={"field": "street"})
    return start, end


def _stem(report: AnalyticsReport) -> str:
    scope_slug = f"street{report.street_id}" if report.street_id is not None else "district"
    return f"{report.period}-{report.period_start.isoformat()}-{scope_slug}"


def _store(
    report: AnalyticsReport,
    *,
    data: dict[str, Any],
    pdf: bytes,
    xlsx: bytes,
    actor: Actor,
    generated_by: Any,
    by_schedule: bool,
    now: dt.datetime,
) -> None:
    """Write a made report onto its row (locked by the caller, inside its ``audited_transaction``): the files,
    their hashes, the figures, 已完成; audited; the files it replaces are deleted once this commits."""
    before = _snapshot(report) if report.pk is not None else None
    made_before = report.pk is not None and report.has_files
    old_files = [report.pdf.name or "", report.xlsx.name or ""] if made_before else []
    report.scope_name = data["scope_name"][:100]
    report.figures = data
    report.generated_at = now
    report.generated_by = generated_by
    report.by_schedule = by_schedule
    report.status = ReportStatus.DONE
    report.failure_reason = ""
    # Stored before the row commits; the caller's ``files_removed_on_rollback`` removes them if it does not.
    file_store(report.pdf, f"{_stem(report)}.pdf", pdf)
    file_store(report.xlsx, f"{_stem(report)}.xlsx", xlsx)
    report.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    report.xlsx_sha256 = hashlib.sha256(xlsx).hexdigest()
    report.save()
    audit_record(
        actor=actor,
        action="analytics.report_regenerated" if made_before else "analytics.report_generated",
        obj=report,
        before=before,
        after=_snapshot(report),
    )
    transaction.on_commit(lambda: _delete_files(old_files))


def report_generate(
    *,
    district_id: int,
    period: str,
    day: dt.date,
    street: Street | None,
    actor: Actor,
    only_missing: bool = False,
    now: dt.datetime | None = None,
) -> AnalyticsReport | None:
    """Make (or make again) the report of the period containing ``day`` for the district or ``street`` now, in
    this process — the schedule's way (``reports_scheduled``, its own process); a person's ask goes through
    ``report_request`` and the task worker. Refused as ``report_request`` is. ``only_missing`` (the schedule):
    a report already made, or asked for and waiting for the worker, is left alone and None returned; one whose
    making failed is made. A report made again keeps its row and replaces its files (the audit entry holds
    both hashes)."""
    now = now or timezone.now()
    start, end = _checked(district_id=district_id, period=period, day=day, street=street, actor=actor, now=now)
    if only_missing and _existing(district_id, period, start, street).exclude(status=ReportStatus.FAILED).exists():
        return None
    data = report_figures(district_id=district_id, period=period, start=start, street=street, now=now)
    pdf, xlsx = report_pdf(data), report_xlsx(data)
    by_schedule = is_system(actor)
    with files_removed_on_rollback(), audited_transaction():
        report = _existing(district_id, period, start, street).order_by("pk").select_for_update().first()
        if report is not None and only_missing and report.status != ReportStatus.FAILED:
            return None
        report = report or AnalyticsReport(district_id=district_id, period=period, street=street)
        report.period_start, report.period_end = start, end
        _store(
            report,
            data=data,
            pdf=pdf,
            xlsx=xlsx,
            actor=actor,
            generated_by=None if by_schedule else actor,
            by_schedule=by_schedule,
            now=now,
        )
    return report


def _delete_files(names: list[str]) -> None:
    """The files of a report made again, once the new ones are committed."""
    for name in names:
        if name:
            default_storage.delete(name)


# ---- asked for on the page or the API, made by the task worker ------------------------------------------------


def report_request(
    *,
    district_id: int,
    period: str,
    day: dt.date,
    street: Street | None,
    actor: Actor,
    now: dt.datetime | None = None,
) -> tuple[AnalyticsReport, bool]:
    """Ask for the report of the period containing ``day`` for the district or ``street``: its row is put 排队中
    (a new row, or the kept one — its last made files stay downloadable until replaced) and the task worker is
    asked to make it (``report_make``) once this commits. Refused as ``report_generate`` is, writing nothing.
    Returns the row and whether this ask queued it: a report already 排队中 or 生成中 is returned as it is,
    not queued twice — unless it has waited longer than ``ZHIFA_REPORT_STALE_S`` (its task lost), when it is
    queued again."""
    now = now or timezone.now()
    start, end = _checked(district_id=district_id, period=period, day=day, street=street, actor=actor, now=now)
    try:
        with audited_transaction():
            report = _existing(district_id, period, start, street).order_by("pk").select_for_update().first()
            if report is not None and report.is_pending and not _stale(report, now):
                return report, False
            before = _snapshot(report) if report is not None else None
            if report is None:
                scope_name = street.name if street is not None else District.objects.get(pk=district_id).name
                report = AnalyticsReport(
                    district_id=district_id,
                    period=period,
                    street=street,
                    period_start=start,
                    period_end=end,
                    scope_name=scope_name[:100],
                )
            report.status = ReportStatus.QUEUED
            report.failure_reason = ""
            report.requested_at = now
            report.requested_by = None if is_system(actor) else actor  # type: ignore[assignment]
            report.save()
            audit_record(
                actor=actor, action="analytics.report_requested", obj=report, before=before, after=_snapshot(report)
            )
            pk = report.pk
            transaction.on_commit(lambda: _enqueue(pk))
    except IntegrityError:
        # Two first asks at once: the other one's row was committed first; this ask is that one.
        report = _existing(district_id, period, start, street).get()
        return report, False
    return report, True


def _stale(report: AnalyticsReport, now: dt.datetime) -> bool:
    """Waiting so long that its task is taken for lost (``ZHIFA_REPORT_STALE_S``, an hour)."""
    stale_after = dt.timedelta(seconds=float(settings.ZHIFA_REPORT_STALE_S))
    return report.requested_at is None or now - report.requested_at >= stale_after


def _enqueue(report_id: int) -> None:
    from zhifa.analytics.tasks import report_make_task

    try:
        report_make_task.enqueue(report_id)
    except Exception:  # the queue is unavailable: say so on the row, so that it can be asked again
        logger.exception("分析报告未能加入后台任务队列（报告 %s）", report_id)
        _failed(report_id, "未能加入后台任务队列，请重新生成")


def report_make(report_id: int, *, now: dt.datetime | None = None) -> str:
    """The task worker's part: make the report asked for (figures, PDF, XLSX) and mark it 已完成, or 失败 with
    the reason (kept on the row; it can be asked again). Idempotent: a report no longer waiting (made by an
    earlier run, or gone) is left alone. Returns what happened."""
    with audited_transaction():
        report = (
            AnalyticsReport.objects.select_for_update(of=("self",))
            .select_related("street", "requested_by")
            .filter(pk=report_id)
            .first()
        )
        if report is None:
            return "skipped: no such report"
        if not report.is_pending:
            return f"skipped: {report.status}"
        asker = report.requested_by
        actor: Actor = asker if asker is not None else WORKER
        # 生成中, audited as the ask and the outcome are. A run whose worker died is run again (the worker
        # readies stale tasks) from here, 生成中 to 生成中: each run's start is a line of its own.
        before = _snapshot(report)
        report.status = ReportStatus.RUNNING
        report.save(update_fields=["status"])
        audit_record(actor=actor, action="analytics.report_started", obj=report, before=before, after=_snapshot(report))
    now = now or timezone.now()
    try:
        data = report_figures(
            district_id=report.district_id,
            period=report.period,
            start=report.period_start,
            street=report.street,
            now=now,
        )
        pdf, xlsx = report_pdf(data), report_xlsx(data)
        with files_removed_on_rollback(), audited_transaction():
            report = AnalyticsReport.objects.select_for_update(of=("self",)).get(pk=report_id)
            if not report.is_pending:  # made meanwhile by another run of this task
                return f"skipped: {report.status}"
            _store(
                report,
                data=data,
                pdf=pdf,
                xlsx=xlsx,
                actor=actor,
                generated_by=asker,
                by_schedule=False,
                now=now,
            )
    except Exception as exc:
        reason = failure_reason(exc)
        logger.exception("分析报告生成失败（报告 %s）：%s", report_id, reason)
        _failed(report_id, reason)
        return f"failed: {reason}"
    return "done"


def failure_reason(exc: BaseException) -> str:
    """What a reader is told when a report could not be made (Chinese; the traceback goes to the log)."""
    if isinstance(exc, (FontsMissing, DomainError)):
        message = getattr(exc, "message", "") or str(exc)
    elif isinstance(exc, DatabaseError):
        message = "数据库暂时不可用，请稍后重新生成"
    else:
        message = f"生成报告时出错（{type(exc).__name__}），请稍后重新生成；仍失败请联系管理员"
    return message[:200]


def _failed(report_id: int, reason: str) -> None:
    with audited_transaction():
        report = AnalyticsReport.objects.select_for_update(of=("self",)).filter(pk=report_id).order_by().first()
        if report is None or not report.is_pending:
            return
        before = _snapshot(report)
        report.status = ReportStatus.FAILED
        report.failure_reason = reason[:200]
        report.save(update_fields=["status", "failure_reason"])
        actor: Actor = report.requested_by if report.requested_by is not None else WORKER
        audit_record(actor=actor, action="analytics.report_failed", obj=report, before=before, after=_snapshot(report))


def reports_scheduled(*, today: dt.date | None = None, now: dt.datetime | None = None) -> list[AnalyticsReport]:
    """The schedule: last week's and last month's reports of every district and street that are missing."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    made = []
    for district in District.objects.order_by("pk"):
        scopes: list[Street | None] = [None, *Street.objects.filter(district=district).order_by("code", "pk")]
        for period in ReportPeriod:
            start, _end = last_closed(period, today)
            for street in scopes:
                report = report_generate(
                    district_id=district.pk,
                    period=period,
                    day=start,
                    street=street,
                    actor=SCHEDULE,
                    only_missing=True,
                    now=now,
                )
                if report is not None:
                    made.append(report)
    return made
