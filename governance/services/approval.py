"""Documents a body's chair approves: a meeting's minutes here, and performance's exception and
annual reports. One shape for all of them: a draft is submitted to the chair, who approves it or
returns it with comments; each decision is kept as a review; the deputy chair acts when the chair
is unavailable or the chair's seat is empty.

Each kind of document says what "unavailable" means for it (minutes: the chair was recorded
absent from the meeting; a report: its co-ordinator said so, with a reason, when submitting it)
and keeps its own review rows (a model built on ``ChairReview``). The rules live here once.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from membership.models import User
from membership.selectors import body_office_holders
from partnership.history import record_actor
from partnership.models import Body
from partnership.notifications import notify_once

DRAFT, SUBMITTED, RETURNED, APPROVED = "draft", "submitted", "returned", "approved"
# Only the co-ordinator's and the chair's working copy changes; what the chair has is fixed.
EDITABLE = (DRAFT, RETURNED)

CHAIR = "Chair"
ACTING_DEPUTY = "Acting chair (deputy chair)"


def approvers(*, body: Body, chair_unavailable: bool) -> list[User]:
    """Who may approve: the body's chair; the deputy chair as well when the chair is
    unavailable or the chair's seat is empty."""
    return approvers_among(body_office_holders(body=body), chair_unavailable=chair_unavailable)


def acting_as(*, person: Any, body: Body, chair_unavailable: bool) -> str | None:
    """'Chair' or 'Acting chair (deputy chair)' if the person may approve, else None."""
    if not getattr(person, "is_authenticated", False):
        return None
    return acting_as_among(
        body_office_holders(body=body), person=person, chair_unavailable=chair_unavailable
    )


def approvers_among(holders: dict[str, User], *, chair_unavailable: bool) -> list[User]:
    """``approvers`` for a body whose office holders (``membership.selectors``) are loaded:
    a page about many documents loads them once for all their bodies."""
    chair, deputy = holders.get("chair"), holders.get("deputy_chair")
    people = [chair] if chair else []
    if deputy and (chair is None or chair_unavailable):
        people.append(deputy)
    return people


def acting_as_among(
    holders: dict[str, User], *, person: Any, chair_unavailable: bool
) -> str | None:
    """``acting_as`` for a body whose office holders are loaded."""
    if holders.get("chair") == person:
        return CHAIR
    if person in approvers_among(holders, chair_unavailable=chair_unavailable):
        return ACTING_DEPUTY
    return None


def require_editable(document: Any, *, noun: str, fixed: str) -> None:
    """A draft or a returned document may change; ``fixed`` says what to do once approved."""
    if document.status not in EDITABLE:
        raise ValidationError(
            f"These {noun} are not a draft: "
            + (fixed if document.status not in (SUBMITTED,) else "they are with the chair.")
        )


def mark_submitted(document: Any, *, actor: Any, fields: tuple[str, ...] = ()) -> None:
    document.status = SUBMITTED
    document.submitted_at = timezone.now()
    record_actor(document, actor=actor, reason="Submitted to the chair")
    document.save(update_fields=["status", "submitted_at", *fields])


def review(
    *,
    document: Any,
    reviews: models.Manager,
    actor: Any,
    body: Body,
    chair_unavailable: bool,
    outcome: str,
    comments: str,
    awaiting: tuple[str, ...] = (SUBMITTED,),
    refusal: str,
) -> str:
    """Check the actor may decide on ``document`` (locked by the caller) now, and keep their
    decision as a review row. Returns the role they acted in."""
    if document.status not in awaiting:
        raise ValidationError("This is not awaiting approval.")
    if outcome == RETURNED and not comments.strip():
        raise ValidationError({"comments": "Enter what needs to change"})
    role = acting_as(person=actor, body=body, chair_unavailable=chair_unavailable)
    if role is None:
        raise ValidationError(refusal)
    reviews.create(reviewer=actor, acting_as=role, outcome=outcome, comments=comments.strip())
    return role


def mark_approved(document: Any, *, actor: User, reason: str = "Approved") -> None:
    document.status = APPROVED
    document.approved_by = actor
    document.approved_at = timezone.now()
    record_actor(document, actor=actor, reason=reason)
    document.save(update_fields=["status", "approved_by", "approved_at"])


def mark_returned(document: Any, *, actor: User) -> None:
    document.status = RETURNED
    record_actor(document, actor=actor, reason="Returned with comments")
    document.save(update_fields=["status"])


def tell(people, *, key: str, template: str, context: dict, url: str) -> int:
    """Tell each person once (by e-mail and in Messages) under ``key``."""
    return sum(
        notify_once(to=person, key=key, template=template, context=context, url=url)
        for person in people
    )
