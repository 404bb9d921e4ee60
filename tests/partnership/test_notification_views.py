"""The preferences page and the one-click unsubscribe link: who reaches each (every role),
choosing through the form with its errors shown, the history, and the link's GET (a page with a
button, changing nothing) and POST (from a mail client, with no sign-in or CSRF token)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnership.models import Delivery, Digest, Notice, NotificationPreference
from partnership.notifications import DIGEST, REQUIRED, notification_choices, unsubscribe_token
from tests.partnership.test_notifications import chaser, choose
from tests.test_url_access import ROLES, SIGNED_IN, _check, _client_for

NOTIFICATION_URLS = {
    "notifications:preferences",
    "notifications:messages",
    "notifications:unsubscribe",
}

PREFERENCES = reverse("notifications:preferences")
EVERY_KIND_NOW = {
    "papers": "immediate",
    "reminders": "immediate",
    "registers": "immediate",
    "elections": "immediate",
    "performance": "immediate",
    "risk": "immediate",
    "digest_hour": "7",
}


def unsubscribe(person, category="reminders"):
    return reverse(
        "notifications:unsubscribe", kwargs={"token": unsubscribe_token(person, category)}
    )


def notification_urls(w):
    # The link works for anyone who has it, signed in or not (a mail client has no session).
    return [
        ("notifications:preferences", {}, SIGNED_IN),
        ("notifications:messages", {}, SIGNED_IN),
        (
            "notifications:unsubscribe",
            {"token": unsubscribe_token(w.member, "papers")},
            dict.fromkeys(ROLES, 200),
        ),
    ]


def test_every_notification_url_is_in_the_matrix(world):
    assert {name for name, _, _ in notification_urls(world)} == NOTIFICATION_URLS


@pytest.mark.parametrize("role", ROLES)
def test_get_every_notification_url_as(role, client, world):
    client = _client_for(client, world, role)
    for name, kwargs, expected in notification_urls(world):
        url = reverse(name, kwargs=kwargs)
        _check(client.get(url), expected[role], url)
    # A GET changes nothing, whoever follows the link.
    assert not NotificationPreference.objects.exists()


# --- the preferences page ----------------------------------------------------------------------


def test_the_account_page_links_to_the_preferences(client, world):
    client.force_login(world.member)
    assert PREFERENCES.encode() in client.get(reverse("account:home")).content


def test_the_page_shows_each_kind_the_required_ones_and_why(client, world):
    client.force_login(world.member)
    page = client.get(PREFERENCES).content.decode()
    assert "How you hear about things" in page
    for label in ("Papers published and circulated", "Reminders and chasers", "Risks"):
        assert label in page
    assert "What the partnership must tell you" in page
    assert "cannot be turned off" in page and "partnership agreement obliges" in page
    assert 'name="required"' not in page  # not a choice
    assert 'value="immediate" checked' in page
    assert '<option value="7" selected>07:00</option>' in page
    assert "No digest has been sent to you yet." in page


def test_a_member_puts_reminders_in_a_daily_digest_at_their_hour(client, world):
    client.force_login(world.member)
    response = client.post(
        PREFERENCES, {**EVERY_KIND_NOW, "reminders": "digest", "risk": "off", "digest_hour": "18"}
    )
    assert response.status_code == 302 and response["Location"] == PREFERENCES
    choices = notification_choices(person=world.member)
    assert choices["reminders"] == Delivery.DIGEST and choices["risk"] == Delivery.OFF
    assert world.member.notification_settings.digest_hour == 18
    page = client.get(PREFERENCES).content.decode()
    assert "Your choices of how you hear about things have been saved." in page
    assert 'value="digest" checked' in page and '<option value="18" selected>' in page
    assert "Change history" in page
    # And the next reminder waits for the digest.
    chaser(world.member)
    assert mail.outbox == [] and Notice.objects.get().digest_pending


def test_errors_are_shown_by_their_fields_and_nothing_chosen_is_lost(client, world):
    client.force_login(world.member)
    response = client.post(
        PREFERENCES,
        {**EVERY_KIND_NOW, "reminders": "weekly", "papers": "digest", "digest_hour": "24"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "<title>Error: " in page
    assert page.count("Select how you hear about reminders and chasers") == 2  # summary, field
    assert page.count("Select an hour from the list for your daily digest") == 2
    assert 'href="#id_reminders_0"' in page and 'href="#id_digest_hour"' in page
    assert 'name="papers" type="radio" value="digest" checked' in page
    assert not NotificationPreference.objects.exists()


def test_a_missing_choice_says_what_to_select(client, world):
    client.force_login(world.member)
    data = {k: v for k, v in EVERY_KIND_NOW.items() if k != "elections"}
    response = client.post(PREFERENCES, data)
    page = response.content.decode()
    assert response.status_code == 200 and "<title>Error: " in page
    assert page.count("Select how you hear about elections") == 2  # summary, field
    assert not NotificationPreference.objects.exists()


def test_elections_offer_no_digest_and_the_page_says_why(client, world):
    client.force_login(world.member)
    page = client.get(PREFERENCES).content.decode()
    assert 'name="elections" type="radio" value="digest"' not in page
    assert 'name="reminders" type="radio" value="digest"' in page
    assert "a digest could arrive after voting has closed" in page
    response = client.post(PREFERENCES, {**EVERY_KIND_NOW, "elections": "digest"})
    page = response.content.decode()
    assert response.status_code == 200 and "<title>Error: " in page
    assert page.count("Select how you hear about elections") == 2
    assert not NotificationPreference.objects.exists()


def test_the_required_kind_cannot_be_posted_off(client, world):
    client.force_login(world.member)
    client.post(PREFERENCES, {**EVERY_KIND_NOW, REQUIRED: "off"})
    assert not NotificationPreference.objects.filter(category=REQUIRED).exists()


def test_the_page_lists_recent_digests(client, world):
    Digest.objects.create(recipient=world.member, day="2026-06-10", messages=3)
    Digest.objects.create(recipient=world.chair, day="2026-06-11", messages=9)
    client.force_login(world.member)
    page = client.get(PREFERENCES).content.decode()
    assert "10 June 2026" in page and "11 June 2026" not in page


def test_the_page_costs_the_same_queries_with_more_digests_and_changes(client, world):
    client.force_login(world.member)
    counts = []
    for size in (1, 8):
        Digest.objects.filter(recipient=world.member).delete()
        for i in range(size):
            Digest.objects.create(recipient=world.member, day=date(2026, 6, 1) + timedelta(i))
        client.post(PREFERENCES, {**EVERY_KIND_NOW, "reminders": "digest", "risk": "off"})
        client.post(PREFERENCES, EVERY_KIND_NOW)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(PREFERENCES).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- all of a person's messages -----------------------------------------------------------------

MESSAGES = reverse("notifications:messages")
# The session, the person, and the page of messages with their digests and total.
MESSAGES_QUERIES = 3


def _notices(person, count, prefix="Message"):
    Notice.objects.bulk_create(
        Notice(recipient=person, key=f"{prefix}:{i}", subject=f"{prefix} {i:03d}", url="/x/")
        for i in range(count)
    )


def test_the_account_page_links_to_all_messages_once_there_are_some(client, world):
    client.force_login(world.member)
    assert MESSAGES.encode() not in client.get(reverse("account:home")).content
    _notices(world.member, 1)
    assert MESSAGES.encode() in client.get(reverse("account:home")).content


def test_every_message_is_reachable_fifty_a_page_newest_first(client, world):
    """The account page shows ten: with e-mail off, the rest are read here."""
    _notices(world.member, 61)
    _notices(world.chair, 1, prefix="SECRETOTHER")
    client.force_login(world.member)
    first = client.get(MESSAGES).content.decode()
    assert "61 messages" in first and "Message 060" in first and "Message 011" in first
    assert "Message 011" not in client.get(reverse("account:home")).content.decode()
    assert "Message 010" not in first and "SECRETOTHER" not in first
    second = client.get(MESSAGES, {"page": 2}).content.decode()
    assert "Message 010" in second and "Message 000" in second and "Message 011" not in second


def test_each_message_says_how_it_came(client, world):
    choose(world.member, reminders=Delivery.DIGEST)
    chaser(world.member, key="a")
    digest = Digest.objects.create(recipient=world.member, day="2026-06-10", messages=1)
    Notice.objects.create(recipient=world.member, key="b", subject="Carried", digest=digest)
    Notice.objects.create(recipient=world.member, key="c", subject="Off")
    client.force_login(world.member)
    page = client.get(MESSAGES).content.decode()
    assert "Waiting for your daily digest" in page
    assert "In your digest of 10 June 2026" in page and "Not e-mailed" in page


@pytest.mark.parametrize("count", [3, 120])
def test_the_messages_page_costs_the_same_queries_however_many(
    client, world, count, django_assert_num_queries
):
    _notices(world.member, count)
    digest = Digest.objects.create(recipient=world.member, day="2026-06-10", messages=count)
    Notice.objects.filter(recipient=world.member).update(digest=digest)
    client.force_login(world.member)
    with django_assert_num_queries(MESSAGES_QUERIES):
        assert client.get(MESSAGES).status_code == 200


# --- the one-click link --------------------------------------------------------------------------


def test_following_the_link_shows_a_button_and_changes_nothing(client, world):
    page = client.get(unsubscribe(world.member)).content.decode()
    assert "Stop e-mails about reminders and chasers" in page
    assert '<form method="post"' in page
    assert not NotificationPreference.objects.exists()


def test_a_mail_clients_one_click_post_turns_the_kind_off(world):
    client = Client(enforce_csrf_checks=True)  # a mail client has no CSRF token
    response = client.post(
        unsubscribe(world.member), {"List-Unsubscribe": "One-Click"}, secure=True
    )
    assert response.status_code == 200
    assert notification_choices(person=world.member)["reminders"] == Delivery.OFF
    assert "E-mails stopped" in response.content.decode()
    # Again: still off, nothing else changed.
    assert client.post(unsubscribe(world.member)).status_code == 200
    assert NotificationPreference.objects.get().delivery == Delivery.OFF
    chaser(world.member)
    assert mail.outbox == [] and Notice.objects.exists()


def test_the_page_says_when_the_kind_is_already_off(client, world):
    choose(world.member, reminders=Delivery.OFF)
    page = client.get(unsubscribe(world.member)).content.decode()
    assert "already turned off" in page and "<form" not in page.split("<main", 1)[1]


def test_the_digests_page_says_when_nothing_is_in_the_digest(client, world):
    page = client.get(unsubscribe(world.member, DIGEST)).content.decode()
    assert "already stopped" in page and "<form" not in page.split("<main", 1)[1]
    choose(world.member, papers=Delivery.DIGEST)
    page = client.get(unsubscribe(world.member, DIGEST)).content.decode()
    assert "already stopped" not in page and "Stop these e-mails" in page


def test_the_digests_link_stops_every_kind_in_the_digest(client, world):
    choose(world.member, reminders=Delivery.DIGEST, papers=Delivery.DIGEST)
    page = client.get(unsubscribe(world.member, DIGEST)).content.decode()
    assert "You will get no more daily digests" in page
    client.post(unsubscribe(world.member, DIGEST))
    choices = notification_choices(person=world.member)
    assert choices["reminders"] == choices["papers"] == Delivery.OFF


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_or_made_up_link_is_refused(client, world, method):
    token = unsubscribe_token(world.member, "reminders")
    for bad in (token[:-3] + "abc", "made-up", unsubscribe_token(world.member, REQUIRED)):
        url = reverse("notifications:unsubscribe", kwargs={"token": bad})
        response = getattr(client, method)(url)
        assert response.status_code == 400
        assert "This link does not work" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_a_link_for_a_person_who_is_gone_is_refused(client, world):
    from tests.factories import UserFactory

    gone = UserFactory()
    url = unsubscribe(gone)
    gone.delete()
    assert client.post(url).status_code == 400
