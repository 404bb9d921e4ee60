"""Background jobs for meetings. Thin: load by id, call a service. Every job is idempotent
(chasers send through notify_once; rendering compares fingerprints), so a retry or an
overlapping run neither loses nor duplicates anything."""

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
def render_meeting_documents(meeting_id: int) -> list[str]:
    """Render the meeting's agenda packs and minutes that are missing or out of date."""
    from governance.documents import documents_render

    return documents_render(meeting_id=meeting_id)


@shared_task(**RETRY)
def render_stale_documents() -> int:
    """A safety net behind the on-commit renders: anything stale is rendered again."""
    from governance.documents import documents_render_stale

    return documents_render_stale()


@shared_task(**RETRY)
def chase_meetings() -> dict[str, int]:
    """Chase late papers, overdue actions and minutes awaiting approval, and remind members
    with a registered interest in a coming meeting's item. Each person hears
    once about each thing however often this runs; one failing step does not stop the rest."""
    from governance import services

    steps = {
        "late_papers": services.papers_chase_late,
        "overdue_actions": services.actions_chase_overdue,
        "minutes_awaiting": services.minutes_chase_awaiting,
        "interest_reminders": services.interests_remind_before_meetings,
    }
    done, failed = {}, []
    for name, step in steps.items():
        try:
            done[name] = step()
        except Exception:
            log.exception("chase_meetings: %s failed", name)
            failed.append(name)
    if failed:
        raise RuntimeError(f"chase_meetings steps failed: {', '.join(failed)}")  # retried
    return done


@shared_task(**RETRY)
def chase_register_confirmations() -> int:
    """Remind members who have not confirmed their register entries this financial year:
    once a month each, however often this runs."""
    from governance import services

    return services.registers_chase_confirmation()


@shared_task(**RETRY)
def send_register_notices() -> int:
    """Send any register notice not yet sent (a ruling asked for, made, disputed or settled;
    a gift over the threshold): they go out when the change commits, and this sends those
    whose e-mail failed then. Each person hears once about each thing."""
    from governance import services

    return services.registers_send_notices()


@shared_task(**RETRY)
def extract_paper_text(paper_id: int, version: int) -> bool:
    """Read the words of a paper's file, for search, once it is uploaded. Does nothing if the
    paper has moved on to a newer file since (that file's own job reads it)."""
    from governance.services.papers import paper_extract_text

    return paper_extract_text(paper_id=paper_id, version=version)


@shared_task(**RETRY)
def extract_document_text(version_id: int) -> bool:
    """Read the words of a library document's version, for search. Safe to run again."""
    from governance.services.library import document_version_extract_text

    return document_version_extract_text(version_id=version_id)


@shared_task(**RETRY)
def extract_missing_text() -> int:
    """A safety net behind the jobs queued on upload: the papers and library versions whose
    words are still missing an hour on are queued again (at most 200 of each a run), every
    six hours."""
    from governance.services.papers import text_extraction_catch_up

    return text_extraction_catch_up()
