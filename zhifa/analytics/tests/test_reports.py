"""Weekly and monthly reports (issue 17 part 3) on two weeks built by hand, seen on Wednesday 2026-03-18.

Last week (2026-03-09 Mon – 03-15 Sun), the week reported:
- street A: five events of one kind at the same grid point, dispatched (sources 3 hotline, 2 patrol); all
  acknowledged and arrived in time; handled: three in 20 minutes (met), one in 40 (missed), one never (due long
  past: missed) → handling 3 of 5 judged, 60.0%; the never-handled one escalated once. Same kind, same place,
  within 30 days: one repeat place of 5 events, 4 repeats. A case filed on 03-10 and decided on 03-12, fine 500.00.
- street B: one hotline event, never dispatched (no clock).
The week before (03-02 – 03-08): street A, four hotline events without a kind, all handled in time (100.0%).

So the district: 6 events against 4 (增加2件, +50.0%), handling 60.0% against 100.0% (下降40.0个百分点);
street A: 5 against 4 (增加1件, +25.0%), the same rates.
"""

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from openpyxl import load_workbook
from pypdf import PdfReader

from zhifa.analytics import reports as analytics_reports
from zhifa.analytics import selectors as analytics_selectors
from zhifa.analytics.models import AnalyticsReport, ReportPeriod
from zhifa.analytics.reports import (
    SCHEDULE,
    count_phrase,
    report_file_bytes,
    report_generate,
    report_get,
    report_make,
    reports_visible,
    street_for,
    xlsx_text,
)
from zhifa.cases.models import Case
from zhifa.catalog.models import ComplaintKind
from zhifa.core.errors import NotFound, PermissionDenied, ValidationFailed
from zhifa.core.models import AuditEntry
from zhifa.events.models import EventEscalation
from zhifa.events.states import Clock, EscalationLevel, EscalationOutcome, EventSource, EventStatus
from zhifa.events.tests.factories import DispatchedEventFactory, EventFactory
from zhifa.org.models import Officer, Street

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 18, 10, 0, tzinfo=TZ)
WEEK = dt.date(2026, 3, 9)
BEFORE = dt.date(2026, 3, 2)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


def _event(world: Any, reported: dt.datetime, *, handle_after: int | None, **fields: Any) -> Any:
    dispatched = reported + dt.timedelta(minutes=1)
    handled = dispatched + dt.timedelta(minutes=handle_after) if handle_after is not None else None
    return DispatchedEventFactory(
        grid=world.grid_a,
        district=world.district,
        reported_at=reported,
        dispatched_at=dispatched,
        acknowledged_at=dispatched + dt.timedelta(seconds=30),
        arrived_at=dispatched + dt.timedelta(minutes=4),
        handled_at=handled,
        status=EventStatus.HANDLED if handled else EventStatus.ARRIVED,
        **fields,
    )


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def weeks(world: Any, frozen: Any) -> Any:
    kind = ComplaintKind.objects.filter(district=world.district).order_by("pk").first()
    assert kind is not None
    sources = [EventSource.HOTLINE] * 3 + [EventSource.PATROL] * 2
    handle_after = [20, 20, 20, 40, None]
    events = [
        _event(world, at(WEEK + dt.timedelta(days=i), 9), handle_after=handle_after[i], source=sources[i], kind=kind)
        for i in range(5)
    ]
    never = events[4]
    EventEscalation.objects.create(
        event=never,
        clock=Clock.HANDLE,
        level=EscalationLevel.ZONE_LEAD,
        due_at=never.handle_due_at,
        escalated_at=never.handle_due_at + dt.timedelta(minutes=5),
        outcome=EscalationOutcome.ZONE_LEAD_NOTIFIED,
    )
    EventFactory(grid=world.grid_b, district=world.district, reported_at=at(WEEK, 11), source=EventSource.HOTLINE)
    for i in range(4):
        _event(world, at(BEFORE + dt.timedelta(days=i), 15), handle_after=10, source=EventSource.HOTLINE)
    Case.objects.create(
        district=world.district,
        number="C-1",
        source="patrol",
        street=world.street_a,
        party_kind="person",
        party_name="张三",
        facts="占道经营",
        discovered_on=WEEK,
        violation_ended_on=WEEK,
        filed_on=WEEK + dt.timedelta(days=1),
        decided_on=WEEK + dt.timedelta(days=3),
        decided_fine=Decimal("500.00"),
        handler=Officer.objects.get(user=world.user("officer_a")),
    )
    return kind


