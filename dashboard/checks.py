from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def adultwork_settings_are_real(app_configs, **kwargs) -> list:
    problems = []
    if not settings.ADULTWORK_CLIENT_ID or not settings.ADULTWORK_CLIENT_SECRET:
        problems.append(
            Error(
                "ADULTWORK_CLIENT_ID and ADULTWORK_CLIENT_SECRET must be set.",
                id="dashboard.E001",
            )
        )
    for name in ("ADULTWORK_API_URL", "ADULTWORK_AUTH_URL"):
        url = getattr(settings, name)
        if "127.0.0.1" in url or "localhost" in url:
            problems.append(
                Warning(f"{name} points at loopback: the sandbox?", id="dashboard.W001")
            )
    if not settings.TOKEN_ENCRYPTION_KEYS:
        problems.append(Error("TOKEN_ENCRYPTION_KEYS is empty.", id="dashboard.E002"))
    return problems
