"""The jobs of finding and following (issue 17). Each is idempotent: digests are claimed per
person and day, alerts per subscription and alert, and indexing replaces an entry."""

from __future__ import annotations

import logging

from celery import shared_task

log = logging.getLogger(__name__)


# --- digests (helper 2) -----------------------------------------------------------------------


# Named as the beat schedule names it (the task is re-exported by partnership/tasks.py).
@shared_task(name="partnership.tasks.send_digests", acks_late=True)
def send_digests() -> int:
    """Each person whose digest hour has come gets today's digest, once (partnership/digests.py).
    A digest that fails is logged and sent by the next quarter-hourly run, so no retry here."""
    from partnership.digests import send_digests as send

    return send()


# --- alerts (helper 3) ------------------------------------------------------------------------


# A failed address is retried with back-off: the sent ones are claimed (AlertSent), so a
# retry sends only the rest; the hourly job catches anything left after the retries.
@shared_task(
    name="partnership.tasks.send_alerts",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
)
def send_alerts(key: str) -> int:
    """Alert the subscribers to ``key`` ("agenda:12") who have not had it
    (partnership/alerts.py)."""
    from partnership.alerts import alerts_send

    return alerts_send(key)


@shared_task(name="partnership.tasks.send_pending_alerts", acks_late=True)
def send_pending_alerts() -> int:
    """Hourly: delete subscriptions unconfirmed after a week and those to bodies that have
    closed, and send any alert of the last two days that someone has not had (a lost job, a
    report made public by its agenda)."""
    from partnership.alerts import (
        alerts_purge_closed_bodies,
        alerts_purge_unconfirmed,
        alerts_send_missed,
    )

    purged = alerts_purge_unconfirmed()
    if purged:
        log.info("deleted %s unconfirmed alert subscription(s)", purged)
    closed = alerts_purge_closed_bodies()
    if closed:
        log.info("deleted %s alert subscription(s) to closed bodies", closed)
    return alerts_send_missed()


# --- search (helper 1) ------------------------------------------------------------------------


# Named as the beat schedule (partnership/celery.py) names it.
@shared_task(name="partnership.tasks.rebuild_search_index", acks_late=True)
def rebuild_search_index() -> int:
    """Every night: index everything again, in batches. Each save already reindexes its
    record; this catches what changes with time alone (a place on a body ends, a story's
    publication time comes) or through a record of another app (a report's paper goes out)."""
    from partnership.search.indexing import rebuild

    return rebuild()
