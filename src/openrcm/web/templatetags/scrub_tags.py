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
