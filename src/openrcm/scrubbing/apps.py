from django.apps import AppConfig


class ScrubbingConfig(AppConfig):
    name = "openrcm.scrubbing"
    label = "scrubbing"
    verbose_name = "Claim scrubbing"
