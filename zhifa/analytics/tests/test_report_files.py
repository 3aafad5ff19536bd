"""A report whose making fails after its PDF and XLSX were stored leaves no file behind (``zhifa.core.files``):
made by the schedule, made again over the files of an earlier making (those stay, still the row's), and made by
the task worker (the row says 失败).

The failure is the audit chain refusing the made report's entry — the last thing the making writes, after the
files — raised by the audit collaborator the service calls."""

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import IntegrityError

from zhifa.analytics import reports
from zhifa.analytics.models import AnalyticsReport, ReportPeriod, ReportStatus
from zhifa.analytics.tasks import report_make_task
from zhifa.analytics.tests import test_reports
from zhifa.analytics.tests.test_report_queue import ask
from zhifa.analytics.tests.test_reports import WEEK
from zhifa.core.audit import audit_record as real_audit_record
from zhifa.core.models import AuditEntry

frozen = test_reports.frozen
weeks = test_reports.weeks


def stored_files() -> set[str]:
    media = Path(settings.MEDIA_ROOT)
    return {path.relative_to(media).as_posix() for path in media.rglob("*") if path.is_file()}


def made_report_refused(monkeypatch: pytest.MonkeyPatch) -> list[set[str]]:
    """The entry of a made report is refused (the ask's and the start's are written); returns what storage
    held when it was asked for."""
    seen: list[set[str]] = []

    def audit_record(**kwargs: Any) -> Any:
        if kwargs["action"] in ("analytics.report_generated", "analytics.report_regenerated"):
            seen.append(stored_files())
            raise IntegrityError("audit chain refused the entry")
        return real_audit_record(**kwargs)

    monkeypatch.setattr(reports, "audit_record", audit_record)
    return seen


def generate(world: Any) -> AnalyticsReport | None:
    return reports.report_generate(
        district_id=world.district.pk, period=ReportPeriod.WEEKLY, day=WEEK, street=None, actor=reports.SCHEDULE
    )


def test_a_scheduled_report_that_fails_after_its_files_were_stored_leaves_none(
    world: Any, weeks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = made_report_refused(monkeypatch)

    with pytest.raises(IntegrityError):
        generate(world)

    assert [len(files) for files in seen] == [2]  # the PDF and the XLSX were written before the failure
    assert stored_files() == set()
    assert (AnalyticsReport.objects.count(), AuditEntry.objects.filter(action__startswith="analytics.").count()) == (
        0,
        0,
    )


def test_a_report_made_again_that_fails_keeps_the_files_of_the_earlier_making(
    world: Any, weeks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = generate(world)
    assert first is not None
    kept = {first.pdf.name, first.xlsx.name}
    assert stored_files() == kept
    seen = made_report_refused(monkeypatch)

    with pytest.raises(IntegrityError):
        generate(world)

    assert [len(files - kept) for files in seen] == [2]
    assert stored_files() == kept
    again = AnalyticsReport.objects.get()
    assert (again.pk, again.pdf.name, again.xlsx.name) == (first.pk, first.pdf.name, first.xlsx.name)


def test_a_report_the_worker_fails_to_make_after_its_files_were_stored_leaves_none_and_says_so(
    world: Any, weeks: Any, sign_in: Any, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ask(sign_in(world.user("leader")), django_capture_on_commit_callbacks)
    report = AnalyticsReport.objects.get()
    seen = made_report_refused(monkeypatch)

    assert report_make_task.call(report.pk).startswith("failed: ")

    assert [len(files) for files in seen] == [2]
    assert stored_files() == set()
    report.refresh_from_db()
    assert (report.status, report.has_files, report.pdf.name, report.xlsx.name) == (ReportStatus.FAILED, False, "", "")