def _generate(world: Any, street: Any = None, user: str = "leader") -> AnalyticsReport:
    report = report_generate(
        district_id=world.district.pk, period=ReportPeriod.WEEKLY, day=WEEK, street=street, actor=world.user(user)
    )
    assert report is not None
    return report


def test_district_weekly_figures_and_comparison(world: Any, weeks: Any) -> None:
    report = _generate(world)
    assert (report.period_start, report.period_end) == (WEEK, dt.date(2026, 3, 15))
    counts = {r["key"]: r for r in report.figures["comparison"]["counts"]}
    assert (counts["total"]["current"], counts["total"]["previous"]) == (6, 4)
    assert (counts["total"]["delta"], counts["total"]["ratio"]) == (2, 0.5)
    assert (counts["escalated"]["current"], counts["escalated"]["previous"]) == (1, 0)
    assert (counts["repeats"]["current"], counts["repeats"]["previous"]) == (4, 0)
    assert (counts["filed"]["current"], counts["decided"]["current"]) == (1, 1)
    rates = {r["key"]: r for r in report.figures["comparison"]["rates"]}
    assert (rates["rate_handle"]["current"], rates["rate_handle"]["previous"]) == (0.6, 1.0)
    assert rates["rate_handle"]["points"] == -40.0
    assert rates["rate_arrive"]["current"] == 1.0
    first, second, third, cases = report.figures["paragraphs"]
    assert first.startswith(
        f"本周（2026年3月9日至2026年3月15日），{world.district.name}共受理事件6件，其中3件在1530时限内处置"
    )
    assert "处置达标率60.0%，按已计时的5件计" in first
    assert "按来源：12345热线4件、巡查发现2件。" in first
    assert "超时升级1件" in first
    assert second.startswith("与上周相比（上周受理4件），受理事件增加2件（+50.0%），处置达标率下降40.0个百分点")
    assert third.startswith(f"反复发生的问题：{weeks.name}（甲一网格）30日内5次")
    assert "共4起重复事件，1处点位" in third
    assert cases == "案件：立案1件，作出处罚决定1件，罚款合计500.00元；办案期限已过未完成0项。"


def test_street_report_counts_only_its_street(world: Any, weeks: Any) -> None:
    report = _generate(world, street=world.street_a)
    assert report.scope_name == "甲街道"
    counts = {r["key"]: r for r in report.figures["comparison"]["counts"]}
    assert (counts["total"]["current"], counts["total"]["previous"], counts["total"]["ratio"]) == (5, 4, 0.25)
    assert "甲街道共受理事件5件，其中3件在1530时限内处置" in report.figures["paragraphs"][0]
    assert "受理事件增加1件（+25.0%）" in report.figures["paragraphs"][1]
    # a street report has no per-street table
    assert "street" not in {t["key"] for t in report.figures["tables"]}


def test_pdf_carries_the_paragraph_in_chinese(world: Any, weeks: Any) -> None:
    report = _generate(world)
    reader = PdfReader(io.BytesIO(report_file_bytes(report, "pdf")))
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "").replace(" ", "")
    assert f"{world.district.name}共受理事件6件" in text
    assert "其中3件在1530时限内处置" in text
    assert "处置达标率60.0%" in text
    assert "受理事件增加2件（+50.0%）" in text
    assert "反复发生的问题" in text
    # the fonts are embedded (a reader without Chinese fonts shows the text)
    fonts = [f for page in reader.pages for f in page["/Resources"]["/Font"].values()]
    assert fonts and all(
        "/FontFile3" in f.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        or "/FontFile2" in f.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        for f in fonts
    )


