"""A built report's narrative, its approval, publishing and rebuilding; where it goes once
approved is ``placement.py``.

Approval has the shape of minutes' approval (``governance.services.approval``): the co-ordinator
submits the report to the chair, who approves it or returns it with comments; the chair may also
edit and approve a draft straight away. The deputy chair acts when the co-ordinator said, with a
reason, that the chair is unavailable, or when the chair's seat is empty. The twice-yearly key
partnerships report (``GOVERNANCE_LEAD_APPROVED``) takes the same path to the partnership's
governance lead instead of a chair; once approved, its co-ordinator adds it to a meeting.

An approved exception report goes on the next meeting of the body the group reports to, as an
item for decision with the report as its paper: once, however often approval or placement is
retried (the report's row is locked while it is placed). With no meeting scheduled, the board's
co-ordinators are told, and it is placed when the next meeting is created (the ``post_save``
hook in ``performance.apps``) or by the daily job. A six-monthly report is put on a Partnership
Board meeting by the co-ordinator, for information. Annual reports and newsletters are published
on the public site once approved.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from governance.models import (
    ReviewOutcome,
)
from governance.services import approval
from membership.models import User
from membership.selectors import body_coordinators
from partnership import alerts
from partnership.history import record_actor
from partnership.periods import Quarter, financial_year
from performance.models import (
    CHAIR_APPROVED,
    GOVERNANCE_LEAD_APPROVED,
    OPEN_REPORT,
    PUBLISHED_KINDS,
    Report,
    ReportKind,
    ReportStatus,
)
from performance.permissions import can_edit_report
from performance.services.reports.placement import (
    _lock,
    _place,
    _render_later,
    _require_editable,
    _reuse_item,
    _supersede_approved,
)

__all__ = [
    "reports_chase_awaiting",
    "report_acting_as",
    "report_approve",
    "report_approvers",
    "report_approved_by_governance_lead",
    "report_approver_noun",
    "report_narrative_keys",
    "report_needs_approval",
    "report_publish",
    "report_rebuild",
    "report_return",
    "report_save_narrative",
    "report_submit",
]

log = logging.getLogger(__name__)


def _kind_label(report: Report) -> str:
    return ReportKind(report.kind).label.lower()


def report_approved_by_governance_lead(report: Report) -> bool:
    """Approved by the partnership's governance lead rather than a body's chair."""
    return report.kind in GOVERNANCE_LEAD_APPROVED


def report_needs_approval(report: Report) -> bool:
    """Submitted to someone who approves it (a chair or the governance lead)."""
    return report.kind in CHAIR_APPROVED or report.kind in GOVERNANCE_LEAD_APPROVED


def report_approver_noun(report: Report) -> str:
    """Who approves it, in words: "the chair" or "the governance lead"."""
    return approval.approver_noun(by_governance_lead=report_approved_by_governance_lead(report))


def _require_approved_kind(report: Report) -> None:
    if not report_needs_approval(report):
        raise ValidationError(
            f"A {_kind_label(report)} is not approved by a chair: the co-ordinator adds it to "
            "a meeting of the Partnership Board."
        )


# --- the narrative ------------------------------------------------------------------------------


def report_narrative_keys(report: Report) -> list[str]:
    """The narrative a report of this kind takes (the keys of ``report.narrative``)."""
    if report.kind == ReportKind.EXCEPTION:
        keys = []
        for row in report.facts.get("exceptions", []):
            keys += [f"why_{row['id']}", f"action_{row['id']}"]
        return [*keys, "summary", "asks"]
    if report.kind == ReportKind.SIX_MONTHLY:
        return ["summary"]
    if report.kind == ReportKind.ANNUAL:
        return ["foreword", "highlights"]
    if report.kind == ReportKind.KEY_PARTNERSHIPS:
        return ["summary", "recommendations"]
    if report.kind in (ReportKind.RISK_REGISTER, ReportKind.KEY_PARTNERSHIP_REGISTER):
        return []  # a register as it stood: nobody writes on it
    return ["headline", "body"]


@transaction.atomic
def report_save_narrative(*, actor: Any, report: Report, narrative: dict) -> Report:
    """Save what the co-ordinator or the approver wrote, while the report is a draft or
    returned. Keys the report does not take are ignored; a blank answer removes the key."""
    report = _lock(report)
    _require_editable(report)
    if actor is not None and not can_edit_report(actor, report):
        by_lead = report_approved_by_governance_lead(report)
        approver = "the governance lead" if by_lead else "its chair"
        raise ValidationError(
            f"Only the {report.body.name}'s co-ordinators and {approver} write this report."
        )
    keys = report_narrative_keys(report)
    merged = {**report.narrative, **{k: str(v or "").strip() for k, v in narrative.items()}}
    cleaned = {k: merged[k] for k in keys if merged.get(k)}
    if cleaned == report.narrative:
        return report
    report.narrative = cleaned
    record_actor(report, actor=actor, reason="Narrative written")
    report.save(update_fields=["narrative"])
    return report


# --- to the chair, and back ---------------------------------------------------------------------


def report_approvers(*, report: Report) -> list[User]:
    """Who may approve: the body's chair; the deputy chair too when the chair is unavailable
    (as the co-ordinator said on submitting) or the chair's seat is empty. For a kind the
    governance lead approves, the partnership's governance lead(s)."""
    return approval.approvers(
        body=report.body,
        chair_unavailable=report.chair_unavailable,
        by_governance_lead=report_approved_by_governance_lead(report),
    )


