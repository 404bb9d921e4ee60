"""A body's registers one page at a time, for the register pages (issue 14).

The same entries and the same rules as ``body_interests`` and ``body_gifts`` in registers.py
(which the exports use, whole), but filtered, ordered, counted and sliced in the database:
a 420-member body's register costs the same few queries and renders 50 rows, however long it
grows. The public's filter runs in the query too, so a withheld entry never reaches a page;
the public is told how many were withheld, and why, from one grouped query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Page
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from governance.models import Declaration, Gift
from governance.selectors.registers import (
    RegisterAccess,
    _sat_while_held,
    attach_standing_rulings,
    register_settings,
)
from partnership.models import Body
from partnership.paging import page_with_total

PAGE_SIZE = 50
# Reasons are free text: a register where each withheld entry gives its own reason must not
# grow the public page without end either.
WITHHELD_REASONS_SHOWN = 50


@dataclass
class RegisterPage:
    """One page of a register as the viewer may see it. ``page`` is None when the register is
    not published to this viewer (nothing of it is loaded)."""

    page: Page | None
    published: bool = True
    withheld: list[tuple[str, int]] = field(default_factory=list)  # (reason, entries), public
    withheld_count: int = 0
    threshold: Decimal | None = None

    @property
    def entries(self) -> list:
        return self.page.object_list if self.page is not None else []

    @property
    def withheld_more(self) -> int:
        """Withheld entries whose reasons are not listed (past WITHHELD_REASONS_SHOWN)."""
        return self.withheld_count - sum(n for _, n in self.withheld)


def _interests(body: Body) -> QuerySet[Declaration]:
    """The register's entries in force today, as registers.body_interests chooses them."""
    today = timezone.localdate()
    return (
        Declaration.objects.held_between(start=today, end=today)
        .filter(partnership_id=body.partnership_id)
        .filter(Q(body=body) | _sat_while_held(body, today, today))
    )


def _page_of(
    qs: QuerySet, *, order: tuple[str, ...], access: RegisterAccess, number: str | int | None
) -> RegisterPage:
    """The ``number`` page of ``qs`` (unordered) as ``access`` may see it, and what the public
    is told of the entries withheld from it. One query for the page and its total; for the
    public, withheld entries are filtered out in it, and one more query gives their reasons."""
    if access.full:
        return RegisterPage(page=page_with_total(qs.order_by(*order), number=number))
    withheld = _withheld_reasons(qs)
    count = sum(n for _, n in withheld)
    if len(withheld) == WITHHELD_REASONS_SHOWN:  # there may be more reasons than are listed
        count = qs.exclude(withheld_reason="").count()
    return RegisterPage(
        page=page_with_total(qs.filter(withheld_reason="").order_by(*order), number=number),
        withheld=withheld,
        withheld_count=count,
    )


def _withheld_reasons(qs: QuerySet) -> list[tuple[str, int]]:
    """Each stated reason with how many entries it withholds, the commonest first."""
    return list(
        qs.exclude(withheld_reason="")
        .values("withheld_reason")
        .annotate(n=Count("pk"))
        .order_by("-n", "withheld_reason")
        .values_list("withheld_reason", "n")[:WITHHELD_REASONS_SHOWN]
    )


# What a page of the register shows of an entry (and ``concerns`` reads): not its long texts
# of history, nor the whole rows of its declarant, organisation and body.
INTEREST_FIELDS = (
    "person_id",
    "kind",
    "holder",
    "project",
    "description",
    "starts_on",
    "withheld_reason",
    "person__full_name",
    "organisation__name",
    "body__name",
)


def body_interests_page(
    *, body: Body, access: RegisterAccess, number: str | int | None
) -> RegisterPage:
    """A page of the body's register of interests in force today, each entry with the body's
    ruling standing on it (attach_standing_rulings, for this page's entries only)."""
    settings = register_settings(partnership=body.partnership)
    if not (access.full or settings.publish_interests):
        return RegisterPage(page=None, published=False)
    found = _page_of(
        _interests(body).select_related("person", "organisation", "body").only(*INTEREST_FIELDS),
        order=("person__full_name", "starts_on", "pk"),
        access=access,
        number=number,
    )
    attach_standing_rulings(found.page.object_list, body_id=body.pk)
    found.published = settings.publish_interests
    return found


# What a page of the gifts register shows of an entry: not its declarant's whole row.
GIFT_FIELDS = (
    "person_id",
    "kind",
    "donor",
    "description",
    "value",
    "offered_on",
    "decision",
    "advice_sought",
    "advice_from",
    "withheld_reason",
    "person__full_name",
)


def body_gifts_page(
    *, body: Body, access: RegisterAccess, number: str | int | None
) -> RegisterPage:
    """A page of the body's gifts and hospitality register, newest first; entries over the
    partnership's threshold are marked (``over_threshold``) for the chair."""
    settings = register_settings(partnership=body.partnership)
    if not (access.full or settings.publish_gifts):
        return RegisterPage(page=None, published=False, threshold=settings.gift_threshold)
    found = _page_of(
        Gift.objects.filter(body=body).select_related("person").only(*GIFT_FIELDS),
        order=("-offered_on", "-pk"),
        access=access,
        number=number,
    )
    for gift in found.page.object_list:
        gift.over_threshold = gift.value > settings.gift_threshold
    found.published = settings.publish_gifts
    found.threshold = settings.gift_threshold
    return found
