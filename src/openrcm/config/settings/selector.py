"""Pick the settings module from OPENRCM_ENV (production, test, or development by default)."""

import os

MODULES = {
    "production": "openrcm.config.settings.production",
    "test": "openrcm.config.settings.test",
    "development": "openrcm.config.settings.development",
}


def settings_module() -> str:
    """The dotted settings module for OPENRCM_ENV; an unknown value is refused by name."""
    env = os.environ.get("OPENRCM_ENV", "development") or "development"
    try:
        return MODULES[env]
    except KeyError:
        raise SystemExit(
            f"OPENRCM_ENV={env!r} is not one of: {', '.join(sorted(MODULES))}."
        ) from None


def configure() -> None:
    """Set DJANGO_SETTINGS_MODULE unless the caller already chose one."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module())
