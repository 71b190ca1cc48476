"""The dashboard's writes: each change of access is made and leaves its audit entry, saying who
did it and for which account."""

from unittest import mock

import pytest

from bookings.management.commands.seed_demo import identity_of, sandbox_tokens
from dashboard import services
from dashboard.models import Account, Agency, AuditEntry, Connection, Grant, StaffMember
from tests.conftest import connect
from tests.factories import AccountFactory, GrantFactory, UserFactory

Action = AuditEntry.AccessAction


def only_entry(**filters) -> AuditEntry:
    entries = list(AuditEntry.objects.filter(**filters))
    assert len(entries) == 1, entries
    return entries[0]


@pytest.fixture
def co_admin(db, account):
    """Staff granted the admin role on `account`: they may manage its grants too."""
    user = UserFactory(username="co-admin")
    GrantFactory(user=user, account=account, role=Grant.Role.ADMIN)
    return user


@pytest.fixture
def agency(db):
    return Agency.objects.create(name="Velvet Rooms", owner=UserFactory(username="boss"))


# --- grant_role ---------------------------------------------------------------------------


def test_granting_a_role_writes_the_grant_and_an_audit_entry(owner, outsider, account):
    grant = services.grant_role(account=account, user=outsider, role="viewer", by=owner)
    assert Grant.objects.get(user=outsider, account=account) == grant
    assert grant.role == "viewer"
    assert grant.granted_by == owner
    entry = only_entry(action=Action.GRANT)
    assert (entry.user, entry.username) == (owner, "owner")
    assert (entry.account, entry.account_nickname) == (account, "ScarlettLocal")
    assert entry.target == "access of outsider"
    assert entry.inputs == {"role": "viewer"}
    assert entry.outcome == AuditEntry.Outcome.DONE
    assert entry.message == "outsider may now see ScarlettLocal."


def test_granting_a_role_to_someone_granted_already_is_audited_as_a_change(
    account, staff, co_admin
):
    services.grant_role(account=account, user=staff, role="admin", by=co_admin)
    assert Grant.objects.get(user=staff, account=account).role == "admin"
    entry = only_entry(action=Action.REGRANT)
    assert entry.user == co_admin
    assert entry.account == account
    assert entry.inputs == {"role": "admin", "was": "operator"}
    assert not AuditEntry.objects.filter(action=Action.GRANT).exists()


def test_granting_a_role_to_the_accounts_owner_is_refused_and_writes_nothing(
    owner, account, co_admin
):
    with pytest.raises(services.Refused, match="has every right already"):
        services.grant_role(account=account, user=owner, role="viewer", by=co_admin)
    assert not Grant.objects.filter(user=owner).exists()
    assert not AuditEntry.objects.exists()


