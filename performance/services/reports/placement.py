"""Where an approved report goes: an exception report onto the next meeting of the body its
group reports to, as an item for decision with the report as its paper, once however often it is
retried (the report's row is locked while it is placed); a six-monthly report onto a Partnership
Board meeting the co-ordinator chooses, for information. With no meeting scheduled, the board's
co-ordinators are told, and the report is placed when the next meeting is created (the
``post_save`` hook in ``performance.apps``) or by the daily job. The rendered PDF is put on the
paper when it is ready."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from governance import services as gs
from governance.models import (
    AgendaItem,
    Meeting,
    MeetingStatus,
    Paper,
    Purpose,
)
from governance.services import approval
from membership.selectors import body_coordinators, body_office_holders
from partnership.history import record_actor
from partnership.models import Body
from performance.models import (
    GOVERNANCE_LEAD_APPROVED,
    RenderState,
    Report,
    ReportKind,
    ReportStatus,
)
from performance.selectors.reports import reports_unplaced

__all__ = [
    "attach_pdf_to_paper",
    "report_add_to_meeting",
    "report_next_meeting",
    "report_paper_name",
    "report_place",
    "reports_place_pending",
    "reports_place_pending_all",
]

log = logging.getLogger(__name__)

UNPUBLISHED_REASON = "Holds indicators not yet published"
RISKS_UNPUBLISHED_REASON = "Holds the risk summary, which the partnership does not publish"
KEY_PARTNERSHIPS_REASON = "Holds the key partnerships' money, risks and reviews"
# Reports the co-ordinator puts on a meeting of their own body they choose, for information.
CHOSEN_MEETING_KINDS = (ReportKind.SIX_MONTHLY, ReportKind.KEY_PARTNERSHIPS)


def _lock(report: Report) -> Report:
    # ``of`` self: PostgreSQL will not lock the nullable side of the join to the parent body.
    return (
        Report.objects.select_for_update(of=("self",))
        .select_related("body__parent__partnership", "body__partnership", "partnership")
        .get(pk=report.pk)
    )


def _require_editable(report: Report) -> None:
    if report.status == ReportStatus.SUBMITTED:
        approver = "the governance lead" if report.kind in GOVERNANCE_LEAD_APPROVED else "the chair"
        raise ValidationError(f"This report is with {approver}: they approve it or return it.")
    if report.status == ReportStatus.APPROVED:
        raise ValidationError(
            "This report is approved and no longer changes. If its data changed, rebuild it "
            "to make a new version."
        )
    if report.status == ReportStatus.SUPERSEDED:
        raise ValidationError(
            "A later version of this report has replaced it: open the latest version."
        )


def _supersede_approved(report: Report, *, actor: Any) -> Report | None:
    """The version approved before this one, if any, is superseded by it (kept as it was)."""
    previous = (
        Report.objects.select_for_update(of=("self",))
        .filter(
            body_id=report.body_id,
            kind=report.kind,
            year=report.year,
            quarter=report.quarter,
            issue=report.issue,
            status=ReportStatus.APPROVED,
        )
        .exclude(pk=report.pk)
        .select_related("agenda_item__meeting")
        .first()
    )
    if previous is None:
        return None
    previous.status = ReportStatus.SUPERSEDED
    was_published = previous.published_at
    # Only an approved report is published (a database constraint): the new one takes over.
    previous.published_at = None
    record_actor(previous, actor=actor, reason=f"Superseded by version {report.version}")
    previous.save(update_fields=["status", "published_at"])
    previous.published_at = was_published
    return previous


# --- on an agenda -------------------------------------------------------------------------------


def report_next_meeting(*, body: Body, today: date | None = None) -> Meeting | None:
    """The body's next meeting: from today, not cancelled."""
    today = today or timezone.localdate()
    return (
        Meeting.objects.filter(body=body, held_on__gte=today)
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("body__partnership")
        .order_by("held_on", "start_time", "pk")
        .first()
    )


