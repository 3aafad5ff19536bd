"""The legal rules of a penalty case (LEGAL.md), one function per rule, each citing its article.

The officers' calculator (程序助手, ``legal_api``) and the case workflow (``services``) call the same functions,
so an answer on the calculator is the answer the workflow enforces. The functions write nothing; the only thing
they read is the working-day calendar (``zhifa.core.calendar``: the State Council's notice and the admin's
overrides) and the ``ZHIFA_LEGAL_*`` settings an administrator may change.

- Money is ``Decimal`` yuan with at most 2 places (``money``); a float is refused, never rounded silently.
- Every period is an entry of ``PERIODS`` (code → label, length, unit, article, setting) and every due date
  comes from ``deadline``: working days for the APL's 2/3/5/7 days (APL 85) and the ACL's ≤ 10 days (ACL 69),
  calendar days and months otherwise; the start day is not counted; a last day that is a rest day moves to
  the next working day (CPL 85 by analogy; ``ZHIFA_ROLL_PERIOD_END_TO_WORKING_DAY``).
"""

import calendar as month_calendar
import datetime as dt
import enum
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings

from zhifa.cases.models import PartyKind, PenaltyKind
from zhifa.core.calendar import add_calendar_days, add_working_days, is_working_day, roll_to_working_day
from zhifa.core.errors import ValidationFailed

CENT = Decimal("0.01")
# Larger than any fine or value a street team meets (a trillion yuan), small enough to keep sums exact.
MONEY_MAX = Decimal("999999999999.99")


# ---------------------------------------------------------------------------------------------------------
# Money
# ---------------------------------------------------------------------------------------------------------


def money(value: Any, *, name: str = "金额") -> Decimal:
    """Yuan to the fen, exact: a ``Decimal``, ``int`` or decimal string with at most 2 places, not negative.

    A float is refused (0.1 + 0.2 is not 0.3 in binary); so are NaN/Infinity and a third decimal place — a
    fine of 200.001 yuan is a typing error to correct, not a figure to round."""
    if isinstance(value, bool | float):
        raise ValidationFailed(
            f'{name}须为精确的十进制数（如 "200.00"），不接受浮点数', code="money_not_decimal", details={"name": name}
        )
    try:
        amount = Decimal(value) if isinstance(value, int | str) else value
    except InvalidOperation:
        raise ValidationFailed(f"{name}须为数字", code="money_invalid", details={"name": name}) from None
    if not isinstance(amount, Decimal):
        raise ValidationFailed(f"{name}须为数字", code="money_invalid", details={"name": name})
    if not amount.is_finite():
        raise ValidationFailed(f"{name}须为有限数值", code="money_not_finite", details={"name": name})
    if amount < 0:
        raise ValidationFailed(f"{name}不能为负数", code="money_negative", details={"name": name, "value": str(amount)})
    if amount > MONEY_MAX:
        raise ValidationFailed(f"{name}超出可计算范围", code="money_too_large", details={"name": name})
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise ValidationFailed(
            f"{name}最多保留两位小数（元、角、分）",
            code="money_too_many_places",
            details={"name": name, "value": str(amount)},
        )
    return amount.quantize(CENT)


def _setting_money(name: str, default: str) -> Decimal:
    return money(str(getattr(settings, name, default)), name=name)


def _yuan(amount: Decimal) -> str:
    return f"{amount:,.2f}元"


# ---------------------------------------------------------------------------------------------------------
# Yes/no rules
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """The answer of a "may the officer …" rule: yes or no, why in Chinese, the article, the figures used."""

    allowed: bool
    reason: str
    article: str
    figures: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Requirement:
    """The answer of a "must the agency …" rule, with every ground that makes it so."""

    required: bool
    reason: str
    article: str
    grounds: tuple[str, ...] = ()
    figures: dict[str, Any] = field(default_factory=dict)


# APL 51: the caps of the simple procedure (inclusive: "二百元以下" includes 200).
SIMPLE_FINE_CAP = {PartyKind.PERSON: Decimal("200.00"), PartyKind.ORGANISATION: Decimal("3000.00")}
SIMPLE_PENALTY_KINDS = frozenset({PenaltyKind.WARNING, PenaltyKind.FINE})
# APL 68 (一): a fine of up to 100 yuan may be collected on the spot.
ON_SPOT_FINE_CAP = Decimal("100.00")
# APL 71: cash collected on the spot is handed in within 2 (working, APL 85) days.
CASH_HAND_IN_WORKING_DAYS = 2


