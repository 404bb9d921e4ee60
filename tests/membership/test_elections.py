from datetime import timedelta

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import ForeignObjectRel
from django.utils import timezone

from membership import services as ms
from membership.models import (
    Ballot,
    Candidate,
    Election,
    ElectionOfficer,
    Elector,
    Membership,
    Participation,
    Post,
    Role,
    User,
)
from membership.services.elections import BallotsDoNotMatch, election_turnout, receipt_counted
from partnership.models import Notice
from tests.factories import UserFactory
from tests.membership.elections_helpers import (
    add_voters,
    chair_election,
    close,
    count,
    name_officers,
    set_phase,
    stand,
)


@pytest.fixture
def voters(world):
    return add_voters(world, 4)


@pytest.fixture
def contest(world, voters):
    """A chair election with two candidates standing, and voting open."""
    election = chair_election(world)
    a = stand(election, world.member, voters[0], voters[1])
    b = stand(election, voters[2], voters[0], voters[3])
    return set_phase(election, "voting"), a, b


# --- nominations -------------------------------------------------------------------------------


def test_voting_member_proposes_and_another_seconds(world, voters):
    election = chair_election(world)
    candidate = ms.candidate_propose(actor=voters[0], election=election, person=world.member)
    ms.candidate_second(actor=voters[1], candidate=candidate)
    candidate.refresh_from_db()
    assert candidate.status == "seconded" and candidate.seconder == voters[1]


def test_non_voting_members_cannot_propose_or_second(world, voters, today):
    observer = UserFactory()
    ms.membership_create(
        actor=None,
        body=world.board,
        seat=voters and world.board.seats.get(name="Partners"),
        person=observer,
        role=Role.OBSERVER,
        starts_on=today,
    )
    election = chair_election(world)
    with pytest.raises(ValidationError, match="Only voting members"):
        ms.candidate_propose(actor=observer, election=election, person=world.member)
    candidate = ms.candidate_propose(actor=voters[0], election=election, person=world.member)
    with pytest.raises(ValidationError, match="Only voting members"):
        ms.candidate_second(actor=observer, candidate=candidate)
    with pytest.raises(ValidationError, match="Only voting members"):
        ms.candidate_second(actor=world.other_member, candidate=candidate)


def test_a_candidate_for_chair_must_be_a_member_of_the_body(world, voters):
    election = chair_election(world)
    with pytest.raises(ValidationError) as exc:
        ms.candidate_propose(actor=voters[0], election=election, person=world.other_member)
    assert "is not a member of Board" in exc.value.error_dict["person"][0].message


def test_the_proposer_cannot_second_their_own_proposal(world, voters):
    election = chair_election(world)
    candidate = ms.candidate_propose(actor=voters[0], election=election, person=world.member)
    with pytest.raises(ValidationError, match="someone other than the proposer"):
        ms.candidate_second(actor=voters[0], candidate=candidate)


def test_a_candidate_accepts_only_once_seconded_and_with_a_statement(world, voters):
    election = chair_election(world)
    candidate = ms.candidate_propose(actor=voters[0], election=election, person=world.member)
    with pytest.raises(ValidationError, match="once it has been seconded"):
        ms.candidate_respond(actor=world.member, candidate=candidate, accept=True, statement="x")
    ms.candidate_second(actor=voters[1], candidate=candidate)
    with pytest.raises(ValidationError) as exc:
        ms.candidate_respond(actor=world.member, candidate=candidate, accept=True, statement=" ")
    assert "statement" in exc.value.error_dict
    with pytest.raises(ValidationError, match="Only the candidate"):
        ms.candidate_respond(actor=voters[1], candidate=candidate, accept=False)
    ms.candidate_respond(actor=world.member, candidate=candidate, accept=False)
    candidate.refresh_from_db()
    assert candidate.status == "declined"


def test_no_nominations_outside_the_nomination_window(world, voters):
    election = set_phase(chair_election(world), "voting")
    with pytest.raises(ValidationError, match="Nominations are not open"):
        ms.candidate_propose(actor=voters[0], election=election, person=world.member)


