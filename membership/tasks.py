"""Background jobs for membership. Thin: load by id, call a service."""

import logging

from celery import shared_task

from membership.rights import rights_sync_all

log = logging.getLogger(__name__)


@shared_task(
    acks_late=True, autoretry_for=(Exception,), retry_backoff=True, retry_kwargs={"max_retries": 5}
)
def sync_all_permissions() -> int:
    """Re-derive every user's rights. Safe to run twice: the second run finds nothing to do."""
    diffs = rights_sync_all()
    for diff in diffs:
        log.info(
            "rights re-derived for user %s: %d added, %d removed",
            diff.user.pk,
            len(diff.added),
            len(diff.removed),
        )
    return len(diffs)


@shared_task(
    acks_late=True, autoretry_for=(Exception,), retry_backoff=True, retry_kwargs={"max_retries": 5}
)
def run_elections() -> dict[str, int]:
    """Every few minutes: fix electorates as voting opens, remind those who have not voted
    48 hours before voting closes (once each), and close elections whose voting has ended.
    Each step is idempotent, so overlapping or repeated runs do no harm."""
    from membership.services.elections import (
        elections_close_due,
        elections_fix_electorates,
        elections_send_reminders,
    )

    steps = {
        "electorates": elections_fix_electorates,
        "reminded": elections_send_reminders,
        "closed": elections_close_due,
    }
    done, failed = {}, []
    for name, step in steps.items():
        # One failing step must not stop the others (closing must not wait on a reminder).
        try:
            done[name] = step()
        except Exception:
            log.exception("run_elections: %s failed", name)
            failed.append(name)
    if failed:
        raise RuntimeError(f"run_elections steps failed: {', '.join(failed)}")  # retried
    return done


@shared_task(
    acks_late=True, autoretry_for=(Exception,), retry_backoff=True, retry_kwargs={"max_retries": 5}
)
def chase_unsigned_agreement() -> int:
    """Each day: tell anyone not yet told of the current agreement, and remind each member
    who has not signed it, once per calendar month however often this runs."""
    from membership.services.agreement import agreement_chase_unsigned

    return agreement_chase_unsigned()


@shared_task(
    acks_late=True, autoretry_for=(Exception,), retry_backoff=True, retry_kwargs={"max_retries": 5}
)
def remind_coordinators_of_vacancies() -> int:
    """Weekly: each co-ordinator hears once a week about vacant seats and memberships ending
    within 60 days in the bodies they co-ordinate."""
    from membership.services.reminders import vacancies_remind_coordinators

    return vacancies_remind_coordinators()


@shared_task(
    acks_late=True, autoretry_for=(Exception,), retry_backoff=True, retry_kwargs={"max_retries": 5}
)
def chase_membership_reviews() -> int:
    """Each day: chase a chair once when a review's outcomes are past due, and from 1 October
    remind co-ordinators once of a body with no review this financial year."""
    from membership.services.review_chasing import reviews_chase

    return reviews_chase()
