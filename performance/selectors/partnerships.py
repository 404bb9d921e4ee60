"""Reads of the register of key partnerships: its page's rows (filtered, ordered and paged in
the database, each with its review flags worked out there too), the counts at its top, the
public's rows and a record with what its page shows.

A review is overdue when an active key partnership's next review date has passed, and due soon
when it falls within ``DUE_SOON_DAYS`` from today. Both are annotations, so a page of 50 rows,
or an export of every row, costs the same few queries however long the register grows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from partnership.models import Body, Organisation, Partnership
from performance.models import (
    PUBLIC_FIELDS,
    Indicator,
    KeyPartnership,
    KeyPartnershipStatus,
    Rag,
    Return,
    ReturnStatus,
)
from performance.selectors.dashboards import viewer_for
from performance.selectors.risks import risks_visible_to

__all__ = [
    "DUE_SOON_DAYS",
    "RegisterCounts",
    "RegisterFilters",
    "key_partnership_indicators",
    "key_partnership_risks",
    "key_partnerships_register",
    "register_counts",
]

DUE_SOON_DAYS = 90
# ?status= on the register: active (the default), ended or all.
STATUSES = {"active": KeyPartnershipStatus.ACTIVE, "ended": KeyPartnershipStatus.ENDED, "all": None}


@dataclass(frozen=True)
class RegisterFilters:
    status: str = "active"
    overdue: bool = False
    lead_organisation: int | None = None
    search: str = ""

    @property
    def active(self) -> bool:
        return bool(
            self.status != "active" or self.overdue or self.lead_organisation or self.search
        )

    @classmethod
    def from_query(cls, query: Any, *, public: bool = False) -> RegisterFilters:
        """From the page's address; what does not parse is left out (the public sees only
        active key partnerships)."""
        status = query.get("status", "active")
        if public or status not in STATUSES:
            status = "active"
        try:
            lead = int(query.get("lead") or 0) or None
        except ValueError:
            lead = None
        if lead is not None and not 0 < lead < 2**31:
            lead = None  # beyond any primary key: the database would refuse to compare it
        return cls(
            status=status,
            overdue=query.get("overdue") == "yes",
            lead_organisation=lead,
            search=" ".join(query.get("q", "").split())[:100],
        )


def _flags(today: date) -> dict[str, Case]:
    active = Q(status=KeyPartnershipStatus.ACTIVE)
    return {
        "is_overdue": Case(
            When(active & Q(next_review_on__lt=today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        "is_due_soon": Case(
            When(
                active
                & Q(
                    next_review_on__gte=today, next_review_on__lte=today + timedelta(DUE_SOON_DAYS)
                ),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        ),
    }


def key_partnerships_register(
    *,
    partnership: Partnership,
    today: date,
    filters: RegisterFilters = RegisterFilters(),  # noqa: B008 - frozen, so safe to share
    public: bool = False,
) -> QuerySet[KeyPartnership]:
    """The register's rows, filtered and ordered by name, each with ``is_overdue`` and
    ``is_due_soon``. For readers, with the lead organisation and officer joined and the
    partners and bodies prefetched (one query each for the page); for the public
    (``public``), only ``PUBLIC_FIELDS`` and active key partnerships."""
    rows = KeyPartnership.objects.filter(partnership=partnership).annotate(**_flags(today))
    status = STATUSES[filters.status] if not public else KeyPartnershipStatus.ACTIVE
    if status:
        rows = rows.filter(status=status)
    if filters.overdue:
        rows = rows.filter(is_overdue=True)
    if filters.lead_organisation:
        rows = rows.filter(lead_organisation_id=filters.lead_organisation)
    if filters.search:
        rows = rows.filter(name__icontains=filters.search)
    partners = Prefetch(
        "partner_organisations", queryset=Organisation.objects.order_by("name").only("pk", "name")
    )
    if public:
        columns = [
            f for f in PUBLIC_FIELDS if f not in ("lead_organisation", "partner_organisations")
        ]
        rows = rows.select_related("lead_organisation").only(
            "pk", "partnership_id", "status", "other_partners", "lead_organisation__name", *columns
        )
        return rows.prefetch_related(partners).order_by("name", "pk")
    return (
        rows.select_related("lead_organisation", "lead_officer")
        .prefetch_related(
            partners,
            Prefetch("bodies", queryset=Body.objects.order_by("name").only("pk", "name")),
        )
        .order_by("name", "pk")
    )


@dataclass(frozen=True)
class RegisterCounts:
    active: int
    overdue: int
    due_soon: int


def register_counts(*, partnership: Partnership, today: date) -> RegisterCounts:
    """How many active key partnerships there are, and whose reviews are overdue or due
    within 90 days, over the whole register (not only the page shown): one query."""
    counts = KeyPartnership.objects.filter(
        partnership=partnership, status=KeyPartnershipStatus.ACTIVE
    ).aggregate(
        active=Count("pk"),
        overdue=Count("pk", filter=Q(next_review_on__lt=today)),
        due_soon=Count(
            "pk",
            filter=Q(
                next_review_on__gte=today, next_review_on__lte=today + timedelta(DUE_SOON_DAYS)
            ),
        ),
    )
    return RegisterCounts(**counts)


def key_partnership_risks(*, key_partnership: KeyPartnership, user: Any) -> list:
    """The linked risks this reader may see (never a risk of a body they have no place in)."""
    visible = risks_visible_to(user, key_partnership.partnership)
    return list(
        visible.filter(key_partnerships=key_partnership)
        .select_related("body")
        .order_by("code", "pk")
    )


def key_partnership_indicators(*, key_partnership: KeyPartnership, user: Any) -> list[Indicator]:
    """The linked indicators this reader may see, each with the RAG of its latest signed-off
    return (``latest_rag``, "no_data" without one) and that return's period: one query."""
    viewer = viewer_for(user, key_partnership.partnership)
    latest = Return.objects.filter(
        indicator=OuterRef("pk"), status=ReturnStatus.SIGNED_OFF
    ).order_by("-year", "-quarter")
    return list(
        Indicator.objects.filter(viewer.indicators(), key_partnerships=key_partnership)
        .annotate(
            latest_rag=Coalesce(Subquery(latest.values("rag")[:1]), Value(Rag.NO_DATA.value)),
            latest_year=Subquery(latest.values("year")[:1]),
            latest_quarter=Subquery(latest.values("quarter")[:1]),
        )
        .order_by("code", "pk")
    )
