"""Documents someone approves: a meeting's minutes here, and performance's reports. One shape
for all of them: a draft is submitted to its approver, who approves it or returns it with
comments; each decision is kept as a review.

Who approves is one of two things. Most documents are approved by a body's chair, and the deputy
chair acts when the chair is unavailable or the chair's seat is empty. A few (the twice-yearly
key partnerships report) are approved by the partnership's governance lead instead
(``by_governance_lead``): whoever holds that appointment, with no deputy.

Each kind of document says what "unavailable" means for it (minutes: the chair was recorded
absent from the meeting; a report: its co-ordinator said so, with a reason, when submitting it)
and keeps its own review rows (a model built on ``ChairReview``). The rules live here once.

Minutes have one more approver: when the chair and the deputy were both absent from the
meeting, the members present choose an acting chair for it (``Attendance.acting_chair``), who
approves that meeting's minutes as the chair would (``acting_chair``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from membership.models import User
from membership.selectors import body_office_holders
from partnership import permissions as perms
from partnership.history import record_actor
from partnership.models import Body
from partnership.notifications import notify_once

DRAFT, SUBMITTED, RETURNED, APPROVED = "draft", "submitted", "returned", "approved"
# Only the co-ordinator's and the chair's working copy changes; what the chair has is fixed.
EDITABLE = (DRAFT, RETURNED)

CHAIR = "Chair"
ACTING_DEPUTY = "Acting chair (deputy chair)"
ACTING_CHOSEN = "Acting chair (chosen at the meeting)"
GOVERNANCE_LEAD = "Governance lead"


def approver_noun(*, by_governance_lead: bool = False) -> str:
    """Who approves, as pages and e-mails name them: "the chair" or "the governance lead"."""
    return "the governance lead" if by_governance_lead else "the chair"


def approvers(
    *,
    body: Body,
    chair_unavailable: bool,
    by_governance_lead: bool = False,
    acting_chair: User | None = None,
) -> list[User]:
    """Who may approve: the body's chair; the deputy chair as well when the chair is
    unavailable or the chair's seat is empty; and the ``acting_chair`` the members chose at a
    meeting both missed. Or, ``by_governance_lead``, the governance lead(s) of the body's
    partnership (the chair plays no part)."""
    if by_governance_lead:
        from governance.selectors.registers import governance_leads

        return governance_leads(partnership=body.partnership)
    return approvers_among(
        body_office_holders(body=body),
        chair_unavailable=chair_unavailable,
        acting_chair=acting_chair,
    )


def acting_as(
    *,
    person: Any,
    body: Body,
    chair_unavailable: bool,
    by_governance_lead: bool = False,
    acting_chair: User | None = None,
) -> str | None:
    """'Chair', 'Acting chair (deputy chair)', 'Acting chair (chosen at the meeting)' or
    'Governance lead' if the person may approve, else None."""
    if not getattr(person, "is_authenticated", False):
        return None
    if by_governance_lead:
        # The right, as every other governance-lead step asks it (cached on the user).
        lead = perms.can_lead_governance(person, body.partnership)
        return GOVERNANCE_LEAD if lead else None
    return acting_as_among(
        body_office_holders(body=body),
        person=person,
        chair_unavailable=chair_unavailable,
        acting_chair=acting_chair,
    )


def approvers_among(
    holders: dict[str, User], *, chair_unavailable: bool, acting_chair: User | None = None
) -> list[User]:
    """``approvers`` for a body whose office holders (``membership.selectors``) are loaded:
    a page about many documents loads them once for all their bodies."""
    chair, deputy = holders.get("chair"), holders.get("deputy_chair")
    people = [chair] if chair else []
    if deputy and (chair is None or chair_unavailable):
        people.append(deputy)
    # The office holders keep their right: the acting chair is one more approver, for the
    # one meeting they chaired (the minutes service passes them only for that meeting).
    if acting_chair is not None and acting_chair not in people:
        people.append(acting_chair)
    return people


def acting_as_among(
    holders: dict[str, User],
    *,
    person: Any,
    chair_unavailable: bool,
    acting_chair: User | None = None,
) -> str | None:
    """``acting_as`` for a body whose office holders are loaded."""
    if holders.get("chair") == person:
        return CHAIR
    if person in approvers_among(holders, chair_unavailable=chair_unavailable):
        return ACTING_DEPUTY
    if acting_chair is not None and acting_chair == person:
        return ACTING_CHOSEN
    return None


def require_editable(document: Any, *, noun: str, fixed: str) -> None:
    """A draft or a returned document may change; ``fixed`` says what to do once approved."""
    if document.status not in EDITABLE:
        raise ValidationError(
            f"These {noun} are not a draft: "
            + (fixed if document.status not in (SUBMITTED,) else "they are with the chair.")
        )


def mark_submitted(
    document: Any, *, actor: Any, fields: tuple[str, ...] = (), to: str = "the chair"
) -> None:
    document.status = SUBMITTED
    document.submitted_at = timezone.now()
    record_actor(document, actor=actor, reason=f"Submitted to {to}")
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
    by_governance_lead: bool = False,
    acting_chair: User | None = None,
) -> str:
    """Check the actor may decide on ``document`` (locked by the caller) now, and keep their
    decision as a review row. Returns the role they acted in."""
    if document.status not in awaiting:
        raise ValidationError("This is not awaiting approval.")
    if outcome == RETURNED and not comments.strip():
        raise ValidationError({"comments": "Enter what needs to change"})
    role = acting_as(
        person=actor,
        body=body,
        chair_unavailable=chair_unavailable,
        by_governance_lead=by_governance_lead,
        acting_chair=acting_chair,
    )
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
