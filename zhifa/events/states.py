"""The event workflow: one transition table (STYLE.md), drawn in docs/events.md from this same table.

States and why they exist (智能感知 → 指挥调度 → 协同联办, MISSION.md; "1530" clocks):

- reported (已上报): stored with its raw payload and source, located; nothing decided yet.
- triaged (已研判): classified to an enforcement matter and department, checked for duplicates, routed.
- dispatched (已派遣): assigned to a zone team's officers; the acknowledge/arrive/handle clocks run.
- acknowledged (已响应): an officer accepted on the phone (acknowledge clock met or missed).
- arrived (已到场): the officer's arrival was recorded with GPS near the event (arrive clock).
- handled (已处置): the officer (or a coordinating department's written feedback) reported the outcome
  with photos and text (handle clock).
- verified (已核查): the command centre checked the outcome.
- closed (已结案): done; the reporters (and those of merged duplicates) get the outcome.
- returned (已退回): sent back to the command centre with a required reason, to re-dispatch or transfer.
- transferred (已转办): outside comprehensive-enforcement scope, handed to a coordinating department
  (协同联办) with its own deadline; its written feedback brings the event back as handled.
- merged (已合并): a duplicate of another open event, linked to it (terminal).
- rejected (不予受理): not an enforcement matter or not actionable, with a required reason (terminal).
- sent_back (已退回12345): a 12345 ticket outside the district's duty, returned to the hotline platform with
  a required reason — the platform, not this district, answers the caller then (terminal; hotline only).
"""

from django.db import models

from zhifa.core.workflow import Transition, TransitionTable


class EventStatus(models.TextChoices):
    REPORTED = "reported", "已上报"
    TRIAGED = "triaged", "已研判"
    DISPATCHED = "dispatched", "已派遣"
    ACKNOWLEDGED = "acknowledged", "已响应"
    ARRIVED = "arrived", "已到场"
    HANDLED = "handled", "已处置"
    VERIFIED = "verified", "已核查"
    CLOSED = "closed", "已结案"
    RETURNED = "returned", "已退回"
    TRANSFERRED = "transferred", "已转办"
    MERGED = "merged", "已合并"
    REJECTED = "rejected", "不予受理"
    SENT_BACK = "sent_back", "已退回12345"


class EventAction(models.TextChoices):
    TRIAGE = "triage", "研判"
    DISPATCH = "dispatch", "派遣"
    REDISPATCH = "redispatch", "改派"
    ACKNOWLEDGE = "acknowledge", "响应"
    ARRIVE = "arrive", "到场签到"
    HANDLE = "handle", "处置反馈"
    VERIFY = "verify", "核查"
    REDO = "redo", "核查不通过"
    CLOSE = "close", "结案"
    RETURN = "return", "退回"
    TRANSFER = "transfer", "转办"
    FEEDBACK = "feedback", "部门反馈"
    MERGE = "merge", "合并"
    REJECT = "reject", "不予受理"
    SEND_BACK = "send_back", "退回12345"


S, A = EventStatus, EventAction


def _is_hotline_ticket(event: object, actor: object) -> str | None:
    """退回12345 is the hotline platform's procedure: an event that did not come from it has nowhere to go back."""
    if getattr(event, "source", "") in HOTLINE_SOURCES:
        return None
    return "只有12345热线来件可以退回12345"


def _waits_in_the_human_queue(event: object, actor: object) -> str | None:
    """研判 again: an event the model could not route (人工研判) is read once more — after a retrained model, say —
    by the same triage intake ran; a routed event is corrected instead (纠正研判)."""
    if getattr(event, "route", "") == "manual":
        return None
    return "只有待人工研判的事件可以重新研判；已分流的事件请纠正研判结果"


OPEN_STATES = frozenset(
    {S.REPORTED, S.TRIAGED, S.DISPATCHED, S.ACKNOWLEDGED, S.ARRIVED, S.HANDLED, S.VERIFIED, S.RETURNED, S.TRANSFERRED}
)
# States in which the zone team's clocks are running.
FIELD_STATES = frozenset({S.DISPATCHED, S.ACKNOWLEDGED, S.ARRIVED})
# Where handling (处置) leaves an event until the command centre sends it back to the field (redo).
HANDLED_STATES = frozenset({S.HANDLED, S.VERIFIED, S.CLOSED})

