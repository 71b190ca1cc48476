from datetime import timedelta

from django.urls import reverse

from bookings.models import Direction, Service, Status
from tests.factories import AccountFactory, BookingFactory


def test_the_inbox_gathers_pending_received_bookings_across_accounts(client, owner, account, now):
    second = AccountFactory(owner=owner, nickname="SecondAccount")
    BookingFactory(account=account, party_nickname="FromFirst")
    BookingFactory(account=second, service=Service.PHONECHAT, party_nickname="FromSecond")
    BookingFactory(account=account, status=Status.ACCEPTED, party_nickname="AlreadyAccepted")
    BookingFactory(account=account, direction=Direction.MADE, party_nickname="MadeByMe")
    client.force_login(owner)
    text = client.get(reverse("bookings:inbox")).text
    assert "FromFirst" in text
    assert "FromSecond" in text
    assert "AlreadyAccepted" not in text
    assert "MadeByMe" not in text


def test_the_inbox_puts_the_soonest_deadline_first(client, owner, account, now):
    BookingFactory(account=account, accept_by=now + timedelta(hours=8), party_nickname="CanWait")
    BookingFactory(account=account, accept_by=now + timedelta(minutes=20), party_nickname="Hurry")
    client.force_login(owner)
    text = client.get(reverse("bookings:inbox")).text
    assert text.index("Hurry") < text.index("CanWait")


def test_expired_requests_are_kept_apart(client, owner, account, now):
    BookingFactory(account=account, accept_by=now - timedelta(hours=1), party_nickname="TooLate")
    BookingFactory(
        account=account,
        accept_by=now + timedelta(hours=1),
        session_at=now - timedelta(minutes=5),
        party_nickname="SessionPassed",
    )
    BookingFactory(account=account, party_nickname="StillOpen")
    client.force_login(owner)
    inbox = client.get(reverse("bookings:inbox")).text
    assert "StillOpen" in inbox
    assert "TooLate" not in inbox
    expired = client.get(reverse("bookings:inbox"), {"show": "expired"}).text
    assert "TooLate" in expired
    assert "SessionPassed" in expired
    assert "StillOpen" not in expired


def test_the_inbox_shows_owner_and_staff_their_accounts_and_an_outsider_nothing(
    client, owner, staff, outsider, account
):
    BookingFactory(account=account, party_nickname="WaitingForAnswer")
    for user, sees in ((owner, True), (staff, True), (outsider, False)):
        client.force_login(user)
        assert ("WaitingForAnswer" in client.get(reverse("bookings:inbox")).text) is sees


def test_the_inbox_with_nothing_to_do_says_so(client, outsider):
    client.force_login(outsider)
    assert "Nothing waits for you" in client.get(reverse("bookings:inbox")).text
