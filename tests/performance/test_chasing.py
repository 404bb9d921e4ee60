"""The daily chase of returns: each step on its day, to the right people, in one digest a
person a day, once however often it runs; and the same through the real broker."""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from membership import services as ms
from membership.models import Role
from partnership.models import Notice
from partnership.notifications import NotAllSent, notify_once
from performance import services
from performance.models import ChaseStep, Indicator, ReturnChase
from performance.selectors.returns import deadline_for
from tests.factories import UserFactory

DUE_IN_7 = "Returns due in 7 days"
DUE_TODAY = "Returns due today"
LATE_7 = "Returns 7 days late (as co-ordinator)"
LATE_14 = "Returns 14 days late (as chair)"


@pytest.fixture
def deadline(world, perf, today):
    # The personas hold their posts from 30 days ago: put the deadline where every day a test
    # chases on (up to 8 days before it) finds them in post. Both groups have the same one.
    for body in (world.group, world.other):
        services.deadline_set(
            actor=None, body=body, period=perf.period, due_on=today + timedelta(days=10)
        )
    return deadline_for(body=world.group, period=perf.period)


def chase(day) -> int:
    return services.returns_chase(today=day)


def digests() -> list:
    # Only the chaser's: in a committed test a return's sign-off sends its own notice.
    return [m for m in mail.outbox if m.subject.startswith("Performance and risk:")]


def mails_to(person) -> list:
    return [m for m in digests() if m.to == [person.email]]


def only_mail_to(person):
    found = mails_to(person)
    assert len(found) == 1, [m.subject for m in found]
    return found[0].body


def recipients() -> set[str]:
    return {m.to[0] for m in digests()}


def steps_told(indicator) -> set[tuple[str, str]]:
    return set(
        ReturnChase.objects.filter(indicator=indicator).values_list("step", "recipient__email")
    )


# --- each step on its day, to the right people -------------------------------------------------


def test_nothing_is_sent_eight_days_before_the_deadline(perf, deadline):
    assert chase(deadline - timedelta(days=8)) == 0
    assert mail.outbox == []


def test_the_lead_is_reminded_seven_days_before_the_deadline(world, perf, deadline):
    chase(deadline - timedelta(days=7))
    body = only_mail_to(world.member)
    assert DUE_IN_7 in body
    assert "SC01 Reported burglaries, " + perf.period.label in body
    assert "SC02 Residents satisfied with their area" in body
    assert deadline.strftime("%-d %B %Y") in body
    assert "http://testserver" not in body
    assert (
        reverse(
            "performance:return",
            kwargs={"partnership": "testshire", "pk": perf.burglary.pk, "period": perf.period.slug},
        )
        in body
    )
    # Only the writers: nobody above them is told before the deadline.
    assert recipients() == {world.member.email, world.other_member.email}
    assert steps_told(perf.burglary) == {(ChaseStep.BEFORE, world.member.email)}


def test_the_lead_is_reminded_again_on_the_day(world, perf, deadline):
    chase(deadline - timedelta(days=7))
    mail.outbox.clear()
    chase(deadline)
    body = only_mail_to(world.member)
    assert DUE_TODAY in body and DUE_IN_7 not in body
    assert steps_told(perf.burglary) == {
        (ChaseStep.BEFORE, world.member.email),
        (ChaseStep.DUE, world.member.email),
    }


def test_a_day_the_job_did_not_run_is_caught_up_the_next(world, perf, deadline):
    chase(deadline - timedelta(days=5))  # the first run in the window, two days into it
    assert DUE_IN_7 in only_mail_to(world.member)


def test_the_reminder_before_the_deadline_is_not_sent_once_it_has_passed(world, perf, deadline):
    chase(deadline + timedelta(days=1))
    body = only_mail_to(world.member)
    assert DUE_TODAY in body and DUE_IN_7 not in body
    assert (ChaseStep.BEFORE, world.member.email) not in steps_told(perf.burglary)


def test_a_delegated_return_is_chased_with_the_delegate_and_the_lead(world, perf, deadline):
    services.return_delegate(
        actor=world.member,
        indicator=perf.burglary,
        period=perf.period,
        delegate=perf.colleague,
        today=deadline - timedelta(days=10),
    )
    chase(deadline - timedelta(days=7))
    to_delegate = only_mail_to(perf.colleague)
    assert "SC01" in to_delegate and "SC02" not in to_delegate
    # The lead who delegated still answers for it: one digest with both of theirs.
    to_lead = only_mail_to(world.member)
    assert "SC02" in to_lead and "SC01" in to_lead


