"""The partnership's news: the public's list and stories; the co-ordinators' drafts, editing
and publishing. The rules are in partnership/news.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from partnership import news
from partnership import permissions as perms
from partnership.forms_news import NewsForm
from partnership.history import history_entries
from partnership.paging import page_with_total


def _feed_url(slug: str) -> str:
    return reverse("partnership:news_feed_atom", kwargs={"partnership": slug})


@require_safe
def news_list(request: HttpRequest, partnership: str) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    page = page_with_total(news.news_published(partnership=p), number=request.GET.get("page"))
    for item in page.object_list:
        item.partnership = p  # its address needs the slug: no query per story
    can_manage = perms.can_manage_partnership(request.user, p)
    drafts = list(news.news_drafts(user=request.user, partnership=p)) if can_manage else []
    for item in drafts:
        item.partnership = p
    return render(
        request,
        "partnership/news/list.html",
        {
            "partnership": p,
            "page": page,
            "page_range": list(page.paginator.get_elided_page_range(page.number, on_each_side=2)),
            "ellipsis": Paginator.ELLIPSIS,
            "drafts": drafts,
            "can_manage": can_manage,
            "feed_url": _feed_url(p.slug),
        },
    )


@require_safe
def news_item(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    item = news.get_news_or_404(user=request.user, partnership=p, pk=pk)
    return render(
        request,
        "partnership/news/item.html",
        {
            "partnership": p,
            "item": item,
            "paragraphs": [part.strip() for part in item.text.split("\n\n") if part.strip()],
            "can_manage": perms.can_manage_partnership(request.user, p),
            "feed_url": _feed_url(p.slug),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def news_create(request: HttpRequest, partnership: str) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    perms.require(perms.can_manage_partnership(request.user, p))
    form = NewsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = news.news_create(actor=request.user, partnership=p, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "News saved as a draft. Publish it when it is ready.")
            return redirect(item)
    return render(request, "partnership/news/form.html", {"partnership": p, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def news_edit(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    perms.require(perms.can_manage_partnership(request.user, p))
    item = news.get_news_or_404(user=request.user, partnership=p, pk=pk)
    initial = {f: getattr(item, f) for f in news.FIELDS}
    form = NewsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            news.news_update(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Changes saved.")
            return redirect(item)
    return render(
        request,
        "partnership/news/form.html",
        {"partnership": p, "form": form, "item": item, "history": history_entries(item)},
    )


@login_required
@require_POST
def news_publish(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    perms.require(perms.can_manage_partnership(request.user, p))
    item = news.get_news_or_404(user=request.user, partnership=p, pk=pk)
    news.news_publish(actor=request.user, item=item)
    messages.success(request, "Published. The public can read it, and its subscribers are told.")
    return redirect(item)
