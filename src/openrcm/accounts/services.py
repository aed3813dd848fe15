"""Writes for users and API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from openrcm.accounts.models import ApiToken
from openrcm.audit.models import AuditAction
from openrcm.audit.services import audit_record
from openrcm.tenancy.models import Membership, Practice
from openrcm.tenancy.scoping import TOKEN_PRACTICES_ATTR
from openrcm.tenancy.services import membership_grant

TOKEN_PREFIX = "orcm_"  # noqa: S105 - a public prefix, not a secret


def user_create(
    *,
    username: str,
    password: str,
    practice: Practice | None = None,
    role: str | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    validate: bool = True,
) -> Any:
    """Create a user (password checked by the validators) and, optionally, a membership."""
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ValueError(f"user {username!r} already exists")
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    if validate:
        validate_password(password, user)
    user.set_password(password)
    with transaction.atomic():
        user.save()
        if practice is not None and role is not None:
            membership_grant(user=user, practice=practice, role=role)
    return user


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


MAX_TOKEN_DAYS = 3650


def token_create(
    *,
    user: Any,
    name: str = "",
    days: int | None = None,
    practices: Iterable[Practice] | None = None,
    actor: Any = None,
) -> tuple[ApiToken, str]:
    """Create a bearer token; returns the row and the plain key, which is never stored.

    It expires after `days` (default OPENRCM_API_TOKEN_DAYS, 90). `practices`, when given,
    narrows it to those of the user's practices (each must be one the user belongs to); without
    it the token sees what its user sees. Recorded in the audit trail (token_create).
    """
    lifetime = int(settings.OPENRCM_API_TOKEN_DAYS) if days is None else days
    if (
        isinstance(lifetime, bool)
        or not isinstance(lifetime, int)
        or not (1 <= lifetime <= MAX_TOKEN_DAYS)
    ):
        raise ValueError(f"days: a token lives 1 to {MAX_TOKEN_DAYS} days, not {lifetime!r}")
    chosen = list(practices) if practices is not None else None
    if chosen is not None:
        member_of = set(Membership.objects.filter(user=user).values_list("practice_id", flat=True))
        outside = sorted(str(p.slug) for p in chosen if p.pk not in member_of)
        if outside:
            raise ValueError(
                f"practices: {user.get_username()} is not a member of {', '.join(outside)}"
            )
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=key[:12],
            key_hash=_hash(key),
            expires_at=timezone.now() + dt.timedelta(days=lifetime),
            limited_to_practices=chosen is not None,
        )
        if chosen:
            token.practices.set(chosen)
        audit_record(
            action=AuditAction.TOKEN_CREATE,
            actor=actor,
            target=token,
            detail={
                "user_id": user.pk,
                "days": lifetime,
                "practice_ids": sorted(p.pk for p in chosen) if chosen is not None else None,
            },
        )
    return token, key


def token_revoke(*, token: ApiToken, actor: Any = None) -> ApiToken:
    """Revoke a token; it stops working at once. Recorded in the audit trail (token_revoke)."""
    if token.revoked_at is None:
        with transaction.atomic():
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit_record(
                action=AuditAction.TOKEN_REVOKE,
                actor=actor,
                target=token,
                detail={"user_id": token.user_id},
            )
    return token


def token_authenticate(*, key: str, now: dt.datetime | None = None) -> Any | None:
    """The active user owning the token `key` if it is neither revoked nor expired, else None.

    A token narrowed to some practices marks the returned user object (for this request only)
    so that `practice_ids_for` keeps only those practices.
    """
    if not key or not key.startswith(TOKEN_PREFIX):
        return None
    now = now or timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(key), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    user = token.user
    if token.limited_to_practices:
        setattr(
            user,
            TOKEN_PRACTICES_ATTR,
            frozenset(token.practices.values_list("pk", flat=True)),
        )
    return user
