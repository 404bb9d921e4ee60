"""Reads about risks: who sees which (asked in the database), a body's register (its own risks,
those escalated to it and those it accepted above appetite) and the heat map. The summary of
the registers (counts, for the public and the board's reports) is in risk_summary.py.

Who sees a risk (the same rule as ``performance.permissions.can_see_risk``, asked in the
database): the owning body's members, chair and co-ordinators (co-ordinators of a body above it
too), its owner and the owners of its controls (while they sit on a body of the partnership),
and, while it is escalated, the members, chair and co-ordinators of the body it
is escalated to (and of the body that accepted it above appetite, while that stands). Nobody
else: not members of other bodies, never the public. The public sees at
most the counts of ``public_risk_summary`` (risk_summary.py), and only where the partnership
publishes them; confidential risks are never counted there.

Every function here asks a fixed number of queries however many risks there are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import models
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from partnership import permissions as perms
from partnership.models import Body, Partnership
from partnership.periods import Quarter
from performance.models import (
    Risk,
    RiskAcceptance,
    RiskAppetite,
    RiskControl,
    RiskSettings,
    RiskStatus,
)
from performance.permissions import sits_in_partnership

__all__ = [
    "BASES",
    "Band",
    "HeatCell",
    "HeatMap",
    "HeatRow",
    "RiskPoint",
    "band_of",
    "body_register",
    "heat_map",
    "register_q",
    "risk_settings_of",
    "risks_visible_to",
]


class Band(models.TextChoices):
    """The rating bands, lowest first."""

    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    VERY_HIGH = "very_high", "Very high"


# The scores a heat map can be drawn for: the field names' prefix on Risk.
BASES = ("residual", "inherent", "target")


def risk_settings_of(partnership: Partnership) -> RiskSettings:
    """The partnership's bands; without a saved row, an unsaved one holding the defaults
    (medium from 5, high from 10, very high from 16, no public summary)."""
    found = RiskSettings.objects.filter(partnership=partnership).first()
    return found or RiskSettings(partnership=partnership)


def band_of(settings: RiskSettings, score: int) -> Band:
    """The band a score (likelihood × impact, 1 to 25) falls in."""
    if score >= settings.very_high_from:
        return Band.VERY_HIGH
    if score >= settings.high_from:
        return Band.HIGH
    if score >= settings.medium_from:
        return Band.MEDIUM
    return Band.LOW


def _band_case(settings: RiskSettings, score: str) -> Case:
    """``band_of`` in SQL, for the annotation ``score``."""
    return Case(
        When(**{f"{score}__gte": settings.very_high_from}, then=Value(Band.VERY_HIGH.value)),
        When(**{f"{score}__gte": settings.high_from}, then=Value(Band.HIGH.value)),
        When(**{f"{score}__gte": settings.medium_from}, then=Value(Band.MEDIUM.value)),
        default=Value(Band.LOW.value),
        output_field=CharField(),
    )


# --- who sees which risk ----------------------------------------------------------------------


def _visible_q(user: Any, partnership: Partnership, bodies: list[Body] | None = None) -> Q:
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if bodies is None:
        bodies = list(Body.objects.filter(partnership=partnership).only("pk", "partnership_id"))
    # Rights are cached on the user: these questions ask no more queries per body.
    insider = [
        b.pk
        for b in bodies
        if perms.can_view_private_body(user, b) or perms.can_chair_body(user, b)
    ]
    visible = Q(body_id__in=insider) | Q(escalated_to_id__in=insider)
    if insider:
        # Accepted above appetite by one of their bodies, while the acceptance stands.
        visible |= Q(Exists(_accepted_by(insider)))
    if sits_in_partnership(user, partnership.pk):
        # Its owner, and the owners of its controls (who must know what they act on), while
        # they sit on a body of the partnership (rights follow memberships).
        owns_control = RiskControl.objects.filter(risk=OuterRef("pk"), owner_id=user.pk)
        visible |= Q(owner_id=user.pk) | Q(Exists(owns_control))
    return visible


def _accepted_by(bodies, *, today: date | None = None) -> QuerySet[RiskAcceptance]:
    """Acceptances in force today, made by one of ``bodies``, of the outer risk, while that
    body is still the one its owning body reports to (a risk that moved leaves it)."""
    return RiskAcceptance.objects.filter(
        risk=OuterRef("pk"),
        body_id__in=bodies,
        body_id=OuterRef("body__parent_id"),
        expires_on__gte=today or timezone.localdate(),
    )


def register_q(body: Body, *, today: date | None = None) -> Q:
    """The risks on ``body``'s register: its own, those escalated to it and those it accepted
    above appetite while the acceptance stands. One rule for the register's page, its export
    and its PDF."""
    return Q(body=body) | Q(escalated_to=body) | Q(Exists(_accepted_by([body.pk], today=today)))


def risks_visible_to(
    user: Any, partnership: Partnership, *, bodies: list[Body] | None = None
) -> QuerySet[Risk]:
    """The risks of ``partnership`` this user may see, open and closed (see the module's
    docstring). One query for the partnership's bodies now (none when the caller has loaded
    them all: ``bodies``, with their ``partnership_id``), beside the user's rights and the
    partnership's tree (each loaded once per request); the queryset itself is lazy."""
    return Risk.objects.filter(_visible_q(user, partnership, bodies), partnership=partnership)


