"""The counting officers' pages: the co-ordinator names them, each makes a code (shown once)
before voting opens and enters it once voting has closed; too few, and the co-ordinator
declares the election void and runs it again. And the officers' tasks."""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from membership import services as ms
from membership.crypto import officers as crypto_officers
from membership.models import Election, ElectionOfficer
from membership.services.election_count import BallotRefused
from tests.conftest import appoint_governance_lead
from tests.factories import UserFactory
from tests.membership.elections_helpers import (
    CODES,
    add_voters,
    chair_election,
    count,
    set_phase,
    stand,
)
from tests.membership.test_election_views import every_log  # noqa: F401

TASKS = reverse("account:tasks")


def url(world, name: str, election: Election) -> str:
    return reverse(
        f"membership:{name}",
        kwargs={"partnership": world.partnership.slug, "body": world.board.slug, "pk": election.pk},
    )


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.fixture
def nominating(world):
    """A chair election taking nominations, its officers not yet named."""
    election = chair_election(world)
    ElectionOfficer.objects.filter(election=election).delete()
    return election


@pytest.fixture
def sealed(world):
    """A chair election voted in and closed: sealed, waiting for two of three officers."""
    voters = add_voters(world, 2)
    election = chair_election(world)
    a = stand(election, world.member, voters[0], voters[1])
    set_phase(election, "voting")
    ms.ballot_cast(voter=voters[0], election=election, choices=[a.pk])
    set_phase(election, "counting")
    election = ms.election_close(actor=world.coordinator, election=election)
    assert election.status == "sealed"
    return election


def officers_of(election) -> list[ElectionOfficer]:
    return list(election.officers.select_related("person").order_by("index"))


# --- naming the officers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), ("outsider", 403), ("member", 403), ("chair", 403), ("coordinator", 200)],
)
def test_only_the_coordinator_names_the_officers(client, world, nominating, role, expected):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    response = client.get(url(world, "election_officers", nominating))
    assert response.status_code == expected
    if role == "anonymous":
        assert "/accounts/sign-in/" in response["Location"]


def test_the_governance_lead_is_suggested_and_candidates_are_not_offered(client, world, nominating):
    lead = appoint_governance_lead(world)
    voters = add_voters(world, 2)
    stand(nominating, world.member, voters[0], voters[1])
    client.force_login(world.coordinator)
    html = client.get(url(world, "election_officers", nominating)).content.decode()
    assert "Governance Lead, governance lead (suggested)" in html
    assert f'value="{lead.pk}" checked' in html
    assert "Coordinator, co-ordinator" in html
    assert f'value="{world.member.pk}"' not in html  # standing
    assert f'value="{world.chair.pk}"' in html  # a member of the Board
    assert 'value="2"' in html  # two must count together, by default


def test_naming_officers_saves_them_and_the_page_lists_them(client, world, nominating):
    [voter] = add_voters(world, 1)
    client.force_login(world.coordinator)
    response = client.post(
        url(world, "election_officers", nominating),
        {"officers": [world.chair.pk, voter.pk, world.coordinator.pk], "threshold": 2},
    )
    assert response.status_code == 302
    assert response["Location"] == url(world, "election_detail", nominating)
    assert {o.person for o in officers_of(nominating)} == {world.chair, voter, world.coordinator}
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "3 counting officers are named" in html
    assert html.count("No code yet") == 3 and "Code made" not in html
    assert "Only 0 of the 2 counting officers needed have made a code" in text(page)
    assert "Change the counting officers" in html


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"threshold": "2"}, "officers", "Choose at least two counting officers"),
        ({"officers": ["chair"], "threshold": "2"}, "officers", "Name at least two"),
        ({"officers": ["chair", "coordinator"], "threshold": "3"}, "threshold", "between 2 and 2"),
        ({"officers": ["chair", "coordinator"], "threshold": "1"}, "threshold", "At least 2"),
        ({"officers": ["chair", "coordinator"], "threshold": ""}, "threshold", "Enter how many"),
    ],
)
def test_an_error_is_shown_by_its_field_and_nothing_typed_is_lost(
    client, world, nominating, data, field, message
):
    client.force_login(world.coordinator)
    posted = {
        "threshold": data["threshold"],
        "officers": [getattr(world, r).pk for r in data.get("officers", [])],
    }
    response = client.post(url(world, "election_officers", nominating), posted)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="govuk-error-summary"' in html
    assert f'id="id_{field}-error"' in html and message in html
    assert f'href="#id_{field}{"_0" if field == "officers" else ""}"' in html
    for pk in posted["officers"]:
        assert f'value="{pk}" checked' in html
    typed = data["threshold"]
    assert f'inputmode="numeric" spellcheck="false" value="{typed}"' in html
    assert not ElectionOfficer.objects.filter(election=nominating).exists()