def test_a_seat_candidate_must_come_from_the_seats_sector_or_nominator(world, voters):
    now = timezone.now()
    election = ms.election_create(
        actor=None,
        body=world.board,
        post="seat",
        seat=world.board_seat,
        places=1,
        nominations_open_at=now - timedelta(hours=1),
        nominations_close_at=now + timedelta(hours=1),
        voting_opens_at=now + timedelta(hours=2),
        voting_closes_at=now + timedelta(hours=3),
        term_starts_on=(now + timedelta(days=1)).date(),
        tie_rule="lot",
    )
    applicant = UserFactory()
    with pytest.raises(ValidationError) as exc:
        ms.candidate_propose(
            actor=voters[0], election=election, person=applicant, organisation=world.business
        )
    assert "public sector" in exc.value.error_dict["organisation"][0].message
    ms.candidate_propose(
        actor=voters[0], election=election, person=applicant, organisation=world.council
    )


# --- voting ------------------------------------------------------------------------------------


def test_each_voting_member_at_the_opening_is_an_elector(world, voters, contest):
    election, a, b = contest
    ms.ballot_cast(voter=voters[0], election=election, choices=[a.pk])
    electors = set(Elector.objects.filter(election=election).values_list("person_id", flat=True))
    assert electors == {world.chair.pk, world.member.pk, *(v.pk for v in voters)}


def test_someone_whose_membership_ended_before_voting_opened_has_no_vote(world, voters):
    election = chair_election(world)
    a = stand(election, world.member, voters[0], voters[1])
    election = set_phase(election, "voting")
    # Ends on the day voting opened (which is yesterday in the first hour after midnight).
    ms.membership_end(
        actor=None,
        membership=Membership.objects.get(person=voters[3]),
        ends_on=timezone.localtime(election.voting_opens_at).date(),
    )
    with pytest.raises(ValidationError, match="not entitled"):
        ms.ballot_cast(voter=voters[3], election=election, choices=[a.pk])


def test_a_member_of_another_body_cannot_vote(world, contest):
    election, a, _ = contest
    with pytest.raises(ValidationError, match="not entitled"):
        ms.ballot_cast(voter=world.other_member, election=election, choices=[a.pk])


def test_one_vote_per_voter(world, voters, contest):
    election, a, b = contest
    ms.ballot_cast(voter=voters[0], election=election, choices=[a.pk])
    with pytest.raises(ValidationError, match="already voted"):
        ms.ballot_cast(voter=voters[0], election=election, choices=[b.pk])
    assert Ballot.objects.filter(election=election).count() == 1


@pytest.mark.parametrize("phase", ["nominations", "between", "counting"])
def test_no_one_votes_outside_the_voting_window(world, voters, contest, phase):
    election, a, _ = contest
    set_phase(election, phase)
    with pytest.raises(ValidationError, match="Voting is not open"):
        ms.ballot_cast(voter=voters[0], election=election, choices=[a.pk])


def test_a_ballot_chooses_at_most_one_for_a_single_post(world, voters, contest):
    election, a, b = contest
    with pytest.raises(ValidationError, match="no more than 1"):
        ms.ballot_cast(voter=voters[0], election=election, choices=[a.pk, b.pk])
    with pytest.raises(ValidationError, match="Choose a candidate, or abstain"):
        ms.ballot_cast(voter=voters[0], election=election, choices=[])
    with pytest.raises(ValidationError, match="from the candidates listed"):
        ms.ballot_cast(voter=voters[0], election=election, choices=[999999])
    assert not Participation.objects.filter(election=election).exists()


def test_an_explicit_abstention_counts_in_the_turnout(world, voters, contest):
    election, _, _ = contest
    ms.ballot_cast(voter=voters[0], election=election, choices=[], abstain=True)
    assert election_turnout(election=election).voted == 1


def test_turnout_counts_voters_while_voting_is_open(world, voters, contest):
    election, a, _ = contest
    ms.ballot_cast(voter=voters[0], election=election, choices=[a.pk])
    assert election_turnout(election=election) == ms.Turnout(voted=1, electorate=6)


# --- closing and the result ----------------------------------------------------------------------


