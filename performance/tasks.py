"""Background jobs for performance returns and reports. Thin: call a service. Idempotent (each
step of the chase is recorded with the digest that carried it; notices go through notify_once;
a report's render claims the report and compares fingerprints), so a retry or an overlapping
run neither loses nor duplicates a message or a file."""

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
    """Send today's digests (returns, risk reviews, key partnership and agreement reviews due
    and late, overdue risk controls and agreements ending within 90 days), then any notice
    about a return's submission, sign-off or sending back whose e-mail failed when it
    happened. One failing step does not stop the other; the job is
    retried for what failed."""
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


# --- reports ---------------------------------------------------------------------------------


@shared_task(bind=True, **RETRY)
def render_report(self, report_id: int) -> bool:
    """Render a report's PDF if it is missing or stale. A failure is recorded on the report
    and retried with back-off; after the last retry whoever asked is told, once."""
    from performance.services.reports.rendering import report_render, report_render_gave_up

    try:
        return report_render(report_id=report_id)
    except Exception:
        if self.request.retries >= RETRY["retry_kwargs"]["max_retries"]:
            report_render_gave_up(report_id=report_id)
        raise


@shared_task(**RETRY)
def draft_exception_reports() -> dict[str, int]:
    """Draft the exception report of every thematic group whose returns deadline for the last
    quarter has passed, put approved reports waiting for a meeting on the agenda of their
    board's next one, and remind chairs of reports waiting for them (as for minutes). Each step
    is idempotent; one failing does not stop the others."""
    from performance.services.reports import exceptions, placement, workflow

    steps = {
        "drafted": exceptions.exception_reports_draft_due,
        "placed": placement.reports_place_pending_all,
        "awaiting_chair": workflow.reports_chase_awaiting,
    }
    done, failed = {}, []
    for name, step in steps.items():
        try:
            done[name] = step()
        except Exception:
            log.exception("draft_exception_reports: %s failed", name)
            failed.append(name)
    if failed:
        raise RuntimeError(f"draft_exception_reports steps failed: {', '.join(failed)}")
    return done


@shared_task(**RETRY)
def render_stale_reports() -> int:
    """A safety net behind the renders queued when a report changes: every approved report
    whose PDF is missing or stale is queued again."""
    from performance.services.reports.rendering import reports_render_stale

    return reports_render_stale()


# --- risks ---------------------------------------------------------------------------------------


@shared_task(**RETRY)
def check_risk_escalations() -> dict[str, int]:
    """Escalate anew the risks whose acceptance above appetite has lapsed, and put escalated
    risks waiting for a meeting (none was scheduled, or theirs was cancelled) on their parent
    body's next one. Idempotent: each risk's row is locked and it is placed once."""
    from performance.services.risks.escalation import risks_check_escalation

    return risks_check_escalation()
