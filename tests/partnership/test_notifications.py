"""How people hear about things (partnership/notifications.py): every message kept in Messages,
its e-mail sent now, held for the digest or not sent as the person chose for its kind; the
required kinds always sent now; every e-mail ending with the person's choices, and the optional
kinds carrying RFC 8058 one-click unsubscribe headers."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail, signing
from django.utils import timezone

from partnership import notifications as n
from partnership.models import Delivery, Notice, NotificationPreference
from partnership.notifications import (
    CATEGORIES,
    DIGEST,
    REQUIRED,
    TEMPLATE_CATEGORY,
    category_of,
    notification_preferences_update,
    notification_unsubscribe,
    notify,
    notify_once,
    unsubscribe_target,
    unsubscribe_token,
)

EMAILS = Path(settings.BASE_DIR) / "templates" / "emails"
# Templates sent other than through notify/notify_once: Django's password reset (its own
# footer, written into the template), the digest (partnership/digests.py) and the public's
# alerts (sent to addresses, not people, with their own unsubscribe link).
NOT_PEOPLES_NOTICES = {"password_reset", "digest"}
ALERTS_PREFIX = "alert"


def chaser(person, key="test:1"):
    """A reminder (kind "reminders") through notify_once, as the chasers send them."""
    return notify_once(
        to=person,
        key=key,
        template="returns_digest",
        context={"sections": [], "total": 0, "as_of": "1 April 2026"},
        url="/account/returns/",
    )


def security_notice(person, key="second_factor_set_up:1"):
    return notify_once(
        to=person,
        key=key,
        template="second_factor_set_up",
        context={"at": timezone.now()},
    )


def choose(person, **choices):
    for category, delivery in choices.items():
        NotificationPreference.objects.update_or_create(
            person=person, category=category, defaults={"delivery": delivery}
        )


# --- the kinds of message ----------------------------------------------------------------------


def test_the_kinds_people_choose_are_those_of_the_issue_and_one_required():
    assert list(CATEGORIES) == [
        "papers",
        "reminders",
        "registers",
        "elections",
        "performance",
        "risk",
        REQUIRED,
    ]
    assert CATEGORIES[REQUIRED].why  # the page says why it stays on


def test_every_email_template_sent_to_people_has_a_kind():
    # Each template is a triplet: its subject names it.
    names = {p.name.removesuffix("_subject.txt") for p in EMAILS.glob("*_subject.txt")}
    templates = {
        name
        for name in names
        if name and not name.startswith(("_", ALERTS_PREFIX)) and name not in NOT_PEOPLES_NOTICES
    }
    assert templates - set(TEMPLATE_CATEGORY) == set(), "give each new template a kind"
    assert set(TEMPLATE_CATEGORY) - templates == set(), "a kind for a template that is gone"
    assert set(TEMPLATE_CATEGORY.values()) <= set(CATEGORIES)


def test_every_template_a_service_sends_through_notify_once_has_a_kind():
    """The templates named in the apps' code (``template="..."`` or ``"template": "..."``)."""
    import re

    used = set()
    for app in ("governance", "membership", "performance", "partnership"):
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            text = path.read_text()
            if "notify" not in text:
                continue
            used |= set(re.findall(r'template(?:=|"\s*:\s*)"([a-z_]+)"', text))
    assert used, "the search found the callers"
    assert used - set(TEMPLATE_CATEGORY) == set()


def test_the_agreement_security_and_rulings_on_a_persons_declarations_are_required():
    for template in (
        "agreement_issued",
        "second_factor_set_up",
        "second_factor_reset",
        "second_factor_wrong_codes",
        "ruling_made",
        "ruling_settled",
    ):
        assert category_of(template) == REQUIRED, template
    assert category_of("review_notice", "membership-review-outcome-3") == REQUIRED
    assert category_of("review_notice", "membership-review-overdue-3") == "reminders"


# --- the person's choice, honoured -----------------------------------------------------------


def test_with_no_choice_a_message_is_sent_straight_away(world):
    assert chaser(world.member)
    notice = Notice.objects.get(key="test:1")
    assert notice.category == "reminders" and notice.emailed_at is not None
    assert not notice.digest_pending
    assert [m.to for m in mail.outbox] == [[world.member.email]]


def test_a_digest_choice_keeps_the_notice_for_the_digest_and_sends_nothing_now(world):
    choose(world.member, reminders=Delivery.DIGEST)
    assert chaser(world.member)
    notice = Notice.objects.get(key="test:1")
    assert notice.digest_pending and notice.emailed_at is None
    assert notice.subject == "Performance and risk: 0 due or late"
    assert mail.outbox == []
    assert not chaser(world.member)  # told once, however often the chaser runs


def test_turned_off_the_notice_is_still_in_messages_but_no_email_goes(world):
    choose(world.member, reminders=Delivery.OFF)
    assert chaser(world.member)
    notice = Notice.objects.get(key="test:1")
    assert notice.emailed_at is None and not notice.digest_pending
    assert mail.outbox == []


