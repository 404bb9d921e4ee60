"""The annual membership review's rules (issue 16, after its outside review): nobody decides
their own sheet; a body with no chair or deputy is decided by its co-ordinators; an "End" never
lengthens a membership; the figures agree with governance's attendance record and are each
person's across a role change; a member who leaves does not hold a review open."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from governance.models import MeetingStatus
from governance.selectors.meetings import attendance_by_member
from membership import services as ms
from membership.models import Membership, MembershipReview, ReviewOutcome, ReviewSheet, Role
from membership.services.review_chasing import reviews_chase
from membership.services.reviews import latest_end, sheet_decide
from tests.conftest import build_world
from tests.factories import UserFactory
from tests.membership.test_reviews import attend, meeting, open_review, sheet_of


def add_deputy(w):
    deputy = UserFactory(full_name="Dee Deputy", email="deputy@example.org")
    ms.membership_create(
        actor=None,
        body=w.board,
        seat=w.board_seat,
        person=deputy,
        role=Role.DEPUTY_CHAIR,
        starts_on=w.start,
    )
    return deputy


def decided(review):
    return dict(
        ReviewSheet.objects.filter(review=review)
        .exclude(outcome="")
        .values_list("membership__person__full_name", "decided_by__full_name")
    )


# --- nobody decides their own sheet -----------------------------------------------------


def test_the_chair_cannot_decide_their_own_sheet_the_coordinators_do_without_a_deputy(world):
    review = open_review(world)
    with pytest.raises(PermissionDenied):
        sheet_decide(actor=world.chair, sheet=sheet_of(review, world.chair), outcome="continue")
    sheet_decide(actor=world.coordinator, sheet=sheet_of(review, world.chair), outcome="continue")
    # The co-ordinator decides only the sheet nobody in office may: not the member's.
    with pytest.raises(PermissionDenied):
        sheet_decide(
            actor=world.coordinator, sheet=sheet_of(review, world.member), outcome="continue"
        )
    assert decided(review) == {"Chair": "Coordinator"}


def test_the_deputy_decides_the_chairs_sheet_and_the_chair_the_deputys(world):
    deputy = add_deputy(world)
    review = open_review(world)
    for actor, person in [
        (deputy, world.member),  # the chair is in post: the members' sheets are the chair's
        (deputy, deputy),
        (world.chair, world.chair),
        (world.coordinator, world.chair),
    ]:
        with pytest.raises(PermissionDenied):
            sheet_decide(actor=actor, sheet=sheet_of(review, person), outcome="continue")
    sheet_decide(actor=deputy, sheet=sheet_of(review, world.chair), outcome="continue")
    sheet_decide(actor=world.chair, sheet=sheet_of(review, deputy), outcome="continue")
    sheet_decide(actor=world.chair, sheet=sheet_of(review, world.member), outcome="continue")
    assert decided(review) == {"Chair": "Dee Deputy", "Dee Deputy": "Chair", "Member": "Chair"}
    review.refresh_from_db()
    assert review.completed_at is not None


def test_with_the_chair_seat_empty_the_deputys_own_sheet_goes_to_the_coordinators(world, today):
    deputy = add_deputy(world)
    ms.membership_end(actor=None, membership=world.chair_membership, ends_on=today)
    review = open_review(world)
    sheet_decide(actor=deputy, sheet=sheet_of(review, world.member), outcome="continue")
    with pytest.raises(PermissionDenied):
        sheet_decide(actor=deputy, sheet=sheet_of(review, deputy), outcome="continue")
    sheet_decide(actor=world.coordinator, sheet=sheet_of(review, deputy), outcome="continue")
    assert decided(review) == {"Member": "Dee Deputy", "Dee Deputy": "Coordinator"}


def test_a_body_with_no_chair_or_deputy_is_decided_by_its_coordinators(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        review = open_review(world, body=world.other)
    # The Other Group has no chair or deputy: its co-ordinator is told, and decides.
    assert [m.to for m in mail.outbox] == [["coordinator@example.org"]]
    sheet = sheet_of(review, world.other_member)
    with pytest.raises(PermissionDenied):
        sheet_decide(actor=world.other_member, sheet=sheet, outcome="continue")
    sheet_decide(actor=world.coordinator, sheet=sheet, outcome="continue")
    review.refresh_from_db()
    assert review.completed_at is not None


# --- an "End" never lengthens a membership ----------------------------------------------------


def test_an_end_never_lengthens_a_membership(world, today):
    ms.membership_update(
        actor=None, membership=world.member_membership, ends_on=today + timedelta(days=10)
    )
    review = open_review(world)
    sheet = sheet_of(review, world.member)
    with pytest.raises(ValidationError) as exc:
        sheet_decide(
            actor=world.chair,
            sheet=sheet,
            outcome="end",
            note="Not attending",
            ends_on=today + timedelta(days=20),
        )
    assert "cannot make it longer" in exc.value.message_dict["ends_on"][0]
    assert Membership.objects.get(pk=world.member_membership.pk).ends_on == today + timedelta(10)
    sheet_decide(
        actor=world.chair,
        sheet=sheet,
        outcome="end",
        note="Not attending",
        ends_on=today + timedelta(days=5),
    )
    assert Membership.objects.get(pk=world.member_membership.pk).ends_on == today + timedelta(5)


def test_an_end_is_no_later_than_the_end_of_the_financial_year_outcomes_are_due_in(world):
    review = open_review(world)
    last = latest_end(review)
    assert (last.month, last.day) == (4, 1) and review.due_on < last
    sheet = sheet_of(review, world.member)
    with pytest.raises(ValidationError) as exc:
        sheet_decide(
            actor=world.chair,
            sheet=sheet,
            outcome="end",
            note="x",
            ends_on=last + timedelta(days=1),
        )
    assert "or earlier" in exc.value.message_dict["ends_on"][0]
    assert Membership.objects.get(pk=world.member_membership.pk).ends_on is None
    sheet_decide(actor=world.chair, sheet=sheet, outcome="end", note="x", ends_on=last)
    assert Membership.objects.get(pk=world.member_membership.pk).ends_on == last


# --- the figures ------------------------------------------------------------------------------

DAY = date(2026, 12, 3)


@pytest.fixture
def frozen(db, monkeypatch):
    """The world on a fixed day (3 December 2026), the date frozen for every service."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: DAY)
    return build_world(DAY)


