from django.apps import AppConfig


class ClearinghouseConfig(AppConfig):
    name = "openrcm.clearinghouse"
    label = "clearinghouse"