def test_a_candidate_named_as_officer_is_refused_by_the_field(client, world, nominating):
    voters = add_voters(world, 3)
    candidate = stand(nominating, voters[2], voters[0], voters[1])
    client.force_login(world.coordinator)
    # Offered no more, but a stale form could still send them.
    response = client.post(
        url(world, "election_officers", nominating),
        {"officers": [world.chair.pk, candidate.person_id], "threshold": 2},
    )
    html = response.content.decode()
    assert 'id="id_officers-error"' in html
    assert "Select a valid choice" in html or "cannot be a counting officer" in html


def test_the_officers_are_fixed_once_voting_has_opened(client, world):
    election = chair_election(world)
    voters = add_voters(world, 2)
    a = stand(election, world.member, voters[0], voters[1])
    set_phase(election, "voting")
    ms.ballot_cast(voter=voters[0], election=election, choices=[a.pk])  # deals the key
    client.force_login(world.coordinator)
    response = client.get(url(world, "election_officers", election), follow=True)
    assert "fixed once voting has opened" in response.content.decode()
    assert response.redirect_chain[-1][0] == url(world, "election_detail", election)


def test_opening_an_election_leads_the_coordinator_to_name_its_officers(client, world, today):
    from membership.views.elections import election_defaults

    client.force_login(world.coordinator)
    defaults = election_defaults(today)
    data = {"post": "chair", "seat": "", "places": "1", "tie_rule": "lot"}
    for name in ("nominations_close", "voting_opens", "voting_closes"):
        day = defaults[f"{name}_on"]
        data |= {
            f"{name}_on_day": day.day,
            f"{name}_on_month": day.month,
            f"{name}_on_year": day.year,
            f"{name}_time": defaults[f"{name}_time"],
        }
    term = defaults["term_starts_on"]
    data |= {"term_starts_on_day": term.day, "term_starts_on_month": term.month}
    data |= {"term_starts_on_year": term.year}
    response = client.post(
        reverse(
            "membership:election_create",
            kwargs={"partnership": world.partnership.slug, "body": world.board.slug},
        ),
        data,
        follow=True,
    )
    election = Election.objects.get()
    assert response.redirect_chain[-1][0] == url(world, "election_officers", election)
    assert "Now name its counting officers" in response.content.decode()


# --- making a code ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["anonymous", "outsider", "member", "chair", "coordinator"])
def test_only_the_elections_officers_have_a_counting_page(client, world, role):
    election = chair_election(world)
    if role != "anonymous":
        client.force_login(getattr(world, role))
    response = client.get(url(world, "election_counting", election))
    assert response.status_code == (302 if role == "anonymous" else 403)
    officer = officers_of(election)[0]
    client.force_login(officer.person)
    assert client.get(url(world, "election_counting", election)).status_code == 200


def test_an_officer_makes_a_code_shown_once(client, world, nominating, caplog):
    caplog.set_level(logging.DEBUG)
    person = UserFactory()
    ms.officers_name(
        actor=None, election=nominating, people=[person, world.other_member], threshold=2
    )
    client.force_login(person)
    counting = url(world, "election_counting", nominating)
    page = client.get(counting)
    assert "Not made yet" in page.content.decode()
    assert "Make your counting code" in page.content.decode()
    response = client.post(counting, {"action": "make"})
    html = response.content.decode()
    code = re.search(r'<span class="app-secret">([A-Z0-9-]+)</span>', html).group(1)
    officer = ElectionOfficer.objects.get(election=nominating, person=person)
    expected = crypto_officers.code_key(code, election=str(nominating.pk), index=officer.index)
    assert bytes(officer.code_key) == expected.encode()
    assert "shown only now" in html and "Keep it safe, offline" in html
    assert "no-store" in response["Cache-Control"]
    # The file to save, built in the page: never stored or served again.
    link = re.search(r'download="([^"]+)" href="data:text/plain;charset=utf-8,([^"]+)"', html)
    assert link.group(1) == f"counting-code-election-{nominating.pk}.txt"
    assert code in unquote(link.group(2))
    # Not in any log, message or session, and not shown again.
    assert code not in caplog.text
    again = client.get(counting)
    assert code not in again.content.decode() and "no-store" in again["Cache-Control"]
    assert "Made on" in again.content.decode()
    assert code not in str(dict(client.session.items()))
    # A new code replaces the old, after a warning.
    assert "Making a new code replaces the one you made" in again.content.decode()
    second = client.post(counting, {"action": "make"}).content.decode()
    new = re.search(r'<span class="app-secret">([A-Z0-9-]+)</span>', second).group(1)
    officer.refresh_from_db()
    assert new != code
    assert bytes(officer.code_key) == (
        crypto_officers.code_key(new, election=str(nominating.pk), index=officer.index).encode()
    )


