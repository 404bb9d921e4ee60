"""The summary of a partnership's risk registers: counts, never a risk.

Decided here once for every place a summary is shown: the public's summary page
(``performance:risk_summary``), the six-monthly report to the Partnership Board and the annual
report.

- Only open risks are counted, by their residual score (likelihood × impact, now), in the
  partnership's bands.
- A confidential risk is never counted. A summary can reach the public (its page, the annual
  report, a six-monthly report on a public agenda), and a confidential risk is seen only by the
  bodies it concerns: counting it, even in one cell, would tell the public it exists.
- It says how many, never which: no code, title, owner or word of a risk. Body names are
  public; a body with no counted risk is not listed.
- The public sees a summary only where the partnership publishes one
  (``RiskSettings.publish_summary``): ``public_risk_summary`` is None otherwise.

Two queries however many risks: the settings, and the risks (with their appetite, an
acceptance in force and where they were at ``was_at``, each a subquery).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from partnership.models import Partnership
from partnership.periods import Quarter
from performance.models import (
    IMPACT_LEVELS,
    LIKELIHOOD_LEVELS,
    Risk,
    RiskAcceptance,
    RiskSettings,
    RiskStatus,
)
from performance.selectors.risks import Band, _appetite, _end_of, band_of, risk_settings_of

__all__ = [
    "BodyRiskCounts",
    "RiskSummary",
    "SummaryCell",
    "public_risk_summary",
    "risk_summary",
]

MOVEMENTS = ("up", "down", "same", "new")


def _short(levels: dict[int, str]) -> dict[int, str]:
    """ "Rare: may happen ..." -> "Rare": a level's name, for the heading of a row or column."""
    return {n: text.split(":", 1)[0] for n, text in levels.items()}


def _day(day: date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""


@dataclass
class SummaryCell:
    likelihood: int
    impact: int
    band: Band
    count: int = 0
    # How many of the risks counted now were in this cell at the end of ``was_at``.
    was: int = 0

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


@dataclass
class BodyRiskCounts:
    """One owning body's counted risks. ``above_appetite``: residual score above the body's
    appetite for the risk's category (else its general one); ``accepted``: of those, accepted
    by the parent body's chair, in force; ``escalated``: on the parent body's register now."""

    name: str
    counts_by_band: dict[Band, int] = field(default_factory=lambda: dict.fromkeys(Band, 0))
    above_appetite: int = 0
    accepted: int = 0
    escalated: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts_by_band.values())


@dataclass
class RiskSummary:
    """How many open, non-confidential risks there are: by band, in each cell of the 5×5 map
    of residual scores, and by owning body; with how they moved since ``was_at``."""

    counts_by_band: dict[Band, int]
    # Rows of likelihood 5 down to 1, each with cells of impact 1 to 5.
    rows: list[list[SummaryCell]]
    bodies: list[BodyRiskCounts]
    published: bool
    was_at: date | None = None
    movement: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MOVEMENTS, 0))

    @property
    def total(self) -> int:
        return sum(self.counts_by_band.values())

    @property
    def band_counts(self) -> list[tuple[Band, int]]:
        return [(band, self.counts_by_band[band]) for band in Band]

    def cell(self, likelihood: int, impact: int) -> SummaryCell:
        return self.rows[5 - likelihood][impact - 1]

    def as_data(self) -> dict:
        """The summary as plain JSON data: what a report freezes in its facts, and what the
        summary's partial (``performance/risks/_summary.html``) draws, on a page or in a PDF."""
        likelihoods, impacts = _short(LIKELIHOOD_LEVELS), _short(IMPACT_LEVELS)
        return {
            "published": self.published,
            "total": self.total,
            "bands": [
                {"band": band.value, "label": band.label, "count": n}
                for band, n in self.band_counts
            ],
            "impacts": [{"impact": n, "impact_text": impacts[n]} for n in range(1, 6)],
            "rows": [
                {
                    "likelihood": cells[0].likelihood,
                    "likelihood_text": likelihoods[cells[0].likelihood],
                    "cells": [
                        {
                            "impact": c.impact,
                            "score": c.score,
                            "band": c.band.value,
                            "band_label": c.band.label,
                            "count": c.count,
                            "was": c.was,
                        }
                        for c in cells
                    ],
                }
                for cells in self.rows
            ],
            "bodies": [
                {
                    "name": b.name,
                    "total": b.total,
                    "bands": [b.counts_by_band[band] for band in Band],
                    "above_appetite": b.above_appetite,
                    "accepted": b.accepted,
                    "escalated": b.escalated,
                }
                for b in self.bodies
            ],
            "above_appetite": sum(b.above_appetite for b in self.bodies),
            "accepted": sum(b.accepted for b in self.bodies),
            "escalated": sum(b.escalated for b in self.bodies),
            "was_on": _day(self.was_at),
            "movement": dict(self.movement),
        }


