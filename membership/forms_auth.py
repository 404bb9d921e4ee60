"""Sign-in and password forms with the GOV.UK Design System's wording."""

from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.utils import timezone

from partnership.forms import BaseForm
from partnership.throttle import PASSWORD_CHECK_BY_ACCOUNT, blocked, hit


def check_current_password(user, password: str) -> None:
    """Ask a signed-in person for their password again, before something that changes how
    they sign in. Wrong tries are limited per account (5 in 15 minutes), so a session left
    open cannot be used to guess it; right ones are not counted."""
    retry_at = blocked(PASSWORD_CHECK_BY_ACCOUNT, str(user.pk))
    if retry_at is not None:
        raise forms.ValidationError(
            "You have entered a wrong password too many times. Try again at "
            f"{timezone.localtime(retry_at):%H:%M}.",
            code="throttled",
        )
    if not user.check_password(password):
        hit(PASSWORD_CHECK_BY_ACCOUNT, str(user.pk))  # only wrong ones count
        raise forms.ValidationError(
            "Your current password is not right. Enter it again.", code="password_incorrect"
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

    _request = None

    def save(self, *args, request=None, **kwargs):
        self._request = request  # whose address asked, for the limits in get_users
        return super().save(*args, request=request, **kwargs)

    def get_users(self, email):
        # Also people added by a co-ordinator who have never set a password: this is how
        # they choose their first one.
        from membership.models import User
        from partnership.throttle import RESET_BY_EMAIL, RESET_BY_EMAIL_ANYWHERE, address_key, hit

        email_key = email.strip().lower()
        here = address_key(self._request) if self._request is not None else "unknown"
        if hit(RESET_BY_EMAIL, f"{email_key}|{here}") or hit(RESET_BY_EMAIL_ANYWHERE, email_key):
            # Asked too often for this address: quietly not sent, so the page (the same
            # whatever happens) tells nobody whether the account exists.
            return User.objects.none()
        return User.objects.filter(email__iexact=email, is_active=True)


class GovukSetPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "New password"
        self.fields["new_password2"].label = "Confirm new password"

    def save(self, commit=True):
        from membership.services.two_factor import throttle_lift

        user = super().save(commit=commit)
        throttle_lift(user=user)  # a new password: whoever knew the old one is out
        return user


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

    def clean_old_password(self):
        check_current_password(self.user, self.cleaned_data["old_password"])
        return self.cleaned_data["old_password"]


def _current_password() -> forms.CharField:
    return forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )


class CurrentPasswordForm(BaseForm):
    """The password again, before something that changes how the person signs in."""

    password = _current_password()

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_password(self):
        check_current_password(self.person, self.cleaned_data["password"])
        return self.cleaned_data["password"]


class TotpCodeForm(BaseForm):
    """The six-digit code from an authenticator app, and whether to remember this browser."""

    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6 numbers your app shows for this site now.",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={"required": "Enter the code from your authenticator app"},
    )
    remember = forms.BooleanField(label="Remember this device", required=False)

    def __init__(self, *args, remember_days: int = 0, ask_password_of=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = ask_password_of
        if ask_password_of is not None:
            # Changing how one signs in asks for the password again (ASVS 5.0, 7.5.1).
            self.fields = {"password": _current_password(), **self.fields}
        if remember_days > 0:
            self.fields["remember"].help_text = (
                f"You will not be asked for a code on this device for {remember_days} days. "
                "Do not tick this on a shared or public computer."
            )
        else:
            del self.fields["remember"]

    def clean_password(self):
        check_current_password(self.person, self.cleaned_data["password"])
        return self.cleaned_data["password"]

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError("The code must be 6 numbers, like 123456")
        return code


class RecoveryCodeForm(BaseForm):
    code = forms.CharField(
        label="Recovery code",
        help_text="One of the codes you were given when you set up your authenticator app. "
        "Dashes and spaces do not matter.",
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": "Enter one of your recovery codes"},
    )
