"""Reads for the dashboards, an indicator's page and the open data.

Who sees what is decided once, by a :class:`Viewer`: an indicator's insiders (members of its
owning body, its co-ordinators, its chair, its lead; see ``performance.permissions``) see it
and every reported figure of it, signed off or awaiting sign-off; everyone else sees only
published indicators, and only their signed-off figures. Both are expressed as ``Q`` objects,
so lists are filtered, paged and counted in the database.

The rating shown for a period is the one stored on its return when it was submitted (its
target, RAG and directions): a target changed later never silently changes a past rating.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from partnership import permissions as perms
from partnership.models import Body, Partnership
from partnership.periods import Quarter, financial_year_label, quarters_ending
from performance.charts import Point
from performance.models import (
    DUE_QUARTERS,
    REPORTED,
    Frequency,
    Indicator,
    Rag,
    Return,
    ReturnStatus,
    Target,
)
from performance.rules import target_for

__all__ = [
    "TREND_QUARTERS",
    "DashboardFilters",
    "DashboardRow",
    "Choice",
    "Overview",
    "Figure",
    "PeriodRow",
    "SUMMARY_COLUMNS",
    "SummaryRow",
    "TargetChange",
    "YearTargets",
    "Viewer",
    "dashboard_indicators",
    "dashboard_rows",
    "dashboard_overview",
    "indicator_periods",
    "open_data_returns",
    "target_history",
    "targets_by_year",
    "viewer_for",
]

TREND_QUARTERS = 8
RAG_ORDER = [Rag.RED, Rag.AMBER, Rag.GREEN, Rag.NO_TARGET, Rag.NO_DATA]


@dataclass(frozen=True)
class Viewer:
    """Who is looking at one partnership's indicators, and so what they may see."""

    user_id: int | None
    insider_bodies: frozenset[int]

    def is_insider(self, indicator: Indicator) -> bool:
        return indicator.body_id in self.insider_bodies or (
            self.user_id is not None and indicator.lead_id == self.user_id
        )

    def _insider_q(self, prefix: str = "") -> Q:
        q = Q(pk__in=[])
        if self.insider_bodies:
            q |= Q(**{f"{prefix}body_id__in": sorted(self.insider_bodies)})
        if self.user_id is not None:
            q |= Q(**{f"{prefix}lead_id": self.user_id})
        return q

    def indicators(self) -> Q:
        """The indicators they may see, as a filter of ``Indicator``."""
        return Q(published=True) | self._insider_q()

    def figures(self) -> Q:
        """Of the returns of indicators they see, those whose figures they may see, as a
        filter of ``Return``: signed off, and submitted ones where they are insiders."""
        signed_off = Q(status=ReturnStatus.SIGNED_OFF)
        if self.user_id is None:
            return signed_off
        return signed_off | (Q(status=ReturnStatus.SUBMITTED) & self._insider_q("indicator__"))


def viewer_for(user: Any, partnership: Partnership) -> Viewer:
    """Asks ``partnership.permissions`` body by body, so the dashboards agree with
    ``performance.permissions.is_insider`` by construction (one query for the bodies; the
    user's rights are already loaded once per request)."""
    if not getattr(user, "is_authenticated", False):
        return Viewer(user_id=None, insider_bodies=frozenset())
    bodies = Body.objects.filter(partnership=partnership).only("pk", "partnership_id")
    inside = frozenset(
        b.pk
        for b in bodies
        if perms.can_view_private_body(user, b) or perms.can_chair_body(user, b)
    )
    return Viewer(user_id=user.pk, insider_bodies=inside)


@dataclass(frozen=True)
class DashboardFilters:
    outcome: int | None = None
    body: int | None = None
    rag: str | None = None
    lead: int | None = None
    sort: str = "code"

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.outcome, self.body, self.rag, self.lead))


def _latest(viewer: Viewer) -> QuerySet[Return]:
    return Return.objects.filter(viewer.figures(), indicator=OuterRef("pk")).order_by(
        "-year", "-quarter"
    )


