"""The inspection plan's states. A plan is drawn once: the draw is what 双随机一公开 publishes, so it is never
redrawn or changed afterwards (a new period gets a new plan)."""

from django.db import models


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
