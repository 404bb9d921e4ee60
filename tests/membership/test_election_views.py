import json
import logging
import re
import sys
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.views.debug import ExceptionReporter

from membership import services as ms
from membership.models import Ballot, Candidate, Election, Elector, Participation
from membership.services import elections as svc
from membership.services.elections import elections_close_due, elections_send_reminders
from membership.tasks import run_elections
from partnership.models import Notice
from tests.membership.elections_helpers import (
    add_voters,
    chair_election,
    close,
    count,
    set_phase,
    stand,
)

# The marker candidate can be recognised by name, by statement and by key: a choice of them
# shows up as the key, in the POST ("choices=987654321") and in the ballot ("[987654321]").
MARKER = "Zebedee Markerfield"
MARKER_STATEMENT = "Quillwort and xylophones for every ward"
MARKER_PK = 987_654_321


@pytest.fixture
def contest(world):
    voters = add_voters(world, 4)
    marker = voters[2]
    marker.full_name = MARKER
    marker.save()
    election = chair_election(world)
    a = stand(election, world.member, voters[0], voters[1])
    b = stand(election, marker, voters[0], voters[3], statement=MARKER_STATEMENT)
    # Nothing refers to a candidate by a foreign key, so its key can be made unmistakable.
    Candidate.objects.filter(pk=b.pk).update(id=MARKER_PK)
    b = Candidate.objects.get(pk=MARKER_PK)
    mail.outbox.clear()  # the counting officers were told they were named
    return voters, set_phase(election, "voting"), a, b


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)

    def text(self) -> str:
        """Everything a log line could carry: message, arguments, extras and traceback."""
        formatter = logging.Formatter()
        out = []
        for r in self.records:
            out += [r.getMessage(), repr(vars(r))]
            if r.exc_info:
                out.append(formatter.formatException(r.exc_info))
        return "\n".join(out)


# Loggers whose level settings.LOGGING pins for secrecy: SQL (the statements that cast a
# vote) and the template engine's DEBUG lines (each dumps the whole context of a page, and the
# vote's pages hold the choice and the receipt).
PINNED = ("django.db.backends", "django.template")


@pytest.fixture
def every_log(caplog):
    """Every record from every logger, at DEBUG: each logger is turned up to DEBUG except the
    PINNED ones, whose configured levels are the rule under test. The debug cursor is forced
    on, so if the SQL pin went, the INSERT of the ballot would land in the log."""
    known = logging.root.manager.loggerDict
    names = [
        name
        for name in [*known, ""]
        if not name.startswith(PINNED) and not isinstance(known.get(name), logging.PlaceHolder)
    ]
    for name in names:
        caplog.set_level(logging.DEBUG, logger=name or None)
    handler = _Records()
    # Loggers that do not propagate are out of caplog's sight: listen to them directly.
    loggers = {logging.getLogger(), *(logging.getLogger(name) for name in PINNED)}
    loggers |= {logging.getLogger(n) for n in names if n and not logging.getLogger(n).propagate}
    for logger in loggers:
        logger.addHandler(handler)
    forced = connection.force_debug_cursor
    connection.force_debug_cursor = True
    yield handler
    connection.force_debug_cursor = forced
    for logger in loggers:
        logger.removeHandler(handler)


def _mail_text(message) -> str:
    parts = [message.subject, message.body, " ".join(message.to)]
    parts += [content for content, _ in getattr(message, "alternatives", [])]
    return "\n".join(parts)


def _traces(*texts: str) -> list[str]:
    """The marks a choice of the marker candidate could leave, found in any of ``texts``."""
    marks = [MARKER, MARKER_STATEMENT, str(MARKER_PK), f"[{MARKER_PK}]"]
    return [mark for mark in marks for text in texts if mark in text]


def groups(receipt: str) -> list[str]:
    return [receipt[i : i + 8] for i in range(0, len(receipt), 8)]


