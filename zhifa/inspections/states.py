"""The inspections app's states. A plan is drawn once: the draw is what 双随机一公开 publishes, so it is never
redrawn or changed afterwards (a new period gets a new plan). A joint inspection (综合查一次) follows
``VISIT_WORKFLOW``: planned → started → signed, or cancelled (with a reason) before it is signed."""

from django.db import models

from zhifa.core.workflow import Transition, TransitionTable


class PlanStatus(models.TextChoices):
    # 待抽取: created with its period, ratio and weights; nothing drawn yet, every field may still be read.
    DRAFT = "draft", "待抽取"
    # 已抽取: subjects and inspectors drawn from the published seed; terminal for this slice (results come with
    # the inspections themselves, issue 12 part 5).
    DRAWN = "drawn", "已抽取"


class PlanAction(models.TextChoices):
    DRAW = "draw", "抽取"


# (state, action) → next state: the only transition this slice has.
TRANSITIONS: dict[tuple[str, str], str] = {
    (PlanStatus.DRAFT, PlanAction.DRAW): PlanStatus.DRAWN,
}


# --- 综合查一次: the joint inspection's one workflow (issue 12 parts 3 and 5) -------------------------------------


class VisitStatus(models.TextChoices):
    # 待检查: merged from the pending checks of one or more departments, with its date window; nothing done yet.
    PLANNED = "planned", "待检查"
    # 检查中: started at the site (GPS position checked against the subject's); items, photos and findings may be
    # recorded, officers and the party sign.
    STARTED = "started", "检查中"
    # 已签署: the record is closed with the officers' and the party's signatures (or the party's refusal);
    # terminal — the record is what the party's QR code shows.
    SIGNED = "signed", "已签署"
    # 已取消: called off before it was signed (the subject closed, merged wrongly); a reason is required.
    CANCELLED = "cancelled", "已取消"


class VisitAction(models.TextChoices):
    START = "start", "开始检查"
    SIGN = "sign", "签署归档"
    CANCEL = "cancel", "取消"


VISIT_WORKFLOW = TransitionTable(
    name="joint_inspection",
    initial=VisitStatus.PLANNED,
    transitions=[
        Transition(VisitStatus.PLANNED, VisitAction.START, VisitStatus.STARTED),
        Transition(VisitStatus.STARTED, VisitAction.SIGN, VisitStatus.SIGNED),
        Transition(VisitStatus.PLANNED, VisitAction.CANCEL, VisitStatus.CANCELLED, requires_reason=True),
        Transition(VisitStatus.STARTED, VisitAction.CANCEL, VisitStatus.CANCELLED, requires_reason=True),
    ],
    labels={**dict(VisitStatus.choices), **dict(VisitAction.choices)},
)