def _party_kind(value: Any) -> PartyKind:
    try:
        return PartyKind(value)
    except ValueError:
        raise ValidationFailed(
            "当事人类型须为自然人（person）或法人或其他组织（organisation）",
            code="party_kind_unknown",
            details={"party_kind": str(value), "known": list(PartyKind.values)},
        ) from None


def _penalty_kinds(values: Collection[Any]) -> frozenset[PenaltyKind]:
    kinds = set()
    for value in values:
        try:
            kinds.add(PenaltyKind(value))
        except ValueError:
            raise ValidationFailed(
                f"未知的处罚种类：{value}",
                code="penalty_kind_unknown",
                details={"penalty_kind": str(value), "known": list(PenaltyKind.values)},
            ) from None
    return frozenset(kinds)


def simple_procedure_allowed(
    *, party_kind: str, penalty_kinds: Collection[str], fine: Decimal | str | int | None, facts_clear: bool
) -> Verdict:
    """APL 51: a decision may be made on the spot (简易程序) only for a warning and/or a fine of at most 200 yuan
    for a person or 3,000 yuan for an organisation (inclusive), where the facts are established beyond doubt and
    there is a legal basis ("违法事实确凿并有法定依据": ``facts_clear`` asserts both).

    ``fine`` is required with a fine and refused without one (a warning carries no amount)."""
    party = _party_kind(party_kind)
    kinds = _penalty_kinds(penalty_kinds)
    if not kinds:
        raise ValidationFailed("请选择拟作出的处罚种类", code="penalty_kind_missing", details={})
    amount = None if fine is None else money(fine, name="罚款金额")
    if PenaltyKind.FINE in kinds and amount is None:
        raise ValidationFailed("处罚种类含罚款时须填写罚款金额", code="fine_missing", details={})
    if PenaltyKind.FINE not in kinds and amount is not None:
        raise ValidationFailed("处罚种类不含罚款时不应填写罚款金额", code="fine_without_fine_penalty", details={})
    cap = SIMPLE_FINE_CAP[party]
    figures: dict[str, Any] = {"cap": cap, "fine": amount, "party_kind": party.value}
    if not facts_clear:
        return Verdict(
            False, "违法事实确凿并有法定依据的，方可适用简易程序当场处罚；请按普通程序办理", "APL 51", figures
        )
    others = kinds - SIMPLE_PENALTY_KINDS
    if others:
        names = "、".join(sorted(PenaltyKind(k).label for k in others))
        return Verdict(False, f"当场处罚仅限警告或小额罚款，拟作出的{names}须按普通程序办理", "APL 51", figures)
    if amount is not None and amount > cap:
        return Verdict(
            False,
            f"对{party.label}当场罚款不得超过{_yuan(cap)}，拟罚{_yuan(amount)}，须按普通程序办理",
            "APL 51",
            figures,
        )
    what = "警告" if amount is None else f"罚款{_yuan(amount)}（不超过{_yuan(cap)}）"
    if amount is not None and PenaltyKind.WARNING in kinds:
        what = "警告并" + what
    return Verdict(True, f"可以适用简易程序当场作出{what}的处罚决定", "APL 51", figures)


