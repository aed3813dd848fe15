from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "openrcm.files"
    label = "files"
    verbose_name = "Stored files"

    def ready(self) -> None:
        from openrcm.files import checks  # noqa: F401 - registers the system checks