def test_the_sheet_agrees_with_governances_attendance_record(frozen):
    w = frozen
    sub = UserFactory(full_name="Sam Substitute")
    m1, m2, m3 = (meeting(w.board, DAY - timedelta(days=d)) for d in (20, 10, 5))
    meeting(w.board, DAY - timedelta(days=3))  # held, nothing recorded for anyone
    attend(meeting(w.board, DAY - timedelta(days=4), MeetingStatus.DRAFT), w.member, "present")
    cancelled = meeting(w.board, DAY - timedelta(days=8), MeetingStatus.CANCELLED)
    attend(cancelled, w.member, "apologies")
    attend(m1, w.member, "present")
    attend(m2, w.member, "apologies", substitute=sub)
    attend(m3, w.member, "absent")
    attend(m1, w.chair, "present")
    review = open_review(w)
    meetings, rows = attendance_by_member(body=w.board, year=2026)
    by_person = {row.person.pk: row for row in rows}
    for person in (w.member, w.chair):
        sheet, row = sheet_of(review, person), by_person[person.pk]
        assert sheet.meetings_held == len(meetings) == 4
        assert (sheet.attended, sheet.apologies, sheet.absent, sheet.substitutes_sent) == (
            row.present,
            row.apologies,
            row.absent,
            row.substituted,
        )
        assert sheet.not_recorded == len(meetings) - row.expected
        assert sheet.attended + sheet.apologies + sheet.absent + sheet.not_recorded == 4
    assert sheet_of(review, w.member).not_recorded == 1
    assert sheet_of(review, w.chair).not_recorded == 3


def test_the_figures_are_the_persons_across_a_role_change(world, today):
    m1 = meeting(world.board, today - timedelta(days=20))
    m2 = meeting(world.board, today - timedelta(days=5))
    attend(m1, world.member, "present")
    attend(m2, world.member, "apologies")
    # Twelve days ago the member became an observer: the membership was split.
    ms.membership_end(
        actor=None, membership=world.member_membership, ends_on=today - timedelta(days=12)
    )
    now = ms.membership_create(
        actor=None,
        body=world.board,
        seat=world.board_seat,
        person=world.member,
        role=Role.OBSERVER,
        starts_on=today - timedelta(days=12),
    )
    review = open_review(world)
    sheet = sheet_of(review, world.member)
    assert sheet.membership == now  # linked to the current membership
    assert (sheet.meetings_held, sheet.attended, sheet.apologies) == (2, 1, 1)


# --- a member who leaves after the review opens ------------------------------------------------


def test_a_member_who_leaves_is_closed_as_left_and_the_review_completes(world, today):
    review = open_review(world)
    sheet_decide(actor=world.coordinator, sheet=sheet_of(review, world.chair), outcome="continue")
    ms.membership_end(
        actor=None, membership=world.member_membership, ends_on=today, reason="Moved on"
    )
    reviews_chase(today=today)
    sheet = sheet_of(review, world.member)
    assert (sheet.outcome, sheet.ends_on) == (ReviewOutcome.END, today)
    assert sheet.note == f"Left on {today:%-d %B %Y}"
    assert sheet.history.first().history_change_reason.startswith("Closed: the member has left")
    # Nothing was ended again: the membership keeps its own reason.
    assert Membership.objects.get(pk=world.member_membership.pk).end_reason == "Moved on"
    assert MembershipReview.objects.get(pk=review.pk).completed_at is not None


def test_deciding_a_leavers_sheet_closes_it_as_left(world, today):
    review = open_review(world)
    ms.membership_end(
        actor=None, membership=world.member_membership, ends_on=today, reason="Moved on"
    )
    sheet = sheet_decide(
        actor=world.chair, sheet=sheet_of(review, world.member), outcome="continue"
    )
    assert (sheet.outcome, sheet.note) == ("end", f"Left on {today:%-d %B %Y}")
    assert Membership.objects.get(pk=world.member_membership.pk).end_reason == "Moved on"