def on_spot_collection_allowed(
    *,
    fine: Decimal | str | int,
    hard_to_collect_later: bool,
    decided_on_spot: bool = True,
    remote_area_payment_difficult: bool = False,
) -> Verdict:
    """Whether the officer may take the fine on the spot instead of the party paying the bank (罚缴分离, APL 67).

    APL 68: after a simple-procedure decision (APL 51), when the fine is at most 100 yuan (inclusive), or when
    it would be hard to enforce afterwards. APL 69: in a remote, water-borne or poorly connected area, where the
    party finds paying the bank or e-payment really difficult and asks for it (``remote_area_payment_difficult``
    asserts both). Either way APL 70 requires the financial department's official receipt, and APL 71 the cash
    handed in within 2 working days."""
    amount = money(fine, name="罚款金额")
    if amount == 0:
        raise ValidationFailed("罚款金额须大于零", code="fine_not_positive", details={})
    figures: dict[str, Any] = {
        "fine": amount,
        "cap": ON_SPOT_FINE_CAP,
        "receipt_required": True,
        "hand_in_working_days": CASH_HAND_IN_WORKING_DAYS,
    }
    duties = "，须出具财政部门统一制发的专用票据（第七十条），并自收缴之日起二个工作日内交至行政机关（第七十一条）"
    if decided_on_spot and amount <= ON_SPOT_FINE_CAP:
        return Verdict(True, f"罚款{_yuan(amount)}不超过一百元，可以当场收缴" + duties, "APL 68", figures)
    if decided_on_spot and hard_to_collect_later:
        return Verdict(True, "不当场收缴事后难以执行，可以当场收缴" + duties, "APL 68", figures)
    if remote_area_payment_difficult:
        return Verdict(
            True, "边远、水上、交通不便地区当事人缴纳确有困难并提出的，可以当场收缴" + duties, "APL 69", figures
        )
    if not decided_on_spot:
        reason = "非当场作出的处罚决定，罚款须由当事人到指定银行或通过电子支付系统缴纳，执法人员不得自行收缴"
    else:
        reason = (
            f"罚款{_yuan(amount)}超过一百元且无事后难以执行等情形，须由当事人到指定银行或通过电子支付系统缴纳，"
            "执法人员不得自行收缴"
        )
    return Verdict(False, reason, "APL 67", figures)


# APL 63 (三)(四): these measures always carry the right to a hearing. SUSPENSION holds 暂扣许可证件 with 降低资质等级:
# the latter is named by the article, so the right is offered for both — offering a hearing is never unlawful,
# omitting a required one voids the decision (APL 38).
HEARING_MEASURES = frozenset({PenaltyKind.SUSPENSION, PenaltyKind.REVOCATION, PenaltyKind.CLOSURE})


def hearing_thresholds(party_kind: str) -> dict[str, Decimal]:
    """The "较大数额" of APL 63 (一)(二) is set by provincial/sector rules: local policy, configurable."""
    party = _party_kind(party_kind)
    if party == PartyKind.PERSON:
        return {
            "fine": _setting_money("ZHIFA_LEGAL_HEARING_FINE_PERSON", "5000"),
            "confiscation": _setting_money("ZHIFA_LEGAL_HEARING_CONFISCATION_PERSON", "5000"),
        }
    return {
        "fine": _setting_money("ZHIFA_LEGAL_HEARING_FINE_ORGANISATION", "100000"),
        "confiscation": _setting_money("ZHIFA_LEGAL_HEARING_CONFISCATION_ORGANISATION", "100000"),
    }


def hearing_required(
    *,
    party_kind: str,
    fine: Decimal | str | int | None = None,
    confiscation_value: Decimal | str | int | None = None,
    measures: Collection[str] = (),
    other_serious: bool = False,
) -> Requirement:
    """APL 63: the party must be told of its right to a hearing (and heard if it asks) before a large fine
    (at or above the configured threshold: ``ZHIFA_LEGAL_HEARING_FINE_*``), a confiscation of large value
    (``ZHIFA_LEGAL_HEARING_CONFISCATION_*``), lowering a qualification or revoking a licence, ordering a
    suspension of production or business, closure or a restriction on practice, or another serious penalty
    (``other_serious``: (五)(六), the officer's or a regulation's call)."""
    party = _party_kind(party_kind)
    kinds = _penalty_kinds(measures)
    limits = hearing_thresholds(party)
    amount = None if fine is None else money(fine, name="罚款金额")
    value = None if confiscation_value is None else money(confiscation_value, name="没收金额")
    grounds = []
    if amount is not None and amount >= limits["fine"]:
        grounds.append(f"罚款{_yuan(amount)}达到较大数额（{party.label}{_yuan(limits['fine'])}以上）")
    if value is not None and value >= limits["confiscation"]:
        grounds.append(f"没收违法所得或非法财物价值{_yuan(value)}达到较大数额（{_yuan(limits['confiscation'])}以上）")
    grounds += [PenaltyKind(k).label for k in sorted(kinds & HEARING_MEASURES)]
    if other_serious:
        grounds.append("其他较重的行政处罚")
    figures = {"fine_threshold": limits["fine"], "confiscation_threshold": limits["confiscation"]}
    if grounds:
        reason = "拟作出的处罚属于应当告知听证权利的情形：" + "；".join(grounds) + "。当事人要求听证的，应当组织听证"
        return Requirement(True, reason, "APL 63", tuple(grounds), figures)
    return Requirement(False, "拟作出的处罚不属于应当告知听证权利的情形", "APL 63", (), figures)


