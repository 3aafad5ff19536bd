"""Open311 service attributes (GeoReport v2 "service definition"), derived from the matter's domain.

Which questions a report needs depends on the kind of problem, not on each of the district's hundreds of
matters, so the definitions are kept here in code per enforcement domain (``zhifa.catalog.models.Domain``);
a matter whose domain has none is offered with ``metadata=false``. The answers are checked here against
the definition before anything is written.
"""

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from zhifa.catalog.models import Domain, Matter
from zhifa.core.errors import ValidationFailed

# GeoReport v2 datatypes.
STRING, NUMBER, DATETIME, TEXT = "string", "number", "datetime", "text"
SINGLE, MULTI = "singlevaluelist", "multivaluelist"
DATATYPES = (STRING, NUMBER, DATETIME, TEXT, SINGLE, MULTI)
MAX_LENGTH = {STRING: 100, TEXT: 1000}


@dataclass(frozen=True)
class AttributeSpec:
    code: str
    description: str  # the question put to the reporter
    datatype: str
    required: bool = False
    # False: information shown to the reporter, not a question (the spec's ``variable``).
    variable: bool = True
    datatype_description: str = ""
    values: tuple[tuple[str, str], ...] = ()


DURATION = AttributeSpec(
    "duration",
    "持续时间：问题已经存在多久？",
    SINGLE,
    required=True,
    values=(("just_now", "刚刚发现"), ("today", "今天内"), ("days", "持续数天"), ("long_term", "一个月以上")),
)
MERCHANT_NAME = AttributeSpec(
    "merchant_name", "商户名称（如知道，请填写店招上的名称）", STRING, datatype_description="最多100字"
)
TIME_OF_DAY = AttributeSpec(
    "time_of_day",
    "发生时段",
    SINGLE,
    values=(("day", "白天（6时至22时）"), ("night", "夜间（22时至次日6时）"), ("all_day", "全天")),
)
SEEN_AT = AttributeSpec(
    "seen_at", "发现时间", DATETIME, datatype_description="W3C 日期时间，如 2026-05-04T09:30:00+08:00"
)
SAFETY_RISK = AttributeSpec(
    "safety_risk", "是否存在倒塌、坠落等安全隐患？", SINGLE, values=(("yes", "是"), ("no", "否"), ("unsure", "不确定"))
)
EMERGENCY_NOTICE = AttributeSpec(
    "emergency_notice",
    "如正在发生火情、有人员被困或受伤，请立即拨打 119 或 120，本渠道不受理紧急求助。",
    TEXT,
    variable=False,
)

ATTRIBUTES_BY_DOMAIN: dict[str, tuple[AttributeSpec, ...]] = {
    Domain.CATERING_FUMES: (
        MERCHANT_NAME,
        DURATION,
        AttributeSpec(
            "fume_kind",
            "问题类型（可多选）",
            MULTI,
            required=True,
            values=(
                ("fumes", "油烟直排"),
                ("outdoor_cooking", "露天烧烤"),
                ("odour", "异味扰民"),
                ("noise", "风机噪声"),
            ),
        ),
        TIME_OF_DAY,
    ),
    Domain.CITY_APPEARANCE: (
        AttributeSpec(
            "occupation_kind",
            "问题类型",
            SINGLE,
            required=True,
            values=(
                ("vendor", "流动摊贩"),
                ("shop_front", "店外经营"),
                ("stacking", "乱堆物料"),
                ("garbage", "垃圾暴露"),
                ("other", "其他"),
            ),
        ),
        DURATION,
        AttributeSpec("count", "涉及摊位或堆放点数量", NUMBER, datatype_description="整数，如 3"),
    ),
    Domain.CONSTRUCTION: (
        AttributeSpec("site_name", "工地或项目名称（如知道）", STRING, datatype_description="最多100字"),
        AttributeSpec(
            "problem_kind",
            "问题类型（可多选）",
            MULTI,
            required=True,
            values=(("noise", "施工噪声"), ("dust", "扬尘"), ("muck", "渣土撒漏"), ("unlicensed", "疑似无证施工")),
        ),
        TIME_OF_DAY,
    ),
    Domain.OUTDOOR_ADS: (
        AttributeSpec(
            "ad_form",
            "广告形式",
            SINGLE,
            required=True,
            values=(
                ("sign", "店招招牌"),
                ("banner", "横幅"),
                ("pillar", "立柱广告"),
                ("screen", "LED屏"),
                ("leaflet", "小广告"),
            ),
        ),
        SAFETY_RISK,
    ),
    Domain.MARKET: (MERCHANT_NAME, SEEN_AT),
    Domain.FIRE_SAFETY: (
        EMERGENCY_NOTICE,
        AttributeSpec("place_name", "场所名称", STRING, datatype_description="最多100字"),
        AttributeSpec(
            "hazard_kind",
            "隐患类型（可多选）",
            MULTI,
            required=True,
            values=(
                ("blocked_access", "堵塞消防车通道"),
                ("blocked_exit", "占用疏散通道"),
                ("ebike_charging", "电动车违规停放充电"),
                ("equipment", "消防设施损坏"),
            ),
        ),
    ),
    Domain.CULTURE_TOURISM: (
        AttributeSpec("place_name", "场所名称", STRING, datatype_description="最多100字"),
        SEEN_AT,
    ),
    Domain.EMERGENCY: (
        EMERGENCY_NOTICE,
        AttributeSpec("place_name", "场所名称", STRING, datatype_description="最多100字"),
    ),
    Domain.ENVIRONMENT: (
        AttributeSpec(
            "pollution_kind",
            "污染类型（可多选）",
            MULTI,
            required=True,
            values=(("air", "废气"), ("water", "废水"), ("noise", "噪声"), ("solid", "固体废物")),
        ),
        SEEN_AT,
        TIME_OF_DAY,
    ),
    Domain.PLANNING: (
        AttributeSpec(
            "structure", "建筑物位置与状况（如楼顶、院内，约多少平方米）", TEXT, datatype_description="最多1000字"
        ),
        AttributeSpec(
            "under_construction",
            "是否正在施工？",
            SINGLE,
            required=True,
            values=(("yes", "正在施工"), ("no", "已建成")),
        ),
    ),
    Domain.HEALTH: (AttributeSpec("place_name", "场所名称", STRING, datatype_description="最多100字"), SEEN_AT),
}