def test_xlsx_cells_equal_the_figures(world: Any, weeks: Any) -> None:
    report = _generate(world)
    book = load_workbook(io.BytesIO(report_file_bytes(report, "xlsx")))
    assert book.sheetnames[0] == "报告"
    assert book["报告"]["A4"].value == report.figures["paragraphs"][0]
    counts = book["主要数量与上期对比"]
    assert [c.value for c in counts[1]] == ["指标", "本周", "上周", "增减", "增减率"]
    assert [c.value for c in counts[2]] == ["受理事件（件）", 6, 4, 2, 0.5]
    rates = {row[0].value: [c.value for c in row[1:]] for row in book["达标率与上期对比"].iter_rows(min_row=2)}
    assert rates["处置达标率"] == [0.6, 1.0, -40.0]
    compliance = {row[0].value: [c.value for c in row[1:]] for row in book["1530时限达标"].iter_rows(min_row=2)}
    assert compliance["处置"] == [3, 2, 0, 0.6]
    streets = {row[0].value: row[1].value for row in book["各街道事件"].iter_rows(min_row=2)}
    assert streets == {"甲街道": 5, "乙街道": 1}
    cases = [c.value for c in book["案件"][2]]
    assert cases == [1, 1, 500, 0]
    repeats = [c.value for c in book["重复发生点位"][2]]
    assert repeats[:5] == [weeks.name, "甲一网格", repeats[2], 5, 4]
    # every table of the report is a sheet
    assert book.sheetnames[1:] == [t["title"] for t in report.figures["tables"]]


