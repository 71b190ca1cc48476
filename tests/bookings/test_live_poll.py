"""The inbox and the lists poll themselves: a 304 when nothing changed, the page when something
did, with the count of requests awaiting an answer and any alerts as htmx events."""

import html
import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.models import Alert, Booking, Status
from dashboard.models import Grant, Preferences
from tests.factories import AccountFactory, BookingFactory, GrantFactory

POLL = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TRIGGER": "live"}
PAGES = [
    lambda: reverse("bookings:inbox"),
    lambda: reverse("bookings:inbox") + "?show=expired",
    lambda: reverse("bookings:list", args=["webcam", "received"]),
]


def poll(client, url: str, etag: str = ""):
    headers = {"HTTP_IF_NONE_MATCH": etag} if etag else {}
    return client.get(url, **POLL, **headers)


@pytest.mark.parametrize("page", PAGES)
def test_an_unchanged_poll_is_a_304_in_two_queries_and_under_a_kilobyte(
    client, owner, account, page, django_assert_max_num_queries
):
    BookingFactory.create_batch(30, account=account)
    client.force_login(owner)
    first = poll(client, page())
    assert first.status_code == 200
    with django_assert_max_num_queries(2):
        again = poll(client, page(), first["ETag"])
    assert again.status_code == 304
    assert len(again.content) + sum(len(k) + len(v) for k, v in again.items()) < 1024


def test_the_page_carries_the_tag_its_first_poll_sends(client, owner, account):
    BookingFactory(account=account)
    client.force_login(owner)
    page = client.get(reverse("bookings:inbox"))
    etag = page["ETag"]
    assert f'data-etag="{html.escape(etag)}"' in page.text
    assert poll(client, reverse("bookings:inbox"), etag).status_code == 304


def test_a_changed_booking_makes_the_next_poll_answer_the_page(client, owner, account):
    booking = BookingFactory(account=account, party_nickname="Before")
    client.force_login(owner)
    etag = poll(client, reverse("bookings:inbox"))["ETag"]
    Booking.objects.filter(pk=booking.pk).update(party_nickname="After", changed_at=timezone.now())
    answer = poll(client, reverse("bookings:inbox"), etag)
    assert answer.status_code == 200
    assert "After" in answer.text
    assert answer["ETag"] != etag


def test_a_new_request_changes_the_tag_and_the_count(client, owner, account):
    BookingFactory(account=account)
    client.force_login(owner)
    first = poll(client, reverse("bookings:inbox"))
    assert json.loads(first["HX-Trigger"])["needs-answer"] == {"count": 1}
    BookingFactory(account=account, changed_at=timezone.now())
    second = poll(client, reverse("bookings:inbox"), first["ETag"])
    assert second.status_code == 200
    assert json.loads(second["HX-Trigger"])["needs-answer"] == {"count": 2}


def test_a_change_to_an_account_the_user_may_not_see_leaves_their_poll_unchanged(
    client, owner, account, outsider
):
    theirs = AccountFactory(owner=outsider)
    BookingFactory(account=account)
    client.force_login(owner)
    etag = poll(client, reverse("bookings:inbox"))["ETag"]
    BookingFactory(account=theirs, changed_at=timezone.now())
    assert poll(client, reverse("bookings:inbox"), etag).status_code == 304


@pytest.mark.parametrize("role", [Grant.Role.OPERATOR, Grant.Role.VIEWER])
def test_granted_staff_see_a_change_to_the_account_they_are_granted(client, account, role):
    staff = GrantFactory(account=account, role=role).user
    client.force_login(staff)
    etag = poll(client, reverse("bookings:inbox"))["ETag"]
    BookingFactory(account=account, changed_at=timezone.now())
    assert poll(client, reverse("bookings:inbox"), etag).status_code == 200


def test_an_outsiders_poll_shows_nothing_of_others(client, account, outsider):
    BookingFactory(account=account, party_nickname="NotYours")
    client.force_login(outsider)
    answer = poll(client, reverse("bookings:inbox"))
    assert answer.status_code == 200
    assert "NotYours" not in answer.text
    assert json.loads(answer["HX-Trigger"])["needs-answer"] == {"count": 0}


def test_a_booking_that_goes_changes_the_tag(client, owner, account):
    booking = BookingFactory(account=account, party_nickname="Leaving")
    client.force_login(owner)
    etag = poll(client, reverse("bookings:inbox"))["ETag"]
    later = timezone.now()
    Booking.objects.filter(pk=booking.pk).update(gone_at=later, changed_at=later)
    answer = poll(client, reverse("bookings:inbox"), etag)
    assert answer.status_code == 200
    assert "Leaving" not in answer.text


def test_an_ordinary_visit_with_a_tag_still_gets_the_whole_page(client, owner, account):
    BookingFactory(account=account)
    client.force_login(owner)
    etag = client.get(reverse("bookings:inbox"))["ETag"]
    page = client.get(reverse("bookings:inbox"), HTTP_IF_NONE_MATCH=etag)
    assert page.status_code == 200
    assert "<html" in page.text


def test_a_poll_hands_over_page_alerts_once(client, owner, account):
    Preferences.objects.create(user=owner, alert_in_page=True, alert_browser=True)
    booking = BookingFactory(account=account, party_nickname="Newcomer")
    client.force_login(owner)
    etag = poll(client, reverse("bookings:inbox"))["ETag"]
    Alert.objects.create(
        user=owner, booking=booking, kind=Alert.Kind.NEW_REQUEST, channel=Alert.Channel.PAGE
    )
    answer = poll(client, reverse("bookings:inbox"), etag)
    assert answer.status_code == 200
    [item] = json.loads(answer["HX-Trigger"])["alerts"]["items"]
    assert "Newcomer" in item["title"]
    assert item["toast"]
    assert item["notify"]
    again = poll(client, reverse("bookings:inbox"), answer["ETag"])
    assert again.status_code == 304


def test_the_title_and_the_inbox_link_count_the_requests_awaiting_an_answer(
    client, owner, account, now
):
    BookingFactory.create_batch(3, account=account)
    BookingFactory(account=account, status=Status.ACCEPTED)
    BookingFactory(account=account, accept_by=now - timedelta(minutes=1))
    client.force_login(owner)
    for url in (reverse("bookings:inbox"), reverse("accounts:list")):
        text = client.get(url).text
        assert "<title>(3) " in text
        assert "data-needs-answer-number>3<" in text


def test_discreet_titles_name_nothing(client, owner, account):
    Preferences.objects.create(user=owner, discreet=True)
    BookingFactory(account=account)
    client.force_login(owner)
    text = client.get(reverse("bookings:list", args=["webcam", "received"])).text
    assert "<title>(1) Dashboard</title>" in text


def test_a_request_under_thirty_minutes_is_marked_urgent_and_counts_down_from_its_deadline(
    client, owner, account, now
):
    BookingFactory(account=account, accept_by=now + timedelta(minutes=20))
    client.force_login(owner)
    text = client.get(reverse("bookings:inbox")).text
    assert re.search(r'class="deadline urgent" datetime="[^"]+" data-deadline="', text)
