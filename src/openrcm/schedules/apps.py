from django.apps import AppConfig


class SchedulesConfig(AppConfig):
    name = "openrcm.schedules"
    label = "schedules"
    verbose_name = "Schedules and jobs"
