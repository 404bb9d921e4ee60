"""Forms for importing indicators: the upload, checked by its content as every upload is, and
the confirmation, which names a kept upload and what its preview said (never the rows)."""

from __future__ import annotations

from django import forms
from django.conf import settings

from partnership.files import CSV, FileType, RejectedFile, check_upload
from partnership.forms import BaseForm

ACCEPT = {CSV, FileType.XLSX}
DESCRIBED = "a CSV (.csv) or Excel (.xlsx) file"
# 2,000 indicators with five years of targets fit in well under a megabyte.
MAX_BYTES = min(5 * 1024 * 1024, settings.PAPER_MAX_BYTES)


class ImportForm(BaseForm):
    upload = forms.FileField(
        label="Upload a file",
        help_text="A CSV or Excel (.xlsx) file, with a header row and a row for each indicator.",
        widget=forms.FileInput(attrs={"accept": ".csv,.xlsx"}),
        error_messages={
            "required": "Select a CSV or Excel file",
            "empty": "The selected file is empty.",
        },
    )

    def clean_upload(self) -> tuple[str, bytes]:
        """The file's safe name and bytes, once its content shows it is a CSV or Excel file."""
        upload = self.cleaned_data["upload"]
        # One byte past the limit is enough to know it is too big.
        data = upload.read(MAX_BYTES + 1)
        try:
            checked = check_upload(
                name=upload.name, data=data, accept=ACCEPT, described=DESCRIBED, max_bytes=MAX_BYTES
            )
        except RejectedFile as exc:
            raise forms.ValidationError(str(exc), code="rejected") from exc
        return checked.name, data


class ConfirmForm(forms.Form):
    upload_id = forms.RegexField(regex=r"^[A-Za-z0-9_-]{20,64}$", widget=forms.HiddenInput)
    fingerprint = forms.RegexField(regex=r"^[0-9a-f]{32}$", widget=forms.HiddenInput)
