import re

from django.urls import reverse

from bookings.models import Booking
from tests.conftest import connect
from tests.factories import AccountFactory


def test_sync_now_brings_the_newest_bookings_and_says_so(client, owner, sandbox, sandbox_users):
    account = connect(sandbox, user=owner, sandbox_user=sandbox_users["IvyBlaze"])
    client.force_login(owner)
    response = client.post(
        reverse("bookings:sync"), {"account": [account.pk], "next": "/bookings/"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/bookings/"
    assert "Syncing IvyBlaze" in response.text
    assert Booking.objects.filter(account=account).exists()
    # Synced a moment ago, in naturaltime's words: "now", "a second ago", "12 seconds ago".
    assert re.search(r">(now|(a|\d+) seconds? ago)</time>", response.text)


def test_sync_now_of_someone_elses_account_is_not_found(client, owner, outsider):
    theirs = AccountFactory(owner=outsider)
    client.force_login(owner)
    assert client.post(reverse("bookings:sync"), {"account": [theirs.pk]}).status_code == 404
    assert client.get(reverse("bookings:sync")).status_code == 405


def test_a_copy_older_than_three_intervals_is_marked_out_of_date(client, owner, account, settings):
    from datetime import timedelta

    from django.utils import timezone

    from bookings.models import SyncState

    settings.SYNC_INTERVAL_LONG_SECONDS = 60
    long_ago = timezone.now() - timedelta(minutes=10)
    SyncState.objects.create(account=account, last_ok_at=long_ago)
    client.force_login(owner)
    assert "out of date" in client.get(reverse("bookings:inbox")).text