def test_a_grant_whose_audit_entry_cannot_be_written_is_not_made(owner, outsider, account):
    with (
        mock.patch.object(AuditEntry.objects, "create", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        services.grant_role(account=account, user=outsider, role="viewer", by=owner)
    assert not Grant.objects.filter(user=outsider).exists()


# --- grant_change and grant_revoke ---------------------------------------------------------


def test_changing_a_role_writes_it_and_audits_the_old_and_new_roles(owner, account, staff):
    grant = Grant.objects.get(user=staff)
    services.grant_change(grant=grant, role="viewer", by=owner)
    grant.refresh_from_db()
    assert (grant.role, grant.granted_by) == ("viewer", owner)
    entry = only_entry(action=Action.REGRANT)
    assert (entry.user, entry.account) == (owner, account)
    assert entry.inputs == {"role": "viewer", "was": "operator"}
    assert entry.message == "staff may now see ScarlettLocal."


def test_revoking_a_grant_deletes_it_and_writes_an_audit_entry(account, staff, co_admin):
    grant = Grant.objects.get(user=staff)
    services.grant_revoke(grant=grant, by=co_admin)
    assert not Grant.objects.filter(user=staff).exists()
    entry = only_entry(action=Action.REVOKE)
    assert (entry.user, entry.username) == (co_admin, "co-admin")
    assert (entry.account, entry.account_nickname) == (account, "ScarlettLocal")
    assert entry.inputs == {"was": "operator"}
    assert entry.message == "staff no longer has access to ScarlettLocal."


# --- staff_add and staff_remove ------------------------------------------------------------


def test_adding_staff_writes_the_membership_and_an_agency_entry_once(agency, outsider):
    services.staff_add(agency=agency, user=outsider, by=agency.owner)
    services.staff_add(agency=agency, user=outsider, by=agency.owner)
    assert StaffMember.objects.filter(agency=agency, user=outsider).count() == 1
    entry = only_entry(action=Action.STAFF_ADD)
    assert (entry.user, entry.agency, entry.account) == (agency.owner, agency, None)
    assert entry.inputs == {"user": "outsider"}


def test_removing_staff_ends_their_grants_there_and_audits_each_account(agency, outsider):
    member = StaffMember.objects.create(agency=agency, user=outsider)
    run = AccountFactory(agency=agency, nickname="RunHere")
    elsewhere = AccountFactory(nickname="Elsewhere")
    GrantFactory(user=outsider, account=run, role=Grant.Role.VIEWER)
    kept = GrantFactory(user=outsider, account=elsewhere)
    ended = services.staff_remove(member=member, by=agency.owner)
    assert [grant.account for grant in ended] == [run]
    assert not StaffMember.objects.filter(agency=agency).exists()
    assert list(Grant.objects.filter(user=outsider)) == [kept]
    entries = AuditEntry.objects.filter(action=Action.STAFF_REMOVE, user=agency.owner)
    by_account = {entry.account: entry for entry in entries}
    assert set(by_account) == {None, run}
    assert by_account[None].agency == agency
    assert by_account[None].inputs == {"user": "outsider", "grants ended": 1}
    assert by_account[run].agency == agency
    assert by_account[run].inputs == {"was": "viewer"}
    assert by_account[run].message == "outsider left Velvet Rooms: their access to RunHere ended."


# --- group_member_add ----------------------------------------------------------------------


@pytest.fixture
def desk(sandbox, sandbox_users, owner) -> Account:
    """VelvetRoomsDesk, the group manager of Velvet Rooms, connected by `owner`."""
    return connect(sandbox, user=owner, sandbox_user=sandbox_users["VelvetRoomsDesk"])


def test_adding_a_group_member_creates_their_account_and_audits_it(
    owner, desk, sandbox_users, django_capture_on_commit_callbacks
):
    jade = sandbox_users["JadeMoon"]
    with django_capture_on_commit_callbacks() as callbacks:
        member = services.group_member_add(
            manager=desk, user_id=jade["UserID"], nickname="JadeMoon", by=owner
        )
    assert len(callbacks) == 1  # the first sync, once the account is committed
    assert (member.owner, member.managed_through, member.nickname) == (owner, desk, "JadeMoon")
    assert member.remote_user_id == jade["UserID"]
    entry = only_entry(action=Action.MEMBER_ADD)
    assert (entry.user, entry.account, entry.outcome) == (owner, member, "done")
    assert entry.inputs["through"] == "VelvetRoomsDesk"


def test_a_group_member_adultwork_refuses_is_not_added_and_the_refusal_is_audited(
    owner, desk, sandbox_users
):
    ivy = sandbox_users["IvyBlaze"]
    with pytest.raises(services.Refused, match="is not in your group"):
        services.group_member_add(manager=desk, user_id=ivy["UserID"], nickname="Ivy", by=owner)
    assert not Account.objects.filter(remote_user_id=ivy["UserID"]).exists()
    entry = only_entry(action=Action.MEMBER_ADD)
    assert (entry.user, entry.account, entry.outcome) == (owner, desk, "refused")


def test_a_group_member_connected_by_someone_else_is_refused_without_asking_adultwork(
    owner, desk, sandbox, outsider
):
    taken = AccountFactory(owner=outsider, nickname="Taken")
    sandbox.clear_requests()
    with pytest.raises(services.Refused, match="Taken is connected already"):
        services.group_member_add(
            manager=desk, user_id=taken.remote_user_id, nickname="Taken", by=owner
        )
    assert sandbox.requests() == []
    assert Account.objects.get(pk=taken.pk).owner == outsider


# --- account_connect and account_disconnect -----------------------------------------------


def test_connecting_an_account_stores_it_with_its_tokens_and_audits_it(
    owner, sandbox, sandbox_users
):
    ivy = sandbox_users["IvyBlaze"]
    connected = services.account_connect(
        identity=identity_of(ivy), tokens=sandbox_tokens(sandbox, ivy), by=owner
    )
    account = connected.account
    assert (account.owner, account.nickname, connected.again) == (owner, "IvyBlaze", False)
    assert Connection.objects.filter(account=account).exists()
    entry = only_entry(action=Action.CONNECT)
    assert (entry.user, entry.account, entry.account_nickname) == (owner, account, "IvyBlaze")
    assert entry.message == "IvyBlaze is connected by owner."


def test_an_account_another_user_connected_is_refused_and_keeps_its_owner(
    owner, outsider, sandbox, sandbox_users
):
    ivy = sandbox_users["IvyBlaze"]
    account = connect(sandbox, user=owner, sandbox_user=ivy)
    with pytest.raises(services.Refused, match="already connected by another user"):
        services.account_connect(
            identity=identity_of(ivy), tokens=sandbox_tokens(sandbox, ivy), by=outsider
        )
    assert Account.objects.get(pk=account.pk).owner == owner
    assert not AuditEntry.objects.exists()


def test_disconnecting_deletes_the_account_and_keeps_its_entry_under_its_agency(agency, owner):
    account = AccountFactory(owner=owner, agency=agency, nickname="Leaving")
    GrantFactory(account=account)
    services.account_disconnect(account=account, by=owner)
    assert not Account.objects.filter(pk=account.pk).exists()
    assert not Grant.objects.exists()
    entry = only_entry(action=Action.DISCONNECT)
    assert (entry.user, entry.account, entry.account_nickname) == (owner, None, "Leaving")
    assert entry.agency == agency
