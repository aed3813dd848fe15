from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "openrcm.reporting"
    label = "reporting"
    verbose_name = "Reporting (KPIs and A/R aging)"