def test_the_coordinator_sees_who_has_made_a_code(client, world, nominating):
    a, b = UserFactory(full_name="Alma Officer"), UserFactory(full_name="Bert Officer")
    ms.officers_name(actor=None, election=nominating, people=[a, b], threshold=2)
    ms.officer_code_make(actor=a, election=nominating)
    client.force_login(world.coordinator)
    page = text(client.get(url(world, "election_detail", nominating)))
    assert "Alma Officer Code made" in page and "Bert Officer No code yet" in page
    assert "Only 1 of the 2 counting officers needed has made a code" in page
    # And the officer is pointed to their page from the election's.
    client.force_login(b)
    page = text(client.get(url(world, "election_detail", nominating)))
    assert "You are a counting officer in this election. Make your counting code" in page


def test_no_code_can_be_made_once_voting_has_opened(client, world, sealed):
    officer = officers_of(sealed)[0]
    client.force_login(officer.person)
    response = client.post(url(world, "election_counting", sealed), {"action": "make"}, follow=True)
    assert "counting codes can no longer be made" in response.content.decode()
    assert 'class="app-secret"' not in response.content.decode()


def test_voting_waits_for_the_officers_codes(client, world, nominating):
    voters = add_voters(world, 2)
    stand(nominating, world.member, voters[0], voters[1])
    ms.officers_name(actor=None, election=nominating, people=voters, threshold=2)
    set_phase(nominating, "voting")
    client.force_login(world.chair)
    page = client.get(url(world, "election_detail", nominating)).content.decode()
    assert "Voting has not started yet" in page and "Vote now" not in page
    response = client.get(url(world, "ballot", nominating), follow=True)
    assert "it waits for the counting officers" in response.content.decode()


# --- counting -----------------------------------------------------------------------------------


def test_officers_count_and_the_quorum_publishes_the_result(client, world, sealed):
    first, second, third = officers_of(sealed)
    counting = url(world, "election_counting", sealed)
    # Everyone sees the election is waiting for the count.
    page = text(client.get(url(world, "election_detail", sealed)))
    assert "The votes will be counted when 2 counting officers have entered their codes: " in page
    assert "0 have so far" in page

    client.force_login(first.person)
    page = client.get(counting)
    assert "You have not counted yet." in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    # A wrong code (well formed) is refused by the field.
    wrong = crypto_officers.new_code()
    response = client.post(counting, {"action": "count", "code": wrong})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_code-error"' in html and "This is not your counting code" in html
    assert 'class="govuk-error-summary"' in html and 'href="#id_code"' in html
    # What was typed is shown again, to correct (the page is never cached).
    assert wrong in html and "no-store" in response["Cache-Control"]
    # A code in the wrong shape never reaches the service.
    html = client.post(counting, {"action": "count", "code": "NOPE"}).content.decode()
    assert 'id="id_code-error"' in html and "26 letters and digits" in html
    # The right one counts.
    code = CODES[sealed.pk][first.person_id]
    response = client.post(counting, {"action": "count", "code": code.lower()}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == counting
    assert "You have counted. 1 of the 2 counting officers needed have counted so far." in html
    assert "You have counted. The result is published when 2 officers have." in html
    assert code not in html
    page = text(client.get(url(world, "election_detail", sealed)))
    assert "1 has so far" in page
    # Again: refused.
    response = client.post(counting, {"action": "count", "code": code}, follow=True)
    assert response.status_code == 200 and "You have counted." in response.content.decode()

    # The second completes the count: the result is published.
    client.force_login(third.person)
    response = client.post(
        counting, {"action": "count", "code": CODES[sealed.pk][third.person_id]}, follow=True
    )
    assert response.redirect_chain[-1][0] == url(world, "election_detail", sealed)
    html = response.content.decode()
    assert "that completes the count: the result is published" in html
    assert "Votes for each candidate" in html
    sealed.refresh_from_db()
    assert sealed.status == "closed"
    # The third has nothing left to do.
    client.force_login(second.person)
    page = client.get(counting).content.decode()
    assert "The votes have been counted" in page and 'name="code"' not in page


def test_a_ballot_failing_its_checks_counts_nothing_and_says_so(
    client, world, sealed, monkeypatch, caplog
):
    def refuse(**kwargs):
        raise BallotRefused("A ballot is malformed: test")

    monkeypatch.setattr("membership.services.count_share_submit", refuse)
    officer = officers_of(sealed)[0]
    client.force_login(officer.person)
    code = CODES[sealed.pk][officer.person_id]
    with caplog.at_level(logging.ERROR, logger="membership.views.election_officers"):
        response = client.post(
            url(world, "election_counting", sealed), {"action": "count", "code": code}, follow=True
        )
    html = response.content.decode()
    assert "A ballot failed its checks: nothing was counted. Tell the governance lead." in html
    assert 'class="govuk-error-summary"' in html
    assert "a ballot failed its checks" in caplog.text and code not in caplog.text
    sealed.refresh_from_db()
    assert sealed.status == "sealed"


# --- void and run again -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), ("outsider", 403), ("member", 403), ("chair", 403), ("coordinator", 302)],
)
def test_only_the_coordinator_declares_a_sealed_election_void(
    client, world, sealed, role, expected
):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    assert client.post(url(world, "election_void", sealed)).status_code == expected
    sealed.refresh_from_db()
    assert (sealed.status == "void") == (role == "coordinator")


