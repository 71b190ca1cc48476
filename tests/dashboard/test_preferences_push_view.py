"""Settings: the push preference, and the controls that turn push on for one device."""

from django.urls import reverse

from dashboard.models import Preferences
from dashboard.vapid import generate_key_pair

SETTINGS = reverse("preferences:edit")


def with_push(settings):
    keys = generate_key_pair()
    settings.VAPID_PRIVATE_KEY = keys.private_key
    settings.VAPID_PUBLIC_KEY = keys.public_key
    return keys


def test_the_push_preference_is_saved_with_the_others(client, owner):
    client.force_login(owner)
    response = client.post(SETTINGS, {"alert_push": "on", "discreet": "on"})
    assert response.status_code == 302
    saved = Preferences.objects.get(user=owner)
    assert saved.alert_push
    assert saved.discreet
    assert saved.any_alert
    assert not saved.alert_email


def test_the_device_controls_carry_the_sites_public_key(client, owner, settings):
    keys = with_push(settings)
    client.force_login(owner)
    html = client.get(SETTINGS).content.decode()
    assert "Push notifications on this device" in html
    assert f'data-vapid-key="{keys.public_key}"' in html
    assert f'data-subscribe-url="{reverse("bookings:push_subscribe")}"' in html
    assert "Turn on push on this device" in html
    assert "js/push.js" in html


def test_without_keys_the_page_says_push_is_not_available(client, owner, settings):
    settings.VAPID_PRIVATE_KEY = settings.VAPID_PUBLIC_KEY = ""
    client.force_login(owner)
    html = client.get(SETTINGS).content.decode()
    assert "Push notifications are not available on this dashboard" in html
    assert "data-vapid-key" not in html


def test_the_page_says_the_preference_must_be_ticked_too(client, owner, settings):
    with_push(settings)
    client.force_login(owner)
    assert "is ticked and saved" in client.get(SETTINGS).content.decode()
    Preferences.objects.create(user=owner, alert_push=True)
    assert "is ticked and saved" not in client.get(SETTINGS).content.decode()
