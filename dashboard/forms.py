from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
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
    username = forms.CharField(
        label="Add a staff member (their username)",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )

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
        label="The member's AdultWork user ID",
        min_value=1,
        max_value=MAX_USER_ID,
        # Text, not a number input: a number input hides what was typed when it cannot read it.
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    nickname = forms.CharField(
        label="Their nickname",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )

    def __init__(self, *args, manager, **kwargs) -> None:
        # Its own ids: each group manager's card on the accounts page has one.
        kwargs.setdefault("auto_id", f"member-{manager.pk}-%s")
        super().__init__(*args, **kwargs)
        self.manager_pk = manager.pk


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = Preferences
        fields = ["alert_in_page", "alert_browser", "alert_push", "alert_email", "discreet"]

    def __init__(self, *args, **kwargs) -> None:
        # The labels sit beside tick boxes, where a trailing colon reads oddly.
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # The constructor's template_name (Django 5.0), which django-stubs knows only there.
            field.template_name = "partials/checkbox_field.html"  # type: ignore[attr-defined]


class SignInForm(AuthenticationForm):
    error_messages = AuthenticationForm.error_messages | {
        "invalid_login": "That username and password do not match. Try again."
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The page opens on a phone, where a focused field pops the keyboard over the form.
        self.fields["username"].widget.attrs.pop("autofocus", None)


class ResetPasswordForm(PasswordResetForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class NewPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The validators' rules as plain text: Django's version is a list, which a hint cannot
        # hold.
        self.fields["new_password1"].help_text = " ".join(
            password_validation.password_validators_help_texts()
        )
        self.fields["new_password2"].label = "The same again"
        self.fields["new_password2"].help_text = ""