# ---------------------------------------------------------------------------------------------------------
# Periods
# ---------------------------------------------------------------------------------------------------------


class Unit(enum.StrEnum):
    WORKING_DAYS = "working_days"
    DAYS = "days"
    MONTHS = "months"

    @property
    def label(self) -> str:
        return {"working_days": "个工作日", "days": "日", "months": "个月"}[self.value]


@dataclass(frozen=True)
class Period:
    """One period of LEGAL.md. ``setting`` names the ``ZHIFA_LEGAL_*`` setting that replaces ``length`` (local
    policy, or a statute that yields to other rules); ``before`` counts back from the start (the latest day
    to act before an event); ``rolls`` says whether a last day that is a rest day moves to the next working
    day (CPL 85) — not for the limitation, which is no time limit on a party's act."""

    code: str
    label: str
    length: int
    unit: Unit
    article: str
    starts: str
    setting: str | None = None
    before: bool = False
    rolls: bool = True

    def current_length(self) -> int:
        if self.setting is None:
            return self.length
        return int(getattr(settings, self.setting, self.length))


PERIODS: dict[str, Period] = {
    p.code: p
    for p in (
        Period("lead_check", "线索核查", 15, Unit.WORKING_DAYS, "部门规章（可配置）", "发现线索之日",
               setting="ZHIFA_LEGAL_LEAD_CHECK_WORKING_DAYS"),
        Period("preservation_decision", "先行登记保存处理决定", 7, Unit.WORKING_DAYS, "APL 56, 85", "先行登记保存之日"),
        Period("seizure", "查封、扣押期限", 30, Unit.DAYS, "ACL 25", "查封、扣押之日"),
        Period("statement_defence", "陈述、申辩", 3, Unit.WORKING_DAYS, "APL 44, 45, 62（期限可配置）",
               "事先告知书送达之日", setting="ZHIFA_LEGAL_DEFENCE_WORKING_DAYS"),
        Period("hearing_request", "要求听证", 5, Unit.WORKING_DAYS, "APL 64(1), 85", "听证告知送达之日"),
        Period("hearing_notice", "听证通知（最迟）", 7, Unit.WORKING_DAYS, "APL 64(2), 85", "举行听证之日", before=True),
        Period("decision", "作出处罚决定", 90, Unit.DAYS, "APL 60", "立案之日", setting="ZHIFA_LEGAL_DECISION_DAYS"),
        Period("decision_service", "送达处罚决定书（当事人不在场）", 7, Unit.WORKING_DAYS, "APL 61, 85", "作出决定之日"),
        Period("public_notice_service", "公告送达视为送达", 30, Unit.DAYS, "APL 61, CPL 95", "发出公告之日"),
        Period("payment", "缴纳罚款", 15, Unit.DAYS, "APL 67", "收到处罚决定书之日"),
        Period("reconsideration", "申请行政复议", 60, Unit.DAYS, "行政复议法 20", "收到处罚决定书之日"),
        Period("lawsuit", "提起行政诉讼", 6, Unit.MONTHS, "行政诉讼法 46", "收到处罚决定书之日"),
        Period("reminder", "催告期满（此后方可申请法院强制执行）", 10, Unit.WORKING_DAYS, "ACL 54, 69", "催告书送达之日"),
        Period("court_enforcement", "申请人民法院强制执行", 3, Unit.MONTHS, "ACL 53", "复议、诉讼期限届满之日"),
        Period("cash_hand_in", "当场收缴罚款交至行政机关", CASH_HAND_IN_WORKING_DAYS, Unit.WORKING_DAYS,
               "APL 71, 85", "当场收缴之日"),
        Period("limitation", "追责时效", 24, Unit.MONTHS, "APL 36", "违法行为发生或终了之日", rolls=False),
        Period("limitation_harm", "追责时效（危害生命健康安全、金融安全）", 60, Unit.MONTHS, "APL 36",
               "违法行为发生或终了之日", rolls=False),
    )
}  # fmt: skip


