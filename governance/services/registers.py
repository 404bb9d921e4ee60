"""Writes to the registers: declaring, updating and ending interests, the yearly confirmation,
rulings and disputes, gifts and hospitality, and the chasers (CWaC agreement 11.1 to 11.4).

Who may call what is checked by the views through ``partnership.permissions``; the rules of
the registers themselves (a member rules on nobody's declaration but others', a ruling is made
once, a dispute is settled once, nothing is deleted) are enforced here.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from governance.models import (
    Declaration,
    DeclaredInterest,
    Gift,
    GiftDecision,
    GiftKind,
    InterestHolder,
    InterestKind,
    Meeting,
    MeetingStatus,
    RegisterConfirmation,
    RegisterSettings,
    Ruling,
    RulingOutcome,
    RulingStatus,
)
from governance.selectors.registers import (
    governance_leads,
    interest_flags,
    register_bodies,
    register_settings,
)
from membership.models import Membership, User
from membership.selectors import body_coordinators, body_office_holders, partnership_members
from partnership import permissions as perms
from partnership.history import record_actor
from partnership.models import Body, Organisation, Partnership
from partnership.notifications import notify_after_commit, notify_each
from partnership.periods import financial_year

ACTING = {"chair": "Chair", "deputy_chair": "Deputy chair"}


# --- settings -------------------------------------------------------------------------------


@transaction.atomic
def register_settings_update(
    *,
    actor: Any,
    partnership: Partnership,
    publish_interests: bool,
    publish_gifts: bool,
    gift_threshold: Decimal,
) -> RegisterSettings:
    if gift_threshold is None or gift_threshold < 0:
        raise ValidationError({"gift_threshold": "Enter a value of £0 or more"})
    settings = register_settings(partnership=partnership)
    settings.publish_interests = publish_interests
    settings.publish_gifts = publish_gifts
    settings.gift_threshold = gift_threshold
    record_actor(settings, actor=actor, reason="Register settings changed")
    settings.save()
    return settings


# --- interests ------------------------------------------------------------------------------


def _check_member(person: User, partnership: Partnership, on: date) -> None:
    if not partnership_members(partnership=partnership, on=on).filter(pk=person.pk).exists():
        raise ValidationError(
            "Only members of the partnership's bodies keep entries in its registers."
        )


def _check_declaration(d: Declaration) -> None:
    errors: dict[str, str] = {}
    if d.kind not in InterestKind.values:
        errors["kind"] = "Select the type of interest"
    if d.holder not in InterestHolder.values:
        errors["holder"] = "Select who holds the interest"
    for field in ("organisation", "body"):
        related = getattr(d, field)
        if related is not None and related.partnership_id != d.partnership_id:
            errors[field] = f"Select a {field} of this partnership"
    if d.organisation_id is None and d.body_id is None and not d.project:
        errors["project"] = "Say which organisation, body or project the interest concerns"
    if not d.description:
        errors["description"] = "Describe the interest"
    if d.starts_on and d.starts_on > timezone.localdate():
        errors["starts_on"] = "The date you held it from must be today or in the past"
    if d.ended_on and d.starts_on and d.ended_on < d.starts_on:
        errors["ended_on"] = "The end date must be on or after the date it was held from"
    if errors:
        raise ValidationError(errors)


# --- who is told what ------------------------------------------------------------------------
#
# Messages about a write go out once it has committed, so nobody hears of a change that was
# rolled back, and a failing mail server never costs the member what they typed. Each message
# has a key (one per person and event), so ``registers_send_notices``, run hourly, sends any
# that failed, and sending twice tells nobody twice.


def _about(person: User, *, key: str, template: str, declaration: Declaration, **context) -> dict:
    """One message about a declaration, in the app and by e-mail."""
    url = declaration_url(declaration)
    return {
        "to": person,
        "key": key,
        "template": template,
        "context": {"declaration": declaration, "declaration_url": url, **context},
        "url": url,
    }


def _declaration_messages(declaration: Declaration):
    """Each body whose register holds the declaration rules on it: its chair and deputy are
    asked (never the declarant, who does not rule on their own interest)."""
    ruled = set(declaration.rulings.values_list("body_id", flat=True))
    for body in register_bodies(declaration=declaration):
        if body.pk in ruled:
            continue
        for holder in body_office_holders(body=body).values():
            if holder.pk != declaration.person_id:
                yield _about(
                    holder,
                    key=f"declaration-to-rule:{declaration.pk}:{body.pk}",
                    template="declaration_to_rule",
                    declaration=declaration,
                    body=body,
                )


def _ruling_messages(ruling: Ruling):
    """The member hears of the ruling; the governance lead of a dispute; the member and the
    chair of its settlement; the co-ordinators of a disbarment (they end the membership once
    it stands) as ruled, and again as settled, whether upheld or lifted."""
    d, body = ruling.declaration, ruling.body
    yield _about(
        d.person, key=f"ruling:{ruling.pk}", template="ruling_made", declaration=d,
        ruling=ruling, body=body,
    )  # fmt: skip
    if ruling.status == RulingStatus.DISPUTED:
        for lead in governance_leads(partnership=d.partnership):
            yield _about(
                lead, key=f"ruling-disputed:{ruling.pk}", template="ruling_disputed",
                declaration=d, ruling=ruling,
            )  # fmt: skip
    if ruling.settled_at:
        for person in (d.person, ruling.ruled_by):
            yield _about(
                person, key=f"ruling-settled:{ruling.pk}", template="ruling_settled",
                declaration=d, ruling=ruling,
            )  # fmt: skip
    disbarring = RulingOutcome.DISBARRED in (ruling.outcome, ruling.final_outcome)
    if disbarring and ruling.status != RulingStatus.DISPUTED:
        for coordinator in body_coordinators(body=body):
            yield _about(
                coordinator, key=f"ruling-disbarred:{ruling.pk}:{ruling.status}",
                template="ruling_made", declaration=d, ruling=ruling, body=body,
            )  # fmt: skip


def _gift_messages(gift: Gift):
    """Over the partnership's threshold, the body's chair and deputy are told."""
    if gift.value <= register_settings(partnership=gift.partnership).gift_threshold:
        return
    for holder in body_office_holders(body=gift.body).values():
        if holder.pk != gift.person_id:
            yield {
                "to": holder,
                "key": f"gift-over-threshold:{gift.pk}",
                "template": "gift_over_threshold",
                "context": {"gift": gift, "url": _gifts_url(gift.body)},
                "url": _gifts_url(gift.body),
            }


def registers_send_notices(*, today: date | None = None) -> int:
    """Send every register notice that is due and not yet sent, about the last 60 days:
    rulings asked for on declarations in force, rulings made, disputes awaiting settlement,
    settlements, and gifts over the threshold. Safe to run as often as you like."""
    today = today or timezone.localdate()
    since = timezone.now() - timedelta(days=60)

    def messages():
        # Recent declarations only: a chair newly in post is not sent the whole backlog (the
        # register page shows them every entry awaiting a ruling).
        declarations = Declaration.objects.live(on=today).filter(declared_at__gte=since)
        for d in declarations.select_related("partnership", "person"):
            yield from _declaration_messages(d)
        rulings = Ruling.objects.filter(
            Q(ruled_at__gte=since) | Q(disputed_at__gte=since) | Q(settled_at__gte=since)
        ).select_related("declaration__partnership", "declaration__person", "body", "ruled_by")
        for ruling in rulings:
            yield from _ruling_messages(ruling)
        gifts = Gift.objects.filter(declared_at__gte=since).select_related(
            "partnership", "person", "body__partnership"
        )
        for gift in gifts:
            yield from _gift_messages(gift)

    return notify_each(messages())


def declaration_url(declaration: Declaration) -> str:
    return reverse(
        "governance:declaration",
        kwargs={"partnership": declaration.partnership.slug, "pk": declaration.pk},
    )


def _clean_text(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}


@transaction.atomic
def declaration_create(
    *,
    actor: Any,
    partnership: Partnership,
    person: User,
    kind: str,
    holder: str,
    description: str,
    starts_on: date,
    organisation: Organisation | None = None,
    body: Body | None = None,
    project: str = "",
    withheld_reason: str = "",
    declared_at_meeting: DeclaredInterest | None = None,
) -> Declaration:
    """Enter an interest in the register, in writing. The chairs of the bodies whose register
    it joins are asked to rule on it."""
    _check_member(person, partnership, timezone.localdate())
    declaration = Declaration(
        partnership=partnership,
        person=person,
        organisation=organisation,
        body=body,
        declared_at_meeting=declared_at_meeting,
        **_clean_text(
            {
                "kind": kind,
                "holder": holder,
                "description": description,
                "starts_on": starts_on,
                "project": project,
                "withheld_reason": withheld_reason,
            }
        ),
    )
    _check_declaration(declaration)
    record_actor(declaration, actor=actor, reason="Interest declared")
    try:
        with transaction.atomic():
            declaration.save()
    except IntegrityError as exc:
        # The one-to-one on the meeting's declaration: it is already in the register.
        raise ValidationError("This interest is already in the register.") from exc
    notify_after_commit(_declaration_messages, declaration)
    return declaration


def _lock_live(declaration: Declaration) -> Declaration:
    locked = (
        Declaration.objects.select_for_update().select_related("partnership").get(pk=declaration.pk)
    )
    if Declaration.objects.filter(supersedes=locked).exists():
        raise ValidationError("This version has already been replaced by a newer one.")
    if locked.ended_on is not None:
        raise ValidationError("This interest has ended: declare a new one if it arises again.")
    return locked


# What a member may change when circumstances change; the person, the partnership and the
# chain of versions are not theirs to rewrite.
UPDATABLE = frozenset(
    {"kind", "holder", "organisation", "body", "project", "description", "withheld_reason"}
)


@transaction.atomic
def declaration_update(
    *, actor: Any, declaration: Declaration, changed_on: date, change_note: str, **fields: Any
) -> Declaration:
    """Circumstances changed: a new version replaces this one from ``changed_on``. The old
    version is kept, with its rulings; the new one is ruled on afresh."""
    old = _lock_live(declaration)
    if not change_note.strip():
        raise ValidationError({"change_note": "Say what changed"})
    if changed_on > timezone.localdate():
        raise ValidationError({"changed_on": "The date it changed must be today or in the past"})
    if changed_on < old.starts_on:
        raise ValidationError(
            {"changed_on": "The change cannot be before the interest was first held"}
        )
    new = Declaration(
        partnership=old.partnership,
        person_id=old.person_id,
        supersedes=old,
        change_note=change_note.strip(),
        declared_at_meeting=None,
        kind=old.kind,
        holder=old.holder,
        organisation=old.organisation,
        body=old.body,
        project=old.project,
        description=old.description,
        withheld_reason=old.withheld_reason,
    )
    unknown = set(fields) - UPDATABLE
    if unknown:
        raise TypeError(f"declaration_update cannot change {', '.join(sorted(unknown))}")
    for name, value in _clean_text(fields).items():
        setattr(new, name, value)
    new.starts_on = changed_on
    _check_declaration(new)
    record_actor(new, actor=actor, reason=f"Updated: {new.change_note}")
    new.save()
    notify_after_commit(_declaration_messages, new)
    return new


@transaction.atomic
def declaration_end(
    *, actor: Any, declaration: Declaration, ended_on: date, reason: str = ""
) -> Declaration:
    """The interest is no longer held from ``ended_on``. The entry stays in the register."""
    d = _lock_live(declaration)
    if ended_on < d.starts_on:
        raise ValidationError({"ended_on": "The end date must be on or after it was held from"})
    if ended_on > timezone.localdate():
        raise ValidationError({"ended_on": "The end date must be today or in the past"})
    d.ended_on = ended_on
    d.end_reason = reason.strip()
    record_actor(d, actor=actor, reason="Interest ended")
    d.save(update_fields=["ended_on", "end_reason"])
    return d


def declaration_from_meeting(
    *, actor: Any, declared: DeclaredInterest, **fields: Any
) -> Declaration:
    """Enter an interest declared at a meeting into the register, in one step."""
    meeting = declared.item.meeting
    return declaration_create(
        actor=actor,
        partnership=meeting.body.partnership,
        person=declared.person,
        declared_at_meeting=declared,
        **fields,
    )


@transaction.atomic
def register_confirm(
    *, actor: Any, partnership: Partnership, person: User, today: date | None = None
) -> RegisterConfirmation:
    """The member confirms their entries are complete for this financial year. With nothing
    in force it is a nil return. Confirming twice keeps the first confirmation."""
    today = today or timezone.localdate()
    _check_member(person, partnership, today)
    nil = (
        not Declaration.objects.live(on=today)
        .filter(partnership=partnership, person=person)
        .exists()
        and not Gift.objects.filter(
            partnership=partnership,
            person=person,
            offered_on__gte=date(financial_year(today), 4, 1),
        ).exists()
    )
    confirmation, _ = RegisterConfirmation.objects.get_or_create(
        partnership=partnership,
        person=person,
        year=financial_year(today),
        defaults={"nil_return": nil},
    )
    return confirmation


# --- rulings and disputes ---------------------------------------------------------------------


@transaction.atomic
def ruling_make(
    *,
    actor: User,
    declaration: Declaration,
    body: Body,
    outcome: str,
    reason: str,
    restrictions: str = "",
) -> Ruling:
    """The body's chair (or deputy) rules on a declaration in the body's register: noted,
    restricted from named items or projects, or disbarred from the body."""
    d = Declaration.objects.select_for_update().select_related("partnership").get(pk=declaration.pk)
    role = next((r for r, p in body_office_holders(body=body).items() if p.pk == actor.pk), None)
    if role is None:
        raise ValidationError("Only the chair or deputy chair of the body rules on declarations.")
    if d.person_id == actor.pk:
        raise ValidationError(
            "You cannot rule on your own declaration: the deputy chair rules on it."
        )
    if body.pk not in {b.pk for b in register_bodies(declaration=d)}:
        raise ValidationError("This declaration is not in the body's register.")
    if not d.is_live():
        raise ValidationError("This version is no longer in force: rule on the current one.")
    errors = {}
    if outcome not in RulingOutcome.values:
        errors["outcome"] = "Select a ruling"
    if not reason.strip():
        errors["reason"] = "Enter the reason for the ruling"
    if outcome == RulingOutcome.RESTRICTED and not restrictions.strip():
        errors["restrictions"] = "Name the items or projects the member takes no part in"
    if errors:
        raise ValidationError(errors)
    if Ruling.objects.filter(declaration=d, body=body).exists():
        raise ValidationError("The body has already ruled on this declaration.")
    ruling = Ruling(
        declaration=d,
        body=body,
        outcome=outcome,
        restrictions=restrictions.strip() if outcome == RulingOutcome.RESTRICTED else "",
        reason=reason.strip(),
        ruled_by=actor,
        acting_as=ACTING[role],
    )
    record_actor(ruling, actor=actor, reason="Ruling made")
    try:
        with transaction.atomic():
            ruling.save()
    except IntegrityError as exc:
        # Two rulings at once (the deputy and the chair, say): the first stands.
        raise ValidationError("The body has already ruled on this declaration.") from exc
    notify_after_commit(_ruling_messages, ruling)
    return ruling


@transaction.atomic
def ruling_dispute(*, actor: User, ruling: Ruling, reason: str) -> Ruling:
    """The member disputes a ruling on their declaration; the governance lead settles it."""
    r = (
        Ruling.objects.select_for_update()
        .select_related("declaration__partnership")
        .get(pk=ruling.pk)
    )
    if r.declaration.person_id != actor.pk:
        raise ValidationError("Only the member who declared the interest may dispute the ruling.")
    if r.status != RulingStatus.IN_FORCE:
        raise ValidationError("This ruling has already been disputed.")
    if not reason.strip():
        raise ValidationError({"dispute_reason": "Say why you dispute the ruling"})
    r.status = RulingStatus.DISPUTED
    r.dispute_reason = reason.strip()
    r.disputed_at = timezone.now()
    record_actor(r, actor=actor, reason="Ruling disputed")
    r.save(update_fields=["status", "dispute_reason", "disputed_at"])
    notify_after_commit(_ruling_messages, r)
    return r


@transaction.atomic
def ruling_settle(
    *,
    actor: User,
    ruling: Ruling,
    uphold: bool,
    reason: str,
    outcome: str = "",
    restrictions: str = "",
) -> Ruling:
    """The governance lead settles a disputed ruling: upheld, or changed to another outcome."""
    r = (
        Ruling.objects.select_for_update()
        .select_related("declaration__partnership")
        .get(pk=ruling.pk)
    )
    if not perms.can_lead_governance(actor, r.declaration.partnership):
        raise ValidationError("Only the governance lead settles a disputed ruling.")
    if r.status != RulingStatus.DISPUTED:
        raise ValidationError("Only a disputed ruling can be settled.")
    errors = {}
    if not reason.strip():
        errors["settlement_reason"] = "Enter the reason for the settlement"
    if not uphold:
        if outcome not in RulingOutcome.values or outcome == r.outcome:
            errors["settled_outcome"] = "Select the outcome that replaces the ruling"
        elif outcome == RulingOutcome.RESTRICTED and not restrictions.strip():
            errors["settled_restrictions"] = (
                "Name the items or projects the member takes no part in"
            )
    if errors:
        raise ValidationError(errors)
    r.status = RulingStatus.UPHELD if uphold else RulingStatus.CHANGED
    r.settled_outcome = "" if uphold else outcome
    r.settled_restrictions = (
        restrictions.strip() if not uphold and outcome == RulingOutcome.RESTRICTED else ""
    )
    r.settlement_reason = reason.strip()
    r.settled_by = actor
    r.settled_at = timezone.now()
    record_actor(r, actor=actor, reason="Dispute settled")
    r.save()
    notify_after_commit(_ruling_messages, r)
    return r


# --- gifts and hospitality ------------------------------------------------------------------


def _sits_on(person: User, body: Body, offered_on: date | None) -> bool:
    """Sits on the body now, or did when the gift was offered (a late declaration counts)."""
    places = Membership.objects.filter(person=person, body=body)
    days = {timezone.localdate()} | ({offered_on} if offered_on else set())
    return any(places.current(on=day).exists() for day in days)


@transaction.atomic
def gift_declare(
    *,
    actor: Any,
    partnership: Partnership,
    person: User,
    body: Body,
    kind: str,
    donor: str,
    description: str,
    value: Decimal,
    offered_on: date,
    decision: str,
    advice_sought: bool = False,
    advice_from: str = "",
    withheld_reason: str = "",
) -> Gift:
    """Declare a gift or hospitality offered in the member's partnership role, accepted or
    declined. Over the partnership's threshold, the body's chair and deputy are told."""
    errors: dict[str, str] = {}
    if body.partnership_id != partnership.pk:
        errors["body"] = "Select a body of this partnership"
    elif not _sits_on(person, body, offered_on):
        errors["body"] = "Select a body you sit on"
    if kind not in GiftKind.values:
        errors["kind"] = "Select gift or hospitality"
    if decision not in GiftDecision.values:
        errors["decision"] = "Select whether you accepted or declined it"
    if value is None or value < 0:
        errors["value"] = "Enter an estimated value of £0 or more"
    if offered_on and offered_on > timezone.localdate():
        errors["offered_on"] = "The date offered must be today or in the past"
    if not donor.strip():
        errors["donor"] = "Enter who offered it"
    if not description.strip():
        errors["description"] = "Describe what was offered"
    if advice_sought and not advice_from.strip():
        errors["advice_from"] = "Say whose advice you sought"
    if errors:
        raise ValidationError(errors)
    gift = Gift(
        partnership=partnership,
        person=person,
        body=body,
        kind=kind,
        donor=donor.strip(),
        description=description.strip(),
        value=value,
        offered_on=offered_on,
        decision=decision,
        advice_sought=advice_sought,
        advice_from=advice_from.strip() if advice_sought else "",
        withheld_reason=withheld_reason.strip(),
    )
    record_actor(gift, actor=actor, reason="Gift or hospitality declared")
    gift.save()
    notify_after_commit(_gift_messages, gift)
    return gift


def _gifts_url(body: Body) -> str:
    return reverse(
        "governance:body_gifts", kwargs={"partnership": body.partnership.slug, "body": body.slug}
    )


# --- chasers --------------------------------------------------------------------------------


def registers_chase_confirmation(*, today: date | None = None) -> int:
    """Each member who has not confirmed their register entries this financial year is
    reminded once a month until they do, however often this runs."""
    today = today or timezone.localdate()
    year = financial_year(today)

    def messages():
        for partnership in Partnership.objects.all():
            url = _my_registers_url(partnership)
            confirmed = RegisterConfirmation.objects.filter(
                partnership=partnership, year=year
            ).values("person_id")
            unconfirmed = partnership_members(partnership=partnership, on=today).exclude(
                pk__in=confirmed
            )
            for person in unconfirmed:
                yield {
                    "to": person,
                    "key": f"register-confirm:{partnership.pk}:{year}:{today:%Y-%m}",
                    "template": "register_confirm",
                    "context": {"partnership": partnership, "year": year, "url": url},
                    "url": url,
                }

    return notify_each(messages())


def _my_registers_url(partnership: Partnership) -> str:
    return reverse("governance:my_registers", kwargs={"partnership": partnership.slug})


INTEREST_REMINDER_DAYS = 7


def interests_remind_before_meetings(*, today: date | None = None) -> int:
    """A member with a registered interest in an item of a published meeting in the coming
    week is reminded once about that item before the meeting."""
    today = today or timezone.localdate()
    meetings = Meeting.objects.filter(
        status=MeetingStatus.PUBLISHED,
        held_on__range=(today, today + timedelta(days=INTEREST_REMINDER_DAYS)),
    ).select_related("body__partnership")

    def messages():
        for meeting in meetings:
            for item, flags in interest_flags(meeting=meeting).items():
                url = meeting.get_absolute_url() + f"#item-{item.pk}"
                for flag in flags:
                    yield {
                        "to": flag.person,
                        "key": f"interest-reminder:{item.pk}:{flag.person.pk}",
                        "template": "interest_reminder",
                        "context": {"meeting": meeting, "item": item, "flag": flag, "url": url},
                        "url": url,
                    }

    return notify_each(messages())
