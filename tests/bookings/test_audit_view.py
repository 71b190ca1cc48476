from django.urls import reverse

from dashboard.models import AuditEntry
from tests.factories import AccountFactory


def entry(account, **changes) -> AuditEntry:
    values = {
        "username": "owner",
        "account": account,
        "account_nickname": account.nickname,
        "action": "accept",
        "target": "Webcam received booking 1 with Client",
        "outcome": "done",
        "status_before": "Pending",
        "status_after": "Accepted",
        "message": "Accepted.",
    }
    return AuditEntry.objects.create(**{**values, **changes})


def test_owner_and_granted_staff_read_the_log_and_an_outsider_reads_nothing(
    client, owner, staff, outsider, account
):
    entry(account, target="Booking the right people see")
    for user, sees in ((owner, True), (staff, True), (outsider, False)):
        client.force_login(user)
        response = client.get(reverse("bookings:audit"))
        assert response.status_code == 200
        assert ("Booking the right people see" in response.text) is sees, user.username


def test_the_log_filters_by_action_and_outcome(client, owner, account):
    entry(account, action="accept", target="AcceptedOne")
    entry(account, action="reject", outcome="refused", target="RefusedOne")
    client.force_login(owner)
    text = client.get(reverse("bookings:audit"), {"action": "reject"}).text
    assert "RefusedOne" in text
    assert "AcceptedOne" not in text
    text = client.get(reverse("bookings:audit"), {"outcome": "done"}).text
    assert "AcceptedOne" in text
    assert "RefusedOne" not in text


def test_the_log_filters_by_account_and_refuses_someone_elses(client, owner, outsider, account):
    second = AccountFactory(owner=owner, nickname="Second")
    entry(account, target="OnFirst")
    entry(second, target="OnSecond")
    client.force_login(owner)
    text = client.get(reverse("bookings:audit"), {"account": second.pk}).text
    assert "OnSecond" in text
    assert "OnFirst" not in text
    theirs = AccountFactory(owner=outsider)
    assert client.get(reverse("bookings:audit"), {"account": theirs.pk}).status_code == 404


def test_a_bad_filter_falls_back_with_a_message(client, owner, account):
    entry(account, target="StillShown")
    client.force_login(owner)
    response = client.get(reverse("bookings:audit"), {"outcome": "exploded", "page": "x"})
    assert response.status_code == 200
    assert "StillShown" in response.text
    assert "is not a valid outcome" in response.text


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("bookings:audit"))
    assert response.status_code == 302


def test_the_log_of_one_account_links_to_its_export_and_only_its_export(client, owner, account):
    AccountFactory(owner=owner)  # a second account, so that the log can be narrowed to one
    client.force_login(owner)
    export = reverse("bookings:audit_export")
    assert export not in client.get(reverse("bookings:audit")).text
    text = client.get(reverse("bookings:audit"), {"account": account.pk, "action": "accept"}).text
    assert f'href="{export}?account={account.pk}"' in text
