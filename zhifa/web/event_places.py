"""The event page's places part: the 超距到场 flags, the history of 更正位置 and the form that corrects the
location (``services.event_relocate``), kept out of ``event_views`` so that the page's other parts stay
where they are."""

from typing import Any

from django import forms
from django.http import HttpRequest

from zhifa.core.errors import ValidationFailed
from zhifa.events import services
from zhifa.events.models import Event
from zhifa.events.permissions import can_command_events, covers_event_street
from zhifa.events.states import OPEN_STATES
from zhifa.org.jurisdiction import jurisdiction_of


class RelocateForm(forms.Form):
    lon = forms.FloatField(min_value=-180, max_value=180, error_messages={"required": "请在地图上选择新位置"})
    lat = forms.FloatField(min_value=-90, max_value=90, error_messages={"required": "请在地图上选择新位置"})
    address = forms.CharField(max_length=200, required=False)
    reason = forms.CharField(max_length=200, error_messages={"required": "请填写更正位置的原因"})


def can_relocate(user: Any, event: Event) -> bool:
    """Whether the page offers 更正位置 (the service decides; this only hides a form that would be refused)."""
    j = jurisdiction_of(user)
    return event.status in OPEN_STATES and can_command_events(j) and covers_event_street(j, event.street_id)


def place_context(request: HttpRequest, event: Event) -> dict[str, Any]:
    return {
        "arrival_exceptions": list(event.arrival_exceptions.select_related("officer", "photo")),
        "relocations": list(event.relocations.select_related("from_street", "to_street")),
        "can_relocate": can_relocate(request.user, event),
    }


def relocate(request: HttpRequest, event: Event) -> str:
    form = RelocateForm(request.POST)
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        raise ValidationFailed(str(first), code="form_invalid")
    data = form.cleaned_data
    moved = services.event_relocate(
        actor=request.user,
        event=event,
        lon=data["lon"],
        lat=data["lat"],
        address=data["address"],
        reason=data["reason"],
    )
    return f"已更正位置：{moved.address or moved.street.name}"
