"""A transactional outbox: the jobs a change needs survive a broker outage.

``enqueue(task, *args)`` records the job in the caller's transaction and, once that commits,
hands it to Celery. If the broker cannot take it (Redis down or restarting), nothing is raised
to the user, whose change did succeed: the job waits in the table and ``outbox_relay``, run
every minute by beat (``partnership.tasks.relay_outbox``) and at each worker's start, hands it
on once the broker is back. A job that rolled back with its change never existed.

Delivery is at least once: a relay that sent a job but died before marking it sent sends it
again, so every task sent through here must be idempotent (ours are: renders compare
fingerprints, notices are keyed). The task id is the row's, so a duplicate can be recognised
in the worker's log.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from partnership.models import OutboxJob

log = logging.getLogger(__name__)

KEEP_SENT_FOR = timedelta(days=7)
# What a broker that cannot be reached raises (kombu wraps redis's and the socket's errors).
BROKER_DOWN = (KombuOperationalError, ConnectionError, OSError, TimeoutError)


def enqueue(task: Any, *args: Any, coalesce: bool = False, **kwargs: Any) -> OutboxJob:
    """Run ``task`` (a Celery task or its name) with these JSON-serialisable arguments once
    the current transaction commits, and never lose it. Each call is a job of its own, even
    if an identical one is waiting: that one may be sent before this transaction commits, and
    so run without seeing its change (a repeated render finds nothing to do).

    ``coalesce`` is for a caller that changed nothing (a page asking for a render it found
    missing): an identical job still waiting is enough, and none is added, so a page asked for
    again and again while the broker is down does not fill the table."""
    name = task if isinstance(task, str) else task.name
    if coalesce:
        waiting = OutboxJob.objects.filter(
            task=name, args=list(args), kwargs=kwargs, sent_at__isnull=True
        ).first()
        if waiting is not None:
            return waiting
    job = OutboxJob.objects.create(task=name, args=list(args), kwargs=kwargs)
    transaction.on_commit(partial(_send_now, job.pk))
    return job


def _send_now(pk: int) -> None:
    try:
        outbox_relay(only=pk)
    except Exception:  # noqa: BLE001 - the relay job sends it later; the user's change stands
        log.warning("job %s waits in the outbox: the broker did not take it", pk, exc_info=True)


def _publish(job: OutboxJob) -> None:
    from partnership.celery import app

    # By name: a job recorded before a deploy that renamed its task still goes to the broker
    # (and fails in the worker, visibly) rather than stop the relay here. One attempt,
    # quickly: a broker that is down is tried again by the next relay, not while a person
    # waits for their page. Eager mode (tests, CELERY_TASK_ALWAYS_EAGER) runs it here.
    options = {"task_id": f"outbox-{job.pk}", "retry": False}
    if app.conf.task_always_eager and job.task in app.tasks:
        app.tasks[job.task].apply_async(args=job.args, kwargs=job.kwargs, **options)
    else:
        app.send_task(job.task, args=job.args, kwargs=job.kwargs, **options)


def outbox_relay(*, only: int | None = None, limit: int = 500) -> int:
    """Hand the waiting jobs to the broker, oldest first; returns how many were sent. Each
    row is locked while it is sent (``skip_locked``: two relays never send the same row at
    once). A broker that cannot be reached stops the relay, raised: the rest would fail too.
    Any other failure is recorded on its row and the relay goes on to the next, so one bad
    job never holds up the others."""
    waiting = OutboxJob.objects.filter(sent_at__isnull=True)
    if only is not None:
        waiting = waiting.filter(pk=only)
    sent = 0
    for pk in list(waiting.order_by("created_at", "pk").values_list("pk", flat=True)[:limit]):
        failure = None
        with transaction.atomic():
            job = (
                OutboxJob.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, sent_at__isnull=True)
                .first()
            )
            if job is None:
                continue  # sent meanwhile, or another relay has it
            try:
                _publish(job)
            except Exception as error:  # noqa: BLE001 - recorded on the row, raised below
                failure = error
            OutboxJob.objects.filter(pk=pk).update(
                sent_at=None if failure else timezone.now(),
                attempts=job.attempts + 1,
                last_error=repr(failure)[:2000] if failure else "",
            )
        if isinstance(failure, BROKER_DOWN):
            raise failure
        if failure is not None:
            log.error("job %s could not be sent: %r", pk, failure)
            continue
        sent += 1
    if only is None:
        OutboxJob.objects.filter(sent_at__lt=timezone.now() - KEEP_SENT_FOR).delete()
    return sent
