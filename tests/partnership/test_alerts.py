"""The public's e-mail alerts, as services: double opt-in, the same answer for every address,
the limits, sending once per subscription and event however often the job runs or fails, the
week an unconfirmed address is kept, and that an alert never carries a confidential title."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from governance import services as gs
from governance.models import Meeting, Paper
from partnership import alerts
from partnership.models import AlertSent, AlertSubscription, NewsItem, OutboxJob
from partnership.news import news_create, news_publish
from partnership.notifications import NotAllSent
from partnership.throttle import Limit
from performance import services as ps
from performance.models import Report, ReportKind, ReportStatus
from performance.services.reports.common import save_version
from tests.factories import PartnershipFactory
from tests.governance.helpers import build_meetings, schedule
from tests.test_settings import run_manage

MARKER = "SECRETALERT"


def subscribed(world, email="reader@example.com", *, body=None, topics=None, confirm=True):
    """A subscription made through the service, confirmed unless asked; with its secret."""
    body = world.board if body is None else (body or None)
    topics = topics or (alerts.BODY_TOPICS if body else alerts.NEWS_TOPICS)
    mail.outbox.clear()
    alerts.alert_subscribe(partnership=world.partnership, body=body, email=email, topics=topics)
    secret = confirm_secret(mail.outbox[-1])
    subscription = AlertSubscription.objects.get(email=email.lower(), body=body)
    if confirm:
        alerts.alert_confirm(subscription=subscription)
        subscription.refresh_from_db()
    mail.outbox.clear()
    return subscription, secret


def confirm_secret(message) -> str:
    return re.search(r"/alerts/confirm/([^/\s]+)/", message.body).group(1)


def unsubscribe_link(message) -> str:
    return re.search(r"<(http[^>]+)>", message.extra_headers["List-Unsubscribe"]).group(1)


def publish_with_secret(world, *, days=14):
    """A meeting of the Board with a public item and a confidential one (marked), published."""
    meeting = schedule(world, days=days)
    gs.item_add(actor=world.coordinator, meeting=meeting, title="Community safety plan")
    gs.item_add(
        actor=world.coordinator,
        meeting=meeting,
        title=f"Tender {MARKER}",
        confidential=True,
        confidential_reason="Commercially sensitive",
    )
    gs.meeting_publish(actor=world.coordinator, meeting=meeting)
    return meeting


def report_on(world, item, paper, *, title, year, has_unpublished=False):
    """An approved exception report of the Safer Group, put on ``item`` with ``paper`` as its
    placement would (placement's own rules are tested in tests/performance)."""
    report, _ = save_version(
        actor=None,
        body=world.group,
        kind=ReportKind.EXCEPTION,
        year=year,
        quarter=1,
        title=title,
        facts={"kind": ReportKind.EXCEPTION, "has_unpublished": has_unpublished},
    )
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.APPROVED,
        approved_by=world.chair,
        approved_at=timezone.now(),
        agenda_item=item,
        paper=paper,
        narrative={"summary": f"Summary of {title}"},
    )
    return Report.objects.get(pk=report.pk)


def plant_secret_reports(world, meetings):
    """On the Board's published agenda (build_meetings' upcoming meeting, its papers out),
    the Safer Group's exception reports that must stay hidden, each marked: on the
    confidential item; holding unpublished indicators; with a confidential paper; with a
    paper not yet circulated. And one the public may read (unmarked), so the sweeps show
    reports do reach the feeds and the alerts. Returns that public one."""
    item = meetings.public_item
    confidential_paper = Paper.objects.create(
        item=item,
        title="Annex",
        owner=world.member,
        confidential=True,
        confidential_reason="Personal data",
        circulated_at=timezone.now(),
    )
    not_out = Paper.objects.create(item=item, title="Late annex", owner=world.member)
    for year, on, paper, unpublished in (
        (2020, meetings.secret_item, meetings.secret_paper, False),
        (2021, item, meetings.public_paper, True),
        (2022, item, confidential_paper, False),
        (2023, item, not_out, False),
    ):
        report_on(
            world,
            on,
            paper,
            title=f"Exception report {MARKER} {year}",
            year=year,
            has_unpublished=unpublished,
        )
    return report_on(
        world, item, meetings.public_paper, title="Exception report: Safer Group", year=2024
    )


# --- subscribing -------------------------------------------------------------------------------


