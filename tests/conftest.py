"""Personas and shared fixtures.

The cast, in one partnership ("Testshire Partnership"):
- ``coordinator``: co-ordinates the whole partnership (an appointment with no body).
- ``group_coordinator``: co-ordinates the Safer Group, and so its sub-group too.
- ``chair``: chairs the Board.
- ``member``: a member of the Board.
- ``other_member``: a member of the Other Group only.
- ``outsider``: signed in, with no place anywhere.
- ``governance_lead`` (a fixture of its own, not in ``world``): the partnership's governance
  lead, who settles disputes about declarations and manages the agreement's versions.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from membership import services as ms
from membership.models import Role
from partnership import services as ps
from tests.factories import PartnershipFactory, UserFactory

PASSWORD = "correct horse battery"


def pytest_sessionstart(session):
    """In CI the real services are required: a missing one fails the run, never skips."""
    if os.environ.get("CI") != "true":
        return
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise pytest.UsageError("CI=true needs DATABASE_URL pointing at PostgreSQL")
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        raise pytest.UsageError("CI=true needs REDIS_URL pointing at Redis")
    import redis

    redis.Redis.from_url(redis_url, socket_connect_timeout=5).ping()


class InvalidVariable(str):
    """Raises when a template prints a variable that does not exist: that is a bug."""

    def __mod__(self, other):
        raise AssertionError(f"Undefined template variable: {other}")

    def __contains__(self, item):
        # Django checks '%s' in string_if_invalid to decide whether to format it.
        return item == "%s"


@pytest.fixture(autouse=True, scope="session")
def _fast_and_strict():
    """Set before any template engine or hasher is built, so they pick it up once."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for engine in settings.TEMPLATES:
        engine["OPTIONS"]["string_if_invalid"] = InvalidVariable("%s")


@pytest.fixture(autouse=True, scope="session")
def _force_login_gives_the_second_factor():
    """``client.force_login(user)`` signs in as a person who has also given their second
    factor, as every page test needs; the second factor's own tests sign in through the
    pages (tests/membership/test_two_factor.py)."""
    from django.test.client import ClientMixin

    from membership.middleware import VERIFIED

    original = ClientMixin._login

    def _login(self, user, backend=None):
        original(self, user, backend)
        session = self.session
        session[VERIFIED] = user.pk
        session.save()

    ClientMixin._login = _login
    yield
    ClientMixin._login = original


@pytest.fixture(autouse=True, scope="session")
def _a_celery_queue_of_its_own():
    """Each pytest-xdist process sends its jobs to, and runs workers on, a queue of its own:
    a worker started by one process must never take another's jobs and run them against the
    wrong test database (nor purge them)."""
    from partnership.celery import app

    process = os.environ.get("PYTEST_XDIST_WORKER", "main")
    app.conf.task_default_queue = f"partnership-tests-{process}"


@pytest.fixture(autouse=True)
def private_media(tmp_path, monkeypatch):
    """Uploaded papers and rendered PDFs go to the test's own folder, never var/private."""
    from partnership.storage import private_storage

    def forget():
        # FileSystemStorage caches its resolved location the first time it is used.
        for cached in ("base_location", "location"):
            private_storage.__dict__.pop(cached, None)

    folder = tmp_path / "private"
    monkeypatch.setattr(private_storage, "_location", str(folder))
    forget()
    yield folder
    forget()  # before monkeypatch puts the real location back


def fresh(user):
    """The user as a new request would load it: rights are cached per user instance."""
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def today() -> date:
    return timezone.localdate()


@pytest.fixture
def world(db, today):
    """A small partnership with every persona in place, built through the services."""
    return build_world(today)


@pytest.fixture
def live_world(transactional_db, today):
    """The same world, committed, for tests that drive a live server from a browser."""
    return build_world(today)


def appoint_governance_lead(world):
    """The partnership's governance lead: settles disputed rulings, manages the agreement."""
    lead = UserFactory(email="governance_lead@example.org", full_name="Governance Lead")
    ms.appointment_create(
        actor=None,
        person=lead,
        partnership=world.partnership,
        role="governance_lead",
        starts_on=world.start,
    )
    return lead


@pytest.fixture
def governance_lead(world):
    return appoint_governance_lead(world)


def build_world(today):
    p = PartnershipFactory(name="Testshire Partnership", slug="testshire")
    council = ps.organisation_create(
        actor=None, partnership=p, name="Testshire Council", sector="public", statutory_partner=True
    )
    business = ps.organisation_create(
        actor=None, partnership=p, name="Testshire Business Forum", sector="private"
    )
    charity = ps.organisation_create(
        actor=None, partnership=p, name="Testshire CVS", sector="voluntary"
    )
    board = ps.body_create(actor=None, partnership=p, name="Board", kind="partnership_board")
    group = ps.body_create(
        actor=None, partnership=p, name="Safer Group", kind="thematic_group", parent=board
    )
    subgroup = ps.body_create(
        actor=None, partnership=p, name="Safer Sub-group", kind="sub_group", parent=group
    )
    other = ps.body_create(
        actor=None, partnership=p, name="Other Group", kind="thematic_group", parent=board
    )
    board_seat = ms.seat_create(
        actor=None,
        body=board,
        name="Council",
        count=3,
        sector="public",
        voting=True,
        nominating_organisation=council,
    )
    group_seat = ms.seat_create(actor=None, body=group, name="Partners", count=5, voting=True)
    other_seat = ms.seat_create(actor=None, body=other, name="Partners", count=5, voting=True)

    def person(name: str):
        return UserFactory(email=f"{name}@example.org", full_name=name.replace("_", " ").title())

    start = today - timedelta(days=30)
    cast = SimpleNamespace(
        coordinator=person("coordinator"),
        group_coordinator=person("group_coordinator"),
        chair=person("chair"),
        member=person("member"),
        other_member=person("other_member"),
        outsider=person("outsider"),
    )
    ms.appointment_create(actor=None, person=cast.coordinator, partnership=p, starts_on=start)
    ms.appointment_create(
        actor=None, person=cast.group_coordinator, partnership=p, body=group, starts_on=start
    )
    chair_m = ms.membership_create(
        actor=None,
        body=board,
        seat=board_seat,
        person=cast.chair,
        role=Role.CHAIR,
        organisation=council,
        starts_on=start,
    )
    member_m = ms.membership_create(
        actor=None,
        body=board,
        seat=board_seat,
        person=cast.member,
        organisation=council,
        starts_on=start,
    )
    other_m = ms.membership_create(
        actor=None,
        body=other,
        seat=other_seat,
        person=cast.other_member,
        organisation=charity,
        starts_on=start,
    )
    return SimpleNamespace(
        partnership=p,
        council=council,
        business=business,
        charity=charity,
        board=board,
        group=group,
        subgroup=subgroup,
        other=other,
        board_seat=board_seat,
        group_seat=group_seat,
        other_seat=other_seat,
        chair_membership=chair_m,
        member_membership=member_m,
        other_membership=other_m,
        start=start,
        **vars(cast),
    )
