"""Reports asked for on the page or the API are made by the task worker, not in the web request: the ask writes
the report's row 排队中 (audited) and enqueues ``report_make_task``; the worker's run makes the figures, the PDF
and the XLSX and marks it 已完成, or 失败 with the reason kept on the row (and it can be asked again). Asking while
it waits makes no second row or task; bad input writes and enqueues nothing; a street's dispatcher neither asks
for nor sees another street's. The weeks seen are test_reports.py's (last week 2026-03-09 – 03-15, six events in
the district, five in street A)."""

import io
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from zhifa.analytics import reports, tasks
from zhifa.analytics.models import AnalyticsReport, ReportPeriod, ReportStatus
from zhifa.analytics.reports import SCHEDULE, report_file_bytes, report_request, reports_scheduled
from zhifa.analytics.tasks import report_make_task
from zhifa.analytics.tests import test_reports
from zhifa.core.models import AuditEntry
from zhifa.documents.render import FontsMissing

TASK_PATH = "zhifa.analytics.tasks.report_make_task"
WEEK = test_reports.WEEK
# test_reports.py's fixtures: the two weeks, seen on Wednesday 2026-03-18.
frozen = test_reports.frozen
weeks = test_reports.weeks


def queued_tasks() -> list[list[Any]]:
    return [r["args"] for r in DBTaskResult.objects.filter(task_path=TASK_PATH).values_list("args_kwargs", flat=True)]


def ask(client: Any, capture: Any, **form: Any) -> Any:
    data = {"period": "weekly", "day": "2026-03-11", "street": "", **form}
    with capture(execute=True):
        return client.post("/analytics/reports/generate/", data)


