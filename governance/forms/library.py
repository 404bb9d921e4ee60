"""Forms for the document library and for a supplementary paper. They check what a form can;
the rules (labels unique, dates in order, the file's content) live in
governance.services.library and governance.services.papers, whose errors land next to the
field they are about."""

from __future__ import annotations

from django import forms

from governance.forms.meetings import PaperForm, UploadMixin
from governance.models import DocumentType
from partnership.forms import BaseForm, DateField

ACCEPT = ".pdf,.docx,.doc,.xlsx,.xls,.odt,.ods"


def _upload(label: str) -> forms.FileField:
    return forms.FileField(
        label=label,
        help_text="PDF, Word, Excel or OpenDocument.",
        error_messages={"required": "Select the file", "empty": "The selected file is empty."},
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )


class DocumentDetailsForm(BaseForm):
    title = forms.CharField(label="Title", max_length=200)
    doc_type = forms.ChoiceField(
        label="Type of document", choices=DocumentType.choices, widget=forms.RadioSelect
    )
    summary = forms.CharField(
        label="Summary (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the document is for, in a sentence or two. It is shown in the list.",
    )
    members_only = forms.BooleanField(
        label="For members only",
        required=False,
        help_text="Only the members and co-ordinators see it, not the public.",
    )


class DocumentForm(UploadMixin, DocumentDetailsForm):
    """A new document with its first version."""

    version = forms.CharField(
        label="Version", max_length=20, help_text="For example 1.0, 2, or 2026."
    )
    issued_on = DateField(label="Date of this version", help_text="For example, 1 4 2026")
    upload = _upload("The document's file")


class VersionForm(UploadMixin, BaseForm):
    version = forms.CharField(
        label="Version", max_length=20, help_text="A new label, for example 2.0."
    )
    issued_on = DateField(
        label="Date of this version",
        help_text="The version it replaces is marked superseded on this date. "
        "For example, 1 4 2026",
    )
    change_note = forms.CharField(
        label="What changed",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Shown beside the version, so readers know what is different.",
    )
    upload = _upload("The new version's file")


class SupplementaryPaperForm(PaperForm):
    """A paper added after the papers were circulated, accepted late by the chair."""

    late_reason = forms.CharField(
        label="Why did the chair accept the paper late?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown with the paper: “Late paper: …”.",
        error_messages={"required": "Enter why the chair accepted the paper late"},
    )
    accepted_by = forms.ChoiceField(label="Who accepted it?", widget=forms.RadioSelect, choices=[])

    def __init__(self, *args, acceptors, **kwargs):
        super().__init__(*args, **kwargs)
        upload = self.fields["upload"]
        upload.required = True
        upload.label = "Upload the paper"
        upload.help_text = "PDF, Word, Excel or OpenDocument."
        upload.error_messages["required"] = "Select the paper's file"
        self.fields.pop("change_note", None)
        self.acceptors = {str(p.pk): p for p in acceptors}
        self.fields["accepted_by"].choices = [(pk, p.full_name) for pk, p in self.acceptors.items()]
        self.fields["accepted_by"].error_messages["required"] = (
            "Select the chair or deputy chair who accepted the paper"
        )

    def clean_accepted_by(self):
        return self.acceptors.get(self.cleaned_data["accepted_by"])
