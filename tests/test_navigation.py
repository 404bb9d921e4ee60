"""The header, the partnership's service navigation and the search box on every page."""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from django.urls import resolve, reverse

from membership import services as ms
from partnership import services as ps
from partnership.context import SESSION_KEY, navigation
from tests.factories import PartnershipFactory


def nav_links(world) -> list[str]:
    p = world.partnership.slug
    return [
        reverse("governance:meeting_list", kwargs={"partnership": p}),
        reverse("performance:dashboard", kwargs={"partnership": p}),
        reverse("governance:registers_home", kwargs={"partnership": p}),
        reverse("membership:structure", kwargs={"partnership": p}),
        reverse("partnership:search", kwargs={"partnership": p}),
    ]


def test_the_public_see_the_partnership_navigation_and_a_search_box(client, world):
    html = client.get(reverse("membership:structure", kwargs={"partnership": "testshire"}))
    html = html.content.decode()
    for link in nav_links(world):
        assert f'href="{link}"' in html, link
    assert 'id="site-search"' in html
    assert reverse("login") in html
    assert "Sign out" not in html


def test_the_current_section_is_marked(client, world):
    url = reverse("governance:meeting_list", kwargs={"partnership": "testshire"})
    html = client.get(url).content.decode()
    assert f'href="{url}" aria-current="page"><strong' in html
    assert html.count("govuk-service-navigation__item--active") == 1


def test_the_search_page_has_one_search_box(client, world):
    html = client.get(reverse("partnership:search", kwargs={"partnership": "testshire"}))
    html = html.content.decode()
    assert 'id="site-search"' not in html
    assert html.count('type="search"') == 1


def test_account_pages_keep_the_partnership_navigation(client, world):
    client.force_login(world.member)
    html = client.get(reverse("account:home")).content.decode()
    for link in nav_links(world):
        assert f'href="{link}"' in html, link
    assert "Testshire Partnership</a>" in html
    assert world.member.get_full_name() in html
    assert "Sign out" in html
    assert 'id="site-search"' in html
    assert "Your partnerships" not in html
    # The footer links the partnership's own pages.
    assert (
        reverse("partnership:page", kwargs={"partnership": "testshire", "kind": "privacy"}) in html
    )


def test_someone_in_two_partnerships_gets_a_switcher(client, world):
    other = PartnershipFactory(name="Otherton Partnership", slug="otherton")
    body = ps.body_create(actor=None, partnership=other, name="Forum", kind="forum")
    seat = ms.seat_create(actor=None, body=body, name="Members", count=2, voting=True)
    ms.membership_create(
        actor=None, body=body, seat=seat, person=world.member, starts_on=world.start
    )
    client.force_login(world.member)
    html = client.get(reverse("account:home")).content.decode()
    assert "Your partnerships" in html
    assert 'href="/p/otherton/"' in html
    assert 'href="/p/testshire/"' in html
    # No partnership is chosen for them on a page that has none.
    assert reverse("governance:meeting_list", kwargs={"partnership": "testshire"}) not in html
    html = client.get("/p/otherton/").content.decode()
    assert 'href="/p/otherton/" aria-current="true"' in html
    assert reverse("governance:meeting_list", kwargs={"partnership": "otherton"}) in html


def test_people_outside_any_partnership_and_the_public_get_the_site_wide_footer(client, world):
    html = client.get(reverse("login")).content.decode()
    assert reverse("site_page", kwargs={"kind": "accessibility"}) in html
    assert 'id="site-search"' not in html
    client.force_login(world.outsider)
    html = client.get(reverse("account:home")).content.decode()
    assert reverse("site_page", kwargs={"kind": "cookies"}) in html
    assert "Sign out" in html


def test_the_navigation_costs_no_query(world, django_assert_num_queries):
    """Read at sign-in into the session; every page after that asks nothing."""
    session = SessionStore()
    session[SESSION_KEY] = [["testshire", "Testshire Partnership"]]
    request = RequestFactory().get("/account/")
    request.user, request.session = world.member, session
    request.resolver_match = resolve("/account/")
    with django_assert_num_queries(0):
        nav = navigation(request)["nav"]
    assert (nav.slug, nav.name, nav.several) == ("testshire", "Testshire Partnership", False)
    url = reverse("performance:dashboard", kwargs={"partnership": "elsewhere"})
    request = RequestFactory().get(url)
    request.user, request.session = world.member, session
    request.resolver_match = resolve(url)
    with django_assert_num_queries(0):
        nav = navigation(request)["nav"]
    assert (nav.slug, nav.section) == ("elsewhere", "performance")


def test_sign_in_remembers_the_partnerships(client, world):
    client.force_login(world.chair)
    assert client.session[SESSION_KEY] == [["testshire", "Testshire Partnership"]]
    client.force_login(world.outsider)
    assert client.session[SESSION_KEY] == []
