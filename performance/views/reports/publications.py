"""The public's publications: published annual reports and newsletters, and reports that reached
a public agenda item, as a list and an Atom feed."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.text import Truncator
from django.views.decorators.http import (
    require_safe,
)

from partnership import permissions as perms
from partnership.models import Partnership
from performance import permissions, selectors
from performance.models import (
    Report,
)
from performance.views.reports.common import (
    PAGE_SIZE,
)

__all__ = ["PublicationFeed", "publication_list", "report_summary"]

FEED_SIZE = 20
SUMMARY_WORDS = 60


# --- the public's publications ---------------------------------------------------------------


def _publications(partnership: Partnership) -> QuerySet[Report]:
    """Public reports, newest first (``public_on``: when each became public)."""
    return selectors.public_reports(partnership=partnership)


class Publication:
    """One line of the list or the feed: the report with its addresses, worked out here so the
    template asks the database nothing."""

    def __init__(self, report: Report, partnership: Partnership) -> None:
        self.report = report
        kwargs = {"partnership": partnership.slug, "pk": report.pk}
        self.url = reverse("performance:report", kwargs=kwargs)
        self.pdf_url = reverse("performance:report_pdf", kwargs=kwargs) if report.pdf else ""
        self.on = timezone.localdate(report.public_on) if report.public_on else None

    @property
    def summary(self) -> str:
        return report_summary(self.report)


def report_summary(report: Report) -> str:
    """The narrative's opening words: the newsletter's headline, the annual report's foreword
    or the chair's summary."""
    narrative = report.narrative or {}
    for key in ("headline", "foreword", "summary"):
        text = str(narrative.get(key) or "").strip()
        if text:
            return Truncator(text).words(SUMMARY_WORDS)
    return ""


@require_safe
def publication_list(request: HttpRequest, partnership: str) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    page = Paginator(_publications(p), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "performance/reports/publications.html",
        {
            "partnership": p,
            "page": page,
            "page_range": list(page.paginator.get_elided_page_range(page.number, on_each_side=2)),
            "ellipsis": Paginator.ELLIPSIS,
            "publications": [Publication(r, p) for r in page.object_list],
            "feed_url": reverse("performance:publication_feed", kwargs={"partnership": p.slug}),
            # The registers' summary is listed only while the partnership publishes one.
            "risk_summary_url": reverse("performance:risk_summary", kwargs={"partnership": p.slug})
            if selectors.risk_settings_of(p).publish_summary
            else "",
            # So is the register of key partnerships (its public fields).
            "key_partnerships_url": reverse(
                "performance:key_partnership_list", kwargs={"partnership": p.slug}
            )
            if permissions.register_is_published(p)
            else "",
        },
    )


class PublicationFeed(Feed):
    """An Atom feed of a partnership's newest public reports."""

    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, partnership: str) -> Partnership:
        return perms.get_partnership_or_404(partnership)

    def title(self, obj: Partnership) -> str:
        return f"Publications: {obj.name}"

    def subtitle(self, obj: Partnership) -> str:
        return f"Annual reports, newsletters and performance reports published by {obj.name}."

    def author_name(self, obj: Partnership) -> str:
        return obj.name

    def link(self, obj: Partnership) -> str:
        return reverse("performance:publication_list", kwargs={"partnership": obj.slug})

    def feed_url(self, obj: Partnership) -> str:
        return reverse("performance:publication_feed", kwargs={"partnership": obj.slug})

    def items(self, obj: Partnership) -> list[Publication]:
        return [Publication(r, obj) for r in _publications(obj)[:FEED_SIZE]]

    def item_title(self, item: Publication) -> str:
        return item.report.title

    def item_link(self, item: Publication) -> str:
        return item.url

    def item_pubdate(self, item: Publication):
        return item.report.public_on

    def item_updateddate(self, item: Publication):
        return item.report.public_on

    def item_description(self, item: Publication) -> str:
        # Atom's summary is typed as HTML: the narrative is plain text, so it is escaped.
        return escape(item.summary)

    def item_categories(self, item: Publication) -> list[str]:
        return [item.report.get_kind_display()]
