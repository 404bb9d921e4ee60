"""Performance's part of "Your tasks": returns to write, returns to sign off, reports to
approve, risks to review and, for a chair or deputy, risks escalated to their body to decide;
key partnership reviews a lead officer owes, agreement reviews a supervisor owes, and the
actions of key partnership reviews someone owns (``_partnership_tasks``).

Nothing here decides who owes what: it reads the selectors behind the account page's panels
(``returns_owed_by`` and the sign-off search of ``views.return_lists``, and the reports and
risks panels themselves), so the list, the panels and the daily chasers agree. A fixed number
of queries whatever the number of tasks; none of their own for most people, who neither write
returns, nor own risks, nor have returns to sign off (``_first_cut``, asked with the other
apps' cuts).
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q, Subquery
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from partnership import permissions as perms
from partnership.models import Body
from partnership.tasklist import Task, first_cut, register_first_cut
from performance import selectors
from performance.models import (
    EDITABLE,
    REPORTED,
    AgreementReview,
    Indicator,
    KeyPartnership,
    KeyPartnershipReviewAction,
    KeyPartnershipStatus,
    Return,
    ReturnStatus,
    Risk,
    RiskStatus,
)
from performance.selectors.returns import deadlines_for
from performance.services.chasing.digest import sits_now
from performance.views.reports.panel import reports_account_panel
from performance.views.return_lists import return_url
from performance.views.risks.panel import risks_account_panel

RETURNS = "Performance returns to submit"
SIGN_OFF = "Returns to sign off"
REPORTS = "Reports to approve"
RISKS = "Risks to review"
ESCALATED = "Escalated risks to decide"
KP_REVIEWS = "Key partnership reviews due"
AGREEMENT_REVIEWS = "Agreement reviews due"
KP_ACTIONS = "Actions from key partnership reviews"
# A review is listed this many days before it is due (the registers' "due within 90 days").
REVIEWS_AHEAD_DAYS = 90


def _returns_owed(user, today) -> list[Task]:
    return [
        Task(
            group=RETURNS,
            title=f"{d.indicator.code}: {d.indicator.title}, {d.period.label}",
            url=return_url(d.indicator, d.period),
            due_on=d.deadline,
            status="Late" if d.is_late(today) else d.status_label,
            hint=d.indicator.body.name,
        )
        for d in selectors.returns_owed_by(person=user, today=today)
        if d.status not in REPORTED
    ]


def _sign_offs(user) -> list[Task]:
    awaiting = selectors.returns_awaiting_sign_off_by(user)
    if not awaiting:
        return []
    for r in awaiting:
        # Loaded through the body (an indicator's partnership is its body's): ``return_url``
        # reads ``indicator.partnership``, which would otherwise cost a query a return.
        r.indicator.partnership = r.indicator.body.partnership
    deadlines = deadlines_for(
        body_ids={r.indicator.body_id for r in awaiting}, periods={r.period for r in awaiting}
    )
    return [
        Task(
            group=SIGN_OFF,
            title=f"{r.indicator.code}: {r.indicator.title}, {r.period.label}",
            url=return_url(r.indicator, r.period),
            due_on=deadlines.get((r.indicator.body_id, r.period)),
            status="Awaiting sign-off",
            hint=r.indicator.body.name,
        )
        for r in awaiting
    ]


def _reports(request) -> list[Task]:
    panel = reports_account_panel(request)
    if panel is None:
        return []
    return [
        Task(
            group=REPORTS,
            title=report.title,
            url=reverse(
                "performance:report_review",
                kwargs={"partnership": report.partnership.slug, "pk": report.pk},
            ),
            status="Awaiting you",
            hint=report.body.name,
        )
        for report in panel.context["reports"]
    ]


def _risks(request) -> list[Task]:
    panel = risks_account_panel(request)
    if panel is None:
        return []
    return [
        Task(
            group=RISKS,
            title=f"Review {risk.code}: {risk.title}",
            url=reverse(
                "performance:risk_review",
                kwargs={"partnership": risk.partnership.slug, "pk": risk.pk},
            ),
            due_on=risk.review_deadline,
            hint=f"{risk.body.name}, {panel.context['period'].label}",
        )
        for risk in panel.context["risks"]
    ]


def _escalated(user) -> list[Task]:
    """Risks above appetite escalated to a body the person chairs (or is deputy of): the
    board decides at its meeting, or the chair accepts the risk above appetite until a date
    (``risk_accept``). Due by the meeting whose agenda carries it, if there is one yet."""
    chaired = perms.ids_with(user, "body", perms.CHAIR_BODY)
    if not chaired:
        return []
    risks = (
        Risk.objects.filter(status=RiskStatus.OPEN, escalated_to_id__in=chaired)
        .select_related("partnership", "body", "escalated_to", "escalation_item__meeting")
        .order_by("escalated_on", "pk")
    )
    tasks = []
    for risk in risks:
        meeting = risk.escalation_item.meeting if risk.escalation_item_id else None
        tasks.append(
            Task(
                group=ESCALATED,
                title=f"Decide on {risk.code}: {risk.title}",
                url=reverse(
                    "performance:risk", kwargs={"partnership": risk.partnership.slug, "pk": risk.pk}
                ),
                due_on=meeting.held_on if meeting else None,
                status="Escalated",
                hint=f"From the {risk.body.name} to the {risk.escalated_to.name}, "
                f"residual score {risk.residual_score}"
                + (f", on the agenda of {meeting.held_on:%-d %B %Y}" if meeting else ""),
            )
        )
    return tasks


def _key_partnership_reviews(user, today) -> list[Task]:
    """The active key partnerships the person leads whose review is due within 90 days or
    late, while they sit in the partnership (they may record it only then). One query."""
    due = (
        KeyPartnership.objects.filter(
            lead_officer=user,
            status=KeyPartnershipStatus.ACTIVE,
            next_review_on__lte=today + timedelta(days=REVIEWS_AHEAD_DAYS),
        )
        .filter(sits_now(today, person="lead_officer", partnership="partnership"))
        .select_related("partnership")
        .order_by("next_review_on", "pk")
    )
    return [
        Task(
            group=KP_REVIEWS,
            title=f"Review {kp.name}",
            url=reverse(
                "performance:key_partnership_review_create",
                kwargs={"partnership": kp.partnership.slug, "pk": kp.pk},
            ),
            due_on=kp.next_review_on,
            status="Late" if kp.next_review_on < today else "To do",
            hint=f"Key partnership of {kp.partnership.name}",
        )
        for kp in due
    ]


def _agreement_reviews(user, today) -> list[Task]:
    """Each agreement the person supervises whose next review (its earliest not held, as the
    digest chases) is due within 90 days or late, while they sit in its partnership. One
    query."""
    earliest = (
        AgreementReview.objects.filter(agreement=OuterRef("agreement"), held_on__isnull=True)
        .order_by("due_on", "pk")
        .values("pk")[:1]
    )
    due = (
        AgreementReview.objects.filter(
            agreement__supervisor=user,
            held_on__isnull=True,
            due_on__lte=today + timedelta(days=REVIEWS_AHEAD_DAYS),
            pk=Subquery(earliest),
        )
        .filter(
            sits_now(today, person="agreement__supervisor", partnership="agreement__partnership")
        )
        .select_related("agreement__partnership", "agreement__commissioning_body")
        .order_by("due_on", "pk")
    )
    return [
        Task(
            group=AGREEMENT_REVIEWS,
            title=f"Review {r.agreement.reference}: {r.agreement.title}",
            url=reverse(
                "performance:agreement_review",
                kwargs={"partnership": r.agreement.partnership.slug, "pk": r.pk},
            ),
            due_on=r.due_on,
            status="Late" if r.due_on < today else "To do",
            hint=f"Commissioned by the {r.agreement.commissioning_body.name}",
        )
        for r in due
    ]


def _key_partnership_actions(user, today) -> list[Task]:
    """The actions of key partnership reviews the person owns, not yet done. One query."""
    actions = (
        KeyPartnershipReviewAction.objects.filter(owner=user, done_on__isnull=True)
        .select_related("review__key_partnership__partnership")
        .order_by("due_on", "pk")
    )
    return [
        Task(
            group=KP_ACTIONS,
            title=action.description,
            url=reverse(
                "performance:key_partnership_review",
                kwargs={
                    "partnership": action.review.key_partnership.partnership.slug,
                    "pk": action.review_id,
                },
            ),
            due_on=action.due_on,
            status="Late" if action.due_on < today else "To do",
            hint=f"From the review of {action.review.key_partnership.name}",
        )
        for action in actions
    ]


@register_first_cut
def _first_cut(user) -> dict:
    """Whether the person may owe returns (they lead an indicator, or have a return delegated
    to them still to write), whether they own an open risk, and whether a return is awaiting
    sign-off in a partnership where their rights could let them sign it: asked with the
    other apps' cuts (``first_cut``), so that the many who do none of these are not asked
    the four queries of ``returns_owed_by``, the risks panel and
    ``returns_awaiting_sign_off_by``. A first cut only: those decide."""
    cut = {
        "performance.returns": Exists(Indicator.objects.filter(lead=user))
        | Exists(Return.objects.filter(delegate=user, status__in=EDITABLE)),
        "performance.risks": Exists(Risk.objects.filter(owner=user, status=RiskStatus.OPEN)),
        "performance.key_partnerships": Exists(
            KeyPartnership.objects.filter(lead_officer=user, status=KeyPartnershipStatus.ACTIVE)
        ),
        "performance.agreements": Exists(
            AgreementReview.objects.filter(agreement__supervisor=user, held_on__isnull=True)
        ),
        "performance.key_partnership_actions": Exists(
            KeyPartnershipReviewAction.objects.filter(owner=user, done_on__isnull=True)
        ),
    }
    partnership_ids = perms.ids_with(user, "partnership", perms.MANAGE_PARTNERSHIP)
    body_ids = perms.ids_with(user, "body", perms.MANAGE_BODY, perms.CHAIR_BODY)
    if partnership_ids or body_ids:
        partnerships = Q(indicator__partnership_id__in=partnership_ids)
        if body_ids:
            partnerships |= Q(
                indicator__partnership_id__in=Body.objects.filter(pk__in=body_ids).values(
                    "partnership_id"
                )
            )
        cut["performance.sign_off"] = Exists(
            Return.objects.filter(partnerships, status=ReturnStatus.SUBMITTED)
        )
    # Without those rights, ``returns_awaiting_sign_off_by`` asks nothing anyway.
    return cut


def performance_tasks(request: HttpRequest) -> list[Task]:
    user = request.user
    if not user.is_authenticated:
        return []
    today = timezone.localdate()
    cut = first_cut(request)
    return [
        *(_returns_owed(user, today) if cut.get("performance.returns", True) else []),
        *(_sign_offs(user) if cut.get("performance.sign_off", True) else []),
        *_reports(request),
        *(_risks(request) if cut.get("performance.risks", True) else []),
        *_escalated(user),
        *(
            _key_partnership_reviews(user, today)
            if cut.get("performance.key_partnerships", True)
            else []
        ),
        *(_agreement_reviews(user, today) if cut.get("performance.agreements", True) else []),
        *(
            _key_partnership_actions(user, today)
            if cut.get("performance.key_partnership_actions", True)
            else []
        ),
    ]
