"""The calendar ahead (issue 16): a scheduled meeting (agenda not yet published) shows its
date, time and place to everyone as soon as it is scheduled, marked "Agenda not yet
published", in its page, the lists, "Your meetings" and the feeds; nothing of its draft agenda
(items, papers, attendance) reaches anyone but those who run the body until it is published.
And "Your tasks" tells co-ordinators when a body's schedule this year falls short."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from governance import selectors
from governance import services as gs
from governance.models import Meeting, MeetingStatus
from partnership import services as ps
from tests.governance.helpers import pdf_bytes, schedule
from tests.test_url_access import ROLES, _client_for, drain

NOT_YET = "Agenda not yet published"
RUN_THE_BOARD = {"chair", "coordinator"}


@pytest.fixture
def scheduled(world):
    """A Board meeting in a month, its draft agenda holding a confidential-sweep marker in an
    item, a paper and a decision, and a member's apologies already sent."""
    meeting = schedule(world, days=30, title="Spring meeting")
    item = gs.item_add(
        actor=world.coordinator,
        meeting=meeting,
        title="Merger SECRETDRAFT",
        purpose="decision",
        decision_required="To agree the SECRETDRAFT merger",
    )
    paper = gs.paper_add(
        actor=world.coordinator,
        item=item,
        title="Merger options SECRETDRAFT",
        owner=world.member,
        upload=("options.pdf", pdf_bytes()),
    )
    gs.apologies_send(actor=world.member, meeting=meeting)
    meeting.refresh_from_db()
    return meeting, item, paper


def _url(name: str, meeting: Meeting, **extra) -> str:
    return reverse(
        name, kwargs={"partnership": meeting.body.partnership.slug, "pk": meeting.pk, **extra}
    )


# --- the meeting's page -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_a_scheduled_meetings_date_time_and_place_are_shown_to_everyone(
    role, client, world, scheduled
):
    meeting, _, _ = scheduled
    client = _client_for(client, world, role)
    response = client.get(meeting.get_absolute_url())
    html = drain(response).decode()

    assert response.status_code == 200
    assert "Spring meeting" in html
    assert meeting.held_on.strftime("%-d %B %Y") in html
    assert "14:00" in html and "Council House, Committee Room 1" in html
    assert NOT_YET in html


@pytest.mark.parametrize("role", ROLES)
def test_nothing_of_a_draft_agenda_reaches_those_who_do_not_run_the_body(
    role, client, world, scheduled
):
    meeting, _, _ = scheduled
    client = _client_for(client, world, role)
    html = drain(client.get(meeting.get_absolute_url())).decode()

    assert ("SECRETDRAFT" in html) is (role in RUN_THE_BOARD)
    # Nor the apologies sent: attendance is the business's too.
    assert ("Apologies" in html) is (role in RUN_THE_BOARD)


@pytest.mark.parametrize("role", ROLES)
def test_a_draft_agendas_item_and_paper_are_not_found_but_by_those_who_run_the_body(
    role, client, world, scheduled
):
    meeting, _, paper = scheduled
    client = _client_for(client, world, role)
    expected = 200 if role in RUN_THE_BOARD else 404
    # The chair reads the draft paper once it is circulated; a co-ordinator from the start.
    for name in ("governance:paper", "governance:paper_file"):
        response = client.get(_url(name, meeting, paper=paper.pk))
        drain(response)
        want = 404 if role == "chair" else expected
        assert response.status_code == want, (name, role)
    response = client.get(_url("governance:agenda_pack_pdf", meeting))
    drain(response)
    assert response.status_code == 404


def test_the_selectors_withhold_a_draft_agenda_in_one_place(world, scheduled):
    meeting, item, _ = scheduled
    _, public = selectors.get_meeting_or_404(world.outsider, "testshire", meeting.pk)
    _, member = selectors.get_meeting_or_404(world.member, "testshire", meeting.pk)
    _, chair = selectors.get_meeting_or_404(world.chair, "testshire", meeting.pk)

    assert not public.agenda and not member.agenda and chair.agenda
    assert selectors.agenda(meeting=meeting, access=member).items == []
    assert selectors.agenda(meeting=meeting, access=member).withheld == 0
    assert item.pk in [i.pk for i in selectors.agenda(meeting=meeting, access=chair).items]
    assert selectors.minutes_visible(meeting=meeting, access=member) == []


def test_once_published_the_agenda_is_shown_as_before(client, world, scheduled):
    meeting, _, _ = scheduled
    gs.meeting_publish(actor=world.coordinator, meeting=meeting)
    html = drain(client.get(meeting.get_absolute_url())).decode()

    assert "Merger SECRETDRAFT" in html
    assert NOT_YET not in html


