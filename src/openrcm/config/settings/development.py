"""Development settings: the default when OPENRCM_ENV is unset."""

from openrcm.config.env import env_bool
from openrcm.config.settings.base import *  # noqa: F403

DEBUG = env_bool("OPENRCM_DEBUG", default=True)
