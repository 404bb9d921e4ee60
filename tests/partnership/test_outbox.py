"""The transactional outbox: a job a committed change needs is never lost to a broker outage,
and the person whose change it was is not told it failed. With the broker unreachable (a
closed port stands for Redis stopped) the change commits and its job waits in the table; once
the broker is back the relay hands it on, and a real worker runs it once."""

from __future__ import annotations

import time
from contextlib import contextmanager

import pytest
from django.db import transaction
from django.urls import reverse

from governance import services as gs
from partnership.celery import app
from partnership.models import OutboxJob
from partnership.outbox import enqueue, outbox_relay
from tests.governance.helpers import schedule
from tests.test_celery import wait_for, worker  # noqa: F401 - a fixture

pytestmark = pytest.mark.broker

CLOSED_PORT = "redis://127.0.0.1:9/0"  # the discard port: nothing listens there

RUNS: list[str] = []


@app.task(name="tests.outbox_probe", acks_late=True)
def probe(token: str) -> None:
    RUNS.append(token)


@contextmanager
def broker_down(*, quickly: bool = True):
    """Every connection the app makes in the block goes to a port where nothing listens; the
    app's own pools are set aside meanwhile and put back after, untouched.

    Kombu tries again to connect, sleeping between tries, until CELERY_BROKER_CONNECTION_TIMEOUT
    has passed (about 6 s a job with ours) before it gives up. ``quickly`` lets it try once: the
    outbox is told the same error, only sooner. The one test of how long a person waits
    (``test_with_the_broker_down_the_change_commits_and_its_job_waits``) keeps the real
    timeout."""
    saved = (
        app.conf.broker_url,
        app.conf.broker_write_url,
        app.conf.broker_transport_options,
        app._pool,
        app.amqp._producer_pool,
    )
    app._pool = app.amqp._producer_pool = None
    app.conf.broker_url = app.conf.broker_write_url = CLOSED_PORT
    if quickly:
        app.conf.broker_transport_options = {**saved[2], "max_retries": 0}
    try:
        yield
    finally:
        (
            app.conf.broker_url,
            app.conf.broker_write_url,
            app.conf.broker_transport_options,
            app._pool,
            app.amqp._producer_pool,
        ) = saved


def test_a_job_of_a_change_that_rolled_back_never_exists(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue(probe, "rolled back")
        raise RuntimeError("the change fails")
    assert not OutboxJob.objects.exists()


def test_with_the_broker_down_the_change_commits_and_its_job_waits(
    db, django_capture_on_commit_callbacks
):
    # The settings of production: how long a person's request waits on a broker that is down.
    with broker_down(quickly=False), django_capture_on_commit_callbacks(execute=True):
        started = time.monotonic()
        with transaction.atomic():
            job = enqueue(probe, "waits")
        took = time.monotonic() - started
    job.refresh_from_db()
    assert job.sent_at is None and job.attempts == 1 and job.last_error
    assert took < 10, "a person's request must not hang on a broker that is down"
    with broker_down(), pytest.raises(Exception):  # noqa: B017 - whatever the transport raises
        outbox_relay()
    job.refresh_from_db()
    assert job.sent_at is None and job.attempts == 2


def test_a_coordinator_publishing_with_the_broker_down_is_told_it_worked(
    client, world, django_capture_on_commit_callbacks
):
    meeting = schedule(world, days=20)
    gs.item_add(actor=world.coordinator, meeting=meeting, title="Budget")
    client.force_login(world.coordinator)
    url = reverse(
        "governance:meeting_publish",
        kwargs={"partnership": world.partnership.slug, "pk": meeting.pk},
    )
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.is_published
    # The job of the publishing (the meeting's earlier changes had no broker in this test).
    waiting = OutboxJob.objects.filter(task="governance.tasks.render_meeting_documents").last()
    assert waiting.args == [meeting.pk] and waiting.sent_at is None and waiting.last_error


def test_a_page_asking_again_for_a_missing_render_adds_no_second_job(
    db, django_capture_on_commit_callbacks
):
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        first = enqueue(probe, "asked", coalesce=True)
        again = enqueue(probe, "asked", coalesce=True)
        other = enqueue(probe, "another", coalesce=True)
        change = enqueue(probe, "asked")  # a change's job is always its own
    assert again.pk == first.pk and other.pk != first.pk and change.pk != first.pk
    assert OutboxJob.objects.count() == 3


@pytest.mark.usefixtures("worker")
def test_once_the_broker_is_back_the_job_runs_once():
    RUNS.clear()
    with broker_down(), transaction.atomic():
        enqueue(probe, "after the outage")
        # on_commit ran outside a test transaction: the broker refused it.
    job = OutboxJob.objects.get()
    assert job.sent_at is None
    # The relay hands it on (this one, or the worker's own relay at its start: either way
    # once); a second relay finds nothing left to send.
    outbox_relay()
    assert outbox_relay() == 0
    assert wait_for(lambda: RUNS == ["after the outage"])
    time.sleep(1.5)
    assert RUNS == ["after the outage"]
    job.refresh_from_db()
    assert job.sent_at is not None and job.last_error == ""


def test_the_relay_runs_every_minute_from_beat():
    app.loader.import_default_modules()
    entry = app.conf.beat_schedule["every-minute-relay-outbox"]
    assert entry["task"] == "partnership.tasks.relay_outbox"
    assert entry["task"] in app.tasks
    assert entry["schedule"] <= 60


def test_workers_deliver_at_least_once_and_never_twice_at_once(settings):
    """A job is acknowledged only once it has run, and a worker lost mid-job gives it back;
    Redis hands an unacknowledged job on only after far longer than any job may run."""
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    if settings.REDIS_URL:
        timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
        assert timeout > 5 * settings.CELERY_TASK_TIME_LIMIT


def test_a_job_that_cannot_be_sent_for_another_reason_does_not_hold_up_the_rest(db, monkeypatch):
    from partnership import outbox

    bad = OutboxJob.objects.create(task="tests.no_such_task", args=[])
    good = OutboxJob.objects.create(task="tests.outbox_probe", args=["after"])
    sent = []

    def publish(job):
        if job.pk == bad.pk:
            raise ValueError("cannot be serialised")
        sent.append(job.pk)

    monkeypatch.setattr(outbox, "_publish", publish)
    assert outbox_relay() == 1
    assert sent == [good.pk]
    bad.refresh_from_db()
    assert bad.sent_at is None and "cannot be serialised" in bad.last_error
