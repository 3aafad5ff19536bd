"""The enforcement-matter catalogue (执法事项目录): what may be enforced, on whom, on what legal basis,
with which discretion tiers (裁量基准, APL 34) and checklist."""

from django.db import models

from zhifa.core.models import BaseModel
from zhifa.org.models import Department, District


class Domain(models.TextChoices):
    CITY_APPEARANCE = "city_appearance", "市容环卫"
    CONSTRUCTION = "construction", "建设施工"
    CATERING_FUMES = "catering_fumes", "餐饮油烟"
    OUTDOOR_ADS = "outdoor_ads", "户外广告"
    MARKET = "market", "市场监管"
    FIRE_SAFETY = "fire_safety", "消防安全"
    CULTURE_TOURISM = "culture_tourism", "文化旅游"
    EMERGENCY = "emergency", "应急管理"
    ENVIRONMENT = "environment", "生态环境"
    PLANNING = "planning", "规划资源"
    HEALTH = "health", "卫生健康"


class PenaltyKind(models.TextChoices):
    WARNING = "warning", "警告"
    REPRIMAND = "reprimand", "通报批评"
    FINE = "fine", "罚款"
    CONFISCATION = "confiscation", "没收违法所得、没收非法财物"
    QUALIFICATION_DOWNGRADE = "qualification_downgrade", "暂扣许可证件、降低资质等级"
    LICENCE_REVOCATION = "licence_revocation", "吊销许可证件"
    RESTRICTION = "restriction", "限制开展生产经营活动、责令停产停业、责令关闭、限制从业"
    DETENTION = "detention", "行政拘留"


class SubjectCategory(models.TextChoices):
    """业态: what kind of place or activity a subject is; matters apply by category."""

    CATERING = "catering", "餐饮"
    RETAIL = "retail", "零售商超"
    MARKET = "market", "农贸市场"
    ENTERTAINMENT = "entertainment", "娱乐场所"
    LODGING = "lodging", "住宿"
    INTERNET_CAFE = "internet_cafe", "网吧"
    CONSTRUCTION_SITE = "construction_site", "建筑工地"
    STREET_VENDOR = "street_vendor", "流动摊贩"
    MUCK_VEHICLE = "muck_vehicle", "渣土运输车辆"
    PROPERTY = "property", "物业小区"
    WAREHOUSE = "warehouse", "仓储物流"
    HAZARDOUS_CHEMICALS = "hazardous_chemicals", "危险化学品经营"
    MEDICAL = "medical", "医疗机构"
    OFFICE = "office", "写字楼企业"


class DiscretionTier(models.TextChoices):
    MINOR = "minor", "情节轻微"
    SERIOUS = "serious", "情节较重"
    SEVERE = "severe", "情节严重"


class Matter(BaseModel):
    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    code = models.CharField("事项编码", max_length=40)
    name = models.CharField("事项名称", max_length=200)
    domain = models.CharField("领域", max_length=20, choices=Domain.choices, db_index=True)
    department = models.ForeignKey(
        Department, verbose_name="责任部门", on_delete=models.PROTECT, related_name="matters"
    )
    law_name = models.CharField("法律依据名称", max_length=120)
    violated_provision = models.TextField("违则")
    penalty_provision = models.TextField("罚则")
    penalty_kinds = models.JSONField("处罚种类", default=list)
    is_first_violation_exempt = models.BooleanField("适用首违不罚", default=False)
    first_violation_condition = models.CharField("首违不罚条件", max_length=300, blank=True)
    subject_categories = models.JSONField("适用对象业态", default=list)
    keywords = models.CharField("分类关键词", max_length=300, blank=True)
    # APL 42: investigation needs at least two certified officers; events of such matters get two.
    requires_two_officers = models.BooleanField("须两名持证人员", default=False)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "执法事项"
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["district", "code"], name="matter_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class DiscretionLevel(BaseModel):
    """One tier of a matter's discretion benchmark (裁量基准): fine range in exact yuan."""

    matter = models.ForeignKey(Matter, verbose_name="事项", on_delete=models.CASCADE, related_name="discretion_levels")
    tier = models.CharField("情节", max_length=10, choices=DiscretionTier.choices)
    fine_min = models.DecimalField("罚款下限(元)", max_digits=12, decimal_places=2, null=True, blank=True)
    fine_max = models.DecimalField("罚款上限(元)", max_digits=12, decimal_places=2, null=True, blank=True)
    circumstances = models.CharField("适用情形", max_length=300)
    penalty = models.CharField("处罚标准", max_length=300)

    class Meta:
        verbose_name = verbose_name_plural = "裁量基准"
        ordering = ["matter", "tier"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "tier"], name="discretion_tier_unique"),
            models.CheckConstraint(
                condition=models.Q(fine_min__isnull=True)
                | models.Q(fine_max__isnull=True)
                | models.Q(fine_min__lte=models.F("fine_max")),
                name="discretion_range_ordered",
            ),
        ]


