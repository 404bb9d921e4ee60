"""The public's alerts form: an e-mail address and what to hear about."""

from __future__ import annotations

from django import forms

from partnership.forms import BaseForm
from partnership.models import AlertTopic


class SubscribeForm(BaseForm):
    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        help_text="We will send you an e-mail to check it is yours.",
        error_messages={
            "invalid": "Enter an e-mail address in the correct format, like name@example.com"
        },
    )
    topics = forms.MultipleChoiceField(
        label="What do you want to hear about?",
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
    )

    def __init__(self, *args, topics: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.only_topics = topics
        if len(topics) == 1:
            # One topic (the news): nothing to choose.
            del self.fields["topics"]
            return
        labels = dict(AlertTopic.choices)
        field = self.fields["topics"]
        field.choices = [(t, labels[t]) for t in topics]
        field.error_messages["required"] = "Select what you want to hear about"

    def chosen_topics(self) -> list[str]:
        return self.cleaned_data.get("topics") or self.only_topics
