"""A meeting's page at scale: a 20-item agenda on a large body costs the same number of
queries whatever the members, their register entries and the items, and the interest flags
computed in the database are exactly those the flags computed in Python gave."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from governance import selectors
from governance import services as gs
from governance.models import Declaration, InterestKind
from governance.selectors.registers import InterestFlag, attach_standing_rulings
from membership import services as ms
from membership.models import Membership, Seat, User
from partnership.models import Organisation
from tests.factories import OrganisationFactory
from tests.governance.helpers import schedule

ITEMS = 20


def old_interest_flags(*, meeting) -> dict:
    """The flags as they were computed before issue 14 (every register entry of every member
    loaded and matched in Python): the reference the database version must agree with."""
    items = list(meeting.items.prefetch_related("organisations", "bodies"))
    sitting = (
        Membership.objects.current(on=meeting.held_on)
        .filter(body_id=meeting.body_id)
        .values("person_id")
    )
    declarations = list(
        Declaration.objects.live(on=meeting.held_on)
        .filter(person_id__in=sitting, partnership_id=meeting.body.partnership_id)
        .select_related("person", "organisation", "body")
        .order_by("person__full_name", "pk")
    )
    attach_standing_rulings(declarations, body_id=meeting.body_id)
    flags: dict = {}
    for item in items:
        organisations = {o.pk for o in item.organisations.all()}
        bodies = {b.pk for b in item.bodies.all()}
        projects = {line.strip().lower() for line in item.projects.splitlines() if line.strip()}
        for d in declarations:
            if (
                d.organisation_id in organisations
                or d.body_id in bodies
                or (d.project and d.project.lower() in projects)
            ):
                flag = InterestFlag(d.person, d, d.standing_ruling, d.ruling_is_earlier)
                flags.setdefault(item, []).append(flag)
    return flags


def summary(flags: dict) -> dict:
    return {
        item.pk: [
            (f.person.pk, f.declaration.pk, f.ruling.pk if f.ruling else None, f.ruling_is_earlier)
            for f in found
        ]
        for item, found in flags.items()
    }


def add_members(world, count: int, *, organisations: list[Organisation]) -> None:
    """``count`` more members of the Board, each with register entries in an organisation, a
    project and (every seventh) a body. Made in bulk: the services would take minutes at
    this size, and nothing here is about how they were made."""
    board, start = world.board, world.start
    seat = Seat.objects.create(body=board, name=f"Assembly {count}", count=count, voting=True)
    first = User.objects.count()
    people = User.objects.bulk_create(
        User(email=f"big{first + i}@example.org", full_name=f"Big Member {first + i:04d}")
        for i in range(count)
    )
    Membership.objects.bulk_create(
        Membership(person=p, body=board, seat=seat, organisation=world.council, starts_on=start)
        for p in people
    )
    entries = []
    for i, p in enumerate(people):
        common = {
            "partnership": world.partnership,
            "person": p,
            "kind": InterestKind.FINANCIAL,
            "holder": "self",
            "description": "Bulk entry",
            "starts_on": start,
        }
        entries.append(Declaration(organisation=organisations[i % len(organisations)], **common))
        entries.append(Declaration(project=f"Project {i % 30}", **common))
        if i % 7 == 0:
            entries.append(Declaration(body=world.group, **common))
        if i % 11 == 0:  # ended: never flagged
            entries.append(
                Declaration(
                    project="project 1", **{**common, "ended_on": start + timedelta(days=1)}
                )
            )
    Declaration.objects.bulk_create(entries)


def build_agenda(world, meeting, *, organisations: list[Organisation]) -> list:
    """Twenty items: some name organisations, bodies or projects (mixed case, padded lines),
    some name nothing."""
    items = []
    for n in range(ITEMS):
        concerns = {}
        if n % 4 == 0:
            concerns["organisations"] = [organisations[n % len(organisations)]]
        if n % 5 == 0:
            concerns["bodies"] = [world.group]
        if n % 3 == 0:
            concerns["projects"] = f"  PROJECT {n}  \n\nproject {n + 1}\nYouth Hub"
        items.append(
            gs.item_add(actor=world.coordinator, meeting=meeting, title=f"Item {n}", **concerns)
        )
    return items


@pytest.fixture
def organisations(world):
    return [OrganisationFactory(partnership=world.partnership) for _ in range(12)]


@pytest.fixture
def meeting(world, organisations):
    meeting = schedule(world, days=3)
    build_agenda(world, meeting, organisations=organisations)
    return meeting


@pytest.fixture
def personas(world, organisations, meeting):
    """The register entries the flags are checked on: the member's in the organisation item 8
    names, ruled on and then changed (the ruling on the earlier version stands), and in a
    project, ruled on; the chair's in a named body, a project named in other case and one
    never named; the other member's (not on the Board) in a named organisation."""
    named = meeting.items.get(title="Item 8").organisations.get()
    old = gs.declaration_create(
        actor=world.member, partnership=world.partnership, person=world.member,
        kind="financial", holder="self", organisation=named, description="Director",
        starts_on=world.start,
    )  # fmt: skip
    gs.ruling_make(
        actor=world.chair, declaration=old, body=world.board, outcome="restricted",
        restrictions="Grants to it", reason="Direct interest",
    )  # fmt: skip
    gs.declaration_update(
        actor=world.member, declaration=old, changed_on=world.start + timedelta(days=5),
        change_note="Now a trustee",
    )  # fmt: skip
    ruled = gs.declaration_create(
        actor=world.member, partnership=world.partnership, person=world.member,
        kind="personal", holder="self", project="youth hub", description="Volunteer",
        starts_on=world.start,
    )  # fmt: skip
    gs.ruling_make(
        actor=world.chair, declaration=ruled, body=world.board, outcome="noted", reason="Minor"
    )
    for fields in ({"body": world.group}, {"project": "Project 3"}, {"project": "Project 33"}):
        gs.declaration_create(
            actor=world.chair, partnership=world.partnership, person=world.chair,
            kind="business", holder="self", description="Chair's interest",
            starts_on=world.start, **fields,
        )  # fmt: skip
    gs.declaration_create(
        actor=world.other_member, partnership=world.partnership, person=world.other_member,
        kind="financial", holder="self", organisation=named, description="Not on the Board",
        starts_on=world.start,
    )  # fmt: skip


