"""The daily digest (partnership/digests.py): one e-mail a day to each person with messages
waiting, at their hour (UK time), however often the job runs; claimed in the transaction that
sends it, so a failed send is retried (a few times a day, then left for the next day's) and a
race sends one; the job through the real broker."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from partnership import notifications
from partnership.digests import ATTEMPTS, digest_failed, digest_send, people_due, send_digests
from partnership.models import Delivery, Digest, Notice, NotificationSettings
from tests.partnership.test_notifications import choose
from tests.test_celery import wait_for, worker  # noqa: F401 - the worker is a fixture

UK = ZoneInfo("Europe/London")
UTC = ZoneInfo("UTC")
DAY = datetime(2026, 6, 10, tzinfo=UK)


def at(hour, minute=0, days=0):
    return DAY + timedelta(days=days, hours=hour, minutes=minute)


def waiting(
    person,
    key="item:1",
    category="reminders",
    subject="Paper not out: Budget",
    created=None,
):
    """A message held for the person's digest, as notify_once leaves it; by default it
    arrived at 06:00 on DAY, before the default hour (07:00)."""
    notice = Notice.objects.create(
        recipient=person,
        key=key,
        subject=subject,
        url="/testshire/",
        category=category,
        digest_pending=True,
    )
    Notice.objects.filter(pk=notice.pk).update(created_at=created or at(6))
    notice.refresh_from_db()
    return notice


def digests_to(person):
    return [m for m in mail.outbox if m.to == [person.email] and "daily digest" in m.subject]


def test_nothing_is_sent_before_the_persons_hour(world):
    waiting(world.member)
    assert send_digests(now=at(6, 59)) == 0
    assert mail.outbox == [] and not Digest.objects.filter(failures=0).exists()


def test_at_the_hour_one_email_carries_every_waiting_message(world):
    first = waiting(world.member)
    second = waiting(world.member, key="item:2", category="papers", subject="Papers for Board")
    assert send_digests(now=at(7, 5)) == 1
    (message,) = mail.outbox
    assert message.subject == "Your daily digest for 10 June 2026: 2 messages"
    assert "Paper not out: Budget" in message.body and "Papers for Board" in message.body
    # Grouped by kind, in the preferences page's order: papers before reminders.
    assert message.body.index("Papers published") < message.body.index("Reminders and chasers")
    assert "http://" in message.body and "/testshire/" in message.alternatives[0][0]
    digest = Digest.objects.filter(failures=0).get()
    assert (digest.recipient, digest.day, digest.messages) == (world.member, DAY.date(), 2)
    for notice in (first, second):
        notice.refresh_from_db()
        assert notice.digest == digest and not notice.digest_pending
        assert notice.emailed_at == at(7, 5)


def test_the_digest_carries_its_one_click_unsubscribe(world, settings):
    settings.SITE_URL = "https://partnership.example.gov.uk"
    waiting(world.member)
    send_digests(now=at(7))
    (message,) = mail.outbox
    link = message.extra_headers["List-Unsubscribe"]
    token = link.rstrip("/>").rsplit("/", 1)[1]
    assert notifications.unsubscribe_target(token) == (world.member.pk, notifications.DIGEST)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/account/notifications/" in message.body


def test_one_digest_a_day_however_often_the_job_runs_and_across_the_hour(world):
    waiting(world.member)
    for now in (at(6, 45), at(7), at(7), at(7, 15), at(8), at(23, 45)):
        send_digests(now=now)
    assert len(digests_to(world.member)) == 1
    assert Digest.objects.count() == 1


def test_a_message_after_todays_digest_waits_for_tomorrows(world):
    waiting(world.member)
    send_digests(now=at(7))
    waiting(world.member, key="item:2", subject="Later the same day", created=at(9))
    assert send_digests(now=at(12)) == 0
    assert send_digests(now=at(6, 59, days=1)) == 0
    assert send_digests(now=at(7, days=1)) == 1
    assert "Later the same day" in digests_to(world.member)[1].body
    assert list(Digest.objects.values_list("day", "messages")) == [
        (DAY.date() + timedelta(days=1), 1),
        (DAY.date(), 1),
    ]


def test_a_message_after_the_hour_waits_for_tomorrow_though_no_digest_went_today(world):
    """Nothing was waiting at 07:00; a message at 14:00 is not a digest at 14:15."""
    waiting(world.member, created=at(14))
    for now in (at(7), at(14, 15), at(23, 45)):
        assert send_digests(now=now) == 0
    assert not Digest.objects.filter(failures=0).exists()
    assert send_digests(now=at(6, 45, days=1)) == 0
    assert send_digests(now=at(7, days=1)) == 1
    assert Digest.objects.filter(failures=0).get().day == DAY.date() + timedelta(days=1)


def test_a_missed_run_carries_only_what_came_before_the_hour(world):
    waiting(world.member, created=at(6, 30))
    waiting(world.member, key="item:2", subject="After the hour", created=at(9))
    assert send_digests(now=at(14, 15)) == 1  # the runs from 07:00 were missed
    (message,) = mail.outbox
    assert "Paper not out: Budget" in message.body and "After the hour" not in message.body
    assert Notice.objects.get(key="item:2").digest_pending
    assert send_digests(now=at(7, days=1)) == 1
    assert "After the hour" in digests_to(world.member)[1].body


def test_in_summer_0630_utc_is_after_seven_in_the_uk(world):
    waiting(world.member, created=datetime(2026, 6, 10, 5, 45, tzinfo=UTC))  # 06:45 BST
    assert send_digests(now=datetime(2026, 6, 10, 5, 59, tzinfo=UTC)) == 0  # 06:59 BST
    assert send_digests(now=datetime(2026, 6, 10, 6, 30, tzinfo=UTC)) == 1  # 07:30 BST
    assert Digest.objects.filter(failures=0).get().day == date(2026, 6, 10)


def test_a_midnight_digest_belongs_to_the_uk_day_not_the_utc_one(world):
    NotificationSettings.objects.create(person=world.member, digest_hour=0)
    waiting(world.member, created=datetime(2026, 6, 10, 22, 30, tzinfo=UTC))  # 23:30 BST
    # 23:15 UTC on the 10th is 00:15 on the 11th in the UK: the 11th's digest is due.
    assert send_digests(now=datetime(2026, 6, 10, 23, 15, tzinfo=UTC)) == 1
    assert Digest.objects.filter(failures=0).get().day == date(2026, 6, 11)
    assert send_digests(now=datetime(2026, 6, 11, 0, 15, tzinfo=UTC)) == 0


def test_in_the_autumns_repeated_hour_one_digest_and_a_later_message_waits(world):
    """The clocks go back at 02:00 BST on 25 October 2026: 01:00-02:00 comes twice. A digest
    at 01:00 goes at the first 01:00; a message in between waits for the next day."""
    NotificationSettings.objects.create(person=world.member, digest_hour=1)
    waiting(world.member, created=datetime(2026, 10, 24, 23, 30, tzinfo=UTC))  # 00:30 BST
    assert send_digests(now=datetime(2026, 10, 24, 23, 55, tzinfo=UTC)) == 0  # 00:55 BST
    assert send_digests(now=datetime(2026, 10, 25, 0, 5, tzinfo=UTC)) == 1  # 01:05 BST
    waiting(world.member, key="item:2", created=datetime(2026, 10, 25, 0, 30, tzinfo=UTC))
    for minute in (5, 45):  # 01:05 and 01:45 GMT, the hour again
        assert send_digests(now=datetime(2026, 10, 25, 1, minute, tzinfo=UTC)) == 0
    assert send_digests(now=datetime(2026, 10, 26, 1, 0, tzinfo=UTC)) == 1  # 01:00 GMT
    assert list(Digest.objects.order_by("day").values_list("day", "messages")) == [
        (date(2026, 10, 25), 1),
        (date(2026, 10, 26), 1),
    ]


def test_each_person_is_sent_at_their_own_hour(world):
    waiting(world.member)
    waiting(world.chair)
    NotificationSettings.objects.create(person=world.chair, digest_hour=18)
    assert send_digests(now=at(9)) == 1
    assert digests_to(world.chair) == []
    assert send_digests(now=at(18)) == 1
    assert len(digests_to(world.chair)) == 1


def test_a_failed_send_claims_nothing_and_the_next_run_sends_it(world):
    notice = waiting(world.member)
    waiting(world.chair)
    real = notifications._send

    def fail_for_the_member(to, *args):
        if to.pk == world.member.pk:
            raise ConnectionError("mail server down")
        return real(to, *args)

    with mock.patch.object(notifications, "_send", fail_for_the_member):
        assert send_digests(now=at(7)) == 1  # the chair's went; the member's did not
    assert not Digest.objects.filter(recipient=world.member, failures=0).exists()
    notice.refresh_from_db()
    assert notice.digest_pending and notice.emailed_at is None and notice.digest is None
    assert send_digests(now=at(7, 15)) == 1
    assert len(digests_to(world.member)) == 1


def refused_for(person, times=None):
    """``_send`` refusing the person's mail (``times`` times, or always), as a mail server
    that names the address it refuses; how often it was tried is in ``tries``."""
    real = notifications._send
    tries = []

    def send(to, *args):
        if to.pk == person.pk:
            tries.append(to.pk)
            if times is None or len(tries) <= times:
                raise ConnectionRefusedError(f"550 mailbox unavailable: {to.email}")
        return real(to, *args)

    return send, tries


def test_a_digest_that_keeps_failing_is_tried_four_times_then_left_for_tomorrow(world, caplog):
    notice = waiting(world.member)
    refuse, tries = refused_for(world.member)
    with mock.patch.object(notifications, "_send", refuse):
        for now in (at(7), at(7), at(7, 15), at(7, 30), at(7, 45), at(8), at(12), at(23, 45)):
            assert send_digests(now=now) == 0
    assert len(tries) == ATTEMPTS == 4  # the runs of 07:00 to 07:45, and no more that day
    assert digests_to(world.member) == []
    notice.refresh_from_db()
    assert notice.digest_pending and notice.emailed_at is None and notice.digest is None
    # No digest sent: the day's row only counts the failures, and the page does not list it.
    assert (
        not Digest.objects.filter(failures=0).exists()
        and list(world.member.digests.filter(failures=0)) == []
    )
    assert Digest.objects.get().failures == ATTEMPTS
    # Logged once as a fault, by the person's id, without their address.
    (record,) = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert record.levelno == logging.ERROR and f"person {world.member.pk} " in record.getMessage()
    assert "given up" in record.getMessage() and "ConnectionRefusedError" in record.getMessage()
    assert world.member.email not in caplog.text and record.exc_info is None

    # The next day, the mail taken again: its digest carries the day's message and the new.
    waiting(world.member, key="item:2", subject="The next morning", created=at(6, days=1))
    assert send_digests(now=at(7, days=1)) == 1
    (message,) = digests_to(world.member)
    assert "Paper not out: Budget" in message.body and "The next morning" in message.body
    digest = Digest.objects.filter(failures=0).get()
    assert (digest.day, digest.messages) == (DAY.date() + timedelta(days=1), 2)
    notice.refresh_from_db()
    assert notice.digest == digest and not notice.digest_pending
    assert send_digests(now=at(7, 15, days=1)) == 0
    assert len(digests_to(world.member)) == 1


def test_a_digest_sent_after_a_failure_is_sent_once(world, caplog):
    notice = waiting(world.member)
    refuse, tries = refused_for(world.member, times=1)
    with mock.patch.object(notifications, "_send", refuse):
        assert send_digests(now=at(7)) == 0
        assert Digest.objects.get().failures == 1 and not Digest.objects.filter(failures=0).exists()
        assert send_digests(now=at(7, 15)) == 1
        for now in (at(7, 15), at(7, 30), at(8), at(23, 45)):
            assert send_digests(now=now) == 0
    assert len(tries) == 2 and len(digests_to(world.member)) == 1
    digest = Digest.objects.filter(failures=0).get()  # the day's one row, now a digest sent
    assert (digest.day, digest.messages, digest.failures) == (DAY.date(), 1, 0)
    assert list(world.member.digests.filter(failures=0)) == [digest]
    notice.refresh_from_db()
    assert notice.digest == digest and not notice.digest_pending
    # The failure that the next run made good is no fault to report.
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_failed_digest_taken_again_by_two_runs_is_sent_once(world):
    """After a failure the day's row exists: the run that takes it again takes it with a
    conditional update, so a second run (at the same moment, or later) sends nothing."""
    notice = waiting(world.member)
    assert digest_failed(person=world.member, now=at(7)) == 1
    assert digest_send(person=world.member, notices=[notice], now=at(7, 15)) is not None
    assert digest_send(person=world.member, notices=[notice], now=at(7, 15)) is None
    assert len(digests_to(world.member)) == 1
    # A failure counted after the digest went (a run that failed as another sent it) counts
    # nothing: the digest stays sent.
    assert digest_failed(person=world.member, now=at(7, 15)) is None
    assert Digest.objects.get().failures == 0


def test_a_digest_given_up_today_is_not_taken_again(world):
    notice = waiting(world.member)
    for _ in range(ATTEMPTS):
        digest_failed(person=world.member, now=at(7))
    assert list(people_due(now=at(8))) == []
    assert digest_send(person=world.member, notices=[notice], now=at(8)) is None
    notice.refresh_from_db()
    assert notice.digest_pending and mail.outbox == []
    assert [p.pk for p in people_due(now=at(7, days=1))] == [world.member.pk]


def test_a_digest_claimed_by_another_run_is_not_sent_again(world):
    notice = waiting(world.member)
    Digest.objects.create(recipient=world.member, day=DAY.date(), messages=0)
    assert digest_send(person=world.member, notices=[notice], now=at(7)) is None
    notice.refresh_from_db()
    assert notice.digest_pending and mail.outbox == []


def test_a_kind_turned_off_before_the_hour_is_left_out(world):
    choose(world.member, reminders=Delivery.DIGEST)
    waiting(world.member)
    notifications.notification_unsubscribe(person=world.member, category="reminders")
    assert send_digests(now=at(7)) == 0
    assert mail.outbox == []


def test_a_kind_turned_off_after_the_notice_was_held_is_left_out(world):
    """The person turns reminders off between notify_once reading "digest" and the digest (a
    choice written without the service's clearing): the digest leaves reminders out."""
    choose(world.member, reminders=Delivery.DIGEST, papers=Delivery.DIGEST)
    waiting(world.member)
    waiting(world.member, key="item:2", category="papers", subject="Papers for Board")
    choose(world.member, reminders=Delivery.OFF)
    assert [p.pk for p in people_due(now=at(7))] == [world.member.pk]
    assert send_digests(now=at(7)) == 1
    (message,) = mail.outbox
    assert "Papers for Board" in message.body and "Paper not out" not in message.body
    assert Digest.objects.filter(failures=0).get().messages == 1
    choose(world.chair, risk=Delivery.OFF)
    waiting(world.chair, category="risk")
    assert list(people_due(now=at(8))) == []


def test_losing_a_place_drops_the_messages_waiting_for_the_digest(world):
    """A confidential item's late paper is chased; the member leaves the Board before their
    digest: the digest must not carry what they can no longer see. It stays in Messages."""
    from governance import services as gs
    from membership import services as ms
    from tests.governance.helpers import schedule

    choose(world.member, reminders=Delivery.DIGEST)
    meeting = schedule(world, days=3)
    item = gs.item_add(
        actor=world.coordinator,
        meeting=meeting,
        title="Tender",
        confidential=True,
        confidential_reason="Commercially sensitive",
    )
    gs.paper_add(actor=world.coordinator, item=item, title="Bids SECRETLEFT", owner=world.member)
    gs.papers_chase_late()
    notice = Notice.objects.get(recipient=world.member, subject__contains="SECRETLEFT")
    assert notice.digest_pending
    ms.membership_end(actor=None, membership=world.member_membership, ends_on=timezone.localdate())
    notice.refresh_from_db()
    assert not notice.digest_pending and notice.emailed_at is None  # still in Messages
    send_digests(now=(timezone.localtime() + timedelta(days=1)).replace(hour=7, minute=0))
    assert not [m for m in digests_to(world.member) if "SECRETLEFT" in m.body]
    assert not Digest.objects.filter(recipient=world.member, failures=0).exists()


def test_an_inactive_person_gets_no_digest(world):
    waiting(world.member)
    world.member.is_active = False
    world.member.save(update_fields=["is_active"])
    assert list(people_due(now=at(7))) == []


def _people_with_messages(world, people, per_person):
    from tests.factories import UserFactory

    for i in range(people):
        person = UserFactory()
        for j in range(per_person):
            waiting(person, key=f"item:{j}", subject=f"Message {i}.{j}")


@pytest.mark.parametrize("per_person", [1, 5])
def test_the_queries_do_not_grow_with_the_messages(world, per_person, django_assert_num_queries):
    _people_with_messages(world, 3, per_person)
    # Who is due, and their messages, then for each person: the savepoint, the claim, the
    # notices carried, and the release.
    with django_assert_num_queries(2 + 3 * 4):
        assert send_digests(now=at(7)) == 3


# --- through the real broker --------------------------------------------------------------------


@pytest.mark.broker
def test_the_beat_schedule_sends_digests_every_quarter_hour():
    from partnership.celery import app

    app.loader.import_default_modules()
    entry = app.conf.beat_schedule["quarter-hourly-send-digests"]
    assert entry["task"] == "partnership.tasks.send_digests"
    assert entry["task"] in app.tasks


@pytest.mark.broker
def test_one_digest_a_day_through_the_broker_however_often_the_job_runs(
    live_world,
    worker,  # noqa: F811
    monkeypatch,
):
    from celery.signals import task_postrun

    from partnership.celery import app

    clock = {"now": at(6, 50)}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    waiting(live_world.member, created=at(6, 40))
    sent = Digest.objects.filter(recipient=live_world.member, failures=0)
    # The worker runs in this process: each run's result (how many digests it sent).
    results = []

    def finished(sender=None, retval=None, **kwargs):
        if sender.name == "partnership.tasks.send_digests":
            results.append(retval)

    task_postrun.connect(finished, weak=False)
    try:
        app.send_task("partnership.tasks.send_digests")
        assert wait_for(lambda: len(results) == 1)
        assert results == [0] and not sent.exists()  # before the hour: nothing

        clock["now"] = at(7)
        for _ in range(3):
            app.send_task("partnership.tasks.send_digests")
        assert wait_for(lambda: len(results) == 4)
        clock["now"] = at(7, 15)
        app.send_task("partnership.tasks.send_digests")
        assert wait_for(lambda: len(results) == 5)
    finally:
        task_postrun.disconnect(finished)
    assert results == [0, 1, 0, 0, 0]
    assert sent.count() == 1
    assert len(digests_to(live_world.member)) == 1


# --- the confidential sweep -------------------------------------------------------------------


def test_a_confidential_papers_marker_reaches_only_the_digests_of_those_who_may_see_it(world):
    """Everyone takes every kind by digest; a confidential item's paper (marked) is late, and
    is chased. The marker is in a person's digest only if the selectors let them see the item:
    a digest shows what its notices told, and notices go only to those entitled."""
    from governance import services as gs
    from governance.models import AgendaItem
    from governance.selectors.meetings import body_access, items_visible
    from partnership.notifications import OPTIONAL
    from tests.conftest import fresh
    from tests.governance.helpers import schedule
    from tests.test_url_access import ROLES

    roles = [r for r in ROLES if r != "anonymous"]
    for role in roles:
        choose(getattr(world, role), **{c.key: Delivery.DIGEST for c in OPTIONAL})
    meeting = schedule(world, days=3)
    item = gs.item_add(
        actor=world.coordinator,
        meeting=meeting,
        title="Tender",
        confidential=True,
        confidential_reason="Commercially sensitive",
    )
    gs.paper_add(actor=world.coordinator, item=item, title="Bids SECRETDIGEST", owner=world.member)
    gs.papers_chase_late()
    assert not [m for m in mail.outbox if "SECRETDIGEST" in m.subject]  # all held
    # Tomorrow at 07:00: the chasers' messages of today came before it.
    send_digests(now=(timezone.localtime() + timedelta(days=1)).replace(hour=7, minute=0))
    seen = {
        role
        for role in roles
        for m in digests_to(getattr(world, role))
        if "SECRETDIGEST" in m.body or "SECRETDIGEST" in m.alternatives[0][0]
    }
    entitled = {
        role
        for role in roles
        if items_visible(
            AgendaItem.objects.filter(pk=item.pk),
            body_access(fresh(getattr(world, role)), world.board),
        ).exists()
    }
    assert seen == {"member", "coordinator"}
    assert seen <= entitled
    assert {"outsider", "other_member", "group_coordinator"}.isdisjoint(entitled)
