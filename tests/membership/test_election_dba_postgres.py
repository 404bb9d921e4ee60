"""The database administrator: everything they can read, and no vote in it.

A real election is run (three candidates, ten electors, eight ballots, one an abstention,
counted by two of three officers) while the test records every secret the software handles:
each random scalar it draws (the election's key, the Shamir coefficient, each ballot's
encryption randomness, each proof's nonce, each wrapping's ephemeral key), the counting codes,
the officers' shares and what derives from them. It then reads what an administrator of the
PostgreSQL server can: every page of every relation of the database, dead tuples included; the
database's records in the write-ahead log; the server log, with every statement logged; a
pg_dump taken while voting was open and one after the count; and, as the operator, the
application's log at DEBUG with SQL logging forced on, Redis, the e-mails sent and the files
written. Every ballot is found in each (the readers really see the data), and no secret in any.

PostgreSQL only (pageinspect and pg_walinspect, as a superuser): skipped on SQLite; with
CI=true a missing capability fails.
"""

from __future__ import annotations

import linecache
import os
import sys
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection

from membership import services as ms
from membership.crypto import group, officers
from membership.crypto.group import ORDER, base_mul, decode_scalar
from membership.models import Ballot
from tests.membership import dba_artefacts as dba
from tests.membership.elections_helpers import (
    CODES,
    add_voters,
    chair_election,
    close,
    set_phase,
    stand,
)

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="reads PostgreSQL's pages, WAL and server log"
)

CI = os.environ.get("CI") == "true"
BALLOTS = 8
BALLOT_TABLE = "membership_ballot"


def need(condition: bool, why: str) -> None:
    """A capability the test needs: in CI its absence fails the run, elsewhere it skips."""
    if not condition:
        (pytest.fail if CI else pytest.skip)(why)


class Recorder:
    """Wraps ``group.random_scalar``: keeps each scalar drawn, with the function that drew it
    and its line (a comprehension's frame is passed over for the function around it)."""

    def __init__(self, real):
        self.real = real
        self.drawn: list[tuple[int, str, str]] = []

    def __call__(self) -> int:
        value = self.real()
        frame = sys._getframe(1)
        while frame.f_code.co_name.startswith("<"):
            frame = frame.f_back
        line = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
        self.drawn.append((value, frame.f_code.co_name, line))
        return value

    def by(self, function: str) -> list[tuple[int, str]]:
        return [(v, line) for v, f, line in self.drawn if f == function]


@pytest.fixture
def administrator(live_world):
    """A superuser session of its own on the test database, opened before the election:
    pageinspect and pg_walinspect, a temporary replication slot keeping the WAL from here on,
    the WAL position and the server log's length now, and every statement on this database
    logged (for this database only: nothing changes for the server's other databases)."""
    name = connection.settings_dict["NAME"]  # test_..._gw0 under pytest-xdist
    raw = connection.get_new_connection(connection.get_connection_params())
    raw.autocommit = True
    cursor = raw.cursor()
    made: list[str] = []
    try:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        need(cursor.fetchone()[0], "the administrator's test needs a superuser connection")
        cursor.execute("SELECT name FROM pg_available_extensions")
        available = {row[0] for row in cursor.fetchall()}
        need(
            {"pageinspect", "pg_walinspect"} <= available,
            "needs the pageinspect and pg_walinspect extensions (postgresql-contrib)",
        )
        need(dba.pg_dump_path() is not None, "needs pg_dump (postgresql-client)")
        cursor.execute("SELECT extname FROM pg_extension")
        had = {row[0] for row in cursor.fetchall()}
        for extension in ("pageinspect", "pg_walinspect"):
            if extension not in had:
                cursor.execute(f"CREATE EXTENSION {extension}")
                made.append(extension)
        try:
            log = dba.ServerLog(cursor)
        except AssertionError as exc:
            need(False, str(exc))
        slot = f"dba_{uuid.uuid4().hex[:16]}"
        cursor.execute("SELECT pg_create_physical_replication_slot(%s, true, true)", [slot])
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        start = cursor.fetchone()[0]
        cursor.execute(f"ALTER DATABASE \"{name}\" SET log_statement = 'all'")
        made.append("log_statement")
        with connection.cursor() as django_cursor:
            django_cursor.execute("SET log_statement = 'all'")
        yield SimpleNamespace(cursor=cursor, start=start, log=log, name=name, moment=time.time())
    finally:
        if "log_statement" in made:
            with connection.cursor() as django_cursor:
                django_cursor.execute("RESET log_statement")
            cursor.execute(f'ALTER DATABASE "{name}" RESET log_statement')
        for extension in ("pg_walinspect", "pageinspect"):
            if extension in made:
                cursor.execute(f"DROP EXTENSION {extension}")
        raw.close()  # the temporary slot goes with its session


