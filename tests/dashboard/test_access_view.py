"""Granting, changing and revoking access to an account."""

import re

from django.urls import reverse

from dashboard.models import AuditEntry, Grant
from tests.factories import AccountFactory, BookingFactory, GrantFactory, UserFactory


def test_the_owner_grants_a_role_and_the_grantee_sees_the_account_at_once(client, owner, account):
    newcomer = UserFactory(username="newcomer")
    client.force_login(owner)
    response = client.post(
        reverse("accounts:access", args=[account.pk]), {"username": "newcomer", "role": "viewer"}
    )
    assert response.status_code == 302
    assert Grant.objects.get(user=newcomer, account=account).role == "viewer"
    entry = AuditEntry.objects.get(action="grant")
    assert (entry.user, entry.account, entry.target) == (owner, account, "access of newcomer")
    BookingFactory(account=account, party_nickname="NowVisible")
    client.force_login(newcomer)
    assert "NowVisible" in client.get(reverse("bookings:inbox")).text


def test_revoking_takes_effect_on_the_next_request(client, owner, staff, account):
    BookingFactory(account=account, party_nickname="SoonHidden")
    client.force_login(staff)
    assert "SoonHidden" in client.get(reverse("bookings:inbox")).text
    grant = Grant.objects.get(user=staff)
    client.force_login(owner)
    client.post(reverse("accounts:grant_revoke", args=[account.pk, grant.pk]))
    entry = AuditEntry.objects.get(action="revoke")
    assert (entry.user, entry.account, entry.inputs) == (owner, account, {"was": "operator"})
    client.force_login(staff)
    assert "SoonHidden" not in client.get(reverse("bookings:inbox")).text


def test_changing_a_role_to_viewer_stops_acting(client, owner, staff, account):
    grant = Grant.objects.get(user=staff)
    client.force_login(owner)
    client.post(reverse("accounts:grant_change", args=[account.pk, grant.pk]), {"role": "viewer"})
    grant.refresh_from_db()
    assert grant.role == "viewer"
    entry = AuditEntry.objects.get(action="regrant")
    assert (entry.user, entry.account, entry.inputs) == (
        owner,
        account,
        {"role": "viewer", "was": "operator"},
    )
    booking = BookingFactory(account=account)
    client.force_login(staff)
    response = client.post(reverse("bookings:action", args=[booking.pk, "reject"]), {"reason": "x"})
    assert response.status_code == 404


def test_a_grant_with_the_owner_role_may_manage_grants_but_a_manager_may_not(
    client, account, staff
):
    co_admin = UserFactory(username="co-admin")
    GrantFactory(user=co_admin, account=account, role=Grant.Role.ADMIN)
    url = reverse("accounts:access", args=[account.pk])
    client.force_login(co_admin)
    assert client.get(url).status_code == 200
    client.force_login(staff)
    assert client.get(url).status_code == 404


def test_the_agency_owner_manages_grants_on_the_agencys_accounts(client, db):
    from dashboard.models import Agency

    boss = UserFactory(username="boss")
    agency = Agency.objects.create(name="Velvet", owner=boss)
    run = AccountFactory(agency=agency)
    elsewhere = AccountFactory()
    client.force_login(boss)
    assert client.get(reverse("accounts:access", args=[run.pk])).status_code == 200
    assert client.get(reverse("accounts:access", args=[elsewhere.pk])).status_code == 404


def test_an_outsider_cannot_see_or_change_grants(client, outsider, account, staff):
    grant = Grant.objects.get(user=staff)
    client.force_login(outsider)
    assert client.get(reverse("accounts:access", args=[account.pk])).status_code == 404
    response = client.post(reverse("accounts:grant_revoke", args=[account.pk, grant.pk]))
    assert response.status_code == 404
    response = client.post(
        reverse("accounts:grant_change", args=[account.pk, grant.pk]), {"role": "admin"}
    )
    assert response.status_code == 404
    assert Grant.objects.get(pk=grant.pk).role == "operator"
    assert not AuditEntry.objects.exists()


def test_a_grant_of_another_account_cannot_be_revoked_through_yours(client, owner, account):
    other_grant = GrantFactory()
    client.force_login(owner)
    url = reverse("accounts:grant_revoke", args=[account.pk, other_grant.pk])
    assert client.post(url).status_code == 404
    assert Grant.objects.filter(pk=other_grant.pk).exists()


def test_granting_an_unknown_user_or_the_owner_says_why(client, owner, account):
    client.force_login(owner)
    url = reverse("accounts:access", args=[account.pk])
    assert "No one signs in here" in client.post(url, {"username": "ghost", "role": "viewer"}).text
    assert (
        "has every right already" in client.post(url, {"username": "owner", "role": "viewer"}).text
    )


def test_a_grant_form_back_with_an_error_keeps_the_role_chosen(client, owner, account):
    """Else the next submit, with the username put right, silently grants the first role."""
    client.force_login(owner)
    url = reverse("accounts:access", args=[account.pk])
    page = client.post(url, {"username": "ghost", "role": "operator"}).text
    assert re.search(r'<option value="operator" selected>', page)
    assert not re.search(r'<option value="viewer" selected>', page)
    assert 'value="ghost"' in page


def test_each_grants_role_select_shows_its_role(client, owner, account):
    grant = GrantFactory(account=account, role=Grant.Role.OPERATOR)
    client.force_login(owner)
    page = client.get(reverse("accounts:access", args=[account.pk])).text
    form = page[page.index(f'id="grant-{grant.pk}"') :]
    assert re.search(r'<option value="operator" selected>', form)


def test_a_role_change_the_form_cannot_read_changes_nothing_and_says_why(
    client, owner, account, staff
):
    grant = Grant.objects.get(user=staff)
    client.force_login(owner)
    url = reverse("accounts:grant_change", args=[account.pk, grant.pk])
    response = client.post(url, {"role": "superuser"}, follow=True)
    assert "Choose viewer, operator or admin." in response.text
    assert Grant.objects.get(pk=grant.pk).role == "operator"
    assert not AuditEntry.objects.exists()


def test_changes_of_access_read_plainly_in_the_audit_log_and_its_filter(
    client, owner, account, staff
):
    grant = Grant.objects.get(user=staff)
    client.force_login(owner)
    client.post(reverse("accounts:grant_revoke", args=[account.pk, grant.pk]))
    page = client.get(reverse("bookings:audit"), {"action": "revoke"}).text
    assert re.search(r"<strong>owner</strong> Revoke access", page)
    assert "access of staff" in page
    assert '<option value="revoke" selected>Revoke access</option>' in page
    export = client.get(reverse("bookings:audit_export"), {"account": account.pk})
    rows = b"".join(export.streaming_content).decode().splitlines()
    assert ",owner,ScarlettLocal,revoke,access of staff,was=operator," in rows[1]
