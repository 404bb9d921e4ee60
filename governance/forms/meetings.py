"""Forms for meetings. They check what a form can; the rules live in governance.services,
whose errors land next to the field they are about."""

from __future__ import annotations

from django import forms
from django.core.validators import URLValidator

from governance.models import STANDING_ITEMS, AttendanceStatus, ItemKind, Purpose
from partnership.forms import BaseForm, DateField

TIME_FORMATS = ["%H:%M", "%H.%M", "%H%M", "%I:%M%p", "%I.%M%p", "%I%p"]


class TimeField(forms.TimeField):
    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", TIME_FORMATS)
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "off"}))
        super().__init__(**kwargs)
        self.error_messages["invalid"] = f"{self.label} must be a time, like 14:30"

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().lower().replace(" ", "")
        return super().to_python(value)


class MeetingForm(BaseForm):
    held_on = DateField(label="Date", help_text="For example, 27 3 2027")
    start_time = TimeField(label="Start time", help_text="Use the 24-hour clock, like 14:30")
    end_time = TimeField(label="Finish time (optional)", required=False)
    venue = forms.CharField(
        label="Venue",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The room and address. Leave blank for a meeting held only online.",
    )
    online_link = forms.CharField(
        label="Online meeting link (optional)",
        required=False,
        max_length=200,
        validators=[URLValidator(message="Enter a link starting with https://")],
    )
    title = forms.CharField(
        label="Title (optional)",
        required=False,
        max_length=200,
        help_text="For example, Extraordinary meeting. Leave blank for an ordinary meeting.",
    )


class MeetingCreateForm(MeetingForm):
    standing_items = forms.MultipleChoiceField(
        label="Standing items",
        choices=[(k.value, k.label) for k in STANDING_ITEMS],
        initial=[k.value for k in STANDING_ITEMS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The items every agenda starts with. Partner matters come last.",
    )


class ReasonForm(BaseForm):
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, label: str = "Reason", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].error_messages["required"] = f"Enter {label.lower()}"