def test_the_ask_writes_a_pending_row_and_the_worker_makes_it(
    world: Any, weeks: Any, sign_in: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = sign_in(world.user("leader"))
    response = ask(client, django_capture_on_commit_callbacks)

    # the request made nothing but the row, its audit entry and the task
    assert response.status_code == 302
    report = AnalyticsReport.objects.get()
    assert response["Location"] == f"/analytics/reports/?asked={report.pk}"
    assert (report.status, report.period_start, report.street_id) == (ReportStatus.QUEUED, WEEK, None)
    assert (report.requested_by, report.generated_at, report.figures) == (world.user("leader"), None, {})
    assert not report.has_files and not report.pdf.name
    assert queued_tasks() == [[report.pk]]
    entry = AuditEntry.objects.get(action="analytics.report_requested", object_id=str(report.pk))
    assert entry.actor_label == "leader" and entry.after["status"] == "queued"
    page = client.get(response["Location"]).content.decode()
    assert "已申请生成" in page and "排队中" in page and "生成后可下载" in page
    assert f"/analytics/reports/{report.pk}/pdf/" not in page
    assert client.get(f"/analytics/reports/{report.pk}/pdf/").status_code == 409
    state = client.get(f"/analytics/reports/status/?ids={report.pk}").json()["reports"]
    assert [(r["id"], r["status"], r["status_label"], r["pdf_url"]) for r in state] == [
        (report.pk, "queued", "排队中", None)
    ]

    # the worker's run makes the figures and both files
    assert report_make_task.call(report.pk) == "done"
    report.refresh_from_db()
    assert (report.status, report.failure_reason, report.generated_by) == ("done", "", world.user("leader"))
    assert report.figures["current"]["total"] == 6 and not report.by_schedule
    assert report_file_bytes(report, "pdf").startswith(b"%PDF")
    book = load_workbook(io.BytesIO(report_file_bytes(report, "xlsx")))
    assert book["主要数量与上期对比"]["B2"].value == 6
    made = AuditEntry.objects.get(action="analytics.report_generated", object_id=str(report.pk))
    assert made.actor_label == "leader" and made.after["pdf_sha256"] == report.pdf_sha256
    # 生成中 was audited too, before the outcome: the ask, the start and the result, in that order
    trail = AuditEntry.objects.filter(object_id=str(report.pk), action__startswith="analytics.report").order_by("seq")
    assert [(e.action, e.actor_label, (e.before or {}).get("status"), e.after["status"]) for e in trail] == [
        ("analytics.report_requested", "leader", None, "queued"),
        ("analytics.report_started", "leader", "queued", "running"),
        ("analytics.report_generated", "leader", "running", "done"),
    ]
    state = client.get(f"/analytics/reports/status/?ids={report.pk}").json()["reports"][0]
    assert (state["status"], state["pdf_url"]) == ("done", f"/analytics/reports/{report.pk}/pdf/")
    assert state["summary"].startswith("本周（2026年3月9日至2026年3月15日）")
    assert client.get(state["xlsx_url"]).status_code == 200
    page = client.get("/analytics/reports/").content.decode()
    assert f'href="/analytics/reports/{report.pk}/pdf/"' in page and "已完成" in page

    # run again (a task copy the worker readied after a lost completion): nothing changes, nothing is audited
    assert report_make_task.call(report.pk) == "skipped: done"
    assert AuditEntry.objects.filter(object_id=str(report.pk), action__startswith="analytics.report").count() == 3


@pytest.mark.django_db(transaction=True)  # the worker closes its connections between drains
def test_the_real_worker_runs_the_queued_task(
    world: Any, weeks: Any, sign_in: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ask(sign_in(world.user("leader")), django_capture_on_commit_callbacks)
    call_command("task_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)
    report = AnalyticsReport.objects.get()
    assert report.status == ReportStatus.DONE and report.has_files
    result = DBTaskResult.objects.get(task_path=TASK_PATH)
    assert (result.status, result.return_value) == ("SUCCESSFUL", "done")


def test_asking_twice_while_it_waits_makes_one(
    world: Any, weeks: Any, sign_in: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = sign_in(world.user("leader"))
    first = ask(client, django_capture_on_commit_callbacks)
    second = ask(client, django_capture_on_commit_callbacks, day="2026-03-15")  # the same week
    report = AnalyticsReport.objects.get()
    assert second["Location"] == f"/analytics/reports/?asked={report.pk}&waiting=1" != first["Location"]
    assert "该报告已在生成队列中，无需重复申请" in client.get(second["Location"]).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        api = client.post(
            "/api/v1/analytics/reports", {"period": "weekly", "day": "2026-03-09"}, content_type="application/json"
        )
    assert api.status_code == 202 and (api.json()["id"], api.json()["status"]) == (report.pk, "queued")
    assert AnalyticsReport.objects.count() == 1 and queued_tasks() == [[report.pk]]
    assert AuditEntry.objects.filter(action="analytics.report_requested").count() == 1
    # still one while the worker makes it (生成中)
    AnalyticsReport.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING)
    ask(client, django_capture_on_commit_callbacks)
    assert queued_tasks() == [[report.pk]]

    # once made, asked again: queued again, the last made files downloadable until replaced
    AnalyticsReport.objects.filter(pk=report.pk).update(status=ReportStatus.QUEUED)
    report_make_task.call(report.pk)
    report.refresh_from_db()
    old_pdf = report.pdf_sha256
    ask(client, django_capture_on_commit_callbacks)
    report.refresh_from_db()
    assert report.status == ReportStatus.QUEUED and report.pdf_sha256 == old_pdf
    assert client.get(f"/analytics/reports/{report.pk}/pdf/").status_code == 200
    assert queued_tasks() == [[report.pk], [report.pk]]
    with django_capture_on_commit_callbacks(execute=True):
        assert report_make_task.call(report.pk) == "done"
    assert AuditEntry.objects.filter(action="analytics.report_regenerated", object_id=str(report.pk)).exists()


def test_a_failure_is_kept_with_its_reason_and_can_be_asked_again(
    world: Any, weeks: Any, sign_in: Any, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = sign_in(world.user("leader"))
    ask(client, django_capture_on_commit_callbacks)
    report = AnalyticsReport.objects.get()

    def no_fonts(data: Any) -> bytes:
        raise FontsMissing("缺少报告字体 Noto Serif CJK SC（请运行 make pdf-deps 安装 fonts-noto-cjk）")

    monkeypatch.setattr(reports, "report_pdf", no_fonts)
    assert report_make_task.call(report.pk).startswith("failed: 缺少报告字体")
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED and not report.has_files
    assert report.failure_reason == "缺少报告字体 Noto Serif CJK SC（请运行 make pdf-deps 安装 fonts-noto-cjk）"
    failed = AuditEntry.objects.get(action="analytics.report_failed", object_id=str(report.pk))
    assert failed.after["failure_reason"] == report.failure_reason and failed.actor_label == "leader"
    page = client.get("/analytics/reports/").content.decode()
    assert "失败" in page and "缺少报告字体" in page
    state = client.get(f"/analytics/reports/status/?ids={report.pk}").json()["reports"][0]
    assert (state["status"], state["failure_reason"], state["pdf_url"]) == ("failed", report.failure_reason, None)
    assert client.get(f"/api/v1/analytics/reports/{report.pk}/pdf").json()["code"] == "report_not_ready"

    # anything unforeseen: a reason in Chinese, the traceback in the log
    def broken(data: Any) -> bytes:
        raise RuntimeError("boom")

    monkeypatch.setattr(reports, "report_pdf", broken)
    ask(client, django_capture_on_commit_callbacks)
    report.refresh_from_db()
    assert (report.status, report.failure_reason) == (ReportStatus.QUEUED, "")
    report_make_task.call(report.pk)
    report.refresh_from_db()
    assert report.failure_reason == "生成报告时出错（RuntimeError），请稍后重新生成；仍失败请联系管理员"

    # asked again once the cause is gone: made
    monkeypatch.undo()
    ask(client, django_capture_on_commit_callbacks)
    assert report_make_task.call(report.pk) == "done"
    report.refresh_from_db()
    assert (report.status, report.failure_reason) == (ReportStatus.DONE, "") and report.has_files
    assert queued_tasks() == [[report.pk]] * 3


def test_a_run_again_after_its_worker_died_audits_its_own_start(
    world: Any, weeks: Any, sign_in: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a report whose first run put it 生成中 and whose worker then died (the row left as it was)
    ask(sign_in(world.user("leader")), django_capture_on_commit_callbacks)
    report = AnalyticsReport.objects.get()
    AnalyticsReport.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING)

    # when the task the worker readied again runs
    assert report_make_task.call(report.pk) == "done"

    # then this run's start is audited, from 生成中 to 生成中, before the result
    trail = AuditEntry.objects.filter(object_id=str(report.pk), action__startswith="analytics.report").order_by("seq")
    assert [(e.action, e.actor_label, (e.before or {}).get("status"), e.after["status"]) for e in trail] == [
        ("analytics.report_requested", "leader", None, "queued"),
        ("analytics.report_started", "leader", "running", "running"),
        ("analytics.report_generated", "leader", "running", "done"),
    ]


def test_a_queue_that_refuses_the_task_fails_the_row(
    world: Any, weeks: Any, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unavailable(*args: Any) -> Any:
        raise ConnectionError("queue down")

    monkeypatch.setattr(tasks, "report_make_task", SimpleNamespace(enqueue=unavailable))
    with django_capture_on_commit_callbacks(execute=True):
        report, queued = report_request(
            district_id=world.district.pk, period=ReportPeriod.WEEKLY, day=WEEK, street=None, actor=world.user("leader")
        )
    report.refresh_from_db()
    assert queued and report.status == ReportStatus.FAILED
    assert report.failure_reason == "未能加入后台任务队列，请重新生成"


def test_bad_input_writes_and_enqueues_nothing(
    world: Any, weeks: Any, sign_in: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = sign_in(world.user("leader"))
    for form, code in (
        ({"day": "2026-03-18"}, "report_period_not_ended"),
        ({"day": "2026-3-x"}, "invalid_date"),
        ({"period": "daily"}, "report_period_unknown"),
        ({"street": "999999"}, "unknown_street"),
    ):
        response = ask(client, django_capture_on_commit_callbacks, **form)
        assert response.status_code == 422 and code in response.content.decode()
    for body, code in (
        ({"period": "weekly", "day": "2026-03-18"}, "report_period_not_ended"),
        ({"period": "daily", "day": "2026-03-11"}, "report_period_unknown"),
        ({"period": "weekly", "day": "2026-03-11", "street": 999999}, "unknown_street"),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            api = client.post("/api/v1/analytics/reports", body, content_type="application/json")
        assert api.status_code == 422 and api.json()["code"] == code
    assert not AnalyticsReport.objects.exists() and queued_tasks() == []
    assert not AuditEntry.objects.filter(action__startswith="analytics.report").exists()


def test_a_street_dispatcher_asks_for_and_sees_only_their_street(
    world: Any, weeks: Any, sign_in: Any, django_capture_on_commit_callbacks: Any
) -> None:
    leader = sign_in(world.user("leader"))
    ask(leader, django_capture_on_commit_callbacks, street=world.street_b.pk)
    ask(leader, django_capture_on_commit_callbacks)
    other, district = AnalyticsReport.objects.order_by("pk")
    client = sign_in(world.user("street_dispatcher_a"))
    for street in (world.street_b.pk, ""):
        assert ask(client, django_capture_on_commit_callbacks, street=street).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        api = client.post(
            "/api/v1/analytics/reports",
            {"period": "weekly", "day": "2026-03-11", "street": world.street_b.pk},
            content_type="application/json",
        )
    assert api.status_code == 403 and api.json()["code"] == "street_outside_scope"
    assert AnalyticsReport.objects.count() == 2 and len(queued_tasks()) == 2

    # the other street's and the district's pending reports are not theirs to see
    page = client.get("/analytics/reports/").content.decode()
    assert f'id="report-{other.pk}"' not in page and f'id="report-{district.pk}"' not in page
    assert client.get(f"/analytics/reports/status/?ids={other.pk},{district.pk},x,{2**70}").json() == {"reports": []}
    assert client.get(f"/api/v1/analytics/reports/{other.pk}").json()["code"] == "report_not_found"

    # their own street's: asked, followed, made
    with django_capture_on_commit_callbacks(execute=True):
        own = client.post(
            "/api/v1/analytics/reports",
            {"period": "weekly", "day": "2026-03-11", "street": world.street_a.pk},
            content_type="application/json",
        )
    assert own.status_code == 202
    body = own.json()
    assert (body["status"], body["status_label"], body["street_id"], body["pdf_url"]) == (
        "queued",
        "排队中",
        world.street_a.pk,
        None,
    )
    assert client.get(f"/api/v1/analytics/reports/{body['id']}").json()["status"] == "queued"
    report_make_task.call(body["id"])
    done = client.get(f"/api/v1/analytics/reports/{body['id']}").json()
    assert (done["status"], done["pdf_url"]) == ("done", f"/api/v1/analytics/reports/{body['id']}/pdf")
    assert done["summary"].startswith("本周") and "共受理事件5件" in done["summary"]
    assert client.get(done["pdf_url"]).content.startswith(b"%PDF")
    listed = client.get("/api/v1/analytics/reports").json()["items"]
    assert [r["id"] for r in listed] == [body["id"]]


def test_the_schedule_leaves_a_waiting_report_to_the_worker_and_makes_a_failed_one(
    world: Any, weeks: Any, django_capture_on_commit_callbacks: Any
) -> None:
    leader = world.user("leader")
    with django_capture_on_commit_callbacks(execute=True):
        waiting, _ = report_request(
            district_id=world.district.pk, period=ReportPeriod.WEEKLY, day=WEEK, street=None, actor=leader
        )
        failed, _ = report_request(
            district_id=world.district.pk, period=ReportPeriod.WEEKLY, day=WEEK, street=world.street_a, actor=leader
        )
    AnalyticsReport.objects.filter(pk=failed.pk).update(status=ReportStatus.FAILED, failure_reason="测试")
    made = reports_scheduled()
    waiting.refresh_from_db()
    failed.refresh_from_db()
    assert waiting.status == ReportStatus.QUEUED and not waiting.has_files
    assert failed.status == ReportStatus.DONE and failed.by_schedule and failed.has_files
    assert failed in made and waiting not in made
    assert AuditEntry.objects.filter(action="analytics.report_generated", actor_label=SCHEDULE.name).count() == 5
