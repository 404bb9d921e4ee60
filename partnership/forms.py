"""Form pieces shared by every app: the GOV.UK date input, and service errors on forms."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from partnership.models import BodyKind, Organisation, Sector


class GovukDateInput(forms.MultiWidget):
    """The GOV.UK date input: day, month and year boxes. What was typed is shown again as typed."""

    template_name = "components/widgets/date.html"

    def __init__(self, attrs=None):
        super().__init__([forms.TextInput(), forms.TextInput(), forms.TextInput()], attrs)

    def decompress(self, value):
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]

    def value_from_datadict(self, data, files, name):
        return [data.get(f"{name}_{part}", "").strip() for part in ("day", "month", "year")]

    def value_omitted_from_data(self, data, files, name):
        return all(f"{name}_{part}" not in data for part in ("day", "month", "year"))


class _DateBoundField(forms.BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        # Lets the date template mark its boxes as in error, as the design system asks.
        attrs = super().build_widget_attrs(attrs, widget)
        if self.errors:
            attrs["error"] = True
        return attrs


class DateField(forms.DateField):
    widget = GovukDateInput

    def get_bound_field(self, form, field_name):
        return _DateBoundField(form, self, field_name)

    def to_python(self, value):
        if isinstance(value, datetime.date) or value in self.empty_values:
            return value or None
        if isinstance(value, list | tuple):
            day, month, year = (value + ["", "", ""])[:3]
            if not any((day, month, year)):
                return None
            missing = [n for n, v in (("day", day), ("month", month), ("year", year)) if not v]
            if missing:
                raise ValidationError(
                    f"{self.label or 'The date'} must include a {' and '.join(missing)}",
                    code="incomplete",
                )
            try:
                if len(year) != 4:
                    raise ValueError
                return datetime.date(int(year), int(month), int(day))
            except (ValueError, OverflowError) as exc:  # a day of 20 digits overflows C's int
                raise ValidationError(
                    f"{self.label or 'The date'} must be a real date", code="invalid"
                ) from exc
        return super().to_python(value)


class ServiceErrorsMixin:
    """Put a service's ValidationError on the form: field errors next to their field, the
    rest in the summary. The form keeps everything the user typed."""

    def refuse(self, message: str) -> None:
        """Say why the whole action is refused, in the error summary, whether or not the form
        was sent (a page can refuse before anything is typed)."""
        self.is_valid()
        if not hasattr(self, "cleaned_data"):
            self.cleaned_data = {}  # unbound: nothing was cleaned
        self.add_error(None, message)

    def add_service_error(self, error: ValidationError, **renamed: str) -> None:
        """``renamed`` maps a service's field name to the form field that asked for it."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                field = renamed.get(field, field)
                target = field if field in self.fields else None
                for e in errors:
                    self.add_error(target, e)
        else:
            self.add_error(None, error)


class BaseForm(ServiceErrorsMixin, forms.Form):
    """A form whose "required" errors say what to do, as the GOV.UK Design System asks."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            label = str(field.label or "").lower()
            verb = "Select" if isinstance(field, forms.ChoiceField) else "Enter"
            if isinstance(field, forms.BooleanField):
                continue
            if field.error_messages["required"] == forms.Field.default_error_messages["required"]:
                field.error_messages["required"] = f"{verb} {label}"


class OrganisationForm(BaseForm):
    name = forms.CharField(label="Name", max_length=200)
    sector = forms.ChoiceField(label="Sector", choices=Sector.choices, widget=forms.RadioSelect)
    statutory_partner = forms.BooleanField(
        label="This organisation is a statutory partner",
        required=False,
        help_text="It has a duty to co-operate in the partnership set by law.",
    )
    website = forms.CharField(
        label="Website (optional)",
        required=False,
        max_length=200,
        validators=[URLValidator(message="Enter a web address starting with https://")],
    )

    @classmethod
    def initial_from(cls, organisation: Organisation) -> dict:
        return {f: getattr(organisation, f) for f in cls.base_fields}


class BodyForm(BaseForm):
    name = forms.CharField(label="Name", max_length=200)
    kind = forms.ChoiceField(label="Type of body", choices=BodyKind.choices)
    parent = forms.ModelChoiceField(
        label="Reports to",
        queryset=None,
        required=False,
        empty_label="Nobody: it is at the top of the partnership",
        help_text="The body it is accountable to.",
    )
    remit = forms.CharField(label="Remit", widget=forms.Textarea, required=False)
    terms_of_reference = forms.CharField(
        label="Terms of reference", widget=forms.Textarea(attrs={"rows": 10}), required=False
    )
    established_on = DateField(
        label="Date established", required=False, help_text="For example, 1 4 2026"
    )
    ends_on = DateField(
        label="Planned end date",
        required=False,
        help_text="Required for a task-and-finish group. For example, 31 3 2027",
    )
    shadow_until = DateField(
        label="Shadow body until",
        required=False,
        help_text="It prepares to take over and decides nothing until then. For example, 1 4 2027",
    )
    meetings_a_year = forms.IntegerField(
        label="Meets at least (times a year)",
        required=False,
        min_value=1,
        max_value=52,
        help_text="For example 4 for quarterly. Leave blank if it has no set frequency.",
        error_messages={
            "invalid": "Enter how many times a year it meets as a number, like 4",
            "min_value": "Enter a number of meetings a year between 1 and 52",
            "max_value": "Enter a number of meetings a year between 1 and 52",
        },
    )

    # Rules of office (issue 16).
    chair_from_outside = forms.BooleanField(
        label="The chair may come from outside the membership",
        required=False,
        help_text="For example, a Partnership Board whose chair is not one of its members. "
        "Otherwise the chair is elected from the body's own members.",
    )
    chair_sector = forms.ChoiceField(
        label="The chair must represent",
        choices=[("", "Any sector"), *Sector.choices],
        required=False,
    )
    sub_groups_need_approval = forms.BooleanField(
        label="New sub-groups need this body's agreement at a meeting",
        required=False,
        help_text="A sub-group or task-and-finish group reporting to it is then proposed, with "
        "its remit, membership and timescale, and created once agreed.",
    )

    def __init__(self, *args, parents, allow_top_level: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents
        self.fields["parent"].required = not allow_top_level
        if not allow_top_level:
            self.fields["parent"].empty_label = None

    def clean(self):
        cleaned = super().clean()
        needs_end = cleaned.get("kind") == BodyKind.TASK_AND_FINISH
        if needs_end and not cleaned.get("ends_on") and "ends_on" not in self.errors:
            self.add_error("ends_on", "Enter the date the task-and-finish group will end")
        return cleaned


class CloseForm(BaseForm):
    closed_on = DateField(label="Date it closes", help_text="For example, 31 3 2027")
    closure_reason = forms.CharField(
        label="Why is it closing?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: its task is complete, or it merged into another group.",
    )


def posted(request):
    """A form's data on a POST, even an empty one (an unticked box alone sends nothing, and
    ``request.POST or None`` would leave the form unbound and silently unsubmitted)."""
    return request.POST if request.method == "POST" else None
