"""The kernel's background jobs."""

import logging

from celery import shared_task
from celery.signals import worker_ready

log = logging.getLogger(__name__)


@shared_task(acks_late=True)
def relay_outbox() -> int:
    """Hand the jobs that the broker could not take when their change committed (it was down)
    to it now. Beat runs this every minute; a failure is logged and left for the next run."""
    from partnership.outbox import outbox_relay

    try:
        return outbox_relay()
    except Exception:  # noqa: BLE001 - the broker is still down: the next run tries again
        log.warning("the outbox is waiting for the broker", exc_info=True)
        return 0


@shared_task(acks_late=True)
def prune_throttle_hits() -> int:
    """Delete request counts older than any limit counts back (idempotent)."""
    from partnership.throttle import prune

    return prune()


@worker_ready.connect
def _relay_at_start(sender=None, **kwargs) -> None:
    """A worker coming up after an outage relays at once rather than at the next minute."""
    relay_outbox.delay()


# Finding and following (issue 17): the digests, the public's alerts and the search index.
from partnership.tasks_follow import (  # noqa: E402, F401
    rebuild_search_index,
    send_alerts,
    send_digests,
    send_pending_alerts,
)
