"""Concurrency and sealing on PostgreSQL, with real connections from real threads.

These run in CI (DATABASE_URL is PostgreSQL there). SQLite has neither row locks nor xmin, so
on a developer's SQLite run they are skipped with that reason.
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from membership import services as ms
from membership.models import Ballot, Participation
from tests.membership.elections_helpers import (
    add_voters,
    chair_election,
    close,
    count,
    set_phase,
    stand,
)

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL's row locks and xmin"
)


@pytest.fixture
def contest(live_world):
    world = live_world
    voters = add_voters(world, 4)
    election = chair_election(world)
    a = stand(election, world.member, voters[0], voters[1])
    b = stand(election, voters[2], voters[0], voters[3])
    return world, voters, set_phase(election, "voting"), a, b


def run_at_once(n, work):
    """Run ``work(i)`` in n threads released together; return what each returned or raised."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def target(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - the test inspects each outcome
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_twenty_simultaneous_ballots_from_one_voter_leave_one(contest):
    world, voters, election, a, b = contest
    results = run_at_once(
        20, lambda i: ms.ballot_cast(voter=voters[0], election=election, choices=[a.pk])
    )
    receipts = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(receipts) == 1 and len(refused) == 19, results
    assert all("already voted" in " ".join(e.messages) for e in refused)
    assert Ballot.objects.filter(election=election).count() == 1
    assert Participation.objects.filter(election=election).count() == 1


def test_votes_racing_the_close_either_count_or_are_refused_cleanly(contest):
    """Voting ends two seconds from now; electors vote either side of that moment while the
    job closes the election the instant the window ends."""
    import time
    from datetime import timedelta

    from django.utils import timezone

    from membership.models import Election

    world, voters, election, a, b = contest
    everyone = [world.chair, world.member, *voters]
    closes = timezone.now() + timedelta(seconds=2)
    Election.objects.filter(pk=election.pk).update(voting_closes_at=closes)
    election.refresh_from_db()

    def work(i):
        if i == len(everyone):
            time.sleep(max(0.0, (closes - timezone.now()).total_seconds()))
            return ms.election_close(actor=None, election=election)
        time.sleep(i * 0.6)  # 0 to 3 seconds: some before the close, some after
        return ms.ballot_cast(voter=everyone[i], election=election, choices=[a.pk])

    results = run_at_once(len(everyone) + 1, work)
    counted = [r for r in results[:-1] if isinstance(r, str)]
    refused = [r for r in results[:-1] if isinstance(r, ValidationError)]
    assert len(counted) + len(refused) == len(everyone), results
    assert counted and refused, results
    assert all("not open" in " ".join(e.messages) for e in refused)
    election.refresh_from_db()
    assert election.status == "sealed"
    election = count(election)
    assert election.status == "closed"
    assert election.turnout == len(counted)
    assert Ballot.objects.filter(election=election).count() == len(counted)
    assert Participation.objects.filter(election=election).count() == len(counted)
    a.refresh_from_db()
    assert a.votes == len(counted)


def test_after_sealing_the_ballots_share_one_xmin_that_no_participation_has(contest):
    world, voters, election, a, b = contest
    for voter in voters:
        ms.ballot_cast(voter=voter, election=election, choices=[a.pk])
    close(election, actor=None)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT xmin::text FROM membership_ballot WHERE election_id = %s",
            [election.pk],
        )
        ballot_xmins = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT DISTINCT xmin::text FROM membership_participation WHERE election_id = %s",
            [election.pk],
        )
        participation_xmins = {row[0] for row in cursor.fetchall()}
    assert len(ballot_xmins) == 1
    assert len(participation_xmins) == 4
    assert not ballot_xmins & participation_xmins


def test_before_sealing_each_ballots_xmin_pairs_it_with_a_participation(contest):
    """Why sealing is needed: this is the link it removes. Each vote's transaction gives its
    ballot and its participation neighbouring xids, so ordering both tables by xmin pairs
    every ballot with its voter (other transactions may take xids in between, so the test
    compares orders, not exact values)."""
    world, voters, election, a, b = contest
    first = ms.ballot_cast(voter=voters[0], election=election, choices=[a.pk])
    second = ms.ballot_cast(voter=voters[1], election=election, choices=[b.pk])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT fingerprint FROM membership_ballot WHERE election_id = %s "
            "ORDER BY xmin::text::bigint",
            [election.pk],
        )
        ballots_in_xmin_order = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT voter_id FROM membership_participation WHERE election_id = %s "
            "ORDER BY xmin::text::bigint",
            [election.pk],
        )
        voters_in_xmin_order = [row[0] for row in cursor.fetchall()]
    assert voters_in_xmin_order == [voters[0].pk, voters[1].pk]
    # Each voter's ballot, known by the receipt they were given, in the same order.
    assert ballots_in_xmin_order == [first, second]