def test_the_database_keeps_one_subscription_per_address_and_body_and_one_for_the_news(world):
    p = world.partnership
    for body in (world.board, None):
        AlertSubscription.objects.create(
            partnership=p, body=body, email="one@example.com", topics=["news"], token_hash=f"{body}"
        )
        with pytest.raises(IntegrityError), transaction.atomic():
            AlertSubscription.objects.create(
                partnership=p, body=body, email="one@example.com", topics=[], token_hash="x"
            )
    # Another body, or the news, for the same address is another subscription.
    AlertSubscription.objects.create(
        partnership=p, body=world.other, email="one@example.com", token_hash="other"
    )


def test_two_requests_at_once_for_one_address_make_one_subscription(world, monkeypatch):
    """The other request's row appears between this one's look and its insert: the
    constraint refuses the second row, and this request sends nothing (the other does)."""
    subscribed(world, "twice@example.com", confirm=False)
    mail.outbox.clear()
    monkeypatch.setattr(
        AlertSubscription.objects, "select_for_update", AlertSubscription.objects.none
    )
    sent = alerts.alert_subscribe(
        partnership=world.partnership,
        body=world.board,
        email="twice@example.com",
        topics=["agendas"],
    )
    assert sent is False and mail.outbox == []
    assert AlertSubscription.objects.filter(email="twice@example.com").count() == 1


def test_one_address_may_ask_for_the_alerts_of_several_bodies_in_a_day(world):
    for body in (world.board, world.group, world.subgroup, world.other, None):
        alerts.alert_subscribe(
            partnership=world.partnership,
            body=body,
            email="resident@example.com",
            topics=["agendas", "news"],
        )
    assert len(mail.outbox) == 5


def test_one_address_is_e_mailed_a_bounded_number_of_times_a_day_in_all(world, monkeypatch):
    monkeypatch.setattr(
        alerts, "SUBSCRIBE_BY_EMAIL_ANYWHERE", Limit("alerts:email-anywhere", 2, timedelta(days=1))
    )
    for body in (world.board, world.group, world.other):
        alerts.alert_subscribe(
            partnership=world.partnership,
            body=body,
            email="victim@example.com",
            topics=["agendas"],
        )
    assert len(mail.outbox) == 2
    assert AlertSubscription.objects.filter(email="victim@example.com").count() == 2


def test_a_closed_body_takes_no_subscriptions_and_its_subscribers_are_deleted(world):
    subscribed(world, "board@example.com")
    subscribed(world, "other@example.com", body=world.other)
    subscribed(world, "group@example.com", body=world.group)
    today = timezone.localdate()
    type(world.other).objects.filter(pk=world.other.pk).update(closed_on=today)
    # Closing at the end of next month: its alerts go on until then.
    type(world.group).objects.filter(pk=world.group.pk).update(closed_on=today + timedelta(40))
    world.other.refresh_from_db()
    with pytest.raises(ValueError):
        alerts.alert_subscribe(
            partnership=world.partnership,
            body=world.other,
            email="x@example.com",
            topics=["agendas"],
        )
    assert alerts.alerts_purge_closed_bodies() == 1
    assert sorted(AlertSubscription.objects.values_list("email", flat=True)) == [
        "board@example.com",
        "group@example.com",
    ]


def test_e_mail_subjects_are_plain_text_not_html(world):
    type(world.board).objects.filter(pk=world.board.pk).update(name="Health & Wellbeing Board")
    world.board.refresh_from_db()
    subscription, _ = subscribed(world, confirm=False)
    alerts.alert_subscribe(
        partnership=world.partnership,
        body=world.board,
        email="reader@example.com",
        topics=["agendas"],
    )
    assert mail.outbox[-1].subject == "Confirm your e-mail alerts from the Health & Wellbeing Board"
    alerts.alert_confirm(subscription=AlertSubscription.objects.get(pk=subscription.pk))
    alerts.alert_subscribe(
        partnership=world.partnership,
        body=world.board,
        email="reader@example.com",
        topics=["agendas"],
    )
    assert (
        mail.outbox[-1].subject == "You already get e-mail alerts from the Health & Wellbeing Board"
    )
    mail.outbox.clear()
    meeting = publish_with_secret(world)
    Meeting.objects.filter(pk=meeting.pk).update(title="Parks & <open> spaces")
    alerts.alerts_send(f"agenda:{meeting.pk}")
    (message,) = mail.outbox
    assert message.subject.startswith("Agenda published: Parks & <open> spaces, ")