def dashboard_indicators(
    *,
    viewer: Viewer,
    partnership: Partnership,
    body: Body | None = None,
    filters: DashboardFilters = DashboardFilters(),  # noqa: B008 - frozen, so safe to share
) -> QuerySet[Indicator]:
    """The indicators ``viewer`` may see, filtered and ordered, each annotated with the id and
    the stored RAG of its latest return they may see (``latest_rag`` is "no_data" when there
    is none). Bodies and leads are not joined: ``dashboard_overview`` has their names."""
    latest = _latest(viewer)
    qs = Indicator.objects.filter(viewer.indicators(), partnership=partnership).annotate(
        latest_id=Subquery(latest.values("pk")[:1]),
        latest_rag=Coalesce(Subquery(latest.values("rag")[:1]), Value(Rag.NO_DATA.value)),
    )
    if body is not None:
        qs = qs.filter(body=body)
    if filters.body is not None:
        qs = qs.filter(body_id=filters.body)
    if filters.outcome is not None:
        qs = qs.filter(outcome_id=filters.outcome)
    if filters.lead is not None:
        qs = qs.filter(lead_id=filters.lead)
    if filters.rag is not None:
        qs = qs.filter(latest_rag=filters.rag)
    if filters.sort == "rag":
        worst_first = Case(
            *(When(latest_rag=r.value, then=Value(i)) for i, r in enumerate(RAG_ORDER)),
            default=Value(len(RAG_ORDER)),
            output_field=IntegerField(),
        )
        return qs.order_by(worst_first, "code", "pk")
    return qs.order_by("code", "pk")


@dataclass
class SummaryRow:
    outcome: Choice | None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def cells(self) -> list[int]:
        return [self.counts.get(r, 0) for r in SUMMARY_COLUMNS]


SUMMARY_COLUMNS = [Rag.GREEN, Rag.AMBER, Rag.RED, Rag.NO_DATA, Rag.NO_TARGET]


class Choice(NamedTuple):
    """An outcome, body or lead offered by a filter: what it is called (sorted by) and its id."""

    label: str
    pk: int


@dataclass
class Overview:
    """The summary of the RAG ratings by outcome, and what each filter offers: only the
    outcomes, bodies and leads of indicators the viewer may see, so a choice never names
    anything of an unpublished indicator."""

    summary: list[SummaryRow]
    total: SummaryRow
    outcomes: list[Choice]
    bodies: list[Choice]
    leads: list[Choice]
    # (outcome, body, lead, latest RAG) -> how many indicators.
    groups: dict[tuple[int | None, int, int, str], int] = field(default_factory=dict)

    def count(self, filters: DashboardFilters) -> int:
        """How many indicators the filters leave: the groups are by exactly what the filters
        choose, so the paginator needs no count query of its own."""
        wanted = (filters.outcome, filters.body, filters.lead, filters.rag)
        return sum(
            n
            for key, n in self.groups.items()
            if all(w is None or w == k for w, k in zip(wanted, key, strict=True))
        )

    def names(self) -> tuple[dict[int, str], dict[int, str]]:
        """Bodies' and leads' names by id, for the rows (saving the page query two joins)."""
        return {c.pk: c.label for c in self.bodies}, {c.pk: c.label for c in self.leads}


def dashboard_overview(indicators: QuerySet[Indicator]) -> Overview:
    """For ``dashboard_indicators`` unfiltered: the indicators are counted in the database,
    grouped by outcome, body, lead and latest RAG rating, in one query that also gives the
    filters' choices."""
    groups = (
        indicators.order_by()
        .values(
            "outcome_id",
            "outcome__code",
            "outcome__title",
            "body_id",
            "body__name",
            "lead_id",
            "lead__full_name",
            "lead__email",
            "latest_rag",
        )
        .annotate(n=Count("pk"))
    )
    rows: dict[int | None, SummaryRow] = {}
    total = SummaryRow(outcome=None)
    bodies, leads = set(), set()
    counts: dict[tuple[int | None, int, int, str], int] = {}
    for g in groups:
        outcome_id, n, rag = g["outcome_id"], g["n"], g["latest_rag"] or Rag.NO_DATA
        key = (outcome_id, g["body_id"], g["lead_id"], rag)
        counts[key] = counts.get(key, 0) + n
        if outcome_id not in rows:
            outcome = None
            if outcome_id is not None:
                outcome = Choice(f"{g['outcome__code']}: {g['outcome__title']}", outcome_id)
            rows[outcome_id] = SummaryRow(outcome=outcome)
        rows[outcome_id].counts[rag] = rows[outcome_id].counts.get(rag, 0) + n
        total.counts[rag] = total.counts.get(rag, 0) + n
        bodies.add(Choice(g["body__name"], g["body_id"]))
        leads.add(Choice(g["lead__full_name"] or g["lead__email"], g["lead_id"]))
    # Outcomes in code order ("SC1: ..." sorts by its code), those without one last.
    summary = sorted(rows.values(), key=lambda r: (r.outcome is None, r.outcome))
    return Overview(
        summary=summary,
        total=total,
        outcomes=[r.outcome for r in summary if r.outcome is not None],
        bodies=sorted(bodies),
        leads=sorted(leads),
        groups=counts,
    )


