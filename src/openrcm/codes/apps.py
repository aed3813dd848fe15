from django.apps import AppConfig


class CodesConfig(AppConfig):
    name = "openrcm.codes"
    label = "codes"
    verbose_name = "Code sets"
