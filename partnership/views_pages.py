"""The footer's pages (accessibility, privacy, cookies, contact): the site-wide defaults, a
partnership's own wording, and the governance lead's edit page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from partnership import pages
from partnership import permissions as perms
from partnership.forms import BaseForm
from partnership.history import history_entries
from partnership.models import PageKind


class PageForm(BaseForm):
    title = forms.CharField(label="Title", max_length=200)
    body = forms.CharField(
        label="Text",
        widget=forms.Textarea(attrs={"rows": 20}),
        help_text="Plain text. Leave a blank line between paragraphs; a paragraph that is a "
        "single short line is shown as a heading.",
    )


def _render(request: HttpRequest, page: pages.Page, partnership=None, can_edit=False):
    return render(
        request,
        "partnership/page.html",
        {
            "partnership": partnership,
            "page": page,
            "cookies": pages.cookies() if page.kind == PageKind.COOKIES else [],
            "can_edit": can_edit,
        },
    )


def site_page(request: HttpRequest, kind: str) -> HttpResponse:
    return _render(request, pages.default_page(pages.kind_or_404(kind)))


def page(request: HttpRequest, partnership: str, kind: str) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    kind = pages.kind_or_404(kind)
    return _render(
        request,
        pages.page_for(partnership=p, kind=kind),
        p,
        perms.can_lead_governance(request.user, p),
    )


@login_required
@require_http_methods(["GET", "POST"])
def page_edit(request: HttpRequest, partnership: str, kind: str) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    kind = pages.kind_or_404(kind)
    perms.require(perms.can_lead_governance(request.user, p))
    current = pages.page_for(partnership=p, kind=kind)
    form = PageForm(request.POST or None, initial={"title": current.title, "body": current.body})
    if request.method == "POST" and form.is_valid():
        pages.page_save(actor=request.user, partnership=p, kind=kind, **form.cleaned_data)
        messages.success(request, f"{form.cleaned_data['title']} has been saved.")
        return redirect("partnership:page", partnership=p.slug, kind=kind)
    return render(
        request,
        "partnership/page_form.html",
        {
            "partnership": p,
            "page": current,
            "form": form,
            "history": history_entries(current.record) if current.record else [],
        },
    )
