"""Regulated entities (执法对象) and their licences.

Location is stored as WGS-84 lon/lat; GCJ-02 and BD-09 input is converted at the edge
(``zhifa.geo.coords``). Street, zone and grid are assigned from the point, never typed.
"""

from django.conf import settings
from django.db import models

from zhifa.catalog.models import SubjectCategory
from zhifa.core.models import BaseModel
from zhifa.org.models import District, Grid, Street, Zone


class SubjectKind(models.TextChoices):
    """The legal form of a subject; which identifier it must carry follows from it."""

    BUSINESS = "business", "企业"
    INDIVIDUAL_TRADER = "individual_trader", "个体工商户"
    CONSTRUCTION_SITE = "construction_site", "建筑工地"
    STREET_VENDOR = "street_vendor", "流动摊贩"
    VEHICLE = "vehicle", "车辆"


class Subject(BaseModel):
    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    kind = models.CharField("类型", max_length=20, choices=SubjectKind.choices, db_index=True)
    category = models.CharField("业态", max_length=24, choices=SubjectCategory.choices, db_index=True)
    name = models.CharField("名称", max_length=200)
    name_pinyin = models.CharField("名称拼音", max_length=800, blank=True)
    name_initials = models.CharField("名称拼音首字母", max_length=200, blank=True, db_index=True)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    id_number = models.CharField("身份证号码", max_length=18, blank=True)
    plate_number = models.CharField("车牌号", max_length=12, blank=True)
    responsible_person = models.CharField("负责人/经营者", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    address = models.CharField("地址", max_length=200)
    lon = models.FloatField("经度(WGS-84)")
    lat = models.FloatField("纬度(WGS-84)")
    street = models.ForeignKey(Street, verbose_name="街道", on_delete=models.PROTECT)
    zone = models.ForeignKey(Zone, verbose_name="片区", on_delete=models.PROTECT)
    grid = models.ForeignKey(Grid, verbose_name="网格", on_delete=models.PROTECT)
    is_active = models.BooleanField("在营", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "执法对象"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "uscc"], condition=~models.Q(uscc=""), name="subject_uscc_unique"
            ),
            models.UniqueConstraint(
                fields=["district", "plate_number"], condition=~models.Q(plate_number=""), name="subject_plate_unique"
            ),
        ]
        indexes = [models.Index(fields=["district", "street", "category"], name="subject_scope_idx")]

    def __str__(self) -> str:
        return self.name


class Licence(BaseModel):
    subject = models.ForeignKey(Subject, verbose_name="执法对象", on_delete=models.CASCADE, related_name="licences")
    kind = models.CharField("证照类型", max_length=50)
    number = models.CharField("证照编号", max_length=50)
    issued_by = models.CharField("发证机关", max_length=100)
    valid_from = models.DateField("有效期起")
    valid_until = models.DateField("有效期至", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "证照"
        ordering = ["subject", "kind"]


class SubjectOwner(BaseModel):
    """A business-owner account's link to a subject it runs (经营主体). Staff create the link after checking
    the owner's identity; an owner sees only the subjects linked to their account, nothing else."""

    subject = models.ForeignKey(Subject, verbose_name="执法对象", on_delete=models.CASCADE, related_name="owners")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="账号", on_delete=models.CASCADE, related_name="owned_subjects"
    )

    class Meta:
        verbose_name = verbose_name_plural = "经营主体账号"
        constraints = [models.UniqueConstraint(fields=["subject", "user"], name="subject_owner_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.subject}"
