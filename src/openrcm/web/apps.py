from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "openrcm.web"
    label = "web"
