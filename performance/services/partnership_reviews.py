"""A key partnership's review, at least every few years (``review_years_for``): the questions
Chorley's framework asks answered, an outcome (continue, change, exit) and actions with their
owners and dates. Recording one moves the partnership's last and next review dates, which the
register flags and the daily digest chases (``performance.services.chasing.key_partnerships``).

An outcome of "exit" does not end the partnership: the keepers of the register end it
(``key_partnership_end``) once the exit is agreed and its notice given.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from partnership.history import record_actor
from partnership.notifications import notify_after_commit
from performance import permissions
from performance.models import (
    KeyPartnership,
    KeyPartnershipReview,
    KeyPartnershipReviewAction,
    KeyReviewOutcome,
    PartnerStrength,
    next_review_due,
    review_years_for,
)
from performance.permissions import (
    can_review_key_partnership,
    sits_in_partnership,
)

__all__ = [
    "key_partnership_action_done",
    "key_partnership_review_record",
]

# The framework's questions that take words, each of which must be answered (partner_strength,
# a rating, is checked on its own).
_ANSWER_ERRORS = {
    "still_needed": "Say whether it is still needed",
    "delivering": "Say whether it is delivering its outcomes",
    "value_for_money": "Say whether it gives value for money",
    "governance": "Say whether its governance and accountability are effective",
    "partner_strength_notes": "Say how strong and stable the partners are",
    "risks": "Say what its risks are",
}

# The outcome, in the words of the history ("Reviewed: continue with changes").
_OUTCOME_WORDS = {
    KeyReviewOutcome.CONTINUE: "continue as it is",
    KeyReviewOutcome.CHANGE: "continue with changes",
    KeyReviewOutcome.EXIT: "exit the partnership",
}


def _actions_checked(
    actions: Iterable[tuple[str, Any, date | None]], *, partnership_id: int, reviewed_on: date
) -> tuple[list[tuple[str, Any, date]], dict[str, str]]:
    """The actions, their descriptions trimmed, and the errors of each by ``actions.<n>.<part>``
    (n from 0, in the order given) so a form puts each next to its row's field."""
    rows, errors = [], {}
    for n, (description, owner, due_on) in enumerate(actions):
        description = (description or "").strip()
        if not description:
            errors[f"actions.{n}.description"] = "Describe the action"
        elif len(description) > 500:
            errors[f"actions.{n}.description"] = "Describe the action in 500 characters or fewer"
        if owner is None:
            errors[f"actions.{n}.owner"] = "Select who owns the action"
        elif not owner.is_active or not sits_in_partnership(owner, partnership_id):
            errors[f"actions.{n}.owner"] = (
                "Select someone who sits on one of the partnership's bodies"
            )
        if due_on is None:
            errors[f"actions.{n}.due_on"] = "Enter the date the action is due"
        elif due_on <= reviewed_on:
            errors[f"actions.{n}.due_on"] = "The action must be due after the date of the review"
        rows.append((description, owner, due_on))
    return rows, errors