@dataclass(frozen=True)
class Deadline:
    """A due date and how it was reached. ``rolled_from`` is the period's own last day when that was a rest
    day and the end moved to the next working day (CPL 85)."""

    code: str
    label: str
    article: str
    start_on: dt.date
    due_on: dt.date
    length: int
    unit: Unit
    extra_days: int = 0
    rolled_from: dt.date | None = None

    @property
    def explanation(self) -> str:
        period = PERIODS[self.code]
        extra = f"另加{self.extra_days}日" if self.extra_days else ""
        if period.before:
            text = f"自{period.starts}{self.start_on:%Y-%m-%d}往前{self.length}{self.unit.label}，最迟于{self.due_on:%Y-%m-%d}"
        else:
            text = f"自{period.starts}{self.start_on:%Y-%m-%d}起{self.length}{self.unit.label}{extra}（起算日不计入），届满日{self.due_on:%Y-%m-%d}"
        if self.rolled_from is not None:
            text += f"（{self.rolled_from:%Y-%m-%d}为法定节假日或休息日，顺延至其后第一个工作日）"
        return text


def _rolls_to_working_day() -> bool:
    # The same switch as zhifa.core.calendar.add_calendar_days, so months and days end alike.
    return bool(getattr(settings, "ZHIFA_ROLL_PERIOD_END_TO_WORKING_DAY", True))


def _out_of_range(day: dt.date) -> ValidationFailed:
    return ValidationFailed("日期超出可计算的范围", code="date_out_of_range", details={"date": day.isoformat()})


def add_days(day: dt.date, days: int) -> dt.date:
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        raise _out_of_range(day) from None


