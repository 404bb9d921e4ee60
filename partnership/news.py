"""The partnership's news: written by its co-ordinators, public once published. Publishing
alerts the news's subscribers (partnership/alerts.py); a story is published once, and a
change to a published story is not sent again."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from partnership import alerts
from partnership import permissions as perms
from partnership.history import record_actor
from partnership.models import NewsItem, Partnership

FIELDS = ("title", "summary", "text")


def _check(item: NewsItem) -> None:
    errors = {f: f"Enter the {NewsItem._meta.get_field(f).verbose_name}" for f in FIELDS}
    errors = {f: m for f, m in errors.items() if not str(getattr(item, f)).strip()}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def news_create(
    *, actor: Any, partnership: Partnership, title: str, summary: str, text: str
) -> NewsItem:
    """A draft story: seen only by the partnership's co-ordinators until it is published."""
    item = NewsItem(
        partnership=partnership,
        title=title.strip(),
        summary=summary.strip(),
        text=text.strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _check(item)
    record_actor(item, actor=actor, reason="Drafted")
    item.save()
    return item


@transaction.atomic
def news_update(*, actor: Any, item: NewsItem, **fields: str) -> NewsItem:
    changed = []
    for name in FIELDS:
        if name in fields and getattr(item, name) != fields[name].strip():
            setattr(item, name, fields[name].strip())
            changed.append(name)
    _check(item)
    if changed:
        record_actor(item, actor=actor, reason="Edited")
        item.save(update_fields=changed)
    return item


@transaction.atomic
def news_publish(*, actor: Any, item: NewsItem) -> NewsItem:
    """Publish the story (once): it is public from now, and its subscribers are told."""
    item = NewsItem.objects.select_for_update().select_related("partnership").get(pk=item.pk)
    if item.published_at is not None:
        return item
    item.published_at = timezone.now()
    record_actor(item, actor=actor, reason="Published")
    item.save(update_fields=["published_at"])
    alerts.announce("news", item.pk)
    return item


# --- reads ---------------------------------------------------------------------------------


def news_published(*, partnership: Partnership) -> QuerySet[NewsItem]:
    """The public's news, newest first."""
    return NewsItem.objects.filter(partnership=partnership, published_at__isnull=False).order_by(
        "-published_at", "-pk"
    )


def news_drafts(*, user: Any, partnership: Partnership) -> QuerySet[NewsItem]:
    """Stories not yet published: only the partnership's co-ordinators see them."""
    if not perms.can_manage_partnership(user, partnership):
        return NewsItem.objects.none()
    return NewsItem.objects.filter(partnership=partnership, published_at__isnull=True).order_by(
        "-pk"
    )


def get_news_or_404(*, user: Any, partnership: Partnership, pk: int) -> NewsItem:
    """A published story, or a draft for those who may see drafts; else 404 (a draft's
    existence is not the public's business)."""
    item = NewsItem.objects.filter(partnership=partnership, pk=pk).first()
    if item is None:
        raise Http404("No such news")
    if item.published_at is None and not perms.can_manage_partnership(user, partnership):
        raise Http404("No such news")
    item.partnership = partnership
    return item
