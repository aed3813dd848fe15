"""Production settings: refuse to start without a real secret and host list."""

from openrcm.config.env import ConfigurationError, env_bool, env_int, env_list, env_required
from openrcm.config.filekeys import file_keys_required
from openrcm.config.settings.base import *  # noqa: F403

OPENRCM_ENV = "production"
SECRET_KEY = env_required("OPENRCM_SECRET_KEY")
env_required("OPENRCM_ALLOWED_HOSTS")
ALLOWED_HOSTS = env_list("OPENRCM_ALLOWED_HOSTS")
OPENRCM_FILE_KEYS = file_keys_required()  # stored X12 files and PDFs are encrypted with it
DEBUG = False

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env_bool("OPENRCM_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env_int("OPENRCM_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True

# Every role sees PHI: MFA cannot be switched off here (45 CFR 164.312(d)).
OPENRCM_MFA_REQUIRED = env_bool("OPENRCM_MFA_REQUIRED", default=True)
if not OPENRCM_MFA_REQUIRED:
    raise ConfigurationError(
        "OPENRCM_MFA_REQUIRED=false is refused with OPENRCM_ENV=production: every user sees PHI "
        "and must sign in with a second factor. Unset it (MFA is on by default)."
    )
