"""Forms for the Partnership Board's reports: which half-year or financial year a report
covers, and which meeting a report goes to. They offer only periods and meetings that make
sense; what may be built or placed is the services' to decide, and their errors land next to
the field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django import forms

from governance.models import Meeting
from partnership.forms import BaseForm
from partnership.periods import Quarter, financial_year, financial_year_label

# Half-years offered for a six-monthly report (the last ones ended), and financial years for
# an annual report (the current one and this many before it).
HALVES_BACK = 3
YEARS_BACK = 3


@dataclass(frozen=True)
class Half:
    """Half of a financial year, named by its last quarter: 2 (April to September) or 4
    (October to March), as a six-monthly report stores it."""

    year: int
    half: int

    @property
    def value(self) -> str:
        return f"{self.year}-{self.half}"

    @property
    def label(self) -> str:
        months = "April to September" if self.half == 2 else "October to March"
        return f"{months} {financial_year_label(self.year)}"

    def previous(self) -> Half:
        return Half(self.year, 2) if self.half == 4 else Half(self.year - 1, 4)

    @classmethod
    def of(cls, day: date) -> Half:
        quarter = Quarter.of(day)
        return cls(quarter.year, 2 if quarter.number <= 2 else 4)


def halves_offered(today: date) -> tuple[list[Half], Half]:
    """The last HALVES_BACK half-years that have ended, newest first; and the default, the
    last one. A half-year in progress has no report yet: its figures are not all in."""
    last = Half.of(today).previous()
    halves = [last]
    while len(halves) < HALVES_BACK:
        halves.append(halves[-1].previous())
    return halves, last


def years_offered(today: date) -> tuple[list[int], int]:
    """The financial year in progress and the YEARS_BACK before it, newest first; and the
    default, the last one that ended."""
    current = financial_year(today)
    return [current - n for n in range(YEARS_BACK + 1)], current - 1


class HalfYearForm(BaseForm):
    half = forms.ChoiceField(
        label="Which half-year does the report cover?",
        widget=forms.RadioSelect,
        help_text="Its figures are the returns signed off for the half-year's quarters.",
        error_messages={"required": "Select the half-year the report covers"},
    )

    def __init__(self, *args, today: date, **kwargs):
        halves, default = halves_offered(today)
        kwargs.setdefault("initial", {"half": default.value})
        super().__init__(*args, **kwargs)
        self.halves = {h.value: h for h in halves}
        self.fields["half"].choices = [(h.value, h.label) for h in halves]
        self.fields["half"].error_messages["invalid_choice"] = "Select one of the half-years listed"

    def build_arguments(self) -> dict:
        chosen = self.halves[self.cleaned_data["half"]]
        return {"year": chosen.year, "half": chosen.half}


class KeyPartnershipsHalfForm(HalfYearForm):
    """The key partnerships report's half-year: the one in progress too (the report is often
    prepared in its last weeks, from the register as it stands), and by default."""

    def __init__(self, *args, today: date, **kwargs):
        current = Half.of(today)
        kwargs.setdefault("initial", {"half": current.value})
        super().__init__(*args, today=today, **kwargs)
        halves = [current, *self.halves.values()][:HALVES_BACK]
        self.halves = {h.value: h for h in halves}
        self.fields["half"].choices = [
            (h.value, h.label + (" (in progress)" if h == current else "")) for h in halves
        ]
        self.fields["half"].help_text = (
            "Reviews, changes and figures up to the half-year's end (or today, for the one in "
            "progress)."
        )


class FinancialYearForm(BaseForm):
    year = forms.ChoiceField(
        label="Which financial year does the report cover?",
        widget=forms.RadioSelect,
        help_text="A financial year runs from 1 April to 31 March.",
        error_messages={"required": "Select the financial year the report covers"},
    )

    def __init__(self, *args, today: date, **kwargs):
        years, default = years_offered(today)
        kwargs.setdefault("initial", {"year": str(default)})
        super().__init__(*args, **kwargs)
        current = financial_year(today)
        self.fields["year"].choices = [
            (str(y), financial_year_label(y) + (" (in progress)" if y == current else ""))
            for y in years
        ]
        self.fields["year"].error_messages["invalid_choice"] = (
            "Select one of the financial years listed"
        )

    def build_arguments(self) -> dict:
        return {"year": int(self.cleaned_data["year"])}


class NewsletterForm(BaseForm):
    """Nothing to choose: a newsletter is the next issue of the year, built from what is
    true today."""

    def build_arguments(self) -> dict:
        return {}


class MeetingChoiceForm(BaseForm):
    meeting = forms.ModelChoiceField(
        label="Which meeting should it go to?",
        queryset=Meeting.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Select the meeting it should go to",
            "invalid_choice": "Select one of the meetings listed",
        },
    )

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["meeting"]
        field.queryset = meetings
        field.label_from_instance = meeting_label


def meeting_label(meeting: Meeting) -> str:
    status = "" if meeting.is_published else " (agenda not yet published)"
    return f"{meeting.name}, {meeting.held_on.day} {meeting.held_on:%B %Y}{status}"