# --- the flags ------------------------------------------------------------------------------


def test_the_flags_are_exactly_those_the_old_rule_gave(world, organisations, meeting, personas):
    add_members(world, 60, organisations=organisations)

    flags = selectors.interest_flags(meeting=meeting)

    assert summary(flags) == summary(old_interest_flags(meeting=meeting))
    assert list(flags) == sorted(flags, key=lambda item: item.position)


def test_a_member_with_a_changed_interest_is_flagged_with_the_earlier_ruling(
    world, meeting, personas
):
    first = meeting.items.get(title="Item 8")  # names the member's organisation only
    (flag,) = selectors.interest_flags(meeting=meeting)[first]
    assert flag.person == world.member
    assert flag.declaration.is_live(on=meeting.held_on) and flag.declaration.supersedes_id
    assert flag.ruling.outcome == "restricted" and flag.ruling_is_earlier


def test_a_named_body_and_a_project_in_other_case_flag_the_chair(world, meeting, personas):
    items = {item.title: item for item in meeting.items.all()}
    flags = selectors.interest_flags(meeting=meeting)
    about_group = flags[items["Item 0"]]  # names the group and the project "Youth Hub"
    assert {(f.person, f.declaration.body, f.declaration.project) for f in about_group} == {
        (world.chair, world.group, ""),
        (world.member, None, "youth hub"),
    }
    (ruled,) = [f for f in about_group if f.declaration.project]
    assert ruled.ruling.outcome == "noted" and not ruled.ruling_is_earlier
    # Item 3 names "  PROJECT 3  ": a whole line matches, whatever its case and padding.
    projects = [f.declaration.project for f in flags[items["Item 3"]]]
    assert projects == ["Project 3", "youth hub"]


def test_each_flag_reads_as_the_meeting_page_shows_it(world, meeting, personas):
    items = {item.title: item for item in meeting.items.all()}
    flags = selectors.interest_flags(meeting=meeting)
    named = items["Item 8"].organisations.get()
    (changed,) = flags[items["Item 8"]]
    assert changed.text == (
        f"financial interest in {named.name} (ruling on the earlier version, until the change "
        "is ruled on: restricted from named items or projects, Grants to it)"
    )
    texts = {f.text for f in flags[items["Item 0"]]}
    assert texts == {
        f"business interest in {world.group.name} (awaiting a ruling)",
        "personal interest in youth hub (ruling: noted: may take part)",
    }


def test_the_pages_lines_are_the_flags_in_order_and_the_rest_counted(
    world, organisations, meeting, personas
):
    add_members(world, 60, organisations=organisations)
    items = list(meeting.items.all())
    flags = selectors.interest_flags(meeting=meeting, items=items)
    lines = selectors.interest_flag_lines(meeting=meeting, items=items, shown=1000)
    assert list(lines) == list(flags)
    for item, found in flags.items():
        assert lines[item].shown == [(f.person.full_name, f.text) for f in found]
        assert (lines[item].count, lines[item].more) == (len(found), 0)
    capped = selectors.interest_flag_lines(meeting=meeting, items=items, shown=1)
    for item, found in flags.items():
        assert capped[item].shown == lines[item].shown[:1]
        assert (capped[item].count, capped[item].more) == (len(found), len(found) - 1)


