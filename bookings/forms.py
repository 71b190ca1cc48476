from django import forms

from bookings.models import Status
from bookings.selectors import DEFAULT_SORT, SORTS

SORT_LABELS = {
    "-session": "Session date, latest first",
    "session": "Session date, soonest first",
    "accept_by": "Accept by, soonest first",
    "-accept_by": "Accept by, latest first",
}


class ListFilterForm(forms.Form):
    """The query string of a list. Anything it cannot read falls back to the default with a
    message, so a hand-edited or stale link never breaks the page."""

    status = forms.ChoiceField(choices=[("", "Any status"), *Status.choices], required=False)
    account = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    sort = forms.ChoiceField(choices=[(key, SORT_LABELS[key]) for key in SORTS], required=False)

    def __init__(self, data, *, accounts, **kwargs) -> None:
        super().__init__(data, **kwargs)
        self.fields["account"].choices = [("", "All accounts")] + [
            (account.pk, account.nickname) for account in accounts
        ]

    def cleaned_or_default(self) -> tuple[dict, list[str]]:
        """The filters to apply, and a sentence for each that had to be dropped."""
        self.is_valid()
        problems = [
            f"“{self.data.get(name)}” is not a valid {name}; showing {self._default_label(name)}."
            for name in self.errors
        ]
        return {
            "status": self.cleaned_data.get("status") or None,
            "account": self.cleaned_data.get("account"),
            "sort": self.cleaned_data.get("sort") or DEFAULT_SORT,
        }, problems

    @staticmethod
    def _default_label(name: str) -> str:
        return {"status": "every status", "account": "all accounts", "sort": "the default order"}[
            name
        ]


def page_number(raw: str | None) -> int:
    """page=-1, page=abc and the like mean the first page."""
    try:
        number = int(raw or 1)
    except ValueError:
        return 1
    return number if number >= 1 else 1