def test_xlsx_text_is_never_a_formula() -> None:
    assert xlsx_text('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert xlsx_text("甲\x07街道") == "甲街道"


def test_generation_is_audited_and_again_replaces_the_files(
    world: Any, weeks: Any, django_capture_on_commit_callbacks: Any
) -> None:
    report = _generate(world)
    entry = AuditEntry.objects.filter(action="analytics.report_generated", object_id=str(report.pk)).get()
    assert entry.after["pdf_sha256"] == report.pdf_sha256
    assert entry.actor_label == "leader"
    old_pdf = Path(report.pdf.path)
    with django_capture_on_commit_callbacks(execute=True):
        again = _generate(world)
    assert not old_pdf.exists() and Path(again.pdf.path).exists()
    assert again.pk == report.pk and AnalyticsReport.objects.count() == 1
    redo = AuditEntry.objects.filter(action="analytics.report_regenerated", object_id=str(report.pk)).get()
    assert redo.before["pdf_sha256"] == report.pdf_sha256
    assert report_file_bytes(again, "pdf")


def test_a_period_not_yet_over_has_no_report(world: Any, weeks: Any) -> None:
    with pytest.raises(ValidationFailed) as refused:
        report_generate(
            district_id=world.district.pk,
            period=ReportPeriod.WEEKLY,
            day=NOW.date(),
            street=None,
            actor=world.user("leader"),
        )
    assert refused.value.code == "report_period_not_ended"
    with pytest.raises(ValidationFailed) as unknown:
        report_generate(
            district_id=world.district.pk, period="daily", day=WEEK, street=None, actor=world.user("leader")
        )
    assert unknown.value.code == "report_period_unknown"
    assert not AnalyticsReport.objects.exists()


def test_a_street_dispatcher_reads_only_their_street(world: Any, weeks: Any) -> None:
    district = _generate(world)
    street_b = _generate(world, street=world.street_b)
    street_a = _generate(world, street=world.street_a)
    dispatcher = world.user("street_dispatcher_a")
    assert list(reports_visible(dispatcher)) == [street_a]
    for other in (district, street_b):
        with pytest.raises(NotFound):
            report_get(dispatcher, other.pk)
    assert set(reports_visible(world.user("leader"))) == {district, street_a, street_b}
    with pytest.raises(PermissionDenied) as refused:
        street_for(dispatcher, world.street_b.pk)
    assert refused.value.code == "street_outside_scope"
    with pytest.raises(PermissionDenied):
        street_for(dispatcher, None)
    for street in (None, world.street_b):
        with pytest.raises(PermissionDenied) as service:
            report_generate(
                district_id=world.district.pk, period=ReportPeriod.WEEKLY, day=WEEK, street=street, actor=dispatcher
            )
        assert service.value.code == "street_outside_scope"
    with pytest.raises(PermissionDenied):
        _generate(world, street=world.street_a, user="officer_a")
    with pytest.raises(PermissionDenied) as officer:
        reports_visible(world.user("officer_a"))
    assert officer.value.code == "analytics_forbidden"


def test_tampered_file_is_refused(world: Any, weeks: Any) -> None:
    report = _generate(world)
    with open(report.xlsx.path, "ab") as handle:
        handle.write(b"x")
    with pytest.raises(Exception) as refused:
        report_file_bytes(report, "xlsx")
    assert getattr(refused.value, "code", "") == "report_hash_mismatch"


def test_schedule_is_idempotent(world: Any, weeks: Any) -> None:
    call_command("analytics_reports", "--once")
    # last week and last month (February 2026), for the district and its two streets
    made = AnalyticsReport.objects.all()
    assert made.count() == 6
    assert {(r.period, r.period_start, r.street_id) for r in made} == {
        (p, start, s)
        for p, start in ((ReportPeriod.WEEKLY, WEEK), (ReportPeriod.MONTHLY, dt.date(2026, 2, 1)))
        for s in (None, world.street_a.pk, world.street_b.pk)
    }
    assert all(r.by_schedule and r.generated_by is None for r in made)
    call_command("analytics_reports", "--once")
    assert AnalyticsReport.objects.count() == 6
    assert AuditEntry.objects.filter(action="analytics.report_generated", actor_label=SCHEDULE.name).count() == 6


# ---- the page and the API ----------------------------------------------------------------------------------


def test_leader_generates_on_the_page_and_downloads(world: Any, weeks: Any, sign_in: Any) -> None:
    client = sign_in(world.user("leader"))
    response = client.post("/analytics/reports/generate/", {"period": "weekly", "day": "2026-03-11", "street": ""})
    assert response.status_code == 302
    report = AnalyticsReport.objects.get()
    # asked on the page, made by the task worker (test_report_queue.py follows the queue itself)
    assert report_make(report.pk) == "done"
    report.refresh_from_db()
    assert (report.period_start, report.street_id, report.generated_by) == (WEEK, None, world.user("leader"))
    body = client.get(response["Location"]).content.decode()
    assert f'href="/analytics/reports/{report.pk}/pdf/"' in body
    assert f'href="/analytics/reports/{report.pk}/xlsx/"' in body
    assert "共受理事件6件" in body
    pdf = client.get(f"/analytics/reports/{report.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content == report_file_bytes(report, "pdf")
    xlsx = client.get(f"/analytics/reports/{report.pk}/xlsx/")
    assert load_workbook(io.BytesIO(xlsx.content))["主要数量与上期对比"]["B2"].value == 6


def test_page_refuses_a_running_week_and_writes_nothing(world: Any, weeks: Any, sign_in: Any) -> None:
    client = sign_in(world.user("leader"))
    response = client.post("/analytics/reports/generate/", {"period": "weekly", "day": "2026-03-18"})
    assert response.status_code == 422
    assert "report_period_not_ended" in response.content.decode()
    assert not AnalyticsReport.objects.exists()


def test_street_dispatcher_cannot_download_another_streets_report(world: Any, weeks: Any, sign_in: Any) -> None:
    own = _generate(world, street=world.street_a)
    other = _generate(world, street=world.street_b)
    district = _generate(world)
    client = sign_in(world.user("street_dispatcher_a"))
    assert client.get(f"/analytics/reports/{own.pk}/pdf/").status_code == 200
    for report in (other, district):
        for fmt in ("pdf", "xlsx"):
            assert client.get(f"/analytics/reports/{report.pk}/{fmt}/").status_code == 404
            assert client.get(f"/api/v1/analytics/reports/{report.pk}/{fmt}").status_code == 404
    body = client.get("/analytics/reports/").content.decode()
    assert f"/analytics/reports/{own.pk}/pdf/" in body
    assert f"/analytics/reports/{other.pk}/pdf/" not in body
    refused = client.post(
        "/analytics/reports/generate/", {"period": "weekly", "day": "2026-03-11", "street": world.street_b.pk}
    )
    assert refused.status_code == 403
    listed = client.get("/api/v1/analytics/reports").json()
    assert [r["id"] for r in listed["items"]] == [own.pk]
    missing = client.get(f"/api/v1/analytics/reports/{other.pk}/pdf")
    assert missing.json()["code"] == "report_not_found"
    assert client.get(f"/api/v1/analytics/reports/{2**70}/pdf").status_code == 404


def test_api_lists_and_downloads_for_a_leader(world: Any, weeks: Any, sign_in: Any) -> None:
    district = _generate(world)
    street_a = _generate(world, street=world.street_a)
    client = sign_in(world.user("leader"))
    listed = client.get("/api/v1/analytics/reports").json()
    assert {r["id"] for r in listed["items"]} == {district.pk, street_a.pk}
    only = client.get("/api/v1/analytics/reports?district_only=true").json()["items"]
    assert [(r["id"], r["scope_name"], r["period"]) for r in only] == [(district.pk, world.district.name, "weekly")]
    assert only[0]["summary"] == district.figures["paragraphs"][0]
    pdf = client.get(only[0]["pdf_url"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(f"/api/v1/analytics/reports/{district.pk}/doc").json()["code"] == "report_format_unknown"
    assert sign_in(world.user("officer_a")).get("/api/v1/analytics/reports").status_code == 403


def test_names_are_printed_as_typed_never_run(world: Any, weeks: Any) -> None:
    hostile = '=HYPERLINK("x")*粗体* #set text(fill: red)'
    Street.objects.filter(pk=world.street_a.pk).update(name=hostile)
    report = _generate(world)
    book = load_workbook(io.BytesIO(report_file_bytes(report, "xlsx")))
    streets = [row[0].value for row in book["各街道事件"].iter_rows(min_row=2)]
    assert "'" + hostile in streets
    assert book["各街道事件"]["A2"].data_type == "s"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(report_file_bytes(report, "pdf"))).pages)
    assert hostile.replace(" ", "") in text.replace("\n", "").replace(" ", "")


def test_a_count_after_a_latin_label_keeps_a_space() -> None:
    assert [count_phrase("12345热线", 799), count_phrase("Open311", 195), count_phrase("AI摄像头", 3)] == [
        "12345热线799件",
        "Open311 195件",
        "AI摄像头3件",
    ]


def test_the_report_counts_every_repeat_place_not_only_those_the_view_lists(
    world: Any, weeks: Any, monkeypatch: Any
) -> None:
    # Given a second repeat place (the same kind twice in street B's grid) and a view that lists one place only
    for day in (1, 2):
        EventFactory(
            grid=world.grid_b, district=world.district, kind=weeks, reported_at=at(WEEK + dt.timedelta(days=day), 14)
        )
    monkeypatch.setattr(analytics_selectors, "PLACES_SHOWN", 1)
    monkeypatch.setattr(analytics_reports, "TOP_REPEATS", 1)
    # When the district's week is made
    third = _generate(world).figures["paragraphs"][2]
    # Then the sentence names the largest and counts both places, though the figures list one
    assert "；另有1处（共5起重复事件，2处点位）。" in third
