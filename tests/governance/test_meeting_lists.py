"""The meetings lists (the partnership's calendar and a body's meetings): upcoming and past
meetings filtered, ordered and paged in the database, 50 a page, each list with a page
parameter of its own (?upcoming= and ?page=), in the same few queries however long the
partnership's history; scheduled meetings (agenda not yet published) for everyone, meetings
cancelled before their agenda was published only for those who run the body."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from governance import selectors
from governance.models import Meeting, MeetingStatus
from partnership import services as ps
from tests.conftest import fresh
from tests.pages import html_of, section


def add_meetings(
    body, days, *, draft: bool = False, hidden: bool = False, title: str = ""
) -> list[Meeting]:
    """Meetings of ``body`` ``days`` from today, published unless ``draft`` (scheduled, agenda
    not yet published) or ``hidden`` (cancelled before its agenda was published: the only
    meetings the public never sees). Written straight to the table: the lists read nothing
    else, and sixty meetings through the services would slow the tests for nothing."""
    today = timezone.localdate()
    status = MeetingStatus.PUBLISHED
    if draft or hidden:
        status = MeetingStatus.CANCELLED if hidden else MeetingStatus.DRAFT
    return Meeting.objects.bulk_create(
        Meeting(
            body=body,
            title=f"{title or body.name} {day:+d}",
            held_on=today + timedelta(days=day),
            start_time=time(10, 0),
            status=status,
            published_at=None if draft or hidden else timezone.now(),
        )
        for day in days
    )


def calendar(world) -> str:
    return reverse("governance:meeting_list", kwargs={"partnership": world.partnership.slug})


def board_meetings(world) -> str:
    return reverse(
        "governance:body_meetings",
        kwargs={"partnership": world.partnership.slug, "body": world.board.slug},
    )


def titles(html: str) -> list[str]:
    return re.findall(r'<a class="govuk-link" href="/p/[^"]*/meetings/\d+/">([^<]+)</a>', html)


# --- the number of queries ------------------------------------------------------------------


# Session, user, the partnership (or the body), the viewer's rights, the partnership's tree
# (a body co-ordinator's rights cover the bodies below theirs), both lists' sizes in one
# query, and one page of each list.
QUERIES = 8


@pytest.mark.parametrize("page", [calendar, board_meetings])
def test_a_meetings_list_takes_as_many_queries_for_60_past_meetings_as_for_3(
    client, world, page, django_assert_num_queries
):
    client.force_login(world.group_coordinator)
    add_meetings(world.board, range(1, 4))
    add_meetings(world.board, range(-3, 0))
    with django_assert_num_queries(QUERIES):
        html_of(client, page(world))

    add_meetings(world.board, range(4, 61))
    add_meetings(world.board, range(-60, -3))
    with django_assert_num_queries(QUERIES):
        html = html_of(client, page(world))
    assert len(titles(section(html, "past"))) == 50


def test_which_hidden_meetings_a_user_sees_takes_the_same_queries_for_20_bodies_as_for_4(
    world, django_assert_num_queries
):
    def listed() -> list[Meeting]:
        user = fresh(world.group_coordinator)  # rights are cached per user instance
        # The rights, the partnership's tree and the meetings: never a query per body.
        with django_assert_num_queries(3):
            return list(selectors.meetings_for(user=user, partnership=world.partnership))

    add_meetings(world.subgroup, [5], hidden=True)
    assert len(listed()) == 1
    for i in range(16):
        body = ps.body_create(
            actor=None, partnership=world.partnership, name=f"Forum {i}", kind="forum"
        )
        add_meetings(body, [5], hidden=True)
    assert len(listed()) == 1


# --- order and pages --------------------------------------------------------------------------


def test_todays_meetings_are_coming_up_soonest_first_and_past_ones_newest_first(client, world):
    add_meetings(world.board, [3, 0, 10, -1, -20, -5], title="Board")
    html = html_of(client, calendar(world))

    assert titles(section(html, "upcoming")) == ["Board +0", "Board +3", "Board +10"]
    assert titles(section(html, "past")) == ["Board -1", "Board -5", "Board -20"]
    assert "Past meetings, newest first" in html
    assert "Meetings coming up, soonest first" in html


@pytest.mark.parametrize("page", [calendar, board_meetings])
def test_the_51st_past_meeting_is_on_page_2(client, world, page):
    add_meetings(world.board, range(-51, 0), title="Board")

    first = section(html_of(client, page(world)), "past")
    assert len(titles(first)) == 50
    assert "Board -51" not in titles(first)
    assert 'aria-label="Pages of past meetings"' in first
    assert 'href="?page=2#past"' in first

    second = section(html_of(client, page(world) + "?page=2"), "past")
    assert titles(second) == ["Board -51"]
    assert "page 2 of 2" in second


def test_paging_the_past_keeps_the_page_of_upcoming_meetings_and_the_other_way_round(client, world):
    add_meetings(world.board, range(1, 52), title="Board")
    add_meetings(world.board, range(-51, 0), title="Board")

    html = html_of(client, calendar(world) + "?page=2")
    assert titles(section(html, "past")) == ["Board -51"]
    assert len(titles(section(html, "upcoming"))) == 50
    assert "Board +1" in titles(section(html, "upcoming"))
    # Each list's links keep the other list where it is.
    assert 'href="?page=2&amp;upcoming=2#upcoming"' in section(html, "upcoming")

    html = html_of(client, calendar(world) + "?upcoming=2&page=2")
    assert titles(section(html, "upcoming")) == ["Board +51"]
    assert titles(section(html, "past")) == ["Board -51"]
    assert 'href="?upcoming=2&amp;page=1#past"' in section(html, "past")


# --- drafts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("page", [calendar, board_meetings])
def test_the_public_sees_scheduled_meetings_tagged_and_never_a_hidden_one(client, world, page):
    add_meetings(world.board, [-2, 2], draft=True, title="Draft")
    add_meetings(world.board, [-4, 4], hidden=True, title="Hidden")
    add_meetings(world.board, [-3, 3], title="Published")

    html = html_of(client, page(world))
    assert sorted(titles(html)) == ["Draft +2", "Draft -2", "Published +3", "Published -3"]
    assert "Agenda not yet published" in section(html, "upcoming")

    client.force_login(world.coordinator)
    assert sorted(titles(html_of(client, page(world)))) == [
        "Draft +2",
        "Draft -2",
        "Hidden +4",
        "Hidden -4",
        "Published +3",
        "Published -3",
    ]


def test_a_body_coordinator_sees_hidden_meetings_of_their_body_and_below_only(client, world):
    for body in (world.board, world.group, world.subgroup, world.other):
        add_meetings(body, [2], hidden=True, title=f"Draft of {body.name}")

    client.force_login(world.group_coordinator)
    assert sorted(titles(html_of(client, calendar(world)))) == [
        "Draft of Safer Group +2",
        "Draft of Safer Sub-group +2",
    ]


def test_a_chair_sees_hidden_meetings_of_the_body_they_chair_only(client, world):
    for body in (world.board, world.group):
        add_meetings(body, [2], hidden=True, title=f"Draft of {body.name}")

    client.force_login(world.chair)
    assert titles(html_of(client, calendar(world))) == ["Draft of Board +2"]
    client.force_login(world.member)
    assert titles(html_of(client, calendar(world))) == []


def test_the_list_shows_a_hidden_meeting_exactly_to_those_who_see_it_on_its_own_page(world):
    """The list's rule, read from the rights in bulk, is ``body_access``'s, body by body."""
    bodies = (world.board, world.group, world.subgroup, world.other)
    drafts = {body: add_meetings(body, [2], hidden=True)[0] for body in bodies}
    for persona in ("coordinator", "group_coordinator", "chair", "member", "other_member"):
        user = fresh(getattr(world, persona))
        listed = set(selectors.meetings_for(user=user, partnership=world.partnership))
        for body, draft in drafts.items():
            expected = selectors.body_access(user, body).see_drafts
            assert (draft in listed) is expected, (persona, body.name)