def test_a_choice_for_one_kind_leaves_the_others_straight_away(world):
    choose(world.member, papers=Delivery.OFF, risk=Delivery.DIGEST)
    assert chaser(world.member)
    assert len(mail.outbox) == 1


def test_required_messages_are_sent_whatever_the_person_chose(world):
    for category in CATEGORIES:
        if category != REQUIRED:
            choose(world.member, **{category: Delivery.OFF})
    NotificationPreference.objects.create(
        person=world.member, category=REQUIRED, delivery=Delivery.OFF
    )  # not choosable: even a row written by hand changes nothing
    assert security_notice(world.member)
    assert Notice.objects.get().category == REQUIRED
    assert len(mail.outbox) == 1


def test_elections_offer_no_digest_so_a_digest_choice_sends_straight_away(world):
    """A digest could come after voting closed: a digest row (written before elections
    stopped offering one) is read as straight away; the service refuses to write one."""
    choose(world.member, elections=Delivery.DIGEST)
    assert not CATEGORIES["elections"].digest and CATEGORIES["elections"].no_digest
    # (tests/membership/test_election_views.py sends a real reminder so.)
    assert n._told_and_choice(world.member, "election-reminder:1:1", "elections") == (
        False,
        Delivery.IMMEDIATE,
    )
    with pytest.raises(ValueError):
        notification_preferences_update(
            actor=world.member,
            person=world.member,
            choices={"elections": Delivery.DIGEST},
            digest_hour=7,
        )


def test_a_choice_costs_no_query_of_its_own(world, django_assert_num_queries):
    choose(world.member, reminders=Delivery.DIGEST)
    # The check for the notice (with the choice), the savepoint, the insert, the release.
    with django_assert_num_queries(4):
        chaser(world.member)
    with django_assert_num_queries(1):
        chaser(world.member)


def test_notify_without_a_notice_honours_off_and_sends_a_digest_choice_now(world):
    """``notify`` keeps no notice, so nothing could carry it in a digest: it goes now."""
    choose(world.member, reminders=Delivery.OFF)
    choose(world.chair, reminders=Delivery.DIGEST)
    for person in (world.member, world.chair):
        notify(
            to=person,
            template="returns_digest",
            context={"sections": [], "total": 0, "as_of": "1 April 2026"},
        )
    assert [m.to for m in mail.outbox] == [[world.chair.email]]
    assert "List-Unsubscribe" in mail.outbox[0].extra_headers


# --- what every e-mail carries -----------------------------------------------------------------


