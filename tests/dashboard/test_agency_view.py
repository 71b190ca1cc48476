import re

from django.urls import reverse

from dashboard.models import Agency, AuditEntry, Grant, StaffMember
from tests.factories import AccountFactory, GrantFactory, UserFactory


def make_agency():
    boss = UserFactory(username="boss")
    agency = Agency.objects.create(name="Velvet Rooms", owner=boss)
    return boss, agency


def test_the_agency_owner_adds_staff(client, db):
    boss, agency = make_agency()
    UserFactory(username="newstaff")
    client.force_login(boss)
    client.post(reverse("accounts:agency", args=[agency.pk]), {"username": "newstaff"})
    assert StaffMember.objects.filter(agency=agency, user__username="newstaff").exists()
    entry = AuditEntry.objects.get(action="staff_add")
    assert (entry.user, entry.agency, entry.inputs) == (boss, agency, {"user": "newstaff"})


def test_removing_staff_ends_their_grants_on_the_agencys_accounts(client, db):
    boss, agency = make_agency()
    member = UserFactory(username="leaving")
    StaffMember.objects.create(agency=agency, user=member)
    run = AccountFactory(agency=agency)
    unrelated = AccountFactory()
    GrantFactory(user=member, account=run)
    GrantFactory(user=member, account=unrelated)
    client.force_login(boss)
    client.post(reverse("accounts:staff_remove", args=[agency.pk, member.pk]))
    assert not StaffMember.objects.filter(user=member).exists()
    assert list(Grant.objects.filter(user=member).values_list("account", flat=True)) == [
        unrelated.pk
    ]
    entries = AuditEntry.objects.filter(action="staff_remove", user=boss, agency=agency)
    assert sorted(entries.values_list("account", flat=True), key=str) == [run.pk, None]


def test_the_agencys_export_keeps_its_staff_changes_and_its_disconnected_accounts(client, db):
    boss, agency = make_agency()
    member = UserFactory(username="leaving")
    StaffMember.objects.create(agency=agency, user=member)
    gone = AccountFactory(agency=agency, owner=boss, nickname="GoneNow")
    client.force_login(boss)
    client.post(reverse("accounts:staff_remove", args=[agency.pk, member.pk]))
    client.post(reverse("accounts:disconnect", args=[gone.pk]))
    export = client.get(reverse("bookings:audit_export"), {"agency": agency.pk})
    rows = b"".join(export.streaming_content).decode().splitlines()[1:]
    assert [row.split(",")[1:5] for row in rows] == [
        ["boss", "", "staff_remove", "staff of Velvet Rooms"],
        ["boss", "GoneNow", "disconnect", f"AdultWork user {gone.remote_user_id}"],
    ]


def test_a_staff_form_with_an_unknown_user_keeps_what_was_typed_and_says_why(client, db):
    boss, agency = make_agency()
    client.force_login(boss)
    page = client.post(reverse("accounts:agency", args=[agency.pk]), {"username": "ghost"}).text
    assert re.search(r'id="id_username_error"[^>]*>No one signs in here as “ghost”', page)
    assert 'aria-describedby="id_username_error"' in page
    assert 'value="ghost"' in page
    assert '<label for="id_username">Add a staff member (their username)</label>' in page
    assert not StaffMember.objects.exists()
    assert not AuditEntry.objects.exists()


def test_staff_and_outsiders_cannot_remove_staff(client, db):
    _, agency = make_agency()
    member = UserFactory(username="member")
    StaffMember.objects.create(agency=agency, user=member)
    for user in (member, UserFactory(username="stranger")):
        client.force_login(user)
        url = reverse("accounts:staff_remove", args=[agency.pk, member.pk])
        assert client.post(url).status_code == 404
    assert StaffMember.objects.filter(user=member).exists()
    assert not AuditEntry.objects.exists()


def test_staff_and_outsiders_cannot_open_the_agency(client, db):
    _, agency = make_agency()
    member = UserFactory(username="member")
    StaffMember.objects.create(agency=agency, user=member)
    for user in (member, UserFactory(username="stranger")):
        client.force_login(user)
        assert client.get(reverse("accounts:agency", args=[agency.pk])).status_code == 404
