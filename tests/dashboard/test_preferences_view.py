"""The settings page: opt-in alerts, discreet wording and the calendar feed link."""

from django.core.exceptions import ValidationError
from django.urls import reverse

from dashboard.forms import PreferencesForm
from dashboard.models import Preferences

URL = reverse("preferences:edit")
CHOICES = {"alert_in_page": "on", "alert_email": "on", "discreet": "on"}


def test_the_page_shows_every_setting_off_until_chosen(client, owner):
    client.force_login(owner)
    response = client.get(URL)
    assert response.status_code == 200
    for name in ("alert_in_page", "alert_browser", "alert_email", "discreet"):
        assert f'name="{name}"' in response.text
    assert "checked" not in response.text
    assert 'aria-describedby="id_discreet_helptext"' in response.text
    assert f'href="{URL}" aria-current="page"' in response.text
    assert not Preferences.objects.filter(user=owner).exists()


def test_saving_creates_the_preferences_and_the_page_shows_them_again(client, owner):
    client.force_login(owner)
    response = client.post(URL, CHOICES)
    assert response.status_code == 302
    assert response.url == URL
    preferences = Preferences.objects.get(user=owner)
    assert (preferences.alert_in_page, preferences.alert_browser) == (True, False)
    assert (preferences.alert_email, preferences.discreet) == (True, True)
    page = client.get(URL).text
    assert "Your settings are saved." in page
    assert page.count("checked") == 3


def test_saving_again_updates_and_keeps_the_calendar_link(client, owner):
    Preferences.objects.create(user=owner, alert_email=True, calendar_token="kept-token")
    client.force_login(owner)
    client.post(URL, {"alert_browser": "on"})
    preferences = Preferences.objects.get(user=owner)
    assert (preferences.alert_browser, preferences.alert_email) == (True, False)
    assert preferences.calendar_token == "kept-token"


def test_the_notification_button_shows_only_once_browser_alerts_are_on(client, owner):
    client.force_login(owner)
    assert "data-ask-notification-permission" not in client.get(URL).text
    client.post(URL, {"alert_browser": "on"})
    page = client.get(URL).text
    assert 'type="button" class="button" data-ask-notification-permission' in page
    assert "Allow notifications in this browser" in page


def test_a_form_with_an_error_keeps_what_was_ticked_and_saves_nothing(client, owner, monkeypatch):
    # Tick boxes cannot be invalid on their own; a failing clean() stands for any future rule.
    def refuse(form):
        raise ValidationError("Try again.")

    monkeypatch.setattr(PreferencesForm, "clean", refuse)
    client.force_login(owner)
    response = client.post(URL, {"alert_browser": "on", "discreet": "on"})
    assert response.status_code == 200
    assert "Try again." in response.text
    assert 'id="id_alert_browser" checked' in response.text
    assert 'id="id_discreet" checked' in response.text
    assert 'id="id_alert_email" checked' not in response.text
    # The button follows what is saved, not what was ticked.
    assert "data-ask-notification-permission" not in response.text
    assert not Preferences.objects.exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(client, db):
    for response in (
        client.get(URL),
        client.post(URL, CHOICES),
        client.post(reverse("preferences:calendar_issue")),
    ):
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    assert not Preferences.objects.exists()


def test_the_calendar_actions_take_posts_only(client, owner):
    client.force_login(owner)
    assert client.get(reverse("preferences:calendar_issue")).status_code == 405
    assert client.get(reverse("preferences:calendar_revoke")).status_code == 405
    assert not Preferences.objects.exists()


def test_creating_a_link_shows_its_full_address_to_copy(client, owner):
    client.force_login(owner)
    assert "Create a calendar link" in client.get(URL).text
    response = client.post(reverse("preferences:calendar_issue"), follow=True)
    token = Preferences.objects.get(user=owner).calendar_token
    assert len(token) >= 40
    address = f"http://testserver/bookings/calendar/{token}.ics"
    assert f'value="{address}"' in response.text
    assert '<label for="calendar-url">' in response.text
    assert "readonly" in response.text
    assert "Your calendar link is ready" in response.text
    assert "Create a calendar link" not in response.text
    assert response["Cache-Control"].startswith("max-age=0")
    assert client.get(address).status_code == 200


def test_replacing_the_link_stops_the_old_one_at_once(client, owner):
    client.force_login(owner)
    client.post(reverse("preferences:calendar_issue"))
    old = Preferences.objects.get(user=owner).calendar_token
    response = client.post(reverse("preferences:calendar_issue"), follow=True)
    new = Preferences.objects.get(user=owner).calendar_token
    assert new
    assert new != old
    assert "the old one no longer works" in response.text
    assert old not in response.text
    assert client.get(reverse("bookings:calendar_feed", args=[old])).status_code == 404
    assert client.get(reverse("bookings:calendar_feed", args=[new])).status_code == 200


def test_turning_the_link_off_blanks_it_and_offers_a_new_one(client, owner):
    client.force_login(owner)
    client.post(reverse("preferences:calendar_issue"))
    old = Preferences.objects.get(user=owner).calendar_token
    response = client.post(reverse("preferences:calendar_revoke"), follow=True)
    assert Preferences.objects.get(user=owner).calendar_token == ""
    assert "Your calendar link is off" in response.text
    assert "Create a calendar link" in response.text
    assert old not in response.text
    assert client.get(reverse("bookings:calendar_feed", args=[old])).status_code == 404
