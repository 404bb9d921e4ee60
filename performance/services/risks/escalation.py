"""Appetite, escalation and acceptance. A body sets the highest residual score it carries (per
category if it wants); a risk above it goes to the body its owning body reports to: it appears
on that body's register (``escalated_to``, the risk itself, not a copy) and on its next
meeting's agenda as an item for decision, once however often it is checked (the risk's row is
locked). With no meeting scheduled, it is escalated on the register anyway and the parent's
co-ordinators are told; ``risks_place_escalated`` puts it on the agenda when a meeting is
scheduled (the hook in performance/apps.py) and the daily job (``risks_check_escalation``) when
one is found, or when its meeting was cancelled. Falling back
within appetite (or closing) de-escalates it. The parent's chair (or deputy) may accept it
above appetite until a date; while that stands it is not escalated again, and the daily job
escalates it anew once the acceptance lapses if it is still above appetite."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from governance import services as gs
from governance.models import AgendaItem, MeetingStatus, Purpose
from membership.selectors import body_coordinators, body_office_holders
from partnership.history import record_actor
from partnership.models import Body
from partnership.notifications import notify_after_commit
from performance.models import Risk, RiskAcceptance, RiskAppetite, RiskCategory, RiskStatus
from performance.services.reports.placement import report_next_meeting

__all__ = [
    "acceptance_in_force",
    "appetite_for",
    "is_above_appetite",
    "risk_accept",
    "risk_appetite_set",
    "risk_escalation_check",
    "risks_check_escalation",
    "risks_place_escalated",
]

log = logging.getLogger(__name__)

CONFIDENTIAL_REASON = "A risk register item: for the board's members"


# --- appetite -----------------------------------------------------------------------------------


@transaction.atomic
def risk_appetite_set(
    *, actor: Any, body: Body, threshold: int | None, category: RiskCategory | None = None
) -> RiskAppetite | None:
    """Set the body's appetite (or, with ``category``, its appetite for that category); a
    ``threshold`` of None removes it. The body's risks are checked against it at once."""
    if category is not None and category.partnership_id != body.partnership_id:
        raise ValidationError({"category": "Select a category of this partnership"})
    # Ordered by pk: the default ordering joins the nullable category, which PostgreSQL will
    # not lock.
    appetite = (
        RiskAppetite.objects.select_for_update()
        .filter(body=body, category=category)
        .order_by("pk")
        .first()
    )
    if threshold is None:
        if appetite is not None:
            record_actor(appetite, actor=actor, reason="Appetite removed")
            appetite.delete()
        appetite = None
    else:
        if (
            not isinstance(threshold, int)
            or isinstance(threshold, bool)
            or not 1 <= threshold <= 25
        ):
            raise ValidationError({"threshold": "Enter a whole number from 1 to 25"})
        appetite = appetite or RiskAppetite(body=body, category=category)
        appetite.threshold = threshold
        record_actor(appetite, actor=actor, reason="Appetite set")
        appetite.save()
    risks = Risk.objects.filter(body=body, status="open")
    if category is not None:
        risks = risks.filter(category=category)
    for risk in risks:
        risk_escalation_check(risk=risk, actor=actor)
    return appetite


def appetite_for(risk: Risk) -> int | None:
    """The highest residual score the risk's body accepts for it: its category's threshold,
    else the body's, else None (no appetite set: never escalated)."""
    thresholds = dict(
        RiskAppetite.objects.filter(Q(category=risk.category_id) | Q(category__isnull=True))
        .filter(body_id=risk.body_id)
        .values_list("category_id", "threshold")
    )
    if risk.category_id in thresholds:
        return thresholds[risk.category_id]
    return thresholds.get(None)


def is_above_appetite(risk: Risk) -> bool:
    appetite = appetite_for(risk)
    return appetite is not None and risk.residual_score > appetite


def acceptance_in_force(risk: Risk, *, today: date | None = None) -> RiskAcceptance | None:
    """The acceptance standing today (up to and including its expiry date), if any."""
    today = today or timezone.localdate()
    return risk.acceptances.filter(expires_on__gte=today).order_by("-expires_on").first()


