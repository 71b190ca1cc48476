"""The calendar feed: what it holds, for whom, in what words, and when its link stops."""

from datetime import UTC, timedelta
from decimal import Decimal

import pytest
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from bookings.feed_views import calendar_feed
from bookings.models import Service, Status
from dashboard.models import Preferences
from dashboard.services import calendar_link_issue, calendar_link_revoke
from tests.factories import AccountFactory, BookingFactory


def feed_url(user) -> str:
    return reverse("bookings:calendar_feed", args=[calendar_link_issue(user=user)])


def events_of(response) -> list:
    assert response.status_code == 200
    return list(Calendar.from_ical(response.content).walk("VEVENT"))


def summaries(client, user) -> set[str]:
    return {str(event["SUMMARY"]) for event in events_of(client.get(feed_url(user)))}


def test_a_confirmed_session_is_an_event_in_utc_with_its_end_and_wording(client, owner, account):
    session_at = timezone.now().replace(microsecond=0) + timedelta(days=2)
    booking = BookingFactory(
        account=account,
        status=Status.CONFIRMED,
        session_at=session_at,
        duration_minutes=45,
        credits=Decimal("37.5000"),
        party_nickname="ClientNick",
    )
    response = client.get(feed_url(owner))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, max-age=300"
    assert response["X-Robots-Tag"] == "noindex"
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["X-WR-TIMEZONE"]) == "UTC"
    assert calendar["PRODID"]
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"booking-{booking.pk}@aw-bookings"
    assert event.decoded("DTSTART") == session_at
    assert event.decoded("DTEND") == session_at + timedelta(minutes=45)
    for name in ("DTSTART", "DTEND", "DTSTAMP"):
        assert event.decoded(name).utcoffset() == timedelta(0)
    assert f"DTSTART:{session_at.astimezone(UTC):%Y%m%dT%H%M%S}Z" in response.text
    assert str(event["SUMMARY"]) == "Webcam session with ClientNick (ScarlettLocal)"
    assert str(event["DESCRIPTION"]) == "45 minutes, 37.5 credits"
    assert str(event["STATUS"]) == "CONFIRMED"


def test_an_accepted_phonechat_session_is_tentative(client, owner, account):
    BookingFactory(
        account=account,
        service=Service.PHONECHAT,
        status=Status.ACCEPTED,
        party_nickname="Caller",
    )
    [event] = events_of(client.get(feed_url(owner)))
    assert str(event["STATUS"]) == "TENTATIVE"
    assert str(event["SUMMARY"]) == "PhoneChat session with Caller (ScarlettLocal)"


def test_only_accepted_and_confirmed_sessions_still_here_from_a_month_ago_appear(
    client, owner, account, now
):
    for status in Status:
        BookingFactory(account=account, status=status, party_nickname=status.value)
    BookingFactory(account=account, status=Status.CONFIRMED, party_nickname="Gone", gone_at=now)
    BookingFactory(
        account=account, status=Status.ACCEPTED, party_nickname="Undated", session_at=None
    )
    BookingFactory(
        account=account,
        status=Status.CONFIRMED,
        party_nickname="LastMonth",
        session_at=now - timedelta(days=29),
    )
    BookingFactory(
        account=account,
        status=Status.CONFIRMED,
        party_nickname="LongAgo",
        session_at=now - timedelta(days=31),
    )
    parties = {summary.split(" with ")[1].split(" (")[0] for summary in summaries(client, owner)}
    assert parties == {"Accepted", "Confirmed", "LastMonth"}


def test_the_owner_and_granted_staff_see_the_session_and_an_outsider_does_not(
    client, owner, staff, outsider, account
):
    BookingFactory(account=account, status=Status.CONFIRMED, party_nickname="Shared")
    BookingFactory(
        account=AccountFactory(owner=outsider, nickname="Elsewhere"),
        status=Status.CONFIRMED,
        party_nickname="TheirOwn",
    )
    expected = "Webcam session with Shared (ScarlettLocal)"
    assert summaries(client, owner) == {expected}
    assert summaries(client, staff) == {expected}
    assert summaries(client, outsider) == {"Webcam session with TheirOwn (Elsewhere)"}


def test_discreet_wording_names_no_one_no_service_and_no_credits(client, owner, account):
    Preferences.objects.create(user=owner, discreet=True)
    BookingFactory(
        account=account,
        status=Status.CONFIRMED,
        duration_minutes=45,
        credits=Decimal("37.5000"),
        party_nickname="ClientNick",
    )
    BookingFactory(
        account=account,
        service=Service.PHONECHAT,
        status=Status.ACCEPTED,
        duration_minutes=20,
        credits=Decimal("12.2500"),
        party_nickname="CallerNick",
    )
    response = client.get(feed_url(owner))
    text = response.content.decode().lower()
    for word in ("clientnick", "callernick", "scarlettlocal", "webcam", "phonechat", "credit"):
        assert word not in text
    assert "37.5" not in text
    assert "12.25" not in text
    events = events_of(response)
    assert {str(event["SUMMARY"]) for event in events} == {"Session"}
    assert {str(event["DESCRIPTION"]) for event in events} == {"45 minutes", "20 minutes"}
    assert str(Calendar.from_ical(response.content)["X-WR-CALNAME"]) == "Sessions"


def test_a_revoked_link_is_a_404_and_a_new_one_works_at_once(client, owner, account):
    BookingFactory(account=account, status=Status.CONFIRMED)
    old = feed_url(owner)
    assert client.get(old).status_code == 200
    calendar_link_revoke(user=owner)
    assert client.get(old).status_code == 404
    assert len(events_of(client.get(feed_url(owner)))) == 1


def test_the_old_link_is_a_404_once_replaced(client, owner):
    old = feed_url(owner)
    new = feed_url(owner)
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_a_blank_or_unknown_token_finds_no_one(client, owner, outsider, account):
    BookingFactory(account=account, status=Status.CONFIRMED)
    # Users who never had a link, or turned it off, all hold a blank token.
    Preferences.objects.create(user=owner)
    Preferences.objects.create(user=outsider, calendar_token="")
    assert client.get("/bookings/calendar/.ics").status_code == 404
    assert client.get(reverse("bookings:calendar_feed", args=["unknown"])).status_code == 404
    request = RequestFactory().get("/bookings/calendar/.ics")
    with pytest.raises(Http404):
        calendar_feed(request, token="")


def test_a_deactivated_users_link_stops(client, owner):
    url = feed_url(owner)
    owner.is_active = False
    owner.save()
    assert client.get(url).status_code == 404


def test_the_feed_takes_reads_only(client, owner):
    assert client.post(feed_url(owner)).status_code == 405


@pytest.mark.parametrize("count", [1, 30])
def test_the_query_count_does_not_grow_with_the_bookings(
    client, owner, account, django_assert_num_queries, count
):
    other = AccountFactory(owner=owner)
    for n in range(count):
        BookingFactory(account=account if n % 2 else other, status=Status.CONFIRMED)
    url = feed_url(owner)
    with django_assert_num_queries(2):
        response = client.get(url)
    assert len(events_of(response)) == count
