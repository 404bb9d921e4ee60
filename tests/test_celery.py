"""Jobs through the real broker: Redis in CI (REDIS_URL), the filesystem transport otherwise."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from partnership.celery import app
from partnership.models import BodyUserObjectPermission
from tests.conftest import fresh

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
