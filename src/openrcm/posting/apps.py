from django.apps import AppConfig


class PostingConfig(AppConfig):
    name = "openrcm.posting"
    label = "posting"
    verbose_name = "Payment posting"

    def ready(self) -> None:
        from openrcm.audit.triggers import register_append_only
        from openrcm.posting import triggers

        # `flush` (Django's test framework after transactional tests) lifts these too.
        register_append_only(triggers.append_only_lifted)