def _is_upcoming(meeting: Meeting) -> bool:
    return meeting.status != MeetingStatus.CANCELLED and meeting.held_on >= timezone.localdate()


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _main_issues(report: Report) -> str:
    """The cover sheet's main issues: the chair's summary, or what the facts say."""
    written = report.narrative.get("summary", "").strip()
    if written:
        return written
    facts = report.facts
    if report.kind != ReportKind.EXCEPTION:
        return f"The {ReportKind(report.kind).label.lower()} for {facts.get('period', '')}."
    quarter = facts.get("quarter", "")
    if facts.get("no_exceptions"):
        text = f"The {report.body.name} has no indicators off track in {quarter}."
    else:
        rows = facts.get("exceptions", [])
        text = (
            f"{_count(len(rows), 'indicator')} off track in {quarter}: "
            + "; ".join(f"{r['code']} {r['title']} ({r['why']})" for r in rows)
            + "."
        )
    missing = facts.get("missing", [])
    if missing:
        text += f" {_count(len(missing), 'indicator')} had no signed-off figure."
    return text


def _decision(report: Report) -> str:
    """The decision required: what the chair says the board is asked to do, or a default."""
    written = report.narrative.get("asks", "").strip()
    if written:
        return written
    quarter = report.facts.get("quarter", report.period_label)
    if report.facts.get("no_exceptions"):
        return f"To note that the {report.body.name} has no exceptions to report for {quarter}."
    return (
        f"To note the {report.body.name}'s exception report for {quarter} and agree the "
        "action being taken."
    )


def _presenter(report: Report) -> str:
    chair = body_office_holders(body=report.body).get("chair") or report.approved_by
    return f"{chair.full_name}, chair of the {report.body.name}" if chair else ""


def _confidential(report: Report) -> dict:
    facts = report.facts
    if facts.get("has_unpublished") is False:
        return {}
    # A six-monthly report with every indicator published is kept back by its risk summary.
    only_risks = facts.get("unpublished_indicators") is False
    reason = RISKS_UNPUBLISHED_REASON if only_risks else UNPUBLISHED_REASON
    if report.kind == ReportKind.KEY_PARTNERSHIPS:
        reason = KEY_PARTNERSHIPS_REASON
    return {"confidential": True, "confidential_reason": reason}


def _put_on(report: Report, meeting: Meeting, *, actor: Any, purpose: str) -> AgendaItem:
    """Add the item and its paper (the cover sheet; the PDF follows when rendered) and record
    them on the report. The caller holds the report's lock and has checked it is not placed."""
    decision = _decision(report) if purpose == Purpose.DECISION else ""
    item = gs.item_add(
        actor=actor,
        meeting=meeting,
        title=report.title[:200],
        purpose=purpose,
        decision_required=decision,
        presenter=_presenter(report) if purpose == Purpose.DECISION else "",
        bodies=[report.body],
        **_confidential(report),
    )
    paper = gs.paper_add(
        actor=actor,
        item=item,
        title=report.title[:200],
        owner=actor,
        main_issues=_main_issues(report),
        decision_required=decision or "For information.",
    )
    report.agenda_item, report.paper = item, paper
    record_actor(report, actor=actor, reason=f"Put on the agenda: {meeting}"[:100])
    report.save(update_fields=["agenda_item", "paper"])
    if report.render_state == RenderState.DONE and report.pdf:
        attach_pdf_to_paper(report)
    return item


