"""程序助手 (issue 11 part 11): the legal calculator in the case pages — whether the simple procedure and
on-the-spot collection are allowed, whether a hearing applies, the due date of any period from its legal date,
the late fee on any day, whether the limitation has run. Each answer comes from the same function of
``zhifa.cases.legal`` the case workflow calls; the page writes nothing."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from zhifa.cases import legal
from zhifa.cases.models import PartyKind, PenaltyKind
from zhifa.core.errors import DomainError
from zhifa.web.case_views import _require_case_staff
from zhifa.web.pages import page_view

DATE = forms.DateInput(attrs={"type": "date"})
PERIODS = [(code, f"{p.label}（{p.article}）") for code, p in legal.PERIODS.items()]


class SimpleForm(forms.Form):
    party_kind = forms.ChoiceField(label="当事人类型", choices=PartyKind.choices)
    penalty = forms.MultipleChoiceField(
        label="处罚种类", choices=PenaltyKind.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    fine = forms.CharField(label="罚款金额（元）", required=False)
    facts_clear = forms.BooleanField(label="违法事实确凿并有法定依据", required=False)


class CollectionForm(forms.Form):
    fine = forms.CharField(label="罚款金额（元）")
    hard_to_collect_later = forms.BooleanField(label="不当场收缴事后难以执行", required=False)


class HearingForm(forms.Form):
    party_kind = forms.ChoiceField(label="当事人类型", choices=PartyKind.choices)
    fine = forms.CharField(label="罚款金额（元）", required=False)
    confiscation = forms.CharField(label="没收价值（元）", required=False)
    measures = forms.MultipleChoiceField(
        label="其他处罚", choices=PenaltyKind.choices, widget=forms.CheckboxSelectMultiple, required=False
    )


class DeadlineForm(forms.Form):
    code = forms.ChoiceField(label="期限", choices=PERIODS)
    start = forms.DateField(label="起算日（法律上的日期）", widget=DATE)


class LateFeeForm(forms.Form):
    fine = forms.CharField(label="罚款金额（元）")
    due_on = forms.DateField(label="缴款期限届满日", widget=DATE)
    on_day = forms.DateField(label="计算至", widget=DATE)


class LimitationForm(forms.Form):
    violation_ended_on = forms.DateField(label="违法行为发生或终了日", widget=DATE)
    discovered_on = forms.DateField(label="发现日", widget=DATE)
    harmed = forms.BooleanField(label="涉及生命健康安全、金融安全且有危害后果", required=False)


def _money_or_none(value: str) -> str | None:
    return value.strip() or None


def _simple(d: dict[str, Any]) -> str:
    v = legal.simple_procedure_allowed(
        party_kind=d["party_kind"],
        penalty_kinds=d["penalty"],
        fine=_money_or_none(d["fine"]),
        facts_clear=d["facts_clear"],
    )
    return f"{'可以' if v.allowed else '不可以'}：{v.reason}（{v.article}）"


def _collection(d: dict[str, Any]) -> str:
    v = legal.on_spot_collection_allowed(fine=d["fine"].strip(), hard_to_collect_later=d["hard_to_collect_later"])
    return f"{'可以当场收缴' if v.allowed else '不可以当场收缴'}：{v.reason}（{v.article}）"


def _hearing(d: dict[str, Any]) -> str:
    r = legal.hearing_required(
        party_kind=d["party_kind"],
        fine=_money_or_none(d["fine"]),
        confiscation_value=_money_or_none(d["confiscation"]),
        measures=d["measures"],
    )
    return f"{'应当告知听证权利' if r.required else '无须告知听证权利'}：{r.reason}（{r.article}）"


def _deadline(d: dict[str, Any]) -> str:
    due = legal.deadline(d["code"], d["start"])
    rolled = f"（本应{due.rolled_from:%Y-%m-%d}届满，遇节假日顺延）" if due.rolled_from else ""
    return f"{due.label}：自{due.start_on:%Y-%m-%d}起算，{due.due_on:%Y-%m-%d}届满{rolled}（{due.article}）"


def _late_fee(d: dict[str, Any]) -> str:
    fee = legal.late_fee(fine=d["fine"].strip(), due_on=d["due_on"], on_day=d["on_day"])
    capped = "，已达罚款数额上限" if fee.is_capped else ""
    return f"逾期{fee.days_overdue}日，加处罚款{fee.amount}元{capped}（{fee.article}）"


def _limitation(d: dict[str, Any]) -> str:
    result = legal.limitation_expired(
        violation_ended_on=d["violation_ended_on"],
        discovered_on=d["discovered_on"],
        harmed_life_health_or_finance=d["harmed"],
    )
    return f"{result.reason}（{result.article}）"


TOOLS: dict[str, tuple[str, type[forms.Form], Callable[[dict[str, Any]], str]]] = {
    "simple": ("能否适用简易程序（当场处罚）", SimpleForm, _simple),
    "collection": ("能否当场收缴罚款", CollectionForm, _collection),
    "hearing": ("是否应当告知听证权利", HearingForm, _hearing),
    "deadline": ("期限计算", DeadlineForm, _deadline),
    "late_fee": ("加处罚款计算", LateFeeForm, _late_fee),
    "limitation": ("追责时效", LimitationForm, _limitation),
}


@page_view
def calculator(request: HttpRequest) -> HttpResponse:
    _require_case_staff(request.user)
    asked = request.GET.get("tool", "")
    tools = []
    for key, (title, form_class, answer) in TOOLS.items():
        bound = key == asked
        form = form_class(request.GET if bound else None, auto_id=f"{key}-%s")
        result, error = "", None
        if bound and form.is_valid():
            try:
                result = answer(form.cleaned_data)
            except DomainError as exc:
                error = exc
        tools.append({"key": key, "title": title, "form": form, "result": result, "error": error, "open": bound})
    return render(request, "web/cases/calculator.html", {"tools": tools, "today": timezone.localdate()})
