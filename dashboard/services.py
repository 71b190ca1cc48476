"""Writes of the dashboard's own data, as keyword-only functions the views call."""

import secrets

from dashboard.models import Preferences


def preferences_save(
    *,
    user,
    alert_in_page: bool,
    alert_browser: bool,
    alert_email: bool,
    discreet: bool,
    alert_push: bool = False,
) -> Preferences:
    """Store the user's alerts and wording, making their row on the first save."""
    # Only these columns are written, so a link issued meanwhile in another tab is kept.
    preferences, _ = Preferences.objects.update_or_create(
        user=user,
        defaults={
            "alert_in_page": alert_in_page,
            "alert_browser": alert_browser,
            "alert_email": alert_email,
            "alert_push": alert_push,
            "discreet": discreet,
        },
    )
    return preferences


def calendar_link_issue(*, user) -> str:
    """A new secret for the user's calendar feed. Any earlier link stops working at once,
    since the feed is found by the one token stored."""
    token = secrets.token_urlsafe(32)
    Preferences.objects.update_or_create(user=user, defaults={"calendar_token": token})
    return token


def calendar_link_revoke(*, user) -> None:
    """Turn the user's calendar feed off: a blank token never matches a feed."""
    Preferences.objects.filter(user=user).update(calendar_token="")  # nosec B106  # blank = no feed
