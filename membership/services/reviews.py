"""The annual membership review (Warrington section 3): once a year per body a co-ordinator
opens it; a sheet is prepared for each member from the record of the 12 months before it
opened; the chair (the deputy chair when the chair's seat is empty) records an outcome for
each member, and an outcome that ends a membership does so through ``membership_end``.

Nobody decides their own sheet: the chair's goes to the deputy chair, the deputy's to the
chair, and a sheet with no other office holder to decide it (a body with no chair and no
deputy, or the only office holder's own) to the body's co-ordinators (``sheet_decider``).

The figures of a sheet are taken when the review opens and kept, so the sheet always says
what the chair saw. Who is told what, and when, is in ``review_chasing``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from membership.models import (
    AgreementSignature,
    Membership,
    MembershipReview,
    ReviewOutcome,
    ReviewSheet,
    Role,
    TrainingRecord,
    User,
)
from membership.selectors import agreement_current, body_coordinators, body_office_holders
from membership.services.memberships import membership_end
from partnership import permissions as perms
from partnership.history import record_actor
from partnership.member_record import member_record
from partnership.models import Body
from partnership.notifications import notify_after_commit
from partnership.periods import financial_year, financial_year_label

__all__ = [
    "END_REASON",
    "can_decide_sheet",
    "deciders_of",
    "latest_end",
    "left_note",
    "review_complete",
    "review_deciders",
    "review_open",
    "review_period",
    "review_url",
    "sheet_decide",
    "sheet_decider",
    "sheet_figures",
    "sheet_url",
]

END_REASON = "Annual membership review"


def review_period(*, opened_on: date) -> tuple[date, date]:
    """The days a review's figures cover, both included: the 12 months before it opened, from
    the same day a year earlier to the day before it opened (the meetings whose record is
    complete). A whole year whenever the review opens, so a member's record is never judged
    on a few weeks of April, and with one review a financial year nothing falls between two
    reviews opened about the same time of year."""
    try:
        start = opened_on.replace(year=opened_on.year - 1)
    except ValueError:  # 29 February
        start = opened_on.replace(year=opened_on.year - 1, day=28)
    return start, opened_on - timedelta(days=1)


def latest_end(review: MembershipReview) -> date:
    """The latest date an "End" outcome may give: 1 April after the financial year in which
    the outcomes are due (the member sits to the end of that year at the latest). A review
    decides about the year it looks at; an ending further off is the next review's to decide,
    and would let "End" keep a member in place longer than the review looked."""
    return date(financial_year(review.due_on) + 1, 4, 1)


def review_url(review: MembershipReview) -> str:
    body = review.body
    return reverse(
        "membership:review_detail",
        kwargs={"partnership": body.partnership.slug, "body": body.slug, "pk": review.pk},
    )


def sheet_url(sheet: ReviewSheet) -> str:
    body = sheet.review.body
    return reverse(
        "membership:review_sheet",
        kwargs={
            "partnership": body.partnership.slug,
            "body": body.slug,
            "pk": sheet.review_id,
            "sheet": sheet.pk,
        },
    )


def sheet_decider(holders: dict[str, User], person_id: int | None = None) -> User | None:
    """The office holder who records the outcome of ``person_id``'s sheet, from the body's
    office holders (``body_office_holders``): the chair, or the deputy chair while the chair's
    seat is empty (as a chair's approval does in ``governance.services.approval``), but never
    the sheet's own member: the chair's sheet goes to the deputy, the deputy's to the chair.
    None when nobody in office may decide it: then the body's co-ordinators do. Without
    ``person_id``, who decides an ordinary member's sheet."""
    for role in ("chair", "deputy_chair"):
        holder = holders.get(role)
        if holder is not None and holder.pk != person_id:
            return holder
    return None


def can_decide_sheet(user: Any, body: Body, holders: dict[str, User], person_id: int) -> bool:
    """Whether ``user`` records the outcome of ``person_id``'s sheet (see ``sheet_decider``)."""
    if not getattr(user, "is_authenticated", False) or user.pk == person_id:
        return False
    decider = sheet_decider(holders, person_id)
    if decider is not None:
        return decider.pk == user.pk
    return perms.can_manage_body(user, body)


def deciders_of(body: Body, holders: dict[str, User], person_ids: set[int], coordinators):
    """Everyone who decides one of the sheets of ``person_ids``: the office holders, and the
    co-ordinators (``coordinators()``, asked only if needed) for a sheet no office holder may
    decide."""
    people: dict[int, User] = {}
    to_coordinators = set()
    for person_id in person_ids:
        decider = sheet_decider(holders, person_id)
        if decider is not None:
            people[decider.pk] = decider
        else:
            to_coordinators.add(person_id)
    if to_coordinators:
        for person in coordinators():
            if {person.pk} != to_coordinators:  # nobody is told to decide only their own
                people.setdefault(person.pk, person)
    return sorted(people.values(), key=lambda p: p.full_name)


def sheet_figures(
    *, memberships: Sequence[Membership], start: date, end: date
) -> dict[int, dict[str, Any]]:
    """Each membership's figures for the days from ``start`` to ``end``: its PERSON's, over
    every one of the given memberships of that person on that body (a role or seat change
    splits a membership; the figures stay one record). Attendance and the register from
    governance (``partnership.member_record``), the current agreement signed and the training
    completed in the period from membership. A fixed number of queries however many
    memberships (the memberships with their body loaded)."""
    memberships = list(memberships)
    if not memberships:
        return {}
    found = member_record(memberships, start, end)
    person_ids = {m.person_id for m in memberships}
    trained = Counter(
        TrainingRecord.objects.filter(
            person_id__in=person_ids, completed_on__gte=start, completed_on__lte=end
        ).values_list("person_id", flat=True)
    )
    signed: set[int] = set()
    version = agreement_current(partnership=memberships[0].body.partnership)
    if version is not None:
        signed = set(
            AgreementSignature.objects.filter(
                version=version, person_id__in=person_ids
            ).values_list("person_id", flat=True)
        )
    for m in memberships:
        found[m.pk]["training_count"] = trained[m.person_id]
        found[m.pk]["agreement_signed"] = m.person_id in signed
    return found


@transaction.atomic
def review_open(*, actor: Any, body: Body, year: int, due_on: date | None) -> MembershipReview:
    """Open the body's review of ``year`` (the current financial year) and prepare a sheet for
    each membership held today, voting or not, but not a co-ordinator's place (Appendix F:
    co-ordinators attend to support the group, they are not its members)."""
    if not perms.can_manage_body(actor, body):
        raise PermissionDenied("Only the body's co-ordinators open its membership review.")
    today = timezone.localdate()
    # The body's row, locked: two co-ordinators opening at once make one review.
    body = Body.objects.select_for_update().select_related("partnership").get(pk=body.pk)
    errors: dict[str, str] = {}
    label = financial_year_label(financial_year(today))
    if body.closed_on is not None:
        errors["year"] = f"The {body.name} is closed: it has no more reviews."
    elif year != financial_year(today):
        errors["year"] = f"Open the review of this financial year, {label}."
    elif MembershipReview.objects.filter(body=body, year=year).exists():
        errors["year"] = f"The {body.name} already has a review for {label}."
    if due_on is None:
        errors["due_on"] = "Enter the date outcomes are due by"
    elif due_on <= today:
        errors["due_on"] = "The date outcomes are due by must be in the future"
    if errors:
        raise ValidationError(errors)
    review = MembershipReview(
        body=body,
        year=year,
        opened_on=today,
        opened_by=actor if getattr(actor, "is_authenticated", False) else None,
        due_on=due_on,
    )
    record_actor(review, actor=actor, reason="Review opened")
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError as exc:  # pragma: no cover - the lock above makes this a backstop
        raise ValidationError(
            {"year": f"The {body.name} already has a review for {label}."}
        ) from exc
    start, end = review_period(opened_on=today)
    # Every membership of the body held in the period or today (not a co-ordinator's place):
    # the figures are each person's over all of them; a sheet for each one held today.
    held = list(
        Membership.objects.filter(body=body)
        .overlapping(starts_on=start, ends_on=today + timedelta(days=1))
        .exclude(role=Role.COORDINATOR)
        .select_related("body__partnership")
        .order_by("pk")
    )
    memberships = [
        m for m in held if m.starts_on <= today and (m.ends_on is None or m.ends_on > today)
    ]
    sitting = {m.person_id for m in memberships}
    figures = sheet_figures(
        memberships=[m for m in held if m.person_id in sitting], start=start, end=end
    )
    bulk_create_with_history(
        [ReviewSheet(review=review, membership=m, **figures[m.pk]) for m in memberships],
        ReviewSheet,
        default_user=review.opened_by,
        default_change_reason="Sheet prepared from the record",
    )
    review_complete(actor=actor, review=review)
    notify_after_commit(_opened_messages, review.pk)
    return review


def review_deciders(review: MembershipReview, *, on: date | None = None) -> list[User]:
    """Everyone who records an outcome of the review's sheets still to decide."""
    body = review.body
    person_ids = set(
        review.sheets.filter(outcome="").values_list("membership__person_id", flat=True)
    )
    return deciders_of(
        body,
        body_office_holders(body=body, on=on),
        person_ids,
        lambda: body_coordinators(body=body, on=on),
    )


def _opened_messages(review_pk: int) -> list[dict]:
    review = MembershipReview.objects.select_related("body__partnership").get(pk=review_pk)
    url = review_url(review)
    return [
        {
            "to": person,
            "key": f"membership-review-opened-{review.pk}",
            "template": "review_notice",
            "url": url,
            "context": {
                "subject": f"Membership review to decide: {review.body.name}",
                "text": f"The {review.body.name}'s membership review for "
                f"{financial_year_label(review.year)} is open. Record an outcome for each member "
                f"by {review.due_on:%-d %B %Y}.",
                "url": url,
            },
        }
        for person in review_deciders(review)
    ]


@transaction.atomic
def sheet_decide(
    *, actor: Any, sheet: ReviewSheet, outcome: str, note: str = "", ends_on: date | None = None
) -> ReviewSheet:
    """Record the outcome for one member, by whoever decides their sheet (``sheet_decider``:
    never the member). An outcome is recorded once (an ended membership cannot be taken back
    by changing a sheet); the last one completes the review. A member who has already left
    the body has their sheet closed as left, whatever was chosen (``review_complete``)."""
    review = MembershipReview.objects.select_for_update().select_related("body__partnership")
    review = review.get(pk=sheet.review_id)
    body = review.body
    sheet = ReviewSheet.objects.select_related(
        "membership__person", "membership__body", "membership__organisation"
    ).get(pk=sheet.pk)
    sheet.review = review
    holders = body_office_holders(body=body)
    if not can_decide_sheet(actor, body, holders, sheet.membership.person_id):
        raise PermissionDenied(
            "Only the chair records outcomes (the deputy chair for the chair's own sheet, "
            "the co-ordinators when there is no other office holder)."
        )
    today = timezone.localdate()
    membership = sheet.membership
    errors: dict[str, str] = {}
    if review.completed_at is not None:
        errors["outcome"] = "This review is complete: its outcomes are final."
    elif sheet.outcome:
        errors["outcome"] = "An outcome has already been recorded for this member."
    if errors:
        raise ValidationError(errors)
    if membership.ends_on is not None and membership.ends_on <= today:
        _close_left(review, [sheet], actor=actor)
        review_complete(actor=actor, review=review)
        return sheet
    if outcome not in ReviewOutcome.values:
        errors["outcome"] = "Choose an outcome"
    note = (note or "").strip()
    if outcome == ReviewOutcome.END and not errors:
        if ends_on is None:
            errors["ends_on"] = "Enter the date the membership ends"
        elif ends_on < today:
            errors["ends_on"] = "The date the membership ends must be today or in the future"
        elif membership.ends_on is not None and ends_on > membership.ends_on:
            errors["ends_on"] = (
                "The membership already ends on "
                f"{membership.ends_on:%-d %B %Y}: an outcome cannot make it longer"
            )
        elif ends_on > latest_end(review):
            errors["ends_on"] = (
                f"The date the membership ends must be {latest_end(review):%-d %B %Y} or "
                "earlier: a later end is for next year's review"
            )
        if not note:
            errors["note"] = "Enter a note saying why the membership ends"
    if outcome == ReviewOutcome.DISCUSS and not note and not errors:
        errors["note"] = "Enter a note saying what to discuss with the nominating organisation"
    if errors:
        raise ValidationError(errors)
    if outcome == ReviewOutcome.END:
        # The normal service: its checks, its history and the rights it takes away.
        if ends_on != membership.ends_on:
            membership_end(actor=actor, membership=membership, ends_on=ends_on, reason=END_REASON)
    else:
        ends_on = None
    sheet.outcome, sheet.note, sheet.ends_on = outcome, note, ends_on
    sheet.decided_by, sheet.decided_at = actor, timezone.now()
    record_actor(sheet, actor=actor, reason=f"Outcome: {ReviewOutcome(outcome).label}")
    sheet.save(update_fields=["outcome", "note", "ends_on", "decided_by", "decided_at"])
    notify_after_commit(_decided_messages, sheet.pk)
    review_complete(actor=actor, review=review)
    return sheet


def left_note(ends_on: date) -> str:
    """The note of a sheet closed because its member left (``ends_on``: their membership's
    end, the first day they no longer held the seat)."""
    return f"Left on {ends_on:%-d %B %Y}"


def _close_left(review: MembershipReview, sheets: Sequence[ReviewSheet], *, actor: Any) -> None:
    """Close the sheets of members who have left (their membership has ended) as "End" with
    the note "Left on <date>", without ending anything: the membership is already over."""
    now = timezone.now()
    for sheet in sheets:
        ended = sheet.membership.ends_on
        sheet.outcome, sheet.note, sheet.ends_on = ReviewOutcome.END, left_note(ended), ended
        sheet.decided_by = actor if getattr(actor, "is_authenticated", False) else None
        sheet.decided_at = now
        record_actor(sheet, actor=actor, reason="Closed: the member has left the body")
        sheet.save(update_fields=["outcome", "note", "ends_on", "decided_by", "decided_at"])


def _decided_messages(sheet_pk: int) -> list[dict]:
    sheet = ReviewSheet.objects.select_related(
        "review__body__partnership", "membership__person", "membership__organisation"
    ).get(pk=sheet_pk)
    review, person = sheet.review, sheet.membership.person
    url = sheet_url(sheet)
    year = financial_year_label(review.year)
    # The member hears the outcome of their own sheet (they may read it: see the views).
    messages = [
        {
            "to": person,
            "key": f"membership-review-outcome-{sheet.pk}",
            "template": "review_notice",
            "url": url,
            "context": {
                "subject": f"Your membership review: {review.body.name}",
                "text": f"The outcome of your {year} membership review has been recorded "
                f"for the {review.body.name}: {sheet.get_outcome_display()}.",
                "url": url,
            },
        }
    ]
    if sheet.outcome == ReviewOutcome.DISCUSS:
        organisation = sheet.membership.organisation
        with_whom = organisation.name if organisation else "the nominating organisation"
        messages += [
            {
                "to": coordinator,
                "key": f"membership-review-discuss-{sheet.pk}",
                "template": "review_notice",
                "url": url,
                "context": {
                    "subject": f"Membership to discuss: {person.full_name}, {review.body.name}",
                    "text": f"The chair asks that {person.full_name}'s membership of the "
                    f"{review.body.name} be discussed with {with_whom}.",
                    "url": url,
                },
            }
            for coordinator in body_coordinators(body=review.body)
        ]
    return messages


def review_complete(*, actor: Any, review: MembershipReview) -> bool:
    """Close the sheets of members who have left the body since the review opened (see
    ``_close_left``), then mark the review complete if every sheet has an outcome; whether it
    is complete. Called by the step that could complete it, inside its transaction with the
    review's row locked: opening a review of a body with no members, each outcome (the last
    one completes it), and the daily chaser (a member leaving completes nothing by itself),
    so no button is needed and no review is left open by mistake."""
    if review.completed_at is not None:
        return True
    today = timezone.localdate()
    left = list(
        review.sheets.filter(outcome="", membership__ends_on__lte=today).select_related(
            "membership"
        )
    )
    if left:
        _close_left(review, left, actor=actor)
    if review.sheets.filter(outcome="").exists():
        return False
    review.completed_at = timezone.now()
    record_actor(review, actor=actor, reason="Review complete: every member has an outcome")
    review.save(update_fields=["completed_at"])
    return True
