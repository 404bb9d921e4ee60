"""The twice-yearly key partnerships report to the executive (Chorley's framework: "a report
twice a year on every key partnership").

For each key partnership active in the half-year, in the order of the register: who leads it
and its remit; its performance against targets (each linked indicator's latest signed-off
figure up to the half's end, against the target and RAG it was signed off with); emerging issues
(the latest review's changes needed and risks, its linked risks above appetite or rated high,
its indicators rated red); its budget (annual value, funding, the commissioning agreements
linked to it in the half); and its partners' strength and stability (the latest review's
rating). Then what changed in the half: reviews ending in change or exit, partnerships added
and ended. A summary table opens it.

The framework's report covers the partnerships that do not report to the executive themselves
(``reports_to_executive``); those that do are listed only, so the executive sees the whole
register.

It is for members: it holds money, risks and unpublished indicators, so ``has_unpublished`` is
always true (it never becomes public, and the agenda item it goes on is confidential). Linked
risks are counted, never named, and agreements summed, never listed: the report's readers are
not always the people of the bodies that own them. The partnership's governance lead approves it
(``GOVERNANCE_LEAD_APPROVED``); the co-ordinator then adds it to a meeting.

Built in a fixed number of queries however many partnerships, indicators, risks, reviews or
agreements there are, frozen as facts and stored with ``save_version``: a new version only when
the data changed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.text import Truncator

from partnership.models import Partnership
from partnership.periods import Quarter, quarters_ending
from performance.models import (
    CommissioningAgreement,
    Indicator,
    KeyPartnership,
    KeyPartnershipReview,
    KeyPartnershipStatus,
    KeyReviewOutcome,
    Rag,
    Report,
    ReportKind,
    Risk,
    RiskAppetite,
    RiskStatus,
)
from performance.selectors.risks import Band, band_of, risk_settings_of
from performance.services.reports.board import partnership_board
from performance.services.reports.common import (
    TREND_QUARTERS,
    body_facts,
    indicator_row,
    lock_body,
    long_date,
    save_version,
    signed_off_returns,
    site,
)

__all__ = ["key_partnerships_build", "key_partnerships_title"]

# How much of a partnership's remit the report shows: the register holds the rest.
REMIT_WORDS = 60
# An indicator's position is its latest signed-off figure in the year to the half's end (an
# annual indicator reports once a year).
POSITION_QUARTERS = 4
HIGH_BANDS = (Band.HIGH, Band.VERY_HIGH)
CHANGE_OUTCOMES = (KeyReviewOutcome.CHANGE, KeyReviewOutcome.EXIT)


def key_partnerships_title(period: str) -> str:
    return f"Key partnerships report: {period}"


def money(value: Decimal | None) -> str:
    return "" if value is None else f"£{value:,.2f}"


def _indicator(indicator: Indicator, window: list[Quarter], returns: dict) -> dict:
    at = next((q for q in reversed(window) if (indicator.pk, q) in returns), window[-1])
    row = indicator_row(indicator, at, returns, lead_name=indicator.lead.get_full_name())
    return {
        "code": row["code"],
        "title": row["title"],
        "published": row["published"],
        "reported": row["reported"],
        "as_at": at.short_label if row["reported"] else "",
        "actual_text": row["actual_text"],
        "target_text": row["target_text"],
        "rag": row["rag"],
        "rag_label": row["rag_label"],
    }


def _appetites(risks: list[Risk]) -> dict[tuple[int, int | None], int]:
    """Thresholds by (body, category or None for the body's general one): one query."""
    bodies = {r.body_id for r in risks}
    if not bodies:
        return {}
    return {
        (a.body_id, a.category_id): a.threshold
        for a in RiskAppetite.objects.filter(body_id__in=bodies)
    }


def _flagged_risks(risks: list[Risk], bands, appetites) -> dict:
    """How many open linked risks are rated high or above their body's appetite: counted,
    never named. The report is one snapshot for the board's people and the register's keepers,
    and a risk is read only by its own body's people (``can_see_risk``): its register names
    it to them."""
    flagged = above = 0
    for risk in risks:
        appetite = appetites.get((risk.body_id, risk.category_id))
        if appetite is None:
            appetite = appetites.get((risk.body_id, None))
        is_above = appetite is not None and risk.residual_score > appetite
        if is_above or band_of(bands, risk.residual_score) in HIGH_BANDS:
            flagged += 1
            above += is_above
    return {"flagged_risks": flagged, "above_appetite": above}


def _review(review: KeyPartnershipReview | None) -> dict | None:
    if review is None:
        return None
    return {
        "on": long_date(review.reviewed_on),
        "outcome": review.outcome,
        "outcome_label": review.get_outcome_display(),
        "strength": review.partner_strength,
        "strength_label": review.get_partner_strength_display(),
        "strength_notes": review.partner_strength_notes,
        "changes_needed": review.changes_needed,
        "risks": review.risks,
    }


def _partnership(
    kp: KeyPartnership,
    *,
    window: list[Quarter],
    returns: dict,
    bands,
    appetites: dict,
    latest: KeyPartnershipReview | None,
    agreements: list[CommissioningAgreement],
    as_at: date,
) -> dict:
    indicators = [_indicator(i, window, returns) for i in kp.indicators.all()]
    total = sum((a.total_cost for a in agreements), Decimal(0))
    overdue = kp.is_active and kp.next_review_on < as_at
    return {
        "id": kp.pk,
        "name": kp.name,
        "url": site(kp.get_absolute_url()),
        "lead_organisation": kp.lead_organisation.name,
        "lead_service": kp.lead_service,
        "lead_officer": kp.lead_officer.full_name,
        "remit": Truncator(kp.remit).words(REMIT_WORDS),
        "reports_to_executive": kp.reports_to_executive,
        "ended_on": long_date(kp.ended_on),
        "indicators": indicators,
        "issues": {
            **_flagged_risks(list(kp.risks.all()), bands, appetites),
            "red_indicators": [
                f"{row['code']} {row['title']}" for row in indicators if row["rag"] == Rag.RED
            ],
        },
        "budget": {
            "annual_value": money(kp.annual_value),
            "funding": kp.funding,
            # How many agreements and their sum: an agreement itself (its provider, price and
            # terms) is read only by its commissioning body's people (``can_see_agreement``).
            "agreements": len(agreements),
            "agreements_total": money(total) if agreements else "",
        },
        "review": _review(latest),
        "last_reviewed_on": long_date(kp.last_reviewed_on),
        "next_review_on": long_date(kp.next_review_on),
        "review_overdue": overdue,
    }


@transaction.atomic
def key_partnerships_build(*, actor: Any, partnership: Partnership, year: int, half: int) -> Report:
    """Build (or rebuild) the key partnerships report for the half-year ending with quarter
    ``half`` (2: April to September, 4: October to March) of financial year ``year``, from the
    register as it is now. The half-year may still be in progress (the report is often
    prepared in its last weeks); it may not lie in the future."""
    if half not in (2, 4):
        raise ValidationError("A half-year ends with quarter 2 (September) or 4 (March).")
    board = partnership_board(partnership)
    lock_body(board)  # before reading: a slower build never stores older data as newest
    last = Quarter(year, half)
    first = last.previous()
    start, end = first.starts_on, last.ends_on
    today = timezone.localdate()
    if start > today:
        raise ValidationError(
            f"The half-year starts on {long_date(start)}: build its report once it has started."
        )
    as_at = min(end, today)
    period = Report(kind=ReportKind.KEY_PARTNERSHIPS, year=year, quarter=half).period_label

    # Active now, or ended since the half began: those ended after it were active throughout.
    partnerships = list(
        KeyPartnership.objects.filter(partnership=partnership)
        .filter(Q(status=KeyPartnershipStatus.ACTIVE) | Q(ended_on__gte=start))
        .select_related("lead_organisation", "lead_officer", "partnership")
        .prefetch_related(
            Prefetch(
                "indicators", queryset=Indicator.objects.select_related("lead").order_by("code")
            ),
            Prefetch("risks", queryset=Risk.objects.filter(status=RiskStatus.OPEN)),
        )
        .order_by("name", "pk")
    )
    ids = [kp.pk for kp in partnerships]
    window = quarters_ending(last, POSITION_QUARTERS)
    indicator_ids = {i.pk for kp in partnerships for i in kp.indicators.all()}
    # Enough quarters for any position's trend, which ``indicator_row`` walks.
    returns = signed_off_returns(
        indicator_ids, quarters_ending(last, TREND_QUARTERS + POSITION_QUARTERS - 1)
    )
    bands = risk_settings_of(partnership)
    appetites = _appetites([r for kp in partnerships for r in kp.risks.all()])
    latest: dict[int, KeyPartnershipReview] = {}
    in_half: list[KeyPartnershipReview] = []
    reviews = KeyPartnershipReview.objects.filter(
        key_partnership_id__in=ids, reviewed_on__lte=end
    ).order_by("key_partnership_id", "-reviewed_on", "-pk")
    for review in reviews:
        latest.setdefault(review.key_partnership_id, review)
        if review.reviewed_on >= start:
            in_half.append(review)
    agreements: dict[int, list[CommissioningAgreement]] = {}
    for agreement in CommissioningAgreement.objects.filter(
        key_partnership_id__in=ids, starts_on__lte=end, ends_on__gte=start
    ).order_by("starts_on", "reference", "pk"):
        agreements.setdefault(agreement.key_partnership_id, []).append(agreement)

    ended = [kp for kp in partnerships if kp.ended_on is not None and kp.ended_on <= end]
    current = [kp for kp in partnerships if kp not in ended]
    rows = [
        _partnership(
            kp,
            window=window,
            returns=returns,
            bands=bands,
            appetites=appetites,
            latest=latest.get(kp.pk),
            agreements=agreements.get(kp.pk, []),
            as_at=as_at,
        )
        for kp in current
    ]
    names = {kp.pk: kp.name for kp in partnerships}
    changed = sorted(
        (r for r in in_half if r.outcome in CHANGE_OUTCOMES),
        key=lambda r: (r.reviewed_on, names[r.key_partnership_id], r.pk),
    )
    outcomes = dict.fromkeys(KeyReviewOutcome, 0)
    for review in in_half:
        outcomes[KeyReviewOutcome(review.outcome)] += 1
    added = [
        kp
        for kp in partnerships
        if start <= timezone.localdate(kp.created_at) <= end and kp not in ended
    ]
    facts = {
        "kind": ReportKind.KEY_PARTNERSHIPS.value,
        "partnership": partnership.name,
        "title": key_partnerships_title(period),
        "period": period,
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "audience": "members",
        # Money, risks, reviews and unpublished indicators: never for the public.
        "has_unpublished": True,
        "body": body_facts(board),
        "board": body_facts(board),
        "summary": {
            "active": len(rows),
            "covered": sum(not r["reports_to_executive"] for r in rows),
            "own_reports": sum(r["reports_to_executive"] for r in rows),
            "overdue": sum(r["review_overdue"] for r in rows),
            "reviews": len(in_half),
            "outcomes": [{"label": o.label, "count": n} for o, n in outcomes.items()],
            "ended": len(ended),
        },
        "partnerships": [r for r in rows if not r["reports_to_executive"]],
        "own_reports": [
            {
                "name": r["name"],
                "url": r["url"],
                "lead_organisation": r["lead_organisation"],
                "lead_officer": r["lead_officer"],
                "next_review_on": r["next_review_on"],
                "review_overdue": r["review_overdue"],
            }
            for r in rows
            if r["reports_to_executive"]
        ],
        "changes": {
            "reviews": [
                {
                    "name": names[r.key_partnership_id],
                    "on": long_date(r.reviewed_on),
                    "outcome": r.outcome,
                    "outcome_label": r.get_outcome_display(),
                    "changes_needed": r.changes_needed,
                }
                for r in changed
            ],
            "added": [
                {"name": kp.name, "on": long_date(timezone.localdate(kp.created_at))}
                for kp in added
            ],
            "ended": [{"name": kp.name, "on": long_date(kp.ended_on)} for kp in ended],
        },
    }
    report, _ = save_version(
        actor=actor,
        body=board,
        kind=ReportKind.KEY_PARTNERSHIPS,
        year=year,
        quarter=half,
        title=facts["title"],
        facts=facts,
        # The day it was built is not its data: the same register another day is no new
        # version (a review falling overdue meanwhile is, and changes the facts).
        stamp={"built_on": long_date(today), "as_at": long_date(as_at)},
    )
    return report
