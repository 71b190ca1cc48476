"""The owner of an account that a group manager added connects it themselves, through Unified
Login against the sandbox: the account moves to its own connection."""

import pytest
from django.urls import reverse

from bookings.models import Booking
from dashboard.models import Account, Connection, Grant
from tests.conftest import connect

# `registered` is autouse: it registers the dashboard's client with the sandbox here too.
from tests.dashboard.test_connect_view import connect_as, registered  # noqa: F401
from tests.factories import UserFactory


@pytest.fixture
def desk(sandbox, sandbox_users, owner) -> Account:
    """VelvetRoomsDesk, the group manager of Velvet Rooms, connected by `owner`."""
    return connect(sandbox, user=owner, sandbox_user=sandbox_users["VelvetRoomsDesk"])


@pytest.fixture
def jade(client, owner, desk, sandbox_users) -> Account:
    """JadeMoon, a member of Velvet Rooms, added by its group manager."""
    client.force_login(owner)
    member = sandbox_users["JadeMoon"]
    response = client.post(
        reverse("accounts:member_add", args=[desk.pk]),
        {"user_id": member["UserID"], "nickname": member["Nickname"]},
    )
    assert response.status_code == 302
    return Account.objects.get(remote_user_id=member["UserID"], managed_through=desk)


@pytest.fixture
def member(db):
    """The performer behind JadeMoon, with a dashboard user of her own."""
    return UserFactory(username="jade")


def group_reads(sandbox) -> list[str]:
    return [r["path"] for r in sandbox.requests() if r["path"].startswith("/v1/Groups/")]


def test_the_member_connecting_an_account_their_group_manager_added_takes_it_over(
    client, owner, member, jade, sandbox, sandbox_users, django_capture_on_commit_callbacks
):
    client.force_login(member)
    sandbox.clear_requests()
    with django_capture_on_commit_callbacks(execute=True):
        response = connect_as(client, sandbox_users["JadeMoon"])
    assert response.status_code == 302
    assert (
        "JadeMoon now uses its own connection; owner keeps read-only access through the group"
        in client.get(response.url).text
    )
    jade.refresh_from_db()
    assert jade.managed_through is None
    assert jade.owner == member
    assert not jade.reconnect_needed
    assert Connection.objects.get(account=jade).access_token
    assert jade in Account.objects.actionable_by(member)
    # The first sync reads with JadeMoon's own token now, received lists included.
    assert group_reads(sandbox) == []
    grant = Grant.objects.get(account=jade, user=owner)
    assert (grant.role, grant.granted_by) == (Grant.Role.VIEWER, None)
    assert not Grant.objects.filter(account=jade, user=member).exists()


def test_the_group_manager_still_sees_a_member_who_took_their_account_over_but_cannot_act(
    client, owner, member, jade, desk, sandbox_users, django_capture_on_commit_callbacks
):
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        connect_as(client, sandbox_users["JadeMoon"])
    client.force_login(owner)
    page = client.get(reverse("accounts:list")).text
    assert "JadeMoon" in page
    assert "Connected by jade; you are its <strong>viewer</strong>" in page
    assert jade not in Account.objects.actionable_by(owner)
    assert desk in Account.objects.actionable_by(owner)
    made = client.get(reverse("bookings:list", args=["webcam", "made"])).text
    assert "data-booking-row" in made
    booking = Booking.objects.filter(account=jade, direction="made").first()
    response = client.post(
        reverse("bookings:action", args=[booking.pk, "cancel"]),
        {"reason": "x"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 404


def test_the_member_sees_the_account_as_theirs_once_they_have_taken_it_over(
    client, member, jade, sandbox_users
):
    client.force_login(member)
    connect_as(client, sandbox_users["JadeMoon"])
    page = client.get(reverse("accounts:list")).text
    assert "Connected by you on" in page
    assert "Read through the group manager&#x27;s connection" not in page
    assert "Read through the group manager's connection" not in page


def test_the_group_manager_connecting_a_member_they_added_moves_it_to_its_own_connection(
    client, owner, jade, sandbox, sandbox_users, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    sandbox.clear_requests()
    with django_capture_on_commit_callbacks(execute=True):
        response = connect_as(client, sandbox_users["JadeMoon"])
    assert response.status_code == 302
    message = client.get(response.url).text
    assert "JadeMoon now uses its own connection" in message
    assert "keeps read-only access" not in message
    jade.refresh_from_db()
    assert jade.managed_through is None
    assert jade.has_own_connection
    assert jade.owner == owner
    assert Connection.objects.get(account=jade).access_token
    assert jade in Account.objects.actionable_by(owner)
    assert not Grant.objects.filter(account=jade).exists()
    assert group_reads(sandbox) == []


def test_once_the_member_has_taken_it_over_the_group_managers_user_cannot_connect_it(
    client, owner, member, jade, sandbox_users
):
    client.force_login(member)
    connect_as(client, sandbox_users["JadeMoon"])
    client.force_login(owner)
    response = connect_as(client, sandbox_users["JadeMoon"])
    assert (response.status_code, response.url) == (302, reverse("accounts:list"))
    assert "already connected by another user" in client.get(response.url).text
    jade.refresh_from_db()
    assert (jade.owner, jade.managed_through) == (member, None)
