from __future__ import annotations

import datetime
from html import escape

from django import forms
from django.conf import settings
from django.db.models import Q, QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from membership.models import AppointmentRole, Post, Role, Seat, TieRule, User
from partnership.forms import BaseForm, DateField
from partnership.models import Body, Organisation, Sector


class SeatForm(BaseForm):
    name = forms.CharField(
        label="Name of the membership category",
        max_length=200,
        help_text="For example, Business sector representatives",
    )
    count = forms.IntegerField(label="Number of places", min_value=1, max_value=500)
    sector = forms.ChoiceField(
        label="Sector (optional)",
        choices=[("", "Any sector"), *Sector.choices],
        required=False,
    )
    nominating_organisation = forms.ModelChoiceField(
        label="Nominated by an organisation (optional)",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="No organisation",
    )
    nominating_body = forms.ModelChoiceField(
        label="Or nominated by a body (optional)",
        queryset=Body.objects.none(),
        required=False,
        empty_label="No body",
        help_text="For example, a thematic group choosing its representatives.",
    )
    voting = forms.TypedChoiceField(
        label="Do holders of this seat vote?",
        choices=[("True", "Yes, voting members"), ("False", "No, they advise or observe")],
        coerce=lambda v: v == "True",
        widget=forms.RadioSelect,
    )
    description = forms.CharField(
        label="Role and reason for being selected (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    # "Held by the chair of the Safer Group": the seat follows that office (issue 16).
    office_role = forms.ChoiceField(
        label="Held by virtue of an office (optional)",
        choices=[
            ("", "Not held by an office"),
            ("chair", "Held by the chair"),
            ("deputy_chair", "Held by the deputy chair"),
        ],
        required=False,
        help_text="For example, the thematic leads on the board are the groups' chairs. "
        "Whoever holds the office holds the seat, and it changes hands when they do.",
    )
    office_body = forms.ModelChoiceField(
        label="Of which body",
        queryset=Body.objects.none(),
        required=False,
        empty_label="No body",
    )

    def __init__(self, *args, body: Body, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nominating_organisation"].queryset = Organisation.objects.filter(
            partnership_id=body.partnership_id
        )
        others = Body.objects.filter(partnership_id=body.partnership_id).exclude(pk=body.pk)
        self.fields["nominating_body"].queryset = others
        self.fields["office_body"].queryset = others.filter(closed_on__isnull=True)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("nominating_organisation") and cleaned.get("nominating_body"):
            self.add_error(
                "nominating_body",
                "Choose a nominating organisation or a nominating body, not both",
            )
        if cleaned.get("office_role") and not cleaned.get("office_body"):
            self.add_error("office_body", "Select the body whose office holds the seat")
        if cleaned.get("office_body") and not cleaned.get("office_role"):
            self.add_error("office_role", "Select the office that holds the seat")
        return cleaned

    @classmethod
    def initial_from(cls, seat: Seat) -> dict:
        initial = {f: getattr(seat, f) for f in cls.base_fields}
        initial["voting"] = str(seat.voting)
        return initial


def people_known_to(body: Body) -> QuerySet[User]:
    """People who hold or held a place in the body's partnership: the ones a co-ordinator may
    choose from. Anyone else is added by e-mail address."""
    return (
        User.objects.filter(
            Q(memberships__body__partnership_id=body.partnership_id)
            | Q(appointments__partnership_id=body.partnership_id)
        )
        .distinct()
        .order_by("full_name")
    )


class SeatChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, seat: Seat) -> str:
        places = f"{seat.count} place{'s' if seat.count != 1 else ''}"
        return f"{seat.name} ({places}{'' if seat.voting else ', non-voting'})"


class MembershipForm(BaseForm):
    seat = SeatChoiceField(label="Seat", queryset=Seat.objects.none())
    person = forms.ModelChoiceField(
        label="Person",
        queryset=User.objects.none(),
        required=False,
        empty_label="Someone new (enter their details below)",
    )
    new_full_name = forms.CharField(
        label="Full name of someone new", required=False, max_length=150
    )
    new_email = forms.EmailField(
        label="E-mail address of someone new",
        required=False,
        help_text="They set their own password with 'Forgotten your password?'",
    )
    organisation = forms.ModelChoiceField(
        label="Organisation they represent",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="None: an independent or community member",
    )
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.MEMBER)
    starts_on = DateField(label="Start date", help_text="For example, 1 4 2026")
    ends_on = DateField(
        label="End date (optional)",
        required=False,
        help_text="The first day they no longer hold the seat. Leave empty if open-ended.",
    )

    def __init__(self, *args, body: Body, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seat"].queryset = Seat.objects.filter(body=body)
        self.fields["person"].queryset = people_known_to(body)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            partnership_id=body.partnership_id
        )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("person") and "person" not in self.errors:
            if not cleaned.get("new_full_name"):
                self.add_error("new_full_name", "Enter the full name of the person to appoint")
            if not cleaned.get("new_email") and "new_email" not in self.errors:
                self.add_error("new_email", "Enter the e-mail address of the person to appoint")
        return cleaned