def _reuse_item(report: Report, previous: Report | None, *, actor: Any) -> bool:
    """A new version approved while the one before is still on an agenda to come replaces it
    there: the same item and paper, its words updated (its PDF when rendered)."""
    if previous is None or previous.agenda_item_id is None or report.agenda_item_id:
        return False
    item = previous.agenda_item
    if not _is_upcoming(item.meeting):
        return False
    confidential = _confidential(report)
    fields = {}
    if item.purpose == Purpose.DECISION:
        fields["decision_required"] = _decision(report)
    if confidential and not item.confidential:
        fields.update(confidential)
    item = gs.item_update(actor=actor, item=item, title=report.title[:200], **fields)
    paper = previous.paper
    if paper is not None:
        paper = gs.paper_update(
            actor=actor,
            paper=paper,
            main_issues=_main_issues(report),
            decision_required=fields.get("decision_required") or paper.decision_required,
            # The new version has to go out again: until its PDF is on the paper and the
            # papers are circulated, nobody reads it as the paper sent out.
            circulated_at=None,
        )
    report.agenda_item, report.paper = item, paper
    record_actor(report, actor=actor, reason=f"Replaces version {previous.version} on the agenda")
    report.save(update_fields=["agenda_item", "paper"])
    return True


def _place(report: Report) -> bool:
    """Put an approved exception report (locked) on the board's next meeting, or tell the
    board's co-ordinators there is none. Returns whether it was placed now."""
    board = report.body.parent
    cancelled_item = 0
    if report.agenda_item_id is not None and _on_cancelled_meeting(report):
        cancelled_item = report.agenda_item_id
        # Its meeting was cancelled: it goes on the next one instead (the cancelled meeting
        # keeps its item, as the record of what was to be discussed).
        report.agenda_item, report.paper = None, None
        record_actor(report, actor=None, reason="Its meeting was cancelled")
        report.save(update_fields=["agenda_item", "paper"])
    if (
        report.kind != ReportKind.EXCEPTION
        or report.status != ReportStatus.APPROVED
        or report.agenda_item_id is not None
        or board is None
    ):
        return False
    meeting = report_next_meeting(body=board)
    if meeting is None:
        pk = report.pk
        transaction.on_commit(lambda: _tell_no_meeting(pk, cancelled_item))
        return False
    _put_on(report, meeting, actor=report.approved_by, purpose=Purpose.DECISION)
    return True


def _on_cancelled_meeting(report: Report) -> bool:
    return Meeting.objects.filter(
        items=report.agenda_item_id, status=MeetingStatus.CANCELLED
    ).exists()


def _tell_no_meeting(report_id: int, cancelled_item: int = 0) -> int:
    """Told once while the report waits; told again if it waits anew because its meeting
    was cancelled (the key names the cancelled item)."""
    report = Report.objects.select_related("body__parent__partnership", "partnership").get(
        pk=report_id
    )
    board = report.body.parent
    return approval.tell(
        body_coordinators(body=board),
        key=f"report_not_placed:{report.pk}" + (f":{cancelled_item}" if cancelled_item else ""),
        template="report_not_placed",
        context={"report": report, "body": report.body, "board": board},
        url=report.get_absolute_url(),
    )


@transaction.atomic
def report_place(*, report: Report) -> Report:
    """Put an approved exception report on its board's next meeting if it is not on one yet:
    safe to call as often as you like (the report's row is locked; it is placed once)."""
    report = _lock(report)
    _place(report)
    return report


def reports_place_pending(*, body: Body) -> int:
    """Place the approved exception reports of the body's groups that wait for a meeting:
    when one is created, and daily. Each in its own transaction; returns how many were placed."""
    placed = 0
    for report in reports_unplaced(board=body):
        try:
            with transaction.atomic():
                placed += _place(_lock(report))
        except ValidationError:
            log.exception("report %s not placed on the %s's agenda", report.pk, body)
    return placed


def reports_place_pending_all() -> int:
    """Every board with approved exception reports waiting for a meeting (the daily job)."""
    boards = Body.objects.filter(pk__in=reports_unplaced(board=None).values("body__parent"))
    return sum(reports_place_pending(body=board) for board in boards)


