"""The annual report and the newsletter: for partners and the public, so built from public
data only (see ``board.py`` for the rules, decided there once for the Partnership Board's
reports)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from governance.models import (
    Attendance,
    AttendanceStatus,
    Declaration,
    Gift,
    GiftDecision,
    Meeting,
    MeetingStatus,
)
from membership import selectors as membership_selectors
from membership.models import AgreementSignature, Membership
from partnership.models import Body, Partnership
from partnership.periods import Quarter, financial_year, financial_year_label
from performance.models import (
    OPEN_REPORT,
    Indicator,
    Rag,
    Report,
    ReportKind,
    ReturnStatus,
)
from performance.models import Return as ReturnRow
from performance.services.reports.board import (
    ANNUAL_DECISIONS,
    NEWSLETTER_DAYS,
    NEWSLETTER_DECISIONS,
    NEWSLETTER_UPCOMING,
    _active_in,
    _head,
    _held,
    _indicators,
    _outcome_sections,
    _public_decisions,
    _risks,
    _save,
    partnership_board,
)
from performance.services.reports.common import (
    lock_body,
    long_date,
    site,
)

__all__ = ["annual_build", "newsletter_build"]


# --- the annual report -------------------------------------------------------------------------


def _structure(partnership: Partnership, start: date, end: date, as_at: date) -> dict:
    bodies = list(
        Body.objects.filter(partnership=partnership).select_related("parent").order_by("name", "pk")
    )
    standing = [
        b
        for b in bodies
        if (b.established_on is None or b.established_on <= as_at)
        and (b.closed_on is None or b.closed_on > as_at)
    ]
    # Listed as a tree: each body followed by the bodies that report to it.
    children: dict[int | None, list[Body]] = {}
    ids = {b.pk for b in standing}
    for body in standing:
        children.setdefault(body.parent_id if body.parent_id in ids else None, []).append(body)
    ordered: list[Body] = []

    def walk(parent_id: int | None) -> None:
        for body in children.get(parent_id, []):
            ordered.append(body)
            walk(body.pk)

    walk(None)
    return {
        "bodies": [
            {
                "name": b.name,
                "kind_label": b.get_kind_display(),
                "parent": b.parent.name if b.parent_id else "",
            }
            for b in ordered
        ],
        "established": [
            b.name for b in bodies if b.established_on and start <= b.established_on <= end
        ],
        "closed": [
            {"name": b.name, "on": long_date(b.closed_on), "reason": b.closure_reason}
            for b in sorted(bodies, key=lambda b: (b.closed_on or end, b.name))
            if b.closed_on and start <= b.closed_on <= end
        ],
    }


def _membership(partnership: Partnership, start: date, as_at: date) -> dict:
    """People, not places: someone on two bodies is one member. The end date of a membership
    is the first day it is no longer held."""
    now = Q(starts_on__lte=as_at) & (Q(ends_on__isnull=True) | Q(ends_on__gt=as_at))
    counts = Membership.objects.filter(body__partnership=partnership).aggregate(
        members_now=Count("person", distinct=True, filter=now),
        joined=Count("person", distinct=True, filter=Q(starts_on__range=(start, as_at))),
        left=Count("person", distinct=True, filter=Q(ends_on__gt=start, ends_on__lte=as_at)),
    )
    return {key: counts[key] or 0 for key in ("members_now", "joined", "left")}


def _meetings(partnership: Partnership, start: date, end: date) -> tuple[dict, list[dict]]:
    """Meetings held, by body, and attendance at them: present, or sent a substitute, out of
    those expected (everyone with an attendance record). Two queries."""
    held = _held(partnership, start, end)
    by_body = list(
        held.values("body_id", "body__name").annotate(count=Count("pk")).order_by("body__name")
    )
    attendance = {
        row["meeting__body_id"]: row
        for row in Attendance.objects.filter(meeting__in=held)
        .values("meeting__body_id")
        .annotate(
            expected=Count("pk"),
            attended=Count(
                "pk",
                filter=Q(status=AttendanceStatus.PRESENT) | Q(substitute__isnull=False),
            ),
        )
        .order_by()
    }
    rates = []
    for row in by_body:
        counted = attendance.get(row["body_id"])
        rate = (
            f"{round(100 * counted['attended'] / counted['expected'])}%"
            if counted and counted["expected"]
            else "Not recorded"
        )
        rates.append({"body": row["body__name"], "meetings": row["count"], "rate": rate})
    meetings = {
        "held": sum(row["count"] for row in by_body),
        "by_body": [{"body": row["body__name"], "count": row["count"]} for row in by_body],
    }
    return meetings, rates


def _registers(partnership: Partnership, start: date, as_at: date, end: date) -> dict:
    """Counts only, never a name or an entry. Interests: versions in force at some time in the
    year. Gifts and hospitality: offered in the year. The agreement: how many of the people who
    sign it now have signed its current version."""
    interests = (
        Declaration.objects.held_between(start=start, end=as_at)
        .filter(partnership=partnership)
        .count()
    )
    gifts = Gift.objects.filter(partnership=partnership, offered_on__range=(start, end)).aggregate(
        gifts=Count("pk"),
        accepted=Count("pk", filter=Q(decision=GiftDecision.ACCEPTED)),
        refused=Count("pk", filter=Q(decision=GiftDecision.DECLINED)),
    )
    signatories = membership_selectors.agreement_signatories(partnership=partnership)
    current = membership_selectors.agreement_current(partnership=partnership)
    signed = (
        AgreementSignature.objects.filter(version=current, person__in=signatories.values("pk"))
        .values("person_id")
        .distinct()
        .count()
        if current
        else 0
    )
    return {
        "interests": interests,
        "gifts": gifts["gifts"],
        "gifts_accepted": gifts["accepted"],
        "gifts_refused": gifts["refused"],
        "agreement_signed": signed,
        "agreement_members": signatories.count(),
    }


@transaction.atomic
def annual_build(*, actor: Any, partnership: Partnership, year: int) -> Report:
    """Build (or rebuild) the annual report of financial year ``year``: the structure and its
    changes, membership, meetings and attendance, key public decisions, performance by outcome
    (published indicators only) and the registers in summary; the risk registers' summary only
    when the partnership publishes one (none of risks otherwise). For the public."""
    board = partnership_board(partnership)
    lock_body(board)
    today = timezone.localdate()
    start, end = date(year, 4, 1), date(year + 1, 3, 31)
    if start > today:
        raise ValidationError(
            f"The {financial_year_label(year)} financial year starts on {long_date(start)}: "
            "build its annual report once it has started."
        )
    as_at = min(end, today)
    window = [Quarter(year, n) for n in (1, 2, 3, 4)]
    indicators = _indicators(partnership, start, published_only=True)
    meetings, attendance = _meetings(partnership, start, end)
    label = financial_year_label(year)
    facts = {
        **_head(
            kind=ReportKind.ANNUAL,
            board=board,
            title=f"Annual report {label}",
            period=label,
            audience="public",
            has_unpublished=False,
            goes_to=None,
        ),
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "structure": _structure(partnership, start, end, as_at),
        "membership": _membership(partnership, start, as_at),
        "attendance": attendance,
        "meetings": meetings,
        "decisions": _public_decisions(partnership, start, end, limit=ANNUAL_DECISIONS),
        "outcomes": _outcome_sections(
            partnership=partnership, indicators=indicators, window=window, today=today
        ),
        "registers": _registers(partnership, start, as_at, end),
    }
    # The public sees nothing of risks unless the partnership publishes a summary.
    risks = _risks(partnership, was_at=start - timedelta(days=1))
    if risks["published"]:
        facts["risks"] = risks
    return _save(
        actor=actor,
        board=board,
        kind=ReportKind.ANNUAL,
        year=year,
        quarter=0,
        issue=1,
        facts=facts,
        stamp={"built_on": long_date(today)},
    )


# --- the newsletter ----------------------------------------------------------------------------


def _next_issue(board: Body, year: int) -> int:
    """The issue being written (the latest, while it is not yet approved), or the next."""
    latest = (
        Report.objects.filter(body=board, kind=ReportKind.NEWSLETTER, year=year)
        .order_by("-issue", "-version")
        .only("issue", "status")
        .first()
    )
    if latest is None:
        return 1
    return latest.issue if latest.status in OPEN_REPORT else latest.issue + 1


def _ratings(partnership: Partnership, today: date) -> dict:
    """How many published indicators are green, amber and red at their latest signed-off
    figure. One query."""
    latest = ReturnRow.objects.filter(
        indicator=OuterRef("pk"), status=ReturnStatus.SIGNED_OFF
    ).order_by("-year", "-quarter")
    rags = (
        Indicator.objects.filter(_active_in(today), partnership=partnership, published=True)
        .annotate(latest_rag=Subquery(latest.values("rag")[:1]))
        .values_list("latest_rag", flat=True)
    )
    counts = {Rag.GREEN.value: 0, Rag.AMBER.value: 0, Rag.RED.value: 0}
    for rag in rags:
        if rag in counts:
            counts[rag] += 1
    return counts


def _upcoming(partnership: Partnership, today: date) -> list[dict]:
    meetings = (
        Meeting.objects.filter(
            body__partnership=partnership,
            held_on__gte=today,
            status=MeetingStatus.PUBLISHED,
            published_at__isnull=False,
        )
        .select_related("body__partnership")
        .order_by("held_on", "start_time", "pk")[:NEWSLETTER_UPCOMING]
    )
    return [
        {
            "body": m.body.name,
            "name": m.name,
            "date": long_date(m.held_on),
            "url": site(m.get_absolute_url()),
        }
        for m in meetings
    ]


@transaction.atomic
def newsletter_build(*, actor: Any, partnership: Partnership, issue: int | None = None) -> Report:
    """Build (or rebuild) a newsletter of the current financial year: live highlights from the
    public record of about the last six months, and the meetings to come. Without ``issue``,
    the issue still being written, or the next one once the latest is approved."""
    board = partnership_board(partnership)
    lock_body(board)
    today = timezone.localdate()
    year = financial_year(today)
    if issue is None:
        issue = _next_issue(board, year)
    elif issue < 1:
        raise ValidationError("A newsletter's issue number starts at 1.")
    since = today - timedelta(days=NEWSLETTER_DAYS)
    label = financial_year_label(year)
    facts = {
        **_head(
            kind=ReportKind.NEWSLETTER,
            board=board,
            title=f"Newsletter {issue}, {label}",
            period=label,
            audience="public",
            has_unpublished=False,
            goes_to=None,
        ),
        "issue": issue,
        "highlights": {
            "meetings_held": _held(partnership, since, today).count(),
            "decisions": _public_decisions(partnership, since, today, limit=NEWSLETTER_DECISIONS),
            "indicators": _ratings(partnership, today),
            "upcoming": _upcoming(partnership, today),
        },
    }
    # The window moves with the day: stamped, so the same highlights are the same version.
    stamp = {
        "built_on": long_date(today),
        "period_start": since.isoformat(),
        "period_end": today.isoformat(),
    }
    return _save(
        actor=actor,
        board=board,
        kind=ReportKind.NEWSLETTER,
        year=year,
        quarter=0,
        issue=issue,
        facts=facts,
        stamp=stamp,
    )
