from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def adultwork_settings_are_real(app_configs, **kwargs) -> list:
    problems: list[CheckMessage] = []
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


@register(Tags.security)
def vapid_keys_pair_up(app_configs, **kwargs) -> list:
    """Push is optional (no keys: off, and the settings page says so), but keys that are set
    must be a pair, or every push would be refused by the push services."""
    from dashboard.vapid import VapidKeyError, public_key_of

    private, public = settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY
    if not private and not public:
        return []
    if not private or not public:
        return [
            Error(
                "Set both VAPID_PRIVATE_KEY and VAPID_PUBLIC_KEY, or neither (push off).",
                id="dashboard.E003",
            )
        ]
    try:
        derived = public_key_of(private)
    except VapidKeyError as error:
        return [
            Error(str(error), hint="Make a pair with `manage.py vapid_keys`.", id="dashboard.E004")
        ]
    if derived != public.strip().rstrip("="):
        return [
            Error(
                "VAPID_PUBLIC_KEY is not the public key of VAPID_PRIVATE_KEY.",
                hint="Make a pair with `manage.py vapid_keys`.",
                id="dashboard.E005",
            )
        ]
    if not settings.VAPID_SUBJECT.startswith(("mailto:", "https://")):
        return [
            Warning(
                "VAPID_SUBJECT must be a mailto: or https: address; push services refuse others.",
                id="dashboard.W002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def vapid_keys_are_real(app_configs, **kwargs) -> list:
    from dashboard.settings import _DEV_VAPID_PRIVATE_KEY

    problems: list[CheckMessage] = []
    if settings.VAPID_PRIVATE_KEY == _DEV_VAPID_PRIVATE_KEY:
        problems.append(
            Error(
                "VAPID_PRIVATE_KEY is the demo's published key.",
                hint="Make a pair with `manage.py vapid_keys`.",
                id="dashboard.E006",
            )
        )
    if settings.VAPID_PRIVATE_KEY and "localhost" in settings.VAPID_SUBJECT:
        problems.append(
            Warning(
                "VAPID_SUBJECT names localhost: set it to your mailto: or https: address, which "
                "push services (Apple's especially) require.",
                id="dashboard.W003",
            )
        )
    return problems