def _in_window(first: Quarter, last: Quarter) -> Q:
    after = Q(year__gt=first.year) | Q(year=first.year, quarter__gte=first.number)
    before = Q(year__lt=last.year) | Q(year=last.year, quarter__lte=last.number)
    return after & before


def _targets(indicator_ids: list[int], first: Quarter, last: Quarter) -> dict[int, dict]:
    found: dict[int, dict[tuple[int, int], Decimal]] = {pk: {} for pk in indicator_ids}
    for indicator_id, year, quarter, value in Target.objects.filter(
        indicator_id__in=indicator_ids, year__gte=first.year, year__lte=last.year
    ).values_list("indicator_id", "year", "quarter", "value"):
        found[indicator_id][(year, quarter)] = value
    return found


def _trend(indicator: Indicator, window: list[Quarter], shown: dict, targets: dict) -> list[Point]:
    """A reported period is drawn with the target it was rated against when submitted; a
    period without a figure, with the target that applies today."""
    # Once per indicator, not per period: is_due() builds an enum member each time it asks.
    due_quarters = DUE_QUARTERS[Frequency(indicator.frequency)]
    points = []
    for period in window:
        figure = shown.get((indicator.pk, period))
        due = period.number in due_quarters
        if figure is not None:
            points.append(Point(period, figure.value, figure.target_value, due=True))
        else:
            target = target_for(indicator, period, targets) if due else None
            points.append(Point(period, None, target, due=due))
    return points


class Figure(NamedTuple):
    """A reported figure as a dashboard shows it: read as plain values, not model instances,
    as a page of 50 indicators has 400 of them."""

    pk: int
    period: Quarter
    status: str
    value: Decimal | None
    target_value: Decimal | None
    rag: str
    direction: str


FIGURE_FIELDS = ("pk", "indicator_id", "year", "quarter", "status", "value", "target_value")


@dataclass
class DashboardRow:
    indicator: Indicator
    latest: Figure | None
    points: list[Point]

    @property
    def awaiting_sign_off(self) -> bool:
        return self.latest is not None and self.latest.status == ReturnStatus.SUBMITTED

    @property
    def latest_target(self) -> Decimal | None:
        if self.latest is not None:
            return self.latest.target_value
        return self.points[-1].target if self.points else None


def dashboard_rows(
    indicators: list[Indicator], *, viewer: Viewer, last: Quarter
) -> list[DashboardRow]:
    """For one page of ``dashboard_indicators``: each indicator's latest figure the viewer may
    see and its trend over the eight quarters to ``last``, in two queries for the page (none
    for an empty page)."""
    if not indicators:
        return []
    window = quarters_ending(last, TREND_QUARTERS)
    ids = [i.pk for i in indicators]
    latest_ids = [i.latest_id for i in indicators if i.latest_id is not None]
    # Every indicator here is one the viewer sees: which figures of each they see is known
    # without asking the database to join the indicators again.
    insiders = [i.pk for i in indicators if viewer.is_insider(i)]
    shown = Q(status=ReturnStatus.SIGNED_OFF) | Q(
        status=ReturnStatus.SUBMITTED, indicator_id__in=insiders
    )
    rows = (
        Return.objects.filter(shown, indicator_id__in=ids)
        .filter(_in_window(window[0], last) | Q(pk__in=latest_ids))
        .values_list(*FIGURE_FIELDS, "rag", "direction")
        .order_by()  # the default ordering would join the indicators again
    )
    by_key: dict[tuple[int, Quarter], Figure] = {}
    by_pk: dict[int, Figure] = {}
    periods = {(q.year, q.number): q for q in window}  # made once, not 400 times
    for pk, indicator_id, year, quarter, status, value, target, rag, direction in rows:
        period = periods.get((year, quarter)) or Quarter(year, quarter)
        figure = Figure(pk, period, status, value, target, rag, direction)
        by_key[(indicator_id, figure.period)] = by_pk[pk] = figure
    targets = _targets(ids, window[0], last)
    return [
        DashboardRow(
            indicator=i,
            latest=by_pk.get(i.latest_id),
            points=_trend(i, window, by_key, targets[i.pk]),
        )
        for i in indicators
    ]


