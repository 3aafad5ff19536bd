"""Small panels of issue 13 parts 2 and 4 that other pages include: the commitments a business has to sign with its
fast-track flag (the business's home page), and the measures applied to a subject (its credit file)."""

from typing import Any

from django import template

from zhifa.credit.commitments import commitments_to_sign
from zhifa.credit.measures import has_fast_track, measures_for_holder

register = template.Library()


@register.inclusion_tag("web/credit/commitment_panel.html", takes_context=True)
def credit_commitments_panel(context: Any) -> dict[str, Any]:
    """For a business owner: each of its subjects with the commitments it has to sign, and 绿色通道 if A."""
    request = context["request"]
    rows = [{"c": c, "fast_track": has_fast_track(subject=c.subject)} for c in commitments_to_sign(user=request.user)]
    return {"rows": rows}


@register.inclusion_tag("web/credit/measure_list.html")
def credit_measures(subject: Any) -> dict[str, Any]:
    """The joint rewards and punishments applied to the subject's holder, newest first (the caller scoped the
    subject: this is shown on a file the reader may already see)."""
    key = subject.uscc or subject.id_number
    return {"measures": measures_for_holder(district_id=subject.district_id, holder_key=key)}
