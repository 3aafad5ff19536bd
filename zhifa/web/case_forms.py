"""Forms of the staff's case pages (案件办理). They parse the shape of the input only (dates, numbers, a choice
among the rows the user may see); every rule of law — two certified officers, the defence period, a legal date
not in the future nor before the previous step, a valid USCC — is the service's, whose refusal is shown with
its code."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils import timezone

from zhifa.cases.models import (
    ApprovalStep,
    CaseSource,
    CaseStatus,
    Conclusion,
    EvidenceKind,
    MeasureKind,
    PartyKind,
    PenaltyKind,
    RecordKind,
    ServiceMethod,
)
from zhifa.web.event_forms import FieldErrorsMixin
from zhifa.web.forms import ALL, ListFilterForm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
LEAD_SOURCES = [
    (CaseSource.MANUAL.value, CaseSource.MANUAL.label),
    (CaseSource.TRANSFER.value, CaseSource.TRANSFER.label),
]


def _today() -> dt.date:
    return timezone.localdate()


def _choices(rows: Iterable[Any], label: Any = str) -> list[tuple[str, str]]:
    return [("", "请选择"), *((str(r.pk), label(r)) for r in rows)]


def officer_label(officer: Any) -> str:
    return f"{officer.name}（{officer.badge_no}）"


class CaseFilterForm(ListFilterForm):
    status = forms.ChoiceField(label="状态", required=False, choices=[ALL, *CaseStatus.choices])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = "案件编号、当事人或决定书文号"

    def filters(self) -> dict[str, Any]:
        return {k: v or "" for k, v in super().filters().items()}


class LeadForm(FieldErrorsMixin, forms.Form):
    """手工登记 or 外单位移送: a lead entered by hand (``services.create_lead`` checks it)."""

    FIELD_BY_CODE_WORD = {
        "transfer_source": "source_note",
        "case_source": "source",
        "party_kind": "party_kind",
        "party_name": "party_name",
        "uscc": "party_id_number",
        "id_number": "party_id_number",
        "facts": "facts",
        "violation_after": "violation_ended_on",
        "legal_date": "discovered_on",
        "matter": "matter_id",
    }

    source = forms.ChoiceField(label="线索来源", choices=LEAD_SOURCES, initial=CaseSource.MANUAL)
    source_note = forms.CharField(
        label="来源说明（移送机关及文号）", required=False, max_length=200, help_text="外单位移送的必填"
    )
    street_id = forms.TypedChoiceField(label="街道", coerce=int)
    matter_id = forms.TypedChoiceField(label="执法事项", coerce=int, required=False, empty_value=None)
    party_kind = forms.ChoiceField(label="当事人类型", choices=PartyKind.choices)
    party_name = forms.CharField(label="当事人", max_length=200, required=False)
    party_id_number = forms.CharField(label="统一社会信用代码/身份证号", max_length=18, required=False)
    party_representative = forms.CharField(label="法定代表人/负责人", max_length=50, required=False)
    party_address = forms.CharField(label="当事人地址", max_length=200, required=False)
    party_phone = forms.CharField(label="当事人电话", max_length=20, required=False)
    address = forms.CharField(label="违法地点", max_length=200, required=False)
    facts = forms.CharField(label="违法事实", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    discovered_on = forms.DateField(label="发现日期", widget=DATE, initial=_today)
    violation_ended_on = forms.DateField(
        label="违法行为终了日期", widget=DATE, initial=_today, help_text="连续或继续状态的，为行为终了之日"
    )
    harms_safety = forms.BooleanField(label="涉及公民生命健康安全、金融安全且有危害后果", required=False)

    def __init__(self, *args: Any, streets: Iterable[Any], matters: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        street_rows = list(streets)
        self.fields["street_id"].choices = _choices(street_rows, lambda s: s.name)  # type: ignore[attr-defined]
        if len(street_rows) == 1:
            self.fields["street_id"].initial = street_rows[0].pk
        self.fields["matter_id"].choices = _choices(matters, lambda m: m.name)  # type: ignore[attr-defined]


# --- the steps of a case: every form carries the step's legal date --------------------------------------


class StepForm(forms.Form):
    """法律上的日期: the day the step happened in law (defaults to today; may be earlier — 补录)."""

    legal_date = forms.DateField(
        label="法律上的日期", widget=DATE, initial=_today, error_messages={"required": "请填写法律上的日期"}
    )

    def __init__(self, *args: Any, officers: Iterable[Any] = (), deadlines: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.officers = list(officers)
        if "code" in self.fields:
            self.fields["code"].choices = [  # type: ignore[attr-defined]
                ("", "请选择"),
                *((d.code, f"{d.label}（届满{d.due_on:%Y-%m-%d}）") for d in deadlines),
            ]
        for name in ("handler_id", "co_handler_id", "chair_id", "officer_id"):
            if name in self.fields:
                self.fields[name].choices = _choices(self.officers, officer_label)  # type: ignore[attr-defined]
        if "officer_ids" in self.fields:
            self.fields["officer_ids"].choices = [(str(o.pk), officer_label(o)) for o in self.officers]  # type: ignore[attr-defined]

    def officer(self, name: str) -> Any:
        value = self.cleaned_data.get(name)
        return next((o for o in self.officers if o.pk == value), None)


class SubmitFilingForm(StepForm):
    handler_id = forms.TypedChoiceField(label="主办人", coerce=int, required=False, empty_value=None)
    co_handler_id = forms.TypedChoiceField(label="协办人", coerce=int, required=False, empty_value=None)


class OpinionForm(StepForm):
    opinion = forms.CharField(label="意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(StepForm):
    reason = forms.CharField(label="理由", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RecordForm(StepForm):
    kind = forms.ChoiceField(label="笔录种类", choices=RecordKind.choices)
    officer_ids = forms.TypedMultipleChoiceField(label="执法人员（不少于两人）", coerce=int, required=False)
    place = forms.CharField(label="地点", max_length=200, required=False)
    content = forms.CharField(label="笔录内容", required=False, widget=forms.Textarea(attrs={"rows": 4}))


class ConcludeForm(StepForm):
    conclusion = forms.ChoiceField(label="调查终结意见", choices=Conclusion.choices)
    penalty = forms.MultipleChoiceField(
        label="拟处罚种类", choices=PenaltyKind.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    fine = forms.DecimalField(label="拟罚款（元）", required=False, max_digits=12, decimal_places=2, min_value=0)
    is_complex = forms.BooleanField(label="情节复杂或重大违法（须集体讨论）", required=False)
    needs_legal_review = forms.BooleanField(label="提交法制审核", required=False)
    discretion_reason = forms.CharField(
        label="裁量说明（超出裁量基准时必填）", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    education_note = forms.CharField(
        label="教育记录（不予处罚的必填）", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MinutesForm(StepForm):
    minutes = forms.CharField(label="集体讨论纪要", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ReviewForm(StepForm):
    opinion = forms.CharField(label="审核意见", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class SubmissionForm(StepForm):
    """What the party gave on paper, entered by a handler; the legal date is the day it reached the agency."""

    text = forms.CharField(label="内容", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class NotifyHearingForm(StepForm):
    chair_id = forms.TypedChoiceField(
        label="听证主持人（非本案调查人员）", coerce=int, required=False, empty_value=None
    )
    hearing_on = forms.DateField(label="听证日期", widget=DATE, error_messages={"required": "请填写听证日期"})


class HearingRecordForm(StepForm):
    record = forms.CharField(label="听证笔录", required=False, widget=forms.Textarea(attrs={"rows": 4}))


class DecideForm(StepForm):
    penalty = forms.MultipleChoiceField(
        label="处罚种类（不选按告知的）",
        choices=PenaltyKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    fine = forms.DecimalField(
        label="罚款（元，不填按告知的）", required=False, max_digits=12, decimal_places=2, min_value=0
    )


class ServeForm(StepForm):
    method = forms.ChoiceField(label="送达方式", choices=ServiceMethod.choices)
    recipient = forms.CharField(label="受送达人/签收人", max_length=100, required=False)
    witness = forms.CharField(label="见证人（留置送达：见证人或照片至少一项）", max_length=100, required=False)
    photo = forms.FileField(label="留置送达照片", required=False)
    note = forms.CharField(label="说明", max_length=300, required=False)


class ExtendForm(StepForm):
    """APL 60: the head extends the decision period with a reason."""

    days = forms.IntegerField(label="延长天数", min_value=1, error_messages={"required": "请填写延长天数"})
    reason = forms.CharField(label="延长理由", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SuspendForm(StepForm):
    """A clock stopped (e.g. expert testing): the legal date is the day it stops; the reason is shown."""

    code = forms.ChoiceField(label="期限", error_messages={"required": "请选择期限"})
    reason = forms.CharField(label="中止原因", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ResumeForm(StepForm):
    code = forms.ChoiceField(label="期限", error_messages={"required": "请选择期限"})


class RecuseForm(StepForm):
    """APL 43: the head's decision that an officer withdraws; it is no step of the procedure (no legal date)."""

    legal_date = None  # type: ignore[assignment]
    officer_id = forms.TypedChoiceField(
        label="回避的执法人员", coerce=int, error_messages={"required": "请选择执法人员"}
    )
    reason = forms.CharField(label="回避理由", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SignForm(StepForm):
    """One rung of an approval ladder: agree, or return with reasons."""

    step = forms.ChoiceField(label="审批事项", choices=ApprovalStep.choices, widget=forms.HiddenInput)
    agree = forms.TypedChoiceField(
        label="意见",
        choices=[("1", "同意"), ("0", "退回")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    text = forms.CharField(label="审批意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PublishForm(StepForm):
    """APL 48: publication of a decision with social impact (no legal date: it is no step of the procedure)."""

    legal_date = None  # type: ignore[assignment]


class WithdrawPublicationForm(StepForm):
    legal_date = None  # type: ignore[assignment]
    reason = forms.CharField(label="撤回理由", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class EvidenceForm(StepForm):
    """APL 46: one item of evidence with its file (kept byte for byte, SHA-256), who collected it, when, where."""

    legal_date = None  # type: ignore[assignment]

    kind = forms.ChoiceField(label="证据种类", choices=EvidenceKind.choices)
    description = forms.CharField(label="证据说明", max_length=300, required=False)
    collected_by = forms.CharField(label="收集人", max_length=100, required=False)
    collected_at = forms.DateTimeField(
        label="收集时间",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        error_messages={"required": "请填写收集时间"},
    )
    collected_place = forms.CharField(label="收集地点", max_length=200, required=False)
    file = forms.FileField(label="证据文件", required=False)


class MeasureForm(StepForm):
    """先行登记保存 (APL 56) or 查封扣押 (ACL 25), with the head's approval."""

    kind = forms.ChoiceField(label="措施", choices=MeasureKind.choices)
    items = forms.CharField(label="物品清单（每行一项）", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    place = forms.CharField(label="保存/查封地点", max_length=200, required=False)


class EndMeasureForm(StepForm):
    """The disposal decision on preserved evidence, or the release of seized property: chosen by its deadline."""

    code = forms.ChoiceField(label="措施", error_messages={"required": "请选择措施"})
    outcome = forms.CharField(label="处理决定", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class LeadFromEventForm(forms.Form):
    """The party of an event's case lead (an event names no party)."""

    party_kind = forms.ChoiceField(label="当事人类型", choices=PartyKind.choices)
    party_name = forms.CharField(label="当事人", max_length=200, required=False)
    party_id_number = forms.CharField(label="统一社会信用代码/身份证号", max_length=18, required=False)