def test_void_then_run_again(client, world, sealed):
    client.force_login(world.coordinator)
    page = client.get(url(world, "election_detail", sealed)).content.decode()
    assert "Declare the election void" in page and "Run the election again" not in page
    # Not yet void: no re-run.
    response = client.get(url(world, "election_rerun", sealed), follow=True)
    assert "Only an election that could not be counted is run again" in response.content.decode()
    response = client.post(url(world, "election_void", sealed), follow=True)
    html = response.content.decode()
    assert "declared void" in html and "Not counted" in html
    assert "fewer than 2 counting officers could enter their codes" in html
    assert "Run the election again" in html
    # Voiding twice is refused, with the reason.
    again = client.post(url(world, "election_void", sealed), follow=True).content.decode()
    assert "Only an election waiting to be counted can be declared void" in again

    rerun_url = url(world, "election_rerun", sealed)
    form = client.get(rerun_url)
    assert form.status_code == 200 and "Voting opens on" in form.content.decode()
    # Empty: every field's error by the field.
    html = client.post(rerun_url, {}).content.decode()
    assert 'class="govuk-error-summary"' in html
    assert 'id="id_voting_opens_on-error"' in html and 'id="id_voting_closes_time-error"' in html
    # Closing before opening: the service's error by the field.
    tomorrow = sealed.term_starts_on  # after today, before the term
    bad = {
        "voting_opens_on_day": tomorrow.day,
        "voting_opens_on_month": tomorrow.month,
        "voting_opens_on_year": tomorrow.year,
        "voting_opens_time": "17:00",
        "voting_closes_on_day": tomorrow.day,
        "voting_closes_on_month": tomorrow.month,
        "voting_closes_on_year": tomorrow.year,
        "voting_closes_time": "09:00",
    }
    html = client.post(rerun_url, bad).content.decode()
    assert 'id="id_voting_closes_on-error"' in html and "Voting must close after it opens" in html
    assert 'value="17:00"' in html  # what was typed is kept
    good = {**bad, "voting_opens_time": "08:00", "voting_closes_time": "10:00"}
    response = client.post(rerun_url, good)
    rerun = Election.objects.get(rerun_of=sealed)
    assert response["Location"] == url(world, "election_officers", rerun)
    assert {o.person_id for o in rerun.officers.all()} == {
        o.person_id for o in sealed.officers.all()
    }
    assert not rerun.officers.filter(code_key__isnull=False).exists()
    page = client.get(url(world, "election_detail", sealed)).content.decode()
    assert "The election run again" in page and "Run the election again" not in page
    # Once only.
    response = client.get(rerun_url, follow=True)
    assert "run again, once" in response.content.decode()


def test_the_public_sees_why_an_election_was_not_counted(client, world, sealed):
    ms.election_void(actor=world.coordinator, election=sealed)
    page = client.get(url(world, "election_detail", sealed)).content.decode()
    assert "Not counted" in page and "must be run again" in page
    assert "Declare the election void" not in page and "Run the election again" not in page


def test_the_bulletin_board_is_linked_once_counted(client, world, sealed):
    detail = url(world, "election_detail", sealed)
    assert url(world, "election_board", sealed) not in client.get(detail).content.decode()
    count(sealed)
    assert url(world, "election_board", sealed) in client.get(detail).content.decode()


# --- "Your tasks" -------------------------------------------------------------------------------


