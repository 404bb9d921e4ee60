"""Forms for commissioning agreements: the agreement with its rows (cost lines, targets and
review dates, each a formset with a few blank rows to fill in: no script needed), and recording
a held review.

The forms read what was typed (numbers, dates, choices); the rules are the service's
(``performance.services.agreements``), whose errors ``AgreementForm.add_service_error`` puts
next to the field or row they concern. Every field is shown again as typed."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.forms.utils import ErrorList

from partnership.forms import BaseForm, DateField
from performance.services.agreements import REQUIRED_MESSAGES

__all__ = [
    "AgreementForm",
    "AgreementReviewForm",
    "CostLineForm",
    "ReviewDateForm",
    "TargetForm",
]

# Blank rows offered after those already filled in.
EXTRA_ROWS = {"cost_lines": 3, "targets": 2, "review_dates": 2}


def _area(label: str, rows: int = 4, **kwargs) -> forms.CharField:
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


class MoneyField(forms.CharField):
    """Pounds and pence: "1250", "1,250.50" or "£1,250.50"."""

    def __init__(self, *, what: str, **kwargs):
        self.what = what
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value).replace("£", "").replace(",", "").strip()
        if not text:
            return None
        try:
            amount = Decimal(text)
        except InvalidOperation as exc:
            raise ValidationError(
                f"Enter {self.what} as an amount in pounds, like 1250.50", code="invalid"
            ) from exc
        if not amount.is_finite() or amount.as_tuple().exponent < -2:  # type: ignore[operator]
            raise ValidationError(f"Enter {self.what} to the penny at most", code="invalid")
        if abs(amount) >= Decimal(10) ** 12:
            raise ValidationError(f"Enter {self.what} below £1,000,000,000,000", code="invalid")
        return amount

    def prepare_value(self, value: Any) -> Any:
        return format(value, ",.2f") if isinstance(value, Decimal) else value


class _Row(forms.Form):
    """A row of a list: blank rows are skipped; a row's own rules are the service's."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def use_required_attribute(self) -> bool:  # type: ignore[override]
        return False


class CostLineForm(_Row):
    description = forms.CharField(label="What it pays for", max_length=200, required=False)
    amount = MoneyField(label="Amount (£)", what="the amount", required=False)