def test_the_bodys_coordinators_are_told_seven_days_late(world, perf, deadline):
    chase(deadline + timedelta(days=6))
    mail.outbox.clear()
    chase(deadline + timedelta(days=7))
    # The group's co-ordinator and the partnership's; not the lead, not yet the chair.
    for coordinator in (world.group_coordinator, world.coordinator):
        body = only_mail_to(coordinator)
        assert LATE_7 in body and "SC01" in body and "SC02" in body
        assert "Written by Member" in body
    assert world.member.email not in recipients()
    assert world.chair.email not in recipients()
    assert steps_told(perf.burglary) == {
        (ChaseStep.DUE, world.member.email),
        (ChaseStep.LATE_COORDINATORS, world.group_coordinator.email),
        (ChaseStep.LATE_COORDINATORS, world.coordinator.email),
    }


def test_the_chair_is_told_fourteen_days_late(world, perf, deadline):
    chase(deadline + timedelta(days=7))
    mail.outbox.clear()
    chase(deadline + timedelta(days=14))
    body = only_mail_to(world.chair)
    assert LATE_14 in body and "SC01" in body and "SC02" in body
    # The co-ordinators were told a week ago: not again.
    assert recipients() == {world.chair.email}


def test_a_return_found_twenty_days_late_reaches_the_coordinators_and_the_chair(
    world, perf, deadline
):
    chase(deadline + timedelta(days=20))
    assert LATE_14 in only_mail_to(world.chair)
    assert LATE_7 in only_mail_to(world.group_coordinator)
    # The writer's reminders have lapsed: the late steps replace them.
    assert world.member.email not in recipients()


def test_the_deputy_chair_is_told_when_the_body_has_no_chair(world, perf, deadline):
    deputy = UserFactory(email="deputy@example.org", full_name="Deputy")
    ms.membership_create(
        actor=None,
        body=world.other,
        seat=world.other_seat,
        person=deputy,
        role=Role.DEPUTY_CHAIR,
        starts_on=world.start,
    )
    chase(deadline + timedelta(days=14))
    body = only_mail_to(deputy)
    assert LATE_14 in body and "OG01" in body


def test_each_bodys_own_deadline_is_used(world, perf, deadline):
    services.deadline_set(
        actor=None, body=world.other, period=perf.period, due_on=deadline + timedelta(days=7)
    )
    chase(deadline - timedelta(days=7))
    assert world.other_member.email not in recipients()
    chase(deadline)
    assert DUE_IN_7 in only_mail_to(world.other_member)


# --- what is owed ------------------------------------------------------------------------------


def test_a_submitted_or_signed_off_return_is_not_chased(world, perf, deadline):
    day = deadline - timedelta(days=7)
    submit(world, perf.burglary, perf, day)
    ret = submit(world, perf.satisfaction, perf, day)
    services.return_sign_off(actor=world.chair, ret=ret)
    chase(day)
    assert mails_to(world.member) == []


def test_a_draft_is_still_chased_but_a_return_sent_back_is_not(world, perf, deadline):
    """A draft was never submitted; a return sent back was, and its lead was told why: it is
    not chased again, nor escalated as late (a correction made months later would be)."""
    day = deadline - timedelta(days=7)
    services.return_save(
        actor=world.member,
        indicator=perf.burglary,
        period=perf.period,
        version=0,
        value=Decimal(80),
        today=day,
    )
    ret = submit(world, perf.satisfaction, perf, day)
    services.return_send_back(actor=world.chair, ret=ret, reason="Check the survey base")
    chase(day)
    body = only_mail_to(world.member)
    assert "SC01" in body and "SC02" not in body
    mail.outbox.clear()
    chase(deadline + timedelta(days=20))
    assert "SC02" not in "".join(m.body for m in mail.outbox)


def test_an_earlier_quarter_still_owed_is_chased_once_the_indicator_existed_then(
    world, perf, deadline
):
    earlier = perf.period.previous()
    day = deadline - timedelta(days=7)
    # Set up today: the quarters before the open one are not owed.
    chase(day)
    assert earlier.label not in only_mail_to(world.other_member)
    assert world.coordinator.email not in recipients()
    # Set up a year ago: last quarter's missing return is escalated.
    Indicator.history.filter(id=perf.other.pk).update(
        history_date=timezone.now() - timedelta(days=400)
    )
    mail.outbox.clear()
    chase(day)
    body = only_mail_to(world.coordinator)
    assert LATE_7 in body and f"OG01 Volunteers recruited, {earlier.label}" in body
    # Older than four quarters before the open one is never chased.
    assert perf.period.minus(5).label not in body


