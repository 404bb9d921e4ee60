"""The search page: one box, filters by type, body and date, ranked and paged results of only
what the reader may open (partnership/search/)."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.http import urlencode

from partnership import permissions as perms
from partnership.forms import BaseForm, DateField
from partnership.models import Body, SearchKind
from partnership.search.query import Filters, Results, search, terms_of, words_of


class SearchForm(BaseForm):
    q = forms.CharField(label="Search for", max_length=200, required=False, strip=True)
    type = forms.ChoiceField(
        label="Type", required=False, choices=[("", "All types"), *SearchKind.choices]
    )
    body = forms.ChoiceField(label="Body", required=False)
    date_from = DateField(label="From", required=False, help_text="For example, 1 4 2026")
    date_to = DateField(label="To", required=False, help_text="For example, 31 3 2027")

    def __init__(self, *args, bodies: list[Body], **kwargs):
        super().__init__(*args, **kwargs)
        self.bodies = {b.slug: b for b in bodies}
        self.fields["body"].choices = [("", "All bodies")] + [(b.slug, b.name) for b in bodies]

    def clean_q(self) -> str:
        query = self.cleaned_data["q"]
        if query and not terms_of(query):
            raise forms.ValidationError(
                "Enter a word to search for, not only words to leave out"
                if words_of(query)[1]
                else "Enter a word to search for: letters or numbers"
            )
        return query

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The ‘to’ date must be the same as or after the ‘from’ date")
        filtered = data.get("type") or data.get("body") or start or end
        if "q" in data and not data["q"] and filtered:
            self.add_error("q", "Enter the words to search for, then filter the results")
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        body = self.bodies.get(data.get("body") or "")
        return Filters(
            kind=data.get("type") or "",
            body_id=body.pk if body else None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


def _options(field: forms.BoundField) -> list[tuple[str, str, bool]]:
    """A select's options as (value, label, selected): what ``components/field.html`` draws
    through the widget's machinery, at a fraction of its cost (the page's slowest part)."""
    chosen = str(field.value() or "")
    return [(str(v), str(label), str(v) == chosen) for v, label in field.field.choices]


def _date_parts(field: forms.BoundField) -> list[tuple[str, str]]:
    """A date input's boxes as (part, what was typed), as ``components/widgets/date.html``."""
    value = field.value()
    if not isinstance(value, list | tuple):
        value = field.field.widget.decompress(value)
    return [(part, v or "") for part, v in zip(("day", "month", "year"), value, strict=False)]


def _rows(results: Results | None) -> list[tuple[str, object]]:
    """Each hit with its caption (type · body · date), made here rather than by the template's
    lookups and filters, twenty times a page."""
    rows = []
    for hit in results.hits if results else []:
        entry = hit.entry
        caption = [entry.get_kind_display()]
        if entry.body_id:
            caption.append(entry.body.name)
        if entry.on_date:
            caption.append(date_format(entry.on_date, "j F Y"))
        rows.append((" · ".join(caption), hit))
    return rows


def search_page(request: HttpRequest, partnership: str) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    bodies = list(Body.objects.filter(partnership=p).order_by("name"))
    form = SearchForm(request.GET or None, bodies=bodies)
    results = None
    query = ""
    if form.is_bound and form.is_valid():
        query = form.cleaned_data["q"]
        if query:
            results = search(
                user=request.user,
                partnership=p,
                query=query,
                filters=form.filters(),
                page=request.GET.get("page"),
            )
    page = results.page if results else None
    # The pages' links: the address as asked, less its page number (what {% querystring %}
    # makes for each link, once).
    kept = [(k, v) for k, values in request.GET.lists() if k != "page" for v in values]
    return render(
        request,
        "partnership/search.html",
        {
            "partnership": p,
            "form": form,
            "query": query,
            "results": results,
            "page": page,
            "page_range": (
                list(page.paginator.get_elided_page_range(page.number, on_each_side=2))
                if page
                else []
            ),
            "ellipsis": page.paginator.ELLIPSIS if page else "",
            "page_link": f"?{urlencode([*kept, ('page', '')])}",
            "rows": _rows(results),
            "selects": [(form[name], _options(form[name])) for name in ("type", "body")],
            "date_fields": [
                (form[name], _date_parts(form[name])) for name in ("date_from", "date_to")
            ],
            # How many of each type were found, whatever the type filter.
            "facets": [
                (label, results.by_kind[value])
                for value, label in SearchKind.choices
                if results and value in results.by_kind
            ],
            "filters_open": bool(
                form.errors
                or any(request.GET.get(f) for f in ("type", "body"))
                or any(
                    k.startswith(("date_from_", "date_to_")) and v for k, v in request.GET.items()
                )
            ),
        },
    )
