"""The risk register's import: the indicators' upload form (checked by content, as every upload
is), with words for risks."""

from __future__ import annotations

from django import forms

from performance.forms.transfer import ImportForm

__all__ = ["RiskImportForm"]


class RiskImportForm(ImportForm):
    upload = forms.FileField(
        label="Upload a file",
        help_text="A CSV or Excel (.xlsx) file, with a header row and a row for each risk.",
        widget=forms.FileInput(attrs={"accept": ".csv,.xlsx"}),
        error_messages={
            "required": "Select a CSV or Excel file",
            "empty": "The selected file is empty.",
        },
    )