class MembershipEditForm(BaseForm):
    role = forms.ChoiceField(label="Role", choices=Role.choices)
    organisation = forms.ModelChoiceField(
        label="Organisation they represent",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="None: an independent or community member",
    )
    starts_on = DateField(label="Start date")
    ends_on = DateField(
        label="End date (optional)",
        required=False,
        help_text="The first day they no longer hold the seat.",
    )

    def __init__(self, *args, body: Body, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            partnership_id=body.partnership_id
        )


class MembershipEndForm(BaseForm):
    ends_on = DateField(
        label="Date the membership ends",
        help_text="The first day they no longer hold the seat. For example, 1 4 2027",
    )
    reason = forms.CharField(
        label="Reason (optional)",
        required=False,
        max_length=200,
        help_text="For example: resigned, term ended, organisation nominated someone else.",
    )


class ProfileForm(BaseForm):
    full_name = forms.CharField(label="Full name", max_length=150)
    job_title = forms.CharField(label="Job title (optional)", required=False, max_length=150)
    phone = forms.CharField(
        label="Telephone (optional)",
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    postal_address = forms.CharField(
        label="Postal address (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    contact_public = forms.BooleanField(
        label="Show my e-mail address, telephone and postal address to the public",
        required=False,
        help_text="Your name, job title, organisation and role are always public while you sit "
        "on a body. Fellow members and co-ordinators of your bodies always see your contact "
        "details.",
    )


class AppointmentForm(BaseForm):
    email = forms.EmailField(label="E-mail address")
    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        required=False,
        help_text="Needed only if they do not yet have an account.",
    )
    role = forms.ChoiceField(label="Appointment", choices=AppointmentRole.choices)
    body = forms.ModelChoiceField(
        label="Body",
        queryset=Body.objects.none(),
        required=False,
        empty_label="The whole partnership",
        help_text="A co-ordinator of a body also co-ordinates the bodies that report to it.",
    )
    starts_on = DateField(label="Start date")

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = Body.objects.filter(partnership=partnership).open()


# --- elections -----------------------------------------------------------------------------------

TIME_HINT = "Use the 24-hour clock, for example 17:00"


class TimeField(forms.CharField):
    """A time of day typed as HH:MM, as the GOV.UK pattern for times suggests."""

    def to_python(self, value):
        value = super().to_python(value).strip().replace(".", ":")
        if not value:
            return None
        try:
            hours, minutes = (int(part) for part in value.split(":"))
            return datetime.time(hours, minutes)
        except (TypeError, ValueError) as exc:
            raise forms.ValidationError(f"{self.label} must be a time, like 17:00") from exc


