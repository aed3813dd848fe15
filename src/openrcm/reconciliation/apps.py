from django.apps import AppConfig


class ReconciliationConfig(AppConfig):
    name = "openrcm.reconciliation"
    label = "reconciliation"
    verbose_name = "Deposit reconciliation"