def _movement(now: tuple[int, int], was: tuple[int | None, int | None]) -> str:
    if was[0] is None or was[1] is None:
        return "new"
    score, was_score = now[0] * now[1], was[0] * was[1]
    if score == was_score:
        return "same"
    return "up" if score > was_score else "down"


def risk_summary(
    partnership: Partnership,
    *,
    was_at: date | None = None,
    today: date | None = None,
    settings: RiskSettings | None = None,
) -> RiskSummary:
    """Count the partnership's open, non-confidential risks (see the module's docstring).
    With ``was_at``, each cell also says how many of the same risks were in it when that day
    ended, and ``movement`` how many rose, fell, stayed or are new since, from their history.
    ``published`` says whether the partnership publishes a summary: the caller decides what
    that means for where the summary may go."""
    today = today or timezone.localdate()
    settings = settings or risk_settings_of(partnership)
    in_force = RiskAcceptance.objects.filter(risk=OuterRef("pk"), expires_on__gte=today)
    qs = (
        Risk.objects.filter(partnership=partnership, status=RiskStatus.OPEN, confidential=False)
        .annotate(
            appetite=Coalesce(_appetite(per_category=True), _appetite(per_category=False)),
            accepted=Exists(in_force),
        )
        .order_by("body__name", "body_id")
    )
    fields = [
        "body_id",
        "body__name",
        "residual_likelihood",
        "residual_impact",
        "appetite",
        "accepted",
        "escalated_to_id",
    ]
    if was_at is not None:
        # The last history row saved by the end of that day: one correlated subquery each, as
        # the heat map does, so still one query.
        then = Risk.history.filter(id=OuterRef("pk"), history_date__lt=_end_of(was_at))
        then = then.order_by("-history_date", "-history_id")
        qs = qs.annotate(
            was_likelihood=Subquery(then.values("residual_likelihood")[:1]),
            was_impact=Subquery(then.values("residual_impact")[:1]),
        )
        fields += ["was_likelihood", "was_impact"]
    rows = [
        [SummaryCell(lk, im, band_of(settings, lk * im)) for im in range(1, 6)]
        for lk in range(5, 0, -1)
    ]
    summary = RiskSummary(
        counts_by_band=dict.fromkeys(Band, 0),
        rows=rows,
        bodies=[],
        published=settings.publish_summary,
        was_at=was_at,
    )
    bodies: dict[int, BodyRiskCounts] = {}
    for values in qs.values_list(*fields):
        body_id, name, likelihood, impact, appetite, accepted, escalated_to = values[:7]
        cell = summary.cell(likelihood, impact)
        cell.count += 1
        summary.counts_by_band[cell.band] += 1
        body = bodies.get(body_id)
        if body is None:
            body = bodies[body_id] = BodyRiskCounts(name=name)
            summary.bodies.append(body)
        body.counts_by_band[cell.band] += 1
        if appetite is not None and cell.score > appetite:
            body.above_appetite += 1
            body.accepted += bool(accepted)
        body.escalated += escalated_to is not None
        if was_at is not None:
            was = values[7], values[8]
            summary.movement[_movement((likelihood, impact), was)] += 1
            if was[0] is not None and was[1] is not None:
                summary.cell(was[0], was[1]).was += 1
    return summary


def public_risk_summary(
    partnership: Partnership, *, today: date | None = None
) -> RiskSummary | None:
    """The summary the public may see, if the partnership publishes one (None if it does
    not), with the movement since the end of the previous quarter, as the heat map shows it."""
    settings = risk_settings_of(partnership)
    if not settings.publish_summary:
        # Asked first: a partnership that publishes nothing has nothing counted for the public.
        return None
    today = today or timezone.localdate()
    was_at = Quarter.of(today).previous().ends_on
    return risk_summary(partnership, was_at=was_at, today=today, settings=settings)