class TargetForm(_Row):
    description = forms.CharField(label="Target", max_length=300, required=False)
    indicator = forms.ModelChoiceField(
        label="Measured by the indicator",
        queryset=None,
        required=False,
        empty_label="Select an indicator",
        error_messages={"invalid_choice": "Select an indicator of the commissioning body"},
    )
    link_to_outcomes = forms.CharField(
        label="How it links to the partnership's outcomes (optional)",
        max_length=300,
        required=False,
    )

    def __init__(self, *args, indicators=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators
        self.fields["indicator"].label_from_instance = lambda i: (
            f"{i.code}: {i.title} ({i.body.name})"
        )


class ReviewDateForm(_Row):
    due_on = DateField(label="Review date", required=False, help_text="For example, 30 9 2027")


# The most rows a list takes. A count of rows sent above it (or no count, or one that is not a
# number: the management form's data missing or tampered with) is refused before any row is
# built, so a forged count cannot make the server build thousands of forms.
MAX_ROWS = 200
CostLines = formset_factory(CostLineForm, extra=0, max_num=MAX_ROWS, absolute_max=MAX_ROWS)
Targets = formset_factory(TargetForm, extra=0, max_num=MAX_ROWS, absolute_max=MAX_ROWS)
ReviewDates = formset_factory(ReviewDateForm, extra=0, max_num=MAX_ROWS, absolute_max=MAX_ROWS)
ROWS = {
    "cost_lines": (CostLines, "cost", ("description", "amount")),
    "targets": (Targets, "target", ("description", "indicator", "link_to_outcomes")),
    "review_dates": (ReviewDates, "review", ("due_on",)),
}
LIST_NAMES = {"cost_lines": "cost lines", "targets": "targets", "review_dates": "review dates"}


def rows_sent_as_expected(formset) -> bool:
    """Whether a bound formset's count of rows came as the page sent it: present, a number,
    and no more than the formset takes (checked before any row is built)."""
    management = formset.management_form
    if not management.is_valid():
        return False
    total = management.cleaned_data["TOTAL_FORMS"]
    return 0 <= total <= formset.absolute_max


class AgreementForm(BaseForm):
    """The agreement, Warrington's minimum content in its order, with its three lists of rows
    (``self.rows``: name to formset)."""

    reference = forms.CharField(
        label="Reference", max_length=30, help_text="A short reference, for example SLA-07."
    )
    title = forms.CharField(label="Title", max_length=200)
    purpose = _area("Purpose of the agreement")
    starts_on = DateField(label="Start date", help_text="For example, 1 4 2026")
    ends_on = DateField(label="End date", help_text="For example, 31 3 2027")
    supervisor = forms.ModelChoiceField(
        label="Supervising person",
        queryset=None,
        empty_label="Select a person",
        help_text="Supervises the agreement for the commissioning body.",
    )
    provider = forms.ModelChoiceField(
        label="Provider",
        queryset=None,
        empty_label="Select an organisation",
        help_text="A partner organisation of the partnership.",
    )
    provider_representative = forms.CharField(
        label="Provider's representative",
        max_length=200,
        help_text="The person responsible for the agreement for the provider: name and role. "
        "They should be the lead of the indicators below, or have the leads delegate "
        "the returns to them.",
    )
    provider_representative_email = forms.EmailField(
        label="Representative's e-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={"invalid": "Enter an e-mail address like name@example.org"},
    )
    provider_obligations = _area(
        "The provider's obligations",
        help_text="Statutory or voluntary obligations, such as DBS checks for staff.",
    )
    service_specification = _area("Service specification", rows=6)
    target_user_group = _area("Target user group", rows=3)
    total_cost = MoneyField(
        label="Total cost (£)", what="the total cost", help_text="The cost lines must add up to it."
    )
    sustainability_plan = _area("Sustainability plan")
    risk_assessment = _area("Risk assessment")
    potential_savings = _area("Potential savings", rows=3)
    equality_statement = _area("Equality and diversity statement")
    community_engagement = _area("Community engagement statement")
    monitoring_arrangements = _area("Performance monitoring arrangements")
    partnership_obligations = _area(
        "The commissioning body's obligations",
        help_text="What the commissioning body undertakes, such as its funding arrangements.",
    )
    default_terms = _area(
        "Default", help_text="What happens if either side fails to keep the agreement."
    )
    arbitration_terms = _area(
        "Arbitration", help_text="How disagreements are resolved by negotiation."
    )
    key_partnership = forms.ModelChoiceField(
        label="Key partnership (optional)",
        queryset=None,
        required=False,
        empty_label="None",
        help_text="The key partnership the service belongs to, if any.",
    )

    def __init__(
        self,
        data=None,
        *,
        people,
        organisations,
        key_partnerships,
        indicators,
        rows: dict[str, list[dict]] | None = None,
        **kwargs,
    ):
        super().__init__(data, **kwargs)
        for name, message in REQUIRED_MESSAGES.items():
            if name in self.fields:
                self.fields[name].error_messages["required"] = message
        self.fields["supervisor"].queryset = people
        self.fields["supervisor"].label_from_instance = lambda p: p.full_name or p.email
        self.fields["provider"].queryset = organisations
        self.fields["key_partnership"].queryset = key_partnerships
        rows = rows or {}
        self.rows = {}
        self.list_errors: dict[str, list[str]] = {name: [] for name in ROWS}
        for name, (formset, prefix, _fields) in ROWS.items():
            initial = rows.get(name, [])
            extra = {"indicators": indicators} if name == "targets" else {}
            # Unbound: the rows there are, then blank ones. Bound: as many as were sent.
            fs = None
            if data is not None:
                fs = formset(data, prefix=prefix, form_kwargs=extra)
                if not rows_sent_as_expected(fs):
                    # The rows cannot be read: say so, and offer the rows as they were at
                    # first for the user to fill in again (the rest of the form is kept).
                    self.list_errors[name].append(
                        f"The rows of {LIST_NAMES[name]} were not sent as expected: "
                        "enter them again"
                    )
                    fs = None
            if fs is None:
                blank = [{}] * EXTRA_ROWS[name]
                fs = formset(prefix=prefix, initial=initial + blank, form_kwargs=extra)
            self.rows[name] = fs

    def add_commissioning_body(self, bodies, *, chosen: str | None = None) -> None:
        """For a new agreement: the body that funds it, among those the user co-ordinates
        (``chosen``, a body's slug, picks one to start with)."""
        field = forms.ModelChoiceField(
            label="Commissioning body",
            queryset=bodies,
            empty_label="Select a body",
            help_text="The group that agreed to fund the service.",
            error_messages={
                "required": "Select the commissioning body",
                "invalid_choice": "Select a body you co-ordinate",
            },
        )
        self.fields = {"commissioning_body": field, **self.fields}
        if chosen and not self.is_bound:
            found = bodies.filter(slug=chosen).first()
            if found is not None:
                self.initial["commissioning_body"] = found.pk

    @property
    def cost_lines(self):
        return self.rows["cost_lines"]

    @property
    def targets(self):
        return self.rows["targets"]

    @property
    def review_dates(self):
        return self.rows["review_dates"]

    def full_clean(self) -> None:
        super().full_clean()
        if not self.is_bound:
            return
        # A form whose rows hold an error is in error as a whole (and the page's title says so);
        # rows offered again after they could not be read are unbound, so never valid.
        for fs in self.rows.values():
            if not fs.is_valid() and not self._errors.get("rows"):
                self._errors["rows"] = ErrorList(["Correct the rows marked below"])

    def _filled(self, name: str) -> list[tuple[forms.Form, dict[str, Any]]]:
        """The rows with anything typed in, each with what it holds."""
        _formset, _prefix, fields = ROWS[name]
        found = []
        for form in self.rows[name].forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not any(data.get(f) not in (None, "") for f in fields):
                continue
            found.append((form, data))
        return found

    def service_rows(self) -> dict[str, Any]:
        """The rows for the service, blank ones left out, in the order typed."""
        self._sent = {name: [form for form, _ in self._filled(name)] for name in ROWS}
        return {
            "cost_lines": [
                {"id": d.get("id"), "description": d.get("description", ""), "amount": d["amount"]}
                for _, d in self._filled("cost_lines")
            ],
            "targets": [
                {
                    "id": d.get("id"),
                    "description": d.get("description", ""),
                    "indicator": d.get("indicator"),
                    "link_to_outcomes": d.get("link_to_outcomes", ""),
                }
                for _, d in self._filled("targets")
            ],
            "review_dates": [d["due_on"] for _, d in self._filled("review_dates")],
        }

    def add_service_error(self, error: ValidationError, **renamed: str) -> None:
        """Field errors next to their field, a list's next to the list, a row's ("targets.1.
        indicator") next to that row's field."""
        if not hasattr(error, "error_dict"):
            return super().add_service_error(error, **renamed)
        sent = getattr(self, "_sent", {})
        for key, errors in error.error_dict.items():
            name, _, rest = key.partition(".")
            if name in ROWS and rest:
                index, _, field = rest.partition(".")
                field = field or "due_on"
                form = sent.get(name, [])[int(index)]
                for e in errors:
                    form.add_error(field, e)
                if not self._errors.get("rows"):
                    self._errors["rows"] = ErrorList(["Correct the rows marked below"])
            elif name in ROWS:
                for e in errors:
                    self.list_errors[name].extend(e.messages)
                if not self._errors.get("rows"):
                    self._errors["rows"] = ErrorList(["Correct the rows marked below"])
            else:
                target = key if key in self.fields else None
                for e in errors:
                    self.add_error(target, e)

    def summary(self) -> list[tuple[str, str]]:
        """Every error as (the id of what to jump to, the message), in the page's order."""
        found = [("", e) for e in self.non_field_errors()]
        order = list(self.fields)
        for name in order:
            field = self[name]
            anchor = f"{field.auto_id}_day" if name in ("starts_on", "ends_on") else field.auto_id
            found += [(anchor, e) for e in field.errors]
        for name, fs in self.rows.items():
            first = fs.forms[0] if fs.forms else None
            for message in self.list_errors[name]:
                anchor = ""
                if first is not None:
                    field = first[ROWS[name][2][0]]
                    anchor = field.auto_id + ("_day" if name == "review_dates" else "")
                found.append((anchor, message))
            found += [("", e) for e in fs.non_form_errors()]
            for form in fs.forms:
                for fname in ROWS[name][2]:
                    bound = form[fname]
                    anchor = bound.auto_id + ("_day" if fname == "due_on" else "")
                    found += [(anchor, e) for e in bound.errors]
                found += [("", e) for e in form.non_field_errors()]
        return found


class AgreementReviewForm(BaseForm):
    held_on = DateField(
        label="Date the review was held",
        help_text="For example, 14 11 2026",
        error_messages={"required": "Enter the date the review was held"},
    )
    findings = _area(
        "What the review found",
        rows=6,
        help_text="Is the service delivering its targets, at the agreed cost? What changes?",
    )