def test_closing_counts_publishes_and_makes_the_winner_chair(world, voters, contest, today):
    election, a, b = contest
    for voter in voters[:3]:
        ms.ballot_cast(voter=voter, election=election, choices=[a.pk])
    receipt = ms.ballot_cast(voter=voters[3], election=election, choices=[b.pk])
    ms.ballot_cast(voter=world.chair, election=election, choices=[], abstain=True)
    assert not receipt_counted(election=election, receipt=receipt)  # nothing before the close
    election = close(election, actor=world.coordinator)
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.votes, a.elected, b.votes, b.elected) == (3, True, 1, False)
    assert (election.turnout, election.electorate_size, election.abstentions) == (5, 6, 1)
    assert election.outcome == "Elected by the most votes."
    assert receipt_counted(election=election, receipt=receipt.lower())
    start = election.term_starts_on
    new_chair = Membership.objects.get(person=world.member, starts_on=start)
    assert new_chair.role == Role.CHAIR
    old = Membership.objects.get(person=world.chair, role=Role.CHAIR)
    assert old.ends_on == start and old.end_reason == "Elected chair"
    assert Membership.objects.get(person=world.chair, starts_on=start).role == Role.MEMBER
    assert new_chair.history.first().history_change_reason == "Appointed"


def test_a_closed_election_cannot_be_changed(world, voters, contest):
    election, a, _ = contest
    election = close(election, actor=None)
    with pytest.raises(ValidationError):
        ms.ballot_cast(voter=voters[0], election=election, choices=[a.pk])
    with pytest.raises(ValidationError, match="already closed"):
        close(election, actor=None)
    with pytest.raises(ValidationError, match="already closed"):
        ms.election_cancel(actor=None, election=election)


def test_a_tie_is_settled_by_lot_and_recorded(world, voters, contest):
    election, a, b = contest
    ms.ballot_cast(voter=voters[0], election=election, choices=[a.pk])
    ms.ballot_cast(voter=voters[1], election=election, choices=[b.pk])
    election = close(election, actor=None)
    assert "tied on 1 vote" in election.outcome and "chosen by drawing lots" in election.outcome
    assert Candidate.objects.filter(election=election, elected=True).count() == 1


def test_a_tie_under_the_reballot_rule_leads_to_a_reballot(world, voters):
    election = chair_election(world, tie_rule="reballot")
    a = stand(election, world.member, voters[0], voters[1])
    b = stand(election, voters[2], voters[0], voters[3])
    election = set_phase(election, "voting")
    ms.ballot_cast(voter=voters[0], election=election, choices=[a.pk])
    ms.ballot_cast(voter=voters[1], election=election, choices=[b.pk])
    election = close(election, actor=None)
    assert "re-ballot" in election.outcome
    assert not Candidate.objects.filter(election=election, elected=True).exists()
    now = timezone.now()
    reballot = ms.election_reballot(
        actor=None, election=election, voting_opens_at=now, voting_closes_at=now + timedelta(days=2)
    )
    assert {c.person for c in reballot.candidates.all()} == {world.member, voters[2]}
    assert reballot.phase() == "voting" and reballot.reballot_of == election


def test_a_seat_election_fills_the_places(world, voters):
    now = timezone.now()
    seat = ms.seat_create(actor=None, body=world.board, name="Business", count=2, sector="private")
    election = ms.election_create(
        actor=None,
        body=world.board,
        post="seat",
        seat=seat,
        places=2,
        nominations_open_at=now - timedelta(hours=1),
        nominations_close_at=now + timedelta(hours=1),
        voting_opens_at=now + timedelta(hours=2),
        voting_closes_at=now + timedelta(hours=3),
        term_starts_on=(now + timedelta(days=1)).date(),
        tie_rule="lot",
    )
    applicants = [UserFactory() for _ in range(3)]
    standing = []
    for person in applicants:
        c = ms.candidate_propose(
            actor=voters[0], election=election, person=person, organisation=world.business
        )
        ms.candidate_second(actor=voters[1], candidate=c)
        standing.append(
            ms.candidate_respond(actor=person, candidate=c, accept=True, statement="I can")
        )
    name_officers(election)
    election = set_phase(election, "voting")
    ms.ballot_cast(voter=voters[0], election=election, choices=[standing[0].pk, standing[1].pk])
    ms.ballot_cast(voter=voters[1], election=election, choices=[standing[0].pk, standing[1].pk])
    ms.ballot_cast(voter=voters[2], election=election, choices=[standing[2].pk])
    close(election, actor=None)
    appointed = set(Membership.objects.filter(seat=seat).values_list("person_id", flat=True))
    assert appointed == {applicants[0].pk, applicants[1].pk}


# --- secrecy by construction ---------------------------------------------------------------------


def _fields(model):
    return model._meta.get_fields(include_hidden=True)


