"""Proposals for new sub-groups (issue 16, rules of office): where a body says its new
sub-groups need its agreement, a sub-group starts as a proposal with a remit, membership and
timescale, is agreed (or not) at a meeting of the parent body, and only then is created."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from partnership.history import audited
from partnership.models import Body, BodyKind


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    AGREED = "agreed", "Agreed"
    DECLINED = "declined", "Not agreed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class SubGroupProposal(models.Model):
    parent = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="sub_group_proposals")
    name = models.CharField(max_length=200)
    kind = models.CharField(
        "type",
        max_length=30,
        choices=[
            (BodyKind.SUB_GROUP, BodyKind.SUB_GROUP.label),
            (BodyKind.TASK_AND_FINISH, BodyKind.TASK_AND_FINISH.label),
        ],
    )
    remit = models.TextField()
    membership = models.TextField("proposed membership", help_text="Who would sit on it.")
    timescale = models.TextField(help_text="How long it would run, and when it would report.")
    ends_on = models.DateField(
        "planned end date",
        null=True,
        blank=True,
        help_text="Required for a task-and-finish group.",
    )
    status = models.CharField(
        max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    # The parent's meeting where it was agreed or not, and what was said.
    decided_at_meeting = models.ForeignKey(
        "governance.Meeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sub_group_decisions",
        verbose_name="decided at",
    )
    decision_note = models.TextField("decision", blank=True)
    # The body created once it was agreed.
    created_body = models.OneToOneField(
        Body,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposal",
    )

    history = audited()

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=BodyKind.TASK_AND_FINISH) | Q(ends_on__isnull=False),
                name="task_and_finish_proposal_has_end_date",
                violation_error_message="A task-and-finish group needs a planned end date.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["proposed", "withdrawn"])
                | Q(decided_at_meeting__isnull=False),
                name="decided_proposal_names_meeting",
                violation_error_message="Choose the meeting where it was decided.",
            ),
        ]

    def __str__(self) -> str:
        return f"Proposed {self.get_kind_display().lower()}: {self.name}"
