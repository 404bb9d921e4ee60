"""The restructure wizard's forms (issue 16): what changes, what becomes of each member, what
becomes of each open thing; and the date the structure page shows."""

from __future__ import annotations

from django import forms

from membership.models import Role
from partnership.forms import BaseForm, DateField
from partnership.models import BodyKind, ChangeKind
from partnership.restructure import END, MOVE

KINDS = [
    (ChangeKind.MERGE, "Merge bodies into one"),
    (ChangeKind.REPLACE, "Replace a body by another"),
    (ChangeKind.END, "End a body"),
]


class BodyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class BodiesChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class WhatForm(BaseForm):
    """Step 1: the kind of change, the bodies that end, what they become, when and why."""

    kind = forms.ChoiceField(label="What is changing", choices=KINDS, widget=forms.RadioSelect)
    sources = BodiesChoiceField(
        label="The bodies that end",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="To merge, choose every body that ends; to replace or end, choose one.",
        error_messages={"required": "Select the bodies that end"},
    )
    successor = BodyChoiceField(
        label="The body that takes on their work",
        queryset=None,
        required=False,
        empty_label="A new body: give its details below",
        help_text="Not needed to end a body.",
    )
    name = forms.CharField(label="Name of the new body", max_length=200, required=False)
    new_kind = forms.ChoiceField(
        label="Type of the new body", choices=[("", "Choose a type"), *BodyKind.choices]
    )
    parent = BodyChoiceField(
        label="The new body reports to",
        queryset=None,
        required=False,
        empty_label="Nobody: it is at the top of the partnership",
    )
    remit = forms.CharField(label="Remit of the new body", widget=forms.Textarea, required=False)
    shadow_from = DateField(
        label="Set up as a shadow body from (optional)",
        required=False,
        help_text="To replace a body by a new one: the new body meets in shadow from this date "
        "and takes over on the date the change takes effect. For example, 1 1 2011",
    )
    effective_on = DateField(
        label="The date the change takes effect", help_text="For example, 1 4 2011"
    )
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("sources", "successor", "parent"):
            self.fields[name].queryset = bodies
        self.fields["new_kind"].required = False

    def clean(self):
        cleaned = super().clean()
        kind, sources = cleaned.get("kind"), cleaned.get("sources")
        successor, name = cleaned.get("successor"), cleaned.get("name", "").strip()
        if kind in (ChangeKind.REPLACE, ChangeKind.END) and sources and len(sources) != 1:
            self.add_error("sources", "Select one body to replace or end")
        if kind == ChangeKind.END:
            return cleaned
        if kind == ChangeKind.MERGE and sources and successor is None and len(sources) < 2:
            self.add_error("sources", "Select at least two bodies to merge into a new one")
        if successor is not None:
            if sources and successor in sources:
                self.add_error("successor", "Choose a body that is not one of those that end")
        elif kind and not name and "name" not in self.errors:
            self.add_error("name", "Enter the name of the new body, or choose an existing body")
        elif name and not cleaned.get("new_kind") and "new_kind" not in self.errors:
            self.add_error("new_kind", "Select the type of the new body")
        shadow = cleaned.get("shadow_from")
        if shadow and (kind != ChangeKind.REPLACE or successor is not None):
            self.add_error("shadow_from", "Only a new body that replaces one can be a shadow body")
        elif shadow and cleaned.get("effective_on") and shadow >= cleaned["effective_on"]:
            self.add_error(
                "shadow_from", "The shadow body must be set up before the change takes effect"
            )
        return cleaned


class MembersForm(BaseForm):
    """Step 2: for each membership held on the date, the seat it carries over to, or its end."""

    def __init__(self, *args, memberships, seats, carry: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        options = [
            (s.name, f"Carry over to '{s.name}' ({s.count} place{'s' if s.count != 1 else ''})")
            for s in seats
        ]
        names = {s.name for s in seats}
        for m in memberships:
            who = f"{m.person.full_name} ({m.body.name}: {m.seat.name}, {m.get_role_display()})"
            choices = [("", "End the membership on that date")]
            if carry:
                choices += options
            self.fields[f"member-{m.pk}"] = forms.ChoiceField(
                label=f"What becomes of {who}",
                choices=choices,
                required=False,
                initial=m.seat.name if carry and m.seat.name in names else "",
            )
            role = None
            if carry:
                self.fields[f"role-{m.pk}"] = forms.ChoiceField(
                    label=f"{m.person.full_name}'s role if carried over",
                    choices=Role.choices,
                    initial=m.role,
                )
                role = self[f"role-{m.pk}"]
            self.rows.append((m, self[f"member-{m.pk}"], role))


class ThingsForm(BaseForm):
    """Step 3: for each open thing on the bodies that end, move it or end it. A thing that can
    do neither here (minutes not yet approved; a body that reports to one that simply ends) is
    shown with its note instead of a choice, and stops the step until it is dealt with."""

    def __init__(self, *args, groups, carry: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = []
        self.blocked: dict[str, str] = {}
        for carrier, things in groups:
            rows = []
            for thing in things:
                movable = carry and thing.can_move
                choices = [(MOVE, "Move to the body that takes on the work")] if movable else []
                if thing.can_end:
                    choices.append((END, f"End it{f' ({thing.note})' if thing.note else ''}"))
                if not choices:
                    note = thing.note or f"{thing.label} can neither move nor end."
                    self.fields[thing.key] = forms.CharField(
                        label=thing.label, required=False, widget=forms.HiddenInput
                    )
                    self.blocked[thing.key] = note
                    rows.append((self[thing.key], note))
                    continue
                help_text = ""
                if not movable and thing.note:
                    help_text = f"It cannot move: {thing.note}"
                elif not thing.can_end and thing.note:
                    help_text = thing.note
                self.fields[thing.key] = forms.ChoiceField(
                    label=thing.label,
                    choices=choices,
                    widget=forms.RadioSelect,
                    initial=MOVE if movable else END,
                    help_text=help_text,
                    error_messages={"required": f"Select what becomes of {thing.label}"},
                )
                rows.append((self[thing.key], ""))
            self.groups.append((carrier.heading, rows))

    def clean(self):
        cleaned = super().clean()
        for key, note in self.blocked.items():
            self.add_error(key, note)
        return cleaned


class ConfirmForm(BaseForm):
    """Step 4: nothing to fill in; refusals the service gives there are shown in the summary."""


class StructureDateForm(BaseForm):
    on = DateField(
        label="Show the structure on", required=False, help_text="For example, 31 3 2011"
    )
