from django.apps import AppConfig


class PayersConfig(AppConfig):
    name = "openrcm.payers"
    label = "payers"
