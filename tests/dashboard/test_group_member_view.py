"""A group manager adds a member's account, read through the manager's connection."""

import re

import pytest
from django.urls import reverse

from bookings.models import Booking
from bookings.sync import sync_account
from dashboard.models import Account, AuditEntry
from tests.conftest import connect


@pytest.fixture
def desk(sandbox, sandbox_users, owner) -> Account:
    return connect(sandbox, user=owner, sandbox_user=sandbox_users["VelvetRoomsDesk"])


def add(client, desk, user: dict):
    return client.post(
        reverse("accounts:member_add", args=[desk.pk]),
        {"user_id": user["UserID"], "nickname": user["Nickname"]},
    )


def test_a_manager_adds_a_member_whose_made_bookings_come_through_the_group_twins(
    client, owner, desk, sandbox, sandbox_users, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = add(client, desk, sandbox_users["JadeMoon"])
    assert response.status_code == 302
    member = Account.objects.get(nickname="JadeMoon")
    assert member.managed_through == desk
    entry = AuditEntry.objects.get(action="member_add")
    assert (entry.user, entry.account, entry.outcome) == (owner, member, "done")
    assert not member.has_own_connection
    directions = set(Booking.objects.filter(account=member).values_list("direction", flat=True))
    assert directions == {"made"}
    paths = {r["path"] for r in sandbox.requests() if r["path"].startswith("/v1/Groups/")}
    assert paths == {"/v1/Groups/Webcam/MadeBookings", "/v1/Groups/PhoneChat/MadeBookings"}


def test_the_dashboard_says_plainly_what_needs_the_members_own_connection(
    client, owner, desk, sandbox_users
):
    client.force_login(owner)
    add(client, desk, sandbox_users["JadeMoon"])
    member = Account.objects.get(nickname="JadeMoon")
    sync_account(account=member)
    page = client.get(reverse("accounts:list")).text
    assert "need JadeMoon to connect the account themselves" in page
    made = client.get(reverse("bookings:list", args=["webcam", "made"])).text
    assert "data-booking-row" in made
    booking = Booking.objects.filter(account=member).first()
    response = client.post(
        reverse("bookings:action", args=[booking.pk, "cancel"]),
        {"reason": "x"},
        headers={"HX-Request": "true"},
    )
    assert "must connect the account to act" in response.headers["HX-Trigger"]


def test_someone_outside_the_group_is_refused_at_the_form_with_what_was_typed(
    client, owner, desk, sandbox_users
):
    client.force_login(owner)
    ivy = sandbox_users["IvyBlaze"]
    page = add(client, desk, ivy).text
    assert not Account.objects.filter(nickname="IvyBlaze").exists()
    form = page[page.index('class="member-add" open') :]
    assert "is not in your group" in form
    assert f'value="{ivy["UserID"]}"' in form
    assert 'value="IvyBlaze"' in form
    entry = AuditEntry.objects.get(action="member_add")
    assert (entry.user, entry.account, entry.outcome) == (owner, desk, "refused")


def test_a_member_form_with_a_bad_user_id_comes_back_with_its_error_not_a_500(client, owner, desk):
    client.force_login(owner)
    response = client.post(
        reverse("accounts:member_add", args=[desk.pk]),
        {"user_id": "12abc", "nickname": "Someone"},
    )
    assert response.status_code == 200
    page = response.text
    assert re.search(rf'id="member-{desk.pk}-user_id_error"[^>]*>Enter a whole number', page)
    assert f'aria-describedby="member-{desk.pk}-user_id_error"' in page
    assert 'value="12abc"' in page
    assert 'value="Someone"' in page
    assert not AuditEntry.objects.exists()


def test_only_the_managers_owner_may_add_members(client, outsider, desk, sandbox_users):
    client.force_login(outsider)
    assert add(client, desk, sandbox_users["JadeMoon"]).status_code == 404


def test_the_membership_check_refreshes_a_token_adultwork_refused_and_goes_on(
    client, owner, desk, sandbox, sandbox_users
):
    from tests.dashboard.test_token_caller import revoke_access_token

    revoke_access_token(desk)
    sandbox.clear_requests()
    client.force_login(owner)
    assert add(client, desk, sandbox_users["JadeMoon"]).status_code == 302
    assert Account.objects.get(nickname="JadeMoon").managed_through == desk
    assert [r["path"] for r in sandbox.requests()].count("/OAuth/token") == 1
