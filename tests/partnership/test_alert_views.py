"""The public's alerts, feeds and news pages: who reaches each (every role), subscribing
through the form (the same page for a known address and a new one, the limits), confirming
only by the button, one-click unsubscribing without a cookie or a CSRF token, and the pages
for a link that does not work."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from partnership import alerts
from partnership.models import AlertSubscription
from partnership.news import news_create, news_publish
from tests.partnership.test_alerts import (
    confirm_secret,
    publish_with_secret,
    subscribed,
    unsubscribe_link,
)
from tests.test_url_access import ROLES, _check, _client_for

ALERT_URLS = {
    "partnership:alerts",
    "partnership:alerts_body",
    "partnership:alerts_news",
    "partnership:alerts_check_email",
    "partnership:alerts_confirm",
    "partnership:alerts_unsubscribe",
    "partnership:body_feed_atom",
    "partnership:news_feed_atom",
    "partnership:news_list",
    "partnership:news_item",
    "partnership:news_create",
    "partnership:news_edit",
    "partnership:news_publish",
}

PUBLIC = dict.fromkeys(ROLES, 200)
NOT_FOUND = dict.fromkeys(ROLES, 404)
COORDINATOR = {**dict.fromkeys(ROLES, 403), "anonymous": "login", "coordinator": 200}
SEES_DRAFTS = {**NOT_FOUND, "coordinator": 200}
POST_ONLY = {**dict.fromkeys(ROLES, 405), "anonymous": "login"}


def news(world, *, published=True, title="Partnership wins award"):
    item = news_create(
        actor=world.coordinator,
        partnership=world.partnership,
        title=title,
        summary="The partnership won an award.",
        text="It was a good year.\n\nThank you to everyone.",
    )
    if published:
        item = news_publish(actor=world.coordinator, item=item)
    return item


def alert_urls(w):
    p = w.partnership.slug
    board = {"partnership": p, "body": w.board.slug}
    subscription, secret = subscribed(w, confirm=False)
    token = alerts.unsubscribe_token(subscription)
    published, draft = news(w), news(w, published=False, title="Draft")
    return [
        ("partnership:alerts", {"partnership": p}, PUBLIC),
        ("partnership:alerts_body", board, PUBLIC),
        ("partnership:alerts_news", {"partnership": p}, PUBLIC),
        ("partnership:alerts_check_email", {"partnership": p}, PUBLIC),
        ("partnership:alerts_confirm", {"partnership": p, "secret": secret}, PUBLIC),
        ("partnership:alerts_confirm", {"partnership": p, "secret": "not-a-secret"}, NOT_FOUND),
        ("partnership:alerts_unsubscribe", {"partnership": p, "token": token}, PUBLIC),
        ("partnership:alerts_unsubscribe", {"partnership": p, "token": "1:bad"}, PUBLIC),
        ("partnership:alerts_unsubscribe", {"partnership": p, "token": f"{10**30}:x"}, PUBLIC),
        ("partnership:body_feed_atom", board, PUBLIC),
        ("partnership:news_feed_atom", {"partnership": p}, PUBLIC),
        ("partnership:news_list", {"partnership": p}, PUBLIC),
        ("partnership:news_item", {"partnership": p, "pk": published.pk}, PUBLIC),
        ("partnership:news_item", {"partnership": p, "pk": draft.pk}, SEES_DRAFTS),
        ("partnership:news_create", {"partnership": p}, COORDINATOR),
        ("partnership:news_edit", {"partnership": p, "pk": published.pk}, COORDINATOR),
        ("partnership:news_edit", {"partnership": p, "pk": draft.pk}, COORDINATOR),
        ("partnership:news_publish", {"partnership": p, "pk": draft.pk}, POST_ONLY),
    ]


def test_every_alert_url_is_in_the_matrix(world):
    assert {name for name, _, _ in alert_urls(world)} == ALERT_URLS


@pytest.mark.parametrize("role", ROLES)
def test_get_every_alert_url_as(role, client, world):
    client = _client_for(client, world, role)
    for name, kwargs, expected in alert_urls(world):
        url = reverse(name, kwargs=kwargs)
        _check(client.get(url), expected[role], url)
    # Looking at the pages changed nothing: GET neither confirms nor unsubscribes.
    assert AlertSubscription.objects.get().confirmed_at is None


def _subscribe_url(world):
    return reverse(
        "partnership:alerts_body",
        kwargs={"partnership": world.partnership.slug, "body": world.board.slug},
    )


def _post(client, world, email, topics=("agendas", "minutes")):
    return client.post(_subscribe_url(world), {"email": email, "topics": list(topics)})


# --- subscribing -------------------------------------------------------------------------------


def test_the_form_says_the_same_for_a_known_address_and_a_new_one(client, world):
    subscribed(world, "known@example.com")
    known = _post(client, world, "known@example.com")
    new = _post(client, world, "new@example.com")
    assert known.status_code == new.status_code == 302
    assert known["Location"] == new["Location"]
    page_known = client.get(known["Location"]).content
    assert page_known == client.get(new["Location"]).content
    assert b"known@example.com" not in page_known
    # Each address was e-mailed: the new one to confirm, the known one that nothing changed.
    assert sorted(m.to[0] for m in mail.outbox) == ["known@example.com", "new@example.com"]


def test_a_form_with_errors_keeps_what_was_typed_and_says_what_to_fix(client, world):
    response = client.post(_subscribe_url(world), {"email": "not-an-address", "topics": []})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("Enter an e-mail address in the correct format") == 2  # summary, field
    assert body.count("Select what you want to hear about") == 2
    assert 'value="not-an-address"' in body
    assert "<title>Error: " in body
    assert not AlertSubscription.objects.exists()


def test_the_news_form_asks_only_for_an_address(client, world):
    url = reverse("partnership:alerts_news", kwargs={"partnership": world.partnership.slug})
    assert b'name="topics"' not in client.get(url).content
    assert client.post(url, {"email": "news@example.com"}).status_code == 302
    subscription = AlertSubscription.objects.get()
    assert subscription.body is None and subscription.topics == ["news"]


def test_one_address_posting_too_often_is_told_when_to_try_again(client, world):
    for n in range(alerts.SUBSCRIBE_BY_ADDRESS.count):
        assert _post(client, world, f"person{n}@example.com").status_code == 302
    response = _post(client, world, "one-more@example.com")
    assert response.status_code == 429
    assert "Retry-After" in response
    assert not AlertSubscription.objects.filter(email="one-more@example.com").exists()


def test_someone_elses_address_is_e_mailed_at_most_three_times_a_day(client, world):
    for n in range(5):
        other = Client(REMOTE_ADDR=f"10.0.0.{n}")
        assert _post(other, world, "victim@example.com").status_code == 302
    assert len(mail.outbox) == 3


# --- confirming --------------------------------------------------------------------------------


def test_following_the_link_shows_a_button_and_only_pressing_it_confirms(client, world):
    _post(client, world, "reader@example.com")
    url = reverse(
        "partnership:alerts_confirm",
        kwargs={"partnership": world.partnership.slug, "secret": confirm_secret(mail.outbox[0])},
    )
    page = client.get(url)
    assert page.status_code == 200 and b"Confirm" in page.content
    assert AlertSubscription.objects.get().confirmed_at is None
    done = client.post(url)
    assert done.status_code == 200 and b"You are subscribed" in done.content
    assert AlertSubscription.objects.get().confirmed_at is not None
    # The link is used up: it says so, and leads nobody who finds it later to the alerts.
    for again in (client.get(url), client.post(url)):
        assert again.status_code == 404
        assert b"already be confirmed" in again.content
        assert b"/alerts/unsubscribe/" not in again.content
    assert AlertSubscription.objects.get().confirmed_at is not None


def test_a_closed_bodys_alerts_page_is_not_found(client, world):
    type(world.other).objects.filter(pk=world.other.pk).update(closed_on=timezone.localdate())
    kwargs = {"partnership": world.partnership.slug, "body": world.other.slug}
    url = reverse("partnership:alerts_body", kwargs=kwargs)
    assert client.get(url).status_code == 404
    assert client.post(url, {"email": "a@example.com", "topics": ["agendas"]}).status_code == 404
    assert not AlertSubscription.objects.exists()
    index = client.get(reverse("partnership:alerts", kwargs={"partnership": kwargs["partnership"]}))
    assert url.encode() not in index.content
    assert _subscribe_url(world).encode() in index.content


def test_a_link_that_does_not_work_says_so(client, world):
    url = reverse(
        "partnership:alerts_confirm",
        kwargs={"partnership": world.partnership.slug, "secret": "made-up"},
    )
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 404
        assert b"This link does not work" in response.content


# --- unsubscribing -----------------------------------------------------------------------------


def test_a_mail_programs_one_click_post_deletes_the_address(world):
    subscription, _ = subscribed(world)
    meeting = publish_with_secret(world)
    alerts.alerts_send(f"agenda:{meeting.pk}")
    link = unsubscribe_link(mail.outbox[0])
    # A mail program: no cookie, no CSRF token, the RFC 8058 body.
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        link.removeprefix("http://127.0.0.1:8000"), {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert not AlertSubscription.objects.filter(pk=subscription.pk).exists()
    assert not AlertSubscription.objects.filter(email="reader@example.com").exists()
    # The old link now says there is nothing to stop.
    again = client.get(link.removeprefix("http://127.0.0.1:8000"))
    assert b"You are not subscribed" in again.content


def test_the_unsubscribe_link_shows_a_button_first(client, world):
    subscription, _ = subscribed(world)
    url = reverse(
        "partnership:alerts_unsubscribe",
        kwargs={
            "partnership": world.partnership.slug,
            "token": alerts.unsubscribe_token(subscription),
        },
    )
    page = client.get(url)
    assert b"Unsubscribe from alerts from the Board" in page.content
    assert AlertSubscription.objects.filter(pk=subscription.pk).exists()
    done = client.post(url)
    assert b"You have unsubscribed" in done.content
    assert not AlertSubscription.objects.exists()


def test_a_tampered_unsubscribe_token_deletes_nothing(client, world):
    subscription, _ = subscribed(world)
    other, _ = subscribed(world, "other@example.com")
    _, _, signature = alerts.unsubscribe_token(subscription).partition(":")
    url = reverse(
        "partnership:alerts_unsubscribe",
        kwargs={"partnership": world.partnership.slug, "token": f"{other.pk}:{signature}"},
    )
    response = client.post(url)
    assert b"You are not subscribed" in response.content
    assert AlertSubscription.objects.count() == 2


# --- links to it all -----------------------------------------------------------------------------


def test_the_body_and_its_meetings_page_link_the_alerts_and_the_feed(client, world):
    kwargs = {"partnership": world.partnership.slug, "body": world.board.slug}
    feed = reverse("partnership:body_feed_atom", kwargs=kwargs)
    subscribe = reverse("partnership:alerts_body", kwargs=kwargs)
    for name in ("membership:body", "governance:body_meetings"):
        body = client.get(reverse(name, kwargs=kwargs)).content.decode()
        assert '<link rel="alternate" type="application/atom+xml"' in body
        assert f'href="{feed}"' in body and f'href="{subscribe}"' in body
