"""TokenCaller and call_with_token: the one way every call reaches AdultWork for an account,
refreshing once after a 401 and then asking for a new connection."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.models import Booking, SyncRun
from bookings.sync import SyncFailed, sync_account
from dashboard.adultwork import RECONNECT, TokenCaller, call_with_token
from dashboard.models import Account, Connection
from gateway import ReconnectNeeded
from tests.conftest import connect
from tests.factories import UserFactory

LIST_PATH = "/v1/Webcam/ReceivedBookings"


@pytest.fixture
def performer(sandbox, sandbox_users, owner):
    account = connect(sandbox, user=owner, sandbox_user=sandbox_users["ScarlettRose"])
    sandbox.clear_requests()
    return account


def revoke_access_token(account) -> None:
    """AdultWork no longer accepts the stored access token, long before its stored expiry; the
    refresh token still works."""
    connection = Connection.objects.get(account=account)
    connection.store_tokens(
        access_token="an-access-token-adultwork-revoked",
        refresh_token=connection.refresh_token,
        expires_in=3600,
        now=timezone.now(),
    )
    connection.save()


def token_calls(sandbox) -> list[dict]:
    return [r for r in sandbox.requests() if r["path"] == "/OAuth/token"]


def list_calls(sandbox) -> list[dict]:
    return [r for r in sandbox.requests() if r["path"] == LIST_PATH]


def first_page(api):
    return api.list_bookings(service="webcam", direction="received", per_page=5)


def reconnect_needed(account) -> bool:
    account.refresh_from_db()
    return account.reconnect_needed


def test_a_401_before_the_stored_expiry_refreshes_once_and_the_call_then_succeeds(
    performer, sandbox
):
    revoke_access_token(performer)

    page = call_with_token(performer, first_page)

    assert page.bookings
    assert len(token_calls(sandbox)) == 1
    assert [call["status"] for call in list_calls(sandbox)] == [401, 200]
    stored = Connection.objects.get(account=performer)
    assert stored.access_token != "an-access-token-adultwork-revoked"
    assert not reconnect_needed(performer)


def test_a_second_401_after_the_refresh_asks_for_a_new_sign_in(performer, sandbox):
    sandbox.add_fault(path=LIST_PATH, kind="status", status=401, times=2)

    with pytest.raises(ReconnectNeeded) as refused:
        call_with_token(performer, first_page)

    assert str(refused.value) == RECONNECT
    assert "reconnect this account" in refused.value.message
    assert len(token_calls(sandbox)) == 1
    assert len(list_calls(sandbox)) == 2
    assert reconnect_needed(performer)
    assert performer.reconnect_needed  # the instance in hand says so too


def test_a_refresh_refused_after_a_401_asks_for_a_new_sign_in(performer, sandbox):
    revoke_access_token(performer)
    connection = Connection.objects.get(account=performer)
    connection.store_tokens(
        access_token=connection.access_token,
        refresh_token="a-refresh-token-adultwork-never-issued",
        expires_in=3600,
        now=timezone.now(),
    )
    connection.save()

    with pytest.raises(ReconnectNeeded):
        call_with_token(performer, first_page)

    assert len(list_calls(sandbox)) == 1
    assert reconnect_needed(performer)


def test_one_caller_keeps_its_refreshed_token_for_the_calls_that_follow(performer, sandbox):
    revoke_access_token(performer)
    with TokenCaller(performer) as caller:
        for _ in range(3):
            caller.call(first_page)
    assert len(token_calls(sandbox)) == 1
    assert [call["status"] for call in list_calls(sandbox)] == [401, 200, 200, 200]


def test_a_call_that_fails_for_another_reason_is_not_retried_with_a_new_token(performer, sandbox):
    from gateway import Unavailable

    sandbox.add_fault(path=LIST_PATH, kind="status", status=503)
    with pytest.raises(Unavailable):
        call_with_token(performer, first_page)
    assert token_calls(sandbox) == []
    assert not reconnect_needed(performer)


def test_a_refresh_token_adultwork_no_longer_accepts_asks_to_reconnect_in_the_pages_words(
    performer, sandbox
):
    connection = Connection.objects.get(account=performer)
    connection.store_tokens(
        access_token="an-access-token-long-expired",
        refresh_token="a-refresh-token-adultwork-never-issued",
        expires_in=0,
        now=timezone.now(),
    )
    connection.save()

    with pytest.raises(ReconnectNeeded) as refused:
        call_with_token(performer, first_page)

    assert str(refused.value) == RECONNECT
    assert RECONNECT.startswith(Account.RECONNECT_REASON)
    assert reconnect_needed(performer)
    assert len(token_calls(sandbox)) == 1
    assert list_calls(sandbox) == []


def test_a_token_no_key_can_decrypt_asks_for_a_new_sign_in_without_calling(
    performer, sandbox, settings
):
    from cryptography.fernet import Fernet

    settings.TOKEN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(ReconnectNeeded) as refused:
        call_with_token(performer, first_page)

    assert str(refused.value) == RECONNECT
    assert reconnect_needed(performer)
    assert sandbox.requests() == []


def test_a_sync_with_a_token_no_key_can_decrypt_fails_with_the_reconnect_message(
    performer, sandbox, settings
):
    from cryptography.fernet import Fernet

    settings.TOKEN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(SyncFailed, match="reconnect this account"):
        sync_account(account=performer)

    assert reconnect_needed(performer)
    assert sandbox.requests() == []


# The page reader of a sync runs in a thread of its own, and refreshes the token there: these
# tests commit, so that its database connection sees the account.


@pytest.mark.django_db(transaction=True)
def test_a_sync_after_a_revoked_access_token_refreshes_and_goes_on(sandbox, sandbox_users):
    account = connect(
        sandbox, user=UserFactory(username="revoked"), sandbox_user=sandbox_users["ScarlettRose"]
    )
    revoke_access_token(account)
    sandbox.clear_requests()

    run = sync_account(account=account)

    assert run.ok, run.error
    assert run.bookings_seen == Booking.objects.filter(account=account).count() > 0
    assert len(token_calls(sandbox)) == 1
    assert not reconnect_needed(account)


@pytest.mark.django_db(transaction=True)
def test_a_token_refused_halfway_through_a_sync_is_refreshed_and_the_sync_goes_on(
    sandbox, sandbox_users, settings
):
    settings.ADULTWORK_PAGE_SIZE = 5
    account = connect(
        sandbox, user=UserFactory(username="halfway"), sandbox_user=sandbox_users["ScarlettRose"]
    )
    sandbox.clear_requests()
    sandbox.add_fault(
        path="/v1/PhoneChat/ReceivedBookings", kind="status", status=401, query={"PageNumber": "2"}
    )

    run = sync_account(account=account)

    assert run.ok, run.error
    assert len(token_calls(sandbox)) == 1
    assert SyncRun.objects.get(account=account).ok
    assert not reconnect_needed(account)


@pytest.mark.django_db(transaction=True)
def test_a_sync_whose_token_is_refused_twice_records_the_reconnect_message(sandbox, sandbox_users):
    account = connect(
        sandbox, user=UserFactory(username="twice"), sandbox_user=sandbox_users["ScarlettRose"]
    )
    sandbox.add_fault(path=LIST_PATH, kind="status", status=401, times=2)

    with pytest.raises(SyncFailed):
        sync_account(account=account)

    run = SyncRun.objects.get(account=account)
    assert not run.ok
    assert RECONNECT in run.error
    assert reconnect_needed(account)


def test_an_access_token_about_to_expire_is_refreshed_before_the_call(performer, sandbox):
    Connection.objects.filter(account=performer).update(
        access_expires_at=timezone.now() - timedelta(seconds=1)
    )
    call_with_token(performer, first_page)
    assert len(token_calls(sandbox)) == 1
    assert [call["status"] for call in list_calls(sandbox)] == [200]