class AgendaItemForm(BaseForm):
    title = forms.CharField(label="Title", max_length=200)
    presenter = forms.CharField(
        label="Presenter (optional)",
        required=False,
        max_length=200,
        help_text="Their name and organisation, for example Martin Shaw, Borough Council",
    )
    purpose = forms.ChoiceField(
        label="What is the meeting asked to do?",
        choices=Purpose.choices,
        widget=forms.RadioSelect,
        initial=Purpose.INFORMATION,
    )
    decision_required = forms.CharField(
        label="Decision required",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when a decision is required. For example: to approve the plan.",
    )
    confidential = forms.BooleanField(
        label="This item is confidential",
        required=False,
        help_text="It will not appear anywhere public: not the website, feeds, search or the "
        "public agenda pack.",
    )
    confidential_reason = forms.CharField(
        label="Why is it confidential?",
        required=False,
        max_length=300,
        help_text="For example: commercially sensitive information about a named business.",
    )

    organisations = forms.ModelMultipleChoiceField(
        label="Organisations the item concerns (optional)",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Members with an interest registered in one of them are flagged on the "
        "agenda and reminded before the meeting.",
    )
    bodies = forms.ModelMultipleChoiceField(
        label="Bodies the item concerns (optional)",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    projects = forms.CharField(
        label="Projects the item concerns (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line, named as in the register, for example Youth Hub.",
    )

    def __init__(
        self, *args, kind: str = ItemKind.BUSINESS, organisations=None, bodies=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = organisations
        self.fields["bodies"].queryset = bodies
        if kind != ItemKind.BUSINESS:
            # A standing item keeps its name; only what is around it can change.
            self.fields["title"].disabled = True


# A browser never sends a chosen file back with a page that has errors: say so by the field.
CHOOSE_AGAIN = "Select the file again: a file is not kept when the page has an error"


class UploadMixin:
    """For a form with an ``upload`` field: after any error on the page, a file that was
    chosen has to be chosen again, and the field says so."""

    def is_valid(self) -> bool:
        valid = super().is_valid()
        self.ask_for_file_again()
        return valid

    def ask_for_file_again(self) -> None:
        chosen = self.files.get(self.add_prefix("upload"))
        if chosen and self.errors and not self.errors.get("upload"):
            self.add_error("upload", CHOOSE_AGAIN)

    def add_service_error(self, error, **renamed) -> None:
        super().add_service_error(error, **renamed)
        self.ask_for_file_again()


class PaperForm(UploadMixin, BaseForm):
    title = forms.CharField(label="Title", max_length=200)
    owner = forms.ModelChoiceField(
        label="Who writes the paper?",
        queryset=None,
        help_text="They are reminded if the paper is not out a week before the meeting.",
    )
    main_issues = forms.CharField(
        label="Main issues",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="For the one-page cover sheet: what members need to know.",
    )
    decision_required = forms.CharField(
        label="Decision required",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For the cover sheet. Leave blank if the paper is for information.",
    )
    confidential = forms.BooleanField(
        label="This paper is confidential",
        required=False,
        help_text="Only members of the body will see it.",
    )
    confidential_reason = forms.CharField(
        label="Why is it confidential?", required=False, max_length=300
    )
    upload = forms.FileField(
        label="Upload the paper (optional)",
        required=False,
        help_text="PDF, Word, Excel or OpenDocument. You can add it later.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.doc,.xlsx,.xls,.odt,.ods"}),
    )

    change_note = forms.CharField(
        label="What changed in the new file?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when you upload a new file. The file it replaces is kept as an "
        "earlier version, and this is shown beside the new one.",
    )

    def __init__(self, *args, people, replacing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people
        self.fields["owner"].label_from_instance = lambda p: p.full_name
        if replacing:
            self.fields["upload"].label = "Upload a new file (optional)"
            self.fields["upload"].help_text = "Only to replace the current file."
        else:
            # A first file replaces nothing: there is nothing to say about what changed.
            del self.fields["change_note"]


class ApologiesForm(BaseForm):
    substitute = forms.ChoiceField(
        label="Substitute (optional)",
        required=False,
        help_text="Someone from your organisation who will attend in your place.",
    )

    def __init__(self, *args, people, nominating_body=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(p.pk): p for p in people}
        self.fields["substitute"].choices = [("", "No substitute")] + [
            (str(p.pk), p.full_name) for p in people
        ]
        if nominating_body is not None:
            self.fields[
                "substitute"
            ].help_text = f"A member of the {nominating_body.name}, the group you represent."

    def clean_substitute(self):
        value = self.cleaned_data["substitute"]
        return self.people.get(value) if value else None


class AttendanceForm(BaseForm):
    """One status and one optional substitute per member, built for the meeting's members."""

    def __init__(self, *args, members, substitutes: dict[int, list], acting_chairs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        self.people = {}
        # Offered only when the chair and the deputy were both recorded away (the service
        # refuses it otherwise): who may be chosen is ``acting_chairs``.
        self.acting_chairs = {str(p.pk): p for p in acting_chairs or []}
        for membership in members:
            person = membership.person
            status = forms.ChoiceField(
                label=f"Did {person.full_name} attend?",
                choices=AttendanceStatus.choices,
                widget=forms.RadioSelect,
                error_messages={"required": f"Select whether {person.full_name} attended"},
            )
            options = substitutes.get(person.pk, [])
            self.people.update({str(p.pk): p for p in options})
            substitute = forms.ChoiceField(
                label=f"Substitute for {person.full_name} (optional)",
                required=False,
                choices=[("", "No substitute")] + [(str(p.pk), p.full_name) for p in options],
            )
            self.fields[f"status_{person.pk}"] = status
            self.fields[f"substitute_{person.pk}"] = substitute
            self.rows.append((membership, f"status_{person.pk}", f"substitute_{person.pk}"))
        if acting_chairs is not None:
            self.fields["acting_chair"] = forms.ChoiceField(
                label="Acting chair",
                help_text="The chair and the deputy chair were both absent. Select the member "
                "present whom the members chose to chair the meeting: they approve its minutes "
                "as the chair would.",
                required=False,
                choices=[("", "No acting chair recorded")]
                + [(pk, p.full_name) for pk, p in self.acting_chairs.items()],
            )

    def chosen_acting_chair(self):
        return self.acting_chairs.get(self.cleaned_data.get("acting_chair") or "")

    def bound_rows(self):
        return [(m, self[status], self[substitute]) for m, status, substitute in self.rows]

    def records(self) -> dict:
        out = {}
        for membership, status, substitute in self.rows:
            chosen = self.cleaned_data.get(substitute)
            out[membership.person_id] = (
                self.cleaned_data.get(status),
                self.people.get(chosen) if chosen else None,
            )
        return out


class InterestForm(BaseForm):
    item = forms.ModelChoiceField(label="Item", queryset=None, empty_label=None)
    person = forms.ModelChoiceField(label="Member", queryset=None)
    nature = forms.CharField(
        label="Nature of the interest",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: a trustee of the charity bidding for the contract.",
    )

    def __init__(self, *args, items, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda p: p.full_name


class ActionForm(BaseForm):
    description = forms.CharField(label="Action", widget=forms.Textarea(attrs={"rows": 3}))
    item = forms.ModelChoiceField(
        label="Agenda item (optional)", queryset=None, required=False, empty_label="None"
    )
    owner = forms.ModelChoiceField(label="Owner", queryset=None)
    due_on = DateField(label="Due date", help_text="For example, 30 6 2027")

    def __init__(self, *args, items, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["owner"].queryset = people
        self.fields["owner"].label_from_instance = lambda p: p.full_name


class MinutesForm(BaseForm):
    """A minute and a decision for each agenda item."""

    def __init__(self, *args, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for entry in entries:
            item = entry.item
            self.fields[f"text_{item.pk}"] = forms.CharField(
                label=f"Minute for item {item.position}: {item.title}",
                required=False,
                initial=entry.text,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
            self.fields[f"decision_{item.pk}"] = forms.CharField(
                label=f"Decision on item {item.position} (optional)",
                required=False,
                initial=entry.decision,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.rows.append((entry, f"text_{item.pk}", f"decision_{item.pk}"))

    def entries(self) -> dict:
        return {
            entry.item_id: (self.cleaned_data[text], self.cleaned_data[decision])
            for entry, text, decision in self.rows
        }


class ReviewForm(BaseForm):
    """The chair's decision on a document submitted to them: approve it, or return it with
    comments (governance.services.approval). Minutes by default; a report says
    ``ReviewForm(data, what="this report", the="the report", it="it")``."""

    outcome = forms.ChoiceField(widget=forms.RadioSelect)
    comments = forms.CharField(
        label="Comments", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(
        self,
        *args,
        what: str = "these minutes",
        the: str = "the minutes",
        it: str = "them",
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        outcome = self.fields["outcome"]
        outcome.label = f"Do you approve {what}?"
        outcome.choices = [
            ("approve", f"Yes, approve {it}"),
            ("return", f"No, return {it} with comments"),
        ]
        outcome.error_messages["required"] = f"Select whether you approve {the}"
        self.fields[
            "comments"
        ].help_text = f"Required if you return {it}: say what needs to change."
