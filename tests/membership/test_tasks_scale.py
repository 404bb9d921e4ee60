""" "Your tasks" at scale: a partnership co-ordinator of many bodies, each with something due
(a vacant place, a membership ending, a late paper, apologies for a coming meeting), gets the
page in the same number of queries however many bodies there are; and a long group lists its
50 most urgent tasks and says how many more there are."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from governance import services as gs
from membership import services as ms
from membership.services.review_chasing import bodies_due_review
from partnership import services as ps
from partnership.tasklist import SHOWN_A_GROUP, Task, TaskGroup
from tests.factories import UserFactory
from tests.governance.helpers import schedule

TASKS = reverse("account:tasks")

# Session and user; the person's places (memberships, appointments and their part in the open
# elections, in one union), the agreement, the places (vacant seats and memberships ending,
# for every partnership co-ordinated), rights, every app's first cut (one query: which kinds
# of task they may have), governance (papers, their own and the late ones, and apologies; no
# actions) and nothing of performance, where they have no return to sign off (see the -v
# output).
QUERIES_FOR_A_COORDINATOR = 11


def _bodies(world, n: int, *, start: int = 0) -> None:
    """``n`` bodies under the Board, each with a vacant place, a member whose membership ends
    in three weeks, and a meeting in two days with that member's paper late and apologies."""
    today = timezone.localdate()
    for i in range(start, start + n):
        body = ps.body_create(
            actor=None,
            partnership=world.partnership,
            name=f"Group {i:03}",
            kind="thematic_group",
            parent=world.board,
        )
        seat = ms.seat_create(actor=None, body=body, name="Partners", count=2, voting=True)
        person = UserFactory(email=f"person{i}@example.org", full_name=f"Person {i:03}")
        ms.membership_create(
            actor=None,
            body=body,
            seat=seat,
            person=person,
            starts_on=world.start,
            ends_on=today + timedelta(days=21),
        )
        meeting = schedule(world, days=2, body=body)
        item = gs.item_add(actor=world.coordinator, meeting=meeting, title=f"Item {i}")
        gs.paper_add(actor=world.coordinator, item=item, title=f"Paper {i}", owner=person)
        gs.meeting_publish(actor=world.coordinator, meeting=meeting)
        gs.apologies_send(actor=person, meeting=meeting)


def _tasks(html: str) -> int:
    return html.count('<li class="govuk-task-list__item')


def test_a_coordinators_page_is_pinned_at_3_and_30_bodies(client, world, django_assert_num_queries):
    _bodies(world, 3)
    client.force_login(world.coordinator)
    client.get(TASKS)  # a first request warms the session
    with django_assert_num_queries(QUERIES_FOR_A_COORDINATOR):
        html = client.get(TASKS).content.decode()
    assert "Group 002: 1 vacant place (Partners)" in html
    assert "Group 002: Person 002&#x27;s membership ends" in html
    assert "Paper 2 (from Person 002)" in html
    assert "Group 002, " in html and ": 1 apology" in html
    few = _tasks(html)
    _bodies(world, 27, start=3)
    with django_assert_num_queries(QUERIES_FOR_A_COORDINATOR):
        html = client.get(TASKS).content.decode()
    # Each new body adds four tasks: two places, a late paper and its apologies; the places
    # group grows past 50, so the page lists 50 of them and counts the rest.
    places = 2 * 30 + 3  # and the vacancies of the world's Board and two groups
    # From 1 October each body with members and no membership review this year also asks its
    # co-ordinator to open one (membership.services.review_chasing): one more task a body.
    reviews = bodies_due_review(today=timezone.localdate()).filter(name="Group 029").exists()
    assert _tasks(html) == few - (2 * 3 + 3) + SHOWN_A_GROUP + 2 * 27 + (27 if reviews else 0)
    assert f"And {places - SHOWN_A_GROUP} more, less urgent, not listed here." in html
    assert "Group 029, " in html and "Paper 29 (from Person 029)" in html


# Session and user; their places (none), rights (none) and every app's first cut: nothing more
# for someone with no place and nothing to do, however large the partnership.
QUERIES_FOR_SOMEONE_WITH_NOTHING_TO_DO = 5


def test_someone_with_nothing_to_do_is_pinned_at_3_and_30_bodies(
    client, world, django_assert_num_queries
):
    _bodies(world, 3)
    client.force_login(world.outsider)
    client.get(TASKS)  # a first request warms the session
    with django_assert_num_queries(QUERIES_FOR_SOMEONE_WITH_NOTHING_TO_DO):
        html = client.get(TASKS).content.decode()
    assert "You have nothing to do." in html
    _bodies(world, 27, start=3)
    with django_assert_num_queries(QUERIES_FOR_SOMEONE_WITH_NOTHING_TO_DO):
        assert "You have nothing to do." in client.get(TASKS).content.decode()


def test_a_group_shows_its_most_urgent_fifty_and_counts_the_rest():
    today = timezone.localdate()
    tasks = [
        Task(group="Actions", title=f"Action {i:03}", url="/", due_on=today + timedelta(days=i))
        for i in range(SHOWN_A_GROUP + 7)
    ]
    group = TaskGroup("Actions", tasks)
    assert [t.title for t in group.shown] == [f"Action {i:03}" for i in range(SHOWN_A_GROUP)]
    assert group.more == 7
    assert TaskGroup("Actions", tasks[:3]).more == 0
