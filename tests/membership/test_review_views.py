"""The annual membership review's pages: who reaches each (every role), opening a review and
recording outcomes through the forms, what the member sees of their own sheet, that nobody
else ever sees a sheet's note (a planted marker), and the query counts at two sizes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from membership import services as ms
from membership.models import Membership, MembershipReview, ReviewSheet, Role
from membership.services.reviews import review_open, sheet_decide
from partnership.periods import financial_year
from tests.factories import UserFactory
from tests.test_url_access import ROLES, _check, _client_for, drain, urls

REVIEW_URLS = {
    "membership:review_list",
    "membership:review_open",
    "membership:review_detail",
    "membership:review_sheet",
}

REFUSED = {**dict.fromkeys(ROLES, 403), "anonymous": "login"}
COORDINATOR = {**REFUSED, "coordinator": 200}
SEES_REVIEW = {**COORDINATOR, "chair": 200}
SEES_SHEET = {**SEES_REVIEW, "member": 200}
MARKER = b"REVIEWSECRET"
# The session, the user, their rights, the body (with its partnership), the review, one page
# of sheets with its total, the outcome counts, the chair and deputy, and the history.
DETAIL_QUERIES = 9


def open_board_review(w, due_in=30):
    today = date.today()
    return review_open(
        actor=w.coordinator,
        body=w.board,
        year=financial_year(today),
        due_on=today + timedelta(days=due_in),
    )


def sheet_of(review, person):
    return review.sheets.select_related("membership").get(membership__person=person)


def review_urls(w):
    review = open_board_review(w)
    sheet = sheet_of(review, w.member)
    board = {"partnership": w.partnership.slug, "body": w.board.slug}
    return [
        ("membership:review_list", board, SEES_REVIEW),
        (
            "membership:review_list",
            {**board, "body": w.group.slug},
            {**REFUSED, "coordinator": 200, "group_coordinator": 200},
        ),
        ("membership:review_open", board, COORDINATOR),
        ("membership:review_detail", {**board, "pk": review.pk}, SEES_REVIEW),
        ("membership:review_sheet", {**board, "pk": review.pk, "sheet": sheet.pk}, SEES_SHEET),
        (
            "membership:review_sheet",
            {**board, "pk": review.pk, "sheet": sheet_of(review, w.chair).pk},
            SEES_REVIEW,
        ),
    ]


def test_every_review_url_is_in_the_matrix(world):
    assert {name for name, _, _ in review_urls(world)} == REVIEW_URLS


@pytest.mark.parametrize("role", ROLES)
def test_get_every_review_url_as(role, client, world):
    client = _client_for(client, world, role)
    for name, kwargs, expected in review_urls(world):
        url = reverse(name, kwargs=kwargs)
        _check(client.get(url), expected[role], url)


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_nobody_but_the_coordinators_chair_and_member_sees_a_sheets_note(role, client, world):
    """The sweep: a note planted on the member's sheet appears only to the Board's
    co-ordinator, its chair and the member; never on the body page, nor anywhere else."""
    review = open_board_review(world)
    sheet = sheet_of(review, world.member)
    sheet_decide(
        actor=world.chair, sheet=sheet, outcome="discuss", note=f"{MARKER.decode()} personnel"
    )
    client = _client_for(client, world, role)
    seen = []
    board = {"partnership": world.partnership.slug, "body": world.board.slug}
    pages = [
        *[(n, k) for n, k, _ in urls(world)],
        ("membership:review_list", board),
        ("membership:review_detail", {**board, "pk": review.pk}),
        ("membership:review_sheet", {**board, "pk": review.pk, "sheet": sheet.pk}),
    ]
    for name, kwargs in pages:
        response = client.get(reverse(name, kwargs=kwargs))
        body = drain(response)
        if response.status_code == 200 and MARKER in body:
            seen.append(name)
    expected = ["membership:review_sheet"] if role in ("coordinator", "chair", "member") else []
    assert seen == expected


def test_another_bodys_review_is_not_found(client, world):
    review = open_board_review(world)
    client.force_login(world.coordinator)
    url = reverse(
        "membership:review_detail",
        kwargs={"partnership": world.partnership.slug, "body": world.other.slug, "pk": review.pk},
    )
    assert client.get(url).status_code == 404


# --- the pages at work ----------------------------------------------------------------------


def board_url(w, name, **kwargs):
    return reverse(
        f"membership:{name}",
        kwargs={"partnership": w.partnership.slug, "body": w.board.slug, **kwargs},
    )


def test_the_body_page_links_to_the_reviews_for_those_who_see_them(client, world):
    link = board_url(world, "review_list").encode()
    for role, shown in [("coordinator", True), ("chair", True), ("member", False)]:
        client.force_login(getattr(world, role))
        assert (link in client.get(board_url(world, "body")).content) is shown, role
    client.logout()
    assert link not in client.get(board_url(world, "body")).content


def test_a_coordinator_opens_this_years_review_from_the_list(client, world, today):
    client.force_login(world.coordinator)
    page = client.get(board_url(world, "review_list")).content.decode()
    assert "Open this year's review" in page
    due = today + timedelta(days=40)
    response = client.post(
        board_url(world, "review_open"),
        {"due_on_day": due.day, "due_on_month": due.month, "due_on_year": due.year},
    )
    review = MembershipReview.objects.get()
    assert response.status_code == 302
    assert response["Location"] == board_url(world, "review_detail", pk=review.pk)
    page = client.get(response["Location"]).content.decode()
    assert "Member" in page and "Chair" in page and "0 of 2 outcomes recorded" in page
    page = client.get(board_url(world, "review_list")).content.decode()
    assert "Open this year's review" not in page


def test_opening_with_a_past_due_date_says_so_by_the_field(client, world, today):
    client.force_login(world.coordinator)
    past = today - timedelta(days=1)
    response = client.post(
        board_url(world, "review_open"),
        {"due_on_day": past.day, "due_on_month": past.month, "due_on_year": past.year},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "<title>Error: " in page
    assert "The date outcomes are due by must be in the future" in page
    assert f'value="{past.day}"' in page
    assert not MembershipReview.objects.exists()


def test_the_chair_records_outcomes_with_errors_shown_and_nothing_lost(client, world, today):
    review = open_board_review(world)
    sheet = sheet_of(review, world.member)
    url = board_url(world, "review_sheet", pk=review.pk, sheet=sheet.pk)
    client.force_login(world.chair)
    page = client.get(url).content.decode()
    assert "Record the outcome" in page and "Date the membership ends" in page
    response = client.post(url, {"outcome": "end", "note": "Kept as typed"})
    page = response.content.decode()
    assert response.status_code == 200 and "<title>Error: " in page
    assert "Enter the date the membership ends" in page
    assert "Kept as typed" in page and 'value="end" checked' in page
    response = client.post(
        url,
        {
            "outcome": "end",
            "note": "Not attended",
            "ends_on_day": today.day,
            "ends_on_month": today.month,
            "ends_on_year": today.year,
        },
    )
    assert response.status_code == 302
    assert Membership.objects.get(pk=world.member_membership.pk).ends_on == today
    page = client.get(url).content.decode()
    assert "End the membership" in page and "Record the outcome" not in page


def test_a_coordinator_reads_a_sheet_but_cannot_post_an_outcome(client, world):
    review = open_board_review(world)
    sheet = sheet_of(review, world.member)
    url = board_url(world, "review_sheet", pk=review.pk, sheet=sheet.pk)
    client.force_login(world.coordinator)
    assert b"Record the outcome" not in client.get(url).content
    assert client.post(url, {"outcome": "continue"}).status_code == 403
    assert ReviewSheet.objects.get(pk=sheet.pk).outcome == ""


def test_the_member_reads_their_own_sheet_and_its_outcome(client, world):
    review = open_board_review(world)
    sheet = sheet_of(review, world.member)
    sheet_decide(actor=world.chair, sheet=sheet, outcome="discuss", note="Seniority")
    client.force_login(world.member)
    page = client.get(board_url(world, "review_sheet", pk=review.pk, sheet=sheet.pk))
    text = page.content.decode()
    assert "Discuss with the nominating organisation" in text and "Seniority" in text
    assert client.post(
        board_url(world, "review_sheet", pk=review.pk, sheet=sheet.pk), {"outcome": "continue"}
    ).status_code in (403, 405)


@pytest.mark.parametrize("members", [3, 80])
def test_the_review_page_takes_a_fixed_number_of_queries(
    client, world, members, django_assert_num_queries
):
    seat = ms.seat_create(actor=None, body=world.board, name="Partners", count=100, voting=True)
    people = UserFactory.create_batch(members - 2)
    Membership.objects.bulk_create(
        Membership(person=p, body=world.board, seat=seat, starts_on=world.start) for p in people
    )
    review = open_board_review(world)
    url = board_url(world, "review_detail", pk=review.pk)
    client.force_login(world.coordinator)
    client.get(url)
    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(url)
    assert response.content.count(b'scope="row"') == min(members, 50)


# --- who decides, and who sees, after the outside review ---------------------------------------


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


def test_the_deputy_sweep_sees_no_note_of_a_sheet_they_do_not_decide(client, world):
    """The leak sweep for the deputy chair, while the chair is in post: they decide the
    chair's sheet only, and never see the member's note."""
    deputy = add_deputy(world)
    review = open_board_review(world)
    sheet = sheet_of(review, world.member)
    sheet_decide(
        actor=world.chair, sheet=sheet, outcome="discuss", note=f"{MARKER.decode()} personnel"
    )
    client.force_login(deputy)
    board = {"partnership": world.partnership.slug, "body": world.board.slug}
    pages = [
        *[(n, k) for n, k, _ in urls(world)],
        ("membership:review_list", board),
        ("membership:review_detail", {**board, "pk": review.pk}),
        ("membership:review_sheet", {**board, "pk": review.pk, "sheet": sheet.pk}),
    ]
    seen = []
    for name, kwargs in pages:
        response = client.get(reverse(name, kwargs=kwargs))
        if response.status_code == 200 and MARKER in drain(response):
            seen.append(name)
    assert seen == []
    member_sheet = board_url(world, "review_sheet", pk=review.pk, sheet=sheet.pk)
    assert client.get(member_sheet).status_code == 403
    # The review's page lists only the sheet they decide: the chair's.
    page = client.get(board_url(world, "review_detail", pk=review.pk)).content.decode()
    assert 'Record the outcome<span class="govuk-visually-hidden"> for Chair' in page
    assert ">Member</a>" not in page
    chair_sheet = board_url(
        world, "review_sheet", pk=review.pk, sheet=sheet_of(review, world.chair).pk
    )
    assert b"Record the outcome" in client.get(chair_sheet).content


def test_the_chair_reads_their_own_sheet_and_is_told_who_decides_it(client, world):
    review = open_board_review(world)
    url = board_url(world, "review_sheet", pk=review.pk, sheet=sheet_of(review, world.chair).pk)
    client.force_login(world.chair)
    page = client.get(url).content.decode()
    assert "Record the outcome" not in page
    assert "The Board&#x27;s co-ordinators record it." in page
    assert client.post(url, {"outcome": "continue"}).status_code == 403
    detail = client.get(board_url(world, "review_detail", pk=review.pk)).content.decode()
    assert "Chair&#x27;s own sheet: the co-ordinators" in detail
    assert 'Record the outcome<span class="govuk-visually-hidden"> for Chair' not in detail
    client.force_login(world.coordinator)
    assert b"Record the outcome" in client.get(url).content


def test_a_second_submit_says_the_outcome_is_already_recorded(client, world):
    review = open_board_review(world)
    sheet = sheet_of(review, world.member)
    url = board_url(world, "review_sheet", pk=review.pk, sheet=sheet.pk)
    client.force_login(world.chair)
    assert client.post(url, {"outcome": "continue"}).status_code == 302
    # The same press again, or a stale tab choosing another outcome.
    response = client.post(url, {"outcome": "discuss", "note": "Second thoughts"})
    page = response.content.decode()
    assert response.status_code == 200 and "<title>Error: " in page
    assert "An outcome has already been recorded for this member." in page
    assert ReviewSheet.objects.get(pk=sheet.pk).outcome == "continue"