def _text(html: str) -> str:
    """The page's text, tags dropped and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


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
    receipt = Ballot.objects.get().fingerprint
    # Shown in groups of 8, with where to find it after the count.
    assert cast.status_code == 200 and " ".join(groups(receipt)) in _text(html)
    assert "bulletin board" in html and "no-store" in cast["Cache-Control"]
    # The choice and the receipt are nowhere but in that one response.
    assert MARKER not in caplog.text and receipt not in caplog.text
    assert str(b.pk) not in client.session.values()
    assert not [m for m in mail.outbox if MARKER in m.body or receipt in m.body]
    after = client.get(url(world, "membership:election_detail", election)).content.decode()
    assert groups(receipt)[0] not in after and "You have voted" in after
    # A second ballot is refused.
    again = client.post(ballot_url, {"step": "confirm", "choices": [a.pk]}, follow=True)
    assert "already voted" in again.content.decode()
    assert Ballot.objects.count() == 1


def test_a_marker_choice_appears_in_no_log_mail_notice_message_or_session(
    client, world, contest, every_log
):
    voters, election, a, b = contest
    notices_before = set(Notice.objects.values_list("pk", flat=True))
    mail.outbox.clear()
    logging.getLogger("membership.services.elections").debug("probe")  # the net catches
    client.force_login(voters[0])
    ballot_url = url(world, "membership:ballot", election)
    review = client.post(ballot_url, {"step": "review", "vote": str(MARKER_PK)})
    assert MARKER in review.content.decode()  # the voter's own screen shows their choice
    cast = client.post(ballot_url, {"step": "confirm", "choices": [str(MARKER_PK)]})
    assert cast.status_code == 200
    ballot = Ballot.objects.get(election=election)
    receipt = ballot.fingerprint

    # Logs (every logger at DEBUG, SQL included were it logged) while the vote was made.
    logged = every_log.text()
    assert "probe" in logged
    assert _traces(logged) == [] and receipt not in logged
    # The election page afterwards lists the candidates (its template's DEBUG lines may too),
    # but neither the choice nor the receipt.
    after = client.get(url(world, "membership:election_detail", election))
    assert "You have voted" in after.content.decode()
    logged = every_log.text()
    assert f"[{MARKER_PK}]" not in logged and receipt not in logged
    # E-mail.
    for message in mail.outbox:
        assert _traces(_mail_text(message)) == [] and receipt not in _mail_text(message)
    # Notices kept for people in the app: none new, and none that names the choice.
    assert set(Notice.objects.values_list("pk", flat=True)) == notices_before
    for n in Notice.objects.all():
        assert _traces(n.subject, n.key, n.url) == []
    # Flash messages, as queued by the vote and as read by the next page.
    shown = [str(m) for r in (review, cast, after) for m in get_messages(r.wsgi_request)]
    assert _traces(*shown) == [] and not [m for m in shown if receipt in m]
    # The session, every key and value.
    session = json.dumps(dict(client.session.items()), default=str)
    assert _traces(session) == [] and receipt not in session
    assert not [v for v in client.cookies.values() if receipt in v.value]
    # The marker really was the choice: the count says so.
    close(election)
    assert Candidate.objects.get(pk=MARKER_PK).votes == 1


def _broken_store(**kwargs):
    raise RuntimeError("the ballot store is broken")


def test_an_error_while_casting_hides_the_choice_from_the_error_report(
    client, world, contest, every_log, settings, monkeypatch
):
    """A server error mid-vote e-mails the admins (Django's AdminEmailHandler on the
    ``django`` logger) a report that hides the POST (sensitive_post_parameters) and every
    variable of the vote view and the casting service (sensitive_variables)."""
    voters, election, a, b = contest
    settings.DEBUG = False
    settings.ADMINS = [("Operations", "ops@example.org")]
    # Fails inside the real casting service, after it has been given the choice.
    monkeypatch.setattr(svc, "ballot_store", _broken_store)
    mail.outbox.clear()
    client.force_login(voters[0])
    client.raise_request_exception = False
    response = client.post(
        url(world, "membership:ballot", election),
        {"step": "confirm", "choices": [str(MARKER_PK)], "vote": str(MARKER_PK)},
    )
    assert response.status_code == 500
    assert not Ballot.objects.exists() and not Participation.objects.exists()  # rolled back

    # The e-mail the admins get.
    (report,) = [m for m in mail.outbox if "ops@example.org" in m.to]
    text = _mail_text(report)
    assert "RuntimeError" in text and "the ballot store is broken" in text
    assert "choices = '********************'" in text
    assert "vote = '********************'" in text
    assert _traces(text) == []
    # The same report with the frames' variables, as an HTML error e-mail would carry them.
    (record,) = [r for r in every_log.records if r.name == "django.request" and r.exc_info]
    html = ExceptionReporter(record.request, *record.exc_info, is_email=True).get_traceback_html()
    assert "ballot_cast" in html and "_broken_store" in html  # the frames are there
    assert _traces(html) == []
    assert _traces(every_log.text()) == []


def test_the_casting_service_hides_its_variables_from_error_reports(
    world, contest, settings, monkeypatch
):
    """The service hides its own variables, whoever calls it (a job, a shell), not only
    when the vote view's decorators cover it."""
    voters, election, a, b = contest
    settings.DEBUG = False
    monkeypatch.setattr(svc, "ballot_store", _broken_store)
    choices = [MARKER_PK]
    try:
        ms.ballot_cast(voter=voters[0], election=election, choices=choices)
    except RuntimeError:
        exc_type, exc, tb = sys.exc_info()
    del choices
    # The report from the service's frame down (this test's own frame holds the candidates).
    html = ExceptionReporter(None, exc_type, exc, tb.tb_next).get_traceback_html()
    assert "ballot_cast" in html and "_broken_store" in html
    assert _traces(html) == []


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
    # Sealed: nothing is counted until the officers enter their codes.
    assert "Votes for each candidate" not in page
    assert "The votes will be counted when 2 counting officers have entered" in page
    count(election)
    page = client.get(url(world, "membership:election_detail", election)).content.decode()
    assert "Votes for each candidate" in page and "Elected by the most votes." in page


