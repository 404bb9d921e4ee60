"""A body's registers and what is done with them: the public and whole registers, the chair's
rulings, the member's disputes and the governance lead's settlements, and the exports (CSV and
PDF for a date range). Who sees what is decided in governance.selectors."""

from __future__ import annotations

import csv
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.views.decorators.http import require_http_methods

from governance import selectors, services
from governance.forms import DisputeForm, ExportForm, RulingForm, SettleForm
from governance.models import (
    Declaration,
    Gift,
    GiftDecision,
    GiftKind,
    InterestHolder,
    InterestKind,
    Ruling,
)
from governance.selectors.register_pages import body_gifts_page, body_interests_page
from governance.views.registers import _declaration_for
from partnership import permissions as perms
from partnership.models import Body
from partnership.pdf import render_pdf

# --- rulings and disputes ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def ruling_create(request: HttpRequest, partnership: str, body: str, pk: int) -> HttpResponse:
    b = perms.get_body_or_404(partnership, body)
    perms.require(perms.can_chair_body(request.user, b))
    d, _ = _declaration_for(request, partnership, pk)
    form = RulingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.ruling_make(actor=request.user, declaration=d, body=b, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Ruling recorded. {d.person} has been told.")
            return redirect("governance:body_interests", partnership=partnership, body=body)
    return render(
        request,
        "governance/registers/ruling_form.html",
        {"partnership": b.partnership, "body": b, "d": d, "form": form},
    )


def _ruling_for(request, partnership: str, pk: int) -> Ruling:
    r = (
        Ruling.objects.select_related("declaration__partnership", "declaration__person", "body")
        .filter(declaration__partnership__slug=partnership, pk=pk)
        .first()
    )
    if r is None or selectors.declaration_access(request.user, r.declaration) is None:
        raise Http404("No such ruling")
    return r


@login_required
@require_http_methods(["GET", "POST"])
def ruling_dispute(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    r = _ruling_for(request, partnership, pk)
    if r.declaration.person_id != request.user.pk:
        raise PermissionDenied
    form = DisputeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.ruling_dispute(
                actor=request.user, ruling=r, reason=form.cleaned_data["dispute_reason"]
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Dispute sent to the governance lead.")
            return redirect("governance:declaration", partnership=partnership, pk=r.declaration_id)
    return render(
        request,
        "governance/registers/form.html",
        {
            "partnership": r.declaration.partnership,
            "form": form,
            "heading": "Dispute a ruling",
            "caption": f"{r.body}: {r.get_outcome_display()}",
            "intro": f"The ruling's reason: {r.reason}",
            "button": "Send the dispute",
            "back": reverse(
                "governance:declaration",
                kwargs={"partnership": partnership, "pk": r.declaration_id},
            ),
        },
    )


@login_required
def dispute_list(request: HttpRequest, partnership: str) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    perms.require(perms.can_lead_governance(request.user, p))
    return render(
        request,
        "governance/registers/disputes.html",
        {"partnership": p, "rulings": selectors.disputed_rulings(partnership=p)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def ruling_settle(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    r = _ruling_for(request, partnership, pk)
    perms.require(perms.can_lead_governance(request.user, r.declaration.partnership))
    form = SettleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.ruling_settle(
                actor=request.user,
                ruling=r,
                uphold=data["decision"] == "uphold",
                reason=data["settlement_reason"],
                outcome=data["settled_outcome"],
                restrictions=data["settled_restrictions"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Dispute settled. The member and the chair have been told.")
            return redirect("governance:dispute_list", partnership=partnership)
    return render(
        request,
        "governance/registers/settle_form.html",
        {"partnership": r.declaration.partnership, "r": r, "form": form},
    )


# --- a body's registers -----------------------------------------------------------------------


def _pagination(page) -> dict:
    """What components/pagination.html needs besides the page (links keep the address's other
    parameters and jump to the table)."""
    if page is None:
        return {}
    return {
        "page_range": list(page.paginator.get_elided_page_range(page.number, on_each_side=2)),
        "ellipsis": Paginator.ELLIPSIS,
    }


def _labels(rows: list, *, choices: dict[str, tuple], day: tuple[str, str]) -> None:
    """Set each row's choice labels (``choices``: field -> (its choices, the attribute to
    set), as ``get_<field>_display`` gives them) and its day as the ``date:"j M Y"`` filter
    writes it (``day``: field, attribute), worked out once a page rather than once a row:
    each label once, each date once."""
    labels = {
        field: ({value: str(label) for value, label in options}, attribute)
        for field, (options, attribute) in choices.items()
    }
    field, attribute = day
    days: dict[date, str] = {}
    for row in rows:
        for name, (found, label_attribute) in labels.items():
            value = getattr(row, name)
            setattr(row, label_attribute, found.get(value, value))
        value = getattr(row, field)
        if value not in days:
            days[value] = formats.date_format(value, "j M Y")
        setattr(row, attribute, days[value])


def _entry_labels(entries: list[Declaration]) -> None:
    """The interests register's ``kind_label``, ``holder_label`` and ``since``."""
    _labels(
        entries,
        choices={
            "kind": (InterestKind.choices, "kind_label"),
            "holder": (InterestHolder.choices, "holder_label"),
        },
        day=("starts_on", "since"),
    )


def _gift_labels(gifts: list[Gift]) -> None:
    """The gifts register's ``kind_label``, ``decision_label`` and ``offered``."""
    _labels(
        gifts,
        choices={
            "kind": (GiftKind.choices, "kind_label"),
            "decision": (GiftDecision.choices, "decision_label"),
        },
        day=("offered_on", "offered"),
    )


def _entry_links(entries: list[Declaration], body: Body, *, rule: bool) -> None:
    """Each entry's page (``detail_url``) and, for the chair, its ruling form (``rule_url``):
    each route reversed once a page, not once a row."""
    slug = body.partnership.slug
    head, tail = reverse("governance:declaration", kwargs={"partnership": slug, "pk": 0}).rsplit(
        "/0/", 1
    )
    if rule:
        rule_head, rule_tail = reverse(
            "governance:ruling_create", kwargs={"partnership": slug, "body": body.slug, "pk": 0}
        ).rsplit("/0/", 1)
    for d in entries:
        d.detail_url = f"{head}/{d.pk}/{tail}"
        if rule:
            d.rule_url = f"{rule_head}/{d.pk}/{rule_tail}"


def body_interests(request: HttpRequest, partnership: str, body: str) -> HttpResponse:
    b = perms.get_body_or_404(partnership, body)
    access = selectors.register_access(request.user, b)
    # 50 entries a page, paged in the database; the export gives the whole register.
    register = body_interests_page(body=b, access=access, number=request.GET.get("page"))
    _entry_labels(register.entries)
    if access.full:
        _entry_links(register.entries, b, rule=access.rule)
    return render(
        request,
        "governance/registers/body_interests.html",
        {
            "partnership": b.partnership,
            "body": b,
            "access": access,
            "register": register,
            **_pagination(register.page),
            "user_id": request.user.pk,
        },
    )


def body_gifts(request: HttpRequest, partnership: str, body: str) -> HttpResponse:
    b = perms.get_body_or_404(partnership, body)
    access = selectors.register_access(request.user, b)
    register = body_gifts_page(body=b, access=access, number=request.GET.get("page"))
    _gift_labels(register.entries)
    return render(
        request,
        "governance/registers/body_gifts.html",
        {
            "partnership": b.partnership,
            "body": b,
            "access": access,
            "register": register,
            **_pagination(register.page),
        },
    )


def _cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _ruling_text(d: Declaration) -> str:
    r = d.standing_ruling
    if r is None:
        return "Awaiting ruling"
    text = r.get_final_outcome_display()
    if r.final_restrictions:
        text += f": {r.final_restrictions}"
    if d.ruling_is_earlier:
        text += " (ruled on the earlier version; the change awaits a ruling)"
    return text


def _interests_csv(register, body: Body) -> list[list[str]]:
    rows = [
        [
            "Member",
            "Type",
            "Held by",
            "Concerns",
            "Description",
            "Held from",
            "Ended on",
            "Replaced on",
            f"Ruling of the {body.name}",
            "Withheld from the public because",
        ]
    ]
    for d in register.entries:
        rows.append(
            [
                d.person.full_name,
                d.get_kind_display(),
                d.get_holder_display(),
                d.concerns,
                d.description,
                d.starts_on.isoformat(),
                d.ended_on.isoformat() if d.ended_on else "",
                d.superseded_by.starts_on.isoformat() if d.is_superseded else "",
                _ruling_text(d),
                d.withheld_reason,
            ]
        )
    return rows


def _gifts_csv(register) -> list[list[str]]:
    rows = [
        [
            "Member",
            "Gift or hospitality",
            "Offered by",
            "What",
            "Estimated value (£)",
            "Date offered",
            "Accepted or declined",
            "Advice sought from",
            "Over the threshold",
            "Withheld from the public because",
        ]
    ]
    for g in register.entries:
        rows.append(
            [
                g.person.full_name,
                g.get_kind_display(),
                g.donor,
                g.description,
                f"{g.value:.2f}",
                g.offered_on.isoformat(),
                g.get_decision_display(),
                g.advice_from if g.advice_sought else "",
                "Yes" if g.over_threshold else "No",
                g.withheld_reason,
            ]
        )
    return rows


@login_required
def register_export(request: HttpRequest, partnership: str, body: str) -> HttpResponse:
    """Both registers of a body as CSV or PDF for a date range: co-ordinators and the
    governance lead. The form is sent by GET, so the file's address can be bookmarked."""
    b = perms.get_body_or_404(partnership, body)
    access = selectors.register_access(request.user, b)
    perms.require(access.export)
    form = ExportForm(request.GET or None)
    if form.is_valid():
        which, fmt = form.cleaned_data["register"], form.cleaned_data["format"]
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        if which == "interests":
            register = selectors.body_interests(body=b, access=access, start=start, end=end)
            rows = _interests_csv(register, b)
            title = f"Register of interests: {b.name}"
        else:
            register = selectors.body_gifts(body=b, access=access, start=start, end=end)
            rows = _gifts_csv(register)
            title = f"Gifts and hospitality register: {b.name}"
        name = f"{b.slug}-{which}-{start:%Y%m%d}-{end:%Y%m%d}.{fmt}"
        if fmt == "csv":
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            response.write("\ufeff")  # so Excel reads the pound sign and accents right
            csv.writer(response).writerows([[_cell(c) for c in row] for row in rows])
        else:
            pdf = render_pdf(
                template="governance/pdf/register.html",
                context={
                    "title": title,
                    "body": b,
                    "start": start,
                    "end": end,
                    "entries": [
                        (row[0], list(zip(rows[0][1:], row[1:], strict=True))) for row in rows[1:]
                    ],
                    "made": timezone.localtime(),
                },
            )
            response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "private, no-store"
        return response
    if not request.GET:
        today = timezone.localdate()
        form = ExportForm(
            initial={
                "register": "interests",
                "format": "csv",
                "start": date(selectors.financial_year(today), 4, 1),
                "end": today,
            }
        )
    return render(
        request,
        "governance/registers/export.html",
        {"partnership": b.partnership, "body": b, "form": form},
    )
