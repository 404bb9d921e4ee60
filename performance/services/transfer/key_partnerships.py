"""The register of key partnerships as a CSV or Excel (.xlsx) file, for reading (there is no
import): a reader's file has every field of every row asked for; the public's, when the
partnership publishes the register, only ``PUBLIC_FIELDS``, in that order."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet

from performance.models import PUBLIC_FIELDS, Indicator, KeyPartnership, Risk
from performance.services.transfer.export import write_csv, write_xlsx

__all__ = ["PUBLIC_HEADERS", "READER_HEADERS", "key_partnerships_export"]

HEADERS = {
    "name": "Name",
    "lead_organisation": "Lead organisation",
    "lead_service": "Lead service",
    "lead_officer": "Lead officer",
    "remit": "Remit and purpose",
    "bodies": "Our bodies it links to",
    "partner_organisations": "Partners",
    "meets_key_criteria": "Meets the criteria for a key partnership",
    "key_criteria": "Criteria it meets",
    "key_criteria_notes": "About the criteria",
    "monitoring_arrangements": "Monitoring arrangements",
    "additional_monitoring": "Additional monitoring required",
    "additional_monitoring_reason": "Why additional monitoring is required",
    "reports_to_executive": "Has its own reports to the executive",
    "mou": "Memorandum of understanding or terms of reference",
    "mou_approved_by": "Memorandum approved by",
    "mou_approved_on": "Memorandum approved on",
    "funding": "Funding",
    "annual_value": "Annual value (£)",
    "liabilities": "Liabilities",
    "exit_strategy": "Exit strategy",
    "notice_period": "Notice period",
    "risks": "Risks",
    "indicators": "Indicators",
    "last_reviewed_on": "Last reviewed",
    "next_review_on": "Next review due",
    "review": "Review",
    "status": "Status",
    "ended_on": "Ended on",
}
READER_COLUMNS = list(HEADERS)
PUBLIC_COLUMNS = [*PUBLIC_FIELDS, "review"]
READER_HEADERS = [HEADERS[c] for c in READER_COLUMNS]
PUBLIC_HEADERS = [HEADERS[c] for c in PUBLIC_COLUMNS]


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _partners(kp: KeyPartnership) -> str:
    names = [o.name for o in kp.partner_organisations.all()]
    names += [line.strip() for line in kp.other_partners.splitlines() if line.strip()]
    return "; ".join(names)


def _review(kp: KeyPartnership) -> str:
    if getattr(kp, "is_overdue", False):
        return "overdue"
    return "due within 90 days" if getattr(kp, "is_due_soon", False) else ""


def _cell(kp: KeyPartnership, column: str) -> Any:
    """A cell: text (str), a figure ((Decimal, places)) or None."""
    match column:
        case "lead_organisation":
            return kp.lead_organisation.name
        case "lead_officer":
            return kp.lead_officer.full_name
        case "bodies":
            return "; ".join(b.name for b in kp.bodies.all())
        case "partner_organisations":
            return _partners(kp)
        case "key_criteria":
            return "; ".join(kp.criteria_labels())
        case "meets_key_criteria" | "additional_monitoring" | "reports_to_executive":
            return _yes(getattr(kp, column))
        case "mou":
            parts = ["file" if kp.mou_file else "", "text" if kp.mou_text else ""]
            return " and ".join(p for p in parts if p) or "none"
        case "annual_value":
            value = kp.annual_value
            return None if value is None else (Decimal(value), 2)
        case "risks":
            return "; ".join(r.code for r in kp.risks.all())
        case "indicators":
            return "; ".join(i.code for i in kp.indicators.all())
        case "review":
            return _review(kp)
        case "status":
            return kp.get_status_display()
    value = getattr(kp, column)
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def key_partnerships_export(
    *,
    rows: QuerySet[KeyPartnership],
    public: bool,
    file_format: str = "csv",
    visible_risks: QuerySet[Risk] | None = None,
    visible_indicators: QuerySet[Indicator] | None = None,
) -> bytes:
    """``rows`` from ``key_partnerships_register`` (filtered as the page was, with its review
    flags). A reader's file (``public`` False: the caller decides who is one) has every field,
    and the codes of the linked risks and indicators among ``visible_risks`` and
    ``visible_indicators`` (those the reader may see). A fixed number of queries however many
    rows."""
    if file_format not in ("csv", "xlsx"):
        raise ValueError(f"Cannot export as {file_format!r}: use csv or xlsx")
    columns = PUBLIC_COLUMNS if public else READER_COLUMNS
    if not public:
        risks = Risk.objects.all() if visible_risks is None else visible_risks
        indicators = Indicator.objects.all() if visible_indicators is None else visible_indicators
        rows = rows.prefetch_related(
            Prefetch("risks", queryset=risks.order_by("code").only("pk", "code")),
            Prefetch("indicators", queryset=indicators.order_by("code").only("pk", "code")),
        )
    body = [[_cell(kp, column) for column in columns] for kp in rows]
    header = [HEADERS[c] for c in columns]
    if file_format == "xlsx":
        return write_xlsx([("Key partnerships", header, body)])
    return write_csv(header, body)