# --- a body's register ------------------------------------------------------------------------


def _appetite(*, per_category: bool) -> Subquery:
    """The owning body's threshold for the risk's category, or its general one."""
    rows = RiskAppetite.objects.filter(body=OuterRef("body"))
    if per_category:
        rows = rows.filter(category=OuterRef("category"))
    else:
        rows = rows.filter(category__isnull=True)
    return Subquery(rows.order_by().values("threshold")[:1], output_field=IntegerField())


def body_register(
    *, body: Body, user: Any, status: str | None = RiskStatus.OPEN, today: date | None = None
) -> QuerySet[Risk]:
    """The body's own risks and those escalated to it from the bodies below (the same rows,
    not copies), that ``user`` may see; ``status`` None for open and closed alike. Highest
    residual score first, then by code.

    Each row carries, worked out in the database:
    ``residual`` (the score), ``residual_band`` (a ``Band`` value), ``escalated_here`` (True
    for a risk of a body below, escalated to this one), ``appetite`` (the owning body's
    threshold for the risk's category, else its general one; None if it has none),
    ``above_appetite`` and ``accepted_until`` (the latest expiry of an acceptance in force,
    or None).
    Related rows a register shows are loaded with it: a fixed number of queries for any
    number of risks."""
    today = today or timezone.localdate()
    settings = risk_settings_of(body.partnership)
    qs = risks_visible_to(user, body.partnership).filter(register_q(body, today=today))
    if status:
        qs = qs.filter(status=status)
    accepted = (
        RiskAcceptance.objects.filter(risk=OuterRef("pk"), expires_on__gte=today)
        .order_by("-expires_on")
        .values("expires_on")[:1]
    )
    return (
        qs.annotate(
            residual=ExpressionWrapper(
                F("residual_likelihood") * F("residual_impact"), output_field=IntegerField()
            ),
            escalated_here=ExpressionWrapper(
                Q(escalated_to=body) & ~Q(body=body), output_field=BooleanField()
            ),
            appetite=Coalesce(_appetite(per_category=True), _appetite(per_category=False)),
            accepted_until=Subquery(accepted),
        )
        .annotate(
            residual_band=_band_case(settings, "residual"),
            above_appetite=Case(
                When(appetite__isnull=False, residual__gt=F("appetite"), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .select_related(
            "body",
            "category",
            "owner",
            "owner_organisation",
            "escalated_to",
            "escalation_item__meeting",
        )
        .prefetch_related(
            "outcomes",
            "indicators",
            "actions",
            Prefetch("controls", queryset=RiskControl.objects.select_related("owner")),
        )
        .order_by("-residual", "code")
    )


# --- the heat map -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskPoint:
    """A risk on the map: where it is, and (residual only) where it was at the end of the
    previous quarter (None: it did not exist yet)."""

    pk: int
    code: str
    title: str
    likelihood: int
    impact: int
    was_likelihood: int | None = None
    was_impact: int | None = None

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def was_score(self) -> int | None:
        if self.was_likelihood is None or self.was_impact is None:
            return None
        return self.was_likelihood * self.was_impact

    @property
    def moved(self) -> bool:
        return self.was_score is not None and (self.was_likelihood, self.was_impact) != (
            self.likelihood,
            self.impact,
        )

    @property
    def movement(self) -> str:
        """ "up", "down", "same" (the score; a move within the same score is "same" but
        ``moved``) or "new"."""
        was = self.was_score
        if was is None:
            return "new"
        if self.score > was:
            return "up"
        return "down" if self.score < was else "same"


@dataclass
class HeatCell:
    likelihood: int
    impact: int
    band: Band
    risks: list[RiskPoint] = field(default_factory=list)
    # How many of the same risks were in this cell at the end of the previous quarter.
    was_count: int = 0

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def count(self) -> int:
        return len(self.risks)

    @property
    def codes(self) -> list[str]:
        return [r.code for r in self.risks]

    @property
    def ids(self) -> list[int]:
        return [r.pk for r in self.risks]


@dataclass
class HeatRow:
    likelihood: int
    cells: list[HeatCell]


@dataclass
class HeatMap:
    """A 5×5 grid: rows of likelihood 5 down to 1, each with cells of impact 1 to 5."""

    basis: str
    rows: list[HeatRow]
    counts_by_band: dict[Band, int]
    previous_quarter: Quarter
    # Movement since the previous quarter is shown for the residual score only.
    shows_movement: bool

    @property
    def total(self) -> int:
        return sum(self.counts_by_band.values())

    def cell(self, likelihood: int, impact: int) -> HeatCell:
        return self.rows[5 - likelihood].cells[impact - 1]

    @property
    def band_counts(self) -> list[tuple[Band, int]]:
        """(band, count) lowest band first, for a key beside the map."""
        return [(band, self.counts_by_band[band]) for band in Band]

    @property
    def points(self) -> list[RiskPoint]:
        return [p for row in self.rows for cell in row.cells for p in cell.risks]


def _end_of(day: date) -> datetime:
    """The first moment after ``day`` ends, where the site keeps its time."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def heat_map(
    *,
    risks: QuerySet[Risk],
    partnership: Partnership,
    basis: str = "residual",
    today: date | None = None,
) -> HeatMap:
    """Count ``risks`` into the 5×5 grid by their ``basis`` score, banded by the
    partnership's settings. For the residual score, each risk also says which cell it was in
    when the previous quarter ended, from its history. Two queries: the settings, and the
    risks with where they were."""
    if basis not in BASES:
        raise ValueError(f"A heat map is drawn for one of {', '.join(BASES)}, not {basis}")
    settings = risk_settings_of(partnership)
    previous = Quarter.of(today or timezone.localdate()).previous()
    likelihood, impact = f"{basis}_likelihood", f"{basis}_impact"
    shows_movement = basis == "residual"
    # A register's queryset will do: what it loads beside the risks is not wanted here.
    qs = risks.prefetch_related(None).order_by("code")
    fields = ["pk", "code", "title", likelihood, impact]
    if shows_movement:
        # The last history row saved by the end of the previous quarter: one correlated
        # subquery each, so it is still one query for the whole map.
        then = Risk.history.filter(id=OuterRef("pk"), history_date__lt=_end_of(previous.ends_on))
        then = then.order_by("-history_date", "-history_id")
        qs = qs.annotate(
            was_likelihood=Subquery(then.values("residual_likelihood")[:1]),
            was_impact=Subquery(then.values("residual_impact")[:1]),
        )
        fields += ["was_likelihood", "was_impact"]
    rows = [
        HeatRow(
            likelihood=lk,
            cells=[
                HeatCell(likelihood=lk, impact=im, band=band_of(settings, lk * im))
                for im in range(1, 6)
            ],
        )
        for lk in range(5, 0, -1)
    ]
    heat = HeatMap(
        basis=basis,
        rows=rows,
        counts_by_band=dict.fromkeys(Band, 0),
        previous_quarter=previous,
        shows_movement=shows_movement,
    )
    for values in qs.values_list(*fields):
        point = RiskPoint(*values)
        cell = heat.cell(point.likelihood, point.impact)
        cell.risks.append(point)
        heat.counts_by_band[cell.band] += 1
        if point.was_score is not None:
            heat.cell(point.was_likelihood, point.was_impact).was_count += 1
    return heat
