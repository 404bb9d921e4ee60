"""A secret-ballot election at scale (issue 18): casting, closing, counting and verifying.

    .venv/bin/python benchmarks/bench_elections.py [--voters 1000] [--candidates 10]

Builds a throwaway partnership in a fresh SQLite database under var/bench/ (or in the database
DATABASE_URL names, emptied first: use a scratch one) with one body of ``--voters`` voting
members, and a chair election (one place) with ``--candidates`` standing and three counting
officers, any two of whom count, each with a code made before voting opens. Then, through the
services, as the site runs them:

1. **casting**: every member casts a ballot through ``ballot_cast`` (choices dealt by a seeded
   random generator, one in thirty abstaining). Each ballot is encrypted and proved on the
   server, checked as anyone could, and stored; the first also fixes the electorate and deals
   the key, and is reported apart. Per ballot: wall time (median, p95) and the worker's CPU
   time (``time.process_time``: on SQLite that includes the database, which runs in-process;
   on PostgreSQL it leaves out the database server's own time);
2. **closing and sealing** (``election_close``: every ballot written again, shuffled);
3. **each officer's count** (``count_share_submit``): each recounts the encrypted totals from
   every ballot, checking each ballot's proofs again, and partly decrypts them; the second
   also combines, decrypts and publishes the result;
4. **verifying** (``manage.py verify_election <pk>``: the board built from the database, then
   every ballot, the digest, the tally, both officers' partial decryptions and the result
   checked), and ``board.json``'s size.

The keys are on secp256k1: a 256-bit elliptic curve, about 128-bit security, comparable to
3072-bit RSA or Paillier.
"""

import argparse
import io
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnership.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench' / 'elections.sqlite3'}")


def _dates(election, *, phase: str) -> None:
    """Move the election's windows so that it is in ``phase`` now, as the tests do."""
    from django.utils import timezone

    from membership.models import Election

    hours = {
        "nominations": (-1, 24, 48, 96),
        "voting": (-72, -48, -1, 96),
        "counting": (-96, -72, -48, -1),
    }[phase]
    now = timezone.now()
    a, b, c, d = (now + timedelta(hours=h) for h in hours)
    Election.objects.filter(pk=election.pk).update(
        nominations_open_at=a, nominations_close_at=b, voting_opens_at=c, voting_closes_at=d
    )
    election.refresh_from_db()