def test_a_retired_indicator_is_not_chased(world, perf, deadline):
    day = deadline - timedelta(days=7)
    services.indicator_update(actor=None, indicator=perf.other, retired_on=day)
    chase(day)
    assert world.other_member.email not in recipients()


# --- one digest a person a day, once ------------------------------------------------------------


def test_each_person_gets_one_digest_listing_all_their_returns(world, perf, deadline):
    services.indicator_update(actor=None, indicator=perf.strategy, frequency="quarterly")
    day = deadline - timedelta(days=7)
    assert chase(day) == 2  # the Safer Group's lead and the Other Group's
    body = only_mail_to(world.member)
    for code in ("SC01", "SC02", "SC03"):
        assert code in body
    notice = Notice.objects.get(recipient=world.member)
    assert notice.key == f"returns-digest:{day.isoformat()}"
    assert notice.url == reverse("my_returns")


def test_running_twice_in_a_day_sends_nothing_more(world, perf, deadline):
    day = deadline + timedelta(days=14)
    assert chase(day) > 0
    sent, notices, told = len(mail.outbox), Notice.objects.count(), ReturnChase.objects.count()
    assert chase(day) == 0
    assert (len(mail.outbox), Notice.objects.count(), ReturnChase.objects.count()) == (
        sent,
        notices,
        told,
    )


def test_each_message_is_also_a_notice_in_the_app(world, perf, deadline):
    chase(deadline + timedelta(days=14))
    notices = {n.recipient.email: n for n in Notice.objects.select_related("recipient")}
    assert set(notices) == recipients()
    for message in mail.outbox:
        assert notices[message.to[0]].subject == message.subject
    assert notices[world.chair.email].url == reverse(
        "performance:body_returns", kwargs={"partnership": "testshire", "body": "safer-group"}
    )
    assert notices[world.coordinator.email].url == reverse(
        "performance:dashboard", kwargs={"partnership": "testshire"}
    )


def test_someone_who_already_had_todays_digest_gets_new_steps_tomorrow(world, perf, deadline):
    day = deadline - timedelta(days=7)
    Notice.objects.create(
        recipient=world.member, key=f"returns-digest:{day.isoformat()}", subject="Earlier"
    )
    chase(day)
    assert mails_to(world.member) == []
    assert not ReturnChase.objects.filter(recipient=world.member).exists()
    chase(day + timedelta(days=1))
    assert DUE_IN_7 in only_mail_to(world.member)


def test_a_digest_that_fails_to_send_records_nothing_and_goes_on_the_next_run(
    world, perf, deadline
):
    from partnership import notifications

    real_send = notifications._send
    failures = []

    def send_failing_once(to, *args):
        if to.pk == world.member.pk and not failures:
            failures.append(to)
            raise ConnectionError("mail server down")
        return real_send(to, *args)

    day = deadline - timedelta(days=7)
    with mock.patch.object(notifications, "_send", send_failing_once):
        with pytest.raises(NotAllSent):
            chase(day)
        # The others heard; the failed one left no trace.
        assert recipients() == {world.other_member.email}
        assert not Notice.objects.filter(recipient=world.member).exists()
        assert not ReturnChase.objects.filter(recipient=world.member).exists()
        assert chase(day) == 1
    assert DUE_IN_7 in only_mail_to(world.member)
    assert steps_told(perf.burglary) == {(ChaseStep.BEFORE, world.member.email)}


def test_the_chase_loads_in_the_same_number_of_queries_for_more_indicators(world, perf, deadline):
    day = deadline + timedelta(days=14)
    with CaptureQueriesContext(connection) as few:
        services.returns_to_chase(today=day)
    for n in range(10):
        lead = UserFactory(email=f"lead{n}@example.org")
        body = world.other if n % 2 else world.subgroup
        services.indicator_create(
            actor=None,
            partnership=world.partnership,
            body=body,
            code=f"X{n:02d}",
            title=f"Extra {n}",
            unit="number",
            polarity="higher",
            lead=lead,
        )
    with CaptureQueriesContext(connection) as many:
        found = services.returns_to_chase(today=day)
    assert len(many) == len(few)
    assert sum(len(d.items) for d in found) > 10


