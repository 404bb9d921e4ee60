"""Forms for the registers of interests and of gifts and hospitality."""

from __future__ import annotations

from django import forms

from governance.models import (
    GiftDecision,
    GiftKind,
    InterestHolder,
    InterestKind,
    RulingOutcome,
)
from partnership.forms import BaseForm, DateField

# Who holds an interest, asked of the member declaring it.
HOLDER_CHOICES = [
    (InterestHolder.SELF, "You"),
    (InterestHolder.HOUSEHOLD, "Your partner or a member of your household"),
    (InterestHolder.ASSOCIATE, "A close associate of yours"),
]

WITHHOLD_HELP = (
    "Only if publishing it could put someone at risk or breach a duty of confidence. The "
    "public register says an entry was withheld and gives this reason; the chair, the "
    "co-ordinators and the governance lead still see it."
)


class MoneyField(forms.DecimalField):
    """Pounds, typed as people type them: 45, 45.50, £1,200."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 10)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "off"}))
        super().__init__(**kwargs)
        self.error_messages["invalid"] = f"{self.label} must be an amount in pounds, like 45.50"
        self.error_messages["max_decimal_places"] = (
            f"{self.label} can have no more than 2 decimal places (pence)"
        )

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace("£", "").replace(",", "")
        return super().to_python(value)


class DeclarationForm(BaseForm):
    kind = forms.ChoiceField(
        label="Type of interest", choices=InterestKind.choices, widget=forms.RadioSelect
    )
    holder = forms.ChoiceField(
        label="Who holds the interest?",
        choices=HOLDER_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who holds the interest"},
    )
    organisation = forms.ModelChoiceField(
        label="Organisation it concerns (optional)",
        queryset=None,
        required=False,
        empty_label="None of the partnership's organisations",
    )
    body = forms.ModelChoiceField(
        label="Body it concerns (optional)",
        queryset=None,
        required=False,
        empty_label="None of the partnership's bodies",
    )
    project = forms.CharField(
        label="Project or other matter it concerns (optional)",
        required=False,
        max_length=200,
        help_text="Name at least one organisation, body or project. For example: Youth Hub.",
    )
    description = forms.CharField(
        label="Describe the interest",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Describe the interest"},
        help_text="For example: I am a paid trustee of the charity, which bids for grants.",
    )
    starts_on = DateField(
        label="Held from",
        help_text="For example, 1 4 2026",
        error_messages={"required": "Enter the date you held it from"},
    )
    withheld_reason = forms.CharField(
        label="Reason to withhold it from the public register (optional)",
        required=False,
        max_length=300,
        help_text=WITHHOLD_HELP,
    )

    def __init__(self, *args, organisations, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["body"].queryset = bodies


class DeclarationUpdateForm(DeclarationForm):
    changed_on = DateField(label="Date circumstances changed", help_text="For example, 1 9 2026")
    change_note = forms.CharField(
        label="What changed?",
        max_length=300,
        error_messages={"required": "Say what changed"},
        help_text="For example: I became chair of the charity's board.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The new version starts when circumstances changed, not when the interest began.
        del self.fields["starts_on"]


class DeclarationEndForm(BaseForm):
    ended_on = DateField(
        label="Date it ended",
        help_text="The first day you no longer held it. For example, 31 3 2027",
    )
    reason = forms.CharField(
        label="Why did it end? (optional)",
        required=False,
        max_length=300,
        help_text="For example: I stood down as a trustee.",
    )


class RulingForm(BaseForm):
    outcome = forms.ChoiceField(
        label="Ruling", choices=RulingOutcome.choices, widget=forms.RadioSelect
    )
    restrictions = forms.CharField(
        label="Items or projects the member takes no part in",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed for a restriction. For example: decisions on Youth Hub funding.",
    )
    reason = forms.CharField(
        label="Reason for the ruling", widget=forms.Textarea(attrs={"rows": 3})
    )


class DisputeForm(BaseForm):
    dispute_reason = forms.CharField(
        label="Why do you dispute the ruling?",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why you dispute the ruling"},
        help_text="The governance lead reads this and settles the dispute.",
    )


class SettleForm(BaseForm):
    decision = forms.ChoiceField(
        label="Settlement",
        choices=[("uphold", "Uphold the ruling"), ("change", "Change the ruling")],
        widget=forms.RadioSelect,
    )
    settled_outcome = forms.ChoiceField(
        label="New ruling (if changed)",
        choices=[("", "Select a ruling"), *RulingOutcome.choices],
        required=False,
    )
    settled_restrictions = forms.CharField(
        label="Items or projects the member takes no part in (for a restriction)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    settlement_reason = forms.CharField(
        label="Reason for the settlement", widget=forms.Textarea(attrs={"rows": 3})
    )


class GiftForm(BaseForm):
    kind = forms.ChoiceField(
        label="Gift or hospitality?",
        choices=GiftKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select gift or hospitality"},
    )
    body = forms.ModelChoiceField(
        label="Role it was offered in",
        queryset=None,
        empty_label=None,
        help_text="The body whose business it was offered in connection with.",
    )
    donor = forms.CharField(
        label="Who offered it?",
        max_length=200,
        error_messages={"required": "Enter who offered it"},
        help_text="A person and their organisation, for example Kestrel Services Ltd.",
    )
    description = forms.CharField(
        label="What was offered?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Describe what was offered"},
        help_text="For example: two tickets to the Chamber of Commerce annual dinner.",
    )
    value = MoneyField(label="Estimated value", help_text="In pounds, for example 45.50")
    offered_on = DateField(label="Date offered", help_text="For example, 14 11 2026")
    decision = forms.ChoiceField(
        label="Did you accept or decline it?",
        choices=GiftDecision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you accepted or declined it"},
    )
    advice_sought = forms.BooleanField(
        label="I sought advice before deciding",
        required=False,
        help_text="From the chair, the deputy chair or the partnership team.",
    )
    advice_from = forms.CharField(
        label="Whose advice? (if you sought it)", required=False, max_length=200
    )
    withheld_reason = forms.CharField(
        label="Reason to withhold it from the public register (optional)",
        required=False,
        max_length=300,
        help_text=WITHHOLD_HELP,
    )

    def __init__(self, *args, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies


class RegisterSettingsForm(BaseForm):
    publish_interests = forms.BooleanField(
        label="Publish the register of interests", required=False
    )
    publish_gifts = forms.BooleanField(
        label="Publish the gifts and hospitality register", required=False
    )
    gift_threshold = MoneyField(
        max_digits=8,  # as the column: up to £999,999.99
        label="Value that draws the chair's attention",
        help_text="In pounds. Gifts and hospitality worth more are highlighted for the chair, "
        "who is told when one is declared.",
    )


class ExportForm(BaseForm):
    register = forms.ChoiceField(
        label="Register",
        choices=[("interests", "Register of interests"), ("gifts", "Gifts and hospitality")],
        widget=forms.RadioSelect,
    )
    format = forms.ChoiceField(
        label="Format",
        choices=[("csv", "CSV (for a spreadsheet)"), ("pdf", "PDF (to print or publish)")],
        widget=forms.RadioSelect,
    )
    start = DateField(label="From", help_text="For example, 1 4 2026")
    end = DateField(label="To", help_text="For example, 31 3 2027")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "The end of the range must be on or after its start")
        return cleaned
