"""System checks (`openrcm check`): the file keyring and the upload limit are usable."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from openrcm.core.files.sealed import KeyringError, parse_keyring


@register()
def file_store_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors: list[Error] = []
    keys = getattr(settings, "OPENRCM_FILE_KEYS", None)
    if not keys:
        errors.append(
            Error(
                "No key encrypts the stored files.",
                hint="Set OPENRCM_FILE_KEY (base64 of 32 random bytes) or OPENRCM_FILE_KEYS.",
                id="openrcm_files.E001",
            )
        )
    else:
        try:
            parse_keyring(str(keys))
        except KeyringError as exc:
            errors.append(Error(f"OPENRCM_FILE_KEYS: {exc}", id="openrcm_files.E002"))
    limit = getattr(settings, "OPENRCM_UPLOAD_MAX_MB", 50)
    if not isinstance(limit, int) or limit < 1:
        errors.append(
            Error(
                f"OPENRCM_UPLOAD_MAX_MB is {limit!r}; it must be a whole number of at least 1.",
                id="openrcm_files.E003",
            )
        )
    return errors
