"""Every meeting URL, for every role, including direct links to confidential papers and PDFs.

The roles are those of tests/test_url_access.py. The Board's meetings are used: the member
and the chair sit on it; the group co-ordinator co-ordinates another part of the tree and so
sees the Board's meetings as the public does.
"""

import pytest
from django.urls import reverse

from governance.documents import documents_render
from partnership.search.indexing import rebuild
from tests.governance.helpers import build_meetings
from tests.test_url_access import (
    PARTNERSHIP_COORDINATOR,
    PUBLIC,
    ROLES,
    SIGNED_IN,
    _check,
    _client_for,
    drain,
)

GROUP_COORDINATORS = {**PARTNERSHIP_COORDINATOR, "group_coordinator": 200}
# What a member of the Board (the member, the chair) and its co-ordinator may see, and the
# public (everyone else) may not: 404, because to them it does not exist.
BOARD_ONLY = {**dict.fromkeys(ROLES, 404), "member": 200, "chair": 200, "coordinator": 200}
BOARD_MEMBERS = {**dict.fromkeys(ROLES, 403), "anonymous": "login", "member": 200, "chair": 200}
NOBODY = {**dict.fromkeys(ROLES, 403), "anonymous": "login"}
POST_ONLY = {**dict.fromkeys(ROLES, 405), "anonymous": "login"}

GOVERNANCE_URLS = {
    "governance:meeting_list",
    "governance:feed_partnership",
    "governance:body_meetings",
    "governance:feed_body",
    "governance:meeting_create",
    "governance:decisions_log",
    "governance:action_log",
    "governance:attendance_report",
    "governance:meeting",
    "governance:meeting_edit",
    "governance:meeting_publish",
    "governance:meeting_cancel",
    "governance:papers_circulate",
    "governance:item_create",
    "governance:item_edit",
    "governance:item_move",
    "governance:paper_create",
    "governance:paper",
    "governance:paper_edit",
    "governance:paper_file",
    "governance:apologies",
    "governance:attendance",
    "governance:interest_create",
    "governance:action_create",
    "governance:action_done",
    "governance:minutes_edit",
    "governance:minutes_review",
    "governance:minutes_correct",
    "governance:agenda_pack_pdf",
    "governance:minutes_pdf",
    "my_meetings",
}


def meeting_urls(w, g):
    p = w.partnership.slug
    board = {"partnership": p, "body": w.board.slug}
    group = {"partnership": p, "body": w.group.slug}
    up = {"partnership": p, "pk": g.upcoming.pk}
    past = {"partnership": p, "pk": g.past.pk}
    draft = {"partnership": p, "pk": g.draft.pk}
    return [
        ("governance:meeting_list", {"partnership": p}, PUBLIC),
        ("governance:feed_partnership", {"partnership": p}, PUBLIC),
        ("governance:body_meetings", board, PUBLIC),
        ("governance:feed_body", board, PUBLIC),
        ("governance:decisions_log", board, PUBLIC),
        ("governance:action_log", board, PUBLIC),
        ("governance:meeting_create", board, PARTNERSHIP_COORDINATOR),
        ("governance:meeting_create", group, GROUP_COORDINATORS),
        ("governance:attendance_report", board, PARTNERSHIP_COORDINATOR),
        ("governance:meeting", up, PUBLIC),
        ("governance:meeting", past, PUBLIC),
        # Scheduled, agenda not yet published: in everyone's calendar (its business is not).
        ("governance:meeting", draft, PUBLIC),
        ("governance:meeting_edit", up, PARTNERSHIP_COORDINATOR),
        ("governance:meeting_edit", draft, PARTNERSHIP_COORDINATOR),
        ("governance:meeting_cancel", up, PARTNERSHIP_COORDINATOR),
        ("governance:item_create", up, PARTNERSHIP_COORDINATOR),
        ("governance:item_edit", {**up, "item": g.public_item.pk}, PARTNERSHIP_COORDINATOR),
        ("governance:paper_create", {**up, "item": g.public_item.pk}, PARTNERSHIP_COORDINATOR),
        ("governance:paper_edit", {**up, "paper": g.public_paper.pk}, PARTNERSHIP_COORDINATOR),
        ("governance:paper", {**up, "paper": g.public_paper.pk}, PUBLIC),
        ("governance:paper_file", {**up, "paper": g.public_paper.pk}, PUBLIC),
        ("governance:paper", {**up, "paper": g.secret_paper.pk}, BOARD_ONLY),
        ("governance:paper_file", {**up, "paper": g.secret_paper.pk}, BOARD_ONLY),
        ("governance:apologies", up, BOARD_MEMBERS),
        ("governance:attendance", past, PARTNERSHIP_COORDINATOR),
        ("governance:interest_create", past, PARTNERSHIP_COORDINATOR),
        ("governance:action_create", past, PARTNERSHIP_COORDINATOR),
        ("governance:minutes_edit", past, {**PARTNERSHIP_COORDINATOR, "coordinator": 302}),
        ("governance:minutes_review", past, NOBODY),
        ("governance:minutes_correct", past, PARTNERSHIP_COORDINATOR),
        ("governance:agenda_pack_pdf", up, PUBLIC),
        ("governance:minutes_pdf", past, PUBLIC),
        ("governance:minutes_pdf", up, dict.fromkeys(ROLES, 404)),
        ("governance:meeting_publish", up, POST_ONLY),
        ("governance:papers_circulate", up, POST_ONLY),
        ("governance:item_move", {**up, "item": g.public_item.pk}, POST_ONLY),
        ("governance:action_done", {**past, "action": g.action.pk}, POST_ONLY),
        ("my_meetings", {}, SIGNED_IN),
    ]


