"""The acting chair (issue 16): when the chair and the deputy chair were both absent, the
members present choose an acting chair for the meeting, recorded on the attendance, who then
approves or returns that meeting's minutes as the chair would."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from governance import services as gs
from governance.models import Attendance, MinutesStatus
from membership import services as ms
from tests.factories import UserFactory
from tests.governance.helpers import schedule

# No URL of its own: the acting chair is recorded on the attendance page and approves on the
# minutes pages that exist, which tests/test_url_access.py covers.


@pytest.fixture
def board(world):
    """The Board with a deputy chair and two more voting members, and yesterday's meeting with
    its minutes submitted."""
    seat = ms.seat_create(actor=None, body=world.board, name="Partners", count=4)
    start = world.start
    deputy = UserFactory(full_name="Deputy Chair")
    voter = UserFactory(full_name="Second Voter")
    ms.membership_create(
        actor=None,
        body=world.board,
        seat=seat,
        person=deputy,
        role="deputy_chair",
        organisation=world.council,
        starts_on=start,
    )
    ms.membership_create(
        actor=None,
        body=world.board,
        seat=seat,
        person=voter,
        organisation=world.charity,
        starts_on=start,
    )
    meeting = schedule(world, days=-1)
    item = gs.item_add(actor=world.coordinator, meeting=meeting, title="Budget")
    gs.meeting_publish(actor=world.coordinator, meeting=meeting)
    minutes = gs.minutes_start(actor=world.coordinator, meeting=meeting)
    gs.minutes_save(actor=world.coordinator, minutes=minutes, entries={item.pk: ("Agreed.", "")})
    return world, meeting, minutes, deputy, voter


def _both_away(world, meeting, deputy, voter, *, acting=None, chair="apologies", dep="absent"):
    return gs.attendance_record(
        actor=world.coordinator,
        meeting=meeting,
        records={
            world.chair.pk: (chair, None),
            deputy.pk: (dep, None),
            world.member.pk: ("present", None),
            voter.pk: ("present", None),
        },
        acting_chair=acting,
    )


def test_the_acting_chair_approves_the_minutes_as_the_chair_would(board):
    world, meeting, minutes, deputy, voter = board
    _both_away(world, meeting, deputy, voter, acting=world.member)
    assert gs.acting_chair_of(meeting=meeting) == world.member
    gs.minutes_submit(actor=world.coordinator, minutes=minutes)
    assert world.member in gs.approvers(minutes=minutes)
    assert gs.acting_as(person=world.member, minutes=minutes) == (
        "Acting chair (chosen at the meeting)"
    )
    gs.minutes_approve(actor=world.member, minutes=minutes)
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.APPROVED
    assert minutes.reviews.get().acting_as == "Acting chair (chosen at the meeting)"


def test_the_acting_chair_can_return_the_minutes(board):
    world, meeting, minutes, deputy, voter = board
    _both_away(world, meeting, deputy, voter, acting=world.member)
    gs.minutes_submit(actor=world.coordinator, minutes=minutes)
    gs.minutes_return(actor=world.member, minutes=minutes, comments="Add the vote")
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.RETURNED


def test_a_member_not_chosen_cannot_approve(board):
    world, meeting, minutes, deputy, voter = board
    _both_away(world, meeting, deputy, voter, acting=world.member)
    gs.minutes_submit(actor=world.coordinator, minutes=minutes)
    assert gs.acting_as(person=voter, minutes=minutes) is None
    with pytest.raises(ValidationError):
        gs.minutes_approve(actor=voter, minutes=minutes)


@pytest.mark.parametrize(("chair", "dep"), [("present", "absent"), ("apologies", "present")])
def test_no_acting_chair_when_the_chair_or_the_deputy_was_present(board, chair, dep):
    world, meeting, minutes, deputy, voter = board
    # A choice still on the form is cleared, not refused: the chair or deputy chaired it.
    _both_away(world, meeting, deputy, voter, acting=world.member, chair=chair, dep=dep)
    assert Attendance.objects.filter(meeting=meeting).count() == 4
    assert not Attendance.objects.filter(meeting=meeting, acting_chair=True).exists()
    assert gs.acting_chair_of(meeting=meeting) is None


def test_the_acting_chair_acts_only_while_the_chair_and_deputy_are_recorded_away(board):
    world, meeting, minutes, deputy, voter = board
    _both_away(world, meeting, deputy, voter, acting=world.member)
    # The chair's attendance corrected behind the service's back: checked again, not trusted.
    Attendance.objects.filter(meeting=meeting, person=world.chair).update(status="present")
    assert gs.acting_chair_of(meeting=meeting) is None
    gs.minutes_submit(actor=world.coordinator, minutes=minutes)
    assert gs.acting_as(person=world.member, minutes=minutes) is None


def test_the_acting_chair_of_one_meeting_cannot_approve_anothers_minutes(board):
    world, meeting, minutes, deputy, voter = board
    _both_away(world, meeting, deputy, voter, acting=world.member)
    other = schedule(world, days=-2)
    item = gs.item_add(actor=world.coordinator, meeting=other, title="Plans")
    gs.meeting_publish(actor=world.coordinator, meeting=other)
    other_minutes = gs.minutes_start(actor=world.coordinator, meeting=other)
    gs.minutes_save(
        actor=world.coordinator, minutes=other_minutes, entries={item.pk: ("Noted.", "")}
    )
    gs.minutes_submit(actor=world.coordinator, minutes=other_minutes)
    assert world.member not in gs.approvers(minutes=other_minutes)
    assert gs.acting_as(person=world.member, minutes=other_minutes) is None
    with pytest.raises(ValidationError):
        gs.minutes_approve(actor=world.member, minutes=other_minutes)


def test_a_member_without_a_vote_is_refused_as_acting_chair(board):
    world, meeting, minutes, deputy, voter = board
    observers = ms.seat_create(
        actor=None, body=world.board, name="Observers", count=2, voting=False
    )
    observer = UserFactory(full_name="Olive Observer")
    ms.membership_create(
        actor=None,
        body=world.board,
        seat=observers,
        person=observer,
        organisation=world.charity,
        starts_on=world.start,
    )
    with pytest.raises(ValidationError) as refused:
        gs.attendance_record(
            actor=world.coordinator,
            meeting=meeting,
            records={
                world.chair.pk: ("apologies", None),
                deputy.pk: ("absent", None),
                world.member.pk: ("present", None),
                observer.pk: ("present", None),
            },
            acting_chair=observer,
        )
    assert "voting seat" in str(refused.value)


def test_the_acting_chair_is_cleared_when_the_chair_is_recorded_present_after_all(board):
    world, meeting, minutes, deputy, voter = board
    _both_away(world, meeting, deputy, voter, acting=world.member)
    _both_away(world, meeting, deputy, voter, chair="present")
    assert gs.acting_chair_of(meeting=meeting) is None
    gs.minutes_submit(actor=world.coordinator, minutes=minutes)
    with pytest.raises(ValidationError):
        gs.minutes_approve(actor=world.member, minutes=minutes)


def test_the_acting_chair_must_be_present_and_hold_a_voting_seat(board):
    world, meeting, minutes, deputy, voter = board
    with pytest.raises(ValidationError) as refused:
        gs.attendance_record(
            actor=world.coordinator,
            meeting=meeting,
            records={
                world.chair.pk: ("apologies", None),
                deputy.pk: ("absent", None),
                world.member.pk: ("apologies", None),
            },
            acting_chair=world.member,
        )
    assert "must be recorded present" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        _both_away(world, meeting, deputy, voter, acting=world.outsider)
    assert "voting seat" in str(refused.value)


def test_the_acting_chair_is_told_of_submitted_minutes_and_chased(
    board, django_capture_on_commit_callbacks
):
    world, meeting, minutes, deputy, voter = board
    _both_away(world, meeting, deputy, voter, acting=world.member)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        gs.minutes_submit(actor=world.coordinator, minutes=minutes)
    assert world.member.email in {m.to[0] for m in mail.outbox}
    mail.outbox.clear()
    assert gs.minutes_chase_awaiting(now=timezone.now() + timedelta(days=6)) >= 1
    assert world.member.email in {m.to[0] for m in mail.outbox}
    assert voter.email not in {m.to[0] for m in mail.outbox}


# --- pages ---------------------------------------------------------------------------------


def _attendance_url(world, meeting):
    return reverse(
        "governance:attendance", kwargs={"partnership": world.partnership.slug, "pk": meeting.pk}
    )


def test_the_attendance_page_offers_an_acting_chair_only_when_both_were_away(client, board):
    world, meeting, minutes, deputy, voter = board
    client.force_login(world.coordinator)
    url = _attendance_url(world, meeting)
    assert 'name="acting_chair"' not in client.get(url).content.decode()
    data = {
        f"status_{world.chair.pk}": "apologies",
        f"status_{deputy.pk}": "absent",
        f"status_{world.member.pk}": "present",
        f"status_{voter.pk}": "present",
    }
    response = client.post(url, data)
    # Both away: back to the page, which now asks who the members chose.
    assert response.status_code == 302 and response.url == url
    html = client.get(url).content.decode()
    assert 'name="acting_chair"' in html
    response = client.post(url, {**data, "acting_chair": str(voter.pk)})
    assert response.status_code == 302 and response.url.endswith("#attendance")
    assert gs.acting_chair_of(meeting=meeting) == voter
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Second Voter (acting chair, chosen at the meeting)" in page


def test_the_page_clears_the_acting_chair_when_the_chair_is_recorded_present(client, board):
    world, meeting, minutes, deputy, voter = board
    _both_away(world, meeting, deputy, voter, acting=voter)
    client.force_login(world.coordinator)
    url = _attendance_url(world, meeting)
    assert 'name="acting_chair"' in client.get(url).content.decode()
    response = client.post(
        url,
        {
            f"status_{world.chair.pk}": "present",
            f"status_{deputy.pk}": "absent",
            f"status_{world.member.pk}": "present",
            f"status_{voter.pk}": "present",
            "acting_chair": str(voter.pk),  # still chosen on the page
        },
    )
    assert response.status_code == 302
    assert gs.acting_chair_of(meeting=meeting) is None
    assert 'name="acting_chair"' not in client.get(url).content.decode()
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "acting chair, chosen at the meeting" not in page


def test_a_refused_acting_chair_is_shown_beside_the_field(client, board):
    world, meeting, minutes, deputy, voter = board
    _both_away(world, meeting, deputy, voter)
    client.force_login(world.coordinator)
    url = _attendance_url(world, meeting)
    response = client.post(
        url,
        {
            f"status_{world.chair.pk}": "apologies",
            f"status_{deputy.pk}": "absent",
            f"status_{world.member.pk}": "absent",
            f"status_{voter.pk}": "present",
            "acting_chair": str(world.member.pk),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "must be recorded present to chair the meeting" in html
    assert "<title>Error: " in html


def test_the_acting_chair_reviews_the_minutes_and_sees_them_in_their_tasks(client, board):
    world, meeting, minutes, deputy, voter = board
    _both_away(world, meeting, deputy, voter, acting=world.member)
    gs.minutes_submit(actor=world.coordinator, minutes=minutes)
    client.force_login(world.member)
    tasks = client.get(reverse("account:tasks")).content.decode()
    assert "Minutes to approve" in tasks
    review = reverse(
        "governance:minutes_review",
        kwargs={"partnership": world.partnership.slug, "pk": meeting.pk},
    )
    assert review in client.get(meeting.get_absolute_url()).content.decode()
    assert "acting chair (chosen at the meeting)" in client.get(review).content.decode().lower()
    response = client.post(review, {"outcome": "approve", "comments": ""})
    assert response.status_code == 302
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.APPROVED
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Chair: Member (acting chair, chosen at the meeting)" in page
    client.force_login(voter)
    assert "Minutes to approve" not in client.get(reverse("account:tasks")).content.decode()
