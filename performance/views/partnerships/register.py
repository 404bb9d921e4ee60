"""The register of key partnerships: the list, a record, its memorandum file and its exports
(CSV, XLSX) here; adding, changing and ending one and the register's settings in
``register_steps`` (re-exported here: the URLs name them from this module).

Who sees what (``performance.permissions``):
- readers (``can_read_key_partnerships``: the keepers and anyone sitting on a body) see every
  field of every record, the memorandum file and the linked risks they may see themselves;
- keepers (``can_keep_key_partnerships``: the partnership's co-ordinators and governance lead)
  add, change and end records and set the register's settings;
- anyone else, signed in or not, sees the public fields (``PUBLIC_FIELDS``) of the active
  records on the same pages when the partnership publishes the register
  (``register_is_published``), and nothing otherwise: the register is not found (404), as the
  public summary of the risk registers is not. Its steps are then refused (403) to those signed
  in who keep nothing, and the memorandum file is never the public's.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.views.decorators.http import require_safe

from partnership import permissions as perms
from partnership.history import history_entries
from partnership.models import Organisation, Partnership
from partnership.paging import page_with_total
from partnership.periods import Quarter
from performance import permissions
from performance.models import (
    Indicator,
    KeyPartnership,
    KeyPartnershipStatus,
    review_years_for,
)
from performance.selectors import viewer_for
from performance.selectors.agreements import agreements_visible_to
from performance.selectors.partnerships import (
    DUE_SOON_DAYS,
    RegisterFilters,
    key_partnership_indicators,
    key_partnership_risks,
    key_partnerships_register,
    register_counts,
)
from performance.selectors.risks import risks_visible_to
from performance.services.reports.common import long_date
from performance.services.transfer.key_partnerships import key_partnerships_export
from performance.views.partnerships.register_common import (
    TEMPLATES,
    key_partnership_or_404,
    reader_or_404,
)
from performance.views.partnerships.register_steps import (
    key_partnership_create,
    key_partnership_edit,
    key_partnership_end,
    key_partnership_settings,
)
from performance.views.transfer import CONTENT_TYPES

__all__ = [
    "key_partnership",
    "key_partnership_create",
    "key_partnership_edit",
    "key_partnership_end",
    "key_partnership_export",
    "key_partnership_list",
    "key_partnership_mou",
    "key_partnership_settings",
]

PAGE_SIZE = 50


# --- the register -------------------------------------------------------------------------------


def _lead_organisations(p: Partnership, *, public: bool) -> list[Organisation]:
    """The organisations leading a key partnership, for the filter (for the public, an active
    one: an ended record is not theirs to know of): one query."""
    led = Q(key_partnerships_led__partnership=p)
    if public:
        led &= Q(key_partnerships_led__status=KeyPartnershipStatus.ACTIVE)
    return list(Organisation.objects.filter(led).distinct().order_by("name").only("pk", "name"))


@require_safe
def key_partnership_list(request: HttpRequest, partnership: str) -> HttpResponse:
    """The register, 50 a page, filtered by status, overdue reviews, lead organisation and
    name in the database; the count of overdue reviews over the whole register at its top."""
    p = perms.get_partnership_or_404(partnership)
    reader = reader_or_404(request.user, p)
    today = timezone.localdate()
    filters = RegisterFilters.from_query(request.GET, public=not reader)
    rows = key_partnerships_register(partnership=p, today=today, filters=filters, public=not reader)
    if reader:
        # The page's columns only: the money, exit and memorandum texts are the record's.
        rows = rows.only(*PAGE_COLUMNS)
    # The partners' and bodies' names are read as names (_names), not prefetched as models.
    page = page_with_total(
        rows.prefetch_related(None), number=request.GET.get("page"), size=PAGE_SIZE
    )
    partners = _names(KeyPartnership.partner_organisations.through, "organisation", page)
    bodies = _names(KeyPartnership.bodies.through, "body", page) if reader else {}
    # Each record's page: the route reversed once, not once a row.
    head, tail = reverse(
        "performance:key_partnership", kwargs={"partnership": p.slug, "pk": 0}
    ).rsplit("/0/", 1)
    for kp in page:
        kp.detail_url = f"{head}/{kp.pk}/{tail}"
        kp.row = _row_text(
            kp, reader=reader, partners=partners.get(kp.pk, []), bodies=bodies.get(kp.pk, [])
        )
    leads = _lead_organisations(p, public=not reader)
    for organisation in leads:
        organisation.chosen = organisation.pk == filters.lead_organisation
    keeper = reader and permissions.can_keep_key_partnerships(request.user, p)
    return render(
        request,
        TEMPLATES + "register_list.html",
        {
            "partnership": p,
            "reader": reader,
            "can_keep": keeper,
            "counts": register_counts(partnership=p, today=today),
            "filters": filters,
            "leads": leads,
            "due_soon_days": DUE_SOON_DAYS,
            "export_query": _export_query(filters),
            "page": page,
            "page_range": list(page.paginator.get_elided_page_range(page.number, on_each_side=2)),
            "ellipsis": Paginator.ELLIPSIS,
        },
    )


# What a reader's page shows of each row (the public's are PUBLIC_FIELDS, chosen by the selector).
PAGE_COLUMNS = (
    "pk",
    "partnership_id",
    "name",
    "lead_service",
    "lead_organisation",
    "lead_organisation__name",
    "lead_officer",
    "lead_officer__full_name",
    "remit",
    "other_partners",
    "meets_key_criteria",
    "key_criteria",
    "monitoring_arrangements",
    "additional_monitoring",
    "annual_value",
    "last_reviewed_on",
    "next_review_on",
    "status",
    "ended_on",
)


def _names(through: Any, target: str, page: Any) -> dict[int, list[str]]:
    """The names linked to each key partnership of the page through ``through`` (partners
    or bodies), in order: one query of names, no model built."""
    names: dict[int, list[str]] = {}
    pairs = (
        through.objects.filter(keypartnership_id__in=[kp.pk for kp in page])
        .order_by(f"{target}__name")
        .values_list("keypartnership_id", f"{target}__name")
    )
    for pk, name in pairs:
        names.setdefault(pk, []).append(name)
    return names


def _row_text(
    kp: KeyPartnership, *, reader: bool, partners: list[str], bodies: list[str]
) -> dict[str, str]:
    """A row's cells as text, written once here rather than by a dozen template filters a
    row (they were half the page's time with 50 rows)."""
    partners = [", ".join(partners)]
    if kp.other_partners:
        partners.append(Truncator(kp.other_partners).words(12, truncate=" …"))
    row = {
        "remit": Truncator(kp.remit).words(25, truncate=" …"),
        "partners": "; ".join(p for p in partners if p) or "None recorded",
        "monitoring": Truncator(kp.monitoring_arrangements).words(20, truncate=" …"),
        "next": long_date(kp.next_review_on),
        "last": long_date(kp.last_reviewed_on) or "not yet",
        # The public's rows are active ones, loaded without their end date.
        "ended": long_date(kp.ended_on) if kp.status == KeyPartnershipStatus.ENDED else "",
    }
    if reader:
        count = len(kp.key_criteria)
        row["criteria"] = (
            f"Meets {count} criteri{'on' if count == 1 else 'a'} for a key partnership"
            if kp.meets_key_criteria
            else "Does not meet the criteria for a key partnership"
        )
        row["bodies"] = ", ".join(bodies)
        # Rounded half up, as the record's page and the template's filter round.
        row["value"] = (
            f"£{kp.annual_value.quantize(Decimal(1), ROUND_HALF_UP):,}"
            if kp.annual_value is not None
            else "Not recorded"
        )
    return row


def _export_query(filters: RegisterFilters) -> str:
    """The page's filters for its export links, so the file holds what the page lists."""
    query = {"status": filters.status}
    if filters.overdue:
        query["overdue"] = "yes"
    if filters.lead_organisation:
        query["lead"] = filters.lead_organisation
    if filters.search:
        query["q"] = filters.search
    return urlencode(query)


@require_safe
def key_partnership_export(request: HttpRequest, partnership: str) -> HttpResponse:
    """The register as the page filters it, as CSV or Excel: every field for readers, the
    public fields for the public when the register is published."""
    p = perms.get_partnership_or_404(partnership)
    reader = reader_or_404(request.user, p)
    file_format = request.GET.get("format", "csv")
    if file_format not in CONTENT_TYPES:
        raise Http404("Export as csv or xlsx")
    today = timezone.localdate()
    filters = RegisterFilters.from_query(request.GET, public=not reader)
    rows = key_partnerships_register(partnership=p, today=today, filters=filters, public=not reader)
    extra = {}
    if reader:
        viewer = viewer_for(request.user, p)
        extra = {
            "visible_risks": risks_visible_to(request.user, p),
            "visible_indicators": Indicator.objects.filter(viewer.indicators(), partnership=p),
        }
    data = key_partnerships_export(rows=rows, public=not reader, file_format=file_format, **extra)
    response = HttpResponse(data, content_type=CONTENT_TYPES[file_format])
    filename = f"{p.slug}-key-partnerships-{today:%Y-%m-%d}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A reader and the public get different files at one address: no shared cache may keep it.
    response["Cache-Control"] = "private, no-store"
    return response


# --- a record -----------------------------------------------------------------------------------


def _flags(kp: KeyPartnership, today: date) -> dict[str, bool]:
    active = kp.is_active
    return {
        "overdue": active and kp.next_review_on < today,
        "due_soon": active and today <= kp.next_review_on <= today + timedelta(days=DUE_SOON_DAYS),
    }


@require_safe
def key_partnership(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    """Everything about a key partnership, under the headings of the framework, with its
    reviews and history; the public's fields alone for the public."""
    kp, reader = key_partnership_or_404(request, partnership, pk)
    today = timezone.localdate()
    context: dict[str, Any] = {
        "partnership": kp.partnership,
        "key_partnership": kp,
        "partners": list(kp.partner_organisations.order_by("name")),
        "other_partners": [line.strip() for line in kp.other_partners.splitlines() if line.strip()],
        **_flags(kp, today),
    }
    if not reader:
        return render(request, TEMPLATES + "key_partnership_public.html", context)
    user = request.user
    indicators = key_partnership_indicators(key_partnership=kp, user=user)
    for indicator in indicators:
        indicator.latest_label = (
            Quarter(indicator.latest_year, indicator.latest_quarter).label
            if indicator.latest_year
            else ""
        )
    keeper = permissions.can_keep_key_partnerships(user, kp.partnership)
    context.update(
        {
            "can_keep": keeper and kp.is_active,
            "can_review": permissions.can_review_key_partnership(user, kp),
            "bodies": list(kp.bodies.order_by("name")),
            "criteria": kp.criteria_labels(),
            "risks": key_partnership_risks(key_partnership=kp, user=user),
            "agreements": list(
                agreements_visible_to(user, kp.partnership)
                .filter(key_partnership=kp)
                .select_related("partnership")
                .order_by("reference")
            ),
            "indicators": indicators,
            "reviews": list(
                kp.reviews.select_related("reviewer").prefetch_related("actions__owner")
            ),
            "review_years": review_years_for(kp.partnership),
            "mou_file_name": kp.mou_file.name.rsplit("/", 1)[-1] if kp.mou_file else "",
            "history": history_entries(kp),
        }
    )
    return render(request, TEMPLATES + "key_partnership_detail.html", context)


@login_required
@require_safe
def key_partnership_mou(request: HttpRequest, partnership: str, pk: int) -> FileResponse:
    """The memorandum file: readers only, never the public (it may name people and prices)."""
    kp, reader = key_partnership_or_404(request, partnership, pk)
    if not reader or not kp.mou_file:
        raise Http404("No memorandum file")
    name = kp.mou_file.name.rsplit("/", 1)[-1]
    is_pdf = name.lower().endswith(".pdf")
    response = FileResponse(
        kp.mou_file.open("rb"),
        as_attachment=not is_pdf,
        filename=name,
        content_type="application/pdf" if is_pdf else None,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
