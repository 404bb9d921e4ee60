"""Jobs through the real broker: Redis in CI (REDIS_URL), the filesystem transport otherwise."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from partnership.celery import app
from partnership.models import BodyUserObjectPermission
from tests.conftest import appoint_governance_lead, fresh

pytestmark = pytest.mark.broker


@pytest.fixture
def worker(transactional_db):
    # Other tests queue render jobs for meetings that are gone by now: drop them, so the
    # worker starts on this test's jobs rather than on a backlog.
    app.control.purge()
    with start_worker(
        app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=10
    ):
        yield


def wait_for(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_the_beat_schedule_names_the_nightly_permission_sync():
    app.loader.import_default_modules()  # a worker would have: run alone, nothing else did
    entry = app.conf.beat_schedule["daily-sync-permissions"]
    assert entry["task"] == "membership.tasks.sync_all_permissions"
    assert entry["task"] in app.tasks


def test_nightly_sync_repairs_permissions_through_the_broker(live_world, worker):
    from partnership.permissions import can_chair_body

    BodyUserObjectPermission.objects.filter(user=live_world.chair).delete()
    app.send_task("membership.tasks.sync_all_permissions")
    assert wait_for(lambda: can_chair_body(fresh(live_world.chair), live_world.board))
    # Run again: nothing to do, nothing duplicated.
    app.send_task("membership.tasks.sync_all_permissions")
    time.sleep(1.5)
    assert BodyUserObjectPermission.objects.filter(user=live_world.chair).count() == 2


def test_the_beat_schedule_chases_meetings_and_renders_documents():
    app.loader.import_default_modules()
    for name, task in [
        ("hourly-chase-meetings", "governance.tasks.chase_meetings"),
        ("every-ten-minutes-render-stale-documents", "governance.tasks.render_stale_documents"),
    ]:
        assert app.conf.beat_schedule[name]["task"] == task
        assert task in app.tasks


def test_late_papers_are_chased_once_through_the_broker_however_often_the_job_runs(
    live_world, worker
):
    from django.core import mail

    from governance import services as gs
    from partnership.models import Notice
    from tests.governance.helpers import schedule

    meeting = schedule(live_world, days=3)
    item = gs.item_add(actor=live_world.coordinator, meeting=meeting, title="Budget")
    gs.paper_add(actor=live_world.coordinator, item=item, title="Budget", owner=live_world.member)
    chased = Notice.objects.filter(key__startswith="paper-late:")
    for _ in range(3):
        app.send_task("governance.tasks.chase_meetings")
    assert wait_for(lambda: chased.count() == 2)
    time.sleep(1.5)  # let the other runs finish: they must find nothing to send
    assert chased.count() == 2
    late = [m for m in mail.outbox if "Paper not out" in m.subject]
    assert sorted(m.to[0] for m in late) == sorted(
        [live_world.member.email, live_world.coordinator.email]
    )


def test_publishing_an_agenda_renders_its_pack_through_the_broker(live_world, worker):
    from governance import services as gs
    from governance.models import Rendition
    from tests.governance.helpers import schedule

    meeting = schedule(live_world, days=10)
    gs.item_add(actor=live_world.coordinator, meeting=meeting, title="Budget")
    gs.meeting_publish(actor=live_world.coordinator, meeting=meeting)
    packs = Rendition.objects.filter(meeting=meeting, kind="agenda_pack")
    assert wait_for(lambda: packs.count() == 2, timeout=60)


def test_the_beat_schedule_chases_unsigned_agreements():
    app.loader.import_default_modules()  # discover the tasks, as a worker or beat would
    entry = app.conf.beat_schedule["daily-chase-unsigned-agreement"]
    assert entry["task"] == "membership.tasks.chase_unsigned_agreement"
    assert entry["task"] in app.tasks


def test_unsigned_members_are_reminded_once_through_the_broker_however_often_it_runs(
    live_world, worker
):
    from datetime import timedelta

    from django.core import mail
    from django.utils import timezone

    from membership import services as ms
    from partnership.models import Notice
    from tests.governance.helpers import pdf_bytes

    w = live_world
    lead = fresh(appoint_governance_lead(w))
    version = ms.agreement_version_upload(
        actor=lead,
        partnership=w.partnership,
        label="2026",
        what_changed="First version.",
        upload=("agreement.pdf", pdf_bytes()),
    )
    ms.agreement_record_approval(actor=lead, version=version, body=w.board, agreed_on=w.start)
    ms.agreement_issue(actor=lead, version=version)
    for person in (w.member, w.chair):
        ms.agreement_sign(actor=person, version=version)
    # Everyone was told three weeks ago, so the reminders are due.
    Notice.objects.filter(key=f"agreement-issued:{version.pk}").update(
        created_at=timezone.now() - timedelta(days=21)
    )
    unsigned = {w.coordinator.email, w.group_coordinator.email, w.other_member.email, lead.email}
    reminded = Notice.objects.filter(key__startswith=f"agreement-unsigned:{version.pk}:")
    for _ in range(3):
        app.send_task("membership.tasks.chase_unsigned_agreement")
    assert wait_for(lambda: reminded.count() == len(unsigned))
    time.sleep(1.5)  # let the other runs finish: they must find nothing to send
    assert reminded.count() == len(unsigned)
    sent = [m.to[0] for m in mail.outbox if m.subject.startswith("Reminder: sign")]
    assert sorted(sent) == sorted(unsigned)


def test_the_beat_schedule_chases_register_confirmations():
    app.loader.import_default_modules()
    entry = app.conf.beat_schedule["daily-chase-register-confirmations"]
    assert entry["task"] == "governance.tasks.chase_register_confirmations"
    assert entry["task"] in app.tasks


def test_unconfirmed_registers_are_chased_once_through_the_broker_however_often_it_runs(
    live_world, worker
):
    from django.core import mail

    from governance import services as gs
    from partnership.models import Notice

    gs.register_confirm(
        actor=live_world.chair, partnership=live_world.partnership, person=live_world.chair
    )
    chased = Notice.objects.filter(key__startswith="register-confirm:")
    for _ in range(3):
        app.send_task("governance.tasks.chase_register_confirmations")
    assert wait_for(lambda: chased.count() == 2)
    time.sleep(1.5)  # let the other runs finish: they must find nothing to send
    assert chased.count() == 2
    sent = [m.to[0] for m in mail.outbox if m.subject.startswith("Please confirm your register")]
    assert sorted(sent) == sorted([live_world.member.email, live_world.other_member.email])


def test_members_with_an_interest_are_reminded_once_before_the_meeting_through_the_broker(
    live_world, worker
):
    from governance import services as gs
    from partnership.models import Notice
    from tests.governance.helpers import schedule
    from tests.governance.test_registers import declare

    declare(live_world)  # in the business forum
    meeting = schedule(live_world, days=2)
    gs.item_add(
        actor=live_world.coordinator,
        meeting=meeting,
        title="Business forum grant",
        organisations=[live_world.business],
    )
    gs.meeting_publish(actor=live_world.coordinator, meeting=meeting)
    reminded = Notice.objects.filter(key__startswith="interest-reminder:")
    for _ in range(3):
        app.send_task("governance.tasks.chase_meetings")
    assert wait_for(lambda: reminded.count() == 1, timeout=30)
    time.sleep(1.5)
    assert list(reminded.values_list("recipient", flat=True)) == [live_world.member.pk]


def test_the_beat_schedule_reminds_coordinators_weekly():
    app.loader.import_default_modules()
    entry = app.conf.beat_schedule["weekly-remind-coordinators-of-vacancies"]
    assert entry["task"] == "membership.tasks.remind_coordinators_of_vacancies"
    assert entry["task"] in app.tasks


def test_coordinators_hear_of_vacancies_once_a_week_through_the_broker(live_world, worker):
    from partnership.models import Notice

    reminded = Notice.objects.filter(key__startswith="vacancies-weekly:")
    for _ in range(3):
        app.send_task("membership.tasks.remind_coordinators_of_vacancies")
    assert wait_for(lambda: reminded.count() == 2)
    time.sleep(1.5)  # let the other runs finish: they must find nothing to send
    assert sorted(reminded.values_list("recipient__email", flat=True)) == [
        live_world.coordinator.email,
        live_world.group_coordinator.email,
    ]
