"""Background jobs for performance returns. Thin: call a service. Idempotent (each step of the
chase is recorded with the digest that carried it; notices go through notify_once), so a retry
or an overlapping run neither loses nor duplicates a message."""

import logging

from celery import shared_task

log = logging.getLogger(__name__)

RETRY = {
    "acks_late": True,
    "autoretry_for": (Exception,),
    "retry_backoff": True,
    "retry_kwargs": {"max_retries": 5},
}


@shared_task(**RETRY)
def chase_returns() -> dict[str, int]:
    """Send today's digests of returns due and late, then any notice about a return's
    submission, sign-off or sending back whose e-mail failed when it happened. One failing step
    does not stop the other; the job is retried for what failed."""
    from performance import services

    steps = {
        "digests": services.returns_chase,
        "event_notices": services.returns_send_notices,
    }
    done, failed = {}, []
    for name, step in steps.items():
        try:
            done[name] = step()
        except Exception:
            log.exception("chase_returns: %s failed", name)
            failed.append(name)
    if failed:
        raise RuntimeError(f"chase_returns steps failed: {', '.join(failed)}")  # retried
    return done
