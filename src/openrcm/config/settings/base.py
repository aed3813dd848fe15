"""Settings shared by every environment. Environment variables select the database and paths."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from openrcm.config.env import ConfigurationError, env_bool, env_int, env_list, env_str
from openrcm.config.filekeys import file_keys_from_env

PACKAGE_DIR = Path(__file__).resolve().parent.parent.parent
# ./var/ of the directory OpenRCM is started from holds the SQLite file, the dev secret and data.
VAR_DIR = Path(env_str("OPENRCM_VAR_DIR") or (Path.cwd() / "var")).resolve()
DATA_DIR = Path(env_str("OPENRCM_DATA_DIR") or (VAR_DIR / "data")).resolve()


def _development_secret() -> str:
    """A per-checkout secret kept under var/, generated on first use."""
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key, encoding="utf-8")
    path.chmod(0o600)
    return key


def database_config(default_url: str) -> dict[str, object]:
    """Parse DATABASE_URL (default: SQLite under var/) into Django's DATABASES entry."""
    url = env_str("DATABASE_URL") or default_url
    config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        name = Path(str(config["NAME"]))
        name.parent.mkdir(parents=True, exist_ok=True)
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        config["CONN_MAX_AGE"] = 0
    return config


SECRET_KEY = env_str("OPENRCM_SECRET_KEY") or _development_secret()
DEBUG = env_bool("OPENRCM_DEBUG", default=False)
ALLOWED_HOSTS = env_list("OPENRCM_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "ninja",  # serves Swagger UI from its own static files: /api/docs works offline
    "django_tasks_db",  # the background queue (Django's tasks API), run by `openrcm worker`
    "openrcm.tenancy",
    "openrcm.accounts",
    "openrcm.audit",
    "openrcm.providers",
    "openrcm.payers",
    "openrcm.patients",
    "openrcm.encounters",
    "openrcm.claims",
    "openrcm.operations",
    "openrcm.files",
    "openrcm.codes",
    "openrcm.scrubbing",
    "openrcm.clearinghouse",
    "openrcm.posting",
    "openrcm.reconciliation",  # deposits (EFT, checks, bank CSVs) paired with 835s
    "openrcm.reporting",  # KPIs and A/R aging fed from the database
    "openrcm.web",
    "openrcm.schedules",  # `openrcm worker`: daily batches, inbound polling, the jobs page
]

MIDDLEWARE = [
    "openrcm.audit.middleware.RequestContextMiddleware",  # request id + client IP, first
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "openrcm.accounts.middleware.NoStoreMiddleware",  # signed-in pages and the API: no-store
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified()
    "django.contrib.messages.middleware.MessageMiddleware",
    "openrcm.accounts.middleware.SessionLimitsMiddleware",  # idle and absolute limits
    "openrcm.accounts.middleware.MfaRequiredMiddleware",  # password alone reaches only MFA pages
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "openrcm.tenancy.middleware.CurrentPracticeMiddleware",
    "openrcm.tenancy.route_access.RoutePolicyMiddleware",  # route policy; audit of PHI pages
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the login page's answer
]

ROOT_URLCONF = "openrcm.config.urls"
WSGI_APPLICATION = "openrcm.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "openrcm.web.context_processors.practice_context",
                "openrcm.accounts.context_processors.security",
            ],
        },
    },
]

DATABASES = {"default": database_config(f"sqlite:///{VAR_DIR / 'openrcm.sqlite3'}")}

