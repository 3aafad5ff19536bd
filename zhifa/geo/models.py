"""The district gazetteer (地名地址库): roads with their house-number ranges, landmarks and residential
compounds (小区), so that a typed address ("武林路128号") can be found on the map even when no registered
subject stands there (``zhifa.geo.places``).

A road is a line (at least its two ends, WGS-84) with the house numbers it carries; a road whose two sides
are numbered apart (odd on one side, even on the other, as most Chinese city roads are) is two rows, one per
side, each with its own range and line. Landmarks and compounds are points. Street is derived from the point
(the road's middle), never typed, as for subjects.
"""

from django.db import models

from zhifa.core.models import BaseModel
from zhifa.org.models import District, Street


class PlaceKind(models.TextChoices):
    ROAD = "road", "道路"
    LANDMARK = "landmark", "地标"
    COMPOUND = "compound", "小区"


class NumberParity(models.TextChoices):
    """Which house numbers a road row carries: both sides run in one sequence, or one side only."""

    ALL = "all", "单双号"
    ODD = "odd", "单号"
    EVEN = "even", "双号"


class Place(BaseModel):
    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    kind = models.CharField("类型", max_length=12, choices=PlaceKind.choices, db_index=True)
    name = models.CharField("名称", max_length=100)
    # Other names people use for it (老名字, 简称), separated by 、 — searched like the name.
    aliases = models.CharField("别名", max_length=200, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    lon = models.FloatField("经度(WGS-84)")
    lat = models.FloatField("纬度(WGS-84)")
    # Roads: [[lon, lat], …] from the lowest house number to the highest; points leave it empty.
    line = models.JSONField("线位", default=list, blank=True)
    number_from = models.PositiveIntegerField("起始门牌号", null=True, blank=True)
    number_to = models.PositiveIntegerField("终止门牌号", null=True, blank=True)
    parity = models.CharField("门牌单双号", max_length=4, choices=NumberParity.choices, default=NumberParity.ALL)
    street = models.ForeignKey(Street, verbose_name="街道", on_delete=models.PROTECT)

    class Meta:
        verbose_name = verbose_name_plural = "地名地址"
        constraints = [
            models.UniqueConstraint(fields=["district", "kind", "name", "parity"], name="place_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name
