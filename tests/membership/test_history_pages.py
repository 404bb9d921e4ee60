"""Every edit shows who changed what and when, on the page of the thing changed.

Each test edits through the services with a named actor, then opens the page of that thing
and finds, inside its "Change history" table, the row naming the actor with the field and its
old and new values. Foreign keys are shown by name.
"""

import re
from datetime import timedelta

from django.urls import reverse

from membership import services as ms
from partnership import services as ps


def history_rows(html: str) -> list[str]:
    """The rows of the page's change history table (empty if there is none)."""
    if 'id="history"' not in html:
        return []
    table = html.split('id="history"', 1)[1].split("</table>", 1)[0]
    return re.split(r'<tr class="govuk-table__row">', table.split("<tbody", 1)[1])[1:]


def assert_change_shown(response, *, who: str, changes: list[str]) -> None:
    """One history row names ``who`` and lists each of ``changes`` ("Field: old → new")."""
    assert response.status_code == 200
    rows = history_rows(response.content.decode())
    assert rows, "the page shows no change history"
    matching = [row for row in rows if f'<td class="govuk-table__cell">{who}</td>' in row]
    assert matching, f"no history row names {who!r}: {rows}"
    row = matching[0]  # newest first
    assert "Changed" in row
    for change in changes:
        assert f"<li>{change}</li>" in row, f"{change!r} not in {row}"


def test_seat_edit_page_shows_the_seats_history(client, world):
    ms.seat_update(actor=world.coordinator, seat=world.board_seat, name="Council officers", count=4)
    client.force_login(world.coordinator)
    response = client.get(
        reverse(
            "membership:seat_edit",
            kwargs={
                "partnership": world.partnership.slug,
                "body": world.board.slug,
                "pk": world.board_seat.pk,
            },
        )
    )
    assert_change_shown(
        response,
        who="Coordinator",
        changes=["Name: Council → Council officers", "Number of places: 3 → 4"],
    )


def test_membership_page_shows_the_memberships_history(client, world, today):
    ends = today + timedelta(days=365)
    ms.membership_update(
        actor=world.group_coordinator,
        membership=world.other_membership,
        organisation=world.business,
        ends_on=ends,
    )
    client.force_login(world.coordinator)
    response = client.get(
        reverse(
            "membership:membership_detail",
            kwargs={
                "partnership": world.partnership.slug,
                "body": world.other.slug,
                "pk": world.other_membership.pk,
            },
        )
    )
    assert_change_shown(
        response,
        who="Group Coordinator",
        changes=[
            "Representing: Testshire CVS → Testshire Business Forum",
            f"End date: (none) → {ends:%-d %B %Y}",
        ],
    )


def test_organisation_edit_page_shows_the_organisations_history(client, world):
    ps.organisation_update(
        actor=world.coordinator,
        organisation=world.council,
        name="Testshire County Council",
        statutory_partner=False,
    )
    client.force_login(world.coordinator)
    response = client.get(
        reverse(
            "partnership:organisation_edit",
            kwargs={"partnership": world.partnership.slug, "pk": world.council.pk},
        )
    )
    assert_change_shown(
        response,
        who="Coordinator",
        changes=[
            "Name: Testshire Council → Testshire County Council",
            "Statutory partner: Yes → No",
        ],
    )


def test_contact_details_page_shows_the_members_own_history(client, world):
    ms.profile_update(
        actor=world.member, user=world.member, job_title="Head of Safety", contact_public=True
    )
    client.force_login(world.member)
    response = client.get(reverse("account:profile"))
    assert_change_shown(
        response,
        who="Member",
        changes=[
            "Job title: (none) → Head of Safety",
            "Show my contact details to the public: No → Yes",
        ],
    )


def test_body_page_shows_the_bodys_history_in_its_table(client, world):
    """Stricter than tests/membership/test_views.py's check, whose remit text would be on the
    page anyway: here the change must be in the history table, with its actor."""
    ps.body_update(actor=world.group_coordinator, body=world.subgroup, parent=world.board)
    client.force_login(world.coordinator)
    response = client.get(world.subgroup.get_absolute_url())
    assert_change_shown(
        response, who="Group Coordinator", changes=["Reports to: Safer Group → Board"]
    )


def test_signing_in_adds_nothing_to_a_members_history(client, world):
    """Django saves ``last_login`` at each sign-in; that is not a change to show, and an empty
    "Changed" row per sign-in would push the real changes off the contact-details page."""
    from tests.conftest import PASSWORD

    before = world.member.history.count()
    for _ in range(3):
        # Through the sign-in form, as a person signs in (django-axes needs the request).
        response = client.post(
            reverse("login"), {"username": "member@example.org", "password": PASSWORD}
        )
        assert response.status_code == 302
        client.logout()
    assert world.member.history.count() == before


def test_a_long_history_costs_no_more_queries_than_a_short_one(client, world, today):
    """Names in the history are read once per object, however many rows name it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from membership import services as ms

    url = reverse(
        "membership:membership_detail",
        kwargs={
            "partnership": world.partnership.slug,
            "body": world.board.slug,
            "pk": world.member_membership.pk,
        },
    )
    client.force_login(world.coordinator)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    def edits(n):
        for i in range(n):
            ms.membership_update(
                actor=world.coordinator,
                membership=world.member_membership,
                end_reason=f"Note {i}",
            )

    edits(2)
    few = queries()
    edits(20)
    assert queries() == few
