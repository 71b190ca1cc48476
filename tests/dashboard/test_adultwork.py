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
