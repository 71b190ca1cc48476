import csv
import io

from django.urls import reverse

from dashboard.models import Agency
from tests.factories import AccountFactory, AuditEntryFactory, UserFactory


def read(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_an_account_log_exports_with_who_and_for_whom(client, owner, staff, outsider, account):
    AuditEntryFactory(account=account)
    url = reverse("bookings:audit_export")
    for user in (owner, staff):
        client.force_login(user)
        response = client.get(url, {"account": account.pk})
        assert response["Content-Type"].startswith("text/csv")
        [row] = read(response)
        assert (row["username"], row["account_nickname"], row["inputs"]) == (
            "staff",
            account.nickname,
            "reason=Busy",
        )
    client.force_login(outsider)
    assert client.get(url, {"account": account.pk}).status_code == 404


def test_an_agency_log_covers_its_accounts_for_its_owner_only(client, staff, db):
    boss = UserFactory(username="boss")
    agency = Agency.objects.create(name="Velvet", owner=boss)
    AuditEntryFactory(account=AccountFactory(agency=agency, nickname="InAgency"))
    AuditEntryFactory(account=AccountFactory(nickname="Elsewhere"))
    url = reverse("bookings:audit_export")
    client.force_login(boss)
    assert [r["account_nickname"] for r in read(client.get(url, {"agency": agency.pk}))] == [
        "InAgency"
    ]
    client.force_login(staff)
    assert client.get(url, {"agency": agency.pk}).status_code == 404


def test_a_cell_a_spreadsheet_would_run_is_written_as_text(client, owner, account):
    AuditEntryFactory(account=account, message='=HYPERLINK("http://x")')
    client.force_login(owner)
    [row] = read(client.get(reverse("bookings:audit_export"), {"account": account.pk}))
    assert row["message"].startswith("'=")


def test_an_export_without_an_account_or_agency_is_not_found(client, owner):
    client.force_login(owner)
    assert client.get(reverse("bookings:audit_export")).status_code == 404


def test_an_export_of_an_id_that_is_not_one_is_not_found(client, owner, account):
    client.force_login(owner)
    url = reverse("bookings:audit_export")
    for bad in (f"{account.pk}x", f" {account.pk}", "9" * 40):
        assert client.get(url, {"account": bad}).status_code == 404