EVENT_WORKFLOW = TransitionTable(
    name="event",
    initial=S.REPORTED,
    transitions=[
        Transition(S.REPORTED, A.TRIAGE, S.TRIAGED),
        Transition(S.TRIAGED, A.TRIAGE, S.TRIAGED, guard=_waits_in_the_human_queue),
        Transition(S.REPORTED, A.MERGE, S.MERGED, requires_reason=True),
        Transition(S.REPORTED, A.REJECT, S.REJECTED, requires_reason=True),
        Transition(S.REPORTED, A.SEND_BACK, S.SENT_BACK, guard=_is_hotline_ticket, requires_reason=True),
        Transition(S.TRIAGED, A.DISPATCH, S.DISPATCHED),
        Transition(S.TRIAGED, A.TRANSFER, S.TRANSFERRED, requires_reason=True),
        Transition(S.TRIAGED, A.MERGE, S.MERGED, requires_reason=True),
        Transition(S.TRIAGED, A.REJECT, S.REJECTED, requires_reason=True),
        Transition(S.TRIAGED, A.SEND_BACK, S.SENT_BACK, guard=_is_hotline_ticket, requires_reason=True),
        Transition(S.DISPATCHED, A.ACKNOWLEDGE, S.ACKNOWLEDGED),
        Transition(S.DISPATCHED, A.REDISPATCH, S.DISPATCHED, requires_reason=True),
        Transition(S.DISPATCHED, A.RETURN, S.RETURNED, requires_reason=True),
        Transition(S.ACKNOWLEDGED, A.ARRIVE, S.ARRIVED),
        Transition(S.ACKNOWLEDGED, A.REDISPATCH, S.DISPATCHED, requires_reason=True),
        Transition(S.ACKNOWLEDGED, A.RETURN, S.RETURNED, requires_reason=True),
        Transition(S.ARRIVED, A.HANDLE, S.HANDLED),
        Transition(S.ARRIVED, A.RETURN, S.RETURNED, requires_reason=True),
        Transition(S.RETURNED, A.DISPATCH, S.DISPATCHED),
        Transition(S.RETURNED, A.TRANSFER, S.TRANSFERRED, requires_reason=True),
        Transition(S.RETURNED, A.REJECT, S.REJECTED, requires_reason=True),
        Transition(S.RETURNED, A.SEND_BACK, S.SENT_BACK, guard=_is_hotline_ticket, requires_reason=True),
        Transition(S.TRANSFERRED, A.FEEDBACK, S.HANDLED, requires_reason=True),
        Transition(S.TRANSFERRED, A.RETURN, S.RETURNED, requires_reason=True),
        Transition(S.HANDLED, A.VERIFY, S.VERIFIED),
        Transition(S.HANDLED, A.REDO, S.DISPATCHED, requires_reason=True),
        Transition(S.VERIFIED, A.CLOSE, S.CLOSED),
    ],
    labels={**{s.value: s.label for s in EventStatus}, **{a.value: a.label for a in EventAction}},
)


class EventSource(models.TextChoices):
    API = "api", "接口"
    OPEN311 = "open311", "Open311"
    HOTLINE = "hotline", "12345热线"
    AI_CAMERA = "ai_camera", "AI摄像头"
    DRONE = "drone", "无人机"
    PATROL = "patrol", "巡查发现"
    DEPARTMENT = "department", "部门移交"


# Events that came in as a 12345 ticket: only these can be sent back to the hotline platform (退回12345).
HOTLINE_SOURCES = frozenset({EventSource.HOTLINE})


class CallbackResult(models.TextChoices):
    """回访结果: how the call-back to the caller went when the event was closed. The first three are the
    caller's satisfaction (满意度) as 12345 counts it; the others record why there is none."""

    SATISFIED = "satisfied", "已回访满意"
    BASICALLY_SATISFIED = "basically_satisfied", "已回访基本满意"
    DISSATISFIED = "dissatisfied", "已回访不满意"
    UNREACHABLE = "unreachable", "未接通"
    DECLINED = "declined", "来电人拒绝回访"
    NOT_NEEDED = "not_needed", "无需回访（匿名或未留号码）"


# The results that carry a satisfaction verdict (the 12345 platform's 满意率 counts these).
SATISFACTION_RESULTS = frozenset(
    {CallbackResult.SATISFIED, CallbackResult.BASICALLY_SATISFIED, CallbackResult.DISSATISFIED}
)


class EventPriority(models.TextChoices):
    NORMAL = "normal", "一般"
    URGENT = "urgent", "紧急"


class EventRoute(models.TextChoices):
    ZONE_TEAM = "zone_team", "片区执法队"
    COORDINATION = "coordination", "协同联办"
    # Below the triage model's confidence threshold, or a kind the district does not route: the command
    # centre's human triage queue decides (never silently the zone team).
    MANUAL = "manual", "人工研判"


class ClassifiedBy(models.TextChoices):
    AUTO = "auto", "自动"
    OPERATOR = "operator", "人工"
    REPORTER = "reporter", "上报时指定"


class TimeBase(models.TextChoices):
    """The three time bases of city management (城市管理三种计时方式)."""

    AROUND_THE_CLOCK = "around_the_clock", "全天候（自然时间）"
    WORKING_HOURS = "working_hours", "工作时间"
    WORKING_DAYS = "working_days", "工作日"


class Clock(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", "响应"
    ARRIVE = "arrive", "到场"
    HANDLE = "handle", "处置"
    COORDINATION = "coordination", "协同办理"


class EscalationLevel(models.IntegerChoices):
    ZONE_LEAD = 1, "通知片区负责人"
    COMMAND_CENTRE = 2, "通知指挥中心"
    REDISPATCH = 3, "改派"


class EscalationOutcome(models.TextChoices):
    """What an escalation step did (``EventEscalation.outcome``). Decisions read this, never the note: the
    cap on automatic re-dispatches counts ``REDISPATCHED`` steps."""

    ZONE_LEAD_NOTIFIED = "zone_lead_notified", "已通知片区负责人"
    COMMAND_CENTRE_NOTIFIED = "command_centre_notified", "已通知指挥中心"
    # Level 3 when the event cannot or may not be re-dispatched: the command centre is told again.
    COORDINATION_OVERDUE = "coordination_overdue", "协同部门逾期，已再次通知指挥中心"
    ARRIVED = "arrived", "人员已在现场，未改派"
    REDISPATCH_CAP_REACHED = "redispatch_cap_reached", "自动改派已达上限"
    NOBODY_TO_SEND = "nobody_to_send", "无可改派人员"
    REDISPATCHED = "redispatched", "已自动改派"