def run_election(world) -> SimpleNamespace:
    """Three candidates, ten electors; eight vote (a pg_dump is taken after five), one of them
    abstaining; the officers' shares are opened with their codes, as only they could; the
    election is sealed and two of the three officers count."""
    voters = add_voters(world, 8)
    election = chair_election(world)
    a = stand(election, world.member, voters[0], voters[1])
    b = stand(election, voters[0], voters[2], voters[3])
    c = stand(election, voters[1], voters[4], voters[5])
    election = set_phase(election, "voting")
    casting = [
        (world.chair, [a.pk]),
        (world.member, [b.pk]),
        (voters[0], [a.pk]),
        (voters[1], [c.pk]),
        (voters[2], [b.pk]),
        (voters[3], []),  # abstains
        (voters[4], [a.pk]),
        (voters[5], [a.pk]),
    ]
    for voter, choices in casting[:5]:
        ms.ballot_cast(voter=voter, election=election, choices=choices, abstain=not choices)
    dump_open = dba.pg_dump(connection.settings_dict)
    for voter, choices in casting[5:]:
        ms.ballot_cast(voter=voter, election=election, choices=choices, abstain=not choices)
    before_seal = list(Ballot.objects.filter(election=election).values_list("id", "ciphertexts"))

    election.refresh_from_db()
    codes = CODES[election.pk]
    shares, pads, code_secrets = {}, {}, {}
    for officer in election.officers.order_by("index"):
        code, pk, index = codes[officer.person_id], str(election.pk), officer.index
        wrapped = bytes(officer.wrapped_share)
        share = officers.unwrap_share(wrapped, code=code, election=pk, index=index)
        assert base_mul(share).encode() == bytes(officer.verification_key)
        shares[index] = share
        pads[index] = (decode_scalar(wrapped[33:]) - share) % ORDER
        code_secrets[index] = officers.code_secret(code, election=pk, index=index)
    assert len(shares) == 3

    election = close(election, actor=world.coordinator)
    for candidate in (a, b, c):
        candidate.refresh_from_db()
    ballots = list(
        Ballot.objects.filter(election=election).values_list(
            "id", "ciphertexts", "proofs", "fingerprint"
        )
    )
    return SimpleNamespace(
        election=election,
        votes=(a.votes, b.votes, c.votes),
        dump_open=dump_open,
        before_seal=before_seal,
        ballots=ballots,
        codes=codes,
        shares=shares,
        pads=pads,
        code_secrets=code_secrets,
    )