@transaction.atomic
def report_add_to_meeting(*, actor: Any, report: Report, meeting: Meeting) -> AgendaItem:
    """The co-ordinator puts a six-monthly report on a meeting of its body (the Partnership
    Board), for information: their review is its approval, so it no longer changes. A key
    partnerships report goes the same way once the governance lead has approved it. Once:
    adding it again to the same meeting returns the item it is on."""
    report = _lock(report)
    if report.kind not in CHOSEN_MEETING_KINDS:
        raise ValidationError(
            "Only a six-monthly or key partnerships report is added to a meeting this way: an "
            "exception report goes on its board's next agenda when the chair approves it."
        )
    if report.kind == ReportKind.KEY_PARTNERSHIPS and report.status != ReportStatus.APPROVED:
        raise ValidationError(
            "The governance lead approves this report before it goes to a meeting."
            if report.status != ReportStatus.SUPERSEDED
            else "A later version of this report has replaced it: open the latest version."
        )
    meeting = Meeting.objects.select_related("body__partnership").get(pk=meeting.pk)
    if report.agenda_item_id is not None and _on_cancelled_meeting(report):
        # Its meeting was cancelled: it may go on another (the cancelled one keeps its item).
        report.agenda_item, report.paper = None, None
        record_actor(report, actor=actor, reason="Its meeting was cancelled")
        report.save(update_fields=["agenda_item", "paper"])
    if report.agenda_item_id is not None:
        if report.agenda_item.meeting_id == meeting.pk:
            return report.agenda_item
        raise ValidationError(
            f"This report is already on the agenda of {report.agenda_item.meeting}."
        )
    if meeting.body_id != report.body_id:
        raise ValidationError({"meeting": f"Select a meeting of the {report.body.name}"})
    if not _is_upcoming(meeting):
        raise ValidationError({"meeting": "Select a meeting that is still to come"})
    if report.status == ReportStatus.SUPERSEDED:
        _require_editable(report)
    previous = None
    if report.status != ReportStatus.APPROVED:
        previous = _supersede_approved(report, actor=actor)
        approval.mark_approved(report, actor=actor, reason="Reviewed and added to an agenda")
        _render_later(report, requested_by=actor)
    if (
        previous is not None
        and previous.agenda_item_id
        and previous.agenda_item.meeting_id == meeting.pk
        and _reuse_item(report, previous, actor=actor)
    ):
        return report.agenda_item
    return _put_on(report, meeting, actor=actor, purpose=Purpose.INFORMATION)


def _render_later(report: Report, *, requested_by: Any = None) -> None:
    # Imported when called: rendering is its own module, loaded with WeasyPrint's needs.
    from performance.services.reports import rendering

    rendering.report_render_later(report, requested_by=requested_by)


def report_paper_name(report: Report) -> str:
    """The file name the report's PDF has on its paper: it names the PDF's fingerprint, so a
    paper already holding this rendering is recognised and not uploaded again."""
    return f"{slugify(report.title)[:120]}-v{report.version}-{report.pdf_fingerprint[:12]}.pdf"


@transaction.atomic
def attach_pdf_to_paper(report: Report) -> bool:
    """Put the report's rendered PDF on the paper it is the agenda item's paper for, while the
    paper is not yet circulated and its meeting is to come. Called by the render job when it
    has stored the PDF (render_state done), and on placement if the PDF was ready. Idempotent:
    a paper that already holds this rendering is left alone. Returns whether the file was
    attached now."""
    report = _lock(report)
    if (
        report.paper_id is None
        or not report.pdf
        or not report.pdf_fingerprint
        or report.render_state != RenderState.DONE
    ):
        return False
    paper = Paper.objects.select_related("item__meeting").filter(pk=report.paper_id).first()
    if paper is None or not _is_upcoming(paper.item.meeting):
        # A meeting held (or cancelled) keeps the paper it had: the record.
        return False
    if paper.file and paper.circulated_at is not None:
        # Once circulated, a paper is what members were sent. A new version of the report
        # takes the paper back first (``_reuse_item``); a re-rendering of the same version
        # (a new template) does not replace what went out.
        return False
    name = report_paper_name(report)
    if paper.file and paper.file_name == name:
        return False
    with report.pdf.open("rb") as handle:
        data = handle.read()
    gs.paper_update(
        actor=None,
        paper=paper,
        upload=(name, data),
        change_note=f"Version {report.version} of the report.",
    )
    return True
