"""What the partnership app itself puts in the search index: its news, once published.
(Bodies are indexed by membership, whose pages show them.)"""

from __future__ import annotations

from django.urls import NoReverseMatch
from django.utils import timezone

from partnership.models import NewsItem, SearchAudience, SearchKind
from partnership.search.registry import Entry, register_indexer


def news_entries(item: NewsItem) -> list[Entry]:
    # Published: public. A story to be published later is found from the nightly rebuild
    # after its time; a draft by nobody.
    if item.published_at is None or item.published_at > timezone.now():
        return []
    try:
        url = item.get_absolute_url()
    except NoReverseMatch:  # the news pages are not in this build
        return []
    return [
        Entry(
            kind=SearchKind.NEWS,
            partnership_id=item.partnership_id,
            title=item.title,
            text=f"{item.summary}\n{item.text}",
            on_date=timezone.localdate(item.published_at),
            url=url,
            audience=SearchAudience.PUBLIC,
        )
    ]


def register_indexers() -> None:
    register_indexer(
        NewsItem, news_entries, queryset=lambda: NewsItem.objects.select_related("partnership")
    )
