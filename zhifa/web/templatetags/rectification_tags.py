"""The business's home page panel of issue 12 part 6: its open rectification orders, each with the evidence form."""

from typing import Any

from django import template

from zhifa.inspections.rectification_selectors import owner_open_orders

register = template.Library()


@register.inclusion_tag("web/inspections/rectification_home.html", takes_context=True)
def rectification_home_panel(context: Any) -> dict[str, Any]:
    return {"orders": owner_open_orders(user=context["request"].user), "csrf_token": context.get("csrf_token")}