def build(*, voters: int, candidates: int):
    """The body, its members, the election with its candidates and officers (codes made)."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone
    from simple_history.utils import bulk_create_with_history

    from membership import services as ms
    from membership.models import Membership, Role, User
    from partnership import services as ps
    from partnership.models import Partnership

    start = timezone.localdate() - timedelta(days=30)
    p = Partnership.objects.create(name="Bench", slug="bench")
    coordinator = User.objects.create_user("co@example.org", "x", full_name="Partnership Co")
    ms.appointment_create(actor=None, person=coordinator, partnership=p, starts_on=start)
    board = ps.body_create(actor=None, partnership=p, name="Board", kind="partnership_board")
    seat = ms.seat_create(actor=None, body=board, name="Members", count=voters, voting=True)
    password = make_password(None)  # unusable: nobody signs in as them
    people = User.objects.bulk_create(
        User(email=f"voter{n}@example.org", full_name=f"Voter {n:05d}", password=password)
        for n in range(voters)
    )
    bulk_create_with_history(
        [
            Membership(body=board, seat=seat, person=person, role=Role.MEMBER, starts_on=start)
            for person in people
        ],
        Membership,
        batch_size=1000,
        default_change_reason="Appointed",
    )
    now = timezone.now()
    election = ms.election_create(
        actor=coordinator,
        body=board,
        post="chair",
        nominations_open_at=now - timedelta(hours=1),
        nominations_close_at=now + timedelta(hours=24),
        voting_opens_at=now + timedelta(hours=48),
        voting_closes_at=now + timedelta(hours=96),
        term_starts_on=(now + timedelta(days=5)).date(),
        tie_rule="lot",
    )
    standing = []
    for n in range(candidates):
        person, proposer, seconder = people[n], people[-1 - 2 * n], people[-2 - 2 * n]
        c = ms.candidate_propose(actor=proposer, election=election, person=person)
        ms.candidate_second(actor=seconder, candidate=c)
        standing.append(
            ms.candidate_respond(actor=person, candidate=c, accept=True, statement="I will.")
        )
    officers = [
        User.objects.create_user(f"officer{n}@example.org", "x", full_name=f"Officer {n}")
        for n in range(3)
    ]
    named = ms.officers_name(actor=coordinator, election=election, people=officers, threshold=2)
    codes = {o.person_id: ms.officer_code_make(actor=o.person, election=election) for o in named}
    return election, people, standing, officers, codes


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--voters", type=int, default=1000)
    parser.add_argument("--candidates", type=int, default=10)
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args()

    from benchmarks.scratch import scratch_django

    url = scratch_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    if not url.startswith("sqlite:///"):
        call_command("flush", interactive=False, verbosity=0)

    started = time.perf_counter()
    built = build(voters=args.voters, candidates=args.candidates)
    print(
        f"{connection.vendor}: {args.voters} voters, {args.candidates} candidates, one place, "
        f"officers 2 of 3; built in {time.perf_counter() - started:.1f} s"
    )
    settings.DEBUG = False  # as a worker runs: no query log
    rows, totals = measure(*built, seed=args.seed)
    width = max(len(r[0]) for r in rows)
    for step, result in rows:
        print(f"{step:{width}}  {result}")
    print("totals:", totals)


def measure(election, people, standing, officers, codes, *, seed: int):
    """Cast, close, count and verify; the table's rows and the totals, as text."""
    import json

    from django.core.management import call_command

    from membership import services as ms
    from membership.crypto.verify import check_board
    from membership.models import Election
    from membership.services.election_board import board_build

    # 1. Casting.
    _dates(election, phase="voting")
    rng = random.Random(seed)
    weights = [len(standing) - n for n in range(len(standing))]
    walls, cpus = [], []
    first = None
    for n, voter in enumerate(people):
        abstain = rng.random() < 1 / 30
        choices = [] if abstain else rng.choices([c.pk for c in standing], weights=weights)
        cpu, wall = time.process_time(), time.perf_counter()
        ms.ballot_cast(voter=voter, election=election, choices=choices, abstain=abstain)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        if n == 0:
            first = (wall, cpu)  # fixes the electorate and deals the key
        else:
            walls.append(wall)
            cpus.append(cpu)
    p95 = statistics.quantiles(walls, n=20)[-1]
    cpu95 = statistics.quantiles(cpus, n=20)[-1]
    rows = [
        (
            "first ballot (fixes the electorate, deals the key)",
            f"{_ms(first[0])} wall, {_ms(first[1])} CPU",
        ),
        (
            f"each other ballot ({len(walls)})",
            f"median {_ms(statistics.median(walls))}, p95 {_ms(p95)} wall; CPU median "
            f"{_ms(statistics.median(cpus))}, p95 {_ms(cpu95)}; {sum(walls):.1f} s in all",
        ),
    ]

    # 2. Closing and sealing.
    _dates(election, phase="counting")
    cpu, wall = time.process_time(), time.perf_counter()
    election = ms.election_close(actor=None, election=election)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    assert election.status == "sealed", election.status
    rows.append(("close and seal", f"{wall:.2f} s wall, {cpu:.2f} s CPU"))

    # 3. Each officer's count (the second completes it).
    for n, officer in enumerate(officers[:2], start=1):
        cpu, wall = time.process_time(), time.perf_counter()
        election = ms.count_share_submit(actor=officer, election=election, code=codes[officer.pk])
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        what = "checks every ballot, partly decrypts" + (", publishes" if n == 2 else "")
        rows.append((f"officer {n} counts ({what})", f"{wall:.2f} s wall, {cpu:.2f} s CPU"))
    assert election.status == "closed", election.status

    # 4. Verifying, from the database as manage.py verify_election <pk> does, in its parts.
    election = Election.objects.select_related("body__partnership", "seat").get(pk=election.pk)
    cpu, wall = time.process_time(), time.perf_counter()
    board = board_build(election=election)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    size = len(json.dumps(board, indent=1))
    rows.append(("board built from the database", f"{wall:.2f} s wall; board.json {size:,} bytes"))
    cpu, wall = time.process_time(), time.perf_counter()
    check = check_board(board)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    assert not check.problems, check.problems
    rows.append((f"board checked ({check.ballots} ballots)", f"{wall:.2f} s wall, {cpu:.2f} s CPU"))
    cpu, wall = time.process_time(), time.perf_counter()
    call_command("verify_election", str(election.pk), stdout=io.StringIO())
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    rows.append(("manage.py verify_election <pk>", f"{wall:.2f} s wall, {cpu:.2f} s CPU"))

    names = {**board["candidates"], "abstain": "abstentions"}
    return rows, ", ".join(f"{names[k]} {v}" for k, v in check.totals.items())


if __name__ == "__main__":
    main()
