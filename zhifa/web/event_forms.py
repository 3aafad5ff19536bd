"""Forms of the event pages, the hotline intake and the phone. They parse and check the shape of the input
(required fields, numbers); every rule of the domain (inside the district, a matter that exists, a reason
long enough) is the service's, whose error is then shown next to the field it concerns."""

from collections.abc import Iterable
from typing import Any

from django import forms

from zhifa.core.errors import DomainError
from zhifa.events.states import CallbackResult, EventPriority, EventStatus
from zhifa.web.forms import ALL, ListFilterForm


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several photos in one field; their content is checked by ``zhifa.events.photos``, not here."""

    def __init__(self, *args: Any, capture: bool = False, **kwargs: Any) -> None:
        attrs = {"accept": "image/*", "multiple": True}
        if capture:
            # The phone opens its rear camera directly.
            attrs["capture"] = "environment"
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class EventFilterForm(ListFilterForm):
    status = forms.ChoiceField(label="状态", required=False, choices=[ALL, *EventStatus.choices])
    street_id = forms.TypedChoiceField(label="街道", required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, streets: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = "事件编号、工单号、描述或地址"
        self._offer(self.fields["street_id"], streets)


class FieldErrorsMixin:
    """Puts a service's domain error next to the field it is about (by ``details["field"]`` or its code)."""

    FIELD_BY_CODE_WORD: dict[str, str] = {}

    def add_domain_error(self, exc: DomainError) -> None:
        field = exc.details.get("field") if isinstance(exc.details, dict) else None
        if field not in self.fields:  # type: ignore[attr-defined]
            field = next((f for word, f in self.FIELD_BY_CODE_WORD.items() if word in exc.code), None)
        self.add_error(field, exc.message)  # type: ignore[attr-defined]


class HotlineForm(FieldErrorsMixin, forms.Form):
    """12345 热线受理: who called, what they said, where. The point comes from a click on the map
    (WGS-84, hidden fields) or from a typed address the service geocodes."""

    FIELD_BY_CODE_WORD = {
        "photo": "photos",
        "matter": "matter_code",
        "address": "address",
        "geocode": "address",
        "outside": "location",
        "location": "location",
        "point": "location",
        "lon": "location",
        "lat": "location",
        "description": "description",
        "text": "description",
        "phone": "reporter_phone",
        "priority": "priority",
        "hotline_ticket": "hotline_ticket_no",
        "called_at": "called_at",
    }

    hotline_ticket_no = forms.CharField(
        label="12345工单号",
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "如 HZ20260601000123", "autocomplete": "off"}),
    )
    # The operator's local time (Asia/Shanghai, the site's time zone): a form field reads it as such.
    called_at = forms.DateTimeField(
        label="来电时间（不填为受理时间）",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": "请输入正确的来电时间"},
    )
    reporter_name = forms.CharField(label="来电人", max_length=50, required=False)
    reporter_phone = forms.RegexField(
        label="来电号码",
        regex=r"^[0-9+\-\s]{5,20}$",
        max_length=20,
        required=False,
        error_messages={"invalid": "请输入正确的电话号码"},
    )
    description = forms.CharField(
        label="来电内容",
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "记录来电人反映的问题、时间、地点等"}),
        max_length=2000,
        error_messages={"required": "请填写来电内容"},
    )
    priority = forms.ChoiceField(label="优先级", choices=EventPriority.choices, initial=EventPriority.NORMAL)
    address = forms.CharField(
        label="地址",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "在地图上点选位置，或输入地址由系统定位"}),
    )
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    matter_code = forms.ChoiceField(label="执法事项（可选，不选则自动分类）", required=False)
    photos = MultipleImageField(label="照片（可选）")

    def __init__(self, *args: Any, matters: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.location_errors: list[str] = []
        choices = [("", "自动分类"), *((m.code, f"{m.name}（{m.code}）") for m in matters)]
        self.fields["matter_code"].choices = choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_point = data.get("lon") is not None and data.get("lat") is not None
        if not has_point and not data.get("address"):
            self.add_error(None, "请在地图上点选事件位置，或输入地址")
        return data

    def add_error(self, field: str | None, error: Any) -> None:
        # "location" is not a form field (the point is two hidden inputs): its errors are kept apart so
        # that the template shows them under the map.
        if field == "location":
            self.location_errors.append(str(error))
            return
        super().add_error(field, error)


class PatrolFindingForm(FieldErrorsMixin, forms.Form):
    """A finding on patrol, recorded from the phone where the officer stands."""

    FIELD_BY_CODE_WORD = {"photo": "photos", "description": "description", "text": "description"}

    description = forms.CharField(
        label="发现的问题",
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "描述现场发现的问题"}),
        max_length=2000,
        error_messages={"required": "请描述发现的问题"},
    )
    address = forms.CharField(label="位置说明", max_length=200, required=False)
    lon = forms.FloatField(widget=forms.HiddenInput, error_messages={"required": "未获取到定位，请允许使用位置信息"})
    lat = forms.FloatField(widget=forms.HiddenInput, error_messages={"required": "未获取到定位，请允许使用位置信息"})
    photos = MultipleImageField(label="现场照片", capture=True)