def test_subscribing_sends_a_link_and_keeps_only_a_hash_of_its_secret(world):
    subscription, secret = subscribed(world, "Reader@Example.com", confirm=False)
    assert subscription.email == "reader@example.com"
    assert subscription.confirmed_at is None
    assert secret not in subscription.token_hash and len(subscription.token_hash) == 64
    assert subscription.topics == ["agendas", "minutes", "reports"]


def test_nothing_is_sent_before_the_address_is_confirmed(world, django_capture_on_commit_callbacks):
    subscribed(world, confirm=False)
    meeting = publish_with_secret(world)
    assert alerts.alerts_send(f"agenda:{meeting.pk}") == 0
    assert mail.outbox == []


def test_asking_again_unconfirmed_sends_a_new_link_and_the_old_one_stops_working(world):
    first, old_secret = subscribed(world, confirm=False)
    second, new_secret = subscribed(world, confirm=False, topics=["minutes"])
    assert first.pk == second.pk and old_secret != new_secret
    assert second.topics == ["minutes"]
    p = world.partnership
    assert alerts.subscription_to_confirm(partnership=p, secret=old_secret) is None
    assert alerts.subscription_to_confirm(partnership=p, secret=new_secret).pk == first.pk


def test_asking_again_once_confirmed_changes_nothing_and_says_so(world):
    subscription, _ = subscribed(world, topics=["agendas"])
    alerts.alert_subscribe(
        partnership=world.partnership,
        body=world.board,
        email=subscription.email,
        topics=["minutes"],
    )
    again = AlertSubscription.objects.get(pk=subscription.pk)
    assert again.token_hash == subscription.token_hash and again.topics == ["agendas"]
    assert again.confirmed_at == subscription.confirmed_at
    (message,) = mail.outbox
    assert "already" in message.subject
    assert "/alerts/unsubscribe/" in message.body and "/alerts/confirm/" not in message.body


def test_one_address_is_sent_at_most_three_confirmations_a_day(world):
    for _ in range(5):
        alerts.alert_subscribe(
            partnership=world.partnership,
            body=world.board,
            email="victim@example.com",
            topics=["agendas"],
        )
    assert len(mail.outbox) == 3


def test_an_unconfirmed_address_is_deleted_after_a_week(world):
    subscribed(world, "late@example.com", confirm=False)
    subscribed(world, "kept@example.com")
    later = timezone.now() + alerts.CONFIRM_WITHIN + timedelta(minutes=1)
    assert alerts.alerts_purge_unconfirmed(now=later) == 1
    assert list(AlertSubscription.objects.values_list("email", flat=True)) == ["kept@example.com"]


def test_a_week_old_link_no_longer_confirms(world):
    _, secret = subscribed(world, confirm=False)
    later = timezone.now() + alerts.CONFIRM_WITHIN + timedelta(minutes=1)
    p = world.partnership
    assert alerts.subscription_to_confirm(partnership=p, secret=secret, now=later) is None


def test_confirming_retires_the_link_and_the_unsubscribe_link_still_works(world):
    subscription, secret = subscribed(world, confirm=False)
    p = world.partnership
    stale = alerts.subscription_to_confirm(partnership=p, secret=secret)
    confirmed = alerts.alert_confirm(subscription=subscription)
    assert confirmed.confirmed_at is not None
    row = AlertSubscription.objects.get(pk=subscription.pk)
    assert row.token_hash == confirmed.token_hash != subscription_hash(secret)
    # The used link finds nothing, and a second press on a page opened before does nothing.
    assert alerts.subscription_to_confirm(partnership=p, secret=secret) is None
    assert alerts.alert_confirm(subscription=stale) is None
    # The unsubscribe token, made after confirming, works (and is the same from the row).
    token = alerts.unsubscribe_token(confirmed)
    assert token == alerts.unsubscribe_token(row)
    assert alerts.subscription_to_unsubscribe(partnership=p, token=token).pk == row.pk


