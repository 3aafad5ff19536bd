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


class PlanKind(models.TextChoices):
    # 双随机抽查: a share of the department's subjects drawn at random, weighted by grade and colour (ZJR 21).
    RANDOM = "random", "双随机抽查"
    # 专项检查: every subject of the department's matters, except those graded A — 无事不扰 (issue 13 part 4): an
    # A subject is checked only when drawn at random or when a complaint calls for it. Inspectors are still
    # drawn at random for each subject.
    SPECIAL = "special", "专项检查"


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


# --- 责令整改: the rectification order's one workflow (issue 12 part 6) ------------------------------------------


class RectificationStatus(models.TextChoices):
    # 待整改: issued from a finding of a signed visit, with its deadline; the party may send evidence.
    ISSUED = "issued", "待整改"
    # 待复查: the party sent evidence (photos and a note) through its link or its home; an officer re-inspects.
    SUBMITTED = "submitted", "待复查"
    # 复查未通过: re-inspected and not yet rectified; the party may send evidence again until the deadline.
    REINSPECTED = "reinspected", "复查未通过"
    # 已整改: re-inspected and confirmed; terminal.
    RECTIFIED = "rectified", "已整改"
    # 已移送立案: not rectified (the deadline passed, or the re-inspection found it so) and handed to the cases
    # app as a lead with the evidence; terminal.
    ESCALATED = "escalated", "已移送立案"


class RectificationAction(models.TextChoices):
    SUBMIT = "submit", "提交整改材料"
    REJECT = "reject", "复查未通过"
    CONFIRM = "confirm", "复查通过"
    ESCALATE = "escalate", "移送立案"


RECTIFICATION_WORKFLOW = TransitionTable(
    name="rectification_order",
    initial=RectificationStatus.ISSUED,
    transitions=[
        Transition(RectificationStatus.ISSUED, RectificationAction.SUBMIT, RectificationStatus.SUBMITTED),
        Transition(RectificationStatus.SUBMITTED, RectificationAction.SUBMIT, RectificationStatus.SUBMITTED),
        Transition(RectificationStatus.REINSPECTED, RectificationAction.SUBMIT, RectificationStatus.SUBMITTED),
        Transition(
            RectificationStatus.SUBMITTED,
            RectificationAction.REJECT,
            RectificationStatus.REINSPECTED,
            requires_reason=True,
        ),
        Transition(RectificationStatus.ISSUED, RectificationAction.CONFIRM, RectificationStatus.RECTIFIED),
        Transition(RectificationStatus.SUBMITTED, RectificationAction.CONFIRM, RectificationStatus.RECTIFIED),
        Transition(RectificationStatus.REINSPECTED, RectificationAction.CONFIRM, RectificationStatus.RECTIFIED),
        *(
            Transition(source, RectificationAction.ESCALATE, RectificationStatus.ESCALATED, requires_reason=True)
            for source in (RectificationStatus.ISSUED, RectificationStatus.SUBMITTED, RectificationStatus.REINSPECTED)
        ),
    ],
    labels={**dict(RectificationStatus.choices), **dict(RectificationAction.choices)},
)
RECTIFICATION_OPEN = (RectificationStatus.ISSUED, RectificationStatus.SUBMITTED, RectificationStatus.REINSPECTED)
