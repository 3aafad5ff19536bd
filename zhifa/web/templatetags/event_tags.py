"""Template filters for event pages."""

import math

from django import template

from zhifa.events.privacy import mask_phone as _mask_phone
from zhifa.events.privacy import tel_url as _tel_url

register = template.Library()


@register.filter
def mask_phone(phone: str) -> str:
    """The reporter's phone in a list view: 138****1234."""
    return _mask_phone(phone)


@register.filter
def tel_url(phone: str) -> str:
    """A work phone as a ``tel:`` link (one tap to call); empty when there is no number."""
    return _tel_url(phone)


@register.filter
def get_item(mapping: dict, key: str) -> object:
    return mapping.get(key, key)


@register.filter
def seconds_to_minutes(seconds: float | None) -> str:
    """An estimated travel time in whole minutes (at least 1), rounded up like the recommendation's reasons
    ("约3分钟到达"), so one card never says both 2 and 3 minutes."""
    if seconds is None:
        return "—"
    return str(max(1, math.ceil(seconds / 60)))
