"""Atom feeds for the public: a body's published agendas, approved minutes and public reports,
and the partnership's news. Public: a feed holds only what the public may see, whoever reads
it, as the entries come from the alert sources (partnership/alerts.py), which are built with
the PUBLIC access of the owning app's selectors."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from partnership import alerts
from partnership import permissions as perms
from partnership.models import Body, NewsItem, Partnership
from partnership.news import news_published

FEED_SIZE = 50

# Characters XML 1.0 cannot hold (Django's XML writer refuses them: a 500). A title pasted
# from a word processor may carry one; in a feed it is dropped.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _summary(entry: alerts.Announcement) -> str:
    # Atom's summary is typed as HTML: our text is plain, so it is escaped.
    lines = "".join(f"<li>{escape(clean(line))}</li>" for line in entry.lines)
    return escape(clean(entry.summary)) + (f"<ul>{lines}</ul>" if lines else "")


class BodyFeed(Feed):
    """A body's newest public agendas, minutes and reports."""

    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, partnership: str, body: str) -> Body:
        return perms.get_body_or_404(partnership, body)

    def title(self, obj: Body) -> str:
        return clean(f"{obj.name}: agendas, minutes and reports")

    def subtitle(self, obj: Body) -> str:
        return clean(
            f"Agendas published, minutes approved and reports published by the {obj.name}."
        )

    def author_name(self, obj: Body) -> str:
        return clean(obj.partnership.name)

    def link(self, obj: Body) -> str:
        return reverse(
            "governance:body_meetings",
            kwargs={"partnership": obj.partnership.slug, "body": obj.slug},
        )

    def feed_url(self, obj: Body) -> str:
        return reverse(
            "partnership:body_feed_atom",
            kwargs={"partnership": obj.partnership.slug, "body": obj.slug},
        )

    def items(self, obj: Body) -> list[alerts.Announcement]:
        return alerts.body_feed_entries(obj, limit=FEED_SIZE)

    def item_title(self, item: alerts.Announcement) -> str:
        return clean(item.title)

    def item_link(self, item: alerts.Announcement) -> str:
        return item.url

    def item_guid(self, item: alerts.Announcement) -> str:
        # An agenda and its minutes share the meeting's page: the entry's id is its key.
        return f"{settings.SITE_URL}{item.url.split('#')[0]}#{item.key}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: alerts.Announcement):
        return item.when

    def item_updateddate(self, item: alerts.Announcement):
        return item.when

    def item_description(self, item: alerts.Announcement) -> str:
        return _summary(item)


class NewsFeed(Feed):
    """The partnership's newest published news."""

    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, partnership: str) -> Partnership:
        return perms.get_partnership_or_404(partnership)

    def title(self, obj: Partnership) -> str:
        return clean(f"News: {obj.name}")

    def subtitle(self, obj: Partnership) -> str:
        return clean(f"News from {obj.name}.")

    def author_name(self, obj: Partnership) -> str:
        return clean(obj.name)

    def link(self, obj: Partnership) -> str:
        return reverse("partnership:news_list", kwargs={"partnership": obj.slug})

    def feed_url(self, obj: Partnership) -> str:
        return reverse("partnership:news_feed_atom", kwargs={"partnership": obj.slug})

    def items(self, obj: Partnership) -> list[NewsItem]:
        items = list(news_published(partnership=obj)[:FEED_SIZE])
        for item in items:
            item.partnership = obj  # its address needs the slug: no query per story
        return items

    def item_title(self, item: NewsItem) -> str:
        return clean(item.title)

    def item_link(self, item: NewsItem) -> str:
        return item.get_absolute_url()

    def item_guid(self, item: NewsItem) -> str:
        # The entry's id from the site's own address, not the Host the request came with.
        return f"{settings.SITE_URL}{item.get_absolute_url()}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: NewsItem):
        return item.published_at

    def item_updateddate(self, item: NewsItem):
        return item.published_at

    def item_description(self, item: NewsItem) -> str:
        return escape(clean(item.summary))
