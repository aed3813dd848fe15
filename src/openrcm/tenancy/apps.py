from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "openrcm.tenancy"
    label = "tenancy"
