from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = "Accounts and people"

    def ready(self) -> None:
        from dashboard import checks  # noqa: F401  (registers the system checks)
