"""The forms of the annual membership review: opening it, and the chair's outcome."""

from __future__ import annotations

from django import forms

from membership.models import ReviewOutcome
from partnership.forms import BaseForm, DateField


class ReviewOpenForm(BaseForm):
    due_on = DateField(
        label="Outcomes due by",
        help_text="The date by which the chair records an outcome for each member, "
        "for example 31 1 2027",
    )


class SheetDecideForm(BaseForm):
    outcome = forms.ChoiceField(
        label="Outcome", choices=ReviewOutcome.choices, widget=forms.RadioSelect
    )
    ends_on = DateField(
        label="Date the membership ends",
        required=False,
        help_text="The first day they no longer hold the seat: today or later, and no later "
        "than 1 April after the financial year the outcomes are due in, for example 1 4 2027",
    )
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required to end the membership or to discuss it with the nominating "
        "organisation. The member can read it.",
    )
