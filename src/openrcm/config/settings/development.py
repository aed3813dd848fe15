"""Development settings: the default when OPENRCM_ENV is unset."""

from openrcm.config.env import env_bool
from openrcm.config.filekeys import development_file_keys
from openrcm.config.settings.base import *  # noqa: F403

OPENRCM_ENV = "development"
DEBUG = env_bool("OPENRCM_DEBUG", default=True)
# Off by default so `make run`'s demo login works without an authenticator app; every page then
# shows a banner. OPENRCM_MFA_REQUIRED=true tries the real flow locally.
OPENRCM_MFA_REQUIRED = env_bool("OPENRCM_MFA_REQUIRED", default=False)
OPENRCM_FILE_KEYS = OPENRCM_FILE_KEYS or development_file_keys(VAR_DIR)  # noqa: F405
