"""A body's page lists its members 50 at a time, paged in the database (?page=, and for
co-ordinators the past and future members by ?past=), in the same queries for 5 members as for
500; the seats, vacancies, missing sectors and contact rules read the same as before."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from membership.models import Membership, Role, Seat, User
from tests.pages import html_of, section

PUBLIC_EMAIL = "open"  # the address of someone who shows their contact details to the public
PRIVATE_EMAIL = "unlisted"  # and of someone who does not


def grow(world, n: int, *, organisation=None, role: str = Role.MEMBER, past: bool = False):
    """``n`` more people on the Board (or, if ``past``, whose membership ended last week), every
    other one showing their contact details to the public. Written straight to the tables: the
    body's page only reads them, and 500 appointments through the services would take minutes.
    Person ``i`` is named so that they sort ``i``th among those grown."""
    start = 1000 + Membership.objects.filter(seat__name__startswith="Grown").count()
    seat = Seat.objects.create(body=world.board, name=f"Grown {start}", count=n + 2, voting=True)
    people = User.objects.bulk_create(
        User(
            email=f"{PUBLIC_EMAIL if i % 2 else PRIVATE_EMAIL}{start + i}@example.org",
            full_name=f"Sitter {start + i:05d}",
            contact_public=bool(i % 2),
        )
        for i in range(n)
    )
    ends_on = world.start + timedelta(days=20) if past else None
    Membership.objects.bulk_create(
        Membership(
            person=p,
            body=world.board,
            seat=seat,
            organisation=organisation,
            role=role,
            starts_on=world.start,
            ends_on=ends_on,
            end_reason="Term over" if past else "",
        )
        for p in people
    )


def body_url(world, query: str = "") -> str:
    address = reverse(
        "membership:body", kwargs={"partnership": world.partnership.slug, "body": world.board.slug}
    )
    return f"{address}?{query}" if query else address


def sitters(html: str) -> list[int]:
    """The people grown, in the order listed, once each (a co-ordinator's "Manage" link names
    them again for screen readers)."""
    return list(dict.fromkeys(int(n) for n in re.findall(r"Sitter (\d+)", html)))


# --- the number of queries ------------------------------------------------------------------

# Session, user and the viewer's rights when signed in; the body, its seats with the places held,
# the sectors present and whether the viewer sits on it (one query), one page of members, the
# bodies reporting to it, its latest elections and the structure changes' events (its banner
# and timeline, issue 16). A co-ordinator also has a page of the past and future members
# (counted with the seats) and the body's history.
QUERIES = {"anonymous": 6, "member": 10, "coordinator": 11}


@pytest.mark.parametrize("role", list(QUERIES))
def test_the_body_page_takes_as_many_queries_for_500_members_as_for_5(
    client, world, role, django_assert_num_queries
):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    grow(world, 5)
    grow(world, 5, past=True)
    with django_assert_num_queries(QUERIES[role]):
        html = html_of(client, body_url(world))
    assert len(sitters(section(html, "members"))) == 5

    grow(world, 495)
    grow(world, 495, past=True)
    with django_assert_num_queries(QUERIES[role]):
        html = html_of(client, body_url(world))
    assert len(sitters(section(html, "members"))) == 50 - 2  # the chair and the member first
    if role == "coordinator":
        assert len(sitters(section(html, "past-members"))) == 50


# --- the members table ----------------------------------------------------------------------


def test_page_2_holds_members_51_to_100(client, world):
    grow(world, 500)
    html = section(html_of(client, body_url(world, "page=2")), "members")
    # The chair and the member come first (by role, then name), so Sitters 1048 to 1097.
    assert "502 members, showing 51 to 100." in html
    assert ", page 2 of 11</caption>" in html
    assert sitters(html) == list(range(1048, 1098))


def test_the_public_never_sees_unpublished_contact_details_on_any_page(client, world):
    grow(world, 120)
    for page in (1, 2, 3):
        html = section(html_of(client, body_url(world, f"page={page}")), "members")
        assert PRIVATE_EMAIL not in html
        assert "Manage" not in html
    assert f"mailto:{PUBLIC_EMAIL}1001@example.org" in html_of(client, body_url(world))


def test_a_fellow_member_sees_contact_details_on_every_page(client, world):
    client.force_login(world.member)
    grow(world, 120)
    html = section(html_of(client, body_url(world, "page=3")), "members")
    assert f"mailto:{PRIVATE_EMAIL}1100@example.org" in html
    assert "Not shown to the public" in html


def test_someone_who_left_the_body_sees_only_published_contact_details(client, world, today):
    Membership.objects.filter(pk=world.member_membership.pk).update(ends_on=today)
    client.force_login(world.member)
    grow(world, 10)
    html = section(html_of(client, body_url(world)), "members")
    assert PRIVATE_EMAIL not in html and PUBLIC_EMAIL in html


def test_a_coordinator_manages_members_on_any_page(client, world):
    client.force_login(world.coordinator)
    grow(world, 120)
    html = section(html_of(client, body_url(world, "page=3")), "members")
    assert html.count("Manage<span") == len(sitters(html)) == 22


def test_the_page_links_say_what_they_are_and_keep_the_other_tables_page(client, world):
    client.force_login(world.coordinator)
    grow(world, 120)
    grow(world, 120, past=True)
    html = html_of(client, body_url(world, "page=2&past=3"))
    members, past = section(html, "members"), section(html, "past-members")
    assert 'aria-label="Pages of members"' in members
    assert 'Previous<span class="govuk-visually-hidden"> page</span>' in members
    assert 'aria-label="Page 3"' in members
    assert 'href="?past=3&amp;page=3#members"' in members
    assert 'aria-label="Pages of past and future members"' in past
    assert 'href="?page=2&amp;past=2#past-members"' in past
    assert "120 memberships, showing 101 to 120." in past


def test_a_page_out_of_range_shows_the_last_page(client, world):
    grow(world, 60)
    html = section(html_of(client, body_url(world, "page=9")), "members")
    assert "62 members, showing 51 to 62." in html


# --- what the page says of the whole body, from the database ----------------------------------


def test_seats_count_the_places_held_today_and_only_today(client, world):
    grow(world, 60)
    grow(world, 3, past=True)
    html = section(html_of(client, body_url(world)), "seats")
    # Each grown seat has two places more than it was given people; the past ones hold none.
    assert html.count("2 vacant") == 1 and "5 vacant" in html
    assert "1 vacant" in html  # the Board's council seat: three places, two held


def test_missing_sectors_count_voting_members_by_organisation_else_seat(client, world):
    grow(world, 3, organisation=world.business, role=Role.OBSERVER)
    html = html_of(client, body_url(world))
    # The council's members are public sector; an observer does not count for the private one.
    assert "no private or voluntary, community and faith sector member" in html.lower()
    grow(world, 1, organisation=world.business)
    html = html_of(client, body_url(world))
    assert "no voluntary, community and faith sector member" in html.lower()
    grow(world, 1, organisation=world.charity)
    assert "sector member. Each body" not in html_of(client, body_url(world))
