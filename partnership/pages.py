"""The footer's pages: accessibility statement, privacy notice, cookies and contact.

Each page has default wording here, written for any partnership; a partnership's governance
lead can replace it (a ``PartnershipPage`` row, kept with its history). Bodies are plain text:
a blank line starts a new paragraph, and nothing typed is ever treated as HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404

from partnership import permissions as perms
from partnership.history import record_actor
from partnership.models import PageKind, Partnership, PartnershipPage

SITE_NAME = "this service"


def _duration(seconds: int) -> str:
    days = seconds // 86400
    if days and days % 7 == 0:
        weeks = days // 7
        return f"{weeks} week{'s' if weeks != 1 else ''}"
    if days:
        return f"{days} day{'s' if days != 1 else ''}"
    hours = max(seconds // 3600, 1)
    return f"{hours} hour{'s' if hours != 1 else ''}"


def cookies() -> list[tuple[str, str, str]]:
    """The cookies the service sets, all essential: (name, purpose, lifetime) from settings."""
    session = (
        "when you close your browser"
        if settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
        else _duration(settings.SESSION_COOKIE_AGE)
    )
    return [
        (settings.SESSION_COOKIE_NAME, "Keeps you signed in as you move between pages", session),
        (
            settings.CSRF_COOKIE_NAME,
            "Stops other websites sending forms on your behalf",
            _duration(settings.CSRF_COOKIE_AGE),
        ),
        ("messages", "Shows a message such as 'Saved' on the next page", "once shown"),
    ]


# The default wording, one plain-text file a page: "{name}" becomes the partnership's name.
DEFAULTS_DIR = Path(settings.BASE_DIR) / "templates" / "partnership" / "pages"


def default_text(kind: str) -> str:
    return (DEFAULTS_DIR / f"{kind}.txt").read_text(encoding="utf-8").strip()


@dataclass
class Page:
    kind: str
    title: str
    body: str
    updated_at: datetime | None = None
    record: PartnershipPage | None = None

    @property
    def blocks(self) -> list[tuple[bool, str]]:
        """(is it a heading?, text) for each paragraph: a single short line that does not end
        like a sentence is a heading."""
        out = []
        for para in self.body.replace("\r\n", "\n").split("\n\n"):
            para = para.strip()
            if para:
                heading = "\n" not in para and len(para) <= 80 and para[-1] not in ".:;?!"
                out.append((heading, para))
        return out


def kind_or_404(kind: str) -> str:
    if kind not in PageKind.values:
        raise Http404("No such page")
    return kind


def default_page(kind: str, partnership: Partnership | None = None) -> Page:
    name = partnership.name if partnership else "the partnership"
    body = default_text(kind).format(name=name)
    return Page(kind=kind, title=PageKind(kind).label, body=body)


def page_for(*, partnership: Partnership | None, kind: str) -> Page:
    """The partnership's own wording of the page if it has one, otherwise the default."""
    if partnership is not None:
        record = PartnershipPage.objects.filter(partnership=partnership, kind=kind).first()
        if record is not None:
            return Page(kind, record.title, record.body, record.updated_at, record)
    return default_page(kind, partnership)


def page_save(
    *, actor: Any, partnership: Partnership, kind: str, title: str, body: str
) -> PartnershipPage:
    """Replace the page's wording; only the partnership's governance lead may."""
    if not perms.can_lead_governance(actor, partnership):
        raise PermissionDenied
    record = PartnershipPage.objects.filter(partnership=partnership, kind=kind).first()
    if record is None:
        record = PartnershipPage(partnership=partnership, kind=kind)
    record.title, record.body = title.strip(), body.strip()
    record_actor(record, actor=actor, reason=f"{PageKind(kind).label} edited")
    record.save()
    return record
