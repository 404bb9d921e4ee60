"""What every page's header, navigation and footer need: the current partnership, the
person's partnerships (for the switcher) and the section of the site a page belongs to.

Worked out once per request without a query: a page under ``/p/<slug>/`` names its partnership
in the URL, and the partnerships a person belongs to are read once, at sign-in, into the
session (``remember_partnerships``). A person given a place in another partnership sees it in
the switcher from their next sign-in; every page checks rights itself, so the navigation
never decides what anyone may see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.db.models import Q
from django.dispatch import receiver
from django.http import HttpRequest
from django.urls import reverse

from partnership.models import Partnership

SESSION_KEY = "nav_partnerships"

# Url names of the governance app that belong to "Registers"; the rest are "Meetings".
_REGISTERS = ("register", "declaration", "gift", "dispute", "ruling", "my_registers")
_REGISTER_PAGES = {"body_interests", "body_gifts"}

# The service navigation: (section, label, url name), for everyone, the public included.
ITEMS = [
    ("meetings", "Meetings", "governance:meeting_list"),
    ("performance", "Performance", "performance:dashboard"),
    ("publications", "Publications", "performance:publication_list"),
    ("registers", "Registers", "governance:registers_home"),
    ("structure", "Structure", "membership:structure"),
    ("organisations", "Organisations", "partnership:organisation_list"),
    ("search", "Search", "partnership:search"),
]


def partnerships_of(user: Any) -> list[list[str]]:
    """[slug, name] of every partnership the person holds a right in (a current membership
    or appointment gives one): one query."""
    rows = (
        Partnership.objects.filter(
            Q(partnershipuserobjectpermission__user=user)
            | Q(bodies__bodyuserobjectpermission__user=user)
        )
        .distinct()
        .order_by("name")
        .values_list("slug", "name")
    )
    return [[slug, name] for slug, name in rows]


@receiver(user_logged_in, dispatch_uid="partnership.context.remember_partnerships")
def remember_partnerships(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = partnerships_of(user)


def _section(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    name, namespace = match.url_name or "", match.namespace
    if namespace == "partnership" and name == "search":
        return "search"
    if namespace == "governance":
        if name.startswith(_REGISTERS) or name in _REGISTER_PAGES:
            return "registers"
        return "meetings"
    if namespace == "performance":
        if name.startswith("publication") or name == "risk_summary":
            return "publications"
        return "performance"
    if namespace == "partnership" and name.startswith("organisation"):
        return "organisations"
    if namespace in ("membership", "partnership"):
        return "structure"
    return ""


@dataclass
class Navigation:
    slug: str = ""
    name: str = ""
    section: str = ""
    partnerships: list[list[str]] = field(default_factory=list)

    @property
    def several(self) -> bool:
        return len(self.partnerships) > 1

    @property
    def items(self) -> list[NavItem]:
        if not self.slug:
            return []
        return [
            NavItem(label, reverse(name, kwargs={"partnership": self.slug}), key == self.section)
            for key, label, name in ITEMS
        ]

    @property
    def search_url(self) -> str:
        return reverse("partnership:search", kwargs={"partnership": self.slug}) if self.slug else ""


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


def navigation(request: HttpRequest) -> dict[str, Navigation]:
    mine: list[list[str]] = []
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and hasattr(request, "session"):
        mine = request.session.get(SESSION_KEY)
        if mine is None:
            # A session from before sign-in remembered them: read once and keep.
            mine = request.session[SESSION_KEY] = partnerships_of(user)
    match = getattr(request, "resolver_match", None)
    slug = str((match.kwargs.get("partnership") if match else "") or "")
    if not slug and len(mine) == 1:
        slug = mine[0][0]
    name = next((n for s, n in mine if s == slug), "")
    return {"nav": Navigation(slug=slug, name=name, section=_section(request), partnerships=mine)}
