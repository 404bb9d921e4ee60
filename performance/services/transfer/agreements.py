"""Writing commissioning agreements as a CSV or Excel file (export only: agreements are made
on their form, where every rule is checked with the rows beside it).

One row per agreement with every Warrington field. In the Excel file the cost lines and the
targets are a second and third sheet, one row each, keyed by the agreement's reference; in the
CSV file they are joined into a cell of their agreement's row ("Staff: 12000.00; Venue: 800.00").
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet

from performance.models import (
    AgreementCostLine,
    AgreementReview,
    AgreementTarget,
    CommissioningAgreement,
)
from performance.services.transfer.export import write_csv, write_xlsx

__all__ = ["AGREEMENT_HEADER", "agreements_export"]

# (header, attribute or callable)
_COLUMNS: list[tuple[str, Any]] = [
    ("Reference", "reference"),
    ("Title", "title"),
    ("Commissioning body", lambda a: a.commissioning_body.name),
    ("Provider", lambda a: a.provider.name),
    ("Purpose", "purpose"),
    ("Start date", lambda a: a.starts_on.isoformat()),
    ("End date", lambda a: a.ends_on.isoformat()),
    ("Review dates", lambda a: "; ".join(r.due_on.isoformat() for r in a.reviews.all())),
    ("Supervising person", lambda a: a.supervisor.full_name),
    ("Supervisor's e-mail", lambda a: a.supervisor.email),
    ("Provider's representative", "provider_representative"),
    ("Representative's e-mail", "provider_representative_email"),
    ("Commissioning body's obligations", "partnership_obligations"),
    ("Provider's obligations", "provider_obligations"),
    ("Service specification", "service_specification"),
    ("Target user group", "target_user_group"),
    ("Sustainability plan", "sustainability_plan"),
    ("Risk assessment", "risk_assessment"),
    ("Potential savings", "potential_savings"),
    ("Equality and diversity statement", "equality_statement"),
    ("Community engagement statement", "community_engagement"),
    ("Total cost (£)", lambda a: (a.total_cost, 2)),
    ("Performance monitoring arrangements", "monitoring_arrangements"),
    ("Default", "default_terms"),
    ("Arbitration", "arbitration_terms"),
    ("Key partnership", lambda a: a.key_partnership.name if a.key_partnership else ""),
]
AGREEMENT_HEADER = [header for header, _ in _COLUMNS]
COST_HEADER = ["Agreement", "What it pays for", "Amount (£)"]
TARGET_HEADER = ["Agreement", "Target", "Indicator", "Indicator's lead", "Link to outcomes"]


def _cell(agreement: CommissioningAgreement, source: Any) -> Any:
    return source(agreement) if callable(source) else getattr(agreement, source)


def _amount(value: Decimal) -> str:
    return format(value, ".2f")


def agreements_export(
    *,
    agreements: QuerySet[CommissioningAgreement] | Iterable[CommissioningAgreement],
    file_format: str = "csv",
) -> bytes:
    """The agreements (already chosen as the user may see them) with their cost lines,
    targets and review dates. A fixed number of queries."""
    if file_format not in ("csv", "xlsx"):
        raise ValueError(f"Cannot export as {file_format!r}: use csv or xlsx")
    if isinstance(agreements, QuerySet):
        ids = list(agreements.values_list("pk", flat=True))
    else:
        ids = [a.pk for a in agreements]
    found = list(
        CommissioningAgreement.objects.filter(pk__in=ids)
        .select_related("commissioning_body", "provider", "supervisor", "key_partnership")
        .prefetch_related(
            Prefetch("cost_lines", queryset=AgreementCostLine.objects.order_by("position", "pk")),
            Prefetch(
                "targets",
                queryset=AgreementTarget.objects.select_related("indicator__lead").order_by(
                    "position", "pk"
                ),
            ),
            Prefetch("reviews", queryset=AgreementReview.objects.order_by("due_on")),
        )
        .order_by("reference", "pk")
    )
    rows = [[_cell(a, source) for _, source in _COLUMNS] for a in found]
    if file_format == "csv":
        header = [*AGREEMENT_HEADER, "Cost lines", "Targets"]
        for agreement, row in zip(found, rows, strict=True):
            row.append(
                "; ".join(
                    f"{line.description}: {_amount(line.amount)}"
                    for line in agreement.cost_lines.all()
                )
            )
            row.append(
                "; ".join(f"{t.description} ({t.indicator.code})" for t in agreement.targets.all())
            )
        return write_csv(header, rows)
    costs = [
        [a.reference, line.description, (line.amount, 2)]
        for a in found
        for line in a.cost_lines.all()
    ]
    targets = [
        [
            a.reference,
            t.description,
            f"{t.indicator.code}: {t.indicator.title}",
            t.indicator.lead.full_name,
            t.link_to_outcomes,
        ]
        for a in found
        for t in a.targets.all()
    ]
    return write_xlsx(
        [
            ("Agreements", AGREEMENT_HEADER, rows),
            ("Cost lines", COST_HEADER, costs),
            ("Targets", TARGET_HEADER, targets),
        ]
    )
