"""The annual membership review's pages: a body's reviews and "Open this year's review" (its
co-ordinators), a review's sheets as a table (its co-ordinators and whoever decides outcomes:
the chair sees every sheet; the deputy chair, while the chair is in post, only the chair's,
which they decide), and one member's sheet with the outcome form for whoever decides it (the
member may read their own, never decide it).

These are personnel matters: nobody else sees them, and a refusal is a 403 as on the body's
other managers' pages (the body itself is public, so hiding that it has reviews adds nothing).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from membership.forms_review import ReviewOpenForm, SheetDecideForm
from membership.models import MembershipReview, ReviewOutcome, ReviewSheet
from membership.selectors import body_office_holders
from membership.services.review_chasing import review_due_from
from membership.services.reviews import (
    can_decide_sheet,
    review_open,
    review_period,
    review_url,
    sheet_decide,
    sheet_decider,
    sheet_url,
)
from partnership import permissions as perms
from partnership.history import history_entries
from partnership.models import Body
from partnership.paging import page_with_total
from partnership.panels import Panel
from partnership.periods import financial_year, financial_year_label

__all__ = ["review_detail", "review_list", "review_open_view", "review_panel", "review_sheet"]


ALL = "all"


def _review_scope(user, body: Body, holders: dict) -> str | set[int] | None:
    """Whose sheets ``user`` sees as a reviewer: ``ALL`` for the body's co-ordinators and the
    chair (the deputy chair while the chair's seat is empty), who decides the members' sheets;
    the people whose sheet they decide for another office holder (the deputy chair decides
    the chair's, the chair the deputy's); None for anyone else (a member sees their own
    sheet, as the member, not here)."""
    if perms.can_manage_body(user, body):
        return ALL
    if not user.is_authenticated:
        return None
    main = sheet_decider(holders)
    if main is not None and main.pk == user.pk:
        return ALL
    people = {
        holder.pk
        for holder in holders.values()
        if (decider := sheet_decider(holders, holder.pk)) is not None and decider.pk == user.pk
    }
    return people or None


def _deciders_text(body: Body, holders: dict) -> list[str]:
    """Who records the outcomes, in words, for the review's page: nobody decides their own
    sheet."""
    main = sheet_decider(holders)
    if main is None:
        return [f"The {body.name}'s co-ordinators: it has no chair or deputy chair"]
    own = sheet_decider(holders, main.pk)
    return [
        main.full_name,
        f"{main.full_name}'s own sheet: {own.full_name if own else 'the co-ordinators'}",
    ]


def _get_review(body: Body, pk: int) -> MembershipReview:
    try:
        return MembershipReview.objects.select_related("opened_by").get(pk=pk, body=body)
    except MembershipReview.DoesNotExist as exc:
        raise Http404("No such review") from exc


def _paged(request: HttpRequest, qs) -> dict:
    page = page_with_total(qs, number=request.GET.get("page"))
    return {
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number),
        "ellipsis": page.paginator.ELLIPSIS,
    }


@login_required
def review_list(request: HttpRequest, partnership: str, body: str) -> HttpResponse:
    b = perms.get_body_or_404(partnership, body)
    perms.require(_review_scope(request.user, b, body_office_holders(body=b)) is not None)
    can_manage = perms.can_manage_body(request.user, b)
    year = financial_year(timezone.localdate())
    reviews = MembershipReview.objects.filter(body=b).annotate(
        sheet_count=Count("sheets"), decided=Count("sheets", filter=~Q(sheets__outcome=""))
    )
    context = _paged(request, reviews.order_by("-year"))
    opened = any(r.year == year for r in context["page"].object_list)
    return render(
        request,
        "membership/reviews/review_list.html",
        {
            **context,
            "partnership": b.partnership,
            "body": b,
            "year_label": financial_year_label(year),
            "due_from": review_due_from(year),
            # The newest review comes first, so this year's is on the first page if it exists.
            "can_open": can_manage and not opened and b.closed_on is None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_open_view(request: HttpRequest, partnership: str, body: str) -> HttpResponse:
    b = perms.get_body_or_404(partnership, body)
    perms.require(perms.can_manage_body(request.user, b))
    year = financial_year(timezone.localdate())
    form = ReviewOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review = review_open(
                actor=request.user, body=b, year=year, due_on=form.cleaned_data["due_on"]
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                f"The {financial_year_label(year)} review is open: "
                f"{review.sheets.count()} member sheet(s) prepared.",
            )
            return redirect(review_url(review))
    return render(
        request,
        "membership/reviews/review_open.html",
        {
            "partnership": b.partnership,
            "body": b,
            "form": form,
            "year_label": financial_year_label(year),
            "period_start": review_period(opened_on=timezone.localdate())[0],
        },
    )


@login_required
def review_detail(request: HttpRequest, partnership: str, body: str, pk: int) -> HttpResponse:
    b = perms.get_body_or_404(partnership, body)
    holders = body_office_holders(body=b)
    scope = _review_scope(request.user, b, holders)
    perms.require(scope is not None)
    review = _get_review(b, pk)
    sheets = (
        ReviewSheet.objects.filter(review=review)
        .select_related("membership__person", "membership__seat", "membership__organisation")
        .order_by("membership__person__full_name", "pk")
    )
    if scope != ALL:
        sheets = sheets.filter(membership__person_id__in=scope)
    counts = review.sheets.aggregate(total=Count("pk"), decided=Count("pk", filter=~Q(outcome="")))
    context = _paged(request, sheets)
    for s in context["page"].object_list:
        s.can_decide = review.completed_at is None and can_decide_sheet(
            request.user, b, holders, s.membership.person_id
        )
    start, end = review_period(opened_on=review.opened_on)
    return render(
        request,
        "membership/reviews/review_detail.html",
        {
            **context,
            "partnership": b.partnership,
            "body": b,
            "review": review,
            "year_label": financial_year_label(review.year),
            "counts": counts,
            "deciders": _deciders_text(b, holders),
            "sees_all": scope == ALL,
            "period_start": start,
            "period_end": end,
            "overdue": review.completed_at is None and review.due_on < timezone.localdate(),
            "history": history_entries(review),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_sheet(
    request: HttpRequest, partnership: str, body: str, pk: int, sheet: int
) -> HttpResponse:
    b = perms.get_body_or_404(partnership, body)
    review = _get_review(b, pk)
    s = _get_sheet(review, sheet)
    review.body = b
    person_id = s.membership.person_id
    is_member = person_id == request.user.pk
    holders = body_office_holders(body=b)
    scope = _review_scope(request.user, b, holders)
    sees = scope == ALL or (scope is not None and person_id in scope)
    perms.require(sees or is_member)
    is_decider = can_decide_sheet(request.user, b, holders, person_id)
    can_decide = is_decider and not s.outcome and review.completed_at is None
    form = SheetDecideForm(request.POST or None) if is_decider else None
    if request.method == "POST":
        # The sheet's decider may post again (a second press, a stale tab): the service says
        # the outcome is already recorded and the page shows it.
        perms.require(is_decider)
        if form.is_valid():
            left = s.membership.ends_on is not None and s.membership.ends_on <= timezone.localdate()
            try:
                sheet_decide(actor=request.user, sheet=s, **form.cleaned_data)
            except ValidationError as exc:
                form.add_service_error(exc)
                s = _get_sheet(review, sheet)
            else:
                name = s.membership.person.full_name
                if left:
                    messages.success(
                        request,
                        f"{name} has left the {b.name}: their sheet is closed as left.",
                    )
                else:
                    messages.success(request, f"The outcome for {name} has been recorded.")
                return redirect(review_url(review))
    elif not can_decide:
        form = None
    decider = sheet_decider(holders, person_id)
    start, end = review_period(opened_on=review.opened_on)
    return render(
        request,
        "membership/reviews/review_sheet.html",
        {
            "partnership": b.partnership,
            "body": b,
            "review": review,
            "sheet": s,
            "year_label": financial_year_label(review.year),
            "register_year": financial_year_label(financial_year(end)),
            "period_start": start,
            "period_end": end,
            "sees_review": sees,
            "form": form,
            "can_decide": can_decide,
            "end_value": ReviewOutcome.END.value,
            "decider": f"{decider.full_name} records it."
            if decider
            else f"The {b.name}'s co-ordinators record it.",
            "history": history_entries(s),
            "sheet_url": sheet_url(s),
        },
    )


def _get_sheet(review: MembershipReview, pk: int) -> ReviewSheet:
    try:
        s = ReviewSheet.objects.select_related(
            "membership__person",
            "membership__seat",
            "membership__organisation",
            "decided_by",
        ).get(pk=pk, review=review)
    except ReviewSheet.DoesNotExist as exc:
        raise Http404("No such sheet") from exc
    s.review = review
    return s


def review_panel(request: HttpRequest, body: Body, can_manage: bool) -> Panel | None:
    """The body page's link to its reviews, for those who see them. No query: the reader's
    rights are already loaded for the page."""
    if not (can_manage or perms.can_chair_body(request.user, body)):
        return None
    return Panel("membership/reviews/_body_panel.html", {"body": body})
