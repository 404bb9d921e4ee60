"""Forms for proposals of new sub-groups: propose, and record the parent's decision. The
rules live in governance.services.proposals."""

from __future__ import annotations

from django import forms

from partnership.forms import BaseForm, DateField
from partnership.models import BodyKind

__all__ = ["ProposalDecisionForm", "ProposalForm"]


class ProposalForm(BaseForm):
    name = forms.CharField(label="Name of the group", max_length=200)
    kind = forms.ChoiceField(
        label="Type of group",
        choices=[
            (BodyKind.SUB_GROUP, BodyKind.SUB_GROUP.label),
            (BodyKind.TASK_AND_FINISH, BodyKind.TASK_AND_FINISH.label),
        ],
        widget=forms.RadioSelect,
    )
    remit = forms.CharField(
        label="Remit", widget=forms.Textarea(attrs={"rows": 4}), help_text="What it is for."
    )
    membership = forms.CharField(
        label="Proposed membership",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Who would sit on it: organisations, roles or people.",
    )
    timescale = forms.CharField(
        label="Timescale",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="How long it would run, and when it would report.",
    )
    ends_on = DateField(
        label="Planned end date",
        required=False,
        help_text="Required for a task-and-finish group. For example, 31 3 2027",
    )


class ProposalDecisionForm(BaseForm):
    outcome = forms.ChoiceField(
        label="What did the meeting decide?",
        choices=[("agreed", "Agreed"), ("declined", "Not agreed")],
        widget=forms.RadioSelect,
    )
    meeting = forms.ModelChoiceField(
        label="Meeting", queryset=None, empty_label="Choose the meeting"
    )
    note = forms.CharField(
        label="Note of the decision (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, any conditions the meeting set.",
    )

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings
        self.fields["meeting"].label_from_instance = lambda m: (
            f"{m.name}, {m.held_on.day} {m.held_on:%B %Y}"
        )
        self.fields["outcome"].error_messages["required"] = "Select what the meeting decided"
        self.fields["meeting"].error_messages["required"] = "Select the meeting"