def test_a_meeting_cancelled_before_its_agenda_was_published_stays_hidden(client, world):
    meeting = schedule(world, days=10, title="Never held")
    gs.meeting_cancel(actor=world.coordinator, meeting=meeting, reason="No business")

    assert client.get(meeting.get_absolute_url()).status_code == 404
    client.force_login(world.coordinator)
    assert client.get(meeting.get_absolute_url()).status_code == 200


def test_a_member_may_send_apologies_before_the_agenda_is_published(client, world, scheduled):
    meeting, _, _ = scheduled
    client.force_login(world.chair)
    response = client.post(_url("governance:apologies", meeting), {"substitute": ""})

    assert response.status_code == 302
    assert meeting.attendance.filter(person=world.chair, status="apologies").exists()


# --- lists and feeds ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_lists_include_a_scheduled_meeting_tagged(role, client, world, scheduled):
    meeting, _, _ = scheduled
    client = _client_for(client, world, role)
    for url in (
        reverse("governance:meeting_list", kwargs={"partnership": "testshire"}),
        reverse("governance:body_meetings", kwargs={"partnership": "testshire", "body": "board"}),
    ):
        html = drain(client.get(url)).decode()
        assert "Spring meeting" in html and NOT_YET in html, url
        assert "SECRETDRAFT" not in html, url


def test_your_meetings_include_a_scheduled_one_tagged(client, world, scheduled):
    client.force_login(world.chair)
    html = drain(client.get(reverse("my_meetings"))).decode()

    assert "Spring meeting" in html and NOT_YET in html
    assert "SECRETDRAFT" not in html


@pytest.mark.parametrize("name", ["governance:feed_partnership", "governance:feed_body"])
def test_the_feeds_include_a_scheduled_meeting_and_not_its_agenda(name, client, world, scheduled):
    kwargs = {"partnership": "testshire"}
    if name == "governance:feed_body":
        kwargs["body"] = "board"
    client.force_login(world.coordinator)  # a feed is the public's, whoever fetches it
    feed = drain(client.get(reverse(name, kwargs=kwargs))).decode()

    assert "SUMMARY:Spring meeting" in feed
    assert NOT_YET in feed
    assert "Council House" in feed
    assert "SECRETDRAFT" not in feed


def test_a_cancelled_meeting_stays_as_it_was_in_the_feed(client, world, scheduled):
    meeting, _, _ = scheduled
    gs.meeting_publish(actor=world.coordinator, meeting=meeting)
    gs.meeting_cancel(actor=world.coordinator, meeting=meeting, reason="Snow")
    feed = drain(
        client.get(reverse("governance:feed_partnership", kwargs={"partnership": "testshire"}))
    ).decode()

    assert "STATUS:CANCELLED" in feed and "Cancelled: Snow" in feed
    assert NOT_YET not in feed


# --- a short schedule on "Your tasks" -----------------------------------------------------------


def _tasks(client) -> str:
    return drain(client.get(reverse("account:tasks"))).decode()


@pytest.fixture
def quarterly_board(world, today):
    """The Board meets four times a year, set up long ago, with one meeting this year."""
    world.board.meetings_a_year = 4
    world.board.established_on = date(2000, 1, 1)
    world.board.save(update_fields=["meetings_a_year", "established_on"])
    Meeting.objects.create(
        body=world.board, held_on=today, start_time=time(10, 0), status=MeetingStatus.DRAFT
    )
    return world.board


def test_a_coordinator_is_told_when_a_body_they_run_falls_short(client, world, quarterly_board):
    client.force_login(world.coordinator)
    html = _tasks(client)

    assert "Meetings to schedule" in html
    assert "Board: 1 of 4 meetings scheduled" in html
    assert "Schedule 3 more" in html


def test_nobody_else_is_told(client, world, quarterly_board):
    # The group co-ordinator runs the Safer Group and below, not the Board.
    for person in (world.group_coordinator, world.chair, world.member):
        client.force_login(person)
        assert "Meetings to schedule" not in _tasks(client), person


def test_a_schedule_with_enough_meetings_is_no_task(client, world, quarterly_board, today):
    for days in (30, 60, 90):
        Meeting.objects.create(
            body=world.board,
            held_on=today + timedelta(days=days) if days < 90 else today - timedelta(days=1),
            start_time=time(10, 0),
            status=MeetingStatus.PUBLISHED,
            published_at=timezone.now(),
        )
    client.force_login(world.coordinator)
    assert "Meetings to schedule" not in _tasks(client)


