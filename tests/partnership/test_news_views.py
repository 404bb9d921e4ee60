"""The partnership's news: written, edited and published by its co-ordinators through the
forms (nobody else may, a refused post changes nothing), drafts seen by nobody else,
publishing once alerting the subscribers, and the list's queries at two sizes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from partnership.models import NewsItem, OutboxJob
from partnership.news import news_create, news_publish
from tests.partnership.test_alert_views import news
from tests.test_url_access import ROLES, _check, _client_for

STORY = {"title": "New chair", "summary": "The Board has a new chair.", "text": "Para one.\n\nTwo."}


def _url(world, name, **kwargs):
    return reverse(f"partnership:{name}", kwargs={"partnership": world.partnership.slug, **kwargs})


def test_a_coordinator_writes_edits_and_publishes_news(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.coordinator)
    response = client.post(_url(world, "news_create"), STORY)
    item = NewsItem.objects.get()
    assert response["Location"] == item.get_absolute_url()
    assert item.published_at is None and item.created_by == world.coordinator
    client.post(_url(world, "news_edit", pk=item.pk), {**STORY, "title": "A new chair"})
    item.refresh_from_db()
    assert item.title == "A new chair"
    assert [h.history_change_reason for h in item.history.order_by("history_id")] == [
        "Drafted",
        "Edited",
    ]
    with django_capture_on_commit_callbacks():
        client.post(_url(world, "news_publish", pk=item.pk))
    item.refresh_from_db()
    assert item.published_at is not None
    assert OutboxJob.objects.get(task="partnership.tasks.send_alerts").args == [f"news:{item.pk}"]
    # Publishing again changes nothing and announces nothing more.
    first = item.published_at
    client.post(_url(world, "news_publish", pk=item.pk))
    item.refresh_from_db()
    assert item.published_at == first
    assert OutboxJob.objects.filter(task="partnership.tasks.send_alerts").count() == 1
    page = client.get(item.get_absolute_url()).content.decode()
    assert '<p class="govuk-body">Para one.</p>' in page and ">Two.</p>" in page


def test_a_form_with_errors_keeps_what_was_typed(client, world):
    client.force_login(world.coordinator)
    response = client.post(_url(world, "news_create"), {**STORY, "title": "", "text": "Kept"})
    body = response.content.decode()
    assert response.status_code == 200 and "<title>Error: " in body
    assert body.count("Enter title") == 2
    assert ">Kept</textarea>" in body
    assert not NewsItem.objects.exists()


@pytest.mark.parametrize("role", [r for r in ROLES if r != "coordinator"])
def test_nobody_else_may_write_or_publish_news(role, client, world):
    draft = news(world, published=False)
    client = _client_for(client, world, role)
    expected = "login" if role == "anonymous" else 403
    for name, kwargs in (("news_create", {}), ("news_edit", {"pk": draft.pk})):
        url = _url(world, name, **kwargs)
        _check(client.post(url, STORY), expected, url)
    url = _url(world, "news_publish", pk=draft.pk)
    _check(client.post(url), expected, url)
    draft.refresh_from_db()
    assert draft.published_at is None and draft.title == "Partnership wins award"
    assert NewsItem.objects.count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_drafts_are_listed_only_for_the_coordinators(role, client, world):
    news(world, published=False, title="DRAFTSTORY")
    news(world, title="Published story")
    client = _client_for(client, world, role)
    page = client.get(_url(world, "news_list")).content
    assert b"Published story" in page
    assert (b"DRAFTSTORY" in page) == (role == "coordinator")


def test_a_news_item_from_another_partnership_is_not_found(client, world):
    from tests.factories import PartnershipFactory

    elsewhere = PartnershipFactory(name="Elsewhere", slug="elsewhere")
    item = news_publish(
        actor=None,
        item=news_create(actor=None, partnership=elsewhere, title="T", summary="S", text="X"),
    )
    assert client.get(_url(world, "news_item", pk=item.pk)).status_code == 404


@pytest.mark.parametrize("stories", [3, 60])
def test_the_news_list_asks_the_same_queries_for_a_page_of_any_size(
    stories, client, world, django_assert_num_queries
):
    for n in range(stories):
        news(world, title=f"Story {n}")
    # The partnership; one page of stories with their total. (The public: no rights to ask.)
    with django_assert_num_queries(2):
        response = client.get(_url(world, "news_list"))
    assert response.content.count(b'<h2 class="govuk-heading-m') == min(stories, 50)
