from decimal import Decimal
from typing import cast

from django import forms

from bookings.models import Status, credits_text
from bookings.rules import Action
from bookings.selectors import DEFAULT_SORT, SORTS
from dashboard.models import AuditEntry

SORT_LABELS = {
    "-session": "Session date, latest first",
    "session": "Session date, soonest first",
    "accept_by": "Accept by, soonest first",
    "-accept_by": "Accept by, latest first",
    "credits": "Credits, fewest first",
    "-credits": "Credits, most first",
    "party": "Member, A to Z",
    "-party": "Member, Z to A",
}


class FilterForm(forms.Form):
    """The filters in a query string. Anything it cannot read falls back to the default with
    a message, so a hand-edited or stale link never breaks the page."""

    account = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)

    # Each filter's value when it is missing or unreadable, and how the message names it.
    defaults: dict[str, object] = {"account": None}
    fallback_words: dict[str, str] = {"account": "all accounts"}

    def __init__(self, data, *, accounts, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(data, **kwargs)
        # self.fields holds each declared field by name, typed as any Field.
        cast(forms.TypedChoiceField, self.fields["account"]).choices = [("", "All accounts")] + [
            (account.pk, account.nickname) for account in accounts
        ]

    def cleaned_or_default(self) -> tuple[dict, list[str]]:
        """The filters to apply, and a sentence for each that had to be dropped."""
        self.is_valid()
        problems = [
            f"“{self.data.get(name)}” is not a valid {name}; showing {self.fallback_words[name]}."
            for name in self.errors
        ]
        return {
            name: self.cleaned_data.get(name) or default for name, default in self.defaults.items()
        }, problems


class ListFilterForm(FilterForm):
    """The lists and the inbox: status, account and order."""

    status = forms.ChoiceField(choices=[("", "Any status"), *Status.choices], required=False)
    sort = forms.ChoiceField(
        label="Sort by", choices=[(key, SORT_LABELS[key]) for key in SORTS], required=False
    )

    defaults = {"status": None, "account": None, "sort": DEFAULT_SORT}
    fallback_words = {
        "status": "every status",
        "account": "all accounts",
        "sort": "the default order",
    }


class InboxFilterForm(ListFilterForm):
    """The inbox: as the lists, but its own order (soonest deadline first) unless one is
    chosen."""

    sort = forms.ChoiceField(
        label="Sort by",
        choices=[("", "Soonest deadline first"), *((key, SORT_LABELS[key]) for key in SORTS)],
        required=False,
    )

    defaults = {"status": None, "account": None, "sort": None}


class AuditFilterForm(FilterForm):
    """The audit log: account, action and outcome."""

    action = forms.ChoiceField(
        choices=[
            ("", "Any action"),
            *((a.value, a.label) for a in Action),
            *AuditEntry.AccessAction.choices,
        ],
        required=False,
    )
    outcome = forms.ChoiceField(
        choices=[("", "Any outcome"), *AuditEntry.Outcome.choices], required=False
    )

    defaults = {"account": None, "action": None, "outcome": None}
    fallback_words = {
        "account": "all accounts",
        "action": "every action",
        "outcome": "every outcome",
    }


MAX_PAGE = 10_000  # beyond any real list; keeps a silly ?page= from an absurd OFFSET


class PageForm(forms.Form):
    page = forms.IntegerField(min_value=1, required=False)


def page_number(query) -> int:
    """The page a query string asks for: page=-1, page=abc and the like mean the first."""
    form = PageForm(query)
    number = (form.is_valid() and form.cleaned_data["page"]) or 1
    return min(number, MAX_PAGE)


MAX_ID = 2**63 - 1  # every id fits a signed 64-bit column; beyond it SQLite raises


class IdField(forms.IntegerField):
    """A row's id as our own pages write it: ASCII digits only. int() alone also reads "٣"
    (as 3) and " 3", and a number beyond the column makes SQLite raise instead of find nothing."""

    default_error_messages = {"invalid": "Not an id."}

    def __init__(self, **kwargs) -> None:
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)

    def to_python(self, value) -> int | None:
        if value not in self.empty_values and not (
            isinstance(value, str) and value.isascii() and value.isdigit()
        ):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class IdListField(forms.Field):
    """Several ids under one name (ticked boxes, hidden inputs), each read as IdField does."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        if not value:
            return []
        one = IdField()
        return [one.clean(item) for item in value]


class BookingsChosenForm(forms.Form):
    """The bookings ticked for a bulk delete."""

    booking = IdListField()


class AccountsChosenForm(forms.Form):
    """The accounts of a "Sync now"."""

    account = IdListField()


class AuditExportForm(forms.Form):
    """Whose audit log to export: one account, or a whole agency."""

    account = IdField(required=False)
    agency = IdField(required=False)


MAX_REASON = 500
MAX_CREDITS = Decimal("100000")


class AcceptForm(forms.Form):
    credits = forms.DecimalField(
        label="Credits you want",
        # Text, not a number input: a number input hides what was typed when it cannot read
        # it, and the message must name it.
        widget=forms.TextInput(
            attrs={
                "inputmode": "decimal",
                "autocomplete": "off",
                "aria-describedby": "sheet-credits-hint",
            }
        ),
        min_value=Decimal("0"),
        max_value=MAX_CREDITS,
        max_digits=10,
        decimal_places=4,
        error_messages={
            "invalid": "Enter the credits as a number, such as 10 or 8.5.",
            "max_decimal_places": "Credits have at most 4 decimal places.",
            "min_value": "Credits cannot be negative.",
            "max_value": "That is more credits than any booking is worth; check the amount.",
            "required": "Enter the credits you want for this booking.",
        },
    )


class ReasonForm(forms.Form):
    """Reject and cancel: AdultWork requires a reason."""

    reason = forms.CharField(
        label="Reason",
        max_length=MAX_REASON,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_REASON}),
        error_messages={
            "required": "Give a reason: AdultWork shows it to the other party.",
            "max_length": "Keep the reason to 500 characters or fewer.",
        },
    )
    template_reason = forms.CharField(required=False, max_length=MAX_REASON)
    save_template = forms.BooleanField(
        required=False,
        label="Save this reason for next time",
        template_name="partials/checkbox_field.html",
    )

    def __init__(self, data=None, *args, **kwargs) -> None:
        # A saved reason tapped in one go arrives as template_reason; it stands for the text.
        if data is not None and data.get("template_reason"):
            data = data.copy()
            data["reason"] = data["template_reason"]
        super().__init__(data, *args, **kwargs)


class OptionalReasonForm(ReasonForm):
    """Re-invite: AdultWork uses its own default reason when none is given."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = False
        self.fields["reason"].label = "Reason (optional)"


class NoInputForm(forms.Form):
    pass


ACTION_FORMS: dict[str, type[forms.Form]] = {
    "accept": AcceptForm,
    "reject": ReasonForm,
    "cancel": ReasonForm,
    "reinvite": OptionalReasonForm,
    "confirm": NoInputForm,
    "reschedule": NoInputForm,
    "delete": NoInputForm,
}


def action_form(action: str, booking, data=None) -> forms.Form:
    """The form of an action on a booking, empty (the offer's credits filled in) or bound."""
    initial = {"credits": credits_text(booking.credits)} if action == "accept" else {}
    form = ACTION_FORMS[action](data, initial=initial, auto_id="sheet-%s", label_suffix="")
    if action == "accept":
        # What static/js/app.js compares the typed amount with, to warn of a counter-offer.
        form.fields["credits"].widget.attrs["data-offer"] = credits_text(booking.credits)
    return form