@transaction.atomic
def key_partnership_review_record(
    *,
    actor: Any,
    key_partnership: KeyPartnership,
    reviewed_on: date | None,
    still_needed: str,
    delivering: str,
    value_for_money: str,
    governance: str,
    partner_strength: str,
    partner_strength_notes: str,
    risks: str,
    outcome: str,
    changes_needed: str = "",
    actions: Iterable[tuple[str, Any, date | None]] = (),
) -> KeyPartnershipReview:
    """Record a review held on ``reviewed_on`` and move the partnership's review dates: last
    reviewed that day, next due ``review_years`` later. ``actions`` are (description, owner,
    due date) triples; their owners are told once the review is saved."""
    # Locked: two reviews recorded at once would each move the dates from what they read.
    key_partnership = (
        KeyPartnership.objects.select_for_update(of=("self",))
        .select_related("partnership")
        .get(pk=key_partnership.pk)
    )
    if actor is None or not can_review_key_partnership(actor, key_partnership):
        raise ValidationError(
            "Only the keepers of the register or the partnership's lead officer record its "
            "reviews, and only while it is active."
        )
    answers = {
        "still_needed": still_needed,
        "delivering": delivering,
        "value_for_money": value_for_money,
        "governance": governance,
        "partner_strength_notes": partner_strength_notes,
        "risks": risks,
    }
    answers = {name: (text or "").strip() for name, text in answers.items()}
    changes_needed = (changes_needed or "").strip()
    errors: dict[str, str] = {
        name: _ANSWER_ERRORS[name] for name, text in answers.items() if not text
    }
    today = timezone.localdate()
    if reviewed_on is None:
        errors["reviewed_on"] = "Enter the date of the review"
    elif reviewed_on > today:
        errors["reviewed_on"] = "The date of the review must be today or in the past"
    elif key_partnership.last_reviewed_on and reviewed_on < key_partnership.last_reviewed_on:
        errors["reviewed_on"] = (
            "The date of the review must be on or after the last review, "
            f"{key_partnership.last_reviewed_on:%-d %B %Y}"
        )
    if partner_strength not in PartnerStrength.values:
        errors["partner_strength"] = "Select how strong and stable the partners are"
    if outcome not in KeyReviewOutcome.values:
        errors["outcome"] = "Select the outcome of the review"
    elif outcome != KeyReviewOutcome.CONTINUE and not changes_needed:
        errors["changes_needed"] = (
            "Say what changes are needed"
            if outcome == KeyReviewOutcome.CHANGE
            else "Say what the exit needs: notice, timing and what replaces it"
        )
    rows, action_errors = _actions_checked(
        actions,
        partnership_id=key_partnership.partnership_id,
        reviewed_on=reviewed_on or today,
    )
    errors.update(action_errors)
    if errors:
        raise ValidationError(errors)

    review = KeyPartnershipReview(
        key_partnership=key_partnership,
        reviewed_on=reviewed_on,
        reviewer=actor,
        partner_strength=partner_strength,
        changes_needed=changes_needed,
        outcome=outcome,
        **answers,
    )
    words = _OUTCOME_WORDS[KeyReviewOutcome(outcome)]
    record_actor(review, actor=actor, reason=f"Recorded: {words}")
    review.save()
    for description, owner, due_on in rows:
        action = KeyPartnershipReviewAction(
            review=review, description=description, owner=owner, due_on=due_on
        )
        record_actor(action, actor=actor, reason="Set at the review")
        action.save()

    key_partnership.last_reviewed_on = reviewed_on
    key_partnership.next_review_on = next_review_due(
        last=reviewed_on, review_years=review_years_for(key_partnership.partnership)
    )
    record_actor(key_partnership, actor=actor, reason=f"Reviewed: {words}")
    key_partnership.save(update_fields=["last_reviewed_on", "next_review_on"])
    if rows:
        notify_after_commit(_action_messages, review.pk)
    return review


@transaction.atomic
def key_partnership_action_done(
    *, actor: Any, action: KeyPartnershipReviewAction, done_on: date | None
) -> KeyPartnershipReviewAction:
    """Mark a review's action done on a day (not before the review, not in the future)."""
    action = (
        KeyPartnershipReviewAction.objects.select_for_update(of=("self",))
        .select_related("review__key_partnership__partnership")
        .get(pk=action.pk)
    )
    if actor is None or not permissions.can_complete_review_action(actor, action):
        raise ValidationError("Only the action's owner or the keepers of the register do this.")
    if action.done_on is not None:
        raise ValidationError(f"This action was done on {action.done_on:%-d %B %Y}.")
    if done_on is None:
        raise ValidationError({"done_on": "Enter the date the action was done"})
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": "The date it was done must be today or in the past"})
    if done_on < action.review.reviewed_on:
        raise ValidationError({"done_on": "The date it was done must be on or after the review"})
    action.done_on = done_on
    record_actor(action, actor=actor, reason="Done")
    action.save(update_fields=["done_on"])
    return action


def _action_messages(review_id: int) -> list[dict]:
    """One message to each owner of the review's actions, listing theirs: told once."""
    review = KeyPartnershipReview.objects.select_related(
        "key_partnership__partnership", "reviewer"
    ).get(pk=review_id)
    kp = review.key_partnership
    url = reverse(
        "performance:key_partnership_review",
        kwargs={"partnership": kp.partnership.slug, "pk": review.pk},
    )
    by_owner: dict[int, list[KeyPartnershipReviewAction]] = {}
    owners = {}
    for action in review.actions.select_related("owner").order_by("due_on", "pk"):
        by_owner.setdefault(action.owner_id, []).append(action)
        owners[action.owner_id] = action.owner
    return [
        {
            "to": owners[owner_id],
            "key": f"key-partnership-actions:{review.pk}:{owner_id}",
            "template": "key_partnership_actions",
            "context": {"review": review, "key_partnership": kp, "actions": actions, "url": url},
            "url": url,
        }
        for owner_id, actions in by_owner.items()
    ]