def add_months(start: dt.date, months: int) -> dt.date:
    """The last day of a period of ``months`` months: the same day of the month ``months`` later, or that
    month's last day where it has no such day (民法典 202; start day not counted, 民法典 201)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise _out_of_range(start)
    return dt.date(year, month, min(start.day, month_calendar.monthrange(year, month)[1]))


def _latest_day_before(event_on: dt.date, working_days: int) -> dt.date:
    """The last day on which a notice still leaves ``working_days`` working days before ``event_on``: the
    latest day N with ``add_working_days(N, working_days) <= event_on``."""
    day, counted = event_on, 0
    while counted < working_days:
        day -= dt.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    # ``day`` leaves exactly enough when event_on is a working day; on a rest day one working day less is left.
    while add_working_days(day, working_days) > event_on:
        day -= dt.timedelta(days=1)
    return day


def period_get(code: str) -> Period:
    try:
        return PERIODS[code]
    except KeyError:
        raise ValidationFailed(
            f"未知的期限规则：{code}", code="period_unknown", details={"code": code, "known": sorted(PERIODS)}
        ) from None


def deadline(code: str, start: dt.date, *, extra_days: int = 0) -> Deadline:
    """The due date of the period ``code`` of ``PERIODS`` counted from the legal date ``start`` — the one place
    every period is counted (LEGAL.md "Counting periods"): working days through ``zhifa.core.calendar``
    (APL 85, ACL 69), calendar days and months with the start day not counted, and a last day that is a rest
    day moved to the next working day (CPL 85). ``extra_days`` adds calendar days to a calendar-day period
    (an approved extension, days a suspension stopped the clock)."""
    period = period_get(code)
    if isinstance(start, dt.datetime) or not isinstance(start, dt.date):
        raise ValidationFailed("起算日须为日期（YYYY-MM-DD）", code="period_start_invalid", details={"code": code})
    if extra_days < 0:
        raise ValidationFailed(
            "延长或扣除的天数不能为负数", code="period_extra_negative", details={"extra_days": extra_days}
        )
    if extra_days and period.unit != Unit.DAYS:
        raise ValidationFailed(
            f"“{period.label}”按{period.unit.label.lstrip('个')}计算，不能另加日数",
            code="period_extra_not_allowed",
            details={"code": code, "unit": period.unit.value},
        )
    length = period.current_length()
    if length < 1:
        raise ValidationFailed(
            f"“{period.label}”的期限设置不正确（{period.setting}={length}）",
            code="period_setting_invalid",
            details={"code": code, "setting": period.setting, "length": length},
        )
    rolled_from = None
    if period.unit == Unit.WORKING_DAYS:
        due = _latest_day_before(start, length) if period.before else add_working_days(start, length)
    elif period.unit == Unit.DAYS:
        own_end = add_days(start, length + extra_days)
        due = add_calendar_days(start, length + extra_days) if period.rolls else own_end
        rolled_from = own_end if due != own_end else None
    else:
        own_end = add_months(start, length)
        due = roll_to_working_day(own_end) if period.rolls and _rolls_to_working_day() else own_end
        rolled_from = own_end if due != own_end else None
    return Deadline(code, period.label, period.article, start, due, length, period.unit, extra_days, rolled_from)


def _check_order(earlier: dt.date, later: dt.date, *, earlier_name: str, later_name: str) -> None:
    if later < earlier:
        raise ValidationFailed(
            f"{later_name}（{later:%Y-%m-%d}）不能早于{earlier_name}（{earlier:%Y-%m-%d}）",
            code="date_order_invalid",
            details={"earlier": earlier.isoformat(), "later": later.isoformat()},
        )


def lead_check_due(discovered_on: dt.date) -> Deadline:
    """Sector rules (configurable, default 15 working days): a lead is checked and filed or dropped in time."""
    return deadline("lead_check", discovered_on)


def preservation_decision_due(preserved_on: dt.date) -> Deadline:
    """APL 56: evidence registered for preservation (先行登记保存) is disposed of within 7 (working, APL 85) days."""
    return deadline("preservation_decision", preserved_on)


# ACL 25: one extension of a seizure, of at most 30 days, with the head's approval.
SEIZURE_EXTENSION_MAX_DAYS = 30


def seizure_expiry(
    seized_on: dt.date, *, extension_days: int = 0, testing_periods: Sequence[tuple[dt.date, dt.date]] = ()
) -> Deadline:
    """ACL 25: a seizure or impoundment (查封、扣押) lasts at most 30 days, extendable once by at most 30 with the
    head's approval; the days of testing, inspection, quarantine or expert appraisal (each period notified in
    writing, both its first and last day) are not counted (ACL 27: the disposal decision falls within it).

    A testing period must begin on or after the seizure and before the seizure has run out, and periods may
    not overlap."""
    if not 0 <= extension_days <= SEIZURE_EXTENSION_MAX_DAYS:
        raise ValidationFailed(
            f"查封、扣押只能延长一次，延长期限不得超过{SEIZURE_EXTENSION_MAX_DAYS}日",
            code="seizure_extension_too_long",
            details={"extension_days": extension_days, "max": SEIZURE_EXTENSION_MAX_DAYS},
        )
    running_end = add_days(seized_on, PERIODS["seizure"].length + extension_days)
    excluded = 0
    previous_end: dt.date | None = None
    for first, last in sorted(testing_periods):
        _check_order(first, last, earlier_name="检测期间开始日", later_name="检测期间结束日")
        _check_order(seized_on, first, earlier_name="查封、扣押之日", later_name="检测期间开始日")
        if previous_end is not None and first <= previous_end:
            raise ValidationFailed(
                "检测、检验、检疫或技术鉴定期间不能重叠",
                code="testing_periods_overlap",
                details={"first": first.isoformat(), "previous_last": previous_end.isoformat()},
            )
        if first > running_end:
            raise ValidationFailed(
                f"检测期间开始时（{first:%Y-%m-%d}）查封、扣押期限已于{running_end:%Y-%m-%d}届满",
                code="testing_after_seizure_expired",
                details={"first": first.isoformat(), "expired_on": running_end.isoformat()},
            )
        days = (last - first).days + 1
        excluded += days
        running_end = add_days(running_end, days)
        previous_end = last
    return deadline("seizure", seized_on, extra_days=extension_days + excluded)


def statement_defence_due(notice_served_on: dt.date) -> Deadline:
    """APL 44, 45, 62: the party states and defends itself after the prior notice, and no decision is made
    before it has been heard (or waived its right in writing). The APL sets no number of days; the period is
    local policy (``ZHIFA_LEGAL_DEFENCE_WORKING_DAYS``, default 3 working days)."""
    return deadline("statement_defence", notice_served_on)


def hearing_request_due(notice_served_on: dt.date) -> Deadline:
    """APL 64 (一): the party asks for a hearing within 5 (working, APL 85) days of being told of the right."""
    return deadline("hearing_request", notice_served_on)


def hearing_notice_latest(hearing_on: dt.date) -> Deadline:
    """APL 64 (二): the party is told of the hearing's time and place 7 (working, APL 85) days before it: the
    latest day of notice leaves 7 working days from the day after it to the hearing day."""
    return deadline("hearing_notice", hearing_on)


def decision_due(filed_on: dt.date, *, extensions: Sequence[int] = ()) -> Deadline:
    """APL 60: the decision within 90 days of filing (``ZHIFA_LEGAL_DECISION_DAYS``: APL 60 yields to other
    laws, regulations and rules), plus each approved extension (local policy: each at most
    ``ZHIFA_LEGAL_DECISION_EXTENSION_DAYS``, default 30) counted on from the original end."""
    limit = int(getattr(settings, "ZHIFA_LEGAL_DECISION_EXTENSION_DAYS", 30))
    for days in extensions:
        if not 1 <= days <= limit:
            raise ValidationFailed(
                f"每次批准延长的期限须为1至{limit}日",
                code="decision_extension_invalid",
                details={"extension_days": days, "max": limit},
            )
    return deadline("decision", filed_on, extra_days=sum(extensions))


def decision_service_due(decided_on: dt.date) -> Deadline:
    """APL 61: a decision not handed over on the spot is served within 7 (working, APL 85) days."""
    return deadline("decision_service", decided_on)


def public_notice_served_on(published_on: dt.date) -> Deadline:
    """APL 61 → CPL 95: service by public notice is deemed made 30 days after the notice is published."""
    return deadline("public_notice_service", published_on)


def payment_due(served_on: dt.date) -> Deadline:
    """APL 67: the fine is paid to the bank or through e-payment within 15 days of receiving the decision."""
    return deadline("payment", served_on)


def reconsideration_due(served_on: dt.date) -> Deadline:
    """行政复议法 20: reconsideration is applied for within 60 days of knowing of the decision."""
    return deadline("reconsideration", served_on)


def lawsuit_due(served_on: dt.date) -> Deadline:
    """行政诉讼法 46: a lawsuit is brought within 6 months of knowing of the decision."""
    return deadline("lawsuit", served_on)


def reminder_period_end(reminder_served_on: dt.date) -> Deadline:
    """ACL 54 (ACL 69: working days): the agency applies to the court only after 10 days from serving the
    written reminder (催告书) without the party complying."""
    return deadline("reminder", reminder_served_on)


def court_enforcement_due(served_on: dt.date) -> Deadline:
    """ACL 53: an agency without its own enforcement power applies to the court within 3 months after the
    periods for reconsideration and lawsuit have run out — the later of them, the lawsuit's 6 months."""
    remedies_end = max(reconsideration_due(served_on).due_on, lawsuit_due(served_on).due_on)
    return deadline("court_enforcement", remedies_end)