def report_acting_as(*, person: Any, report: Report) -> str | None:
    """'Chair', 'Acting chair (deputy chair)' or 'Governance lead' if the person may approve
    the report now."""
    if not report_needs_approval(report) or report.status not in OPEN_REPORT:
        return None
    return approval.acting_as(
        person=person,
        body=report.body,
        chair_unavailable=report.chair_unavailable,
        by_governance_lead=report_approved_by_governance_lead(report),
    )


@transaction.atomic
def report_submit(
    *, actor: Any, report: Report, chair_unavailable: bool = False, reason: str = ""
) -> Report:
    """Send the report to the chair, who is told. Saying the chair is unavailable, with a
    reason, lets the deputy chair approve it; the deputy is told too. A kind the governance
    lead approves goes to the governance lead(s), and the chair's availability plays no part."""
    report = _lock(report)
    _require_approved_kind(report)
    _require_editable(report)
    if report_approved_by_governance_lead(report):
        return _submit_to_governance_lead(report, actor=actor)
    reason = reason.strip()
    if chair_unavailable and not reason:
        raise ValidationError({"chair_unavailable_reason": "Enter why the chair is unavailable"})
    if not approval.approvers(body=report.body, chair_unavailable=chair_unavailable):
        raise ValidationError(
            f"The {report.body.name} has no chair"
            + (" or deputy chair" if chair_unavailable else "")
            + " to approve it. Record who chairs it first."
        )
    report.chair_unavailable = chair_unavailable
    report.chair_unavailable_reason = reason if chair_unavailable else ""
    approval.mark_submitted(
        report, actor=actor, fields=("chair_unavailable", "chair_unavailable_reason")
    )
    pk = report.pk
    transaction.on_commit(lambda: _tell_approvers(pk))
    return report


def _submit_to_governance_lead(report: Report, *, actor: Any) -> Report:
    if not approval.approvers(body=report.body, chair_unavailable=False, by_governance_lead=True):
        raise ValidationError(
            f"{report.partnership.name} has no governance lead to approve it. Appoint one first."
        )
    report.chair_unavailable, report.chair_unavailable_reason = False, ""
    approval.mark_submitted(
        report,
        actor=actor,
        fields=("chair_unavailable", "chair_unavailable_reason"),
        to="the governance lead",
    )
    pk = report.pk
    transaction.on_commit(lambda: _tell_approvers(pk))
    return report


def _tell_approvers(report_id: int, *, template: str = "report_submitted") -> int:
    report = Report.objects.select_related("body__partnership", "partnership").get(pk=report_id)
    return approval.tell(
        report_approvers(report=report),
        key=f"{template}:{report.pk}:{report.submitted_at:%Y%m%d%H%M%S%f}",
        template=template,
        context={"report": report, "body": report.body, "approver": report_approver_noun(report)},
        url=report.get_absolute_url(),
    )


def reports_chase_awaiting(*, now: datetime | None = None) -> int:
    """Reports with the chair for longer than minutes may be (``MINUTES_CHASE_AFTER``):
    remind whoever may approve them, once per submission, however often this runs."""
    from governance.services.minutes import MINUTES_CHASE_AFTER

    now = now or timezone.now()
    waiting = Report.objects.filter(
        status=ReportStatus.SUBMITTED, submitted_at__lte=now - MINUTES_CHASE_AFTER
    ).values_list("pk", flat=True)
    return sum(_tell_approvers(pk, template="report_awaiting") for pk in waiting)


def _review(report: Report, actor: Any, outcome: str, comments: str, awaiting) -> str:
    by_lead = report_approved_by_governance_lead(report)
    return approval.review(
        document=report,
        reviews=report.reviews,
        actor=actor,
        body=report.body,
        chair_unavailable=report.chair_unavailable,
        outcome=outcome,
        comments=comments,
        awaiting=awaiting,
        refusal=(
            f"Only the governance lead of {report.partnership.name} approves this report."
            if by_lead
            else f"Only the chair of the {report.body.name} approves this report, or the "
            "deputy chair when the chair is unavailable."
        ),
        by_governance_lead=by_lead,
    )


