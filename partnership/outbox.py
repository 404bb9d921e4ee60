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

from partnership.models import OutboxJob

log = logging.getLogger(__name__)

KEEP_SENT_FOR = timedelta(days=7)


def enqueue(task: Any, *args: Any, **kwargs: Any) -> OutboxJob:
    """Run ``task`` (a Celery task or its name) with these JSON-serialisable arguments once
    the current transaction commits, and never lose it. Each call is a job of its own, even
    if an identical one is waiting: that one may be sent before this transaction commits, and
    so run without seeing its change (a repeated render finds nothing to do)."""
    name = task if isinstance(task, str) else task.name
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

    task = app.tasks[job.task]
    # One attempt, quickly: a broker that is down is tried again by the next relay, not here
    # while a person waits for their page.
    task.apply_async(args=job.args, kwargs=job.kwargs, task_id=f"outbox-{job.pk}", retry=False)


def outbox_relay(*, only: int | None = None, limit: int = 500) -> int:
    """Hand the waiting jobs to the broker, oldest first; returns how many were sent. Each
    row is locked while it is sent (``skip_locked``: two relays never send the same row at
    once). Stops at the first failure, which is raised: the broker is down, and the rest
    would fail too."""
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
        if failure is not None:
            raise failure
        sent += 1
    if only is None:
        OutboxJob.objects.filter(sent_at__lt=timezone.now() - KEEP_SENT_FOR).delete()
    return sent
