"""Reads about reports: which a person may see (the same rules as
``performance.permissions.can_see_report``, asked in the database), the public's, and a
report's versions."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest

from governance.selectors import PUBLIC_STATUSES
from partnership import permissions as perms
from partnership.models import Body, Partnership
from performance.models import PUBLISHED_KINDS, Report, ReportKind, ReportStatus
from performance.permissions import (
    can_keep_key_partnerships,
    can_read_key_partnerships,
    can_see_report,
    is_public_report,
)

__all__ = [
    "can_see_report",
    "is_public_report",
    "public_reports",
    "report_versions",
    "reports_for",
    "reports_unplaced",
]


def _public_q() -> Q:
    """Published annual reports and newsletters; approved reports whose paper went out on a
    non-confidential item of a published agenda (never one holding unpublished indicators)."""
    published = Q(
        kind__in=PUBLISHED_KINDS, status=ReportStatus.APPROVED, published_at__isnull=False
    )
    on_agenda = (
        Q(status=ReportStatus.APPROVED, agenda_item__isnull=False)
        & ~Q(kind__in=PUBLISHED_KINDS)
        & Q(agenda_item__confidential=False)
        # Its paper, as the meeting's rules have it: public once circulated.
        & Q(paper__confidential=False, paper__circulated_at__isnull=False)
        & Q(
            agenda_item__meeting__status__in=PUBLIC_STATUSES,
            agenda_item__meeting__published_at__isnull=False,
        )
        # Its builder says so; a report that does not say is kept from the public.
        & Q(facts__has_unpublished=False)
    )
    return published | on_agenda


def _visible_q(user: Any, partnership: Partnership) -> Q:
    visible = _public_q()
    if not getattr(user, "is_authenticated", False):
        return visible
    bodies = list(Body.objects.filter(partnership=partnership))
    # Rights are cached on the user: these questions ask no more queries per body.
    insider = [
        b.pk
        for b in bodies
        if perms.can_view_private_body(user, b) or perms.can_chair_body(user, b)
    ]
    members = [b.pk for b in bodies if perms.can_view_private_body(user, b)]
    if can_keep_key_partnerships(user, partnership):
        # The register's keepers (the governance lead who approves it among them).
        visible |= Q(kind=ReportKind.KEY_PARTNERSHIPS)
    if can_read_key_partnerships(user, partnership):
        visible |= Q(kind=ReportKind.KEY_PARTNERSHIP_REGISTER)
    return (
        visible
        | Q(body_id__in=insider)
        | Q(
            status=ReportStatus.APPROVED,
            agenda_item__meeting__body_id__in=members,
            paper__circulated_at__isnull=False,
        )
    )


def _latest(qs: QuerySet[Report], visible: Q) -> QuerySet[Report]:
    """Only the newest version of each report that ``visible`` lets through."""
    newer = Report.objects.filter(
        visible,
        body=OuterRef("body"),
        kind=OuterRef("kind"),
        year=OuterRef("year"),
        quarter=OuterRef("quarter"),
        issue=OuterRef("issue"),
        version__gt=OuterRef("version"),
    )
    return qs.exclude(Exists(newer))


def reports_for(
    user: Any, partnership: Partnership, *, kind: str | None = None
) -> QuerySet[Report]:
    """The reports of ``partnership`` this user may see, the latest version each that they may
    see, newest period first. A register as a report (a body's risk register, the key
    partnerships register: a snapshot for its PDF, reached from the register) is listed only
    when asked for by its kind."""
    visible = _visible_q(user, partnership)
    qs = Report.objects.filter(visible, partnership=partnership)
    registers = [ReportKind.RISK_REGISTER, ReportKind.KEY_PARTNERSHIP_REGISTER]
    qs = qs.filter(kind=kind) if kind else qs.exclude(kind__in=registers)
    return _latest(qs, visible).select_related("body__parent", "partnership")


def public_reports(partnership: Partnership) -> QuerySet[Report]:
    """What the public site lists and the feed carries, newest first. ``public_on`` is when it
    became public: published, or the latest of its approval, its agenda and its paper going
    out."""
    visible = _public_q()
    qs = Report.objects.filter(visible, partnership=partnership)
    return (
        _latest(qs, visible)
        .annotate(
            public_on=Coalesce(
                "published_at",
                Greatest(
                    "approved_at", "agenda_item__meeting__published_at", "paper__circulated_at"
                ),
                "approved_at",
            )
        )
        .select_related("body", "partnership", "agenda_item__meeting")
        .order_by(F("public_on").desc(nulls_last=True), "-pk")
    )


def report_versions(*, report: Report) -> QuerySet[Report]:
    """Every version of the report, newest first (what the report page lists for insiders)."""
    return Report.objects.filter(
        body_id=report.body_id,
        kind=report.kind,
        year=report.year,
        quarter=report.quarter,
        issue=report.issue,
    ).order_by("-version")


def reports_unplaced(*, board: Body | None) -> QuerySet[Report]:
    """Approved exception reports of the board's groups (of every board's, given None) not
    yet on one of its agendas, or on a meeting since cancelled."""
    from governance.models import MeetingStatus

    unplaced = Report.objects.filter(
        Q(agenda_item__isnull=True) | Q(agenda_item__meeting__status=MeetingStatus.CANCELLED),
        kind=ReportKind.EXCEPTION,
        status=ReportStatus.APPROVED,
        body__parent__isnull=False,
    )
    if board is not None:
        unplaced = unplaced.filter(body__parent=board)
    return unplaced.order_by("approved_at", "pk")
