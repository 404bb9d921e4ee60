"""The jobs of finding and following (issue 17). Each is idempotent: digests are claimed per
person and day, alerts per subscription and alert, and indexing replaces an entry."""

from __future__ import annotations

import logging

from celery import shared_task

log = logging.getLogger(__name__)


# --- digests (helper 2) -----------------------------------------------------------------------


@shared_task(acks_late=True)
def send_digests() -> int:
    """TODO(helper 2)."""
    return 0


# --- alerts (helper 3) ------------------------------------------------------------------------


@shared_task(acks_late=True)
def send_alerts(*args, **kwargs) -> int:
    """TODO(helper 3)."""
    return 0


@shared_task(acks_late=True)
def send_pending_alerts() -> int:
    """TODO(helper 3)."""
    return 0


# --- search (helper 1) ------------------------------------------------------------------------


@shared_task(acks_late=True)
def rebuild_search_index() -> int:
    """TODO(helper 1)."""
    return 0