class ChecklistItem(BaseModel):
    matter = models.ForeignKey(Matter, verbose_name="事项", on_delete=models.CASCADE, related_name="checklist")
    position = models.PositiveSmallIntegerField("序号")
    text = models.CharField("检查内容", max_length=300)

    class Meta:
        verbose_name = verbose_name_plural = "检查要点"
        ordering = ["matter", "position"]
        constraints = [models.UniqueConstraint(fields=["matter", "position"], name="checklist_position_unique")]


class HandlingResultType(BaseModel):
    """处置结果类型: what an officer's handling came to (已整改, 责令整改, 转立案, 无违法事实, …), chosen on the
    phone with the report (``zhifa.events.services.dispatch.event_handle``).

    A row without a matter is one of the district's defaults, offered for every event; a row with a matter is
    an addition offered for that matter's events only. ``requires_photo``: the result is only credible with a
    photo of the site after handling (已整改 — the dispatcher verifies the rectification from it), so a report
    of this result without a photo is refused."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    matter = models.ForeignKey(
        Matter,
        verbose_name="事项",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="result_types",
        help_text="留空为全区默认，所有事项可选",
    )
    code = models.CharField("编码", max_length=30, help_text="如 rectified；同一区内默认项与同一事项内不重复")
    name = models.CharField("名称", max_length=30)
    requires_photo = models.BooleanField("须附处置照片", default=False)
    position = models.PositiveSmallIntegerField("序号", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "处置结果类型"
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "code"], condition=models.Q(matter__isnull=True), name="result_type_default_unique"
            ),
            models.UniqueConstraint(
                fields=["matter", "code"], condition=models.Q(matter__isnull=False), name="result_type_matter_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class HandlingPhrase(BaseModel):
    """常用语: a sentence the officer taps into the handling report instead of typing it one-handed. Without a
    matter, offered for every event of the district; with one, for that matter's events (after the defaults)."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    matter = models.ForeignKey(
        Matter,
        verbose_name="事项",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="phrases",
        help_text="留空为全区默认，所有事项可用",
    )
    text = models.CharField("常用语", max_length=200)
    position = models.PositiveSmallIntegerField("序号", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "处置常用语"
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class ClockPolicy(models.TextChoices):
    """How an event of a complaint kind is clocked once it is routed."""

    ON_SITE = "1530", "1530现场处置（1分钟响应、5分钟到场、30分钟处置）"
    COORDINATION = "coordination", "转部门办理（按办理时限反馈）"
    CONSULTATION = "consultation", "咨询答复（指挥中心答复）"


class ComplaintPriority(models.TextChoices):
    """A kind's default priority (the same values as an event's)."""

    NORMAL = "normal", "一般"
    URGENT = "urgent", "紧急"


class ComplaintKind(BaseModel):
    """诉求类型: what a hotline, a citizen, an officer or a camera reports, in the district's division of labour
    (职责清单) — the enforcement matters grouped as the desk thinks of them, plus the requests that are not the
    enforcement bureau's (a fight → 公安, unpaid wages → 人社, a neighbours' quarrel → 矛调中心). Triage
    classifies every text to a kind; the kind names the handling department, the default priority and the
    clock policy. ``matters``: the catalogue matters the kind covers (empty for a kind outside the catalogue);
    the matter classifier picks among them. Codes are those of the triage corpus
    (``zhifa/catalog/data/complaint_kinds.csv``; docs/triage-labelling.md)."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    code = models.CharField("类型编码", max_length=20)
    name = models.CharField("类型名称", max_length=60)
    department = models.ForeignKey(
        Department, verbose_name="办理部门", on_delete=models.PROTECT, related_name="complaint_kinds"
    )
    default_priority = models.CharField(
        "默认优先级", max_length=8, choices=ComplaintPriority.choices, default=ComplaintPriority.NORMAL
    )
    clock_policy = models.CharField("计时方式", max_length=14, choices=ClockPolicy.choices)
    due_hours = models.PositiveSmallIntegerField("办理时限(小时)", null=True, blank=True)
    matters = models.ManyToManyField(Matter, verbose_name="对应执法事项", blank=True, related_name="complaint_kinds")
    scope = models.CharField("包括", max_length=300, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "诉求类型"
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["district", "code"], name="complaint_kind_code_unique")]

    def __str__(self) -> str:
        return self.name
