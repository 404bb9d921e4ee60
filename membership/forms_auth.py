"""Sign-in and password forms with the GOV.UK Design System's wording."""

from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="E-mail address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
        error_messages={"required": "Enter your e-mail address"},
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )

    def clean_username(self):
        # Addresses are stored in lower case; people type them as they like.
        return self.cleaned_data["username"].strip().lower()

    error_messages = {
        "invalid_login": "Enter a correct e-mail address and password. Both are case-sensitive.",
        "inactive": "This account has been closed. Contact your partnership co-ordinator.",
    }


class GovukPasswordResetForm(PasswordResetForm):
    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": "Enter your e-mail address"},
    )

    def get_users(self, email):
        # Also people added by a co-ordinator who have never set a password: this is how
        # they choose their first one.
        from membership.models import User
        from partnership.throttle import RESET_BY_EMAIL, hit

        if hit(RESET_BY_EMAIL, email.strip().lower()):
            # Asked too often for this address: quietly not sent, so the page (the same
            # whatever happens) tells nobody whether the account exists.
            return User.objects.none()
        return User.objects.filter(email__iexact=email, is_active=True)


class GovukSetPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "New password"
        self.fields["new_password2"].label = "Confirm new password"


class GovukPasswordChangeForm(PasswordChangeForm):
    """The current password, then the new one twice, in GOV.UK words."""

    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": "Your current password is not right. Enter it again.",
        "password_mismatch": "The two new passwords do not match. Enter the same one twice.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Current password"
        self.fields["old_password"].error_messages["required"] = "Enter your current password"
        self.fields["old_password"].widget.attrs.pop("autofocus", None)
        self.fields["new_password1"].label = "New password"
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].label = "Confirm new password"
        self.fields["new_password2"].error_messages["required"] = "Enter the new password again"
