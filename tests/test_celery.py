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