def at(day, time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


class ElectionForm(BaseForm):
    post = forms.ChoiceField(
        label="What is the election for?",
        choices=[
            ("chair", "Chair"),
            ("deputy_chair", "Deputy chair"),
            ("seat", "Places in a seat"),
        ],
        widget=forms.RadioSelect,
    )
    # Asked only for places in a seat: the template shows them under that choice (the GOV.UK
    # conditional reveal), and a chair or deputy election ignores whatever they hold.
    seat = forms.ModelChoiceField(
        label="Seat",
        queryset=Seat.objects.none(),
        required=False,
        empty_label="Select a seat",
    )
    places = forms.IntegerField(
        label="Number of places to fill",
        min_value=1,
        max_value=50,
        initial=1,
        required=False,
    )
    nominations_close_on = DateField(label="Nominations close on")
    nominations_close_time = TimeField(label="Nominations close at", help_text=TIME_HINT)
    voting_opens_on = DateField(label="Voting opens on")
    voting_opens_time = TimeField(label="Voting opens at", help_text=TIME_HINT)
    voting_closes_on = DateField(label="Voting closes on")
    voting_closes_time = TimeField(label="Voting closes at", help_text=TIME_HINT)
    term_starts_on = DateField(
        label="Term starts on", help_text="The day the elected take up the post."
    )
    tie_rule = forms.ChoiceField(
        label="If candidates tie", choices=TieRule.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, body: Body, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seat"].queryset = Seat.objects.filter(body=body)

    # Only the fields of the chosen kind of election count: a chair has no seat.
    SEAT_FIELDS = ("seat", "places")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("post") == Post.SEAT:
            if not cleaned.get("seat") and "seat" not in self.errors:
                self.add_error("seat", "Select the seat whose places are to be filled")
            if cleaned.get("places") is None and "places" not in self.errors:
                self.add_error("places", "Enter the number of places to fill")
        else:
            for name in self.SEAT_FIELDS:
                self.errors.pop(name, None)
            cleaned["seat"], cleaned["places"] = None, 1
        for name in ("nominations_close", "voting_opens", "voting_closes"):
            day, time = cleaned.get(f"{name}_on"), cleaned.get(f"{name}_time")
            cleaned[f"{name}_at"] = at(day, time) if day and time else None
        return cleaned


class ProposeForm(BaseForm):
    person = forms.ModelChoiceField(
        label="Who do you propose?",
        queryset=User.objects.none(),
        empty_label="Select a person",
        error_messages={"required": "Select the person you propose"},
    )
    organisation = forms.ModelChoiceField(
        label="Organisation they would represent (optional)",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="None: an independent or community member",
    )

    def __init__(self, *args, people, body: Body, election, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        if election.post == Post.SEAT:
            self.fields["organisation"].queryset = Organisation.objects.filter(
                partnership_id=body.partnership_id
            )
        elif election.post == Post.CHAIR and body.chair_from_outside:
            # The body's rules of office (issue 16): a chair from outside the membership
            # represents one of the organisations they represent elsewhere in the partnership.
            field = self.fields["organisation"]
            field.queryset = Organisation.objects.filter(partnership_id=body.partnership_id)
            field.label = "Organisation a chair from outside would represent (optional)"
            field.help_text = (
                "Only for someone from outside the membership: one they represent on another "
                "body of the partnership. Leave this empty for a member (they represent the "
                "organisation they sit for) or to use the first they represent."
            )
            if body.chair_sector:
                field.queryset = field.queryset.filter(sector=body.chair_sector)
                field.help_text += (
                    f" The chair must represent the {body.get_chair_sector_display().lower()} "
                    "sector."
                )
        else:
            # A chair or deputy chair represents nobody: the question is not asked.
            del self.fields["organisation"]

    def person_options(self) -> SafeString:
        """The person select's options as HTML, built from (pk, name) rows: the same options
        and selection as the field's own widget, without a model instance, a bound widget and
        a template loop for each of a body's hundreds of members (issue 14)."""
        field = self["person"]
        chosen = field.field.widget.format_value(field.value())
        rows = [("", field.field.empty_label)]
        rows += (
            (str(pk), name or email)
            for pk, name, email in field.field.queryset.values_list("pk", "full_name", "email")
        )
        selected = next((value for value, _ in rows if value in chosen), None)
        # Escaped as the template would (django.utils.html.escape is html.escape).
        return mark_safe(  # noqa: S308 - every value and label is escaped here
            "".join(
                f'<option value="{escape(value)}"{" selected" if value == selected else ""}>'
                f"{escape(label)}</option>"
                for value, label in rows
            )
        )


class ReballotForm(BaseForm):
    days = forms.IntegerField(
        label="Days the re-ballot stays open",
        min_value=1,
        max_value=30,
        initial=7,
        help_text="From 1 to 30. If it would close on a weekend or bank holiday, it closes on "
        "the next working day.",
        error_messages={
            "required": "Enter the number of days the re-ballot stays open",
            "invalid": "Days the re-ballot stays open must be a number, like 7",
            "min_value": "The re-ballot must stay open for at least 1 day",
            "max_value": "The re-ballot can stay open for at most 30 days",
        },
    )


class ReceiptCheckForm(BaseForm):
    """A voter's receipt, their ballot's fingerprint, to check it was counted once the election
    is counted. Spaces (it is shown in groups of 8) and capitals do not matter."""

    receipt = forms.CharField(
        label="Your receipt (ballot fingerprint)",
        max_length=100,
        help_text="The 64 letters and digits you were shown when you voted. Spaces do not matter.",
        error_messages={
            "required": "Enter your receipt (ballot fingerprint)",
            "max_length": "Your receipt must be 64 letters and digits",
        },
    )

    def clean_receipt(self) -> str:
        code = "".join(self.cleaned_data["receipt"].split()).lower()
        if len(code) != 64 or any(ch not in "0123456789abcdef" for ch in code):
            raise forms.ValidationError(
                "Your receipt must be 64 letters and digits, the letters a to f only, as you "
                "were shown it when you voted"
            )
        return code


class ElectionOfficersForm(BaseForm):
    """The counting officers of an election and how many of them must count together. The
    choice is of the body's members and the partnership's co-ordinators and governance lead
    (``officer_choices``), and anyone already named."""

    officers = forms.TypedMultipleChoiceField(
        label="Counting officers",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose at least 2 people, and no more than 9. They cannot be candidates.",
        error_messages={"required": "Choose at least two counting officers"},
    )
    threshold = forms.IntegerField(
        label="How many officers must count together",
        min_value=2,
        max_value=9,
        initial=2,
        help_text="At least 2, so that no one officer can count alone. Choose fewer than the "
        "number of officers, so the count can go ahead if one is away.",
        error_messages={
            "required": "Enter how many officers must count together",
            "invalid": "How many officers must count together must be a number, like 2",
            "min_value": "At least 2 officers must count together",
            "max_value": "No more than 9 officers can count together",
        },
    )

    def __init__(self, *args, people: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officers"].choices = people


class CountingCodeForm(BaseForm):
    """A counting officer's code, entered to count. Never kept, logged or shown again."""

    code = forms.CharField(
        label="Your counting code",
        max_length=60,
        help_text="The code you made before voting opened, for example ABCD-EFGH-JKLM-NPQR-"
        "STUV-WXYZ23. Capitals, spaces and dashes do not matter.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": "Enter your counting code",
            "max_length": "Your counting code is 26 letters and digits: check it",
        },
    )

    def clean_code(self) -> str:
        from membership.crypto.officers import CODE_ALPHABET, CODE_LENGTH, normalise_code

        code = normalise_code(self.cleaned_data["code"])
        if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
            raise forms.ValidationError(
                f"Your counting code is {CODE_LENGTH} letters and digits (no 0, 1, O or I): "
                "check it against the one you saved"
            )
        return code


class RerunForm(BaseForm):
    """When a void election's voting opens and closes when it is run again."""

    voting_opens_on = DateField(label="Voting opens on")
    voting_opens_time = TimeField(label="Voting opens at", help_text=TIME_HINT)
    voting_closes_on = DateField(label="Voting closes on")
    voting_closes_time = TimeField(label="Voting closes at", help_text=TIME_HINT)

    def clean(self):
        cleaned = super().clean()
        for name in ("voting_opens", "voting_closes"):
            day, time = cleaned.get(f"{name}_on"), cleaned.get(f"{name}_time")
            cleaned[f"{name}_at"] = at(day, time) if day and time else None
        return cleaned


class RespondForm(BaseForm):
    answer = forms.ChoiceField(
        label="Will you stand?",
        choices=[("accept", "Yes, I will stand"), ("decline", "No, I decline")],
        widget=forms.RadioSelect,
    )
    statement = forms.CharField(
        label="Why you stand and what you would bring",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text="Shown to the voters beside your name.",
    )


class BallotForm(forms.Form):
    """The ballot paper: a choice of candidates or an explicit abstention. Its errors never
    repeat a choice."""

    choices = forms.TypedMultipleChoiceField(
        label="Your vote", coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    abstain = forms.BooleanField(label="I abstain", required=False)

    def __init__(self, *args, candidates, places: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.places = places
        self.fields["choices"].choices = [(c.pk, c.person.full_name) for c in candidates]

    def clean(self):
        cleaned = super().clean()
        chosen, abstain = cleaned.get("choices") or [], cleaned.get("abstain")
        if abstain and chosen:
            raise forms.ValidationError("Choose candidates or abstain, not both")
        if not abstain and not chosen:
            raise forms.ValidationError(
                "Choose a candidate, or choose to abstain"
                if self.places == 1
                else f"Choose up to {self.places} candidates, or choose to abstain"
            )
        if len(chosen) > self.places:
            raise forms.ValidationError(f"Choose no more than {self.places} candidates")
        return cleaned


class AgreementVersionForm(BaseForm):
    label = forms.CharField(
        label="Version",
        max_length=50,
        help_text="A short name members will see, for example 2026",
        error_messages={"required": "Enter the version, for example 2026"},
    )
    what_changed = forms.CharField(
        label="What changed",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Members read this before they sign. For the first version, say so.",
        error_messages={"required": "Say what changed in this version"},
    )
    upload = forms.FileField(
        label="The agreement as a PDF",
        error_messages={"required": "Select the agreement as a PDF file"},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = filesizeformat(settings.PAPER_MAX_BYTES)
        self.fields["upload"].help_text = f"A PDF file, smaller than {limit}."


class AgreementApprovalForm(BaseForm):
    body = forms.ModelChoiceField(
        label="Which body agreed it?",
        queryset=Body.objects.none(),
        empty_label="Select a body",
        help_text="Usually the partnership board.",
        error_messages={"required": "Select the body that agreed this version"},
    )
    agreed_on = DateField(
        label="Date it was agreed",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date it was agreed"},
    )

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = Body.objects.filter(partnership=partnership).open()
