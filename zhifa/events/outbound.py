"""The new-task notice sent outside the open phone page (issue 16): for the officer whose page is closed.

Dispatch, re-dispatch and redo enqueue one ``task_notice_send`` per officer assigned, after the transaction
commits (``task_notices_enqueue`` through ``transaction.on_commit``: a dispatch that rolls back tells
nobody, and the worker never looks for an assignment not committed yet). The task worker (``manage.py
task_worker``, django-tasks-db) sends it through the configured channel (zhifa.core.messaging). A send that
fails is tried again by enqueueing the task anew to run later — ``ZHIFA_MESSAGING_RETRY_BASE_S`` (10 s)
doubling, up to ``ZHIFA_MESSAGING_MAX_ATTEMPTS`` (5) attempts — so the worker never sleeps on a gateway.

Nothing is sent for an assignment that no longer holds (re-dispatched to someone else, handled, returned)
or whose task the officer has already seen on the phone (``EventAssignment.seen_at``): the notice would only
be noise. The task is idempotent in that sense; a copy that runs again after a send whose answer was lost
carries the same ``message_id`` for the gateway to drop.
"""

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from zhifa.core.messaging import Message, Recipient, SendFailed, channel
from zhifa.events.clocks import LOCAL_TZ
from zhifa.events.models import EventAssignment
from zhifa.events.states import EventPriority

logger = logging.getLogger("zhifa.messaging")

DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_RETRY_BASE_S = 10.0


def task_notices_enqueue(assignment_ids: Iterable[int]) -> None:
    """Once the caller's transaction commits, one notice per assignment (immediately when there is none)."""
    ids = list(assignment_ids)
    if ids:
        transaction.on_commit(lambda: _enqueue(ids))


def _enqueue(ids: list[int]) -> None:
    for assignment_id in ids:
        try:
            task_notice_send.enqueue(assignment_id, 1)
        except Exception:  # the queue is unavailable: the dispatch stands, the open page still gets it
            logger.exception("新任务通知未能入队（派遣 %s）", assignment_id)


def task_notice(assignment: EventAssignment) -> tuple[Recipient, Message]:
    """Who is told and what: the event number, the matter, urgency and the acknowledge clock — not the
    reporter or their words (the phone shows those to the signed-in officer; a gateway is a third party)."""
    event = assignment.event
    officer = assignment.officer
    user = officer.user
    is_urgent = event.priority == EventPriority.URGENT
    title = ("【紧急】" if is_urgent else "") + f"新派遣任务 {event.public_no}"
    what = event.matter.name if event.matter is not None else "待分类事件"
    due = event.acknowledge_due_at.astimezone(LOCAL_TZ).strftime("%H:%M") if event.acknowledge_due_at else ""
    text = f"{what}，{event.street.name}" + (f"，请于 {due} 前响应" if due else "")
    recipient = Recipient(
        user_id=user.pk if user is not None else 0,
        username=user.get_username() if user is not None else "",
        name=officer.name,
        phone=officer.phone,
    )
    message = Message(
        message_id=f"task-{assignment.pk}",
        kind="task_dispatched",
        title=title,
        text=text,
        is_urgent=is_urgent,
        url=reverse("web:phone-task", args=[event.pk]),
        data={"event_id": event.pk, "public_no": event.public_no, "assignment_id": assignment.pk},
    )
    return recipient, message


@task()
def task_notice_send(assignment_id: int, attempt: int) -> str:
    """Send one new-task notice; returns what happened ("sent", "skipped: …", "retry …", "failed: …")."""
    assignment = (
        EventAssignment.objects.select_related("event__matter", "event__street", "officer__user")
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None or assignment.released_at is not None:
        return "skipped: no longer assigned"
    if assignment.seen_at is not None:
        return "skipped: seen on the phone"
    if assignment.officer.user_id is None:
        return "skipped: officer without an account"
    recipient, message = task_notice(assignment)
    try:
        channel().send(recipient, message)
    except SendFailed as exc:
        max_attempts = int(getattr(settings, "ZHIFA_MESSAGING_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))
        if exc.is_final or attempt >= max_attempts:
            logger.error("新任务通知发送失败，不再重试（%s，第 %d 次）：%s", message.message_id, attempt, exc)
            return f"failed: {exc}"
        base = float(getattr(settings, "ZHIFA_MESSAGING_RETRY_BASE_S", DEFAULT_RETRY_BASE_S))
        delay = dt.timedelta(seconds=base * 2 ** (attempt - 1))
        task_notice_send.using(run_after=timezone.now() + delay).enqueue(assignment_id, attempt + 1)
        logger.warning("新任务通知发送失败，%s 后重试（%s，第 %d 次）：%s", delay, message.message_id, attempt, exc)
        return f"retry {attempt + 1}: {exc}"
    return "sent"
