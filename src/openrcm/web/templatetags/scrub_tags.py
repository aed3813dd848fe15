"""`{% scrub_panel claim %}`: the scrubber's findings panel of the claim page."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("web/partials/scrub_panel.html", takes_context=True)
def scrub_panel(context: Any, claim: Any) -> dict[str, Any]:
    from openrcm.web.scrub_views import scrub_panel_context

    request = context["request"]
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        **scrub_panel_context(request.user, claim),
    }


@register.simple_tag(takes_context=True)
def writes_payer_rules(context: Any) -> bool:
    """Whether the signed-in user may write payer rules (an admin of some practice)."""
    from openrcm.scrubbing.selectors import can_administer_payer_rules

    return can_administer_payer_rules(user=context["request"].user)
