"""Forms for reports: the narrative people write on a built report, submitting it to the chair,
the chair's review, and choosing the quarter of a new exception report. They read what was
typed; who may do what, and what a report must say before it is approved, is the services'."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxLengthValidator

from governance import forms as governance_forms
from partnership.forms import BaseForm
from partnership.periods import Quarter
from performance.models import Report, ReportKind

NARRATIVE_MAX = 5000


def _too_long(name: str, limit: int) -> dict:
    return {"max_length": f"{name} must be {limit:,} characters or fewer"}


def _text(label: str, *, name: str = "", hint: str = "", rows: int = 5) -> forms.CharField:
    """A narrative answer: optional while drafting (the report shows the prompt until it is
    written). ``name`` is how its error names it, when the label is a question."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=NARRATIVE_MAX,
        help_text=hint,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages=_too_long(name or label, NARRATIVE_MAX),
    )


def board_name(report: Report) -> str:
    board = report.facts.get("board") or {}
    return board.get("name") or "board"


class NarrativeForm(BaseForm):
    """The words on a report, by kind. An exception report asks the chair, for each
    exception, why it is off track and what is being done and by when (``why_<id>``,
    ``action_<id>``), then for a summary and what the board is asked to do.

    ``sections`` groups the fields for the page: a heading, the exception row it is about (or
    None) and its fields, in the order they are shown."""

    def __init__(self, *args, report: Report, **kwargs):
        super().__init__(*args, **kwargs)
        self.report = report
        self.sections: list[dict] = []
        facts = report.facts
        if report.kind == ReportKind.EXCEPTION:
            for row in facts.get("exceptions", []):
                code = row.get("code") or row.get("title", "")
                why, action = f"why_{row['id']}", f"action_{row['id']}"
                self.fields[why] = _text(
                    f"Why is {code} off track?", name=f"Why {code} is off track", rows=4
                )
                self.fields[action] = _text(
                    f"What is being done about {code}, and by when?",
                    name=f"What is being done about {code}",
                    rows=4,
                )
                self.sections.append(
                    {
                        "heading": f"{code}: {row.get('title', '')}",
                        "row": row,
                        "names": [why, action],
                    }
                )
            self.fields["summary"] = _text(
                "Summary",
                hint="The chair's overview of the quarter, for the "
                f"{board_name(report)}: the group's position and what it means.",
            )
            self.fields["asks"] = _text(
                f"What is the {board_name(report)} asked to do?",
                name=f"What the {board_name(report)} is asked to do",
                hint="This becomes the decision required on the board's agenda.",
                rows=3,
            )
            self.sections.append({"heading": "Overview", "row": None, "names": ["summary", "asks"]})
        elif report.kind == ReportKind.SIX_MONTHLY:
            self.fields["summary"] = _text(
                "Summary", hint="What the half-year shows, for the Partnership Board.", rows=8
            )
            self.sections.append({"heading": "", "row": None, "names": ["summary"]})
        elif report.kind == ReportKind.KEY_PARTNERSHIPS:
            self.fields["summary"] = _text(
                "Summary for the executive",
                hint="What the half-year shows about the key partnerships: which are "
                "delivering, and which give cause for concern.",
                rows=8,
            )
            self.fields["recommendations"] = _text(
                "Recommendations",
                hint="What the executive is asked to note or decide.",
                rows=5,
            )
            self.sections.append(
                {"heading": "", "row": None, "names": ["summary", "recommendations"]}
            )
        elif report.kind == ReportKind.ANNUAL:
            self.fields["foreword"] = _text(
                "Foreword", hint="The chair's introduction to the year.", rows=8
            )
            self.fields["highlights"] = _text(
                "Highlights", hint="What the partnership achieved this year.", rows=8
            )
            self.sections.append({"heading": "", "row": None, "names": ["foreword", "highlights"]})
        else:
            self.fields["headline"] = forms.CharField(
                label="Headline",
                required=False,
                max_length=200,
                error_messages=_too_long("Headline", 200),
            )
            self.fields["body"] = _text("What the newsletter says", rows=10)
            self.sections.append({"heading": "", "row": None, "names": ["headline", "body"]})
        for section in self.sections:
            section["fields"] = [self[name] for name in section["names"]]

    @classmethod
    def initial_from(cls, report: Report) -> dict:
        return {key: value for key, value in (report.narrative or {}).items() if value}

    def narrative(self) -> dict:
        """What was typed, trimmed, for ``report_save_narrative``."""
        return {name: (self.cleaned_data.get(name) or "").strip() for name in self.fields}


class SubmitForm(BaseForm):
    chair_unavailable = forms.BooleanField(
        label="The chair is unavailable",
        required=False,
        help_text="The deputy chair can then approve it instead.",
    )
    reason = forms.CharField(
        label="Why is the chair unavailable?",
        required=False,
        max_length=300,
        help_text="For example, on leave until the end of the month.",
        error_messages=_too_long("The reason", 300),
    )

    def clean(self):
        data = super().clean()
        if data.get("chair_unavailable") and not (data.get("reason") or "").strip():
            self.add_error("reason", "Enter why the chair is unavailable")
        if not data.get("chair_unavailable"):
            data["reason"] = ""
        return data


class ReviewForm(governance_forms.ReviewForm):
    """The chair's decision: the minutes' review form, worded for a report, its comments no
    longer than a narrative answer."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, what="this report", the="the report", it="it", **kwargs)
        comments = self.fields["comments"]
        comments.max_length = NARRATIVE_MAX
        comments.validators.append(MaxLengthValidator(NARRATIVE_MAX))
        comments.widget.attrs["maxlength"] = str(NARRATIVE_MAX)
        comments.error_messages.update(_too_long("Comments", NARRATIVE_MAX))


class QuarterForm(BaseForm):
    """Which quarter an exception report is drafted for: quarters that have ended."""

    period = forms.ChoiceField(label="Which quarter is the report for?", widget=forms.RadioSelect)

    def __init__(self, *args, quarters: list[Quarter], **kwargs):
        super().__init__(*args, **kwargs)
        self.quarters = {q.slug: q for q in quarters}
        self.fields["period"].choices = [(q.slug, q.long_label) for q in quarters]
        self.fields["period"].error_messages["required"] = "Select the quarter"

    def clean_period(self) -> Quarter:
        return self.quarters[self.cleaned_data["period"]]
