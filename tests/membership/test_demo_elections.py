"""The demo's elections: one taking nominations, one with voting open in which the demo member
can vote, one sealed and waiting for its counting officers' codes, one counted with its result
declared, all built through the services so the rules and the secret ballot hold. The demo is
loaded once for the module and rolled back at its end; tests that change it run in their own
transaction (``db``), which is undone after each. The counting codes file is written to a
folder of the module's own."""

from __future__ import annotations

import stat
from datetime import date, datetime, time, timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import models, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from membership import services
from membership.crypto import officers as codes
from membership.demo_elections import codes_path, demo_windows, read_codes, write_codes
from membership.models import (
    Appointment,
    AppointmentRole,
    Ballot,
    Candidate,
    CandidateStatus,
    Election,
    ElectionOfficer,
    ElectionStatus,
    Elector,
    Membership,
    Participation,
    User,
)
from membership.services.election_count import recount

NOMINATIONS = "Delivery Board"
VOTING = "Economic Development and Enterprise"
SEALED = "Healthier Communities and Older People"
CLOSED = "Safer and Stronger Communities"
LEAD = "governance@mercia-vale.example"
PRIYA = "coordinator@mercia-vale.example"
OWEN = "tg.coordinator@mercia-vale.example"
OFFICERS = [LEAD, PRIYA, OWEN]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo partnership with its elections, once for the module, undone at its end. The
    counting codes go to a var folder of the module's own, never the developer's."""
    from partnership.storage import private_storage

    with django_db_blocker.unblock(), override_settings(VAR_DIR=tmp_path_factory.mktemp("var")):
        # The agreement's PDF goes to a folder of the module's own (see tests/conftest.py).
        location = private_storage.__dict__.get("_location")
        private_storage._location = str(tmp_path_factory.mktemp("private"))
        for cached in ("base_location", "location"):
            private_storage.__dict__.pop(cached, None)
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("load_demo", "--force", stdout=StringIO())
            out = StringIO()
            call_command("load_demo_elections", "--force", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            private_storage._location = location
            for cached in ("base_location", "location"):
                private_storage.__dict__.pop(cached, None)


@pytest.fixture
def loaded(demo, db):
    return demo


@pytest.fixture
def codes_file(loaded):
    """The codes file as the demo wrote it (each test may change it: it is put back)."""
    path = codes_path()
    text = path.read_text(encoding="utf-8")
    yield path
    path.write_text(text, encoding="utf-8")


def election(body: str) -> Election:
    return Election.objects.select_related("body__partnership").get(
        body__partnership__slug="demo", body__name=body
    )


def person(name: str) -> User:
    return User.objects.get(full_name=name)


def url(e: Election, name: str = "election_detail") -> str:
    return reverse(
        f"membership:{name}",
        kwargs={"partnership": "demo", "body": e.body.slug, "pk": e.pk},
    )


def candidates(e: Election) -> dict[str, Candidate]:
    return {c.person.full_name: c for c in e.candidates.select_related("person")}


def officer(e: Election, email: str) -> ElectionOfficer:
    return e.officers.select_related("person").get(person__email=email)


def test_there_is_one_election_at_each_stage(loaded):
    assert Election.objects.filter(body__partnership__slug="demo").count() == 4
    assert election(NOMINATIONS).phase() == "nominations"
    assert election(VOTING).phase() == "voting"
    assert election(SEALED).phase() == "sealed"
    assert election(CLOSED).phase() == "closed"
    for e in Election.objects.all():
        assert e.post == "deputy_chair"
        assert str(e) in loaded  # the command prints each, with who tries what
    assert "member@mercia-vale.example" in loaded
    assert "tg.coordinator@mercia-vale.example" in loaded


def test_every_date_is_a_weekday_and_in_order(loaded):
    today = timezone.localdate()
    for e in Election.objects.all():
        moments = [
            e.nominations_open_at,
            e.nominations_close_at,
            e.voting_opens_at,
            e.voting_closes_at,
        ]
        assert moments == sorted(moments)
        days = [timezone.localtime(m).date() for m in moments] + [e.term_starts_on]
        assert all(d.weekday() < 5 for d in days), (e, days)
        assert e.term_starts_on >= days[3]
    for name in (SEALED, CLOSED):
        closed = election(name)
        assert timezone.localtime(closed.voting_closes_at).date() < today
        assert closed.closed_at > closed.voting_closes_at
    assert election(SEALED).voting_closes_at > election(CLOSED).voting_closes_at
    assert timezone.localtime(election(NOMINATIONS).nominations_open_at).date() < today


@pytest.mark.parametrize("offset", range(7))
def test_the_dates_fall_on_weekdays_whichever_day_the_demo_is_loaded(offset):
    today = date(2026, 6, 1) + timedelta(days=offset)  # a Monday, then each day of its week
    now = timezone.make_aware(datetime.combine(today, time(8)))  # before 9:00 too
    stages = demo_windows(today)
    assert set(stages) == {"nominations", "voting", "sealed", "closed"}
    for stage, w in stages.items():
        moments = [w[k] for k in ("nominations_open_at", "nominations_close_at")] + [
            w[k] for k in ("voting_opens_at", "voting_closes_at")
        ]
        assert moments == sorted(moments), stage
        days = [timezone.localtime(m).date() for m in moments] + [w["term_starts_on"]]
        assert all(d.weekday() < 5 for d in days), (stage, days)
        assert w["term_starts_on"] > days[3]
    assert stages["nominations"]["nominations_open_at"] < now
    assert stages["nominations"]["nominations_close_at"] > now
    assert stages["voting"]["voting_opens_at"] < now < stages["voting"]["voting_closes_at"]
    assert stages["sealed"]["voting_closes_at"] < now
    # Sealed since the last weekday: the term has not started yet, or starts today.
    assert stages["sealed"]["term_starts_on"] >= today
    assert stages["closed"]["voting_closes_at"] < now


def test_every_election_has_three_counting_officers_any_two_of_whom_count(loaded):
    lead = Appointment.objects.get(
        partnership__slug="demo", role=AppointmentRole.GOVERNANCE_LEAD
    ).person
    assert lead.email == LEAD
    for e in Election.objects.all():
        named = list(e.officers.select_related("person").order_by("index"))
        assert [o.person.email for o in named] == OFFICERS, e
        assert e.threshold == 2
        standing = set(e.candidates.values_list("person_id", flat=True))
        assert not standing & {o.person_id for o in named}
        if e.voting_opens_at < timezone.now():
            # Every code was made before voting opened, when the key was dealt to each.
            assert all(o.code_made_at < e.voting_opens_at for o in named), e
            assert e.public_key is not None and e.layout


def test_nominations_two_officers_have_codes_and_the_governance_lead_makes_hers(loaded):
    e = election(NOMINATIONS)
    assert e.public_key is None  # dealt when voting opens
    assert officer(e, LEAD).code_key is None
    assert officer(e, PRIYA).code_key is not None and officer(e, OWEN).code_key is not None
    assert services.officers_ready(e) == 2  # enough: voting will start on time
    code = services.officer_code_make(actor=person("Helen Aldridge"), election=e)
    assert len(codes.normalise_code(code)) == codes.CODE_LENGTH
    assert services.officers_ready(e) == 3


def test_nominations_members_can_propose_second_and_accept(loaded):
    e = election(NOMINATIONS)
    c = candidates(e)
    assert c["Ruth Adeyemi"].status == CandidateStatus.ACCEPTED
    assert c["Ruth Adeyemi"].statement
    assert c["Daniel Okafor"].status == CandidateStatus.SECONDED
    assert c["Stuart Ingham"].status == CandidateStatus.PROPOSED
    daniel = person("Daniel Okafor")
    services.candidate_second(actor=daniel, candidate=c["Stuart Ingham"])
    services.candidate_respond(
        actor=daniel, candidate=c["Daniel Okafor"], accept=True, statement="I will listen."
    )
    services.candidate_propose(actor=daniel, election=e, person=person("Andrew Penhaligon"))
    assert {x.status for x in candidates(e).values()} == {"accepted", "seconded", "proposed"}


def test_daniel_can_vote_now_in_the_open_election(loaded, client):
    e = election(VOTING)
    daniel = User.objects.get(email="member@mercia-vale.example")
    assert Elector.objects.filter(election=e).count() == 6
    assert services.election_turnout(election=e).voted == 3
    assert not services.has_voted(election=e, person=daniel)
    # The key was dealt to all three officers when voting opened.
    assert all(o.wrapped_share is not None for o in e.officers.all())
    client.force_login(daniel)
    page = client.get(url(e))
    assert page.status_code == 200
    assert "Vote now" in page.content.decode()
    assert client.get(url(e, "ballot")).status_code == 200
    philip = candidates(e)["Philip Cartwright"]
    receipt = services.ballot_cast(voter=daniel, election=e, choices=[philip.pk])
    assert Ballot.objects.filter(election=e, fingerprint=receipt).count() == 1
    assert len(receipt) == 64
    assert services.election_turnout(election=e).voted == 4
    with pytest.raises(ValidationError, match="already voted"):
        services.ballot_cast(voter=daniel, election=e, choices=[philip.pk])


def test_the_sealed_election_waits_for_two_officers(loaded):
    e = election(SEALED)
    assert e.status == ElectionStatus.SEALED
    assert (e.turnout, e.electorate_size) == (7, 8)
    assert Ballot.objects.filter(election=e).count() == 7
    # Nothing is counted or published yet, and every officer still holds a share.
    assert e.tally is None and e.abstentions is None and len(e.board_digest) == 64
    assert all(c.votes is None and not c.elected for c in candidates(e).values())
    assert all(o.wrapped_share is not None and o.partials is None for o in e.officers.all())


def test_the_codes_file_lets_two_demo_officers_count_the_sealed_election(loaded, codes_file):
    assert f"codes are in {codes_file}" in loaded
    assert codes_file.name == "demo-counting-codes.txt"
    text = codes_file.read_text(encoding="utf-8")
    assert text.startswith("DEMO ONLY.")
    assert stat.S_IMODE(codes_file.stat().st_mode) == 0o600
    e = election(SEALED)
    written = read_codes(codes_file)
    # The sealed and the voting elections' codes, all three officers'; the one taking
    # nominations, the two made; none of the counted election, which needs no more.
    assert set(written[e.pk]) == set(written[election(VOTING).pk]) == set(OFFICERS)
    assert set(written[election(NOMINATIONS).pk]) == {PRIYA, OWEN}
    assert election(CLOSED).pk not in written
    assert "counting/" in text and str(e) in text
    # The site keeps no code: the file's match the officers' code keys, and nothing else.
    for pk, by_email in written.items():
        for email, code in by_email.items():
            o = officer(Election.objects.get(pk=pk), email)
            assert codes.code_key(code, election=str(pk), index=o.index).encode() == bytes(
                o.code_key
            )
            assert code not in loaded
    # The governance lead counts, then the co-ordinator: the result is declared.
    e = services.count_share_submit(
        actor=person("Helen Aldridge"), election=e, code=written[e.pk][LEAD]
    )
    assert e.status == ElectionStatus.SEALED
    e = services.count_share_submit(
        actor=person("Priya Shah"), election=e, code=written[e.pk][PRIYA]
    )
    assert e.status == ElectionStatus.CLOSED
    c = candidates(e)
    assert (c["Janet Oduya"].votes, c["Kevin O'Neill"].votes, e.abstentions) == (4, 2, 1)
    assert c["Janet Oduya"].elected and not c["Kevin O'Neill"].elected
    # Written again, the file drops the codes of the counted election.
    write_codes(partnership=e.body.partnership, made={})
    assert e.pk not in read_codes(codes_file)


def test_a_code_made_again_is_dropped_from_the_file(loaded, codes_file):
    e = election(NOMINATIONS)
    services.officer_code_make(actor=person("Priya Shah"), election=e)  # replaces hers
    write_codes(partnership=e.body.partnership, made={})
    assert set(read_codes(codes_file)[e.pk]) == {OWEN}
    made = services.officer_code_make(actor=person("Helen Aldridge"), election=e)
    write_codes(partnership=e.body.partnership, made={e.pk: {LEAD: made}})
    assert read_codes(codes_file)[e.pk] == {OWEN: read_codes(codes_file)[e.pk][OWEN], LEAD: made}


def test_the_closed_election_was_counted_by_two_officers(loaded, client):
    e = election(CLOSED)
    assert e.status == ElectionStatus.CLOSED
    assert (e.turnout, e.electorate_size, e.abstentions) == (8, 9, 1)
    c = candidates(e)
    assert (c["Rachel Dunmore"].votes, c["Rachel Dunmore"].elected) == (5, True)
    assert (c["Hassan Ali"].votes, c["Hassan Ali"].elected) == (2, False)
    assert c["Joseph Tan"].status == CandidateStatus.DECLINED
    assert e.outcome == "Elected by the most votes."
    # The governance lead and the group's co-ordinator counted, the morning after the close;
    # no share of the key is left.
    counted = e.officers.filter(partials__isnull=False).order_by("index")
    assert [o.person.email for o in counted] == [LEAD, OWEN]
    assert all(e.closed_at < o.counted_at < e.closed_at + timedelta(days=1) for o in counted)
    assert not e.officers.filter(wrapped_share__isnull=False).exists()
    # The published totals and digest are those of the ballots, as anyone can check.
    again = recount(e)
    assert again.ballots == 8 and again.digest == e.board_digest and e.tally
    out = StringIO()
    call_command("verify_election", str(e.pk), stdout=out)
    assert "the board checks" in out.getvalue()
    # Re-elected: she holds the role, nobody else does.
    holders = Membership.objects.current().filter(body=e.body, role="deputy_chair")
    assert [m.person.full_name for m in holders] == ["Rachel Dunmore"]
    client.force_login(User.objects.get(email="tg.coordinator@mercia-vale.example"))
    page = client.get(url(e)).content.decode()
    assert "Rachel Dunmore" in page and "Hassan Ali" in page
    client.logout()  # the result is public
    page = client.get(url(e)).content.decode()
    assert "Rachel Dunmore" in page
    assert "8 of 9 voting members voted, 1 of them abstaining" in page


def test_the_closed_elections_ballots_stay_secret(loaded, codes_file):
    e = election(CLOSED)
    ballots = list(Ballot.objects.filter(election=e))
    assert len(ballots) == Participation.objects.filter(election=e).count() == 8
    # Nothing on a ballot points at a person, and nothing on it is readable.
    assert not [
        f
        for f in Ballot._meta.get_fields()
        if isinstance(f, models.ForeignKey) and f.related_model is User
    ]
    assert {f.name for f in Ballot._meta.concrete_fields} == {
        "id",
        "election",
        "ciphertexts",
        "proofs",
        "fingerprint",
    }
    # The receipts were shown to nobody: not printed, not written down, in no history.
    text = codes_file.read_text(encoding="utf-8")
    for b in ballots:
        assert b.fingerprint not in loaded and b.fingerprint not in text
    assert not hasattr(Ballot, "history") and not hasattr(Participation, "history")
    # A receipt is still checkable, as the voter would check it.
    assert services.receipt_counted(election=e, receipt=ballots[0].fingerprint.upper())


def test_loading_again_changes_nothing(loaded, codes_file):
    models_ = (Election, Candidate, Elector, Participation, Ballot, Membership, ElectionOfficer)
    before = [m.objects.count() for m in models_] + [Election.history.count()]
    keys = set(Ballot.objects.values_list("pk", flat=True))
    shares = sorted(
        bytes(s or b"") for s in ElectionOfficer.objects.values_list("wrapped_share", flat=True)
    )
    text = codes_file.read_text(encoding="utf-8")
    out = StringIO()
    call_command("load_demo_elections", "--force", stdout=out)
    assert "already loaded" in out.getvalue()
    assert f"codes are in {codes_file}" in out.getvalue()
    assert [m.objects.count() for m in models_] + [Election.history.count()] == before
    assert set(Ballot.objects.values_list("pk", flat=True)) == keys
    assert shares == sorted(
        bytes(s or b"") for s in ElectionOfficer.objects.values_list("wrapped_share", flat=True)
    )
    assert codes_file.read_text(encoding="utf-8") == text


def test_it_refuses_with_debug_off(loaded, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="for development"):
        call_command("load_demo_elections", stdout=StringIO())


def test_the_output_says_who_tries_what(loaded):
    print(loaded)  # shown with -s: what ``make demo`` prints
    assert "vote now" in loaded
    assert "accept or decline his nomination" in loaded
    assert "make her counting code" in loaded
    assert "enter her counting code" in loaded
    assert f"manage.py verify_election {election(CLOSED).pk}" in loaded
    assert "DEMO ONLY" in loaded
    assert "/p/demo/bodies/" in loaded
