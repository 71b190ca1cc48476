"""A failing account says so where its bookings are shown: the last error and the next
attempt, on the lists and on the accounts page."""

import pytest
from django.urls import reverse

from bookings.sync import SyncFailed, sync_account
from dashboard.models import Grant
from tests.conftest import connect
from tests.factories import GrantFactory


@pytest.fixture
def failing(sandbox, sandbox_users, owner):
    account = connect(sandbox, user=owner, sandbox_user=sandbox_users["IvyBlaze"])
    sandbox.add_fault(path="/v1/Webcam/ReceivedBookings", kind="status", status=503, times=None)
    with pytest.raises(SyncFailed):
        sync_account(account=account)
    return account


@pytest.mark.parametrize("who", ["owner", "staff"])
def test_the_lists_and_the_accounts_page_show_the_last_error_and_the_next_attempt(
    client, failing, owner, who
):
    user = owner
    if who == "staff":
        user = GrantFactory(account=failing, role=Grant.Role.VIEWER).user
    client.force_login(user)
    for url in (
        reverse("bookings:inbox"),
        reverse("bookings:list", args=["webcam", "received"]),
        reverse("accounts:list"),
    ):
        text = client.get(url).text
        assert "Last sync failed: IvyBlaze: Webcam received bookings, page 1" in text, url
        assert "Next attempt" in text or "Next sync" in text, url


def test_an_outsider_sees_nothing_of_another_accounts_failure(client, failing, outsider):
    client.force_login(outsider)
    assert "Last sync failed" not in client.get(reverse("bookings:inbox")).text
    assert "Last sync failed" not in client.get(reverse("accounts:list")).text


@pytest.mark.parametrize("who", ["owner", "staff"])
def test_an_account_to_reconnect_says_why_on_the_lists_and_the_accounts_page(
    client, owner, account, who
):
    from dashboard.models import Account

    Account.objects.filter(pk=account.pk).update(reconnect_needed=True)
    user = owner
    if who == "staff":
        user = GrantFactory(account=account, role=Grant.Role.VIEWER).user
    client.force_login(user)
    for url in (reverse("bookings:inbox"), reverse("accounts:list")):
        text = client.get(url).text
        assert f"{Account.RECONNECT_REASON}." in text.replace("&#x27;", "'"), url
    inbox = client.get(reverse("bookings:inbox")).text
    assert ("Ask its owner to reconnect it." in inbox) is (who == "staff")
