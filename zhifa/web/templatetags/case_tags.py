"""Template tags of the case pages used on other pages (the event page's 转为案件线索)."""

from django import template

from zhifa.cases.permissions import can_handle_cases, covers_case_street
from zhifa.events.models import Event
from zhifa.events.states import HANDLED_STATES
from zhifa.org.jurisdiction import jurisdiction_of

register = template.Library()


@register.simple_tag(takes_context=True)
def can_make_case_lead(context: template.Context, event: Event) -> bool:
    """Whether the event page offers 转为案件线索: a handled event, for a case handler of its street; the
    service (``lead_from_event``) checks again and refuses an event that already has a case."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated or event.status not in HANDLED_STATES:
        return False
    j = jurisdiction_of(request.user)
    return can_handle_cases(j) and covers_case_street(j, event.street_id)