@pytest.mark.parametrize("model", [Ballot, Participation, Elector])
def test_voting_records_carry_no_time_and_no_sequential_key(model):
    assert isinstance(model._meta.pk, models.UUIDField)
    assert not [f for f in _fields(model) if isinstance(f, models.DateField | models.DateTimeField)]


def _voting_models():
    """Every model a vote touches: the election, its candidates, the electorate, the record
    that someone voted, the ballot, their history tables (where they have one), and the
    notices people are sent."""
    touched = [Election, Candidate, ElectionOfficer, Elector, Participation, Ballot, Notice]
    history = [m.history.model for m in touched if hasattr(m, "history")]
    assert {h.__name__ for h in history} == {
        "HistoricalElection",
        "HistoricalCandidate",
        "HistoricalElectionOfficer",
    }
    return touched + history


# The one JSON column a vote touches: the election's ballot layout, set when voting opens, the
# candidate ids in slot order then "abstain", the same for every ballot (checked in
# test_election_count).
_PUBLIC_JSON = {"Election": ["layout"], "HistoricalElection": ["layout"]}


def _points_at(model, target) -> list[str]:
    """The fields (columns and many-to-many tables) of ``model`` that point at ``target``."""
    return [
        f.name
        for f in _fields(model)
        if f.is_relation and not isinstance(f, ForeignObjectRel) and f.related_model is target
    ]


def test_no_column_links_a_ballot_to_a_voter():
    for f in _fields(Ballot):
        if f.is_relation:
            assert f.related_model is Election, f"Ballot.{f.name} points at {f.related_model}"
    # Nothing points at a ballot either.
    assert not [f for f in _fields(Ballot) if f.auto_created and not f.concrete]
    assert not [f for f in _fields(Participation) if f.is_relation and f.related_model is Ballot]


@pytest.mark.parametrize("model", _voting_models(), ids=lambda m: m.__name__)
def test_no_voting_model_links_a_ballot_to_a_person(model):
    """No model a vote touches holds both a ballot and a person, or any column that could
    hold a ballot's key, receipt or choices but the ballot itself."""
    to_ballot = _points_at(model, Ballot)
    to_person = _points_at(model, User)
    assert not (to_ballot and to_person), f"{model.__name__}: {to_ballot} and {to_person}"
    if model is not Ballot:
        assert to_ballot == [], f"{model.__name__}.{to_ballot} reaches a ballot"
        names = [f.name for f in _fields(model) if not f.is_relation]
        kept = [n for n in names if any(w in n for w in ("ballot", "receipt", "choice"))]
        assert kept == [], f"{model.__name__} keeps {kept}"
        json = [f.name for f in _fields(model) if isinstance(f, models.JSONField)]
        assert json == _PUBLIC_JSON.get(model.__name__, []), f"{model.__name__} keeps {json}"


def test_no_model_anywhere_relates_to_a_ballot():
    from django.apps import apps

    for model in apps.get_models(include_auto_created=True):
        if model is not Ballot:
            assert _points_at(model, Ballot) == [], model.__name__


def test_a_ballot_relates_to_nothing_that_names_a_person():
    for target in (Participation, Elector, User, Notice, Candidate):
        assert _points_at(Ballot, target) == [], f"Ballot reaches {target.__name__}"
    concrete = {f.name for f in Ballot._meta.concrete_fields}
    assert concrete == {"id", "election", "ciphertexts", "proofs", "fingerprint"}


@pytest.mark.parametrize("model", [Ballot, Participation, Elector], ids=lambda m: m.__name__)
def test_voting_records_have_random_keys(model):
    pk = model._meta.pk
    assert not isinstance(pk, models.AutoField | models.BigAutoField | models.IntegerField)
    keys = {pk.get_default() for _ in range(3)}
    assert len(keys) == 3 and all(k.version == 4 for k in keys)


def test_ballots_and_participations_have_no_history_and_no_admin():
    from django.apps import apps
    from simple_history.models import registered_models

    names = {m.__name__ for m in apps.get_models()}
    assert not {"HistoricalBallot", "HistoricalParticipation", "HistoricalElector"} & names
    assert Ballot not in admin.site._registry
    assert Participation not in admin.site._registry
    assert Elector not in admin.site._registry
    for model in (Ballot, Participation, Elector):
        assert not hasattr(model, "history")
        assert model._meta.db_table not in registered_models
        assert not [m for m in apps.get_models() if getattr(m, "instance_type", None) is model]
    # Nor shown inside another model's admin page.
    for model_admin in admin.site._registry.values():
        inlines = {inline.model for inline in model_admin.inlines}
        assert not inlines & {Ballot, Participation, Elector}, type(model_admin).__name__