class HandleForm(FieldErrorsMixin, forms.Form):
    """The officer's handling report (处置反馈, EventAction.HANDLE): result type, outcome text and photos.

    ``result_types``: the 处置结果类型 offered for the event's matter (``catalog.selectors.handling_options``),
    as one-tap choices; whether one is required, and whether it needs a photo, is the service's rule."""

    FIELD_BY_CODE_WORD = {"photo": "photos", "outcome": "outcome", "result_type": "result_type"}

    result_type = forms.ChoiceField(
        label="处置结果",
        required=False,
        widget=forms.RadioSelect,
        choices=[],
        error_messages={"invalid_choice": "处置结果类型无效，请重新选择"},
    )
    outcome = forms.CharField(
        label="处置情况",
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "现场处置情况、结果"}),
        max_length=2000,
        error_messages={"required": "请填写处置情况"},
    )
    photos = MultipleImageField(label="处置照片", capture=True)

    def __init__(self, *args: Any, result_types: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.result_types = list(result_types)
        choice = self.fields["result_type"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = [(t.code, t.name) for t in self.result_types]
        self.fields["outcome"].widget.attrs["data-voice"] = "outcome"

    @property
    def photo_codes(self) -> list[str]:
        """The result types that need a photo: the page marks them, the server refuses them without one."""
        return [t.code for t in self.result_types if t.requires_photo]


class PointForm(forms.Form):
    """A position from the phone's Geolocation API (WGS-84)."""

    lon = forms.FloatField(min_value=-180, max_value=180)
    lat = forms.FloatField(min_value=-90, max_value=90)
    accuracy = forms.FloatField(required=False, min_value=0)


class FeedbackForm(forms.Form):
    """A coordinating department's written feedback (书面反馈) on an event transferred to it."""

    feedback = forms.CharField(
        label="书面反馈",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "请填写书面反馈"},
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="理由",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        error_messages={"required": "请填写理由"},
    )


class CloseForm(forms.Form):
    """结案 with the comment, the call back to the caller (回访) and the reply to the 12345 platform; which of
    them a ticket needs is the service's rule (``event_close``)."""

    comment = forms.CharField(
        label="结案意见", widget=forms.Textarea(attrs={"rows": 2}), max_length=1000, required=False
    )
    callback_result = forms.ChoiceField(
        label="回访结果",
        required=False,
        choices=[("", "未回访"), *CallbackResult.choices],
        error_messages={"invalid_choice": "回访结果无效，请重新选择"},
    )
    callback_note = forms.CharField(label="回访说明", max_length=300, required=False)
    hotline_reply = forms.CharField(
        label="12345回复", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000, required=False
    )


class SendBackForm(ReasonForm):
    """退回12345: the reason (required by the workflow) and, optionally, the dispatcher's own reply."""

    hotline_reply = forms.CharField(
        label="12345回复（不填按理由生成）", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )


class TransferForm(forms.Form):
    department_id = forms.TypedChoiceField(label="协同部门", coerce=int, error_messages={"required": "请选择协同部门"})
    instructions = forms.CharField(
        label="转办说明",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        error_messages={"required": "请填写转办说明"},
    )

    def __init__(self, *args: Any, departments: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department_id"].choices = [("", "请选择"), *((d.pk, d.name) for d in departments)]  # type: ignore[attr-defined]


class MergeForm(forms.Form):
    into = forms.CharField(
        label="合并至事件编号", max_length=24, error_messages={"required": "请填写要合并至的事件编号"}
    )
    reason = forms.CharField(label="理由", max_length=1000, error_messages={"required": "请填写合并理由"})


class DispatchForm(forms.Form):
    """The crew of a 派遣/改派 and its 主办 (``lead_id``, one of the chosen; none given: the first chosen leads,
    as the one-click buttons send it). The services take the crew in order, the first leading."""

    officer_ids = forms.TypedMultipleChoiceField(
        label="执法人员", coerce=int, error_messages={"required": "请选择执法人员"}
    )
    lead_id = forms.TypedChoiceField(
        label="主办",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "主办人员无效，请重新选择"},
    )
    was_recommended = forms.BooleanField(required=False)

    def __init__(self, *args: Any, officers: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(o.pk, o.name) for o in officers]
        self.fields["officer_ids"].choices = choices  # type: ignore[attr-defined]
        self.fields["lead_id"].choices = [("", "所选第一人"), *choices]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lead, ids = data.get("lead_id"), data.get("officer_ids")
        if lead is not None and ids:
            if lead not in ids:
                self.add_error("lead_id", "主办须是所选执法人员之一")
            else:
                data["officer_ids"] = [lead, *(i for i in ids if i != lead)]
        return data


class TriageCorrectionForm(forms.Form):
    """纠正研判: the kind (hence department and route) and whether the event is urgent."""

    kind_id = forms.TypedChoiceField(label="诉求类型", coerce=int, error_messages={"required": "请选择诉求类型"})
    urgent = forms.BooleanField(label="紧急", required=False)

    def __init__(self, *args: Any, kinds: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind_id"].choices = [("", "请选择"), *((k.pk, k.name) for k in kinds)]  # type: ignore[attr-defined]
        self.fields["kind_id"].error_messages["invalid_choice"] = "请选择本区启用的诉求类型"


class ClassifyForm(forms.Form):
    matter_id = forms.TypedChoiceField(label="执法事项", coerce=int, error_messages={"required": "请选择执法事项"})

    def __init__(self, *args: Any, matters: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["matter_id"].choices = [("", "请选择"), *((m.pk, m.name) for m in matters)]  # type: ignore[attr-defined]