def cash_hand_in_due(collected_on: dt.date) -> Deadline:
    """APL 71: a fine collected on the spot is handed in to the agency within 2 (working, APL 85) days."""
    return deadline("cash_hand_in", collected_on)


# ---------------------------------------------------------------------------------------------------------
# Late fee and limitation
# ---------------------------------------------------------------------------------------------------------

# APL 72 (一): 3% of the fine for each day overdue, never more than the fine.
LATE_FEE_DAILY_RATE = Decimal("0.03")


@dataclass(frozen=True)
class LateFee:
    fine: Decimal
    due_on: dt.date
    on_day: dt.date
    days_overdue: int
    days_excluded: int
    amount: Decimal
    is_capped: bool
    article: str = "APL 72, ACL 45"

    @property
    def total(self) -> Decimal:
        return self.fine + self.amount


def late_fee(
    *,
    fine: Decimal | str | int,
    due_on: dt.date,
    on_day: dt.date,
    excluded_periods: Sequence[tuple[dt.date, dt.date]] = (),
) -> LateFee:
    """APL 72 (一), ACL 45: from the day after the payment due date, 3% of the fine a day is added, in total
    never more than the fine itself; exact to the fen (round half up once, on the total). Zero on or before
    the due date. ``excluded_periods`` are days on which execution was lawfully suspended (e.g. APL 73
    暂缓执行), both ends included; only their days after the due date and up to ``on_day`` are left out."""
    amount = money(fine, name="罚款金额")
    for first, last in excluded_periods:
        _check_order(first, last, earlier_name="暂停计算开始日", later_name="暂停计算结束日")
    overdue_days = max((on_day - due_on).days, 0)
    # Counted on day numbers (ordinals), overlapping suspensions once, so that no date arithmetic can overflow
    # and a suspension of many years costs no more than one of a day.
    window = (due_on.toordinal() + 1, on_day.toordinal())
    spans = sorted((max(f.toordinal(), window[0]), min(t.toordinal(), window[1])) for f, t in excluded_periods)
    excluded, reached = 0, window[0] - 1
    for span_first, span_last in spans:
        counted_from = max(span_first, reached + 1)
        if counted_from <= span_last:
            excluded += span_last - counted_from + 1
            reached = span_last
    days = overdue_days - excluded
    uncapped = (amount * LATE_FEE_DAILY_RATE * days).quantize(CENT, rounding=ROUND_HALF_UP)
    return LateFee(amount, due_on, on_day, days, excluded, min(uncapped, amount), uncapped >= amount > 0)


