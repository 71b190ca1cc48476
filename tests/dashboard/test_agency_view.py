from django.urls import reverse

from dashboard.models import Agency, Grant, StaffMember
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


def test_staff_and_outsiders_cannot_open_the_agency(client, db):
    _, agency = make_agency()
    member = UserFactory(username="member")
    StaffMember.objects.create(agency=agency, user=member)
    for user in (member, UserFactory(username="stranger")):
        client.force_login(user)
        assert client.get(reverse("accounts:agency", args=[agency.pk])).status_code == 404
