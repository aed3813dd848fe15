from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "openrcm.providers"
    label = "providers"
