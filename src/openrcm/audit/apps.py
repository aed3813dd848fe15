from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "openrcm.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from openrcm.audit import signals

        signals.connect()
