from datetime import timedelta

import pytest
from django.utils import timezone

from dashboard.adultwork import fresh_access_token
from dashboard.models import Connection
from gateway import ReconnectNeeded
from tests.conftest import connect


@pytest.fixture
def performer(sandbox, sandbox_users, owner):
    user = next(u for u in sandbox_users.values() if u.get("Role", "performer") == "performer")
    return connect(sandbox, user=owner, sandbox_user=user)


def expire(account) -> None:
    Connection.objects.filter(account=account).update(
        access_expires_at=timezone.now() - timedelta(seconds=1)
    )


def token_calls(sandbox) -> list[dict]:
    return [r for r in sandbox.requests() if r["path"] == "/OAuth/token"]


def test_a_token_far_from_expiry_is_used_as_it_is(performer, sandbox):
    before = performer.connection.access_token
    sandbox.clear_requests()
    assert fresh_access_token(performer) == before
    assert token_calls(sandbox) == []


def test_a_token_about_to_expire_is_refreshed_and_the_new_pair_stored(performer, sandbox):
    old_refresh = performer.connection.refresh_token
    expire(performer)
    sandbox.clear_requests()
    token = fresh_access_token(performer)
    assert len(token_calls(sandbox)) == 1
    stored = Connection.objects.get(account=performer)
    assert stored.access_token == token
    assert stored.refresh_token != old_refresh
    assert stored.access_expires_at > timezone.now()


def test_a_refused_refresh_marks_the_account_reconnect_needed(performer, sandbox):
    expire(performer)
    fresh_access_token(performer)
    # Spend the stored refresh token behind our back, as a rotation elsewhere would.
    stale = Connection.objects.get(account=performer)
    stale.store_tokens(
        access_token="x",
        refresh_token="a-refresh-token-the-sandbox-never-issued",
        expires_in=0,
        now=timezone.now() - timedelta(hours=1),
    )
    stale.save()
    with pytest.raises(ReconnectNeeded):
        fresh_access_token(performer)
    performer.refresh_from_db()
    assert performer.reconnect_needed


def test_a_reused_refresh_token_leads_to_reconnect_needed(performer, sandbox):
    spent = performer.connection.refresh_token
    expire(performer)
    fresh_access_token(performer)  # rotates: `spent` is now dead at AdultWork
    stale = Connection.objects.get(account=performer)
    stale.store_tokens(
        access_token="x",
        refresh_token=spent,
        expires_in=0,
        now=timezone.now() - timedelta(hours=1),
    )
    stale.save()
    with pytest.raises(ReconnectNeeded):
        fresh_access_token(performer)
    performer.refresh_from_db()
    assert performer.reconnect_needed


def test_with_the_key_removed_no_call_is_made_with_a_token(performer, sandbox, settings):
    from cryptography.fernet import Fernet

    from dashboard.crypto import TokenDecryptionError

    expire(performer)
    sandbox.clear_requests()
    settings.TOKEN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(TokenDecryptionError):
        fresh_access_token(performer)
    assert sandbox.requests() == []


def test_tokens_never_reach_the_logs(performer, sandbox, caplog):
    import logging

    from bookings.sync import SyncFailed, sync_account

    caplog.set_level(logging.DEBUG)
    tokens = [performer.connection.access_token, performer.connection.refresh_token]
    sandbox.add_fault(path="/v1/Webcam/ReceivedBookings", kind="status", status=500, times=None)
    expire(performer)
    with pytest.raises(SyncFailed):
        sync_account(account=performer)
    tokens += [Connection.objects.get(account=performer).access_token]
    for secret in tokens:
        assert secret not in caplog.text


@pytest.mark.django_db(transaction=True)
def test_two_threads_with_an_expired_token_make_one_refresh_and_both_succeed(
    sandbox, sandbox_users
):
    import threading

    from tests.factories import UserFactory

    account = connect(
        sandbox, user=UserFactory(username="threads"), sandbox_user=sandbox_users["IvyBlaze"]
    )
    expire(account)
    sandbox.clear_requests()
    # Slow the refresh down so that the second thread arrives while the first holds the lock.
    sandbox.add_fault(path="/OAuth/token", kind="latency", delay=0.3)
    start = threading.Barrier(2)
    tokens, errors = [], []

    def use_the_account():
        try:
            start.wait()
            tokens.append(fresh_access_token(account))
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=use_the_account) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(token_calls(sandbox)) == 1
    assert tokens[0] == tokens[1]
    stored = Connection.objects.get(account=account)
    assert stored.access_token == tokens[0]
    # The newest refresh token is the one kept: it refreshes once more without complaint.
    expire(account)
    assert fresh_access_token(account) != tokens[0]


def test_a_refused_token_is_refreshed_even_far_from_expiry(performer, sandbox):
    refused = performer.connection.access_token
    sandbox.clear_requests()

    token = fresh_access_token(performer, refused=refused)

    assert token != refused
    assert len(token_calls(sandbox)) == 1


def test_a_refused_token_another_caller_already_replaced_is_not_refreshed_again(performer, sandbox):
    # Two readers of one sync get a 401 for the same token; the first to take the row lock
    # refreshes, the second finds the replacement and uses it.
    refused = performer.connection.access_token
    replacement = fresh_access_token(performer, refused=refused)
    sandbox.clear_requests()

    assert fresh_access_token(performer, refused=refused) == replacement
    assert token_calls(sandbox) == []