# --- escalation ---------------------------------------------------------------------------------


def _lock(risk: Risk) -> Risk:
    # ``of`` self: PostgreSQL will not lock the nullable side of a join.
    return (
        Risk.objects.select_for_update(of=("self",))
        .select_related("body__parent", "body__partnership", "category", "owner")
        .get(pk=risk.pk)
    )


def _decision(risk: Risk, appetite: int | None) -> str:
    return (
        f"The {risk.body.name}'s risk {risk.code}, {risk.title}, has a residual score of "
        f"{risk.residual_score}, above the {risk.body.name}'s appetite of {appetite}. To decide "
        "the response: further action, or accepting the risk above appetite with a reason and "
        "an expiry date."
    )


def _put_on_agenda(risk: Risk, *, actor: Any) -> AgendaItem | None:
    """Put the escalated risk (locked, with no item yet) on its parent's next meeting. An item
    it had there before (escalated, then back within appetite, now above again) is used again
    if that meeting is still to come, so a meeting never has the same risk twice."""
    meeting = report_next_meeting(body=risk.escalated_to)
    if meeting is None:
        return None
    earlier = AgendaItem.objects.filter(meeting=meeting, pk__in=_items_of(risk)).first()
    if earlier is not None:
        if earlier.purpose != Purpose.DECISION or earlier.title != _item_title(risk):
            # It was made a report of an acceptance (which has since lapsed): for decision
            # again.
            earlier = gs.item_update(
                actor=actor,
                item=earlier,
                title=_item_title(risk),
                purpose=Purpose.DECISION,
                decision_required=_decision(risk, appetite_for(risk)),
            )
        risk.escalation_item = earlier
        record_actor(risk, actor=actor, reason=f"Back on the agenda: {meeting}"[:100])
        risk.save(update_fields=["escalation_item"])
        return earlier
    # Always confidential: the public sees nothing of a risk (at most a published count of the
    # registers' bands), and an escalated risk's item names it and gives its scores.
    confidential = {"confidential": True, "confidential_reason": CONFIDENTIAL_REASON}
    item = gs.item_add(
        actor=actor,
        meeting=meeting,
        title=_item_title(risk),
        purpose=Purpose.DECISION,
        decision_required=_decision(risk, appetite_for(risk)),
        presenter=f"{risk.owner.full_name}, risk owner"[:200],
        bodies=[risk.body],
        **confidential,
    )
    risk.escalation_item = item
    record_actor(risk, actor=actor, reason=f"Put on the agenda: {meeting}"[:100])
    risk.save(update_fields=["escalation_item"])
    return item


def _item_title(risk: Risk) -> str:
    return f"Escalated risk {risk.code}: {risk.title}"[:200]


def _items_of(risk: Risk) -> list[int]:
    """Every agenda item the risk has been on (its history keeps them)."""
    items = risk.history.exclude(escalation_item__isnull=True)
    return list(items.values_list("escalation_item_id", flat=True).distinct())


def _messages(risk_id: int, template: str, board_id: int, stamp: str) -> list[dict]:
    risk = Risk.objects.select_related("body", "escalation_item__meeting").get(pk=risk_id)
    board = Body.objects.select_related("partnership").get(pk=board_id)
    item = risk.escalation_item if risk.escalated_to_id == board_id else None
    context = {
        "risk": risk,
        "body": risk.body,
        "board": board,
        "meeting": item.meeting if item else None,
        "appetite": appetite_for(risk),
    }
    return [
        {
            "to": person,
            "key": f"{template}:{risk.pk}:{stamp}",
            "template": template,
            "context": context,
            "url": "",
        }
        for person in body_coordinators(body=board)
    ]


def _stamp() -> str:
    """When an escalation or de-escalation happened, for its notices' keys: each event is told
    once, and a second one the same day is told too."""
    return f"{timezone.now():%Y%m%d%H%M%S%f}"


