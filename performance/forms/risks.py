"""Forms for the risk registers' steps: a risk, closing it, its quarterly review, a control, a
body's appetite, accepting a risk above appetite and the partnership's rating bands.

Scores are radios 1 to 5 whose hints say what each level means (``LIKELIHOOD_LEVELS``,
``IMPACT_LEVELS``), so a score is never a guess at what "3" stands for."""

from __future__ import annotations

from django import forms

from partnership.forms import BaseForm, DateField
from performance.models import (
    IMPACT_LEVELS,
    LIKELIHOOD_LEVELS,
    ControlStatus,
    Effectiveness,
    Risk,
    RiskControl,
    RiskSettings,
)

SCORE_FIELDS = (
    "inherent_likelihood",
    "inherent_impact",
    "residual_likelihood",
    "residual_impact",
    "target_likelihood",
    "target_impact",
)
# The three pairs of scores, as the form shows them.
SCORE_PAIRS = (
    ("inherent", "Inherent score", "Before any controls."),
    ("residual", "Residual score", "Now, with the controls in place."),
    ("target", "Target score", "Once the planned controls work. No worse than the inherent score."),
)


def _text(label: str, max_length: int | None = None, **kwargs) -> forms.CharField:
    if max_length is not None:
        kwargs["max_length"] = max_length
        kwargs["error_messages"] = {
            "max_length": f"{label} must be {max_length} characters or fewer",
            **kwargs.get("error_messages", {}),
        }
    return forms.CharField(label=label, **kwargs)


def _area(label: str, rows: int = 3, **kwargs) -> forms.CharField:
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


class _ScoreBoundField(forms.BoundField):
    @property
    def options(self) -> list[dict]:
        """Each radio with its level's name and description, for the score template."""
        value = self.value()
        chosen = str(value) if value not in (None, "") else None
        return [
            {
                "id": f"{self.auto_id}_{index}",
                "value": str(number),
                "label": f"{number} {name}",
                "hint": hint,
                "checked": chosen == str(number),
            }
            for index, (number, (name, hint)) in enumerate(self.field.levels.items())
        ]


class ScoreField(forms.TypedChoiceField):
    """A score of 1 to 5, as radios with each level's description."""

    def __init__(self, *, label: str, levels: dict[int, str], what: str, **kwargs):
        # "Rare: may happen only ..." -> ("Rare", "May happen only ...")
        self.levels = {}
        for number, text in levels.items():
            name, _, hint = text.partition(": ")
            self.levels[number] = (name, hint[:1].upper() + hint[1:])
        super().__init__(
            label=label,
            choices=[(n, str(n)) for n in levels],
            coerce=int,
            widget=forms.RadioSelect,
            error_messages={
                "required": f"Select the {what}",
                "invalid_choice": f"The {what} must be a whole number from 1 to 5",
            },
            **kwargs,
        )

    def get_bound_field(self, form, field_name):
        return _ScoreBoundField(form, self, field_name)


def likelihood(label: str, what: str, **kwargs) -> ScoreField:
    return ScoreField(label=label, levels=LIKELIHOOD_LEVELS, what=what, **kwargs)


def impact(label: str, what: str, **kwargs) -> ScoreField:
    return ScoreField(label=label, levels=IMPACT_LEVELS, what=what, **kwargs)


class PartnershipCheckboxes(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, label: str, **kwargs):
        super().__init__(
            label=label,
            queryset=None,
            required=False,
            error_messages={"invalid_choice": "Select from this partnership"},
            **kwargs,
        )


# --- a risk -------------------------------------------------------------------------------------


