from django.apps import AppConfig


class EncountersConfig(AppConfig):
    name = "openrcm.encounters"
    label = "encounters"
