"""The demo's elections: one taking nominations, one with voting open in which the demo member
can vote, one closed with its result declared, all built through the services so the rules
and the secret ballot hold. The demo is loaded once for the module and rolled back at its end;
tests that change it run in their own transaction (``db``), which is undone after each."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from membership import services
from membership.demo_elections import demo_windows
from membership.models import (
    Ballot,
    Candidate,
    CandidateStatus,
    Election,
    ElectionStatus,
    Elector,
    Membership,
    Participation,
    User,
)

NOMINATIONS = "Delivery Board"
VOTING = "Economic Development and Enterprise"
CLOSED = "Safer and Stronger Communities"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo partnership with its elections, once for the module, undone at its end."""
    from partnership.storage import private_storage

    with django_db_blocker.unblock():
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


def test_there_is_one_election_at_each_stage(loaded):
    assert Election.objects.filter(body__partnership__slug="demo").count() == 3
    assert election(NOMINATIONS).phase() == "nominations"
    assert election(VOTING).phase() == "voting"
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
    closed = election(CLOSED)
    assert timezone.localtime(closed.voting_closes_at).date() < today
    assert closed.closed_at > closed.voting_closes_at
    assert timezone.localtime(election(NOMINATIONS).nominations_open_at).date() < today


@pytest.mark.parametrize("offset", range(7))
def test_the_dates_fall_on_weekdays_whichever_day_the_demo_is_loaded(offset):
    today = date(2026, 6, 1) + timedelta(days=offset)  # a Monday, then each day of its week
    now = timezone.make_aware(datetime.combine(today, time(8)))  # before 9:00 too
    stages = demo_windows(today)
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
    assert stages["closed"]["voting_closes_at"] < now


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
    client.force_login(daniel)
    page = client.get(url(e))
    assert page.status_code == 200
    assert "Vote now" in page.content.decode()
    assert client.get(url(e, "ballot")).status_code == 200
    philip = candidates(e)["Philip Cartwright"]
    receipt = services.ballot_cast(voter=daniel, election=e, choices=[philip.pk])
    assert len(receipt) == 12
    assert services.election_turnout(election=e).voted == 4
    with pytest.raises(ValidationError, match="already voted"):
        services.ballot_cast(voter=daniel, election=e, choices=[philip.pk])


def test_the_closed_election_has_its_result_declared(loaded, client):
    e = election(CLOSED)
    assert e.status == ElectionStatus.CLOSED
    assert (e.turnout, e.electorate_size, e.abstentions) == (8, 9, 1)
    c = candidates(e)
    assert (c["Rachel Dunmore"].votes, c["Rachel Dunmore"].elected) == (5, True)
    assert (c["Hassan Ali"].votes, c["Hassan Ali"].elected) == (2, False)
    assert c["Joseph Tan"].status == CandidateStatus.DECLINED
    assert e.outcome == "Elected by the most votes."
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


def test_the_closed_elections_ballots_stay_secret(loaded):
    e = election(CLOSED)
    ballots = list(Ballot.objects.filter(election=e))
    assert len(ballots) == Participation.objects.filter(election=e).count() == 8
    assert sum(b.abstain for b in ballots) == 1
    # Nothing on a ballot points at a person.
    assert not [
        f
        for f in Ballot._meta.get_fields()
        if isinstance(f, models.ForeignKey) and f.related_model is User
    ]
    # The receipts were shown to nobody: not printed, not on any page's history.
    for b in ballots:
        assert b.receipt not in loaded
    assert not hasattr(Ballot, "history") and not hasattr(Participation, "history")
    # A receipt is still checkable, as the voter would check it.
    assert services.receipt_counted(election=e, receipt=ballots[0].receipt.lower())


def test_loading_again_changes_nothing(loaded):
    models_ = (Election, Candidate, Elector, Participation, Ballot, Membership)
    before = [m.objects.count() for m in models_] + [Election.history.count()]
    keys = set(Ballot.objects.values_list("pk", flat=True))
    out = StringIO()
    call_command("load_demo_elections", "--force", stdout=out)
    assert "already loaded" in out.getvalue()
    assert [m.objects.count() for m in models_] + [Election.history.count()] == before
    assert set(Ballot.objects.values_list("pk", flat=True)) == keys


def test_it_refuses_with_debug_off(loaded, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="for development"):
        call_command("load_demo_elections", stdout=StringIO())


def test_the_output_says_who_tries_what(loaded):
    print(loaded)  # shown with -s: what ``make demo`` prints
    assert "vote now" in loaded
    assert "accept or decline his nomination" in loaded
    assert "/p/demo/bodies/" in loaded