def test_an_optional_kind_carries_the_one_click_unsubscribe_headers_and_the_links(world, settings):
    settings.SITE_URL = "https://partnership.example.gov.uk"
    chaser(world.member)
    message = mail.outbox[0]
    link = message.extra_headers["List-Unsubscribe"]
    assert link.startswith(f"<{settings.SITE_URL}/account/notifications/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = link.rstrip("/>").rsplit("/", 1)[1]
    assert unsubscribe_target(token) == (world.member.pk, "reminders")
    preferences = f"{settings.SITE_URL}/account/notifications/"
    html = message.alternatives[0][0]
    assert preferences in message.body and preferences in html
    assert "To stop e-mails about this" in message.body
    assert html.rstrip().endswith("</body></html>")


def test_over_plain_http_the_link_is_given_but_no_one_click_post(world, settings):
    """RFC 8058: a mail client POSTs only to an https link."""
    settings.SITE_URL = "http://127.0.0.1:8000"
    chaser(world.member)
    headers = mail.outbox[0].extra_headers
    assert headers["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/account/")
    assert "List-Unsubscribe-Post" not in headers


def test_the_deploy_check_warns_of_a_site_url_that_is_not_https(settings):
    from partnership.checks import site_url_is_https

    settings.DEBUG = False
    settings.SITE_URL = "http://partnership.example.gov.uk"
    (warning,) = site_url_is_https()
    assert warning.id == "partnership.W001"
    settings.SITE_URL = "https://partnership.example.gov.uk"
    assert site_url_is_https() == []
    settings.DEBUG, settings.SITE_URL = True, "http://127.0.0.1:8000"
    assert site_url_is_https() == []


def test_a_required_kind_has_no_unsubscribe_headers_and_says_why_it_comes(world):
    security_notice(world.member)
    message = mail.outbox[0]
    assert "List-Unsubscribe" not in message.extra_headers
    assert "cannot be turned off" in message.body
    assert f"{settings.SITE_URL}/account/notifications/" in message.body


def test_the_password_reset_email_ends_with_the_preferences_link(client, world):
    client.post("/accounts/password-reset/", {"email": world.member.email})
    (message,) = mail.outbox
    assert "/account/notifications/" in message.body
    assert "/account/notifications/" in message.alternatives[0][0]


# --- the unsubscribe token -----------------------------------------------------------------------


def test_a_token_names_its_person_and_kind_and_nothing_can_be_changed_in_it(world):
    token = unsubscribe_token(world.member, "papers")
    assert unsubscribe_target(token) == (world.member.pk, "papers")
    assert unsubscribe_target(unsubscribe_token(world.member, DIGEST)) == (world.member.pk, DIGEST)
    for bad in (token[:-2] + "xx", "nonsense", unsubscribe_token(world.member, REQUIRED)):
        with pytest.raises(signing.BadSignature):
            unsubscribe_target(bad)
    other_salt = signing.dumps([world.member.pk, "papers"], salt="another", compress=True)
    with pytest.raises(signing.BadSignature):
        unsubscribe_target(other_salt)


# --- the services --------------------------------------------------------------------------------


def test_saving_choices_records_history_and_only_what_changed(world):
    person = world.member
    changed = notification_preferences_update(
        actor=person,
        person=person,
        choices={"papers": Delivery.IMMEDIATE, "reminders": Delivery.DIGEST},
        digest_hour=18,
    )
    assert changed == 2  # papers stays as it was: immediate
    choice = NotificationPreference.objects.get(person=person)
    assert choice.category == "reminders"
    assert choice.history.get().history_user == person
    assert person.notification_settings.digest_hour == 18
    assert (
        notification_preferences_update(
            actor=person, person=person, choices={"reminders": Delivery.DIGEST}, digest_hour=18
        )
        == 0
    )


def test_two_first_choices_at_once_do_not_fail(world, monkeypatch):
    """Another request inserts the person's first choice of a kind between this one's read and
    its insert (where the database cannot lock the person's row): the change still saves."""
    from partnership import notification_choices as nc

    real = nc.record_actor

    def meanwhile(obj, **kwargs):
        if obj.pk is None:
            NotificationPreference.objects.create(
                person=world.member, category="reminders", delivery=Delivery.OFF
            )
        real(obj, **kwargs)

    monkeypatch.setattr(nc, "record_actor", meanwhile)
    assert notification_preferences_update(
        actor=world.member,
        person=world.member,
        choices={"reminders": Delivery.DIGEST},
        digest_hour=7,
    )
    assert NotificationPreference.objects.get(person=world.member).delivery == Delivery.DIGEST


def test_the_required_kind_cannot_be_chosen(world):
    with pytest.raises(ValueError):
        notification_preferences_update(
            actor=world.member,
            person=world.member,
            choices={REQUIRED: Delivery.OFF},
            digest_hour=7,
        )


def test_turning_a_kind_off_drops_its_messages_from_the_next_digest(world):
    choose(world.member, reminders=Delivery.DIGEST)
    chaser(world.member)
    assert notification_unsubscribe(person=world.member, category="reminders") == ["reminders"]
    notice = Notice.objects.get()
    assert not notice.digest_pending and notice.emailed_at is None
    history = NotificationPreference.objects.get().history.first()
    assert history.history_change_reason == "Turned off by the link in an e-mail"


def test_the_digests_link_also_drops_what_waits_of_a_kind_moved_back_to_straight_away(world):
    choose(world.member, reminders=Delivery.DIGEST)
    chaser(world.member)
    choose(world.member, reminders=Delivery.IMMEDIATE)  # moved back: nothing is in the digest
    assert n.digest_wanted(person=world.member)  # but a message still waits for it
    assert notification_unsubscribe(person=world.member, category=DIGEST) == []
    notice = Notice.objects.get()
    assert not notice.digest_pending and notice.emailed_at is None
    assert not n.digest_wanted(person=world.member)


def test_the_digests_link_turns_off_every_kind_in_the_digest(world):
    choose(world.member, reminders=Delivery.DIGEST, papers=Delivery.DIGEST, risk=Delivery.OFF)
    assert sorted(notification_unsubscribe(person=world.member, category=DIGEST)) == [
        "papers",
        "reminders",
    ]
    assert set(n.notification_choices(person=world.member).values()) == {
        Delivery.IMMEDIATE,
        Delivery.OFF,
    }


def test_plain_parts_of_an_email_are_not_html_escaped():
    """A subject and a text body say "Health & Wellbeing"; the HTML body escapes it."""
    from datetime import date
    from types import SimpleNamespace

    from partnership.notifications import render_email

    meeting = SimpleNamespace(
        name="Health & Wellbeing Board", held_on=date(2026, 6, 1), get_absolute_url="/m/1/"
    )
    subject, text, html = render_email(
        "papers_circulated",
        {"meeting": meeting, "papers": [], "recipient": SimpleNamespace(full_name="A & B")},
    )
    assert subject == "Papers for Health & Wellbeing Board on Monday 1 June 2026"
    assert "Health & Wellbeing" in text and "&amp;" not in text
    assert "Health &amp; Wellbeing" in html
