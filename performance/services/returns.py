"""Returns: written by the indicator's named lead (or a colleague it is delegated to), submitted,
then signed off or sent back by the owning body's co-ordinator or chair; a signed-off return is
locked until it is re-opened for a correction, with a reason.

Two people editing one return never overwrite each other: every save names the version it
started from, and a save from an older version is refused with ``ReturnConflict``.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from membership.models import User
from membership.selectors import body_coordinators, body_office_holders
from partnership.history import record_actor
from partnership.notifications import notify_after_commit, notify_each
from partnership.periods import Quarter
from performance.models import (
    EventKind,
    Indicator,
    Rag,
    Return,
    ReturnEvent,
    ReturnStatus,
)
from performance.rules import Rating, check_value
from performance.selectors.returns import (
    RETURNS_LOOKBACK_QUARTERS,
    colleagues_of,
    figures_for,
    is_open_for_returns,
    owed_periods,
    rating_of,
)

log = logging.getLogger(__name__)


class ReturnConflict(ValidationError):
    """Someone else saved the return since this person loaded it. ``current`` is the return as
    it is now, so the page can show their values beside the ones typed."""

    def __init__(self, current: Return):
        who = current.history.first()
        name = who.history_user.full_name if who and who.history_user else "Someone else"
        when = timezone.localtime(current.updated_at)
        super().__init__(
            f"{name} saved this return at {when:%H:%M on %-d %B %Y} while you were editing it. "
            "Your changes have not been saved: they are below. Check them against the saved "
            "values shown, then save again.",
            code="conflict",
        )
        self.current = current


def _check_period(indicator: Indicator, period: Quarter, today: date) -> None:
    if not indicator.is_due(period):
        raise ValidationError(
            f"{indicator.code} is reported {indicator.get_frequency_display().lower()}: "
            f"no return is due for {period.long_label}.",
            code="not_due",
        )
    if not is_open_for_returns(period, today=today):
        opens = period.ends_on + timedelta(days=1)
        raise ValidationError(
            f"{period.long_label} is not open for returns yet: returns open on "
            f"{opens:%-d %B %Y}, after the quarter ends.",
            code="not_open",
        )
    if not indicator.is_active(on=period.starts_on):
        raise ValidationError(f"{indicator.code} was retired before {period.label}.")


def _check_still_owed(indicator: Indicator, period: Quarter, ret: Return, today: date) -> None:
    """A return is started only for a period still owed; one that exists (say, re-opened for
    a correction years later) can always be finished."""
    if ret.pk is None and period not in owed_periods(today=today):
        raise ValidationError(
            f"Returns for {period.long_label} are closed: only the last "
            f"{RETURNS_LOOKBACK_QUARTERS + 1} quarters take new returns.",
            code="closed",
        )


def _lock(indicator: Indicator, period: Quarter) -> Return:
    """The period's return, locked for this transaction, made as a draft if there is none.
    The indicator row is locked first, so two first saves cannot both create it."""
    Indicator.objects.select_for_update().filter(pk=indicator.pk).first()
    ret = (
        Return.objects.select_for_update()
        .filter(indicator=indicator, year=period.year, quarter=period.number)
        .first()
    )
    if ret is None:
        ret = Return(indicator=indicator, year=period.year, quarter=period.number, version=0)
    ret.indicator = indicator
    return ret


def _require_writer(actor: Any, indicator: Indicator, ret: Return) -> None:
    if actor is None:
        return
    if actor.pk != indicator.lead_id and actor.pk != ret.delegate_id:
        raise ValidationError(
            "Only the indicator's lead, or the colleague they delegated the "
            "return to, can write it."
        )


def _save(ret: Return, *, actor: Any, reason: str, fields: list[str]) -> Return:
    ret.version += 1
    ret.updated_at = timezone.now()
    record_actor(ret, actor=actor, reason=reason)
    if ret.pk is None:
        ret.save()
    else:
        ret.save(update_fields=[*fields, "version", "updated_at"])
    return ret


def return_rating(*, indicator: Indicator, period: Quarter, value: Decimal | None) -> Rating:
    """What ``value`` would give for ``period``: its target, RAG and directions of travel."""
    figures = figures_for(indicator_ids=[indicator.pk])[indicator.pk]
    return rating_of(indicator, period, value, figures)


def _apply(
    *,
    actor: Any,
    indicator: Indicator,
    period: Quarter,
    version: int,
    value: Decimal | None,
    commentary: str,
    remedial_action: str,
    remedial_by: date | None,
    today: date,
) -> Return:
    """Lock the period's return and put the typed values on it, unsaved: the checks every
    write of a lead's return makes."""
    _check_period(indicator, period, today)
    ret = _lock(indicator, period)
    _require_writer(actor, indicator, ret)
    _check_still_owed(indicator, period, ret, today)
    if not ret.is_editable:
        raise ValidationError(
            "This return has been submitted and can no longer be changed"
            + (": it has been signed off." if ret.is_signed_off else ".")
        )
    if ret.version != version:
        raise ReturnConflict(ret)
    if value is not None:
        try:
            check_value(indicator, value)
        except ValidationError as error:
            raise ValidationError({"value": error.messages}) from error
    ret.value = value
    ret.commentary = commentary.strip()
    ret.remedial_action = remedial_action.strip()
    ret.remedial_by = remedial_by
    return ret


