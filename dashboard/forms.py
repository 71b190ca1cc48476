from django import forms
from django.contrib.auth import get_user_model
from django.forms.renderers import TemplatesSetting

from dashboard.models import Grant, Preferences


class FieldRenderer(TemplatesSetting):
    """Django's renderer, through settings.TEMPLATES, with the project's field template."""

    field_template_name = "partials/field.html"


class GrantForm(forms.Form):
    username = forms.CharField(
        label="Username of the staff member",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    role = forms.ChoiceField(choices=Grant.Role.choices, initial=Grant.Role.VIEWER)

    def clean_username(self) -> object:
        return _user_named(self.cleaned_data["username"])


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Grant.Role.choices)


class StaffForm(forms.Form):
    username = forms.CharField(label="Username", max_length=150)

    def clean_username(self) -> object:
        return _user_named(self.cleaned_data["username"])


def _user_named(username: str) -> object:
    """The user who signs in as `username`, for a form's clean_username."""
    username = username.strip()
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise forms.ValidationError(f"No one signs in here as “{username}”.")
    return user


# A user id has at most 18 digits (as the sandbox reads AdultWork's ids): a longer one is refused
# here rather than sent to AdultWork, or overflowing the column that would store it.
MAX_USER_ID = 10**18 - 1


class GroupMemberForm(forms.Form):
    user_id = forms.IntegerField(
        label="The member's AdultWork user ID", min_value=1, max_value=MAX_USER_ID
    )
    nickname = forms.CharField(label="Their nickname", max_length=100)


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = Preferences
        fields = ["alert_in_page", "alert_browser", "alert_push", "alert_email", "discreet"]

    def __init__(self, *args, **kwargs) -> None:
        # The labels sit beside tick boxes, where a trailing colon reads oddly.
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
