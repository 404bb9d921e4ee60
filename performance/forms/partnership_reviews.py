"""The review of a key partnership: the framework's questions, its outcome and up to five
actions (a formset; rows left blank are ignored). The rules (each answer given, the dates, each
action complete) are the service's, so every error is found at once and said in one place:
the form checks only that what was typed is a date or one of the choices."""

from __future__ import annotations

from django import forms

from partnership.forms import BaseForm, DateField
from performance.models import KeyReviewOutcome, PartnerStrength

__all__ = ["ActionDoneForm", "ActionForm", "ReviewForm", "action_formset", "MAX_ACTIONS"]

MAX_ACTIONS = 5


def _text(label: str, hint: str = "", rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=hint,
        required=False,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class ReviewForm(BaseForm):
    reviewed_on = DateField(
        label="Date of the review", required=False, help_text="For example, 27 3 2026"
    )
    still_needed = _text(
        "Is it still needed?",
        "Is it still relevant to the partnership's priorities, and do we still need to work "
        "this way?",
    )
    delivering = _text(
        "Is it delivering its outcomes?",
        "Are its outcomes and performance monitored and evaluated, and are our requirements "
        "being met?",
    )
    value_for_money = _text(
        "Does it give value for money?",
        "What it costs against what it delivers, and whether its contracts are on budget.",
    )
    governance = _text(
        "Are its governance and accountability effective?",
        "Are effective governance arrangements in place, in the partnership and in the "
        "partner organisations?",
    )
    partner_strength = forms.ChoiceField(
        label="How strong and stable are the partners?",
        choices=PartnerStrength.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    partner_strength_notes = _text(
        "About the partners' strength and stability",
        "Their finances, capacity and any changes in them.",
        rows=3,
    )
    risks = _text(
        "What are its risks?",
        "Financial, reputational and other risks, and whether the exit strategy still "
        "protects the partnership.",
    )
    outcome = forms.ChoiceField(
        label="Outcome of the review",
        choices=KeyReviewOutcome.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    changes_needed = _text(
        "What changes are needed?",
        "Required if it continues with changes, or if the partnership is to exit it.",
    )


class ActionForm(BaseForm):
    description = forms.CharField(label="What is to be done", required=False, max_length=500)
    owner = forms.ModelChoiceField(
        label="Owner",
        queryset=None,
        required=False,
        empty_label="Select the owner",
        error_messages={"invalid_choice": "Select someone from the list"},
    )
    due_on = DateField(label="Due by", required=False, help_text="For example, 30 9 2026")

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people
        self.fields["owner"].label_from_instance = lambda person: person.full_name

    def row(self):
        """(description, owner, due date) as the service takes it."""
        data = self.cleaned_data
        return (data.get("description", ""), data.get("owner"), data.get("due_on"))


_ActionFormSet = forms.formset_factory(
    ActionForm, extra=MAX_ACTIONS, max_num=MAX_ACTIONS, absolute_max=MAX_ACTIONS
)


ROWS_NOT_SENT = "The rows of actions were not sent as expected: enter them again"


def action_formset(data=None, *, people):
    """The action rows. A row left blank is ignored (``has_changed``).

    Rows whose count did not come as the page sent it (missing, not a number, or more than
    ``MAX_ACTIONS``: the management form's data missing or tampered with) cannot be read: the
    blank rows are offered again, with ``rows_error`` saying so (None otherwise)."""
    formset = _ActionFormSet(data, prefix="actions", form_kwargs={"people": people})
    formset.rows_error = None
    if data is not None:
        management = formset.management_form
        total = management.cleaned_data.get("TOTAL_FORMS") if management.is_valid() else None
        if total is None or not 0 <= total <= formset.absolute_max:
            formset = _ActionFormSet(prefix="actions", form_kwargs={"people": people})
            formset.rows_error = ROWS_NOT_SENT
    return formset


class ActionDoneForm(BaseForm):
    done_on = DateField(label="Date it was done", help_text="For example, 30 9 2026")