VALUE_FIELDS = ["value", "commentary", "remedial_action", "remedial_by"]
# The reason on a draft's history rows: drafts are the writer's own until submitted, so the
# return's page shows these rows to its writer only.
DRAFT_SAVED = "Draft saved"


@transaction.atomic
def return_save(
    *,
    actor: Any,
    indicator: Indicator,
    period: Quarter,
    version: int,
    value: Decimal | None,
    commentary: str = "",
    remedial_action: str = "",
    remedial_by: date | None = None,
    today: date | None = None,
) -> Return:
    """Save the lead's draft. ``version`` is the version the form was loaded at (0 for a
    return not yet started)."""
    ret = _apply(
        actor=actor,
        indicator=indicator,
        period=period,
        version=version,
        value=value,
        commentary=commentary,
        remedial_action=remedial_action,
        remedial_by=remedial_by,
        today=today or timezone.localdate(),
    )
    return _save(ret, actor=actor, reason=DRAFT_SAVED, fields=VALUE_FIELDS)


def _check_complete(ret: Return, rating: Rating) -> None:
    """What a return must say before it is submitted."""
    errors: dict[str, str] = {}
    if ret.value is None and not ret.commentary:
        errors["commentary"] = "Enter why there is no figure for this quarter"
    if rating.rag == Rag.RED and not ret.commentary:
        errors["commentary"] = "Enter commentary: the value is red, so say why it is off track"
    if rating.off_track:
        if not ret.remedial_action:
            errors["remedial_action"] = (
                "Enter the remedial action: the value is off track, so say what is being done"
            )
        if ret.remedial_by is None:
            errors["remedial_by"] = "Enter the date the remedial action will be done by"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def return_submit(
    *,
    actor: Any,
    indicator: Indicator,
    period: Quarter,
    version: int,
    value: Decimal | None,
    commentary: str = "",
    remedial_action: str = "",
    remedial_by: date | None = None,
    today: date | None = None,
) -> Return:
    """Save and submit for sign-off, in one history row. The target, RAG and directions it is
    submitted with are kept on the return: a later change of target or tolerance does not
    change them."""
    ret = _apply(
        actor=actor,
        indicator=indicator,
        period=period,
        version=version,
        value=value,
        commentary=commentary,
        remedial_action=remedial_action,
        remedial_by=remedial_by,
        today=today or timezone.localdate(),
    )
    rating = return_rating(indicator=indicator, period=period, value=ret.value)
    _check_complete(ret, rating)
    ret.status = ReturnStatus.SUBMITTED
    ret.target_value = rating.target
    ret.rag = rating.rag
    ret.direction = rating.direction
    ret.direction_year = rating.direction_year
    ret.submitted_by = actor
    ret.submitted_at = timezone.now()
    _save(
        ret,
        actor=actor,
        reason="Submitted for sign-off",
        fields=[
            *VALUE_FIELDS,
            "status",
            "target_value",
            "rag",
            "direction",
            "direction_year",
            "submitted_by",
            "submitted_at",
        ],
    )
    ReturnEvent.objects.create(ret=ret, kind=EventKind.SUBMITTED, actor=actor, value=ret.value)
    return ret


