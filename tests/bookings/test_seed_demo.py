import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from bookings.models import Booking
from dashboard.models import Account, Agency, Grant


def test_the_demo_seed_refuses_to_run_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only with DEBUG on"):
        call_command("seed_demo", "--no-sync")
    assert not get_user_model().objects.filter(username="demo").exists()


def test_the_demo_seed_connects_the_demo_and_the_agency_with_sandbox_tokens(db, settings, sandbox):
    settings.DEBUG = True
    call_command("seed_demo")
    demo = get_user_model().objects.get(username="demo")
    assert demo.check_password("demo")
    assert Account.objects.filter(owner=demo).count() == 2
    assert Booking.objects.filter(account__owner=demo).exists()
    agency = Agency.objects.get(owner__username="agency")
    assert agency.accounts.count() == 3
    assert set(agency.staff.values_list("username", flat=True)) == {"staff1", "staff2"}
    roles = set(Grant.objects.values_list("user__username", "account__nickname", "role"))
    assert ("staff1", "ScarlettRose", "operator") in roles
    assert ("staff2", "ScarlettRose", "viewer") in roles
    call_command("seed_demo", "--no-sync")  # a second run changes nothing
    assert Account.objects.count() == 4
