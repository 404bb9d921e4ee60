"""The co-ordinator's meeting page, body page and risk register at scale (issue 14): the
links each row or agenda item carries are reversed once a page, not once a row, so the pages
take as many queries for many rows as for few, and every link still goes where
``{% url %}`` sent it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from governance import services as gs
from performance.models import Risk, RiskCategory
from tests.factories import UserFactory
from tests.governance.helpers import schedule


def add_items(world, meeting, count: int, *, start: int = 0) -> None:
    for n in range(start, start + count):
        gs.item_add(actor=world.coordinator, meeting=meeting, title=f"Item {n}")


def test_the_coordinators_meeting_page_takes_as_many_queries_for_20_items_as_for_2(
    client, world, django_assert_num_queries
):
    meeting = schedule(world, days=3)
    add_items(world, meeting, 2)
    gs.meeting_publish(actor=world.coordinator, meeting=meeting)
    client.force_login(world.coordinator)
    url = meeting.get_absolute_url()
    client.get(url)  # warm the per-process caches (the partnership's tree)
    with django_assert_num_queries(13) as small:
        assert client.get(url).status_code == 200
    add_items(world, meeting, 18, start=2)
    with django_assert_num_queries(13) as large:
        response = client.get(url)
    assert len(small.captured_queries) == len(large.captured_queries)
    html = response.content.decode()
    items = list(meeting.items.order_by("position"))
    assert len(items) >= 20
    kwargs = {"partnership": world.partnership.slug, "pk": meeting.pk}
    for item in items:
        for name in ("item_edit", "paper_create"):
            link = reverse(f"governance:{name}", kwargs={**kwargs, "item": item.pk})
            assert f'href="{link}"' in html
    # Move up on all but the first, move down on all but the last: two forms an inner item.
    for item in items[1:-1]:
        move = reverse("governance:item_move", kwargs={**kwargs, "item": item.pk})
        assert html.count(f'action="{move}"') == 2


def test_the_member_sees_no_item_links(client, world):
    meeting = schedule(world, days=3)
    add_items(world, meeting, 3)
    gs.meeting_publish(actor=world.coordinator, meeting=meeting)
    client.force_login(world.member)
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert "Item 2" in html
    assert "/move/" not in html and "/edit/" not in html and "/papers/new/" not in html


def test_the_body_page_links_each_membership_to_its_own_page(client, world):
    client.force_login(world.coordinator)
    html = client.get(world.board.get_absolute_url()).content.decode()
    memberships = list(world.board.memberships.all())
    assert memberships
    for m in memberships:
        link = reverse(
            "membership:membership_detail",
            kwargs={"partnership": world.partnership.slug, "body": world.board.slug, "pk": m.pk},
        )
        assert f'href="{link}"' in html


@pytest.fixture
def category(world):
    world.risk_owner = UserFactory(email="risk_owner@example.org", full_name="Risk Owner")
    return RiskCategory.objects.create(partnership=world.partnership, name="Partnership")


def add_risks(world, category, count: int, *, start: int = 0) -> list[Risk]:
    return [
        Risk.objects.create(
            partnership=world.partnership,
            body=world.board,
            code=f"B-R{n}",
            title=f"Risk {n}",
            description="A long description the register does not show. " * 20,
            category=category,
            owner=world.risk_owner,
            owner_organisation=world.council,
            inherent_likelihood=4,
            inherent_impact=4,
            residual_likelihood=3,
            residual_impact=1 + n % 5,
            target_likelihood=2,
            target_impact=2,
        )
        for n in range(start, start + count)
    ]


def test_the_risk_register_takes_as_many_queries_for_50_risks_as_for_5(
    client, world, category, django_assert_num_queries
):
    client.force_login(world.coordinator)
    url = reverse("performance:risk_list", kwargs={"partnership": world.partnership.slug})
    client.get(url)  # warm the per-process caches
    add_risks(world, category, 5)
    with django_assert_num_queries(9) as small:
        assert client.get(url).status_code == 200
    risks = add_risks(world, category, 45, start=5)
    with django_assert_num_queries(9) as large:
        response = client.get(url)
    assert len(small.captured_queries) == len(large.captured_queries)
    html = response.content.decode()
    for risk in risks:
        link = reverse(
            "performance:risk", kwargs={"partnership": world.partnership.slug, "pk": risk.pk}
        )
        assert f'href="{link}"' in html
    assert "app-risk-band--" in html and "A long description" not in html