def _lock_existing(ret: Return) -> Return:
    return (
        Return.objects.select_for_update()
        .select_related("indicator__body__partnership", "indicator__lead")
        .get(pk=ret.pk)
    )


@transaction.atomic
def return_sign_off(*, actor: User, ret: Return) -> Return:
    """Sign off a submitted return: it is locked, and its figure becomes the reported one."""
    ret = _lock_existing(ret)
    if ret.status != ReturnStatus.SUBMITTED:
        raise ValidationError("This return is not awaiting sign-off.")
    if actor.pk in (ret.submitted_by_id, ret.indicator.lead_id):
        raise ValidationError(
            ("You submitted this return" if actor.pk == ret.submitted_by_id else "You lead it")
            + ", so someone else must sign it off: the body's chair or another co-ordinator."
        )
    # The directions are taken again against the figures signed off by now: the earlier
    # quarter it was compared with may have been sent back and changed since it was submitted.
    # Its target and RAG stay as submitted.
    rating = return_rating(indicator=ret.indicator, period=ret.period, value=ret.value)
    ret.direction = rating.direction
    ret.direction_year = rating.direction_year
    ret.status = ReturnStatus.SIGNED_OFF
    ret.signed_off_by = actor
    ret.signed_off_at = timezone.now()
    fields = ["status", "signed_off_by", "signed_off_at", "direction", "direction_year"]
    _save(ret, actor=actor, reason="Signed off", fields=fields)
    event = ReturnEvent.objects.create(
        ret=ret, kind=EventKind.SIGNED_OFF, actor=actor, value=ret.value
    )
    notify_after_commit(_event_messages, event)
    body_id, period = ret.indicator.body_id, ret.period
    transaction.on_commit(lambda: _draft_exception_report(body_id, period))
    return ret


def _draft_exception_report(body_id: int, period: Quarter) -> None:
    """Once a sign-off commits: if it completed the body's quarter, draft its exception report.
    A failure must not undo the sign-off; it is logged, and the daily job drafts the report
    at the quarter's deadline."""
    from performance.services.reports.exceptions import exception_report_after_sign_off

    try:
        exception_report_after_sign_off(body_id=body_id, period=period)
    except Exception:
        log.exception("exception report for body %s, %s not drafted", body_id, period)


@transaction.atomic
def return_send_back(*, actor: User, ret: Return, reason: str) -> Return:
    """Send a submitted return back to its lead with the reason; the lead is told."""
    if not reason.strip():
        raise ValidationError({"reason": "Enter what needs to change"})
    ret = _lock_existing(ret)
    if ret.status != ReturnStatus.SUBMITTED:
        raise ValidationError("This return is not awaiting sign-off.")
    ret.status = ReturnStatus.SENT_BACK
    _save(ret, actor=actor, reason=f"Sent back: {reason.strip()}", fields=["status"])
    event = ReturnEvent.objects.create(
        ret=ret, kind=EventKind.SENT_BACK, actor=actor, reason=reason.strip(), value=ret.value
    )
    notify_after_commit(_event_messages, event)
    return ret


@transaction.atomic
def return_reopen(*, actor: User, ret: Return, reason: str) -> Return:
    """Re-open a signed-off return for a correction. The signed-off figure stays in the
    return's history and its events; the lead corrects it and submits it again."""
    if not reason.strip():
        raise ValidationError({"reason": "Enter what needs correcting"})
    ret = _lock_existing(ret)
    if ret.status != ReturnStatus.SIGNED_OFF:
        raise ValidationError("Only a signed-off return is re-opened for a correction.")
    ret.status = ReturnStatus.SENT_BACK
    ret.signed_off_by = None
    ret.signed_off_at = None
    _save(
        ret,
        actor=actor,
        reason=f"Re-opened for correction: {reason.strip()}",
        fields=["status", "signed_off_by", "signed_off_at"],
    )
    event = ReturnEvent.objects.create(
        ret=ret, kind=EventKind.REOPENED, actor=actor, reason=reason.strip(), value=ret.value
    )
    notify_after_commit(_event_messages, event)
    return ret