@dataclass
class PeriodRow:
    """One period of an indicator's page. ``ret`` is its return if the viewer may see its
    figure: submitted or signed off for an insider (drafts are the lead's own), signed off for
    everyone else."""

    period: Quarter
    due: bool
    ret: Return | None
    target: Decimal | None

    @property
    def reported(self) -> bool:
        return self.ret is not None and self.ret.status in REPORTED

    @property
    def value(self) -> Decimal | None:
        return self.ret.value if self.reported else None

    @property
    def rag(self) -> str:
        return self.ret.rag if self.reported else Rag.NO_DATA

    @property
    def direction(self) -> str:
        return self.ret.direction if self.reported else ""

    @property
    def direction_year(self) -> str:
        return self.ret.direction_year if self.reported else ""

    @property
    def awaiting_sign_off(self) -> bool:
        return self.ret is not None and self.ret.status == ReturnStatus.SUBMITTED

    @property
    def point(self) -> Point:
        return Point(self.period, self.value, self.target, due=self.due)


def indicator_periods(*, indicator: Indicator, insider: bool, last: Quarter) -> list[PeriodRow]:
    """The eight quarters to ``last`` of one indicator, oldest first, in two queries. A
    reported period shows the target it was rated against when submitted; any other, the
    target that applies today."""
    window = quarters_ending(last, TREND_QUARTERS)
    statuses = REPORTED if insider else [ReturnStatus.SIGNED_OFF]
    returns = Return.objects.filter(indicator=indicator, status__in=statuses).filter(
        _in_window(window[0], last)
    )
    by_period = {r.period: r for r in returns.select_related("submitted_by", "signed_off_by")}
    targets = _targets([indicator.pk], window[0], last)[indicator.pk]
    rows = []
    for period in window:
        ret = by_period.get(period)
        due = indicator.is_due(period)
        if ret is not None and ret.status in REPORTED:
            target = ret.target_value
        else:
            target = target_for(indicator, period, targets) if due else None
        rows.append(PeriodRow(period=period, due=due or ret is not None, ret=ret, target=target))
    return rows


@dataclass(frozen=True)
class YearTargets:
    year: int
    label: str
    values: list[Decimal | None]  # the whole year, then Q1 to Q4


def targets_by_year(indicator: Indicator) -> list[YearTargets]:
    years: dict[int, list[Decimal | None]] = {}
    for year, quarter, value in indicator.targets.values_list("year", "quarter", "value"):
        years.setdefault(year, [None] * 5)[quarter] = value
    return [
        YearTargets(year=y, label=financial_year_label(y), values=v)
        for y, v in sorted(years.items())
    ]


@dataclass(frozen=True)
class TargetChange:
    when: Any
    who: str
    kind: str
    period: str
    value: Decimal | None
    reason: str


_KINDS = {"+": "Set", "~": "Changed", "-": "Removed"}


def target_history(indicator: Indicator, *, limit: int = 50) -> list[TargetChange]:
    """Every setting, change and removal of the indicator's targets, newest first, each with
    its period and value (``history_entries`` names an object, not a target's period)."""
    records = (
        Target.history.filter(indicator_id=indicator.pk)
        .select_related("history_user")
        .order_by("-history_date", "-pk")[:limit]
    )
    return [
        TargetChange(
            when=r.history_date,
            who=r.history_user.get_full_name() if r.history_user else "System",
            kind=_KINDS.get(r.history_type, r.history_type),
            period=financial_year_label(r.year)
            + (f" Q{r.quarter}" if r.quarter else " (whole year)"),
            value=r.value,
            reason=r.history_change_reason or "",
        )
        for r in records
    ]


def open_data_returns(*, partnership: Partnership) -> Iterator[Return]:
    """Every signed-off figure of every published indicator, whoever asks."""
    return (
        Return.objects.filter(
            indicator__partnership=partnership,
            indicator__published=True,
            status=ReturnStatus.SIGNED_OFF,
        )
        .select_related("indicator__body", "indicator__outcome")
        .defer("commentary", "remedial_action")
        .order_by("indicator__code", "indicator_id", "year", "quarter")
        .iterator(chunk_size=2000)
    )
