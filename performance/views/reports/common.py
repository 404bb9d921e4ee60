"""What every report page shares: the report fetched and authorised (a report the user may
not see is a 404: to them it does not exist; a step they may not take a 403), what the user may
do with it, and the context every report template gets."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse

from governance.services import approval
from partnership import permissions as perms
from partnership.models import Body, Partnership
from performance import permissions, services
from performance.forms.reports import (
    board_name,
)
from performance.models import (
    PUBLISHED_KINDS,
    Report,
    ReportKind,
    ReportStatus,
)

__all__: list[str] = []  # imported by name by the other report views

PAGE_SIZE = 50
# Seconds between the progress page's own reloads (an HTTP Refresh header, not a meta
# refresh: it works without JavaScript and axe does not flag it).
REFRESH_SECONDS = 5
# Quarters a co-ordinator may draft an exception report for: the last ended and the three
# before it.
DRAFTABLE_QUARTERS = 4
# Draft or returned: the working copy, as for minutes.
EDITABLE = approval.EDITABLE
KEY_PARTNERSHIP_KINDS = (ReportKind.KEY_PARTNERSHIPS, ReportKind.KEY_PARTNERSHIP_REGISTER)


@dataclass
class ReportPage:
    """One report and what the user may do with it."""

    report: Report
    user: object

    @cached_property
    def can_manage(self) -> bool:
        return perms.can_manage_body(self.user, self.report.body)

    @cached_property
    def acting_as(self) -> str | None:
        if not services.report_needs_approval(self.report):
            return None
        return services.report_acting_as(person=self.user, report=self.report)

    @cached_property
    def keeper(self) -> bool:
        """Keeps the key partnerships register: builds and rebuilds its reports, and (as
        the governance lead) approves the twice-yearly one."""
        return self.report.kind in KEY_PARTNERSHIP_KINDS and permissions.can_keep_key_partnerships(
            self.user, self.report.partnership
        )

    @property
    def approver(self) -> str:
        """Who approves it, in words: "the chair" or "the governance lead"."""
        return services.report_approver_noun(self.report)

    @cached_property
    def insider(self) -> bool:
        """Sees the working: reviews, history, earlier versions. Not the public, nor members
        of the board a report went to, who see the report as it went."""
        body = self.report.body
        return bool(
            self.can_manage
            or self.keeper
            or perms.can_view_private_body(self.user, body)
            or perms.can_chair_body(self.user, body)
            or self.acting_as
        )

    @cached_property
    def can_edit(self) -> bool:
        return self.report.status in EDITABLE and permissions.can_edit_report(
            self.user, self.report
        )

    @property
    def can_submit(self) -> bool:
        return (
            services.report_needs_approval(self.report)
            and self.report.status in EDITABLE
            and self.can_manage
        )

    @property
    def can_approve_now(self) -> bool:
        """The chair edits and approves: straight from a draft, without a submission."""
        return self.report.status in EDITABLE and bool(self.acting_as)

    @property
    def can_review(self) -> bool:
        return self.report.status == ReportStatus.SUBMITTED and bool(self.acting_as)

    @property
    def can_rebuild(self) -> bool:
        return (self.can_manage or self.keeper) and self.report.status != ReportStatus.SUPERSEDED

    @property
    def can_add_to_meeting(self) -> bool:
        """A six-monthly report goes on a Partnership Board meeting its co-ordinator picks;
        an approved exception report left waiting is placed once its board has a meeting
        (board_reports.report_add_to_meeting)."""
        report = self.report
        if report.agenda_item_id is not None or report.status == ReportStatus.SUPERSEDED:
            return False
        if report.kind == ReportKind.SIX_MONTHLY:
            return self.can_manage
        if report.kind == ReportKind.KEY_PARTNERSHIPS:
            # Once the governance lead has approved it.
            return self.can_manage and report.status == ReportStatus.APPROVED
        board = report.body.parent
        return (
            report.kind == ReportKind.EXCEPTION
            and report.status == ReportStatus.APPROVED
            and board is not None
            and perms.can_manage_body(self.user, board)
        )

    @property
    def can_publish(self) -> bool:
        report = self.report
        return (
            report.kind in PUBLISHED_KINDS
            and report.status == ReportStatus.APPROVED
            and not report.is_published
            and self.can_manage
        )

    @property
    def url(self) -> str:
        return self.report.get_absolute_url()


def report_or_404(request: HttpRequest, partnership: str, pk: int) -> ReportPage:
    report = (
        Report.objects.select_related(
            "partnership",
            "body__partnership",
            "body__parent",
            "approved_by",
            "built_by",
            "agenda_item__meeting__body",
            "paper",
        )
        .filter(partnership__slug=partnership, pk=pk)
        .first()
    )
    if report is None or not permissions.can_see_report(request.user, report):
        raise Http404("No such report")
    return ReportPage(report=report, user=request.user)


def _url(report: Report, name: str) -> str:
    return reverse(
        f"performance:{name}", kwargs={"partnership": report.partnership.slug, "pk": report.pk}
    )


def _context(page: ReportPage, **extra) -> dict:
    report = page.report
    return {
        "partnership": report.partnership,
        "page": page,
        "report": report,
        "facts": report.facts,
        "narrative": report.narrative or {},
        "board_name": board_name(report),
        "approver": page.approver,
        **extra,
    }


def _approved_message(report: Report) -> str:
    report.refresh_from_db(fields=["agenda_item"])
    item = report.agenda_item
    if item is not None:
        meeting = item.meeting
        return (
            f"Report approved. It is on the agenda of the {meeting.body.name}'s meeting on "
            f"{meeting.held_on.day} {meeting.held_on:%B %Y}."
        )
    if report.kind == ReportKind.EXCEPTION:
        return (
            f"Report approved. The {board_name(report)} has no meeting scheduled: it goes on "
            "the next one's agenda when it is arranged, and the co-ordinators have been told."
        )
    if report.kind in (ReportKind.ANNUAL, ReportKind.NEWSLETTER):
        return "Report approved. It can now be published."
    if report.kind == ReportKind.KEY_PARTNERSHIPS:
        return (
            "Report approved. Its PDF is being prepared, and the co-ordinators can now add it "
            "to a meeting."
        )
    return "Report approved."


def partnership_board_or_none(partnership: Partnership) -> Body | None:
    """The partnership's open Partnership Board, whose co-ordinators build its reports."""
    try:
        return services.partnership_board(partnership)
    except ValidationError:
        return None


def may_build_key_partnerships_report(user, partnership: Partnership, board: Body | None) -> bool:
    """The key partnerships report: the register's keepers (the partnership's co-ordinators
    and its governance lead) or the board's co-ordinators."""
    return permissions.can_keep_key_partnerships(user, partnership) or may_build_board_reports(
        user, partnership, board
    )


def may_build_board_reports(user, partnership: Partnership, board: Body | None) -> bool:
    """The six-monthly and annual reports and newsletters are built by the Partnership
    Board's co-ordinators (the partnership's, when it has no board)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if board is None:
        return perms.can_manage_partnership(user, partnership)
    return perms.can_manage_body(user, board)