def _escalate(risk: Risk, *, actor: Any, today: date) -> None:
    risk.escalated_to = risk.body.parent
    risk.escalated_on = today
    risk.escalation_item = None
    record_actor(risk, actor=actor, reason=f"Escalated to the {risk.escalated_to.name}"[:100])
    risk.save(update_fields=["escalated_to", "escalated_on", "escalation_item"])
    _put_on_agenda(risk, actor=actor)
    notify_after_commit(_messages, risk.pk, "risk_escalated", risk.escalated_to_id, _stamp())


def _de_escalate(risk: Risk, *, actor: Any, reason: str, tell: bool = True) -> None:
    board_id = risk.escalated_to_id
    risk.escalated_to = risk.escalated_on = risk.escalation_item = None
    record_actor(risk, actor=actor, reason=reason[:100])
    risk.save(update_fields=["escalated_to", "escalated_on", "escalation_item"])
    if tell:
        notify_after_commit(_messages, risk.pk, "risk_de_escalated", board_id, _stamp())


@transaction.atomic
def risk_escalation_check(*, risk: Risk, actor: Any = None, today: date | None = None) -> Risk:
    """Escalate the risk if its residual score is above its body's appetite, it is not
    accepted above appetite and its body reports to another; de-escalate it once it is back
    within appetite (or closed). Safe to call as often as you like: the risk's row is locked,
    and it is escalated, and put on an agenda, once."""
    today = today or timezone.localdate()
    risk = _lock(risk)
    parent = risk.body.parent
    above = risk.is_open and is_above_appetite(risk)
    if risk.escalated_to_id is not None and risk.escalated_to_id != (parent.pk if parent else None):
        # Its body moved, or the risk moved to another body: it leaves the old parent's
        # register, and is escalated to the new one below if it still should be.
        _de_escalate(risk, actor=actor, reason="Its body now reports elsewhere")
    if risk.escalated_to_id is not None:
        if not above:
            reason = "Closed" if not risk.is_open else "Back within appetite"
            _de_escalate(risk, actor=actor, reason=f"{reason}: no longer escalated")
        elif risk.escalation_item_id is None:
            _put_on_agenda(risk, actor=actor)
        return risk
    if above and parent is not None and acceptance_in_force(risk, today=today) is None:
        _escalate(risk, actor=actor, today=today)
    return risk


