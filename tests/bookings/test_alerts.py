"""Alerts of a request that awaits an answer: made by the worker after a sync, opt-in per user
and channel, at most once per user, booking, kind and channel, only to who may see it."""

from django.core import mail
from django.utils import timezone

from bookings.alerts import alerts_after_sync, take_page_alerts
from bookings.models import Alert, Booking
from bookings.tasks import sync_account_task
from dashboard.models import Grant, Preferences
from tests.conftest import connect
from tests.factories import AccountFactory, BookingFactory, GrantFactory, UserFactory


def opt_in(user, *, email: str = "", **choices) -> None:
    user.email = email
    user.save()
    Preferences.objects.create(user=user, **choices)


def connected(sandbox, sandbox_users, owner):
    account = connect(sandbox, user=owner, sandbox_user=sandbox_users["IvyBlaze"])
    sync_account_task.enqueue(account.pk)
    return account


def booking_of(account, remote_id: int) -> Booking:
    return Booking.objects.get(account=account, remote_id=remote_id)


def test_a_new_request_alerts_each_opted_in_user_who_may_see_it_once(
    sandbox, sandbox_users, owner, outsider
):
    opt_in(owner, email="ivy@example.com", alert_in_page=True, alert_email=True)
    viewer = UserFactory(username="viewer")
    opt_in(viewer, email="viewer@example.com", alert_browser=True)
    opt_in(outsider, email="outsider@example.com", alert_in_page=True, alert_email=True)
    quiet = UserFactory(username="quiet")
    account = connected(sandbox, sandbox_users, owner)
    GrantFactory(user=viewer, account=account, role=Grant.Role.VIEWER)
    GrantFactory(user=quiet, account=account, role=Grant.Role.OPERATOR)
    mail.outbox.clear()

    remote_id = sandbox.add_request(performer_id=sandbox_users["IvyBlaze"]["UserID"])
    sync_account_task.enqueue(account.pk)
    sync_account_task.enqueue(account.pk)

    booking = booking_of(account, remote_id)
    sent = set(
        Alert.objects.filter(booking=booking, kind=Alert.Kind.NEW_REQUEST).values_list(
            "user__username", "channel"
        )
    )
    assert sent == {("owner", "page"), ("owner", "email"), ("viewer", "page")}
    [email] = [m for m in mail.outbox if booking.party_nickname in m.subject]
    assert email.to == ["ivy@example.com"]
    assert "IvyBlaze" in email.body
    assert "/bookings/" in email.body


def test_requests_already_waiting_when_the_account_is_connected_are_not_news(
    sandbox, sandbox_users, owner
):
    opt_in(owner, email="ivy@example.com", alert_email=True)
    account = connected(sandbox, sandbox_users, owner)
    assert Booking.objects.filter(account=account, status="Pending").exists()
    assert not Alert.objects.filter(kind=Alert.Kind.NEW_REQUEST).exists()


def test_thirty_minutes_before_the_deadline_an_alert_says_so(sandbox, sandbox_users, owner):
    opt_in(owner, email="ivy@example.com", alert_email=True)
    account = connected(sandbox, sandbox_users, owner)
    remote_id = sandbox.add_request(
        performer_id=sandbox_users["IvyBlaze"]["UserID"], accept_within_minutes=20
    )
    sync_account_task.enqueue(account.pk)
    booking = booking_of(account, remote_id)
    assert Alert.objects.filter(booking=booking, kind=Alert.Kind.DEADLINE_SOON).count() == 1
    assert any(m.subject.startswith("30 minutes left") for m in mail.outbox)


def test_discreet_alerts_name_no_one_no_service_and_no_credits(sandbox, sandbox_users, owner):
    opt_in(owner, email="ivy@example.com", alert_email=True, alert_in_page=True, discreet=True)
    account = connected(sandbox, sandbox_users, owner)
    mail.outbox.clear()
    remote_id = sandbox.add_request(
        performer_id=sandbox_users["IvyBlaze"]["UserID"], credits=77, service="phonechat"
    )
    sync_account_task.enqueue(account.pk)
    booking = booking_of(account, remote_id)
    [email] = mail.outbox
    [item] = take_page_alerts(user=owner)
    for text in (email.subject, email.body, item["title"], item["body"]):
        for secret in (booking.party_nickname, "IvyBlaze", "PhoneChat", "77", "credits"):
            assert secret not in text
    assert email.subject == item["title"] == "New request"


def test_nobody_is_alerted_who_did_not_opt_in(owner, account):
    BookingFactory(account=account, created_at=timezone.now())
    Preferences.objects.create(user=owner)
    assert alerts_after_sync(account=account) == 0
    assert not Alert.objects.exists()


def test_an_account_the_user_may_not_see_never_alerts_them(outsider):
    opt_in(outsider, email="o@example.com", alert_in_page=True, alert_email=True)
    theirs = AccountFactory()
    BookingFactory(account=theirs, created_at=timezone.now())
    alerts_after_sync(account=theirs)
    assert not Alert.objects.filter(user=outsider).exists()
    assert mail.outbox == []


def test_page_alerts_are_handed_to_one_page_only(owner, account):
    opt_in(owner, alert_in_page=True)
    BookingFactory(account=account, created_at=timezone.now(), party_nickname="Eager")
    alerts_after_sync(account=account)
    [item] = take_page_alerts(user=owner)
    assert item["title"] == "New Webcam request from Eager"
    assert item["toast"] is True
    assert item["notify"] is False
    assert take_page_alerts(user=owner) == []