def secrets_of(run, recorder) -> tuple[dict[str, list[bytes]], list[int]]:
    """Every secret of the election, each in every form it could be written in; and the
    random scalars the proofs publish by design."""
    election = run.election
    ((secret_key, _),) = recorder.by("key_deal")
    assert base_mul(secret_key).encode() == bytes(election.public_key)
    ((coefficient, _),) = recorder.by("deal")
    assert all(s == (secret_key + coefficient * i) % ORDER for i, s in run.shares.items())
    slots = len(election.layout)
    randomness = [v for v, _ in recorder.by("make_ballot")]
    assert slots == 4 and len(randomness) == BALLOTS * slots
    # Each slot's 0/1 proof simulates the branch not taken with a random challenge and
    # response, which the proof publishes: not secrets (and found below where ballots are).
    simulated = [v for v, line in recorder.by("prove_one_of") if line.startswith("c, s")]
    assert len(simulated) == BALLOTS * slots * 2
    # key, coefficient, 3 wrappings, ballots (randomness, 3 a slot's proof, 1 the sum's),
    # and the two counting officers' proofs of their partial decryptions.
    assert len(recorder.drawn) == 1 + 1 + 3 + BALLOTS * (slots * 4 + 1) + 2 * slots
    public = set(simulated)
    secrets = {
        f"scalar {i} ({function}: {line})": dba.scalar_forms(value)
        for i, (value, function, line) in enumerate(recorder.drawn)
        if value not in public
    }
    weights = [1] * (slots - 1) + [election.places]
    for n in range(BALLOTS):
        drawn = randomness[n * slots : (n + 1) * slots]
        secrets[f"ballot {n}'s sum randomness"] = dba.scalar_forms(
            sum(w * r for w, r in zip(weights, drawn, strict=True))
        )
    for index, share in run.shares.items():
        secrets[f"officer {index}'s share"] = dba.scalar_forms(share)
        secrets[f"officer {index}'s wrapping pad"] = dba.scalar_forms(run.pads[index])
        secrets[f"officer {index}'s code secret"] = dba.scalar_forms(run.code_secrets[index])
    for person_id, code in run.codes.items():
        secrets[f"counting code of person {person_id}"] = dba.code_forms(code)
    return secrets, simulated


