"""The form for a training and development record."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from partnership.forms import BaseForm, DateField


class TrainingRecordForm(BaseForm):
    course = forms.CharField(
        label="Course", max_length=200, help_text="For example, Safeguarding adults, level 2"
    )
    completed_on = DateField(label="Date completed", help_text="For example, 27 3 2026")
    provider = forms.CharField(
        label="Provider",
        max_length=200,
        help_text="Who ran the course, for example Testshire Council",
    )
    notes = forms.CharField(
        label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_completed_on(self):
        # Said here as well as by the service, so it shows with the form's other errors.
        completed_on = self.cleaned_data["completed_on"]
        if completed_on and completed_on > timezone.localdate():
            raise forms.ValidationError("The date completed must be today or in the past")
        return completed_on
