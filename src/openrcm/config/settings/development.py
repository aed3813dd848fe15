"""Development settings: the default when OPENRCM_ENV is unset."""

from openrcm.config.env import env_bool
from openrcm.config.filekeys import development_file_keys
from openrcm.config.settings.base import *  # noqa: F403

DEBUG = env_bool("OPENRCM_DEBUG", default=True)
OPENRCM_FILE_KEYS = OPENRCM_FILE_KEYS or development_file_keys(VAR_DIR)  # noqa: F405