class RiskForm(BaseForm):
    title = _text("Title", 200)
    code = _text("Reference", 20, help_text="A short reference, unique in the partnership.")
    description = _area("Description (optional)", required=False)
    cause = _area("Cause (optional)", required=False, help_text="What could make it happen.")
    effect = _area("Effect (optional)", required=False, help_text="What would follow if it did.")
    category = forms.ModelChoiceField(
        label="Category",
        queryset=None,
        error_messages={
            "required": "Select the category",
            "invalid_choice": "Select a category of this partnership",
        },
    )
    owner = forms.ModelChoiceField(
        label="Risk owner",
        queryset=None,
        help_text="Someone who sits on one of the partnership's bodies. They review it each "
        "quarter.",
        error_messages={
            "required": "Select the risk owner",
            "invalid_choice": "Select someone who sits on one of the partnership's bodies",
        },
    )
    owner_organisation = forms.ModelChoiceField(
        label="Risk owner's organisation",
        queryset=None,
        help_text="The partner organisation they represent.",
        error_messages={
            "required": "Select the risk owner's organisation",
            "invalid_choice": "Select a partner organisation of this partnership",
        },
    )
    outcomes = PartnershipCheckboxes("Linked outcomes (optional)")
    indicators = PartnershipCheckboxes("Linked indicators (optional)")
    actions = PartnershipCheckboxes("Linked delivery-plan actions (optional)")
    inherent_likelihood = likelihood("Likelihood", "inherent likelihood")
    inherent_impact = impact("Impact", "inherent impact")
    residual_likelihood = likelihood("Likelihood", "residual likelihood")
    residual_impact = impact("Impact", "residual impact")
    target_likelihood = likelihood("Likelihood", "target likelihood")
    target_impact = impact("Impact", "target impact")
    confidential = forms.BooleanField(
        label="Confidential",
        required=False,
        help_text="Kept out of the public summary of the registers.",
    )

    def __init__(
        self,
        *args,
        categories,
        people,
        organisations_of: dict[int, list[str]],
        organisations,
        outcomes,
        indicators,
        actions,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
        owner = self.fields["owner"]
        owner.queryset = people
        # "Name, Organisation": the same name can sit for two partners.
        owner.label_from_instance = lambda person: ", ".join(
            [person.full_name, *organisations_of.get(person.pk, [])]
        )
        self.fields["owner_organisation"].queryset = organisations
        self.fields["outcomes"].queryset = outcomes
        self.fields["outcomes"].label_from_instance = lambda o: f"{o.code} {o.title}"
        self.fields["indicators"].queryset = indicators
        self.fields["indicators"].label_from_instance = lambda i: f"{i.code} {i.title}"
        self.fields["actions"].queryset = actions
        self.fields["actions"].label_from_instance = lambda a: f"{a.outcome.code}: {a.title}"

    @classmethod
    def initial_from(cls, risk: Risk) -> dict:
        initial = {
            name: getattr(risk, name)
            for name in cls.base_fields
            if name not in {"outcomes", "indicators", "actions"}
        }
        for name in ("outcomes", "indicators", "actions"):
            initial[name] = [obj.pk for obj in getattr(risk, name).all()]
        return initial

    def score_pairs(self) -> list[dict]:
        return [
            {
                "legend": legend,
                "hint": hint,
                "likelihood": self[f"{prefix}_likelihood"],
                "impact": self[f"{prefix}_impact"],
            }
            for prefix, legend, hint in SCORE_PAIRS
        ]

    def other_fields(self) -> list:
        """The fields drawn one after another, before the scores."""
        return [self[name] for name in self.fields if name not in SCORE_FIELDS + ("confidential",)]


class CloseForm(BaseForm):
    reason = _area(
        "Why is it closing?",
        help_text="For example: the funding was confirmed, or the project it concerned ended.",
        error_messages={"required": "Say why the risk is closed"},
    )


# --- the quarterly review -----------------------------------------------------------------------


class ReviewForm(BaseForm):
    outcome = forms.ChoiceField(
        label="Has the risk changed this quarter?",
        choices=[("unchanged", "No change this quarter"), ("rescore", "Re-score")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the risk changed this quarter"},
    )
    residual_likelihood = likelihood("Residual likelihood", "residual likelihood", required=False)
    residual_impact = impact("Residual impact", "residual impact", required=False)
    what_changed = _area(
        "What changed?",
        rows=4,
        required=False,
        help_text="Since the last review: what happened, and what the controls achieved.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == "rescore":
            for name, what in (
                ("residual_likelihood", "residual likelihood"),
                ("residual_impact", "residual impact"),
            ):
                if cleaned.get(name) in (None, "") and name not in self.errors:
                    self.add_error(name, f"Select the {what}")
            if not cleaned.get("what_changed", "").strip() and "what_changed" not in self.errors:
                self.add_error("what_changed", "Say what changed since the last review")
        return cleaned


# --- controls -----------------------------------------------------------------------------------


class ControlForm(BaseForm):
    description = _area("Control", error_messages={"required": "Describe the control"})
    owner = forms.ModelChoiceField(
        label="Owner",
        queryset=None,
        help_text="Someone who sits on one of the partnership's bodies.",
        error_messages={
            "required": "Select the control's owner",
            "invalid_choice": "Select someone who sits on one of the partnership's bodies",
        },
    )
    due_on = DateField(
        label="Due date",
        help_text="For example, 31 3 2027",
        error_messages={"required": "Enter the due date"},
    )
    status = forms.ChoiceField(
        label="Status",
        choices=ControlStatus.choices,
        initial=ControlStatus.PLANNED,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the status"},
    )
    effectiveness = forms.ChoiceField(
        label="How effective is it?",
        choices=Effectiveness.choices,
        initial=Effectiveness.NOT_YET,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how effective it is"},
    )
    done_on = DateField(
        label="In place since (optional)",
        required=False,
        help_text="Needed when the control is in place. For example, 15 2 2027",
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people
        self.fields["owner"].label_from_instance = lambda person: person.full_name

    @classmethod
    def initial_from(cls, control: RiskControl) -> dict:
        return {name: getattr(control, name) for name in cls.base_fields}


# --- appetite, acceptance and settings ----------------------------------------------------------


def _threshold(label: str, **kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=1,
        max_value=25,
        error_messages={
            "invalid": f"{label} must be a whole number from 1 to 25",
            "min_value": f"{label} must be a whole number from 1 to 25",
            "max_value": f"{label} must be a whole number from 1 to 25",
        },
        **kwargs,
    )


def category_field_name(category) -> str:
    return f"category_{category.pk}"


class AppetiteForm(BaseForm):
    """The body's threshold and, if wanted, one per category; blank means none."""

    threshold = _threshold(
        "Appetite for every category (optional)",
        help_text="The highest residual score (likelihood × impact, 1 to 25) the body "
        "carries. Leave blank for none: its risks are then never escalated.",
    )

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = list(categories)
        for category in self.categories:
            self.fields[category_field_name(category)] = _threshold(
                f"{category.name} (optional)",
                help_text="Leave blank to use the appetite for every category.",
            )

    def thresholds(self) -> list[tuple]:
        """(category or None, threshold or None) for each field, the body's own first."""
        rows = [(None, self.cleaned_data.get("threshold"))]
        for category in self.categories:
            rows.append((category, self.cleaned_data.get(category_field_name(category))))
        return rows


class AcceptForm(BaseForm):
    reason = _area(
        "Why is the risk accepted above appetite?",
        rows=4,
        error_messages={"required": "Say why the risk is accepted above appetite"},
    )
    expires_on = DateField(
        label="Accepted until",
        help_text="It is looked at again then. For example, 31 3 2027",
        error_messages={"required": "Enter the date the acceptance runs until"},
    )


def _band_start(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=2,
        max_value=25,
        error_messages={
            "required": f"Enter the score the {label.lower()} starts from",
            "invalid": "Enter a whole number from 2 to 25",
            "min_value": "Enter a whole number from 2 to 25",
            "max_value": "Enter a whole number from 2 to 25",
        },
    )


class SettingsForm(BaseForm):
    medium_from = _band_start("Medium band from")
    high_from = _band_start("High band from")
    very_high_from = _band_start("Very high band from")
    publish_summary = forms.BooleanField(
        label="Publish a summary of the registers",
        required=False,
        help_text="The public then sees how many risks are in each band: never a risk itself, "
        "and never a confidential one.",
    )
    new_category = _text(
        "Add a category (optional)",
        100,
        required=False,
        help_text="For example, Data protection.",
    )

    @classmethod
    def initial_from(cls, settings: RiskSettings) -> dict:
        return {
            name: getattr(settings, name)
            for name in ("medium_from", "high_from", "very_high_from", "publish_summary")
        }
