"""Reads about commissioning agreements: which a person may see (asked in the database, the
same rule as ``performance.permissions.can_see_agreement``), the list with its flags, and one
agreement's page.

Who sees an agreement: the commissioning body's members, chair and co-ordinators (co-ordinators
of a body above it too), the governance lead, and its supervising person while they sit on a
body of the partnership. Never the public.

Every function here asks a fixed number of queries however many agreements there are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    DecimalField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import Truncator

from partnership import permissions as perms
from partnership.history import HistoryEntry, history_entries, history_of
from partnership.models import Body, Partnership
from partnership.periods import Quarter
from performance.models import (
    ENDING_NOTICE_DAYS,
    AgreementCostLine,
    AgreementReview,
    AgreementTarget,
    CommissioningAgreement,
    Rag,
    Return,
    ReturnStatus,
)
from performance.models.agreements import MONEY
from performance.permissions import sits_in_partnership
from performance.selectors.dashboards import viewer_for

__all__ = [
    "AgreementFilters",
    "AgreementPage",
    "STATES",
    "agreement_flags",
    "agreement_page",
    "agreement_rows",
    "agreements_visible_to",
]

# ?state= on the list.
STATES = {
    "current": "Current",
    "not_started": "Not started",
    "ended": "Ended",
}


def agreements_visible_to(
    user: Any, partnership: Partnership, *, bodies: list[Body] | None = None
) -> QuerySet[CommissioningAgreement]:
    """The agreements of ``partnership`` the user may see. One query for the partnership's
    bodies (none when the caller gives them, with their ``partnership_id``) beside the user's
    rights, loaded once per request; the queryset itself is lazy."""
    qs = CommissioningAgreement.objects.filter(partnership=partnership)
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if perms.can_lead_governance(user, partnership) or perms.can_manage_partnership(
        user, partnership
    ):
        return qs
    if bodies is None:
        bodies = list(Body.objects.filter(partnership=partnership).only("pk", "partnership_id"))
    # Rights are cached on the user: asking body by body costs no query.
    inside = [
        b.pk
        for b in bodies
        if perms.can_view_private_body(user, b) or perms.can_chair_body(user, b)
    ]
    visible = Q(commissioning_body_id__in=inside)
    if sits_in_partnership(user, partnership.pk):
        visible |= Q(supervisor_id=user.pk)
    return qs.filter(visible)


@dataclass(frozen=True)
class AgreementFilters:
    body: int | None = None
    state: str = ""  # a key of STATES, or "" for every one
    ending: bool = False  # ends within ENDING_NOTICE_DAYS
    overdue: bool = False  # a review is overdue

    @property
    def active(self) -> bool:
        return bool(self.body or self.state or self.ending or self.overdue)


def _pending(today: date) -> QuerySet[AgreementReview]:
    return AgreementReview.objects.filter(agreement=OuterRef("pk"), held_on__isnull=True)


def agreement_rows(
    *,
    user: Any,
    partnership: Partnership,
    filters: AgreementFilters = AgreementFilters(),  # noqa: B008 - frozen, so safe to share
    today: date | None = None,
    bodies: list[Body] | None = None,
) -> QuerySet[CommissioningAgreement]:
    """The agreements the user may see, filtered and ordered in the database (soonest ending
    first), each annotated with ``cost_total`` (its lines' sum), ``next_review_due`` (the
    earliest review not yet held) and ``review_overdue``. The commissioning body, provider and
    supervisor are joined; the long texts are not loaded."""
    today = today or timezone.localdate()
    lines = (
        AgreementCostLine.objects.filter(agreement=OuterRef("pk"))
        .order_by()
        .values("agreement")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    pending = _pending(today)
    qs = agreements_visible_to(user, partnership, bodies=bodies).annotate(
        cost_total=Coalesce(
            Subquery(lines, output_field=DecimalField(**MONEY)),
            Value(Decimal(0)),
            output_field=DecimalField(**MONEY),
        ),
        next_review_due=Subquery(pending.order_by("due_on").values("due_on")[:1]),
        review_overdue=Exists(pending.filter(due_on__lt=today)),
    )
    if filters.body:
        qs = qs.filter(commissioning_body_id=filters.body)
    if filters.state == "current":
        qs = qs.filter(starts_on__lte=today, ends_on__gte=today)
    elif filters.state == "not_started":
        qs = qs.filter(starts_on__gt=today)
    elif filters.state == "ended":
        qs = qs.filter(ends_on__lt=today)
    if filters.ending:
        qs = qs.filter(ends_on__gte=today, ends_on__lte=today + timedelta(days=ENDING_NOTICE_DAYS))
    if filters.overdue:
        qs = qs.filter(review_overdue=True)
    return (
        qs.select_related("commissioning_body", "provider", "supervisor")
        .only(
            "pk",
            "partnership_id",
            "reference",
            "title",
            "starts_on",
            "ends_on",
            "total_cost",
            "supervisor_id",
            "commissioning_body__name",
            "commissioning_body__slug",
            "commissioning_body__partnership_id",
            "provider__name",
            "supervisor__full_name",
        )
        .order_by("ends_on", "reference", "pk")
    )


def agreement_flags(
    agreement: CommissioningAgreement, *, review_overdue: bool, today: date
) -> list[str]:
    """What an agreement needs noticing for, in words: "Ends in N days" within the notice
    period, "Review overdue", or whether it has ended or not yet started."""
    flags = []
    if agreement.ends_on < today:
        flags.append("Ended")
    elif agreement.starts_on > today:
        flags.append("Not started")
    days = (agreement.ends_on - today).days
    if 0 <= days <= ENDING_NOTICE_DAYS:
        flags.append("Ends today" if days == 0 else f"Ends in {days} day{'s' if days != 1 else ''}")
    if review_overdue:
        flags.append("Review overdue")
    return flags


# --- one agreement ------------------------------------------------------------------------------


@dataclass
class TargetRow:
    target: AgreementTarget
    latest_value: Decimal | None
    latest_period: str
    latest_rag: str
    # Whether the reader may see the indicator (published, or they are its insider): if not,
    # its figures are not shown, as anywhere else.
    visible: bool = True


@dataclass
class ReviewRow:
    review: AgreementReview
    state: str  # "held", "overdue", "due" (today or earlier... not held), "upcoming"


@dataclass
class AgreementPage:
    agreement: CommissioningAgreement
    cost_lines: list[AgreementCostLine]
    cost_total: Decimal
    targets: list[TargetRow]
    reviews: list[ReviewRow]
    flags: list[str]
    history: list[HistoryEntry] = field(default_factory=list)

    @property
    def review_overdue(self) -> bool:
        return any(r.state == "overdue" for r in self.reviews)


def _latest_signed_off() -> QuerySet[Return]:
    return Return.objects.filter(
        indicator=OuterRef("indicator"), status=ReturnStatus.SIGNED_OFF
    ).order_by("-year", "-quarter")


def agreement_page(
    agreement: CommissioningAgreement, *, user: Any = None, today: date | None = None
) -> AgreementPage:
    """Everything the agreement's page shows: its cost lines and total, its targets each with
    its indicator's latest signed-off figure and rating (only for an indicator ``user`` may
    see, as the dashboards decide: published, or they are its insider; every one when no user
    is given), its reviews and their state, and the history of the agreement and of its
    lines. A fixed number of queries."""
    today = today or timezone.localdate()
    lines = list(agreement.cost_lines.all())
    viewer = viewer_for(user, agreement.partnership) if user is not None else None
    latest = _latest_signed_off()
    targets = list(
        agreement.targets.select_related(
            "indicator__lead", "indicator__body", "indicator__partnership"
        ).annotate(
            latest_value=Subquery(latest.values("value")[:1]),
            latest_year=Subquery(latest.values("year")[:1]),
            latest_quarter=Subquery(latest.values("quarter")[:1]),
            latest_rag=Subquery(latest.values("rag")[:1]),
        )
    )
    rows = []
    for t in targets:
        visible = viewer is None or t.indicator.published or viewer.is_insider(t.indicator)
        shown = visible and t.latest_year is not None
        rows.append(
            TargetRow(
                target=t,
                latest_value=t.latest_value if shown else None,
                latest_period=Quarter(t.latest_year, t.latest_quarter).short_label if shown else "",
                latest_rag=(t.latest_rag if shown else "") or Rag.NO_DATA.value,
                visible=visible,
            )
        )
    reviews = []
    for review in agreement.reviews.select_related("reviewer"):
        if review.held_on:
            state = "held"
        elif review.due_on < today:
            state = "overdue"
        elif review.due_on <= today + timedelta(days=30):
            state = "due"
        else:
            state = "upcoming"
        reviews.append(ReviewRow(review=review, state=state))
    overdue = any(r.state == "overdue" for r in reviews)
    return AgreementPage(
        agreement=agreement,
        cost_lines=lines,
        cost_total=sum((line.amount for line in lines), Decimal(0)),
        targets=rows,
        reviews=reviews,
        flags=agreement_flags(agreement, review_overdue=overdue, today=today),
        history=agreement_history(agreement),
    )


def agreement_history(agreement: CommissioningAgreement) -> list[HistoryEntry]:
    """The agreement's history with its cost lines', targets' and reviews', newest first, each
    line's entry named by what it was. ``history_of`` names entries by a related object only,
    so the lines' own words are read in the same order alongside: two queries a kind."""
    entries = history_entries(agreement)
    for model, words, name in (
        (AgreementCostLine, "description", "Cost line"),
        (AgreementTarget, "description", "Target"),
        (AgreementReview, "due_on", "Review due"),
    ):
        found = history_of(model, subject="agreement", agreement_id=agreement.pk)
        described = model.history.filter(agreement_id=agreement.pk).order_by("-history_date", "-pk")
        described = described.values_list(words, flat=True)[: len(found)]
        for entry, text in zip(found, described, strict=True):
            if isinstance(text, date):
                text = f"{text.day} {text:%B %Y}"
            entry.subject = f"{name} “{Truncator(str(text)).words(8)}”"
        entries += found
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries
