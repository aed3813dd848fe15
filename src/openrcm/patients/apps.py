from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "openrcm.patients"
    label = "patients"