# -- background work (docs/schedules.md): the queue is a table of the database, so any number of
# web and worker processes share it; `openrcm worker` runs the schedules and the queue -------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# django-crontask's own lock needs Redis; `openrcm worker` elects one scheduler through a
# database lease instead (openrcm.schedules.lease), so no Redis URL here.
CRONTASK = {"REDIS_URL": None}
OPENRCM_POLL_MINUTES = env_int("OPENRCM_POLL_MINUTES", 5)  # inbound polling interval
OPENRCM_JOB_MAX_ATTEMPTS = env_int("OPENRCM_JOB_MAX_ATTEMPTS", 6)  # the first try and 5 retries
OPENRCM_JOB_RETRY_SECONDS = env_int("OPENRCM_JOB_RETRY_SECONDS", 60)  # doubles on each retry
# A daily batch missed while no worker ran is caught up within this many hours of its time.
OPENRCM_DAILY_BATCH_CATCHUP_HOURS = env_int("OPENRCM_DAILY_BATCH_CATCHUP_HOURS", 12)
OPENRCM_JOBS_KEEP_DAYS = env_int("OPENRCM_JOBS_KEEP_DAYS", 30)  # finished jobs older are pruned
# A job still "running" this long after its attempt began lost its worker: the attempt is retried.
OPENRCM_JOB_STALE_MINUTES = env_int("OPENRCM_JOB_STALE_MINUTES", 60)
if OPENRCM_POLL_MINUTES < 1 or OPENRCM_JOB_MAX_ATTEMPTS < 1:
    raise ConfigurationError(
        "OPENRCM_POLL_MINUTES and OPENRCM_JOB_MAX_ATTEMPTS must be at least 1 "
        f"(got {OPENRCM_POLL_MINUTES} and {OPENRCM_JOB_MAX_ATTEMPTS})."
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# -- e-mail: the monthly practice report to the practice owners (docs/reporting.md), through
# Django's SMTP backend (Django 6.1's MAILERS); host and sender come from the environment -------
_MAIL_BACKEND = env_str("OPENRCM_EMAIL_BACKEND") or "django.core.mail.backends.smtp.EmailBackend"
_SMTP_OPTIONS = {
    "host": env_str("OPENRCM_EMAIL_HOST") or "localhost",
    "port": env_int("OPENRCM_EMAIL_PORT", 25),
    "username": env_str("OPENRCM_EMAIL_USER") or "",
    "password": env_str("OPENRCM_EMAIL_PASSWORD") or "",
    "use_tls": env_bool("OPENRCM_EMAIL_USE_TLS", default=False),
    "use_ssl": env_bool("OPENRCM_EMAIL_USE_SSL", default=False),
    "timeout": env_int("OPENRCM_EMAIL_TIMEOUT", 30),
}
MAILERS = {
    "default": {
        "BACKEND": _MAIL_BACKEND,
        # Another backend (console, file) takes none of the SMTP options.
        "OPTIONS": _SMTP_OPTIONS if _MAIL_BACKEND.endswith("smtp.EmailBackend") else {},
    }
}
DEFAULT_FROM_EMAIL = env_str("OPENRCM_EMAIL_FROM") or "openrcm@localhost"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The monthly report is generated on the 1st at this hour of each practice's own day.
OPENRCM_MONTHLY_REPORT_HOUR = env_int("OPENRCM_MONTHLY_REPORT_HOUR", 6)

# -- authentication (ASVS V2): Argon2, length and common-password checks, no composition rules ----
AUTHENTICATION_BACKENDS = [
    "openrcm.accounts.backends.LockoutBackend",  # refuses while locked out (django-axes), first
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"  # events are stored in UTC; each practice has its own zone for dates of service
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

# -- MFA (TOTP, django-otp): required unless a development setting switches it off -------------
OPENRCM_ENV = "base"
OPENRCM_MFA_REQUIRED = env_bool("OPENRCM_MFA_REQUIRED", default=True)
OTP_TOTP_ISSUER = "OpenRCM"
OTP_TOTP_THROTTLE_FACTOR = 1  # seconds, doubled after each wrong code
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a TOTP secret or QR code
OPENRCM_MFA_THROTTLE_FACTOR = 1  # the same for recovery codes
OPENRCM_RECOVERY_CODE_COUNT = 10

# -- lockout (django-axes): 10 failures per username and IP within 15 minutes; 15 minutes off ---
AXES_FAILURE_LIMIT = 10
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # a lockout ends 15 minutes after it began
AXES_LOCKOUT_CALLABLE = "openrcm.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "openrcm.accounts.lockout.client_ip"  # the audit's client IP rules
AXES_DISABLE_ACCESS_LOG = True  # successful logins are in the audit trail
AXES_VERBOSE = False

# -- sessions: idle logoff (at most 30 minutes), absolute limit, cookies -----------------------
OPENRCM_SESSION_IDLE_MINUTES = env_int("OPENRCM_SESSION_IDLE_MINUTES", 15)
if not 1 <= OPENRCM_SESSION_IDLE_MINUTES <= 30:
    raise ConfigurationError(
        f"OPENRCM_SESSION_IDLE_MINUTES={OPENRCM_SESSION_IDLE_MINUTES} is refused: the idle logoff "
        "is between 1 and 30 minutes (default 15)."
    )
OPENRCM_SESSION_MAX_HOURS = env_int("OPENRCM_SESSION_MAX_HOURS", 12)
if not 1 <= OPENRCM_SESSION_MAX_HOURS <= 12:
    raise ConfigurationError(
        f"OPENRCM_SESSION_MAX_HOURS={OPENRCM_SESSION_MAX_HOURS} is refused: a session lasts "
        "between 1 and 12 hours after login (default 12)."
    )
SESSION_COOKIE_AGE = OPENRCM_SESSION_IDLE_MINUTES * 60  # the server forgets idle sessions too
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Messages (which may name a patient) stay on the server, not in a signed cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# -- headers: CSP (no inline script or style), framing, sniffing, referrer -------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

OPENRCM_DATA_DIR = DATA_DIR
# The keyring sealing stored files ("id:base64key,..."; config/filekeys.py): from OPENRCM_FILE_KEYS
# or OPENRCM_FILE_KEY; development.py falls back to var/file_key, production.py requires one.
OPENRCM_FILE_KEYS = file_keys_from_env()
OPENRCM_UPLOAD_MAX_MB = env_int("OPENRCM_UPLOAD_MAX_MB", 50)
OPENRCM_API_TOKEN_DAYS = env_int("OPENRCM_API_TOKEN_DAYS", 90)  # lifetime of a new API token
# Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR networks, comma-separated).
OPENRCM_TRUSTED_PROXIES = env_list("OPENRCM_TRUSTED_PROXIES")
OPENRCM_DEMO_USERNAME = "demo"
OPENRCM_DEMO_PASSWORD = "demo-billing-2026"  # noqa: S105 - the published demo login, synthetic data only

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # No PHI in logs: a missing template variable is logged without the template context.
    "filters": {"no_template_context": {"()": "openrcm.config.logfilters.NoTemplateContext"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("OPENRCM_LOG_LEVEL") or "INFO"},
    "loggers": {
        # SQL with its parameters (PHI) is never logged, even at OPENRCM_LOG_LEVEL=DEBUG
        "django.db.backends": {"level": "WARNING"},
        "django.template": {"filters": ["no_template_context"]},
        # The SFTP transport's library narrates every connection step at INFO.
        "asyncssh": {"level": "WARNING"},
    },
}
