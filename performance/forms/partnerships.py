"""Forms for the register of key partnerships: a key partnership (its fields grouped under the
headings its page uses), ending one, and the register's settings.

The rules that span fields (a "yes" to the criteria names them, additional monitoring says why,
the next review after the last or worked out from it) are the service's: its errors come back
to the field they concern (``add_service_error``)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from partnership.forms import BaseForm, DateField
from performance.forms.risks import PartnershipCheckboxes
from performance.models import KEY_CRITERIA, KeyPartnership, KeyPartnershipSettings

__all__ = ["EndForm", "KeyPartnershipForm", "RegisterSettingsForm"]

YES_NO = [("yes", "Yes"), ("no", "No")]
LINKS = ("bodies", "partner_organisations", "risks", "indicators")


def _area(label: str, rows: int = 3, **kwargs) -> forms.CharField:
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


def _text(label: str, max_length: int, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        error_messages={
            "max_length": f"{label.removesuffix(' (optional)')} must be {max_length} characters "
            "or fewer",
            **kwargs.pop("error_messages", {}),
        },
        **kwargs,
    )


def _yes_no(label: str, required: str, **kwargs) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": required},
        **kwargs,
    )


# (heading, field names): the form's sections, as the record's page groups them.
SECTIONS = (
    ("Leads", ("name", "lead_organisation", "lead_service", "lead_officer")),
    ("Remit", ("remit", "bodies")),
    ("Partners", ("partner_organisations", "other_partners")),
    ("Key criteria", ("meets_key_criteria", "key_criteria", "key_criteria_notes")),
    (
        "Monitoring",
        (
            "monitoring_arrangements",
            "additional_monitoring",
            "additional_monitoring_reason",
            "reports_to_executive",
        ),
    ),
    (
        "Memorandum of understanding or terms of reference",
        ("mou_file", "remove_mou_file", "mou_text", "mou_approved_by", "mou_approved_on"),
    ),
    ("Money and liabilities", ("funding", "annual_value", "liabilities")),
    ("Exit", ("exit_strategy", "notice_period")),
    ("Risks and performance", ("risks", "indicators")),
    ("Reviews", ("last_reviewed_on", "next_review_on")),
)


class KeyPartnershipForm(BaseForm):
    name = _text("Name", 200, help_text="For example, Mercia Vale Leisure Trust.")
    lead_organisation = forms.ModelChoiceField(
        label="Lead organisation",
        queryset=None,
        error_messages={
            "required": "Select the lead organisation",
            "invalid_choice": "Select an organisation of this partnership",
        },
    )
    lead_service = _text(
        "Lead service", 200, help_text="For example, Streetscene and Leisure Contracts."
    )
    lead_officer = forms.ModelChoiceField(
        label="Lead officer",
        queryset=None,
        help_text="Leads its reviews and is reminded when one is due.",
        error_messages={
            "required": "Select the lead officer",
            "invalid_choice": "Select someone who sits on a body of the partnership",
        },
    )
    remit = _area("Remit and purpose", error_messages={"required": "Enter the remit and purpose"})
    bodies = PartnershipCheckboxes("Our bodies it links to (optional)")
    partner_organisations = PartnershipCheckboxes("Partner organisations (optional)")
    other_partners = _area(
        "Other partners (optional)",
        required=False,
        help_text="Partners that are not organisations of this partnership, one a line.",
    )
    meets_key_criteria = _yes_no(
        "Does it meet the criteria for a key partnership?",
        "Select whether it meets the criteria for a key partnership",
    )
    key_criteria = forms.MultipleChoiceField(
        label="Criteria it meets",
        choices=list(KEY_CRITERIA.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="At least one, when it meets the criteria.",
        error_messages={"invalid_choice": "Select from the criteria listed"},
    )
    key_criteria_notes = _area("About the criteria (optional)", required=False)
    monitoring_arrangements = _area(
        "Monitoring arrangements",
        rows=4,
        help_text="Meetings, reports and who sees them.",
        error_messages={"required": "Enter the monitoring arrangements"},
    )
    additional_monitoring = _yes_no(
        "Is additional monitoring required?",
        "Select whether additional monitoring is required",
    )
    additional_monitoring_reason = _area(
        "Why additional monitoring is required (optional)",
        required=False,
        help_text="Needed when additional monitoring is required.",
    )
    reports_to_executive = forms.BooleanField(
        label="It has its own reports to the executive",
        required=False,
        help_text="If not, it is in the twice-yearly key partnerships report.",
    )
    mou_file = forms.FileField(
        label="Memorandum file (optional)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.doc,.odt,application/pdf"}),
    )
    remove_mou_file = forms.BooleanField(label="Remove the current file", required=False)
    mou_text = _area(
        "Memorandum or terms of reference as text (optional)",
        rows=6,
        required=False,
        help_text="A file, its text, or both.",
    )
    mou_approved_by = _text(
        "Memorandum approved by (optional)", 200, required=False, help_text="Name and role."
    )
    mou_approved_on = DateField(
        label="Memorandum approved on (optional)",
        required=False,
        help_text="For example, 12 11 2025",
    )
    funding = _area("Funding (optional)", required=False)
    annual_value = forms.DecimalField(
        label="Annual value in pounds (optional)",
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={
            "invalid": "Enter the annual value as a number of pounds, like 125000",
            "min_value": "The annual value cannot be less than £0",
            "max_digits": "Enter an annual value of less than £1,000,000,000,000",
            "max_decimal_places": "Enter the annual value in pounds and pence, like 125000.50",
            "max_whole_digits": "Enter an annual value of less than £1,000,000,000,000",
        },
    )
    liabilities = _area("Liabilities (optional)", required=False)
    exit_strategy = _area("Exit strategy (optional)", rows=4, required=False)
    notice_period = _text(
        "Notice period (optional)", 300, required=False, help_text="With any exceptions."
    )
    risks = PartnershipCheckboxes("Linked risks (optional)")
    indicators = PartnershipCheckboxes("Linked indicators (optional)")
    last_reviewed_on = DateField(
        label="Last reviewed (optional)", required=False, help_text="For example, 14 3 2025"
    )
    next_review_on = DateField(
        label="Next review due",
        required=False,
        help_text="Leave blank to work it out from the last review. For example, 14 3 2028",
    )

    def __init__(
        self,
        *args,
        organisations,
        people,
        bodies,
        risks,
        indicators,
        has_file: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["lead_organisation"].queryset = organisations
        self.fields["lead_officer"].queryset = people
        self.fields["lead_officer"].label_from_instance = lambda person: person.full_name
        self.fields["bodies"].queryset = bodies
        self.fields["partner_organisations"].queryset = organisations
        self.fields["risks"].queryset = risks
        self.fields["risks"].label_from_instance = lambda r: f"{r.code}: {r.title}"
        self.fields["indicators"].queryset = indicators
        self.fields["indicators"].label_from_instance = lambda i: f"{i.code}: {i.title}"
        limit = filesizeformat(settings.PAPER_MAX_BYTES)
        self.fields["mou_file"].help_text = (
            f"A PDF, Word or OpenDocument file, smaller than {limit}."
            + (" Choose a file only to replace the current one." if has_file else "")
        )
        if not has_file:
            del self.fields["remove_mou_file"]

    @classmethod
    def initial_from(cls, kp: KeyPartnership) -> dict:
        initial = {
            name: getattr(kp, name)
            for name in cls.base_fields
            if name not in (*LINKS, "mou_file", "remove_mou_file")
        }
        for name in ("meets_key_criteria", "additional_monitoring"):
            initial[name] = "yes" if getattr(kp, name) else "no"
        for name in LINKS:
            initial[name] = [obj.pk for obj in getattr(kp, name).all()]
        return initial

    def sections(self) -> list[tuple[str, list]]:
        return [
            (heading, [self[name] for name in names if name in self.fields])
            for heading, names in SECTIONS
        ]


class EndForm(BaseForm):
    reason = _area(
        "Why is it ending?",
        help_text="For example: the contract ended, or the partners agreed to wind it up.",
        error_messages={"required": "Say why the key partnership is ending"},
    )
    ended_on = DateField(
        label="Date it ended (optional)",
        required=False,
        help_text="Leave blank for today. For example, 31 3 2027",
    )


class RegisterSettingsForm(BaseForm):
    review_years = forms.IntegerField(
        label="Review each key partnership every (years)",
        min_value=1,
        max_value=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text="From 1 to 10 years. The framework asks for at least every three years.",
        error_messages={
            "required": "Enter how many years between reviews",
            "invalid": "Enter a whole number of years from 1 to 10",
            "min_value": "Enter a whole number of years from 1 to 10",
            "max_value": "Enter a whole number of years from 1 to 10",
        },
    )
    publish_register = forms.BooleanField(
        label="Publish the register",
        required=False,
        help_text=(
            "The public then sees each key partnership's name, leads, remit, partners, "
            "monitoring and review dates: never its money, risks, exit strategy or memorandum."
        ),
    )

    @classmethod
    def initial_from(cls, settings_row: KeyPartnershipSettings) -> dict:
        return {
            "review_years": settings_row.review_years,
            "publish_register": settings_row.publish_register,
        }