@pytest.mark.django_db(transaction=True)
def test_the_database_administrator_finds_the_ballots_but_no_vote(
    live_world, administrator, monkeypatch
):
    admin, cursor = administrator, administrator.cursor
    recorder = Recorder(group.random_scalar)
    monkeypatch.setattr(group, "random_scalar", recorder)
    with dba.operator_log() as operator:
        run = run_election(live_world)

    election = run.election
    assert election.status == "closed"
    assert run.votes == (4, 2, 1)
    assert (election.abstentions, election.turnout, election.electorate_size) == (1, 8, 10)
    assert election.officers.filter(partials__isnull=False).count() == 2
    assert election.officers.filter(wrapped_share__isnull=False).count() == 0
    assert len(run.ballots) == BALLOTS
    assert {bytes(x) for _, x, _, _ in run.ballots} == {bytes(x) for _, x in run.before_seal}
    secrets, simulated = secrets_of(run, recorder)

    # --- what the administrator reads -------------------------------------------------------
    cursor.execute("DO $$ BEGIN RAISE LOG 'administrator was here %', 42; END $$")
    with connection.cursor() as django_cursor:
        django_cursor.execute("DO $$ BEGIN RAISE LOG 'application session %', 4242; END $$")
        django_cursor.execute("SELECT pg_backend_pid()")
        pids = [django_cursor.fetchone()[0]]
    cursor.execute("SELECT pg_backend_pid()")
    pids.append(cursor.fetchone()[0])
    pages = dba.relation_pages(cursor)
    tuples = dba.table_tuples(cursor)
    cursor.execute("SELECT pg_current_wal_flush_lsn()::text")
    end = cursor.fetchone()[0]
    records = dba.WalReader(cursor).records(
        start=admin.start, end=end, database=dba.database_oid(cursor)
    )
    wal = b"\0".join(record for _, _, record in records)
    server_log = b"".join(admin.log.entries(admin.log.read(), database=admin.name, pids=pids))
    dump_counted = dba.pg_dump(connection.settings_dict)
    redis_url = getattr(settings, "REDIS_URL", None)
    need(bool(redis_url), "needs REDIS_URL, to read what the application keeps in Redis")
    stores = dba.redis_contents(redis_url)
    application_log = "\n".join(operator).encode()
    sent = b"\0".join(
        f"{m.to}\n{m.subject}\n{m.body}\n{getattr(m, 'alternatives', '')}".encode()
        for m in mail.outbox
    )
    written = dba.files_since(Path(settings.VAR_DIR), admin.moment)
    artefacts = {
        **{f"page:{k}": v for k, v in pages.items()},
        **{f"tuples:{k}": v for k, v in tuples.items()},
        "wal": wal,
        "server log": server_log,
        "pg_dump while voting was open": run.dump_open,
        "pg_dump after the count": dump_counted,
        "application log": application_log,
        "e-mails": sent,
        **stores,
        **written,
    }

    # --- the readers see the data: every ballot is found in each --------------------------
    everyone = {f"ballot {fp[:8]}" for *_, fp in run.ballots}
    stored = dba.Needles({f"ballot {fp[:8]}": [bytes(x)] for _, x, _, fp in run.ballots})
    as_text = dba.Needles(
        {f"ballot {fp[:8]}": [bytes(x).hex().encode()] for _, x, _, fp in run.ballots}
    )
    assert stored.find(pages[BALLOT_TABLE]) == everyone
    assert stored.find(tuples[BALLOT_TABLE]) == everyone
    assert stored.find(wal) == everyone
    assert as_text.find(dump_counted) == everyone
    assert len(as_text.find(run.dump_open)) == 5  # the ballots cast before it was taken
    assert as_text.find(server_log) == everyone, "log_statement = 'all' logs every INSERT"
    assert as_text.find(application_log) == everyone, "the forced SQL log shows each ballot"
    assert b"administrator was here 42" in server_log
    assert b"application session 4242" in server_log
    # Deleted rows are read too: sealing deleted each ballot's first row and wrote it again,
    # so each ballot is on the pages twice and the first rows are dead (or pruned) tuples.
    gone = [t for t in dba.heap_tuples(cursor, BALLOT_TABLE) if t["flags"] != 1 or t["xmax"] != "0"]
    assert len(gone) >= BALLOTS
    assert all(pages[BALLOT_TABLE].count(bytes(x)) >= 2 for _, x in run.before_seal)
    assert {rm for rm, _, _ in records} >= {"Heap", "Btree"}
    # The random scalars the proofs publish are found where the ballots are, in the stored
    # form of a scalar: a secret scalar written anywhere would be found the same way.
    published = dba.Needles(
        {f"simulated {i}": dba.scalar_forms(v) for i, v in enumerate(simulated)}
    )
    assert len(published.find(pages[BALLOT_TABLE])) == len(simulated)
    assert len(published.find(wal)) == len(simulated)
    assert len(published.find(dump_counted)) == len(simulated)

    # --- no secret in any of it ------------------------------------------------------------
    needles = dba.Needles(secrets)
    assert needles.find(b"|".join(forms[0] for forms in secrets.values())) == set(secrets)
    leaks = needles.find_in(artefacts)
    assert leaks == {}, {where: sorted(found)[:5] for where, found in leaks.items()}

    # --- per-ballot data: in four columns of the ballot table, and no other column ---------
    per_ballot = {
        f"ballot {fingerprint[:8]}": [
            *dba.bytes_forms(ciphertexts),
            *dba.bytes_forms(proofs),
            fingerprint.lower().encode(),
            fingerprint.upper().encode(),
            str(ballot_id).encode(),
        ]
        for ballot_id, ciphertexts, proofs, fingerprint in run.ballots
    }
    for ballot_id, _ in run.before_seal:  # the rows the seal replaced: their keys are gone
        per_ballot[f"row before the seal {ballot_id}"] = [str(ballot_id).encode()]
    columns = {f"{t}.{c}": v for (t, c), v in dba.columns(cursor).items()}
    holding = dba.Needles(per_ballot).find_in(columns)
    assert set(holding) == {
        f"{BALLOT_TABLE}.id",
        f"{BALLOT_TABLE}.ciphertexts",
        f"{BALLOT_TABLE}.proofs",
        f"{BALLOT_TABLE}.fingerprint",
    }, holding
    assert all(found <= everyone for found in holding.values()), holding
    cursor.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' "
        "AND table_name IN ('membership_ballot', 'membership_participation')"
    )
    shape: dict[str, set[str]] = {}
    for table, column in cursor.fetchall():
        shape.setdefault(table, set()).add(column)
    assert shape[BALLOT_TABLE] == {"id", "election_id", "ciphertexts", "proofs", "fingerprint"}
    assert not {"choices", "abstain", "receipt", "voter_id"} & shape[BALLOT_TABLE]
    assert shape["membership_participation"] == {"id", "election_id", "voter_id"}
