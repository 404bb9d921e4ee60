"""Issue 16: the pages for proposals of new sub-groups, every URL for every role, the forms'
error states, the parent's body-page panel, and the body form no longer offering such a
parent. The URL names this module covers are in ``PROPOSAL_URLS``, for
tests/test_url_access.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.models import ProposalStatus, SubGroupProposal
from partnership.models import Body
from tests.governance.helpers import schedule
from tests.governance.test_proposals import propose, published
from tests.test_url_access import ROLES, _check, _client_for, drain

PROPOSAL_URLS: set[str] = {
    "governance:proposals",
    "governance:proposal_create",
    "governance:proposal",
    "governance:proposal_withdraw",
}

# The Board's members (the member, the chair) and the partnership's co-ordinator.
INSIDERS = dict.fromkeys(["member", "chair", "coordinator"], 200)
BOARD = {**dict.fromkeys(ROLES, 403), "anonymous": "login", **INSIDERS}
BOARD_OR_404 = {**dict.fromkeys(ROLES, 404), "anonymous": "login", **INSIDERS}
POST_ONLY = {**dict.fromkeys(ROLES, 405), "anonymous": "login"}


@pytest.fixture
def board(world):
    world.board.sub_groups_need_approval = True
    world.board.save(update_fields=["sub_groups_need_approval"])
    return world.board


def proposal_urls(w, proposal):
    board = {"partnership": w.partnership.slug, "body": w.board.slug}
    return [
        ("governance:proposals", board, BOARD),
        ("governance:proposal_create", board, BOARD),
        ("governance:proposal", {**board, "pk": proposal.pk}, BOARD_OR_404),
        ("governance:proposal_withdraw", {**board, "pk": proposal.pk}, POST_ONLY),
    ]


def test_every_proposal_url_is_in_the_matrix(world, board):
    assert {name for name, _, _ in proposal_urls(world, propose(world, board))} == PROPOSAL_URLS


@pytest.mark.parametrize("role", ROLES)
def test_get_every_proposal_url_as(role, client, world, board):
    proposal = propose(world, board, remit="Remit SECRETPROPOSAL")
    client = _client_for(client, world, role)
    for name, kwargs, expected in proposal_urls(world, proposal):
        url = reverse(name, kwargs=kwargs)
        response = client.get(url)
        _check(response, expected[role], url)
    # Nor does a proposal reach anyone outside the Board through its page.
    html = drain(client.get(world.board.get_absolute_url())).decode()
    assert ("SECRETPROPOSAL" in html) is False
    assert ("Domestic Abuse Task Group" in html) is (role in {"member", "chair", "coordinator"})


def _url(name, world, **extra):
    return reverse(name, kwargs={"partnership": "testshire", "body": world.board.slug, **extra})


def test_a_member_proposes_through_the_form(client, world, board):
    client.force_login(world.member)
    end = timezone.localdate() + timedelta(days=100)
    response = client.post(
        _url("governance:proposal_create", world),
        {
            "name": "Youth Task Group",
            "kind": "task_and_finish",
            "remit": "Youth violence",
            "membership": "Police and schools",
            "timescale": "Three months",
            "ends_on_day": end.day,
            "ends_on_month": end.month,
            "ends_on_year": end.year,
        },
    )
    proposal = SubGroupProposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("governance:proposal", world, pk=proposal.pk)
    assert proposal.ends_on == end


def test_an_error_keeps_what_was_typed(client, world, board):
    client.force_login(world.member)
    response = client.post(
        _url("governance:proposal_create", world),
        {"name": "Youth Task Group", "kind": "task_and_finish", "remit": "Youth violence"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert "Youth Task Group" in html and "Youth violence" in html
    assert not SubGroupProposal.objects.exists()


def test_the_coordinator_records_agreement_and_the_group_exists(client, world, board):
    proposal = propose(world, board)
    meeting = published(world, days=-2, title="Board, March")
    schedule(world, days=-1, title="Board, in draft")  # its agenda never went out
    client.force_login(world.coordinator)
    page = _url("governance:proposal", world, pk=proposal.pk)
    assert "Board, in draft" not in client.get(page).content.decode()
    page = _url("governance:proposal", world, pk=proposal.pk)
    assert "Board, March" in client.get(page).content.decode()

    response = client.post(page, {"outcome": "agreed", "meeting": meeting.pk, "note": "Yes"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.AGREED
    assert Body.objects.get(name="Domestic Abuse Task Group").parent == world.board
    html = client.get(page).content.decode()
    assert "has been created" in html and "Record the decision" not in html


def test_a_future_meeting_is_not_offered(client, world, board):
    proposal = propose(world, board)
    schedule(world, days=5, title="Board, next month")
    client.force_login(world.coordinator)
    html = client.get(_url("governance:proposal", world, pk=proposal.pk)).content.decode()
    assert "Board, next month" not in html
    assert 'id="no-meeting"' in html


def test_a_member_may_not_post_a_decision(client, world, board):
    proposal = propose(world, board)
    meeting = published(world, days=-2)
    client.force_login(world.chair)
    page = _url("governance:proposal", world, pk=proposal.pk)
    assert "Record the decision" not in client.get(page).content.decode()
    response = client.post(page, {"outcome": "agreed", "meeting": meeting.pk})
    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED


def test_the_proposer_withdraws(client, world, board):
    proposal = propose(world, board)
    url = _url("governance:proposal_withdraw", world, pk=proposal.pk)
    client.force_login(world.chair)
    assert client.post(url).status_code == 403
    client.force_login(world.member)
    assert client.post(url).status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.WITHDRAWN


@pytest.mark.parametrize("count", [2, 60])
def test_the_list_is_paged_in_the_same_queries_for_2_and_60(
    client, world, board, count, django_assert_num_queries
):
    for i in range(count):
        propose(world, board, name=f"Group {i:02}", kind="sub_group", ends_on=None)
    client.force_login(world.coordinator)
    # Session, user, the body, the rights, the page's count and its rows.
    with django_assert_num_queries(6):
        html = drain(client.get(_url("governance:proposals", world))).decode()
    assert html.count('">Group ') == min(count, 50)


def test_the_panel_costs_no_query_on_a_body_without_the_rule(rf, world, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    from governance.views.proposals import proposals_panel

    request = rf.get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert proposals_panel(request, world.other, False) is None
        world.other.sub_groups_need_approval = True
        assert proposals_panel(request, world.other, False) is None


def test_the_body_form_no_longer_offers_a_parent_whose_sub_groups_need_agreement(
    client, world, board
):
    client.force_login(world.coordinator)
    url = reverse("partnership:body_create", kwargs={"partnership": "testshire"})
    form = client.get(url).context["form"]
    assert world.board not in form.fields["parent"].queryset
    assert world.group in form.fields["parent"].queryset
    response = client.post(url, {"name": "Backdoor", "kind": "sub_group", "parent": board.pk})
    assert response.status_code == 200
    assert not Body.objects.filter(name="Backdoor").exists()
