"""Test settings: fast hashing; DATABASE_URL still selects SQLite or PostgreSQL."""

import tempfile
from pathlib import Path

from openrcm.config.settings.base import *  # noqa: F403
from openrcm.core.files.sealed import generate_key

OPENRCM_ENV = "test"
DEBUG = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
OPENRCM_DATA_DIR = Path(tempfile.mkdtemp(prefix="openrcm-test-data-"))
OPENRCM_FILE_KEYS = OPENRCM_FILE_KEYS or f"test:{generate_key()}"  # noqa: F405
# Off so tests can sign in with force_login/login; the MFA tests switch it on themselves.
OPENRCM_MFA_REQUIRED = False
OTP_TOTP_THROTTLE_FACTOR = 0  # the throttling tests set it back
OPENRCM_MFA_THROTTLE_FACTOR = 0