@transaction.atomic
def return_delegate(
    *,
    actor: User,
    indicator: Indicator,
    period: Quarter,
    delegate: User | None,
    today: date | None = None,
) -> Return:
    """The lead hands this period's return to a colleague from their own organisation, or
    takes it back (``delegate=None``). The lead can still write it."""
    today = today or timezone.localdate()
    _check_period(indicator, period, today)
    if actor.pk != indicator.lead_id:
        raise ValidationError("Only the indicator's lead can delegate its return.")
    ret = _lock(indicator, period)
    _check_still_owed(indicator, period, ret, today)
    if not ret.is_editable:
        raise ValidationError("This return has already been submitted.")
    if delegate is not None:
        allowed = {p.pk for p in colleagues_of(person=actor, partnership=indicator.partnership)}
        if delegate.pk not in allowed:
            raise ValidationError(
                {"delegate": "Select a colleague who represents your organisation"}
            )
    if delegate is None and ret.delegate_id is None:
        return ret
    ret.delegate = delegate
    _save(ret, actor=actor, reason="Delegated" if delegate else "Taken back", fields=["delegate"])
    event = ReturnEvent.objects.create(
        ret=ret,
        kind=EventKind.DELEGATED if delegate else EventKind.DELEGATION_ENDED,
        actor=actor,
        reason=delegate.full_name if delegate else "",
    )
    notify_after_commit(_event_messages, event)
    return ret


# --- telling people ---------------------------------------------------------------------------

_TOLD = {
    EventKind.SIGNED_OFF: "return_signed_off",
    EventKind.SENT_BACK: "return_sent_back",
    EventKind.REOPENED: "return_reopened",
    EventKind.DELEGATED: "return_delegated",
}


def _event_messages(event: ReturnEvent):
    """Who hears of an event: the lead and whoever wrote the return hear it was signed off,
    sent back or re-opened; a delegate hears the return is theirs to write."""
    template = _TOLD.get(event.kind)
    if template is None:
        return
    ret = event.ret
    indicator = ret.indicator
    if event.kind == EventKind.DELEGATED:
        people = [ret.delegate] if ret.delegate else []
    else:
        people = [indicator.lead, ret.submitted_by, ret.delegate]
    seen = set()
    for person in people:
        if person is None or person.pk in seen or person.pk == event.actor_id:
            continue
        seen.add(person.pk)
        yield {
            "to": person,
            "key": f"return-{event.kind}:{event.pk}",
            "template": template,
            "context": {"event": event, "ret": ret, "indicator": indicator},
            "url": ret.get_absolute_url(),
        }


def returns_send_notices(*, days: int = 30) -> int:
    """Send any notice about a return event of the last ``days`` that is not yet sent (they go
    out when the change commits; this catches those whose e-mail failed then)."""
    since = timezone.now() - timedelta(days=days)
    events = ReturnEvent.objects.filter(at__gte=since, kind__in=list(_TOLD)).select_related(
        "ret__indicator__partnership",
        "ret__indicator__lead",
        "ret__submitted_by",
        "ret__delegate",
        "actor",
    )

    def messages():
        for event in events:
            yield from _event_messages(event)

    return notify_each(messages())


def sign_off_people(*, indicator: Indicator) -> list[User]:
    """Who signs off the indicator's returns: its body's co-ordinators and chair."""
    holders = body_office_holders(body=indicator.body)
    people = {p.pk: p for p in body_coordinators(body=indicator.body)}
    for person in holders.values():
        people[person.pk] = person
    return sorted(people.values(), key=lambda p: p.full_name)
