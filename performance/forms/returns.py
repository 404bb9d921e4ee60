"""Forms for writing a return and for the sign-off steps. They read what was typed; the rules
(what a value may be, what a red return must say, which quarter is open) live in
``performance.rules`` and ``performance.services``, whose errors land next to their field."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from membership.models import User
from partnership.forms import BaseForm, DateField
from performance.models import Indicator, Polarity, Unit
from performance.rules import parse_value

YES_NO = [("1", "Yes"), ("0", "No")]

_UNIT_HINTS = {
    Unit.NUMBER: "A number, for example 42.",
    Unit.PERCENTAGE: "A percentage from 0 to 100, for example 72.5.",
    Unit.RATE: "A rate per 1,000, for example 3.2.",
    Unit.CURRENCY: "An amount in pounds, for example 1200.",
}


def value_hint(indicator: Indicator) -> str:
    if indicator.unit == Unit.YES_NO:
        return ""
    places = indicator.decimal_places
    precision = (
        " Whole numbers only."
        if places == 0
        else f" Up to {places} decimal place{'s' * (places > 1)}."
    )
    better = "Higher" if indicator.polarity == Polarity.HIGHER else "Lower"
    return (
        f"{_UNIT_HINTS[indicator.unit]}{precision} {better} is better. "
        "Leave it blank if there is no figure."
    )


class ReturnForm(BaseForm):
    """The lead's return. The version the page was loaded at travels in a hidden input that
    the template writes itself: after a conflict it must change to the saved version, which a
    bound form field cannot do."""

    value = forms.CharField(label="Actual value", required=False, max_length=40)
    commentary = forms.CharField(
        label="Commentary",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the figure shows and why. Required when the value is red.",
    )
    remedial_action = forms.CharField(
        label="Remedial action",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What is being done to get back on track. Required when the value is "
        "amber or red.",
    )
    remedial_by = DateField(
        label="Remedial action by",
        required=False,
        help_text="The date the remedial action will be done by. For example, 30 9 2026",
    )

    def __init__(self, *args, indicator: Indicator, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        field = self.fields["value"]
        if indicator.unit == Unit.YES_NO:
            self.fields["value"] = forms.ChoiceField(
                label=field.label, required=False, choices=YES_NO, widget=forms.RadioSelect
            )
        else:
            field.help_text = value_hint(indicator)

    def clean_value(self):
        try:
            return parse_value(self.indicator, self.cleaned_data.get("value"))
        except ValidationError as error:
            raise ValidationError(error.messages) from error

    @staticmethod
    def initial_from(ret) -> dict:
        if ret is None:
            return {}
        value = ret.value
        if value is not None:
            # Shown as stored, without the trailing zeros of four decimal places.
            value = format(value.normalize(), "f")
            if ret.indicator.unit == Unit.YES_NO:
                value = "1" if ret.value else "0"
        return {
            "value": value,
            "commentary": ret.commentary,
            "remedial_action": ret.remedial_action,
            "remedial_by": ret.remedial_by,
        }


class ReasonForm(BaseForm):
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, label: str, required: str, hint: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].help_text = hint
        self.fields["reason"].error_messages["required"] = required


TAKE_BACK = "lead"


class _PersonChoice(forms.ChoiceField):
    """Lists the lead's colleagues, but lets any person through to the service, which is
    the one place that decides who a return may be delegated to (and says why not)."""

    def valid_value(self, value) -> bool:
        return value == TAKE_BACK or str(value).isdigit()


class DelegateForm(BaseForm):
    delegate = _PersonChoice(
        label="Who will write this return?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select a colleague, or take the return back"},
    )

    def __init__(self, *args, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        self.colleagues = {str(p.pk): p for p in colleagues}
        self.fields["delegate"].choices = [
            *((pk, p.full_name) for pk, p in self.colleagues.items()),
            (TAKE_BACK, "Take it back: I will write it myself"),
        ]

    def clean_delegate(self):
        chosen = self.cleaned_data["delegate"]
        if chosen == TAKE_BACK:
            return None
        if chosen in self.colleagues:
            return self.colleagues[chosen]
        person = User.objects.filter(pk=int(chosen), is_active=True).first()
        if person is None:
            raise ValidationError("Select a colleague, or take the return back")
        return person
