"""Credit files (信用档案, issue 13): entries built from records, the scoring model's versions, and grades.

A file belongs to a holder — a unified social credit code, or an ID number for a person — within a district
(ZJC 9–11); every subject carrying that identifier shares it. Entries are built from records (a final penalty
decision of the general procedure, ``services.credit_refresh``) or added by a user with their source document
(a commendation); none is typed free-hand. A grade keeps the model version, the score and the explanation it was
computed with; a new computation that changes anything appends a row, so the history stays.
"""

from django.conf import settings
from django.db import models

from zhifa.core.models import BaseModel
from zhifa.org.models import District


class CreditCategory(models.TextChoices):
    """ZJC 9–11: basic, negative and positive information."""

    BASIC = "basic", "基础信息"
    NEGATIVE = "negative", "失信信息"
    POSITIVE = "positive", "守信信息"


class EntryKind(models.TextChoices):
    """What an entry records; the scoring model weighs each kind (``CreditModelVersion.weights``)."""

    PENALTY = "penalty", "行政处罚（普通程序）"
    PENALTY_SEVERE = "penalty_severe", "行政处罚（吊销许可证件、责令停产停业等）"
    COMMENDATION = "commendation", "表彰奖励"


KIND_CATEGORY = {
    EntryKind.PENALTY: CreditCategory.NEGATIVE,
    EntryKind.PENALTY_SEVERE: CreditCategory.NEGATIVE,
    EntryKind.COMMENDATION: CreditCategory.POSITIVE,
}


class SourceType(models.TextChoices):
    CASE = "case", "行政处罚决定"
    DOCUMENT = "document", "来源文件"


class CreditEntry(BaseModel):
    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    holder_key = models.CharField("统一社会信用代码/身份证号", max_length=18, db_index=True)
    holder_name = models.CharField("主体名称", max_length=200)
    kind = models.CharField("信息类别", max_length=20, choices=EntryKind.choices)
    category = models.CharField("信息分类", max_length=10, choices=CreditCategory.choices)
    title = models.CharField("内容", max_length=300)
    occurred_on = models.DateField("信息日期")
    # The first day the entry is no longer shown (nor scored): negative information 5 years after the decision
    # (ZJC 16), positive information 3 years after it was given (docs/credit.md).
    expires_on = models.DateField("停止展示日期")
    legal_basis = models.CharField("依据", max_length=300)
    source_type = models.CharField("来源", max_length=10, choices=SourceType.choices)
    # A record the entry was built from (a case's id), or empty for a document a user entered.
    source_id = models.BigIntegerField("来源记录编号", null=True, blank=True)
    source_reference = models.CharField("来源文号", max_length=100)
    source_authority = models.CharField("作出机关", max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = verbose_name_plural = "信用信息"
        ordering = ["-occurred_on", "-id"]
        constraints = [
            # One entry per record: a refresh run twice (or by two workers at once) writes it once.
            models.UniqueConstraint(
                fields=["source_type", "source_id"],
                condition=models.Q(source_id__isnull=False),
                name="credit_entry_one_per_record",
            )
        ]
        indexes = [models.Index(fields=["district", "holder_key", "expires_on"], name="credit_entry_holder_idx")]

    def __str__(self) -> str:
        return f"{self.holder_key} {self.get_kind_display()} {self.occurred_on}"


class CreditModelVersion(BaseModel):
    """One version of a district's scoring model. Never changed: a change is a new version (numbered 1, 2, 3 …),
    and every grade names the version it was computed with. The district's newest version is the current one."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    number = models.PositiveIntegerField("版本号")
    base_score = models.FloatField("基础分")
    # Points per entry kind (negative information negative), before the time decay.
    weights = models.JSONField("各类信息分值")
    half_life_days = models.PositiveIntegerField("半衰期（天）", help_text="信息的分值每过此天数减半")
    # The lowest score of each grade: {"A": 90, "B": 70, "C": 50}; below C's is D.
    thresholds = models.JSONField("等级分数线")
    # Kinds that force D while the entry is shown, whatever the score.
    veto_kinds = models.JSONField("一票否决的信息类别", default=list, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="制定人", null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = verbose_name_plural = "信用评分模型版本"
        ordering = ["district", "-number"]
        constraints = [models.UniqueConstraint(fields=["district", "number"], name="credit_model_version_unique")]

    def __str__(self) -> str:
        return f"评分模型第{self.number}版"


class CreditGrade(models.Model):
    """A holder's grade as computed at ``computed_at``; ``is_current`` marks the latest (one per holder)."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    holder_key = models.CharField("统一社会信用代码/身份证号", max_length=18)
    model_version = models.ForeignKey(CreditModelVersion, verbose_name="评分模型版本", on_delete=models.PROTECT)
    score = models.FloatField("得分")
    grade = models.CharField("等级", max_length=1)
    # [{entry_id, kind, title, occurred_on, weight, factor, points}] and the veto entry ids: what produced it.
    explanation = models.JSONField("计算说明")
    vetoed_by = models.JSONField("一票否决信息", default=list, blank=True)
    computed_on = models.DateField("计算日期")
    computed_at = models.DateTimeField("计算时间")
    is_current = models.BooleanField("当前等级", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "信用等级"
        ordering = ["-computed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "holder_key"], condition=models.Q(is_current=True), name="credit_grade_one_current"
            )
        ]
        indexes = [models.Index(fields=["district", "holder_key", "computed_at"], name="credit_grade_history_idx")]

    def __str__(self) -> str:
        return f"{self.holder_key} {self.grade} {self.score:.1f}"
