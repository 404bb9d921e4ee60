"""A key partnership's reviews: recording one (the framework's questions, the outcome, up to
five actions), a review's page, and marking one of its actions done.

Reviews are for those who read the whole register (``can_read_key_partnerships``), never the
public, even when the register is published: to anyone else a review does not exist (404). A
reader who may not record a review or mark an action done is refused (403)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from membership.selectors import partnership_members
from partnership import permissions as perms
from partnership.forms import posted
from partnership.history import history_entries
from performance import permissions
from performance.forms.partnership_reviews import ReviewForm, action_formset
from performance.models import (
    KeyPartnership,
    KeyPartnershipReview,
    KeyPartnershipReviewAction,
    KeyReviewOutcome,
)
from performance.services import partnership_reviews as review_services

__all__ = [
    "key_partnership_review_create",
    "key_partnership_review",
    "key_partnership_action_done",
]

TEMPLATES = "performance/partnerships/"


def _key_partnership_or_404(request: HttpRequest, partnership: str, pk: int) -> KeyPartnership:
    found = (
        KeyPartnership.objects.select_related("partnership", "lead_organisation", "lead_officer")
        .filter(partnership__slug=partnership, pk=pk)
        .first()
    )
    if found is None or not permissions.can_read_key_partnerships(request.user, found.partnership):
        raise Http404("No such key partnership")
    return found


def _review_url(review: KeyPartnershipReview) -> str:
    return reverse(
        "performance:key_partnership_review",
        kwargs={"partnership": review.key_partnership.partnership.slug, "pk": review.pk},
    )


def _put_errors(form, formset, error: ValidationError, rows: list[int]) -> None:
    """The service's errors by field: an action's (``actions.<n>.<part>``, n counting the
    rows sent) on its row's field, the rest on the review's form."""
    if not hasattr(error, "error_dict"):
        form.add_service_error(error)
        return
    rest = {}
    for key, errors in error.error_dict.items():
        if key.startswith("actions."):
            _, n, part = key.split(".")
            for e in errors:
                formset.forms[rows[int(n)]].add_error(part, e)
        else:
            rest[key] = errors
    if rest:
        form.add_service_error(ValidationError(rest))


@login_required
@require_http_methods(["GET", "POST"])
def key_partnership_review_create(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    """Record a review. Nothing typed is lost: the form and every action row come back with
    the errors next to their fields."""
    kp = _key_partnership_or_404(request, partnership, pk)
    perms.require(permissions.can_review_key_partnership(request.user, kp))
    people = partnership_members(partnership=kp.partnership)
    form = ReviewForm(posted(request))
    actions = action_formset(posted(request), people=people)
    # Both are checked, so a bad date in an action row and one in the form are told together.
    valid = [form.is_valid(), actions.is_valid()] if request.method == "POST" else [False]
    if actions.rows_error:
        # The rows could not be read (and are offered blank again): the form says so too, in
        # the summary and the page's title; what was typed in the form itself is kept.
        form.add_error(None, actions.rows_error)
    if all(valid):
        # A row left blank is not an action; the service checks the rest of each row.
        rows = [n for n, row in enumerate(actions.forms) if row.has_changed()]
        data = form.cleaned_data
        try:
            review = review_services.key_partnership_review_record(
                actor=request.user,
                key_partnership=kp,
                reviewed_on=data["reviewed_on"],
                still_needed=data["still_needed"],
                delivering=data["delivering"],
                value_for_money=data["value_for_money"],
                governance=data["governance"],
                partner_strength=data["partner_strength"],
                partner_strength_notes=data["partner_strength_notes"],
                risks=data["risks"],
                outcome=data["outcome"],
                changes_needed=data["changes_needed"],
                actions=[actions.forms[n].row() for n in rows],
            )
        except ValidationError as error:
            _put_errors(form, actions, error, rows)
        else:
            messages.success(request, f"Review of {kp.name} recorded.")
            return redirect(_review_url(review))
    # Each action row's errors, for the summary ("Action 2: Select who owns the action").
    action_errors = [
        (n, field, error)
        for n, row in enumerate(actions.forms, start=1)
        for field in row
        for error in field.errors
    ]
    return render(
        request,
        TEMPLATES + "review_form.html",
        {
            "partnership": kp.partnership,
            "key_partnership": kp,
            "form": form,
            "actions": actions,
            "action_errors": action_errors,
            "back": kp.get_absolute_url(),
        },
    )


@login_required
def key_partnership_review(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    review = (
        KeyPartnershipReview.objects.select_related(
            "key_partnership__partnership",
            "key_partnership__lead_officer",
            "reviewer",
        )
        .filter(key_partnership__partnership__slug=partnership, pk=pk)
        .first()
    )
    if review is None or not permissions.can_read_key_partnerships(
        request.user, review.key_partnership.partnership
    ):
        raise Http404("No such review")
    actions = list(review.actions.select_related("owner").order_by("due_on", "pk"))
    today = timezone.localdate()
    for action in actions:
        action.review = review  # loaded: can_complete_review_action reads its partnership
        action.can_complete = action.done_on is None and permissions.can_complete_review_action(
            request.user, action
        )
        action.overdue = action.done_on is None and action.due_on < today
    return render(
        request,
        TEMPLATES + "review_detail.html",
        {
            "partnership": review.key_partnership.partnership,
            "key_partnership": review.key_partnership,
            "review": review,
            "actions": actions,
            "is_exit": review.outcome == KeyReviewOutcome.EXIT,
            "history": history_entries(review),
        },
    )


@login_required
@require_POST
def key_partnership_action_done(request: HttpRequest, partnership: str, pk: int) -> HttpResponse:
    """Mark an action done today, from the review's page."""
    action = (
        KeyPartnershipReviewAction.objects.select_related("review__key_partnership__partnership")
        .filter(review__key_partnership__partnership__slug=partnership, pk=pk)
        .first()
    )
    if action is None or not permissions.can_read_key_partnerships(
        request.user, action.review.key_partnership.partnership
    ):
        raise Http404("No such action")
    perms.require(permissions.can_complete_review_action(request.user, action))
    try:
        review_services.key_partnership_action_done(
            actor=request.user, action=action, done_on=timezone.localdate()
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Marked done: {action.description}")
    return redirect(_review_url(action.review))