def test_closing_seals_the_ballots_with_new_keys(world, voters, contest):
    election, a, b = contest
    ms.ballot_cast(voter=voters[0], election=election, choices=[a.pk])
    ms.ballot_cast(voter=voters[1], election=election, choices=[b.pk])
    rows = Ballot.objects.filter(election=election)
    before = set(rows.values_list("id", flat=True))
    stored = _ballot_bytes(election)
    set_phase(election, "counting")
    election = ms.election_close(actor=None, election=election)
    assert election.status == "sealed"
    after = set(rows.values_list("id", flat=True))
    assert len(after) == 2 and not before & after
    # The same encrypted ballots, byte for byte, under new keys.
    assert _ballot_bytes(election) == stored and len(stored) == 2
    election = count(election)
    assert election.status == "closed"
    assert set(rows.values_list("id", flat=True)) == after  # counting rewrites nothing
    assert _ballot_bytes(election) == stored


def _ballot_bytes(election) -> set:
    """Each ballot's fingerprint, ciphertexts and proofs (as bytes, however the driver reads
    them)."""
    rows = Ballot.objects.filter(election=election).values_list(
        "fingerprint", "ciphertexts", "proofs"
    )
    return {(f, bytes(c), bytes(p)) for f, c, p in rows}


def test_a_user_cannot_reach_a_ballot_through_relations():
    assert not hasattr(User, "ballots")
    assert not [f for f in _fields(User) if f.is_relation and f.related_model is Ballot]


def test_voting_cannot_be_closed_early_while_some_have_not_voted(world, voters, contest):
    election, a, _ = contest
    ms.ballot_cast(voter=voters[0], election=election, choices=[a.pk])
    with pytest.raises(ValidationError, match="have not voted yet"):
        ms.election_close(actor=None, election=election)


def test_voting_can_be_closed_early_once_everyone_has_voted(world, voters, contest):
    election, a, _ = contest
    for person in [world.chair, world.member, *voters]:
        ms.ballot_cast(voter=person, election=election, choices=[a.pk])
    sealed = ms.election_close(actor=None, election=election)
    assert sealed.status == "sealed" and sealed.voting_closes_at > timezone.now()  # early
    assert count(sealed).status == "closed"


def test_the_new_chair_takes_every_part_of_a_split_membership(world, voters, contest):
    election, a, b = contest
    # The winner's membership was split earlier (e.g. a change of organisation).
    m = Membership.objects.get(person=world.member)
    split = election.term_starts_on + timedelta(days=5)
    ms.membership_end(actor=None, membership=m, ends_on=split)
    ms.membership_create(
        actor=None,
        body=world.board,
        seat=world.board_seat,
        person=world.member,
        organisation=world.council,
        starts_on=split,
    )
    ms.ballot_cast(voter=voters[0], election=election, choices=[a.pk])
    election = close(election)
    roles = list(
        Membership.objects.filter(person=world.member, starts_on__gte=election.term_starts_on)
        .order_by("starts_on")
        .values_list("role", flat=True)
    )
    assert roles == ["chair", "chair"] and election.outcome == "Elected by the most votes."