def risks_place_escalated(*, body: Body) -> int:
    """Put the risks escalated to the body, and waiting for a meeting, on its next meeting:
    when one is created or cancelled, and daily. A risk whose meeting was cancelled waits again
    (the cancelled meeting keeps its item, as the record of what was to be discussed). Each in
    its own transaction; returns how many were put."""
    placed = 0
    waiting = (
        Risk.objects.filter(escalated_to=body, status=RiskStatus.OPEN)
        .filter(
            Q(escalation_item__isnull=True)
            | Q(escalation_item__meeting__status=MeetingStatus.CANCELLED)
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in list(waiting):
        try:
            with transaction.atomic():
                risk = _lock(Risk(pk=pk))
                if risk.escalated_to_id != body.pk or not risk.is_open:
                    continue
                if risk.escalation_item_id is not None and _on_cancelled_meeting(risk):
                    risk.escalation_item = None
                    record_actor(risk, actor=None, reason="Its meeting was cancelled")
                    risk.save(update_fields=["escalation_item"])
                if risk.escalation_item_id is None:
                    placed += _put_on_agenda(risk, actor=None) is not None
        except ValidationError:
            log.exception("risk %s not put on the %s's agenda", pk, body)
    return placed


def _on_cancelled_meeting(risk: Risk) -> bool:
    return AgendaItem.objects.filter(
        pk=risk.escalation_item_id, meeting__status=MeetingStatus.CANCELLED
    ).exists()


def risks_check_escalation(*, today: date | None = None) -> dict[str, int]:
    """The daily job's part for risks: risks whose acceptance has lapsed are checked again
    (escalated anew if still above appetite), and risks escalated to a body and waiting for a
    meeting (none was scheduled, or theirs was cancelled) are put on its next one. Returns how
    many risks were checked and how many placed."""
    today = today or timezone.localdate()
    in_force = RiskAcceptance.objects.filter(risk=OuterRef("pk"), expires_on__gte=today)
    lapsed = (
        Risk.objects.filter(status=RiskStatus.OPEN, escalated_to__isnull=True)
        .filter(acceptances__expires_on__lt=today)
        .exclude(Exists(in_force))
        .distinct()
        .order_by("pk")
    )
    checked = 0
    for risk in lapsed.select_related("body"):
        # Most lapsed acceptances are of risks long back within appetite: nothing to lock.
        if not is_above_appetite(risk):
            continue
        try:
            risk_escalation_check(risk=risk, today=today)
        except ValidationError:
            # One risk that cannot go on an agenda does not stop the others; tomorrow's run
            # tries it again.
            log.exception("risk %s not checked for escalation", risk.pk)
            continue
        checked += 1
    waiting = (
        Risk.objects.filter(status=RiskStatus.OPEN, escalated_to__isnull=False)
        .filter(
            Q(escalation_item__isnull=True)
            | Q(escalation_item__meeting__status=MeetingStatus.CANCELLED)
        )
        .values("escalated_to")
    )
    placed = sum(risks_place_escalated(body=body) for body in Body.objects.filter(pk__in=waiting))
    return {"checked": checked, "placed": placed}


# --- acceptance ---------------------------------------------------------------------------------


@transaction.atomic
def risk_accept(
    *, actor: Any, risk: Risk, reason: str, expires_on: date, today: date | None = None
) -> RiskAcceptance:
    """The chair (or deputy chair) of the body the risk is escalated to accepts it above
    appetite, with a reason, until a date: it leaves the escalation (its history keeps it), is
    not escalated again until the acceptance expires, and meanwhile stays on that body's
    register, marked accepted, for its people to read."""
    today = today or timezone.localdate()
    risk = _lock(risk)
    if risk.escalated_to_id is None:
        raise ValidationError("Only a risk escalated above appetite is accepted.")
    holders = body_office_holders(body=risk.escalated_to)
    if actor is None or actor.pk not in {p.pk for p in holders.values()}:
        raise ValidationError(
            f"Only the chair or deputy chair of the {risk.escalated_to.name} accepts this risk."
        )
    errors = {}
    reason = reason.strip()
    if not reason:
        errors["reason"] = "Say why the risk is accepted above appetite"
    if expires_on is None or expires_on <= today:
        errors["expires_on"] = "The acceptance must run until a date in the future"
    if errors:
        raise ValidationError(errors)
    acceptance = RiskAcceptance(
        risk=risk,
        body=risk.escalated_to,
        accepted_by=actor,
        reason=reason,
        expires_on=expires_on,
        accepted_at=timezone.now(),
    )
    record_actor(acceptance, actor=actor, reason="Accepted above appetite")
    acceptance.save()
    _report_acceptance_on_agenda(risk, acceptance, actor=actor, today=today)
    _de_escalate(
        risk,
        actor=actor,
        reason=f"Accepted above appetite until {expires_on:%-d %B %Y}",
        tell=False,
    )
    return acceptance


def _report_acceptance_on_agenda(
    risk: Risk, acceptance: RiskAcceptance, *, actor: Any, today: date
) -> None:
    """Accepted between meetings: the item the risk was put on for decision, on a meeting
    still to come, becomes the report of that decision, for information. An item of a meeting
    already held (or cancelled) is the record of what happened there, and stays as it was."""
    item = risk.escalation_item
    if item is None:
        return
    meeting = item.meeting
    if meeting.status == MeetingStatus.CANCELLED or meeting.held_on < today:
        return
    gs.item_update(
        actor=actor,
        item=item,
        title=f"Risk {risk.code} accepted above appetite until {acceptance.expires_on:%-d %B %Y}"[
            :200
        ],
        purpose=Purpose.INFORMATION,
        decision_required="",
    )
