"""Inspections (issue 12, parts 1–2): versioned checklists and inspection plans drawn by 双随机一公开.

A checklist version (``ChecklistVersion``) and its items are written once and never changed: an inspection
keeps the version it used, so a later edit of the matter's checklist must not rewrite what an earlier
inspection checked against. A change is a new version (a new row set), numbered per matter and category.

A plan (``InspectionPlan``) is drawn once; the draw stores the public value, the seed and every input it read
(``draw_inputs``), so that anyone can re-run the published algorithm (docs/inspections.md) and get the same
subjects and inspectors (``manage.py inspection_draw_verify``).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models

from zhifa.catalog.models import Matter, SubjectCategory
from zhifa.core.models import BaseModel
from zhifa.inspections.states import PlanStatus
from zhifa.org.models import Department, District, Officer
from zhifa.subjects.models import Subject


class ChecklistVersion(BaseModel):
    """One version of a matter's checklist (检查表版本). ``subject_category`` empty: for every category the matter
    applies to; set: a variant for that category (业态), preferred over the general one for its subjects."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    matter = models.ForeignKey(Matter, verbose_name="事项", on_delete=models.PROTECT, related_name="checklist_versions")
    subject_category = models.CharField(
        "适用业态", max_length=24, choices=SubjectCategory.choices, blank=True, help_text="留空为该事项所有业态"
    )
    number = models.PositiveIntegerField("版本号")
    note = models.CharField("修订说明", max_length=200, blank=True)
    created_by = models.CharField("制定人", max_length=150)

    class Meta:
        verbose_name = verbose_name_plural = "检查表版本"
        ordering = ["matter", "subject_category", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["matter", "subject_category", "number"], name="checklist_version_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.matter.code} v{self.number}"


class ChecklistVersionItem(BaseModel):
    """One item of a checklist version (检查项): what to check, on what legal basis, how, for how many points,
    what counts as a problem, and whether a photo must be taken."""

    version = models.ForeignKey(ChecklistVersion, verbose_name="版本", on_delete=models.PROTECT, related_name="items")
    position = models.PositiveSmallIntegerField("序号")
    text = models.CharField("检查内容", max_length=300)
    legal_basis = models.CharField("法律依据", max_length=300, blank=True)
    method = models.CharField("检查方法", max_length=300, blank=True)
    score = models.PositiveSmallIntegerField("分值", default=0)
    problem_criteria = models.CharField("问题判定标准", max_length=300, blank=True)
    requires_photo = models.BooleanField("须拍照", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "检查项"
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="checklist_version_item_position_unique")
        ]


class ConflictOfInterest(BaseModel):
    """利益冲突申报: an officer related to a subject (kin, former employer, shareholding). Such an officer is never
    drawn to inspect that subject (回避)."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    officer = models.ForeignKey(Officer, verbose_name="执法人员", on_delete=models.PROTECT, related_name="conflicts")
    subject = models.ForeignKey(Subject, verbose_name="执法对象", on_delete=models.PROTECT, related_name="conflicts")
    reason = models.CharField("关系说明", max_length=200)
    recorded_by = models.CharField("登记人", max_length=150)

    class Meta:
        verbose_name = verbose_name_plural = "利益冲突申报"
        constraints = [models.UniqueConstraint(fields=["officer", "subject"], name="conflict_officer_subject_unique")]


class InspectionPlan(BaseModel):
    """抽查计划: one department's random inspections for one period. ``grade_weights`` and ``colour_weights`` are
    the multipliers in force when the plan was made (copied from the settings' defaults, editable per plan), so
    that a later change of the defaults does not change how an old draw is re-run."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.PROTECT, related_name="inspection_plans"
    )
    name = models.CharField("计划名称", max_length=100)
    starts_on = models.DateField("起始日期")
    ends_on = models.DateField("截止日期")
    target_ratio = models.DecimalField("抽查比例", max_digits=5, decimal_places=4)
    grade_weights = models.JSONField("信用等级权重")
    colour_weights = models.JSONField("风险颜色权重")
    status = models.CharField("状态", max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="制定人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The draw (filled once, by plan_draw).
    public_value = models.CharField("公开随机值", max_length=100, blank=True)
    seed = models.CharField("随机种子", max_length=64, blank=True)
    algorithm = models.CharField("抽取算法", max_length=20, blank=True)
    draw_inputs = models.JSONField("抽取输入", null=True, blank=True)
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)
    drawn_by = models.CharField("抽取人", max_length=150, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "抽查计划"
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="plan_period_ordered"),
            models.CheckConstraint(
                condition=models.Q(target_ratio__gt=Decimal("0")) & models.Q(target_ratio__lte=Decimal("1")),
                name="plan_ratio_in_range",
            ),
        ]
        indexes = [models.Index(fields=["district", "department", "status"], name="plan_scope_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def target_percent(self) -> str:
        """The ratio as the pages show it: 0.1250 → "12.5"."""
        return format((self.target_ratio * 100).normalize(), "f")


class PlanSubject(BaseModel):
    """One drawn subject of a plan with its two inspectors, in draw order (``position``)."""

    plan = models.ForeignKey(InspectionPlan, verbose_name="计划", on_delete=models.PROTECT, related_name="drawn")
    subject = models.ForeignKey(Subject, verbose_name="执法对象", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField("抽取顺序")
    credit_grade = models.CharField("信用等级", max_length=1)
    risk_colour = models.CharField("风险颜色", max_length=10, blank=True)
    weight = models.FloatField("权重")
    is_mandatory = models.BooleanField("必查(D级)", default=False)
    first_officer = models.ForeignKey(Officer, verbose_name="检查人员一", on_delete=models.PROTECT, related_name="+")
    second_officer = models.ForeignKey(Officer, verbose_name="检查人员二", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "抽中对象"
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "subject"], name="plan_subject_unique"),
            models.UniqueConstraint(fields=["plan", "position"], name="plan_subject_position_unique"),
        ]