def test_the_page_lists_ten_flags_an_item_and_counts_the_rest(client, world, meeting, personas):
    gs.meeting_publish(actor=world.coordinator, meeting=meeting)
    item = meeting.items.get(title="Item 8")  # names one organisation
    named = item.organisations.get()
    for n in range(14):
        person = User.objects.create(email=f"flagged{n}@example.org", full_name=f"Flagged {n:02}")
        Membership.objects.create(
            person=person, body=world.board, seat=world.board.seats.first(),
            organisation=named, starts_on=world.start,
        )  # fmt: skip
        gs.declaration_create(
            actor=person, partnership=world.partnership, person=person, kind="personal",
            holder="self", organisation=named, description="Trustee", starts_on=world.start,
        )  # fmt: skip
    client.force_login(world.coordinator)
    html = client.get(meeting.get_absolute_url()).content.decode()
    card = html[html.index(f'id="item-{item.pk}"') :]  # the item's card, and what follows
    assert card.count("Flagged 0") == 10  # Flagged 00 to 09, then the member and the rest
    assert "And 5 more (15 in all): see the" in card
    interests = reverse(
        "governance:body_interests",
        kwargs={"partnership": world.partnership.slug, "body": world.board.slug},
    )
    assert f'href="{interests}">register of interests</a>' in card


def test_the_page_shows_the_flags_to_those_who_run_the_body(client, world, meeting, personas):
    gs.meeting_publish(actor=world.coordinator, meeting=meeting)
    client.force_login(world.coordinator)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert f"{world.chair.full_name}: business interest in {world.group.name} (awaiting" in page
    client.force_login(world.member)
    assert "awaiting a ruling" not in client.get(meeting.get_absolute_url()).content.decode()


def test_someone_not_on_the_body_is_never_flagged(world, meeting, personas):
    flagged = {
        f.person for found in selectors.interest_flags(meeting=meeting).values() for f in found
    }
    assert world.other_member not in flagged


def test_a_member_who_has_left_is_not_flagged(world, meeting, personas):
    ms.membership_end(
        actor=None, membership=world.member_membership, ends_on=world.start + timedelta(days=1)
    )
    flagged = {
        f.person for found in selectors.interest_flags(meeting=meeting).values() for f in found
    }
    assert flagged == {world.chair}


def test_an_agenda_that_names_nothing_flags_nobody_without_reading_the_register(
    world, django_assert_num_queries
):
    meeting = schedule(world, days=3)
    gs.item_add(actor=world.coordinator, meeting=meeting, title="Apologies")
    with django_assert_num_queries(2):  # the items, and what they name (one query)
        assert selectors.interest_flags(meeting=meeting) == {}


# --- whether the viewer sits on the body ------------------------------------------------------


def test_the_viewers_place_on_the_body_is_found_in_one_query(
    world, meeting, django_assert_num_queries
):
    with django_assert_num_queries(1):
        found = gs.meeting_membership(meeting=meeting, person=world.member)
        assert (found.seat.name, found.organisation, found.person) == (
            "Council", world.council, world.member,
        )  # fmt: skip
    with django_assert_num_queries(1):
        assert gs.meeting_membership(meeting=meeting, person=world.other_member) is None


def test_whether_the_viewer_sits_on_the_body_is_one_exists(
    world, meeting, django_assert_num_queries
):
    with django_assert_num_queries(1):
        assert gs.sits_on_body(meeting=meeting, person=world.member)
    with django_assert_num_queries(1):
        assert not gs.sits_on_body(meeting=meeting, person=world.other_member)
    with django_assert_num_queries(0):
        assert not gs.sits_on_body(meeting=meeting, person=AnonymousUser())


def test_a_member_who_has_left_has_no_place_on_the_day(world, meeting):
    ms.membership_end(
        actor=None, membership=world.member_membership, ends_on=world.start + timedelta(days=1)
    )
    assert gs.meeting_membership(meeting=meeting, person=world.member) is None
    assert gs.meeting_membership(meeting=meeting, person=world.chair) == world.chair_membership
    assert not gs.sits_on_body(meeting=meeting, person=world.member)
    assert gs.sits_on_body(meeting=meeting, person=world.chair)


# --- the page ----------------------------------------------------------------------------------


# The session and user, the meeting and rights, the agenda (items, papers, declared
# interests, late papers), minutes, attendance and, for those who see them, the interest flags
# (what the items name, the entries concerned, their rulings), actions and history.
# Those who run the body find the late papers among the agenda's, without a query of their own.
PAGE_QUERIES = {"coordinator": 15, "chair": 16, "member": 12, "outsider": 11}


@pytest.mark.parametrize("viewer", ["coordinator", "chair", "member", "outsider"])
def test_the_meeting_page_takes_as_many_queries_for_300_members_as_for_5(
    client, world, organisations, meeting, personas, viewer, django_assert_num_queries
):
    client.force_login(getattr(world, viewer))
    url = meeting.get_absolute_url()
    gs.meeting_publish(actor=world.coordinator, meeting=meeting)
    client.get(url)  # warm the per-process caches (the partnership's tree)
    add_members(world, 5, organisations=organisations)
    with django_assert_num_queries(PAGE_QUERIES[viewer]) as small:
        assert client.get(url).status_code == 200

    add_members(world, 295, organisations=organisations)
    gs.item_add(actor=world.coordinator, meeting=meeting, title="Late item", projects="Project 9")
    with django_assert_num_queries(PAGE_QUERIES[viewer]) as large:
        response = client.get(url)
    assert response.status_code == 200
    assert len(small.captured_queries) == len(large.captured_queries)
    if viewer in ("coordinator", "chair"):
        assert b"Big Member" in response.content  # the flags are on the page
