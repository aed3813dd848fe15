"""The one place that decides what a user may see: every practice-owned model's queryset.

Every PHI model carries a direct `practice` foreign key, so a single filter scopes them all.
Views and API routes fetch objects only through `for_user(...)` or `get_for_user_or_404(...)`;
another practice's object is then simply not found (404), never "forbidden".
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404

from openrcm.tenancy.permissions import Action, roles_allowed

M = TypeVar("M", bound=models.Model)


# An API token narrowed to some practices sets this on the user object it authenticates (for that
# request only; openrcm.accounts.services.token_authenticate): a frozenset of practice ids.
TOKEN_PRACTICES_ATTR = "_openrcm_token_practice_ids"  # noqa: S105 - an attribute name


def practice_ids_for(user: Any, action: Action = Action.VIEW) -> list[int]:
    """Ids of the practices where `user` holds a role that grants `action` (and, for a request
    made with a narrowed API token, that the token allows)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cache_attr = f"_openrcm_practice_ids_{action}"
    cached = getattr(user, cache_attr, None)
    if cached is None:
        from openrcm.tenancy.models import Membership

        cached = list(
            Membership.objects.filter(user=user, role__in=roles_allowed(action))
            .order_by("practice_id")
            .values_list("practice_id", flat=True)
        )
        setattr(user, cache_attr, cached)
    narrowed = getattr(user, TOKEN_PRACTICES_ATTR, None)
    if narrowed is not None:
        return [practice_id for practice_id in cached if practice_id in narrowed]
    return list(cached)


class PracticeScopedQuerySet(models.QuerySet[M]):
    """A queryset whose `for_user` keeps only rows of the user's practices."""

    practice_lookup = "practice_id__in"

    def for_user(self, user: Any, action: Action = Action.VIEW) -> PracticeScopedQuerySet[M]:
        """Rows of practices where `user` may perform `action`."""
        return self.filter(**{self.practice_lookup: practice_ids_for(user, action)})

    def for_practice(self, practice: Any) -> PracticeScopedQuerySet[M]:
        return self.filter(practice=practice)


def get_for_user_or_404[M: models.Model](
    queryset: models.QuerySet[M], user: Any, action: Action = Action.VIEW, **lookup: Any
) -> M:
    """Fetch one object the user may act on, or raise Http404 (also for other practices' rows)."""
    scoped = queryset.for_user(user, action)  # type: ignore[attr-defined]
    try:
        obj: M = scoped.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404("Not found.") from None
    return obj
