"""Passwords: Argon2 first; at least 12 characters, not a common password, not like the user's
name; no composition rules (a long lowercase passphrase is fine)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, identify_hasher, make_password
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from openrcm.accounts.services import user_create
from openrcm.config.settings import base

pytestmark = pytest.mark.django_db


def test_argon2_is_the_first_hasher() -> None:
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_argon2_hashes_and_checks(settings: Any) -> None:
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    encoded = make_password("a long passphrase of words")
    assert encoded.startswith("argon2$argon2id$")
    assert isinstance(identify_hasher(encoded), Argon2PasswordHasher)
    user = User(username="erin", password=encoded)
    assert user.check_password("a long passphrase of words")
    assert not user.check_password("a long passphrase of word")


def test_the_validators_in_use() -> None:
    names = [v["NAME"].rsplit(".", 1)[1] for v in base.AUTH_PASSWORD_VALIDATORS]
    assert sorted(names) == [
        "CommonPasswordValidator",
        "MinimumLengthValidator",
        "UserAttributeSimilarityValidator",
    ]
    [length] = [v for v in base.AUTH_PASSWORD_VALIDATORS if "MinimumLength" in v["NAME"]]
    assert length["OPTIONS"]["min_length"] == 12


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-pass1", "too short"),  # 11 characters
        ("123456123456", "too common"),
        ("1234567890qwertyuiop", "too common"),
        ("jordanstevens1", "too similar"),
    ],
)
def test_weak_passwords_are_refused(password: str, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        user_create(username="jordanstevens", password=password, email="jordan@example.org")
    assert message in " ".join(info.value.messages)
    assert not User.objects.filter(username="jordanstevens").exists()


@pytest.mark.parametrize(
    "password",
    [
        "twelve chars",  # exactly 12, spaces, lowercase only
        "correct horse battery staple",
        "ZZZZZZZZZZZQ",  # no digits, no symbols, no lowercase: no composition rules
    ],
)
def test_long_passwords_need_no_particular_characters(password: str) -> None:
    user = user_create(username="jordanstevens", password=password)
    assert user.check_password(password)