def test_closing_a_deputy_chair_election_changes_both_deputies_roles(world, voters):
    """The elected deputy's role changes from the start of the term, with history; the
    previous deputy's role ends then and they carry on as a member. The chair is untouched."""
    previous = ms.membership_update(
        actor=None, membership=Membership.objects.get(person=voters[3]), role=Role.DEPUTY_CHAIR
    )
    now = timezone.now()
    election = ms.election_create(
        actor=world.coordinator,
        body=world.board,
        post=Post.DEPUTY_CHAIR,
        nominations_open_at=now - timedelta(hours=1),
        nominations_close_at=now + timedelta(hours=24),
        voting_opens_at=now + timedelta(hours=48),
        voting_closes_at=now + timedelta(hours=96),
        term_starts_on=(now + timedelta(days=5)).date(),
        tie_rule="lot",
    )
    name_officers(election)
    a = stand(election, world.member, voters[0], voters[1])
    b = stand(election, voters[2], voters[0], voters[1])
    election = set_phase(election, "voting")
    for voter in (voters[0], voters[1], world.chair):
        ms.ballot_cast(voter=voter, election=election, choices=[a.pk])
    ms.ballot_cast(voter=voters[3], election=election, choices=[b.pk])
    election = close(election, actor=world.coordinator)
    start = election.term_starts_on
    assert election.outcome == "Elected by the most votes."
    assert Candidate.objects.get(pk=a.pk).elected and not Candidate.objects.get(pk=b.pk).elected

    # The new deputy: their membership ends the day the term starts; a deputy's one follows.
    old = Membership.objects.get(person=world.member, role=Role.MEMBER)
    assert (old.ends_on, old.end_reason) == (start, "Elected deputy chair")
    new = Membership.objects.get(person=world.member, starts_on=start)
    assert (new.role, new.ends_on, new.seat, new.organisation) == (
        Role.DEPUTY_CHAIR,
        None,
        old.seat,
        old.organisation,
    )
    assert new.history.first().history_change_reason == "Appointed"
    assert old.history.first().ends_on == start  # the end is in the history too
    assert old.history.count() == 2

    # The previous deputy carries on as a member, in the same seat.
    previous.refresh_from_db()
    assert (previous.role, previous.ends_on, previous.end_reason) == (
        Role.DEPUTY_CHAIR,
        start,
        "Elected deputy chair",
    )
    carries_on = Membership.objects.get(person=voters[3], starts_on=start)
    assert (carries_on.role, carries_on.ends_on, carries_on.seat) == (
        Role.MEMBER,
        None,
        previous.seat,
    )
    assert previous.history.first().ends_on == start

    # Who is deputy on which day: the old one until the term starts, the new one from then.
    def deputy_on(day):
        held = Membership.objects.current(on=day).filter(body=world.board, role="deputy_chair")
        return [m.person for m in held]

    assert deputy_on(start - timedelta(days=1)) == [voters[3]]
    assert deputy_on(start) == [world.member]
    chair = Membership.objects.get(person=world.chair)
    assert (chair.role, chair.ends_on) == (Role.CHAIR, None)


def test_a_close_whose_ballots_do_not_match_the_votes_is_refused(world, voters, contest, caplog):
    """Ballots always equal participations. If they ever do not (here a ballot is deleted
    behind the service's back), closing raises a clear error, even under ``python -O``, and
    rolls back: nothing is sealed, counted, published or applied."""
    election, a, b = contest
    ms.ballot_cast(voter=voters[0], election=election, choices=[a.pk])
    ms.ballot_cast(voter=voters[1], election=election, choices=[a.pk])
    Ballot.objects.filter(pk=Ballot.objects.filter(election=election).first().pk).delete()
    kept = set(Ballot.objects.filter(election=election).values_list("id", flat=True))
    memberships = set(Membership.objects.values_list("id", "role", "ends_on"))
    set_phase(election, "counting")

    with pytest.raises(BallotsDoNotMatch, match="1 ballot\\(s\\) but 2 recorded vote\\(s\\)"):
        ms.election_close(actor=world.coordinator, election=election)

    election.refresh_from_db()
    assert (election.status, election.turnout, election.closed_at, election.outcome) == (
        "open",
        None,
        None,
        "",
    )
    assert election.history.count() == 1  # only its opening: no "Closed and counted"
    assert list(Candidate.objects.filter(election=election).values_list("votes", "elected")) == [
        (None, False),
        (None, False),
    ]
    # The seal was rolled back with the rest, and no role changed.
    assert set(Ballot.objects.filter(election=election).values_list("id", flat=True)) == kept
    assert set(Membership.objects.values_list("id", "role", "ends_on")) == memberships
    assert not receipt_counted(
        election=election, receipt=Ballot.objects.get(election=election).fingerprint
    )

    # The job leaves it open for someone to look at, says so, and carries on.
    assert ms.elections_close_due() == 0
    election.refresh_from_db()
    assert election.status == "open"
    assert "was not closed" in caplog.text


def test_no_bare_assert_guards_the_election_services():
    """``python -O`` strips asserts: a rule the services rely on is checked explicitly."""
    import ast
    import inspect

    from membership.services import elections

    tree = ast.parse(inspect.getsource(elections))
    assert not [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Assert)]
