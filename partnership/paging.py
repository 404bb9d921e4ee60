"""A page of a list with its total in the same query: every paged list of the project (the
registers, the risk and key partnership registers, agreements, a person's training) pages so."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window

PAGE_SIZE = 50


def page_with_total(qs: QuerySet, *, number: str | int | None, size: int = PAGE_SIZE) -> Page:
    """The ``number`` page (as ``Paginator.get_page`` reads it) of the ordered ``qs``, ``size``
    rows a page, in one query: each row of the page carries the total (``COUNT(*) OVER ()``),
    so the paginator's own COUNT is saved. Only a page past the end costs more: the count,
    then the last page."""
    paginator = Paginator(qs.annotate(paged_total=Window(Count("pk"))), size)
    try:
        # At most a page a billion rows in: a bigger number is past the end anyway, and an
        # offset beyond 64 bits is refused by the database.
        wanted = min(max(int(number or 1), 1), 10**9 // size)
    except (TypeError, ValueError):
        wanted = 1
    bottom = (wanted - 1) * size
    rows = list(paginator.object_list[bottom : bottom + size])
    if rows:
        paginator.count = rows[0].paged_total
        page = paginator.page(wanted)  # slices lazily: no query
    else:
        page = paginator.get_page(wanted)
        rows = list(page.object_list)
    page.object_list = rows
    return page
