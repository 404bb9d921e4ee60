"""Forms for setting up performance management: outcomes, delivery-plan actions, indicators,
a financial year's targets and a body's return deadlines.

Figures (a baseline, a target) are typed as text and read with ``rules.parse_value``, so they
accept what people type ("1,200", "£50", "12%") and are refused with the same messages as a
return's value."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from partnership.forms import BaseForm, DateField
from partnership.periods import Quarter, financial_year_label
from performance.models import (
    WHOLE_YEAR,
    ActionStatus,
    Frequency,
    Indicator,
    Outcome,
    OutcomeKind,
    PlanAction,
    Polarity,
    TargetKind,
    ToleranceKind,
    Unit,
)
from performance.rules import parse_value


def _text(label: str, max_length: int, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        error_messages={"max_length": f"{label} must be {max_length} characters or fewer"},
        **kwargs,
    )


def _number(label: str, what: str, **kwargs) -> forms.DecimalField:
    """A non-negative number typed as text, refused in words."""
    return forms.DecimalField(
        label=label,
        min_value=0,
        max_digits=16,
        decimal_places=4,
        error_messages={
            "required": f"Enter {what}",
            "invalid": f"Enter {what} as a number, like 5 or 2.5",
            "min_value": f"{what.capitalize()} cannot be less than 0",
            "max_decimal_places": f"Enter {what} to no more than 4 decimal places",
            "max_digits": f"{what.capitalize()} is too large",
            "max_whole_digits": f"{what.capitalize()} is too large",
        },
        **kwargs,
    )


def plain(value: Decimal | None) -> str:
    """A stored figure as a person would type it: 12.5, not 12.5000."""
    if value is None:
        return ""
    return format(value.normalize(), "f")


def _person_choices(field: forms.ModelChoiceField, people) -> None:
    field.queryset = people
    field.label_from_instance = lambda person: person.full_name


# --- outcomes and delivery plans ---------------------------------------------------------------


class OutcomeForm(BaseForm):
    code = _text("Code", 20, help_text="A short reference, for example SC1.")
    title = _text("Title", 200)
    kind = forms.ChoiceField(
        label="Type",
        choices=OutcomeKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the type of outcome"},
    )
    body = forms.ModelChoiceField(
        label="Owning body",
        queryset=None,
        help_text="The body that delivers the outcome and reports on it.",
        error_messages={
            "required": "Select the owning body",
            "invalid_choice": "Select a body you co-ordinate",
        },
    )
    description = forms.CharField(
        label="Description (optional)", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    closed_on = DateField(
        label="Closed on (optional)",
        required=False,
        help_text="Only when the partnership stops working towards it. For example, 31 3 2027",
    )

    def __init__(self, *args, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies

    @classmethod
    def initial_from(cls, outcome: Outcome) -> dict:
        return {f: getattr(outcome, f) for f in cls.base_fields}


class PlanActionForm(BaseForm):
    title = _text("Action", 300, widget=forms.Textarea(attrs={"rows": 2}))
    organisation = forms.ModelChoiceField(
        label="Partner organisation",
        queryset=None,
        help_text="The organisation that delivers the action.",
        error_messages={
            "required": "Select the partner organisation",
            "invalid_choice": "Select a partner organisation of this partnership",
        },
    )
    lead = forms.ModelChoiceField(
        label="Lead person",
        queryset=None,
        help_text="Someone who sits on one of the partnership's bodies.",
        error_messages={
            "required": "Select the lead person",
            "invalid_choice": "Select someone who sits on one of the partnership's bodies",
        },
    )
    starts_on = DateField(
        label="Start date (optional)", required=False, help_text="For example, 1 4 2026"
    )
    due_on = DateField(
        label="Due date",
        help_text="For example, 31 3 2027",
        error_messages={"required": "Enter the due date"},
    )
    status = forms.ChoiceField(
        label="Status",
        choices=ActionStatus.choices,
        initial=ActionStatus.NOT_STARTED,
        error_messages={"required": "Select the status"},
    )
    completed_on = DateField(
        label="Completed on (optional)",
        required=False,
        help_text="Needed when the action is complete. For example, 15 2 2027",
    )
    progress = forms.CharField(
        label="Progress note (optional)",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    def __init__(self, *args, organisations, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        _person_choices(self.fields["lead"], people)

    @classmethod
    def initial_from(cls, action: PlanAction) -> dict:
        return {f: getattr(action, f) for f in cls.base_fields}


# --- indicators --------------------------------------------------------------------------------


class IndicatorForm(BaseForm):
    code = _text("Code", 20, help_text="Unique in the partnership, for example SC01.")
    title = _text("Title", 200)
    definition = forms.CharField(
        label="Definition (optional)",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="What is counted, and how, so that every quarter is measured the same way.",
    )
    unit = forms.ChoiceField(
        label="Unit",
        choices=Unit.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the unit"},
    )
    polarity = forms.ChoiceField(
        label="Which way is better?",
        choices=Polarity.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether higher or lower is better"},
    )
    baseline_value = forms.CharField(
        label="Baseline value (optional)",
        required=False,
        max_length=40,
        help_text="In the indicator's unit, for example 120 or 62.5.",
    )
    baseline_period = _text(
        "Baseline period (optional)",
        20,
        required=False,
        help_text="A financial year or a quarter, for example 2024/25 or 2024/25 Q4.",
    )
    data_source = _text(
        "Data source (optional)",
        300,
        required=False,
        help_text="For example, police recorded crime.",
    )
    body = forms.ModelChoiceField(
        label="Owning body",
        queryset=None,
        help_text="The body whose co-ordinators and chair sign its returns off.",
        error_messages={
            "required": "Select the owning body",
            "invalid_choice": "Select a body you co-ordinate",
        },
    )
    outcome = forms.ModelChoiceField(
        label="Outcome (optional)",
        queryset=None,
        required=False,
        empty_label="None",
        error_messages={"invalid_choice": "Select an outcome of this partnership"},
    )
    lead = forms.ModelChoiceField(
        label="Named lead",
        queryset=None,
        help_text="Submits the returns. Someone who sits on one of the partnership's bodies.",
        error_messages={
            "required": "Select the named lead",
            "invalid_choice": "Select someone who sits on one of the partnership's bodies",
        },
    )
    frequency = forms.ChoiceField(
        label="How often is it reported?",
        choices=Frequency.choices,
        initial=Frequency.QUARTERLY,
        widget=forms.RadioSelect,
        help_text="Six-monthly returns fall due in Q2 and Q4, annual ones in Q4.",
        error_messages={"required": "Select how often it is reported"},
    )
    target_kind = forms.ChoiceField(
        label="Targets are",
        choices=TargetKind.choices,
        initial=TargetKind.POINT,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether targets are cumulative or point in time"},
    )
    decimal_places = forms.TypedChoiceField(
        label="Decimal places",
        choices=[(n, str(n)) for n in range(5)],
        coerce=int,
        initial=0,
        help_text="How precisely figures are entered and shown.",
        error_messages={"required": "Select the number of decimal places"},
    )
    tolerance_kind = forms.ChoiceField(
        label="Tolerance is a",
        choices=ToleranceKind.choices,
        initial=ToleranceKind.PERCENT,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the tolerance is measured"},
    )
    tolerance = _number(
        "Tolerance",
        "the tolerance",
        initial=Decimal(5),
        help_text="How far off target is amber rather than red. Beyond it is red.",
    )
    travel_margin = _number(
        "Margin for no change",
        "the margin for no change",
        initial=Decimal(0),
        help_text="A change from one period to the next no bigger than this is shown as no change.",
    )
    published = forms.BooleanField(
        label="Publish to the public",
        required=False,
        help_text="The public sees signed-off figures only.",
    )
    retired_on = DateField(
        label="Retired on (optional)",
        required=False,
        help_text="When it stops being reported. For example, 31 3 2027",
    )

    def __init__(self, *args, bodies, outcomes, people, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies
        self.fields["outcome"].queryset = outcomes
        _person_choices(self.fields["lead"], people)
        if editing:
            self.fields["reason"] = forms.CharField(
                label="Reason for the change (optional)",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="Kept in the indicator's history.",
            )

    @classmethod
    def initial_from(cls, indicator: Indicator) -> dict:
        initial = {f: getattr(indicator, f) for f in cls.base_fields}
        initial["baseline_value"] = plain(indicator.baseline_value)
        initial["tolerance"] = plain(indicator.tolerance)
        initial["travel_margin"] = plain(indicator.travel_margin)
        return initial

    def clean(self):
        cleaned = super().clean()
        unit, places = cleaned.get("unit"), cleaned.get("decimal_places")
        raw = cleaned.get("baseline_value", "")
        if unit is None or places is None:
            # Cannot be read without its unit; the unit's own error says what to do.
            cleaned["baseline_value"] = None
            return cleaned
        try:
            cleaned["baseline_value"] = parse_value(
                Indicator(unit=unit, decimal_places=places), raw
            )
        except ValidationError as error:
            self.add_error("baseline_value", error.messages[0])
        return cleaned


# --- a year's targets and a body's deadlines ---------------------------------------------------

TARGET_FIELDS = {WHOLE_YEAR: "year", 1: "q1", 2: "q2", 3: "q3", 4: "q4"}


class TargetsForm(BaseForm):
    """The whole-year target and the four quarters' targets of one financial year. Blank is
    no target."""

    def __init__(self, *args, indicator: Indicator, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        cumulative = indicator.target_kind == TargetKind.CUMULATIVE
        self.fields["year"] = forms.CharField(
            label=f"Whole year {financial_year_label(year)}", required=False, max_length=40
        )
        for number in (1, 2, 3, 4):
            q = Quarter(year, number)
            months = (
                f"{Quarter(year, 1).starts_on:%B} to {q.ends_on:%B %Y}, the year to date"
                if cumulative
                else f"{q.starts_on:%B} to {q.ends_on:%B %Y}"
            )
            self.fields[TARGET_FIELDS[number]] = forms.CharField(
                label=f"Q{number} ({months})", required=False, max_length=40
            )

    def clean(self):
        cleaned = super().clean()
        for name in TARGET_FIELDS.values():
            if name in self.errors:
                continue
            try:
                cleaned[name] = parse_value(self.indicator, cleaned.get(name, ""))
            except ValidationError as error:
                self.add_error(name, error.messages[0])
        return cleaned

    def values(self) -> dict[int, Decimal | None]:
        return {quarter: self.cleaned_data[name] for quarter, name in TARGET_FIELDS.items()}


def deadline_field_name(period: Quarter) -> str:
    return f"due_{period.year}_q{period.number}"


class DeadlinesForm(BaseForm):
    """One deadline per quarter, grouped by financial year in ``rows``."""

    def __init__(self, *args, periods: list[Quarter], defaults: dict[Quarter, date], **kwargs):
        super().__init__(*args, **kwargs)
        self.periods = periods
        for period in periods:
            self.fields[deadline_field_name(period)] = DateField(
                label=period.long_label,
                help_text=(
                    f"The quarter ends on {period.ends_on:%-d %B %Y}. The default deadline is "
                    f"{defaults[period]:%-d %B %Y}."
                ),
                error_messages={"required": f"Enter the deadline for {period.label}"},
            )

    @property
    def years(self) -> list[tuple[str, list[forms.BoundField]]]:
        rows: dict[str, list[forms.BoundField]] = {}
        for period in self.periods:
            rows.setdefault(period.year_label, []).append(self[deadline_field_name(period)])
        return list(rows.items())

    def deadlines(self) -> dict[Quarter, date]:
        return {p: self.cleaned_data[deadline_field_name(p)] for p in self.periods}