def submit(world, indicator, perf, day):
    return services.return_submit(
        actor=world.member,
        indicator=indicator,
        period=perf.period,
        version=0,
        value=Decimal(75),
        commentary="On track.",
        remedial_action="More patrols",
        remedial_by=day + timedelta(days=60),
        today=day,
    )


# --- notify_once's on_sent --------------------------------------------------------------------


def _notice(world, **kwargs):
    return notify_once(
        to=world.member,
        key="test:1",
        template="returns_digest",
        context={"sections": [], "total": 0, "as_of": "1 April 2026"},
        **kwargs,
    )


def test_notify_once_calls_on_sent_inside_its_transaction_before_sending(world):
    seen = []

    def on_sent():
        seen.append((len(mail.outbox), Notice.objects.filter(key="test:1").count()))

    assert _notice(world, on_sent=on_sent)
    assert seen == [(0, 1)]
    assert len(mail.outbox) == 1
    # Already told: neither sent nor called again.
    assert not _notice(world, on_sent=on_sent)
    assert seen == [(0, 1)]


def test_what_on_sent_writes_is_rolled_back_when_the_message_fails(world):
    from partnership import notifications

    def on_sent():
        Notice.objects.create(recipient=world.chair, key="written-by-on-sent", subject="x")

    with (
        mock.patch.object(notifications, "_send", side_effect=ConnectionError),
        pytest.raises(ConnectionError),
    ):
        _notice(world, on_sent=on_sent)
    assert not Notice.objects.filter(key__in=["test:1", "written-by-on-sent"]).exists()


# --- the beat schedule and the real broker -------------------------------------------------------


def test_the_beat_schedule_chases_returns_daily():
    from partnership.celery import app

    app.loader.import_default_modules()
    entry = app.conf.beat_schedule["daily-chase-late-returns"]
    assert entry["task"] == "performance.tasks.chase_returns"
    assert entry["task"] in app.tasks


def test_the_task_runs_both_steps_and_raises_for_a_retry_when_one_fails(perf):
    from performance import tasks

    with (
        mock.patch.object(services, "returns_chase", side_effect=ConnectionError),
        mock.patch.object(services, "returns_send_notices", return_value=3) as notices,
        pytest.raises(RuntimeError, match="digests"),
    ):
        tasks.chase_returns.run()
    notices.assert_called_once()


@pytest.mark.broker
def test_returns_are_chased_in_one_digest_a_person_through_the_broker_however_often_it_runs(
    live_world, worker
):
    from partnership.celery import app
    from tests.performance.conftest import build_performance
    from tests.test_celery import wait_for

    w = live_world
    perf = build_performance(w)
    today = timezone.localdate()  # the job chases as of today
    # The open quarter's returns are due in 7 days: the lead hears of all three in one digest.
    services.indicator_update(actor=None, indicator=perf.strategy, frequency="quarterly")
    services.deadline_set(
        actor=None, body=w.group, period=perf.period, due_on=today + timedelta(days=7)
    )
    services.deadline_set(
        actor=None, body=w.other, period=perf.period, due_on=today + timedelta(days=30)
    )
    # SC03 existed last quarter too, and its return is 14 days late: both escalations.
    Indicator.history.filter(id=perf.strategy.pk, history_type="+").update(
        history_date=timezone.now() - timedelta(days=400)
    )
    earlier = perf.period.previous()
    services.deadline_set(
        actor=None, body=w.group, period=earlier, due_on=today - timedelta(days=14)
    )
    notices = Notice.objects.filter(key=f"returns-digest:{today.isoformat()}")
    for _ in range(2):
        app.send_task("performance.tasks.chase_returns")
    expected = {w.member, w.group_coordinator, w.coordinator, w.chair}
    assert wait_for(lambda: notices.count() == len(expected))
    time.sleep(1.5)  # let the other run finish: it must find nothing to send
    assert notices.count() == len(expected)
    assert sorted(m.to[0] for m in digests()) == sorted(p.email for p in expected)
    body = only_mail_to(w.member)
    assert DUE_IN_7 in body and all(code in body for code in ("SC01", "SC02", "SC03"))
    assert f"SC03 Community safety strategy agreed, {earlier.label}" in only_mail_to(w.chair)
    assert LATE_14 in only_mail_to(w.chair)
    assert LATE_7 in only_mail_to(w.group_coordinator)
    assert LATE_7 in only_mail_to(w.coordinator)


@pytest.fixture
def worker(transactional_db):
    from celery.contrib.testing.worker import start_worker

    from partnership.celery import app

    app.control.purge()
    with start_worker(
        app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=10
    ):
        yield