@transaction.atomic
def report_approve(*, actor: User, report: Report, comments: str = "") -> Report:
    """The chair (or acting deputy) approves: from a draft (the chair edits and approves), a
    submitted report, or one returned. It no longer changes. An exception report goes on the
    next meeting of the body the group reports to; every report is rendered to PDF."""
    report = _lock(report)
    _require_approved_kind(report)
    role = _review(report, actor, ReviewOutcome.APPROVED, comments, tuple(OPEN_REPORT))
    previous = _supersede_approved(report, actor=actor)
    approval.mark_approved(
        report,
        actor=actor,
        reason={
            approval.CHAIR: "Approved",
            approval.GOVERNANCE_LEAD: "Approved by the governance lead",
        }.get(role, "Approved by the deputy chair, acting"),
    )
    if previous is not None and previous.published_at is not None:
        # A new version of a published report takes its place on the public site.
        report.published_at = timezone.now()
        record_actor(report, actor=actor, reason=f"Published: replaces version {previous.version}")
        report.save(update_fields=["published_at"])
        alerts.announce("report", report.pk)
    # An exception report replaces its previous version on an agenda still to come, or goes on
    # the board's next meeting.
    if report.kind == ReportKind.EXCEPTION and not _reuse_item(report, previous, actor=actor):
        _place(report)
    # A key partnerships report's new version takes its previous version's place on an agenda
    # still to come; otherwise the co-ordinator adds it to a meeting.
    if report.kind == ReportKind.KEY_PARTNERSHIPS:
        _reuse_item(report, previous, actor=actor)
    _render_later(report, requested_by=actor)
    pk = report.pk
    transaction.on_commit(lambda: _tell_approved(pk))
    return report


def _tell_approved(report_id: int) -> int:
    report = Report.objects.select_related(
        "body__partnership", "partnership", "agenda_item__meeting__body"
    ).get(pk=report_id)
    meeting = report.agenda_item.meeting if report.agenda_item_id else None
    return approval.tell(
        body_coordinators(body=report.body),
        key=f"report_approved:{report.pk}",
        template="report_approved",
        context={"report": report, "body": report.body, "meeting": meeting},
        url=report.get_absolute_url(),
    )


@transaction.atomic
def report_return(*, actor: User, report: Report, comments: str) -> Report:
    """Return the submitted report to the co-ordinators with comments (required)."""
    report = _lock(report)
    _require_approved_kind(report)
    _review(report, actor, ReviewOutcome.RETURNED, comments, (ReportStatus.SUBMITTED,))
    approval.mark_returned(report, actor=actor)
    pk, count = report.pk, report.reviews.count()
    transaction.on_commit(lambda: _tell_returned(pk, count, comments.strip()))
    return report


def _tell_returned(report_id: int, count: int, comments: str) -> int:
    report = Report.objects.select_related("body__partnership", "partnership").get(pk=report_id)
    return approval.tell(
        body_coordinators(body=report.body),
        key=f"report_returned:{report.pk}:{count}",
        template="report_returned",
        context={
            "report": report,
            "body": report.body,
            "comments": comments,
            "approver": report_approver_noun(report),
        },
        url=report.get_absolute_url(),
    )


@transaction.atomic
def report_publish(*, actor: Any, report: Report) -> Report:
    """Publish an approved annual report or newsletter on the public site (once)."""
    report = _lock(report)
    if report.kind not in PUBLISHED_KINDS:
        raise ValidationError(
            "Only an annual report or a newsletter is published on its own: an exception or "
            "six-monthly report is public when it is on a public agenda item."
        )
    if report.status != ReportStatus.APPROVED:
        raise ValidationError(
            f"The chair of the {report.body.name} approves it before it is published."
        )
    if report.published_at is not None:
        return report
    report.published_at = timezone.now()
    record_actor(report, actor=actor, reason="Published")
    report.save(update_fields=["published_at"])
    alerts.announce("report", report.pk)  # the public's e-mail alerts, once committed
    return report


# --- rebuilding and the PDF ---------------------------------------------------------------------


def report_rebuild(*, actor: Any, report: Report) -> Report:
    """Build the report again from the data as it is now: a new version only if it changed."""
    if report.kind == ReportKind.EXCEPTION:
        from performance.services.reports.exceptions import exception_report_draft

        return exception_report_draft(
            body=report.body, period=Quarter(report.year, report.quarter), actor=actor
        )
    if report.kind == ReportKind.RISK_REGISTER:
        from performance.services.reports.risk_register import risk_register_build

        return risk_register_build(body=report.body, actor=actor)
    if report.kind == ReportKind.KEY_PARTNERSHIPS:
        from performance.services.reports.key_partnerships import key_partnerships_build

        return key_partnerships_build(
            actor=actor, partnership=report.partnership, year=report.year, half=report.quarter
        )
    if report.kind == ReportKind.KEY_PARTNERSHIP_REGISTER:
        from performance.services.reports.key_partnership_register import (
            key_partnership_register_build,
        )

        return key_partnership_register_build(partnership=report.partnership, actor=actor)
    from performance.services.reports import annual, board

    if report.kind == ReportKind.SIX_MONTHLY:
        return board.six_monthly_build(
            actor=actor, partnership=report.partnership, year=report.year, half=report.quarter
        )
    if report.kind == ReportKind.ANNUAL:
        return annual.annual_build(actor=actor, partnership=report.partnership, year=report.year)
    if report.year != financial_year(timezone.localdate()):
        raise ValidationError(
            "A newsletter shows the latest highlights: a past year's issue stays as it was. "
            "Start a new issue instead."
        )
    return annual.newsletter_build(actor=actor, partnership=report.partnership, issue=report.issue)