def attributes_for(matter: Matter) -> tuple[AttributeSpec, ...]:
    return ATTRIBUTES_BY_DOMAIN.get(matter.domain, ())


_FIELD = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")


def _invalid(message: str, code: str, attribute: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, details={"attribute": attribute})


def _clean(spec: AttributeSpec, values: list[str]) -> Any:
    keys = {key for key, _ in spec.values}
    label = f"attribute[{spec.code}]（{spec.description}）"
    if spec.datatype == MULTI:
        unknown = [v for v in values if v not in keys]
        if unknown:
            raise _invalid(f"{label} 的取值 {'、'.join(unknown)} 不在可选范围内", "attribute_value_invalid", spec.code)
        return sorted(set(values))
    if len(values) > 1:
        raise _invalid(f"{label} 只能有一个取值", "attribute_value_invalid", spec.code)
    value = values[0].strip()
    if spec.datatype == SINGLE:
        if value not in keys:
            raise _invalid(f"{label} 的取值 {value} 不在可选范围内", "attribute_value_invalid", spec.code)
        return value
    if spec.datatype == NUMBER:
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise _invalid(f"{label} 须为数字", "attribute_value_invalid", spec.code)
        return number
    if spec.datatype == DATETIME:
        try:
            dt.datetime.fromisoformat(value)
        except ValueError:
            raise _invalid(f"{label} 须为 W3C 日期时间", "attribute_value_invalid", spec.code) from None
        return value
    limit = MAX_LENGTH[spec.datatype]
    if len(value) > limit:
        raise _invalid(f"{label} 不能超过{limit}字", "attribute_value_invalid", spec.code)
    return value


def attribute_values_clean(*, matter: Matter, fields: Iterable[tuple[str, list[str]]]) -> dict[str, Any]:
    """The reporter's ``attribute[code]`` (and ``attribute[code][]``) answers, checked against the matter's
    definition: an unknown attribute, a value outside its list or a missing required answer is refused."""
    specs = {spec.code: spec for spec in attributes_for(matter) if spec.variable}
    given: dict[str, list[str]] = {}
    for name, values in fields:
        match = _FIELD.match(name)
        if match is None:
            continue
        code = match.group(1)
        if code not in specs:
            raise _invalid(f"事项 {matter.code} 没有属性 attribute[{code}]", "attribute_unknown", code)
        given.setdefault(code, []).extend(v for v in values if v.strip())
    cleaned: dict[str, Any] = {}
    for code, spec in specs.items():
        values = given.get(code, [])
        if not values:
            if spec.required:
                raise _invalid(f"缺少必填属性 attribute[{code}]（{spec.description}）", "attribute_required", code)
            continue
        cleaned[code] = _clean(spec, values)
    return cleaned
