"""Template tags for event photos."""

from django import template

from zhifa.events.models import Event
from zhifa.events.permissions import can_see_photo_original
from zhifa.org.jurisdiction import jurisdiction_of

register = template.Library()


@register.simple_tag(takes_context=True)
def can_see_photo_originals(context: template.Context, event: Event) -> bool:
    """Whether the page offers the original (evidence) next to each public copy; the view checks again."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return False
    return can_see_photo_original(jurisdiction_of(request.user), street_id=event.street_id)
