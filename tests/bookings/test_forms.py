"""The forms that read ids and pages from a request (bookings/forms.py)."""

import pytest
from django.http import QueryDict

from bookings.forms import MAX_ID, MAX_PAGE, AccountsChosenForm, AuditExportForm, page_number


def ids(values: list[str]) -> AccountsChosenForm:
    query = QueryDict(mutable=True)
    query.setlist("account", values)
    return AccountsChosenForm(query)


def test_ids_written_in_ascii_digits_are_read():
    form = ids(["12", "7"])
    assert form.is_valid()
    assert form.cleaned_data["account"] == [12, 7]


@pytest.mark.parametrize(
    "value", ["³", "٣", " 3", "+3", "3.0", "0", "-1", str(MAX_ID + 1), "9" * 5000, "a\x00b"]
)
def test_anything_else_is_a_form_error_not_an_id(value):
    form = ids(["12", value])
    assert not form.is_valid()
    assert list(form.errors) == ["account"]


def test_no_id_at_all_is_the_required_error():
    assert ids([]).has_error("account", "required")


def test_the_audit_export_reads_an_account_or_an_agency_and_refuses_a_bad_one():
    form = AuditExportForm({"agency": "4"})
    assert form.is_valid()
    assert form.cleaned_data == {"account": None, "agency": 4}
    assert not AuditExportForm({"account": "4x"}).is_valid()


@pytest.mark.parametrize(
    ("raw", "page"),
    [("3", 3), ("", 1), ("0", 1), ("-1", 1), ("abc", 1), ("9" * 5000, 1), ("99999", MAX_PAGE)],
)
def test_a_page_that_cannot_be_read_is_the_first(raw, page):
    assert page_number(QueryDict(f"page={raw}")) == page
