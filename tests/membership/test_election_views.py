import logging

import pytest
from django.core import mail
from django.urls import reverse

from membership import services as ms
from membership.models import Ballot, Election
from membership.services.elections import elections_close_due, elections_send_reminders
from membership.tasks import run_elections
from tests.membership.elections_helpers import add_voters, chair_election, close, set_phase, stand

MARKER = "Zebedee Markerfield"


@pytest.fixture
def contest(world):
    voters = add_voters(world, 4)
    marker = voters[2]
    marker.full_name = MARKER
    marker.save()
    election = chair_election(world)
    a = stand(election, world.member, voters[0], voters[1])
    b = stand(election, marker, voters[0], voters[3])
    return voters, set_phase(election, "voting"), a, b


def url(world, name, election, **extra):
    return reverse(
        name,
        kwargs={
            "partnership": world.partnership.slug,
            "body": world.board.slug,
            "pk": election.pk,
            **extra,
        },
    )


def test_vote_is_reviewed_then_cast_and_the_receipt_shown_once(client, world, contest, caplog):
    voters, election, a, b = contest
    caplog.set_level(logging.DEBUG)
    client.force_login(voters[0])
    ballot_url = url(world, "membership:ballot", election)
    review = client.post(ballot_url, {"step": "review", "vote": b.pk})
    assert MARKER in review.content.decode() and "Cast your vote" in review.content.decode()
    assert not Ballot.objects.exists()
    cast = client.post(ballot_url, {"step": "confirm", "choices": [b.pk]})
    html = cast.content.decode()
    receipt = Ballot.objects.get().receipt
    assert cast.status_code == 200 and receipt in html
    # The choice and the receipt are nowhere but in that one response.
    assert MARKER not in caplog.text and receipt not in caplog.text
    assert str(b.pk) not in client.session.values()
    assert not [m for m in mail.outbox if MARKER in m.body or receipt in m.body]
    after = client.get(url(world, "membership:election_detail", election)).content.decode()
    assert receipt not in after and "You have voted" in after
    # A second ballot is refused.
    again = client.post(ballot_url, {"step": "confirm", "choices": [a.pk]}, follow=True)
    assert "already voted" in again.content.decode()
    assert Ballot.objects.count() == 1


def test_an_empty_ballot_is_refused_with_the_reason(client, world, contest):
    voters, election, a, b = contest
    client.force_login(voters[0])
    response = client.post(url(world, "membership:ballot", election), {"step": "review"})
    assert "Choose a candidate, or choose to abstain" in response.content.decode()


def test_results_are_hidden_until_the_election_closes(client, world, contest):
    voters, election, a, b = contest
    ms.ballot_cast(voter=voters[0], election=election, choices=[a.pk])
    client.force_login(world.coordinator)
    page = client.get(url(world, "membership:election_detail", election)).content.decode()
    assert "1 of 6 voting members have voted" in page
    assert "Votes for each candidate" not in page and "Elected" not in page
    # Not while others can still vote.
    client.post(url(world, "membership:election_close", election))
    election.refresh_from_db()
    assert election.status == "open"
    set_phase(election, "counting")
    client.post(url(world, "membership:election_close", election))
    page = client.get(url(world, "membership:election_detail", election)).content.decode()
    assert "Votes for each candidate" in page and "Elected by the most votes." in page


def test_a_voter_checks_their_receipt_after_the_close(client, world, contest):
    voters, election, a, b = contest
    receipt = ms.ballot_cast(voter=voters[0], election=election, choices=[a.pk])
    close(election, actor=None)
    page = client.post(url(world, "membership:election_detail", election), {"receipt": receipt})
    assert f"A ballot with the code {receipt} was counted." in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    page = client.post(url(world, "membership:election_detail", election), {"receipt": "NOPE"})
    assert "No ballot with the code NOPE" in page.content.decode()


def test_coordinator_opens_an_election_in_the_browser_form(client, world, today):
    client.force_login(world.coordinator)
    later = today.replace(year=today.year + 1)
    response = client.post(
        reverse(
            "membership:election_create",
            kwargs={"partnership": world.partnership.slug, "body": world.board.slug},
        ),
        {
            "post": "chair",
            "seat": "",
            "places": "1",
            "tie_rule": "lot",
            "nominations_close_on_day": "1",
            "nominations_close_on_month": "2",
            "nominations_close_on_year": str(later.year),
            "nominations_close_time": "17:00",
            "voting_opens_on_day": "2",
            "voting_opens_on_month": "2",
            "voting_opens_on_year": str(later.year),
            "voting_opens_time": "09:00",
            "voting_closes_on_day": "1",
            "voting_closes_on_month": "2",
            "voting_closes_on_year": str(later.year),
            "voting_closes_time": "17:00",
            "term_starts_on_day": "10",
            "term_starts_on_month": "2",
            "term_starts_on_year": str(later.year),
        },
    )
    html = response.content.decode()
    assert 'id="id_voting_closes_on-error"' in html and "Voting must close after it opens." in html
    assert not Election.objects.exists()


def test_reminders_go_once_to_those_who_have_not_voted(world, contest):
    voters, election, a, b = contest
    ms.ballot_cast(voter=voters[0], election=election, choices=[a.pk])
    from datetime import timedelta

    from django.utils import timezone

    Election.objects.filter(pk=election.pk).update(
        voting_closes_at=timezone.now() + timedelta(hours=47)
    )
    assert elections_send_reminders() == 5
    assert elections_send_reminders() == 0
    run_elections.apply()
    assert len(mail.outbox) == 5
    assert voters[0].email not in {m.to[0] for m in mail.outbox}
    assert all(MARKER not in m.body for m in mail.outbox if m.to[0] != voters[2].email)


def test_the_job_closes_elections_whose_voting_has_ended(world, contest):
    voters, election, a, b = contest
    ms.ballot_cast(voter=voters[0], election=election, choices=[a.pk])
    set_phase(election, "counting")
    assert elections_close_due() == 1
    assert elections_close_due() == 0
    election.refresh_from_db()
    assert election.status == "closed" and election.turnout == 1


def test_the_result_is_published_on_the_bodys_page(client, world, contest):
    voters, election, a, b = contest
    ms.ballot_cast(voter=voters[0], election=election, choices=[a.pk])
    close(election, actor=None)
    html = client.get(world.board.get_absolute_url()).content.decode()
    assert "Elected: Member" in html and "Turnout 1 of 6" in html


def test_fixing_the_electorate_leaves_no_trace_of_the_first_voter(world, contest):
    voters, election, a, b = contest
    ms.ballot_cast(voter=voters[0], election=election, choices=[a.pk])
    assert not election.history.filter(history_user=voters[0]).exists()
    assert election.history.count() == 1  # only its opening


def test_one_failing_reminder_does_not_stop_the_others(world, contest, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from membership.services import elections as svc

    voters, election, a, b = contest
    Election.objects.filter(pk=election.pk).update(
        voting_closes_at=timezone.now() + timedelta(hours=1)
    )
    ms.electorate_fix(election=election)
    real = svc.notify

    def flaky(*, to, **kwargs):
        if to == voters[0]:
            raise OSError("mailbox unavailable")
        return real(to=to, **kwargs)

    monkeypatch.setattr(svc, "notify", flaky)
    assert elections_send_reminders() == 5
    monkeypatch.setattr(svc, "notify", real)
    assert elections_send_reminders() == 1  # the failed one, retried
    assert len(mail.outbox) == 6