def test_the_task_agrees_with_the_bodys_own_shortfall(world, quarterly_board, today):
    from governance.selectors.frequency import bodies_short_of_meetings, schedule_shortfall

    group = ps.body_update(actor=None, body=world.group, meetings_a_year=6)
    group.established_on = date(2000, 1, 1)
    group.save(update_fields=["established_on"])
    short = {
        b.pk: b.scheduled
        for b in bodies_short_of_meetings(bodies=world.partnership.bodies.all(), today=today)
    }
    for body in world.partnership.bodies.all():
        shortfall = schedule_shortfall(body=body, today=today)
        expected = shortfall is not None and shortfall.missing > 0
        assert (body.pk in short) is expected, body.name
        if expected:
            assert short[body.pk] == shortfall.scheduled


def test_a_coordinators_tasks_cost_one_query_more_only_when_a_body_falls_short(
    client, world, django_assert_max_num_queries, quarterly_board
):
    from tests.membership.test_tasks_scale import QUERIES_FOR_A_COORDINATOR

    client.force_login(world.coordinator)
    with django_assert_max_num_queries(QUERIES_FOR_A_COORDINATOR + 1):
        _tasks(client)


# --- a draft meeting's business stays with those who run the body (review finding 1, 2) ---


def test_nothing_is_recorded_at_a_held_meeting_whose_agenda_was_not_published(world):
    from django.core.exceptions import ValidationError

    meeting = schedule(world, days=-1, title="Held in draft")
    item = gs.item_add(actor=world.coordinator, meeting=meeting, title="Grants")
    with pytest.raises(ValidationError, match="published"):
        gs.action_add(
            actor=world.coordinator,
            meeting=meeting,
            description="Draft action",
            owner=world.member,
            due_on=timezone.localdate(),
        )
    with pytest.raises(ValidationError, match="published"):
        gs.interest_declare(
            actor=world.coordinator, item=item, person=world.member, nature="Trustee"
        )
    with pytest.raises(ValidationError, match="published"):
        gs.attendance_record(
            actor=world.coordinator, meeting=meeting, records={world.member.pk: ("present", None)}
        )
    assert not meeting.actions.exists() and not meeting.attendance.exists()


def _draft_business(world):
    """A held meeting never published, with an action and a declared interest written
    straight to the database (as the review found possible before the services refused)."""
    from governance.models import Action, DeclaredInterest

    meeting = schedule(world, days=-1, title="Held in draft")
    item = gs.item_add(actor=world.coordinator, meeting=meeting, title="Grants")
    action = Action.objects.create(
        meeting=meeting,
        description="SECRETDRAFT action",
        owner=world.member,
        due_on=timezone.localdate(),
    )
    declared = DeclaredInterest.objects.create(item=item, person=world.member, nature="Trustee")
    return meeting, action, declared


@pytest.mark.parametrize("persona", ["member", "chair", "coordinator"])
def test_the_action_log_shows_a_draft_meetings_actions_only_to_those_who_run_the_body(
    world, client, persona
):
    meeting, action, _ = _draft_business(world)
    client.force_login(getattr(world, persona))
    url = reverse(
        "governance:action_log",
        kwargs={"partnership": world.partnership.slug, "body": world.board.slug},
    )
    page = client.get(url).content.decode()
    assert ("SECRETDRAFT action" in page) == (persona in RUN_THE_BOARD)


def test_a_member_cannot_act_on_a_draft_meetings_action_or_interest(world, client):
    meeting, action, declared = _draft_business(world)
    client.force_login(world.member)
    assert client.post(_url("governance:action_done", meeting, action=action.pk)).status_code == 403
    action.refresh_from_db()
    assert action.done_on is None
    url = _url("governance:declaration_from_meeting", meeting, interest=declared.pk)
    assert client.get(url).status_code == 404


def test_a_past_meeting_whose_agenda_never_went_out_was_not_held(world, quarterly_board):
    from governance.selectors.frequency import bodies_short_of_meetings, schedule_shortfall

    # Asked on a fixed day with a past day in its financial year, whatever the real date.
    asked = date(2026, 12, 3)
    before = schedule_shortfall(body=quarterly_board, today=asked).scheduled
    Meeting.objects.create(
        body=quarterly_board,
        held_on=asked - timedelta(days=1),
        start_time=time(10, 0),
        status=MeetingStatus.DRAFT,
    )
    assert schedule_shortfall(body=quarterly_board, today=asked).scheduled == before
    short = bodies_short_of_meetings(bodies=world.partnership.bodies.all(), today=asked)
    assert short.get(pk=quarterly_board.pk).scheduled == before