def subscription_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def test_an_unsubscribe_token_is_bound_to_its_row_and_dies_with_it(world):
    subscription, _ = subscribed(world)
    token = alerts.unsubscribe_token(subscription)
    p = world.partnership
    assert alerts.subscription_to_unsubscribe(partnership=p, token=token).pk == subscription.pk
    _, _, signature = token.partition(":")
    other, _ = subscribed(world, "other@example.com")
    assert (
        alerts.subscription_to_unsubscribe(partnership=p, token=f"{other.pk}:{signature}") is None
    )
    alerts.alert_unsubscribe(subscription=subscription)
    assert not AlertSubscription.objects.filter(email="reader@example.com").exists()
    assert alerts.subscription_to_unsubscribe(partnership=p, token=token) is None


# --- sending -----------------------------------------------------------------------------------


def test_publishing_an_agenda_queues_its_alert_after_commit(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        meeting = publish_with_secret(world)
    job = OutboxJob.objects.get(task=alerts.SEND_TASK)
    assert job.args == [f"agenda:{meeting.pk}"]


def test_an_agenda_alert_is_sent_once_however_often_the_job_runs(world):
    subscription, _ = subscribed(world)
    meeting = publish_with_secret(world)
    key = f"agenda:{meeting.pk}"
    assert alerts.alerts_send(key) == 1
    assert alerts.alerts_send(key) == 0
    assert alerts.alerts_send_missed() == 0
    (message,) = mail.outbox
    assert message.to == ["reader@example.com"]
    assert "Community safety plan" in message.body
    assert AlertSent.objects.filter(subscription=subscription, key=key).count() == 1


def test_an_alert_carries_the_one_click_unsubscribe_headers(world, client, settings):
    settings.SITE_URL = "https://partnership.example.gov.uk"
    subscribed(world)
    meeting = publish_with_secret(world)
    alerts.alerts_send(f"agenda:{meeting.pk}")
    (message,) = mail.outbox
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = unsubscribe_link(message)
    assert link in message.body and link in message.alternatives[0][0]


def test_a_failed_send_is_sent_by_the_next_run_and_others_still_hear(world):
    subscribed(world, "first@example.com")
    subscribed(world, "second@example.com")
    meeting = publish_with_secret(world)
    key = f"agenda:{meeting.pk}"
    real = alerts.send_email

    def flaky(address, *args, **kwargs):
        if address == "first@example.com":
            raise ConnectionError("mail server down")
        return real(address, *args, **kwargs)

    with mock.patch.object(alerts, "send_email", flaky), pytest.raises(NotAllSent):
        alerts.alerts_send(key)
    assert [m.to for m in mail.outbox] == [["second@example.com"]]
    # The failed one's claim was rolled back with it: the retry sends it, and only it.
    assert AlertSent.objects.filter(key=key).count() == 1
    assert alerts.alerts_send(key) == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["first@example.com", "second@example.com"]


def test_the_hourly_job_sends_an_alert_whose_job_was_lost(world):
    subscribed(world)
    meeting = publish_with_secret(world)  # its job never ran (on_commit not executed)
    assert alerts.alerts_send_missed() == 1
    (message,) = mail.outbox
    assert message.subject == f"Agenda published: {meeting.name}, {meeting.held_on:%-d %B %Y}"


def test_the_hourly_job_sends_the_rest_when_one_announcement_fails(world, monkeypatch):
    subscribed(world)
    meeting = publish_with_secret(world)

    def broken(pk):
        raise RuntimeError("a bug in one source")

    monkeypatch.setitem(
        alerts._sources,
        "broken",
        alerts.AlertSource(kind="broken", topic="agendas", build=broken, since=lambda m: [1]),
    )
    monkeypatch.setitem(
        alerts._sources,
        "unlisted",
        alerts.AlertSource(kind="unlisted", topic="agendas", build=broken, since=lambda m: 1 / 0),
    )
    with pytest.raises(NotAllSent, match="broken:1"):
        alerts.alerts_send_missed()
    (message,) = mail.outbox
    assert message.subject.startswith(f"Agenda published: {meeting.name}")
    assert AlertSent.objects.filter(key=f"agenda:{meeting.pk}").count() == 1


def test_a_subscriber_confirmed_after_the_event_is_not_sent_it(world):
    meeting = publish_with_secret(world)
    subscribed(world)
    assert alerts.alerts_send(f"agenda:{meeting.pk}") == 0


def test_only_the_chosen_topics_and_body_are_sent(world):
    subscribed(world, "minutes@example.com", topics=["minutes"])
    subscribed(world, "other-body@example.com", body=world.other)
    subscribed(world, "agendas@example.com", topics=["agendas"])
    meeting = publish_with_secret(world)
    assert alerts.alerts_send(f"agenda:{meeting.pk}") == 1
    assert [m.to for m in mail.outbox] == [["agendas@example.com"]]


def test_a_cancelled_meetings_agenda_is_not_sent(world):
    subscribed(world)
    meeting = publish_with_secret(world)
    gs.meeting_cancel(actor=world.coordinator, meeting=meeting, reason="No business")
    assert alerts.alerts_send(f"agenda:{meeting.pk}") == 0


def test_approved_minutes_are_sent_with_their_public_decisions_only(world):
    subscribed(world)
    meetings = build_meetings(world)
    mail.outbox.clear()
    sent = alerts.alerts_send(f"minutes:{meetings.minutes.pk}")
    assert sent == 1
    (message,) = mail.outbox
    assert "Annual report: Report approved" in message.body
    for secret in ("SECRETMINUTE", "SECRETDECISION"):
        assert secret not in message.body and secret not in message.alternatives[0][0]


def test_draft_minutes_are_never_sent(world):
    subscribed(world)
    meeting = publish_with_secret(world, days=-3)
    minutes = gs.minutes_start(actor=world.coordinator, meeting=meeting)
    assert alerts.alerts_send(f"minutes:{minutes.pk}") == 0


def test_news_is_sent_to_the_news_subscribers_once_published(world):
    subscribed(world, "news@example.com", body=False)
    subscribed(world, "board@example.com")
    item = news_create(
        actor=world.coordinator,
        partnership=world.partnership,
        title="New chair",
        summary="The Board has a new chair.",
        text="Story",
    )
    assert alerts.alerts_send(f"news:{item.pk}") == 0  # a draft
    news_publish(actor=world.coordinator, item=item)
    assert alerts.alerts_send(f"news:{item.pk}") == 1
    (message,) = mail.outbox
    assert message.to == ["news@example.com"] and message.subject == "New chair"


def test_no_alert_ever_carries_a_confidential_title(world):
    """The sweep: a marker in a confidential item of a published agenda, in the approved
    minutes of that item, and in draft minutes; every alert the job could send is built and
    sent, and none holds it."""
    subscribed(world, topics=["agendas", "minutes", "reports"])
    subscribed(world, "group@example.com", body=world.group, topics=["reports"])
    public_report = plant_secret_reports(world, build_meetings(world))
    approved = publish_with_secret(world, days=-2)
    minutes = gs.minutes_start(actor=world.coordinator, meeting=approved)
    items = {
        False: approved.items.get(title="Community safety plan"),
        True: approved.items.get(confidential=True),
    }
    gs.minutes_save(
        actor=world.coordinator,
        minutes=minutes,
        entries={
            items[False].pk: ("Noted.", "Plan approved"),
            items[True].pk: (f"Advice {MARKER}", f"Decision {MARKER}"),
        },
    )
    gs.minutes_submit(actor=world.coordinator, minutes=minutes)
    gs.minutes_approve(actor=world.chair, minutes=minutes)
    draft = publish_with_secret(world, days=-1)
    draft_minutes = gs.minutes_start(actor=world.coordinator, meeting=draft)
    public_item = draft.items.get(title="Community safety plan")
    gs.minutes_save(
        actor=world.coordinator,
        minutes=draft_minutes,
        entries={public_item.pk: (f"Draft {MARKER}", f"Decision {MARKER}")},
    )
    mail.outbox.clear()
    alerts.alerts_send_missed()
    subjects = sorted(m.subject.split(":")[0] for m in mail.outbox)
    # Four agendas and two sets of minutes to the Board's subscriber; the group's subscriber
    # hears of its one public report, and of none of the hidden ones.
    assert subjects == ["Agenda published"] * 4 + ["Minutes approved"] * 2 + ["Report published"]
    assert f"Report published: {public_report.title}" in [m.subject for m in mail.outbox]
    for message in mail.outbox:
        assert MARKER not in message.subject
        assert MARKER not in message.body
        assert MARKER not in message.alternatives[0][0]


def test_a_published_annual_report_is_sent_and_in_the_feed_but_not_before(world):
    subscribed(world, topics=["reports"])
    report, _ = save_version(
        actor=None,
        body=world.board,
        kind=ReportKind.ANNUAL,
        year=2025,
        quarter=0,
        title="Annual report 2025/26",
        facts={"kind": ReportKind.ANNUAL, "period": "2025/26", "has_unpublished": False},
    )
    report = ps.report_approve(actor=world.chair, report=report)
    assert alerts.alerts_send(f"report:{report.pk}") == 0  # approved, not yet published
    assert alerts.body_feed_entries(world.board) == []
    ps.report_publish(actor=world.coordinator, report=report)
    assert alerts.alerts_send(f"report:{report.pk}") == 1
    assert alerts.alerts_send_missed() == 0
    (message,) = mail.outbox
    assert message.subject == "Report published: Annual report 2025/26"
    assert report.get_absolute_url() in message.body
    (entry,) = alerts.body_feed_entries(world.board)
    assert entry.key == f"report:{report.pk}"


def test_a_report_made_public_by_its_paper_going_out_is_dated_then(world):
    """Its agenda was published first; it became public when its paper went out. Someone
    who subscribed in between is sent it, and the feed dates it then."""
    meetings = build_meetings(world)
    Paper.objects.filter(pk=meetings.public_paper.pk).update(circulated_at=None)
    report = report_on(
        world, meetings.public_item, meetings.public_paper, title="Exception report", year=2024
    )
    assert alerts.alerts_send(f"report:{report.pk}") == 0  # its paper is not out
    subscribed(world, body=world.group, topics=["reports"])
    out = timezone.now() + timedelta(seconds=1)
    Paper.objects.filter(pk=meetings.public_paper.pk).update(circulated_at=out)
    (entry,) = alerts.body_feed_entries(world.group)
    assert entry.when == out
    assert alerts.alerts_send_missed(now=out) == 1
    (message,) = mail.outbox
    assert message.subject == "Report published: Exception report"


def test_the_demo_news_is_published_through_save_with_its_history(world):
    demo = PartnershipFactory(slug="demo", name="Demo Partnership")
    call_command("load_demo_news", "--force", stdout=StringIO())
    published = NewsItem.objects.filter(partnership=demo, published_at__isnull=False)
    assert published.count() == 4
    for item in published:
        assert item.history.filter(published_at=item.published_at).exists()
    assert OutboxJob.objects.filter(task=alerts.SEND_TASK).count() == 0  # nobody alerted


def test_a_hung_mail_server_cannot_hold_the_alerts_job_for_long():
    """Each alert is sent inside its claim's transaction: the SMTP wait is bounded."""
    code = "from django.conf import settings as s; print(s.EMAIL_TIMEOUT)"
    assert run_manage("shell", "-c", code, DJANGO_DEBUG="true").stdout.split()[-1] == "10"
    configured = run_manage("shell", "-c", code, DJANGO_DEBUG="true", EMAIL_TIMEOUT="3")
    assert configured.stdout.split()[-1] == "3"


def test_the_jobs_are_those_the_beat_schedule_names_and_do_the_work(world):
    from partnership.celery import app
    from partnership.tasks_follow import send_alerts, send_pending_alerts

    app.loader.import_default_modules()
    entry = app.conf.beat_schedule["hourly-send-alerts"]
    assert entry["task"] == "partnership.tasks.send_pending_alerts" in app.tasks
    assert alerts.SEND_TASK in app.tasks
    subscribed(world)
    subscribed(world, "stale@example.com", confirm=False)
    AlertSubscription.objects.filter(email="stale@example.com").update(
        created_at=timezone.now() - alerts.CONFIRM_WITHIN - timedelta(hours=1)
    )
    meeting = publish_with_secret(world)
    assert send_alerts.apply(args=[f"agenda:{meeting.pk}"]).get() == 1
    assert send_pending_alerts.apply().get() == 0  # sent already: nothing twice
    assert list(AlertSubscription.objects.values_list("email", flat=True)) == ["reader@example.com"]
    assert len(mail.outbox) == 1


def test_over_plain_http_an_alert_gives_the_link_but_no_one_click_post(world, settings):
    """RFC 8058: a mail client POSTs only to an https link."""
    settings.SITE_URL = "http://127.0.0.1:8000"
    subscribed(world)
    meeting = publish_with_secret(world)
    alerts.alerts_send(f"agenda:{meeting.pk}")
    (message,) = mail.outbox
    assert message.extra_headers["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/")
    assert "List-Unsubscribe-Post" not in message.extra_headers
