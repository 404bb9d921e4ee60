"""Proposals for new sub-groups (issue 16, rules of office). Where a body says its new
sub-groups need its agreement (``Body.sub_groups_need_approval``), a sub-group or
task-and-finish group under it starts as a proposal; the parent's co-ordinators record whether
it was agreed at a meeting of the parent, and an agreed proposal creates the body in the same
transaction.

Who may propose: those who sit on the parent (they take the decision, so they may bring it)
and the co-ordinators who run it (they could otherwise have added a body under it): that is
``can_view_private_body`` of the parent, which covers both. Who decides: the parent's
co-ordinators, recording what its meeting decided. Who withdraws: the proposer, while it is
still proposed."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from governance.models import Meeting, MeetingStatus, ProposalStatus, SubGroupProposal
from partnership import permissions as perms
from partnership import services as ps
from partnership.history import record_actor
from partnership.models import Body, BodyKind

__all__ = [
    "decision_meetings",
    "proposal_create",
    "proposal_decide",
    "proposal_withdraw",
    "proposals_may_decide",
    "proposals_may_propose",
]


def proposals_may_propose(user: Any, parent: Body) -> bool:
    """Whether ``user`` may propose a sub-group under ``parent``: a member or co-ordinator of
    it, while it is open and its sub-groups need its agreement."""
    return (
        parent.sub_groups_need_approval
        and parent.closed_on is None
        and perms.can_view_private_body(user, parent)
    )


def proposals_may_decide(user: Any, parent: Body) -> bool:
    """Whether ``user`` records the parent's decisions: its co-ordinators."""
    return perms.can_manage_body(user, parent)


def decision_meetings(*, parent: Body, today: date | None = None):
    """The parent's meetings a decision can be recorded at: held on or before today, with
    their agenda published (a draft was never a meeting anyone was called to), the latest
    first."""
    today = today or timezone.localdate()
    return (
        Meeting.objects.filter(body=parent, held_on__lte=today, status=MeetingStatus.PUBLISHED)
        .select_related("body")
        .order_by("-held_on", "-start_time")
    )


def _check(proposal: SubGroupProposal) -> None:
    errors = {}
    if not proposal.name.strip():
        errors["name"] = "Enter the name of the group"
    if proposal.kind not in (BodyKind.SUB_GROUP, BodyKind.TASK_AND_FINISH):
        errors["kind"] = "Select the type of group"
    if proposal.kind == BodyKind.TASK_AND_FINISH and proposal.ends_on is None:
        errors["ends_on"] = "Enter the date a task-and-finish group is to end"
    if proposal.ends_on is not None and proposal.ends_on <= timezone.localdate():
        errors["ends_on"] = "The planned end date must be in the future"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def proposal_create(
    *,
    actor: Any,
    parent: Body,
    name: str,
    kind: str,
    remit: str,
    membership: str,
    timescale: str,
    ends_on: date | None = None,
) -> SubGroupProposal:
    parent = Body.objects.select_for_update().get(pk=parent.pk)
    if not parent.sub_groups_need_approval:
        raise ValidationError(f"New sub-groups of the {parent.name} do not need its agreement.")
    if parent.closed_on is not None:
        raise ValidationError(f"The {parent.name} has closed.")
    if not proposals_may_propose(actor, parent):
        raise ValidationError(
            f"Only members and co-ordinators of the {parent.name} propose its sub-groups."
        )
    proposal = SubGroupProposal(
        parent=parent,
        name=name.strip(),
        kind=kind,
        remit=remit,
        membership=membership,
        timescale=timescale,
        ends_on=ends_on,
        proposed_by=actor,
    )
    _check(proposal)
    record_actor(proposal, actor=actor, reason="Proposed")
    proposal.save()
    return proposal


def _lock(proposal: SubGroupProposal) -> SubGroupProposal:
    return SubGroupProposal.objects.select_for_update().select_related("parent").get(pk=proposal.pk)


@transaction.atomic
def proposal_decide(
    *, actor: Any, proposal: SubGroupProposal, agreed: bool, meeting: Meeting, note: str = ""
) -> SubGroupProposal:
    """Record the parent's decision, taken at ``meeting``. Agreed: the group is created under
    the parent (with the proposal's name, type, remit and end date, established on the
    meeting's date) and linked, in this transaction, so a refused creation (a name already
    taken) records no decision either."""
    proposal = _lock(proposal)
    parent = proposal.parent
    if proposal.status != ProposalStatus.PROPOSED:
        raise ValidationError(f"This proposal was {proposal.get_status_display().lower()}.")
    if not proposals_may_decide(actor, parent):
        raise ValidationError(f"Only the {parent.name}'s co-ordinators record its decisions.")
    if not decision_meetings(parent=parent).filter(pk=meeting.pk).exists():
        raise ValidationError(
            {"meeting": f"Choose a meeting of the {parent.name} held on or before today"}
        )
    proposal.status = ProposalStatus.AGREED if agreed else ProposalStatus.DECLINED
    proposal.decided_at_meeting = meeting
    proposal.decision_note = note
    if agreed:
        if proposal.ends_on is not None and proposal.ends_on <= meeting.held_on:
            raise ValidationError(
                {"meeting": "The group's planned end date is before this meeting"}
            )
        try:
            proposal.created_body = ps.body_create(
                actor=actor,
                partnership=parent.partnership,
                name=proposal.name,
                kind=proposal.kind,
                parent=parent,
                remit=proposal.remit,
                ends_on=proposal.ends_on,
                established_on=meeting.held_on,
            )
        except ValidationError as error:
            # The body's own refusal (its name taken): said of the decision as a whole.
            raise ValidationError(
                f"The {proposal.name} could not be created: {' '.join(error.messages)}"
            ) from error
    record_actor(proposal, actor=actor, reason="Agreed" if agreed else "Not agreed")
    proposal.save()
    return proposal


@transaction.atomic
def proposal_withdraw(*, actor: Any, proposal: SubGroupProposal) -> SubGroupProposal:
    proposal = _lock(proposal)
    if proposal.proposed_by_id != getattr(actor, "pk", None):
        raise ValidationError("Only the person who proposed it withdraws a proposal.")
    if proposal.status != ProposalStatus.PROPOSED:
        raise ValidationError(f"This proposal was {proposal.get_status_display().lower()}.")
    proposal.status = ProposalStatus.WITHDRAWN
    record_actor(proposal, actor=actor, reason="Withdrawn")
    proposal.save(update_fields=["status"])
    return proposal