@dataclass(frozen=True)
class Limitation:
    expired: bool
    reason: str
    article: str
    years: int
    last_day: dt.date


def limitation_expired(
    *, violation_ended_on: dt.date, discovered_on: dt.date, harmed_life_health_or_finance: bool
) -> Limitation:
    """APL 36: a violation not discovered within 2 years is no longer punished; 5 years where it concerns
    citizens' life, health or financial safety and caused harm. Counted from the day of the violation, or for
    a continuing or repeated violation from the day it ended (``violation_ended_on``); discovered on the last
    day is in time. A continuing violation discovered while it goes on is in time."""
    code = "limitation_harm" if harmed_life_health_or_finance else "limitation"
    period = deadline(code, violation_ended_on)
    years = period.length // 12
    if discovered_on > period.due_on:
        reason = (
            f"违法行为自{violation_ended_on:%Y-%m-%d}起{years}年内（至{period.due_on:%Y-%m-%d}）未被发现，"
            f"于{discovered_on:%Y-%m-%d}发现，已超过追责时效，不再给予行政处罚"
        )
        return Limitation(True, reason, "APL 36", years, period.due_on)
    reason = (
        f"于{discovered_on:%Y-%m-%d}发现，在{years}年追责时效内（至{period.due_on:%Y-%m-%d}），可以依法给予行政处罚"
    )
    return Limitation(False, reason, "APL 36", years, period.due_on)


def period_due(
    code: str,
    start: dt.date,
    *,
    extensions: Sequence[int] = (),
    extension_days: int = 0,
    testing_periods: Sequence[tuple[dt.date, dt.date]] = (),
) -> Deadline:
    """Any period of ``PERIODS`` by its code, with the options its rule takes: approved ``extensions`` of the
    decision period (APL 60), a seizure's ``extension_days`` and ``testing_periods`` (ACL 25). An option the
    period's rule does not know is refused, not ignored."""
    period = period_get(code)
    given = {
        "extensions": bool(extensions),
        "extension_days": bool(extension_days),
        "testing_periods": bool(testing_periods),
    }
    takes = {"decision": {"extensions"}, "seizure": {"extension_days", "testing_periods"}}.get(code, set())
    unknown = sorted(name for name, is_given in given.items() if is_given and name not in takes)
    if unknown:
        raise ValidationFailed(
            f"“{period.label}”不适用选项：{'、'.join(unknown)}",
            code="period_option_not_allowed",
            details={"code": code, "options": unknown},
        )
    if code == "decision":
        return decision_due(start, extensions=extensions)
    if code == "seizure":
        return seizure_expiry(start, extension_days=extension_days, testing_periods=testing_periods)
    return deadline(code, start)