def tasks(client, person) -> str:
    client.force_login(person)
    return client.get(TASKS).content.decode()


def test_an_officer_is_asked_to_make_a_code_then_to_count(client, world):
    voters = add_voters(world, 2)
    election = chair_election(world)
    ElectionOfficer.objects.filter(election=election).delete()
    officer = UserFactory()
    ms.officers_name(actor=None, election=election, people=[officer, world.outsider], threshold=2)
    html = tasks(client, officer)
    assert "Make your counting code: Election of chair, Board" in html
    assert url(world, "election_counting", election) in html
    code = ms.officer_code_make(actor=officer, election=election)
    other = ms.officer_code_make(actor=world.outsider, election=election)
    assert "Make your counting code" not in tasks(client, officer)
    a = stand(election, world.member, voters[0], voters[1])
    set_phase(election, "voting")
    ms.ballot_cast(voter=voters[0], election=election, choices=[a.pk])
    assert "Count the votes" not in tasks(client, officer)
    set_phase(election, "counting")
    ms.election_close(actor=None, election=election)
    assert "Count the votes: Election of chair, Board" in tasks(client, officer)
    ms.count_share_submit(actor=officer, election=election, code=code)
    assert "Count the votes" not in tasks(client, officer)
    ms.count_share_submit(actor=world.outsider, election=election, code=other)
    assert "Count the votes" not in tasks(client, world.outsider)


def test_officer_tasks_take_one_query_more_only_for_officers(client, world):
    def queries(person) -> int:
        client.force_login(person)
        client.get(TASKS)
        with CaptureQueriesContext(connection) as ctx:
            client.get(TASKS)
        return len(ctx.captured_queries)

    nobody = queries(world.outsider)
    elections = []
    for post in ("deputy_chair", "chair"):
        election = chair_election(world)
        Election.objects.filter(pk=election.pk).update(post=post)
        elections.append(election)
    # The helper's officers are new people; name the outsider in both.
    for election in elections:
        ElectionOfficer.objects.filter(election=election).delete()
        ms.officers_name(
            actor=None, election=election, people=[world.outsider, UserFactory()], threshold=2
        )
    one_more = queries(world.outsider)
    assert one_more == nobody + 1
    assert tasks(client, world.outsider).count("Make your counting code") == 2


def test_a_counting_code_appears_in_no_log_message_session_or_error_report(
    client,
    world,
    sealed,
    every_log,  # noqa: F811 - the fixture, imported
    settings,
    monkeypatch,
):
    """Making and entering a code, with every logger at DEBUG (SQL forced on), and a server
    error while counting: the code is in the officer's own responses only."""
    from django.core import mail

    from tests.membership.test_election_views import _mail_text

    election = chair_election(world)  # taking nominations: its officers make codes
    officer = officers_of(election)[0]
    client.force_login(officer.person)
    made = client.post(url(world, "election_counting", election), {"action": "make"})
    code = re.search(r'<span class="app-secret">([A-Z0-9-]+)</span>', made.content.decode())[1]
    assert code not in every_log.text()
    assert code not in str(dict(client.session.items()))

    settings.DEBUG = False
    settings.ADMINS = [("Operations", "ops@example.org")]

    def broken(**kwargs):
        raise RuntimeError("the count is broken")

    monkeypatch.setattr("membership.services.count_share_submit", broken)
    sealed_officer = officers_of(sealed)[0]
    client.force_login(sealed_officer.person)
    secret = CODES[sealed.pk][sealed_officer.person_id]
    client.raise_request_exception = False
    response = client.post(
        url(world, "election_counting", sealed), {"action": "count", "code": secret}
    )
    assert response.status_code == 500
    (report,) = [m for m in mail.outbox if "ops@example.org" in m.to]
    assert "the count is broken" in _mail_text(report)
    assert secret not in _mail_text(report)
    assert crypto_officers.normalise_code(secret) not in _mail_text(report)
    assert secret not in every_log.text()
    assert crypto_officers.normalise_code(secret) not in every_log.text()


def test_closing_an_election_whose_voting_never_started_says_it_is_void(client, world, nominating):
    voters = add_voters(world, 2)
    stand(nominating, world.member, voters[0], voters[1])
    ms.officers_name(actor=None, election=nominating, people=voters, threshold=2)
    set_phase(nominating, "counting")
    client.force_login(world.coordinator)
    response = client.post(url(world, "election_close", nominating), follow=True)
    html = text(response)
    assert "Voting has closed. Voting never started: fewer than 2 counting officers" in html
    nominating.refresh_from_db()
    assert nominating.status == "void"
    assert "Run the election again" in html
