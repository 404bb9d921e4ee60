"""The co-ordinators' form for a piece of news."""

from __future__ import annotations

from django import forms

from partnership.forms import BaseForm


class NewsForm(BaseForm):
    title = forms.CharField(label="Title", max_length=200)
    summary = forms.CharField(
        label="Summary",
        max_length=400,
        help_text="One or two sentences: shown in the list of news, the feed and the e-mail.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    text = forms.CharField(
        label="Story",
        help_text="Leave a blank line between paragraphs.",
        widget=forms.Textarea(attrs={"rows": 12}),
    )