def test_a_voter_checks_their_receipt_after_the_close(client, world, contest):
    voters, election, a, b = contest
    receipt = ms.ballot_cast(voter=voters[0], election=election, choices=[a.pk])
    close(election, actor=None)
    detail = url(world, "membership:election_detail", election)
    # Typed in its groups of 8, in capitals: the same fingerprint.
    page = client.post(detail, {"receipt": " ".join(groups(receipt.upper()))})
    text = _text(page.content.decode())
    assert f"A ballot with the fingerprint {' '.join(groups(receipt))} was counted." in text
    assert "no-store" in page["Cache-Control"]
    assert "/board/" in page.content.decode()  # the bulletin board, once counted
    page = client.post(detail, {"receipt": "0" * 64})
    assert "No ballot with the fingerprint" in page.content.decode()
    page = client.post(detail, {"receipt": "NOPE"}).content.decode()
    assert 'id="id_receipt-error"' in page and "must be 64 letters and digits" in page


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


def test_no_reminder_before_48_hours_before_voting_closes(world, contest):
    voters, election, a, b = contest
    ms.ballot_cast(voter=voters[0], election=election, choices=[a.pk])  # fixes the electorate
    Election.objects.filter(pk=election.pk).update(
        voting_closes_at=timezone.now() + timedelta(hours=49)
    )
    assert elections_send_reminders() == 0
    run_elections.apply()
    assert mail.outbox == []
    assert not Elector.objects.filter(election=election, reminded=True).exists()
    # An hour later (47 hours to go) they go, once each.
    Election.objects.filter(pk=election.pk).update(
        voting_closes_at=timezone.now() + timedelta(hours=47)
    )
    assert elections_send_reminders() == 5
    assert elections_send_reminders() == 0
    run_elections.apply()
    assert len(mail.outbox) == 5


def test_reminders_go_once_to_those_who_have_not_voted(world, contest):
    voters, election, a, b = contest
    ms.ballot_cast(voter=voters[0], election=election, choices=[a.pk])
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
    assert election.status == "sealed" and election.turnout == 1
    assert count(election).status == "closed"


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
    voters, election, a, b = contest
    Election.objects.filter(pk=election.pk).update(
        voting_closes_at=timezone.now() + timedelta(hours=1)
    )
    ms.electorate_fix(election=election)
    real = svc.notify_once

    def flaky(*, to, **kwargs):
        if to == voters[0]:
            raise OSError("mailbox unavailable")
        return real(to=to, **kwargs)

    monkeypatch.setattr(svc, "notify_once", flaky)
    assert elections_send_reminders() == 5
    monkeypatch.setattr(svc, "notify_once", real)
    assert elections_send_reminders() == 1  # the failed one, retried
    assert len(mail.outbox) == 6


def test_a_reminder_is_in_messages_and_election_emails_can_be_turned_off(world, contest):
    """Each reminder is a notice in the elector's Messages. An elector who turned election
    e-mails off still finds it there; a digest choice (elections offer none now: it could come
    after voting closed) is sent straight away."""
    from partnership.models import Delivery, NotificationPreference

    voters, election, a, b = contest
    NotificationPreference.objects.create(
        person=voters[0], category="elections", delivery=Delivery.OFF
    )
    NotificationPreference.objects.create(
        person=voters[1], category="elections", delivery=Delivery.DIGEST
    )
    ms.electorate_fix(election=election)
    Election.objects.filter(pk=election.pk).update(
        voting_closes_at=timezone.now() + timedelta(hours=47)
    )
    assert elections_send_reminders() == 6
    assert elections_send_reminders() == 0
    notices = Notice.objects.filter(key__startswith=f"election-reminder:{election.pk}:")
    assert notices.count() == 6
    off = notices.get(recipient=voters[0])
    assert off.category == "elections" and off.emailed_at is None and not off.digest_pending
    assert off.subject.startswith("Reminder: vote in the election of")
    assert off.url == reverse(
        "membership:ballot",
        kwargs={"partnership": world.partnership.slug, "body": world.board.slug, "pk": election.pk},
    )
    held = notices.get(recipient=voters[1])
    assert held.emailed_at is not None and not held.digest_pending
    assert len(mail.outbox) == 5 and voters[0].email not in {m.to[0] for m in mail.outbox}
