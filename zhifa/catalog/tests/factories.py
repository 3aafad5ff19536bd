"""Factories for the catalogue: a matter with its three discretion tiers and a checklist, and plain specs."""

from decimal import Decimal
from typing import Any

import factory

from zhifa.catalog.models import ChecklistItem, DiscretionLevel, DiscretionTier, Domain, Matter, PenaltyKind
from zhifa.catalog.specs import MatterSpec, TierSpec
from zhifa.org.tests.factories import DepartmentFactory

# The department codes the shipped catalogue and the demo district use (docs/catalog.md).
DEPARTMENT_CODES = {
    "ZHZF": "区综合行政执法局",
    "SCJG": "区市场监督管理局",
    "WGLT": "区文化广电旅游体育局",
    "YJGL": "区应急管理局",
    "WJ": "区卫生健康局",
    "GZ": "区规划和自然资源分局",
    "XF": "区消防救援大队",
    "STHJ": "区生态环境分局",
    "CG": "区城市管理局",
}


def tier_specs(
    minor: tuple[str, str] = ("500", "2000"),
    serious: tuple[str, str] = ("2000", "5000"),
    severe: tuple[str, str] = ("5000", "20000"),
) -> list[TierSpec]:
    return [
        TierSpec(
            tier=tier, circumstances=f"{tier}情形", penalty=f"{tier}处罚", fine_min=Decimal(lo), fine_max=Decimal(hi)
        )
        for tier, (lo, hi) in zip(
            [DiscretionTier.MINOR.value, DiscretionTier.SERIOUS.value, DiscretionTier.SEVERE.value],
            [minor, serious, severe],
            strict=True,
        )
    ]


def matter_spec(*, department_id: int, **overrides: Any) -> MatterSpec:
    values: dict[str, Any] = {
        "code": "ZJ-SR-901",
        "name": "擅自占用城市道路",
        "domain": Domain.CITY_APPEARANCE.value,
        "department_id": department_id,
        "law_name": "《城市道路管理条例》",
        "violated_provision": "《城市道路管理条例》第二十七条",
        "penalty_provision": "《城市道路管理条例》第四十二条",
        "penalty_kinds": [PenaltyKind.FINE.value],
        "subject_categories": ["street_vendor", "catering"],
        "tiers": tier_specs(),
        "checklist": ["是否持有占道许可", "占用面积是否超出批准范围", "是否妨碍通行"],
        "keywords": "占道 摆摊",
    }
    values.update(overrides)
    return MatterSpec(**values)


class MatterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Matter
        skip_postgeneration_save = True

    department = factory.SubFactory(DepartmentFactory)
    district = factory.SelfAttribute("department.district")
    code = factory.Sequence(lambda n: f"ZJ-T-{n:03d}")
    name = factory.Sequence(lambda n: f"测试事项{n}")
    domain = Domain.CITY_APPEARANCE
    law_name = "《城市道路管理条例》"
    violated_provision = "第二十七条"
    penalty_provision = "第四十二条"
    penalty_kinds = factory.LazyFunction(lambda: [PenaltyKind.FINE.value])
    subject_categories = factory.LazyFunction(lambda: ["*"])
    keywords = "测试"

    @factory.post_generation
    def with_tiers(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create or extracted is False:
            return
        for spec in tier_specs():
            DiscretionLevel.objects.create(
                matter=self,
                tier=spec.tier,
                fine_min=spec.fine_min,
                fine_max=spec.fine_max,
                circumstances=spec.circumstances,
                penalty=spec.penalty,
            )
        for position, text in enumerate(["检查一", "检查二", "检查三"], start=1):
            ChecklistItem.objects.create(matter=self, position=position, text=text)
