"""The form of a person's choices of how they hear about each kind of message."""

from __future__ import annotations

from django import forms

from partnership.forms import BaseForm
from partnership.models import Delivery
from partnership.notifications import OPTIONAL

HOURS = [(hour, f"{hour:02d}:00") for hour in range(24)]


class NotificationPreferencesForm(BaseForm):
    """One set of radios per optional kind of message, then the digest's hour."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for category in OPTIONAL:
            label = category.label.lower()
            offered = [
                (value, name)
                for value, name in Delivery.choices
                if category.digest or value != Delivery.DIGEST
            ]
            self.fields[category.key] = forms.ChoiceField(
                label=category.label,
                help_text=f"{category.hint} {category.no_digest}".strip(),
                choices=offered,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Select how you hear about {label}",
                    "invalid_choice": f"Select how you hear about {label}",
                },
            )
        self.fields["digest_hour"] = forms.TypedChoiceField(
            label="Send my daily digest at",
            help_text="UK time. A digest comes only on a day you have messages for it.",
            choices=HOURS,
            coerce=int,
            error_messages={
                "required": "Select the hour your daily digest is sent",
                "invalid_choice": "Select an hour from the list for your daily digest",
            },
        )

    def choices(self) -> dict[str, str]:
        return {c.key: self.cleaned_data[c.key] for c in OPTIONAL}
