"""Writes for users and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from openrcm.accounts.models import ApiToken
from openrcm.tenancy.models import Practice
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


def token_create(*, user: Any, name: str = "") -> tuple[ApiToken, str]:
    """Create a bearer token; returns the row and the plain key, which is never stored."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:12], key_hash=_hash(key))
    return token, key


def token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke a token; it stops working at once."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_authenticate(*, key: str) -> Any | None:
    """The active user owning the (unrevoked) token `key`, or None."""
    if not key or not key.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
