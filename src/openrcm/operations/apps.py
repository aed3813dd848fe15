from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "openrcm.operations"
    label = "operations"
    verbose_name = "Operations"
