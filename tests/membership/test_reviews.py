"""The annual membership review (issue 16, Warrington section 3): opening a review prepares a
sheet per member from the record; the chair records an outcome for each; an outcome that ends
a membership goes through the normal service; reviews are chased once."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.utils import timezone

from governance.models import Attendance, Meeting, MeetingStatus, RegisterConfirmation
from membership import services as ms
from membership.models import (
    Membership,
    MembershipReview,
    ReviewOutcome,
    ReviewSheet,
    Role,
    TrainingRecord,
)
from membership.services.review_chasing import bodies_due_review, review_due_from, reviews_chase
from membership.services.reviews import (
    END_REASON,
    review_open,
    review_period,
    sheet_decide,
    sheet_figures,
)
from membership.tasklist import REVIEWS, membership_tasks
from partnership import permissions as perms
from partnership.models import Notice
from partnership.periods import financial_year
from tests.conftest import build_world, fresh
from tests.factories import UserFactory
from tests.membership.test_agreement import agree_and_issue, upload


def meeting(body, held_on, status=MeetingStatus.PUBLISHED):
    return Meeting.objects.create(body=body, held_on=held_on, start_time=time(10), status=status)


def attend(m, person, status, substitute=None):
    return Attendance.objects.create(meeting=m, person=person, status=status, substitute=substitute)


def open_review(w, *, actor=None, body=None, due_in=30):
    today = timezone.localdate()
    return review_open(
        actor=actor or w.coordinator,
        body=body or w.board,
        year=financial_year(today),
        due_on=today + timedelta(days=due_in),
    )


def sheet_of(review, person):
    return review.sheets.select_related("membership").get(membership__person=person)


# --- the figures, against a hand-made attendance record ------------------------------------


@pytest.fixture
def record(world, today):
    """The Board's meetings over the last 60 days, with the member's and the chair's
    attendance: the member joined 30 days ago (``world.start``)."""
    substitute = UserFactory(full_name="Sam Substitute")
    before_joining = meeting(world.board, today - timedelta(days=40))
    attend(before_joining, world.chair, "present")
    m1 = meeting(world.board, today - timedelta(days=20))
    m2 = meeting(world.board, today - timedelta(days=15))
    m3 = meeting(world.board, today - timedelta(days=10))
    m4 = meeting(world.board, today - timedelta(days=5))
    meeting(world.board, today - timedelta(days=3))  # held, nobody's attendance recorded
    draft = meeting(world.board, today - timedelta(days=4), MeetingStatus.DRAFT)
    attend(draft, world.member, "present")  # a draft agenda: not in the attendance record
    cancelled = meeting(world.board, today - timedelta(days=8), MeetingStatus.CANCELLED)
    attend(cancelled, world.member, "apologies")
    meeting(world.board, today)  # today: after the period
    meeting(world.other, today - timedelta(days=10))  # another body's meeting
    attend(m1, world.member, "present")
    attend(m2, world.member, "apologies", substitute=substitute)
    attend(m3, world.member, "apologies")
    attend(m4, world.member, "absent", substitute=substitute)
    for m in (m1, m2, m3, m4):
        attend(m, world.chair, "present")
    return today - timedelta(days=60), today - timedelta(days=1)


def test_the_figures_agree_with_the_attendance_record(world, record):
    start, end = record
    members = list(Membership.objects.filter(body=world.board).select_related("body"))
    figures = sheet_figures(memberships=members, start=start, end=end)
    assert figures[world.member_membership.pk] == {
        # Five meetings since they joined, published, before today; the one before they
        # joined, the cancelled one, the draft, today's and the other body's do not count.
        "meetings_held": 5,
        "attended": 1,
        "apologies": 2,
        "substitutes_sent": 2,  # once with apologies, once recorded absent
        "absent": 1,
        "not_recorded": 1,  # attended + apologies + absent + not recorded = held
        "declarations_confirmed": False,
        "agreement_signed": False,
        "training_count": 0,
    }
    assert figures[world.chair_membership.pk]["attended"] == 4
    assert figures[world.chair_membership.pk]["meetings_held"] == 5
    for found in figures.values():
        parts = ("attended", "apologies", "absent", "not_recorded")
        assert sum(found[k] for k in parts) == found["meetings_held"]


def test_a_membership_ended_part_way_counts_only_the_meetings_it_was_held_for(world, record):
    start, end = record
    today = end + timedelta(days=1)
    Membership.objects.filter(pk=world.member_membership.pk).update(
        ends_on=today - timedelta(days=12)
    )
    member = Membership.objects.select_related("body").get(pk=world.member_membership.pk)
    figures = sheet_figures(memberships=[member], start=start, end=end)[member.pk]
    assert (figures["meetings_held"], figures["attended"], figures["apologies"]) == (2, 1, 1)


def test_the_register_the_agreement_and_training_are_counted(world, record, governance_lead, today):
    start, end = record
    RegisterConfirmation.objects.create(
        partnership=world.partnership, person=world.member, year=financial_year(start)
    )
    version = agree_and_issue(world, governance_lead, upload(world, governance_lead))
    ms.agreement_sign(actor=world.member, version=version)
    for days in (2, 20, 90):
        TrainingRecord.objects.create(
            person=world.member,
            course=f"Course {days}",
            completed_on=today - timedelta(days=days),
            provider="Testshire CVS",
        )
    members = list(Membership.objects.filter(body=world.board).select_related("body"))
    figures = sheet_figures(memberships=members, start=start, end=end)
    mine = figures[world.member_membership.pk]
    assert mine["declarations_confirmed"] is True
    assert mine["agreement_signed"] is True
    assert mine["training_count"] == 2  # the course 90 days ago is before the period
    assert figures[world.chair_membership.pk]["agreement_signed"] is False


@pytest.mark.parametrize("people", [2, 12])
def test_the_figures_take_a_fixed_number_of_queries(
    world, record, people, django_assert_num_queries
):
    start, end = record
    seat = ms.seat_create(actor=None, body=world.board, name="Partners", count=20, voting=True)
    for _ in range(people):
        ms.membership_create(
            actor=None, body=world.board, seat=seat, person=UserFactory(), starts_on=world.start
        )
    members = list(Membership.objects.select_related("body__partnership"))
    # meetings, attendance, register (governance); training, current agreement (membership)
    with django_assert_num_queries(5):
        sheet_figures(memberships=members, start=start, end=end)


# --- opening --------------------------------------------------------------------------------


def test_opening_prepares_a_sheet_per_member_from_the_record(world, today):
    m = meeting(world.board, today - timedelta(days=2))
    attend(m, world.member, "apologies")
    attend(m, world.chair, "present")
    observer = UserFactory(full_name="Olive Observer")
    ms.membership_create(
        actor=None,
        body=world.board,
        seat=world.board_seat,
        person=observer,
        role=Role.OBSERVER,
        starts_on=world.start,
    )
    review = open_review(world)
    assert review.opened_by == world.coordinator and review.opened_on == today
    assert review.history.get().history_change_reason == "Review opened"
    sheets = {s.membership.person.full_name: s for s in review.sheets.select_related()}
    # Voting and non-voting members alike; not the other bodies' members.
    assert set(sheets) == {"Chair", "Member", "Olive Observer"}
    # The record, counted by hand: one meeting held; nothing recorded for the observer.
    figures = ("meetings_held", "attended", "apologies", "absent", "not_recorded")
    assert [getattr(sheets["Member"], f) for f in figures] == [1, 0, 1, 0, 0]
    assert [getattr(sheets["Chair"], f) for f in figures] == [1, 1, 0, 0, 0]
    assert [getattr(sheets["Olive Observer"], f) for f in figures] == [1, 0, 0, 0, 1]
    start, end = review_period(opened_on=today)
    assert end == today - timedelta(days=1) and (end - start).days in (364, 365)
    assert sheets["Member"].history.get().history_user == world.coordinator


def test_a_coordinators_place_gets_no_sheet(world):
    ms.membership_create(
        actor=None,
        body=world.board,
        seat=world.board_seat,
        person=world.outsider,
        role=Role.COORDINATOR,
        starts_on=world.start,
    )
    review = open_review(world)
    assert not review.sheets.filter(membership__person=world.outsider).exists()


def test_members_who_left_before_the_review_or_join_later_get_no_sheet(world, today):
    ms.membership_end(
        actor=None, membership=world.member_membership, ends_on=today, reason="Moved on"
    )
    later = UserFactory()
    ms.membership_create(
        actor=None,
        body=world.board,
        seat=world.board_seat,
        person=later,
        starts_on=today + timedelta(days=7),
    )
    review = open_review(world)
    assert [s.membership.person for s in review.sheets.select_related("membership__person")] == [
        world.chair
    ]


def test_one_review_a_body_a_year(world):
    open_review(world)
    with pytest.raises(ValidationError) as exc:
        open_review(world)
    assert "already has a review" in exc.value.message_dict["year"][0]
    assert MembershipReview.objects.count() == 1


def test_a_review_is_of_this_financial_year_and_due_in_the_future(world, today):
    with pytest.raises(ValidationError) as exc:
        review_open(
            actor=world.coordinator, body=world.board, year=financial_year(today) - 1, due_on=today
        )
    assert set(exc.value.message_dict) == {"year", "due_on"}
    with pytest.raises(ValidationError) as exc:
        review_open(
            actor=world.coordinator, body=world.board, year=financial_year(today), due_on=None
        )
    assert exc.value.message_dict["due_on"] == ["Enter the date outcomes are due by"]
    assert not MembershipReview.objects.exists()


@pytest.mark.parametrize("role", ["chair", "member", "other_member", "outsider"])
def test_only_the_bodys_coordinators_open_a_review(world, role):
    with pytest.raises(PermissionDenied):
        open_review(world, actor=getattr(world, role))
    assert not MembershipReview.objects.exists()


def test_a_group_coordinator_opens_their_groups_review_not_the_boards(world):
    assert open_review(world, actor=world.group_coordinator, body=world.group).body == world.group
    with pytest.raises(PermissionDenied):
        open_review(world, actor=world.group_coordinator)


def test_a_body_with_nobody_to_review_is_complete_at_once(world):
    review = open_review(world, body=world.subgroup)
    assert review.completed_at is not None
    assert not review.sheets.exists()


def test_opening_tells_whoever_decides(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        review = open_review(world)
    # The chair decides the members' sheets; with no deputy, the co-ordinator the chair's.
    assert sorted(m.to[0] for m in mail.outbox) == ["chair@example.org", "coordinator@example.org"]
    assert "Membership review to decide: Board" in mail.outbox[0].subject
    assert Notice.objects.get(recipient=world.chair).key == f"membership-review-opened-{review.pk}"


# --- outcomes ------------------------------------------------------------------------------


def test_the_chair_records_continue(world):
    review = open_review(world)
    sheet = sheet_decide(
        actor=world.chair, sheet=sheet_of(review, world.member), outcome=ReviewOutcome.CONTINUE
    )
    sheet.refresh_from_db()
    assert sheet.outcome == "continue" and sheet.decided_by == world.chair
    assert sheet.decided_at is not None and sheet.ends_on is None
    assert sheet.history.first().history_change_reason == "Outcome: Continue"
    review.refresh_from_db()
    assert review.completed_at is None  # the chair's own sheet is still to decide


def test_the_last_outcome_completes_the_review(world):
    review = open_review(world)
    sheet_decide(actor=world.chair, sheet=sheet_of(review, world.member), outcome="continue")
    # The chair's own sheet: the co-ordinator decides it (there is no deputy).
    sheet_decide(actor=world.coordinator, sheet=sheet_of(review, world.chair), outcome="continue")
    review.refresh_from_db()
    assert review.completed_at is not None
    assert review.history.first().history_change_reason.startswith("Review complete")


def test_end_ends_the_membership_through_the_normal_service_and_its_rights_go(world, today):
    review = open_review(world)
    assert perms.can_view_private_body(fresh(world.member), world.board)
    sheet_decide(
        actor=world.chair,
        sheet=sheet_of(review, world.member),
        outcome=ReviewOutcome.END,
        note="Has not attended since joining.",
        ends_on=today,
    )
    membership = Membership.objects.get(pk=world.member_membership.pk)
    assert membership.ends_on == today and membership.end_reason == END_REASON
    assert membership.history.first().history_user == world.chair
    assert not perms.can_view_private_body(fresh(world.member), world.board)


def test_end_needs_a_date_not_in_the_past_and_a_note(world, today):
    review = open_review(world)
    sheet = sheet_of(review, world.member)
    with pytest.raises(ValidationError) as exc:
        sheet_decide(actor=world.chair, sheet=sheet, outcome="end", note="", ends_on=None)
    assert set(exc.value.message_dict) == {"ends_on", "note"}
    with pytest.raises(ValidationError) as exc:
        sheet_decide(
            actor=world.chair, sheet=sheet, outcome="end", note="x", ends_on=today - timedelta(1)
        )
    assert "today or in the future" in exc.value.message_dict["ends_on"][0]
    assert Membership.objects.get(pk=world.member_membership.pk).ends_on is None
    assert ReviewSheet.objects.get(pk=sheet.pk).outcome == ""


def test_discuss_tells_the_coordinators(world, django_capture_on_commit_callbacks):
    review = open_review(world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sheet_decide(
            actor=world.chair,
            sheet=sheet_of(review, world.member),
            outcome=ReviewOutcome.DISCUSS,
            note="Could the council send someone with budget authority?",
        )
    told = sorted(m.to[0] for m in mail.outbox)
    # The member hears their outcome; the Board's co-ordinator is asked to discuss it.
    assert told == ["coordinator@example.org", "member@example.org"]
    discuss = next(m for m in mail.outbox if m.to == ["coordinator@example.org"])
    assert "discussed with Testshire Council" in discuss.body


def test_discuss_needs_a_note(world):
    review = open_review(world)
    with pytest.raises(ValidationError) as exc:
        sheet_decide(actor=world.chair, sheet=sheet_of(review, world.member), outcome="discuss")
    assert set(exc.value.message_dict) == {"note"}


def test_an_outcome_is_recorded_once(world):
    review = open_review(world)
    sheet = sheet_of(review, world.member)
    sheet_decide(actor=world.chair, sheet=sheet, outcome="continue")
    with pytest.raises(ValidationError) as exc:
        sheet_decide(actor=world.chair, sheet=sheet, outcome="end", note="x", ends_on=date.max)
    assert "already been recorded" in exc.value.message_dict["outcome"][0]


@pytest.mark.parametrize("role", ["coordinator", "member", "group_coordinator", "outsider"])
def test_only_the_chair_records_outcomes(world, role):
    review = open_review(world)
    with pytest.raises(PermissionDenied):
        sheet_decide(
            actor=getattr(world, role), sheet=sheet_of(review, world.member), outcome="continue"
        )
    assert not ReviewSheet.objects.exclude(outcome="").exists()


def test_the_deputy_records_outcomes_only_while_the_chair_seat_is_empty(world, today):
    deputy = UserFactory(full_name="Dee Deputy")
    ms.membership_create(
        actor=None,
        body=world.board,
        seat=world.board_seat,
        person=deputy,
        role=Role.DEPUTY_CHAIR,
        starts_on=world.start,
    )
    review = open_review(world)
    with pytest.raises(PermissionDenied):
        sheet_decide(actor=deputy, sheet=sheet_of(review, world.member), outcome="continue")
    ms.membership_end(actor=None, membership=world.chair_membership, ends_on=today)
    sheet_decide(actor=deputy, sheet=sheet_of(review, world.member), outcome="continue")


# --- chasing -------------------------------------------------------------------------------


def test_overdue_outcomes_chase_the_chair_once(world, today):
    review = open_review(world, due_in=1)
    MembershipReview.objects.filter(pk=review.pk).update(due_on=today - timedelta(days=1))
    mail.outbox.clear()
    sheet_decide(actor=world.coordinator, sheet=sheet_of(review, world.chair), outcome="continue")
    open_review(world, body=world.other)  # so no body is due a review, whatever the date
    assert reviews_chase(today=today) == 1
    assert reviews_chase(today=today) == 0
    overdue = [m for m in mail.outbox if "overdue" in m.subject]
    assert [m.to for m in overdue] == [["chair@example.org"]]


def test_a_complete_review_is_not_chased(world, today):
    review = open_review(world, body=world.subgroup)
    MembershipReview.objects.filter(pk=review.pk).update(due_on=today - timedelta(days=1))
    reviews_chase(today=today)
    assert not [m for m in mail.outbox if "overdue" in m.subject]


def test_from_1_october_coordinators_hear_once_of_a_body_with_no_review(world, today):
    year = financial_year(today)
    # The next year's 30 September: that year's review is not yet due.
    assert reviews_chase(today=review_due_from(year + 1) - timedelta(days=1)) == 0
    assert not mail.outbox
    day = review_due_from(year + 1)  # 1 October, with everyone in place
    assert reviews_chase(today=day) == 2
    due = sorted((m.to[0], m.subject) for m in mail.outbox)
    # The Board and the Other Group have members; the Safer Group and its sub-group have none.
    assert due == [
        ("coordinator@example.org", "Membership review due: Board"),
        ("coordinator@example.org", "Membership review due: Other Group"),
    ]
    assert reviews_chase(today=day + timedelta(days=1)) == 0
    assert len(mail.outbox) == 2


def test_a_body_with_this_years_review_is_not_due(world, today):
    open_review(world)
    due = {b.name for b in bodies_due_review(today=today)}
    assert due == {"Other Group"}


def test_the_daily_job_is_on_the_beat_schedule():
    from partnership.celery import app

    entry = app.conf.beat_schedule["daily-chase-membership-reviews"]
    assert entry["task"] == "membership.tasks.chase_membership_reviews"


def test_the_task_runs_the_chaser(world, today):
    from membership.tasks import chase_membership_reviews

    review = open_review(world, due_in=1)
    MembershipReview.objects.filter(pk=review.pk).update(due_on=today - timedelta(days=1))
    open_review(world, body=world.other)  # so no body is due a review, whatever the date
    # The chair (the member's sheet) and the co-ordinator (the chair's), told once.
    assert chase_membership_reviews.apply().get() == 2
    assert chase_membership_reviews.apply().get() == 0


# --- "Your tasks" ----------------------------------------------------------------------------


def tasks_of(user):
    request = RequestFactory().get("/")
    request.user = fresh(user)
    return [t for t in membership_tasks(request) if t.group == REVIEWS]


def test_the_chair_has_the_outcomes_to_record(world):
    review = open_review(world)
    [task] = tasks_of(world.chair)
    # The member's sheet: never the chair's own.
    assert task.title.startswith(f"Board: record 1 outcome of the {review.year}/")
    assert task.due_on == review.due_on
    sheet_decide(actor=world.chair, sheet=sheet_of(review, world.member), outcome="continue")
    assert tasks_of(world.chair) == []


@pytest.mark.parametrize("day", [date(2026, 9, 30), date(2026, 10, 1)])
def test_coordinators_have_reviews_to_open_from_1_october(db, monkeypatch, day):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
    world = build_world(day)
    titles = [t.title for t in tasks_of(world.coordinator)]
    if day < review_due_from(2026):
        assert titles == []
    else:
        assert sorted(titles)[0].startswith("Board: open the 2026/27 ")
        open_review(world)
        assert [t.title.split(":")[0] for t in tasks_of(world.coordinator)] == ["Other Group"]
    assert tasks_of(world.member) == []
