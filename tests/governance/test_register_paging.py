"""A body's registers 50 entries a page, paged in the database: the same queries for 5 entries
as for 500, page 2 holds entries 51 to 100, the public never sees a withheld entry on any page
(only how many were withheld, and why), and the page links can be read out. The exports stay
whole (tests/governance/test_register_views.py)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.models import Declaration, Gift, RegisterSettings, Ruling
from membership.models import Membership, Seat, User
from tests.pages import html_of

SECRET = "Secret"  # in the description of every withheld entry, and nowhere else


def grow(world, n: int, *, withheld_every: int = 10) -> None:
    """``n`` more people on the Board, each with an interest (every other one ruled on) and a
    gift; every ``withheld_every``th of each is withheld from the public. Written straight to
    the tables, not through the services: the register pages only read them, and 500 people
    through the services would take minutes. Person ``i`` is named so that they sort ``i``th,
    and their gift is the ``i``th newest."""
    start = 1000 + Membership.objects.filter(seat__name__startswith="Grown").count()
    seat = Seat.objects.create(body=world.board, name=f"Grown {start}", count=n, voting=True)
    people = User.objects.bulk_create(
        User(email=f"person{start + i}@example.org", full_name=f"Person {start + i:05d}")
        for i in range(n)
    )
    Membership.objects.bulk_create(
        Membership(person=p, body=world.board, seat=seat, starts_on=world.start) for p in people
    )
    today = timezone.localdate()
    withheld = [(start + i) % withheld_every == 0 for i in range(n)]
    declarations = Declaration.objects.bulk_create(
        Declaration(
            partnership=world.partnership,
            person=p,
            kind="financial",
            holder="self",
            organisation=world.business,
            description=f"{SECRET} holding {start + i}" if hidden else f"Director {start + i}",
            starts_on=world.start,
            withheld_reason="Personal safety" if hidden else "",
        )
        for i, (p, hidden) in enumerate(zip(people, withheld, strict=True))
    )
    Ruling.objects.bulk_create(
        Ruling(
            declaration=d,
            body=world.board,
            outcome="noted",
            reason="No conflict",
            ruled_by=world.chair,
            acting_as="chair",
        )
        for d in declarations[::2]
    )
    Gift.objects.bulk_create(
        Gift(
            partnership=world.partnership,
            person=p,
            body=world.board,
            kind="gift",
            donor="Kestrel Services Ltd",
            description=f"{SECRET} gift {start + i}" if hidden else f"Pen {start + i}",
            value=Decimal("45.00"),
            offered_on=today - timedelta(days=start + i - 1000),
            decision="accepted",
            withheld_reason="Personal safety" if hidden else "",
        )
        for i, (p, hidden) in enumerate(zip(people, withheld, strict=True))
    )


def url(world, name: str, page: int | str | None = None) -> str:
    address = reverse(
        f"governance:{name}",
        kwargs={"partnership": world.partnership.slug, "body": world.board.slug},
    )
    return address if page is None else f"{address}?page={page}"


def rows(html: str) -> int:
    tbody = html[html.index('<tbody class="govuk-table__body">') : html.index("</tbody>")]
    return tbody.count('<tr class="govuk-table__row">')


# --- the number of queries ------------------------------------------------------------------

# Besides session, user and the viewer's rights (signed in: four for the chair): the body, the
# partnership's register settings, one page of entries with their total (COUNT(*) OVER ()),
# and for the public the withheld entries' reasons, counted; the register of interests also
# loads the rulings standing on the page's entries.
QUERIES = {
    ("body_interests", None): 5,
    ("body_interests", "chair"): 8,
    ("body_gifts", None): 4,
    ("body_gifts", "chair"): 7,
}


@pytest.mark.parametrize(("name", "role"), list(QUERIES))
def test_a_register_page_takes_as_many_queries_for_500_entries_as_for_5(
    client, world, name, role, django_assert_num_queries
):
    if role:
        client.force_login(getattr(world, role))
    grow(world, 5)
    with django_assert_num_queries(QUERIES[name, role]):
        html = html_of(client, url(world, name))
    assert rows(html) == (5 if role else 4)

    grow(world, 495)
    with django_assert_num_queries(QUERIES[name, role]):
        html = html_of(client, url(world, name))
    assert rows(html) == 50


# --- the pages ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["body_interests", "body_gifts"])
def test_page_2_holds_entries_51_to_100(client, world, name):
    client.force_login(world.chair)
    grow(world, 500)
    html = html_of(client, url(world, name, page=2))
    assert "500 entries, showing 51 to 100." in html
    assert ", page 2 of 10</caption>" in html
    numbers = [int(n) for n in re.findall(r"(?:Director|Pen|holding|gift) (\d+)", html)]
    assert numbers == list(range(1050, 1100))


@pytest.mark.parametrize("name", ["body_interests", "body_gifts"])
def test_the_public_never_sees_a_withheld_entry_on_any_page(client, world, name):
    grow(world, 500)
    seen = []
    for page in range(1, 10):
        html = html_of(client, url(world, name, page=page))
        assert SECRET not in html
        assert "50 entries are withheld from the public register:" in html
        assert "<li>Personal safety (50 entries)</li>" in html
        seen += re.findall(r"(?:Director|Pen) (\d+)", html)
    # Every entry not withheld, once: 450 of them on nine pages.
    assert len(seen) == len(set(seen)) == 450
    assert "450 entries, showing 401 to 450." in html_of(client, url(world, name, page=9))


@pytest.mark.parametrize("name", ["body_interests", "body_gifts"])
def test_the_chair_sees_withheld_entries_marked_on_their_pages(client, world, name):
    client.force_login(world.chair)
    grow(world, 60)
    html = html_of(client, url(world, name, page=1))
    assert html.count(f"{SECRET} ") == 5
    assert html.count("Withheld from the public</strong>") == 5
    assert "Entries withheld" not in html


@pytest.mark.parametrize("name", ["body_interests", "body_gifts"])
def test_an_unpublished_register_shows_the_public_no_page_of_it(client, world, name):
    grow(world, 60)
    RegisterSettings.objects.create(
        partnership=world.partnership, publish_interests=False, publish_gifts=False
    )
    html = html_of(client, url(world, name, page=2))
    assert "does not publish this register" in html
    assert "Director" not in html and "Pen " not in html and "govuk-pagination" not in html
    assert "Entries withheld" not in html


@pytest.mark.parametrize("page", ["0", "abc", "99", "-1"])
def test_a_page_out_of_range_shows_the_nearest_page(client, world, page):
    client.force_login(world.chair)
    grow(world, 60)
    html = html_of(client, url(world, "body_interests", page=page))
    expected = "60 entries, showing 51 to 60." if page == "99" else "showing 1 to 50."
    assert expected in html


def test_the_page_links_say_what_they_are_and_keep_the_address(client, world):
    client.force_login(world.chair)
    grow(world, 120)
    html = html_of(client, url(world, "body_interests") + "?page=2&x=1")
    nav = html[
        html.index('<nav class="govuk-pagination"') : html.index(
            "</nav>", html.index("govuk-pagination")
        )
    ]
    assert 'aria-label="Pages of register entries"' in nav
    assert 'Previous<span class="govuk-visually-hidden"> page</span>' in nav
    assert 'Next<span class="govuk-visually-hidden"> page</span>' in nav
    assert 'aria-label="Page 3"' in nav and 'aria-current="page"' in nav
    assert 'href="?page=3&amp;x=1#interests"' in nav
    assert 'id="interests"' in html


def test_a_short_register_has_no_page_links(client, world):
    grow(world, 5)
    html = html_of(client, url(world, "body_gifts"))
    assert "govuk-pagination" not in html
    assert "4 entries." in html