@pytest.fixture
def meetings(world):
    return build_meetings(world)


def test_every_governance_url_is_in_the_matrix(world, meetings):
    assert {name for name, _, _ in meeting_urls(world, meetings)} == GOVERNANCE_URLS


@pytest.mark.parametrize("role", ROLES)
def test_get_every_meeting_url_as(role, client, world, meetings):
    documents_render(meeting_id=meetings.upcoming.pk)
    documents_render(meeting_id=meetings.past.pk)
    client = _client_for(client, world, role)
    for name, kwargs, expected in meeting_urls(world, meetings):
        url = reverse(name, kwargs=kwargs)
        _check(client.get(url), expected[role], url)


@pytest.mark.parametrize("role", ROLES)
def test_nothing_confidential_reaches_anyone_outside_the_board(role, client, world, meetings):
    """Every public route, read as each role: the secret markers appear only for the Board's
    members and co-ordinator, and a draft agenda's business (SECRETDRAFT) only for those who
    run the Board: the draft meeting itself is public."""
    client = _client_for(client, world, role)
    insider = role in {"member", "chair", "coordinator"}
    for name, kwargs, expected in meeting_urls(world, meetings):
        if expected[role] != 200 or name in {"governance:paper_file"}:
            continue
        url = reverse(name, kwargs=kwargs)
        response = client.get(url)
        body = drain(response)
        for marker in (b"SECRETITEM", b"SECRETPAPER", b"SECRETMINUTE", b"SECRETDECISION"):
            assert (marker in body) <= insider, (url, marker)
        assert (b"SECRETDRAFT" in body) <= (role in {"chair", "coordinator"}), url
    # The search (partnership/search/) finds each only for those who may see it.
    rebuild()
    search = reverse("partnership:search", kwargs={"partnership": world.partnership.slug})
    words = ("SECRETITEM", "SECRETPAPER", "SECRETMINUTE", "SECRETDECISION", "tender")
    for word in words:
        assert bool(client.get(search, {"q": word}).context["results"].total) == insider, word
    drafts = client.get(search, {"q": "SECRETDRAFT"}).context["results"].total
    assert bool(drafts) == (role in {"chair", "coordinator"})


@pytest.mark.parametrize("role", ROLES)
def test_posting_to_coordinator_actions_as(role, client, world, meetings):
    client = _client_for(client, world, role)
    p = world.partnership.slug
    url = reverse("governance:meeting_publish", kwargs={"partnership": p, "pk": meetings.draft.pk})
    gs_item = reverse("governance:item_create", kwargs={"partnership": p, "pk": meetings.draft.pk})
    client.post(gs_item, {"title": "Budget", "purpose": "information"})
    response = client.post(url)
    expected = {**NOBODY, "coordinator": 302}[role]
    _check(response, expected, url)
    meetings.draft.refresh_from_db()
    assert meetings.draft.is_published == (role == "coordinator")


@pytest.mark.parametrize("role", ROLES)
def test_marking_an_action_done_as(role, client, world, meetings):
    """The action's owner (the member) or the co-ordinator may mark it done; nobody else."""
    client = _client_for(client, world, role)
    url = reverse(
        "governance:action_done",
        kwargs={
            "partnership": world.partnership.slug,
            "pk": meetings.past.pk,
            "action": meetings.action.pk,
        },
    )
    response = client.post(url)
    allowed = role in {"member", "coordinator"}
    _check(response, {**NOBODY, "member": 302, "coordinator": 302}[role], url)
    meetings.action.refresh_from_db()
    assert (meetings.action.done_on is not None) == allowed


def test_a_paper_from_another_meeting_is_not_found(client, world, meetings):
    client.force_login(world.coordinator)
    url = reverse(
        "governance:paper",
        kwargs={
            "partnership": world.partnership.slug,
            "pk": meetings.past.pk,
            "paper": meetings.public_paper.pk,
        },
    )
    assert client.get(url).status_code == 404
