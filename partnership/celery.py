"""The Celery app. Tasks live in each app's tasks.py; the beat schedule is this one dict."""

import os
from pathlib import Path

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnership.settings")

app = Celery("partnership")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _make_filesystem_broker_folders(sender, **kwargs):
    # The embedded broker (no REDIS_URL) keeps messages in folders that must exist.
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


app.conf.beat_schedule = {
    # Memberships and appointments start and end on dates: re-derive rights each night so a
    # term that ended yesterday gives nothing today, and one starting today gives its rights.
    "daily-sync-permissions": {
        "task": "membership.tasks.sync_all_permissions",
        "schedule": crontab(hour=0, minute=5),
    },
    # Each co-ordinator hears once a week of vacant seats and memberships ending within 60
    # days in the bodies they co-ordinate.
    "weekly-remind-coordinators-of-vacancies": {
        "task": "membership.tasks.remind_coordinators_of_vacancies",
        "schedule": crontab(day_of_week="mon", hour=8, minute=0),
    },
    # Elections: fix the electorate when voting opens, remind 48 hours before voting closes,
    # close and count when voting ends.
    "every-minute-run-elections": {
        "task": "membership.tasks.run_elections",
        "schedule": 60.0,
    },
    # The partnership agreement: members who have not signed the current version are reminded
    # once a calendar month (from two weeks after they were told); anyone not yet told is told.
    "daily-chase-unsigned-agreement": {
        "task": "membership.tasks.chase_unsigned_agreement",
        "schedule": crontab(hour=9, minute=30),
    },
    # The annual membership review: overdue outcomes (the chair, once a review) and, from
    # 1 October, bodies with no review this year (their co-ordinators, once a year).
    "daily-chase-membership-reviews": {
        "task": "membership.tasks.chase_membership_reviews",
        "schedule": crontab(hour=9, minute=40),
    },
    # Meetings: papers not out a week before, overdue actions, minutes awaiting approval, and
    # members with a registered interest in a coming item. Each person is told once about
    # each thing, so running often only means sooner.
    "hourly-chase-meetings": {
        "task": "governance.tasks.chase_meetings",
        "schedule": crontab(minute=15),
    },
    # Registers: notices about declarations, rulings, disputes and gifts go out when the change
    # commits; this sends any that failed then.
    "hourly-send-register-notices": {
        "task": "governance.tasks.send_register_notices",
        "schedule": crontab(minute=45),
    },
    # Registers: members who have not confirmed their entries this financial year, reminded
    # once a month each until they do.
    "daily-chase-register-confirmations": {
        "task": "governance.tasks.chase_register_confirmations",
        "schedule": crontab(hour=8, minute=30),
    },
    # Performance returns and risk reviews: writers and risk owners reminded 7 days before the
    # deadline and on the day, the body's co-ordinators told at 7 days late and its chair at
    # 14, with overdue risk controls told to their owners, in one digest a person a day; then
    # any return notice whose e-mail failed. Each step is told once per person.
    "daily-chase-late-returns": {
        "task": "performance.tasks.chase_returns",
        "schedule": crontab(hour=8, minute=0),
    },
    # The transactional outbox: jobs whose change committed while the broker was down are
    # handed to it once it is back (partnership/outbox.py). Each worker also relays at start.
    "every-minute-relay-outbox": {
        "task": "partnership.tasks.relay_outbox",
        "schedule": 60.0,
    },
    # Request counts older than the longest limit (partnership/throttle.py): each key prunes
    # its own as it counts; this clears the keys nobody has used since.
    "daily-prune-throttle-counts": {
        "task": "partnership.tasks.prune_throttle_hits",
        "schedule": crontab(hour=3, minute=15),
    },
    # Agenda packs and minutes are rendered when they change; this catches any render that
    # was lost (a worker down when the change was made).
    "every-ten-minutes-render-stale-documents": {
        "task": "governance.tasks.render_stale_documents",
        "schedule": 600.0,
    },
    # Exception reports: each thematic group's report drafted once its quarter's returns
    # deadline has passed (sign-off drafts it sooner), and approved reports put on their
    # board's next meeting once one is scheduled. Both do nothing twice.
    "daily-draft-exception-reports": {
        "task": "performance.tasks.draft_exception_reports",
        "schedule": crontab(hour=7, minute=30),
    },
    # Reports' PDFs are rendered when asked for and when approved; this catches an approved
    # report whose PDF is missing or stale (a render lost with a worker, or failed for good).
    "hourly-render-stale-reports": {
        "task": "performance.tasks.render_stale_reports",
        "schedule": crontab(minute=50),
    },
    # Risks: an acceptance above appetite that has lapsed escalates the risk again if it is
    # still above appetite; escalated risks waiting for a meeting go on the next one.
    "daily-check-risk-escalations": {
        "task": "performance.tasks.check_risk_escalations",
        "schedule": crontab(hour=7, minute=40),
    },
    # Daily digests (partnership/digests.py): each person whose chosen hour has come and who
    # has messages waiting gets one e-mail; claimed per person and day, so running every
    # quarter of an hour sends nobody two.
    "quarter-hourly-send-digests": {
        "task": "partnership.tasks.send_digests",
        "schedule": crontab(minute="*/15"),
    },
    # The public's alerts (partnership/alerts.py): any alert whose job was lost is sent, and
    # unconfirmed subscriptions older than a week are deleted with their addresses.
    "hourly-send-alerts": {
        "task": "partnership.tasks.send_pending_alerts",
        "schedule": crontab(minute=25),
    },
    # A paper's or library document's words are read by a job queued on upload; this queues
    # again, every six hours, any still missing an hour on and uploaded in the last week
    # (governance.services.papers.text_extraction_catch_up).
    "six-hourly-extract-missing-text": {
        "task": "governance.tasks.extract_missing_text",
        "schedule": crontab(minute=35, hour="*/6"),
    },
    # The search index (partnership/search/): anything missed by the hooks that keep it up
    # to date is indexed again each night.
    "nightly-rebuild-search-index": {
        "task": "partnership.tasks.rebuild_search_index",
        "schedule": crontab(hour=2, minute=30),
    },
}
