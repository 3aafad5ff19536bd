"""Background entry points of analytics (Django Tasks API, run by ``manage.py task_worker``). Each calls one
service and is idempotent."""

from django.tasks import task

from zhifa.analytics.reports import report_make
from zhifa.core.request_context import Client, acting_as


@task()
def report_make_task(report_id: int) -> str:
    """Make a report asked for on the page or the API (``report_request``): 已完成 or 失败 with the reason; a
    report no longer waiting is left alone. Returns what happened ("done", "failed: …", "skipped: …")."""
    with acting_as(client=Client.SYSTEM):
        return report_make(report_id)
