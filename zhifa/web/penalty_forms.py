"""Forms of the on-the-spot penalty on the phone (当场处罚) and of the party's online submissions. They parse the
shape of the input only; every rule (APL 51 caps, APL 68 collection, the receipt, the signature, the range of
pre-numbered decisions) is the service's, whose refusal the page shows with its code."""

import base64
import binascii
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.db.models import QuerySet

from zhifa.cases.models import PartyKind, PenaltyKind
from zhifa.cases.services.simple import SIGNATURE_MAX_BYTES
from zhifa.catalog.models import Matter
from zhifa.org.models import Officer

# The penalties an officer may choose on the spot: APL 51 allows no other (the rule says why when chosen).
SPOT_PENALTIES = [(PenaltyKind.WARNING.value, PenaltyKind.WARNING.label), (PenaltyKind.FINE.value, "罚款")]
DATA_URL_PREFIX = "data:image/png;base64,"
# base64 makes 4 characters of every 3 bytes.
SIGNATURE_MAX_CHARS = len(DATA_URL_PREFIX) + (SIGNATURE_MAX_BYTES * 4) // 3 + 4


class MatterChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.code}）"


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（执法证号 {obj.certificate_no}）"


def signature_bytes(data_url: str) -> bytes | None:
    """The PNG the canvas posted as a data URL (penalty.js), or None when nothing was drawn. A value that is not
    a PNG data URL is refused by the form; whether the bytes are a PNG is the service's to check."""
    if not data_url:
        return None
    if not data_url.startswith(DATA_URL_PREFIX):
        raise forms.ValidationError("签名图片无效", code="signature_invalid")
    try:
        return base64.b64decode(data_url[len(DATA_URL_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise forms.ValidationError("签名图片无效", code="signature_invalid") from None


class OnSpotPenaltyForm(forms.Form):
    matter = MatterChoiceField(label="执法事项", queryset=Matter.objects.none(), empty_label="请选择执法事项")
    subject_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    party_kind = forms.ChoiceField(label="当事人类型", choices=PartyKind.choices, initial=PartyKind.PERSON)
    party_name = forms.CharField(label="当事人姓名/名称", max_length=200)
    party_id_number = forms.CharField(label="身份证号/统一社会信用代码", max_length=18, required=False)
    party_address = forms.CharField(label="当事人住址/地址", max_length=200, required=False)
    party_phone = forms.CharField(label="联系电话", max_length=20, required=False)
    party_representative = forms.CharField(label="法定代表人/负责人", max_length=50, required=False)
    facts = forms.CharField(label="违法事实", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    address = forms.CharField(label="违法地点", max_length=200)
    penalty = forms.MultipleChoiceField(
        label="处罚种类", choices=SPOT_PENALTIES, widget=forms.CheckboxSelectMultiple, required=False
    )
    fine = forms.CharField(
        label="罚款金额（元）",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "如 50.00"}),
    )
    facts_clear = forms.BooleanField(label="违法事实确凿并有法定依据", required=False)
    colleague = OfficerChoiceField(
        label="同行执法人员（可选）", queryset=Officer.objects.none(), required=False, empty_label="无"
    )
    collect_on_spot = forms.BooleanField(label="当场收缴罚款", required=False)
    hard_to_collect_later = forms.BooleanField(label="不当场收缴事后难以执行", required=False)
    receipt_no = forms.CharField(label="罚没款专用票据号", max_length=64, required=False)
    signature = forms.CharField(required=False, widget=forms.HiddenInput, max_length=SIGNATURE_MAX_CHARS)
    refused_to_sign = forms.BooleanField(label="当事人拒绝签收", required=False)

    def __init__(self, *args: Any, matters: QuerySet[Matter], colleagues: QuerySet[Officer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_matter = self.fields["matter"]
        field_colleague = self.fields["colleague"]
        assert isinstance(field_matter, forms.ModelChoiceField)
        assert isinstance(field_colleague, forms.ModelChoiceField)
        field_matter.queryset = matters
        field_colleague.queryset = colleagues

    def clean_fine(self) -> Decimal | None:
        raw = self.cleaned_data["fine"].strip()
        if not raw:
            return None
        try:
            # Exactness (two places, not negative) is the rule's (legal.money), refused there with its code.
            return Decimal(raw)
        except InvalidOperation:
            raise forms.ValidationError("罚款金额须为数字", code="money_invalid") from None

    def clean_signature(self) -> bytes | None:
        return signature_bytes(self.cleaned_data["signature"])


class HandInForm(forms.Form):
    handed_in_on = forms.DateField(label="上缴日期", widget=forms.DateInput(attrs={"type": "date"}))


class PartySubmissionForm(forms.Form):
    """One of the party's submissions (its statement and defence, a hearing request, consent to electronic
    service); the day it arrives is today (``received_on``), set by the page, never typed."""

    text = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 6}), max_length=5000, required=False)
