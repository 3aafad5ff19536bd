"""/api/v1/legal — the officers' legal calculator (程序助手, issue 11 part 11).

Each endpoint reads its question from the query string, asks the one rule of ``zhifa.cases.legal`` the case
workflow asks, and answers with the result and its article. Nothing is written: every endpoint is a GET. Money
goes in and out as decimal strings ("200.00"); a date period as ``YYYY-MM-DD/YYYY-MM-DD`` (both days included).
Refusals are the API's one error shape ``{code, message, details}`` (``money_too_many_places``,
``period_unknown``, ``date_order_invalid``, ``calendar_year_unknown``, …).
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from zhifa.cases import legal
from zhifa.cases.models import PartyKind, PenaltyKind

router = Router()


def _date_interval(value: Any) -> tuple[dt.date, dt.date]:
    if isinstance(value, str):
        first, slash, last = value.partition("/")
        try:
            if slash:
                return dt.date.fromisoformat(first), dt.date.fromisoformat(last)
        except ValueError:
            pass
    raise PydanticCustomError("date_interval", "须为日期区间（YYYY-MM-DD/YYYY-MM-DD）")


DateInterval = Annotated[tuple[dt.date, dt.date], BeforeValidator(_date_interval)]
KINDS = " / ".join(f"{kind.value}（{kind.label}）" for kind in PenaltyKind)
Money = Annotated[Decimal, Field(description="金额（元），最多两位小数，如 200.00")]


class LegalVerdictOut(Schema):
    allowed: bool = Field(description="是否可以")
    reason: str
    article: str = Field(description="法律依据（如 APL 51 = 《行政处罚法》第五十一条）")
    figures: dict[str, Any] = Field(description="判断所用的数额")


class LegalRequirementOut(Schema):
    required: bool = Field(description="是否应当告知听证权利")
    reason: str
    article: str
    grounds: list[str]
    figures: dict[str, Any]


class LegalDeadlineOut(Schema):
    code: str
    label: str
    article: str
    start_on: dt.date
    due_on: dt.date = Field(description="届满日（含当日）；听证通知为最迟通知日")
    length: int
    unit: str = Field(description="working_days（工作日）/ days（日）/ months（月）")
    extra_days: int = Field(description="另加的日数（批准延长、检测期间等）")
    rolled_from: dt.date | None = Field(description="原届满日为休息日而顺延时，原届满日")
    explanation: str


class LegalPeriodOut(Schema):
    code: str
    label: str
    length: int = Field(description="现行期限（已按管理员设置）")
    unit: str
    article: str
    starts: str = Field(description="起算的法律事实")
    setting: str | None = Field(description="可配置时的设置项名称")
    before: bool = Field(description="是否自起算日往前推算（最迟日）")


class LegalLateFeeOut(Schema):
    fine: Decimal
    due_on: dt.date
    on_day: dt.date
    days_overdue: int = Field(description="计收加处罚款的天数（已扣除暂停计算的日数）")
    days_excluded: int
    amount: Decimal = Field(description="加处罚款")
    is_capped: bool = Field(description="是否已达罚款数额上限")
    total: Decimal = Field(description="罚款与加处罚款合计")
    article: str


class LegalLimitationOut(Schema):
    expired: bool = Field(description="是否已超过追责时效（不再给予行政处罚）")
    reason: str
    article: str
    years: int
    last_day: dt.date = Field(description="时效内的最后一日")


class LegalSimpleProcedureIn(Schema):
    party_kind: PartyKind
    # Kinds as plain text, checked by the rule (penalty_kind_unknown): ninja documents a list of enums in a query
    # under the enum's name twice, differently.
    penalty_kinds: list[str] = Field(description=f"拟作出的处罚种类（可多个）：{KINDS}")
    fine: Money | None = None
    facts_clear: bool = Field(description="违法事实确凿并有法定依据")


class LegalOnSpotCollectionIn(Schema):
    fine: Money
    hard_to_collect_later: bool = Field(description="不当场收缴事后难以执行")
    decided_on_spot: bool = Field(True, description="依简易程序当场作出的处罚决定")
    remote_area_payment_difficult: bool = Field(
        False, description="边远、水上、交通不便地区，当事人到银行或电子支付缴纳确有困难并提出"
    )


class LegalHearingIn(Schema):
    party_kind: PartyKind
    fine: Money | None = None
    confiscation_value: Money | None = Field(None, description="没收违法所得、非法财物的价值")
    measures: list[str] = Field(default_factory=list, description=f"拟作出的其他处罚种类（可多个）：{KINDS}")
    other_serious: bool = Field(False, description="其他较重的行政处罚，或法律、法规、规章规定的其他情形")


class LegalDeadlineIn(Schema):
    code: str = Field(description="期限规则编码（见 /legal/periods）")
    start: dt.date = Field(description="起算日（法律上的日期）")
    extensions: list[int] = Field(default_factory=list, description="作出决定期限：每次批准延长的日数")
    extension_days: int = Field(0, ge=0, description="查封扣押：批准延长的日数")
    testing: list[DateInterval] = Field(default_factory=list, description="查封扣押：检测等期间")


class LegalSeizureIn(Schema):
    seized_on: dt.date
    extension_days: int = Field(0, ge=0, description="批准延长的日数（一次，不超过30日）")
    testing: list[DateInterval] = Field(
        default_factory=list, description="检测、检验、检疫或技术鉴定期间，YYYY-MM-DD/YYYY-MM-DD，可多个"
    )


class LegalLateFeeIn(Schema):
    fine: Money
    due_on: dt.date = Field(description="缴纳期限届满日")
    on_day: dt.date = Field(description="计算到哪一天")
    excluded: list[DateInterval] = Field(default_factory=list, description="依法暂停计算的期间（如暂缓执行）")


class LegalLimitationIn(Schema):
    violation_ended_on: dt.date = Field(description="违法行为发生之日；连续或继续状态的，终了之日")
    discovered_on: dt.date
    harmed_life_health_or_finance: bool = Field(description="涉及公民生命健康安全、金融安全且有危害后果")


def _deadline_out(due: legal.Deadline) -> dict[str, Any]:
    return {**due.__dict__, "unit": due.unit.value, "explanation": due.explanation}


@router.get("/simple-procedure", response=LegalVerdictOut, summary="能否适用简易程序当场处罚（行政处罚法第五十一条）")
def simple_procedure(request: HttpRequest, query: Query[LegalSimpleProcedureIn]) -> legal.Verdict:
    return legal.simple_procedure_allowed(
        party_kind=query.party_kind,
        penalty_kinds=query.penalty_kinds,
        fine=query.fine,
        facts_clear=query.facts_clear,
    )


@router.get("/on-spot-collection", response=LegalVerdictOut, summary="能否当场收缴罚款（行政处罚法第六十七至七十一条）")
def on_spot_collection(request: HttpRequest, query: Query[LegalOnSpotCollectionIn]) -> legal.Verdict:
    return legal.on_spot_collection_allowed(
        fine=query.fine,
        hard_to_collect_later=query.hard_to_collect_later,
        decided_on_spot=query.decided_on_spot,
        remote_area_payment_difficult=query.remote_area_payment_difficult,
    )


@router.get("/hearing-required", response=LegalRequirementOut, summary="是否应当告知听证权利（行政处罚法第六十三条）")
def hearing_required(request: HttpRequest, query: Query[LegalHearingIn]) -> legal.Requirement:
    return legal.hearing_required(
        party_kind=query.party_kind,
        fine=query.fine,
        confiscation_value=query.confiscation_value,
        measures=query.measures,
        other_serious=query.other_serious,
    )


@router.get("/periods", response=list[LegalPeriodOut], summary="期限规则一览（含管理员设置后的现行期限）")
def periods(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {**period.__dict__, "length": period.current_length(), "unit": period.unit.value}
        for period in legal.PERIODS.values()
    ]


@router.get("/deadline", response=LegalDeadlineOut, summary="计算期限届满日（工作日、节假日顺延）")
def deadline(request: HttpRequest, query: Query[LegalDeadlineIn]) -> dict[str, Any]:
    due = legal.period_due(
        query.code,
        query.start,
        extensions=query.extensions,
        extension_days=query.extension_days,
        testing_periods=query.testing,
    )
    return _deadline_out(due)


@router.get("/seizure-expiry", response=LegalDeadlineOut, summary="查封、扣押期限届满日（行政强制法第二十五条）")
def seizure_expiry(request: HttpRequest, query: Query[LegalSeizureIn]) -> dict[str, Any]:
    due = legal.seizure_expiry(query.seized_on, extension_days=query.extension_days, testing_periods=query.testing)
    return _deadline_out(due)


@router.get("/late-fee", response=LegalLateFeeOut, summary="加处罚款（行政处罚法第七十二条）")
def late_fee(request: HttpRequest, query: Query[LegalLateFeeIn]) -> dict[str, Any]:
    fee = legal.late_fee(fine=query.fine, due_on=query.due_on, on_day=query.on_day, excluded_periods=query.excluded)
    return {**fee.__dict__, "total": fee.total}


@router.get("/limitation", response=LegalLimitationOut, summary="是否超过追责时效（行政处罚法第三十六条）")
def limitation(request: HttpRequest, query: Query[LegalLimitationIn]) -> legal.Limitation:
    return legal.limitation_expired(
        violation_ended_on=query.violation_ended_on,
        discovered_on=query.discovered_on,
        harmed_life_health_or_finance=query.harmed_life_health_or_finance,
    )
