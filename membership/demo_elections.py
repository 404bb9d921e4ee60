"""The demo's elections, one at each stage, built through the election services so the rules
and the secret ballot hold:

- the Delivery Board's deputy chair, taking nominations: the deputy chair stands again
  (proposed, seconded, accepted); the demo member, Daniel Okafor, has been proposed and
  seconded and can accept or decline; a third proposal waits for a seconder;
- the deputy chair of Economic Development and Enterprise, with voting open: three of its six
  electors have voted, and Daniel can vote now;
- the deputy chair of Safer and Stronger Communities, closed two weeks ago with its result
  declared: eight of nine electors voted, the deputy chair was re-elected.

Every date is relative to the day the demo is loaded, on a weekday. The services check each
step against the clock, so an election whose nominations or voting lie in the past has its
dates moved while that step is taken (as the tests' ``set_phase`` does), then set to its real
dates. Who voted how is not written anywhere, not even here: each election's choices are
shuffled and dealt to its voters at random.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from membership import services
from membership.models import Candidate, Election, Post, TieRule, User
from partnership.models import Body, Partnership

_random = secrets.SystemRandom()
ABSTAIN = ""

# Statements are shown to voters beside each candidate's name.
STATEMENTS = {
    "Ruth Adeyemi": (
        "I have been deputy chair for two years and would like to see through the work we "
        "started on joint commissioning. I chair the Board whenever Martin cannot, and I "
        "bring the health service's view of where our money does most good."
    ),
    "Philip Cartwright": (
        "I have run a logistics business in Mercia Vale for twenty years and have been your "
        "deputy chair since the group began. I will keep the voice of employers at the table "
        "as we take the town centre plan forward."
    ),
    "Emma Lockwood": (
        "As chief executive of the Chamber I hear every week from firms that cannot find the "
        "skills they need. I would use the deputy chair's role to bring the college, "
        "Jobcentre Plus and employers together on a single skills plan."
    ),
    "Rachel Dunmore": (
        "Housing is where many of our community safety problems begin and end. As deputy "
        "chair I have led our work on tenancy sustainment and hate crime reporting, and I "
        "would like another term to finish it."
    ),
    "Hassan Ali": (
        "I co-ordinate the Street Pastors and spend my Friday nights in the town centre. I "
        "would bring the voluntary sector's view of what works on the street, and make sure "
        "residents hear what this group achieves."
    ),
}


@dataclass
class Loaded:
    """The elections loaded this time, by stage: nominations, voting, closed."""

    elections: dict[str, Election] = field(default_factory=dict)


def _weekday(day: date, *, forward: bool = False) -> date:
    """The day itself, or the nearest weekday before it (or after it, ``forward``)."""
    step = timedelta(days=1 if forward else -1)
    while day.weekday() >= 5:
        day += step
    return day


def _monday_after(day: date) -> date:
    return day + timedelta(days=7 - day.weekday())


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _windows(
    nominations_open: date, nominations_close: date, voting_open: date, voting_close: date
) -> dict:
    """Nominations open at 9:00 and close at 17:00; voting opens at 9:00 and closes at 17:00;
    the term starts the Monday after voting closes."""
    return {
        "nominations_open_at": _at(nominations_open, 9),
        "nominations_close_at": _at(nominations_close, 17),
        "voting_opens_at": _at(voting_open, 9),
        "voting_closes_at": _at(voting_close, 17),
        "term_starts_on": _monday_after(voting_close),
    }


def demo_windows(today: date) -> dict[str, dict]:
    """Each stage's dates, counted from the day the demo is loaded, all on weekdays."""
    close = _weekday(today + timedelta(days=11), forward=True)
    opens = _weekday(close + timedelta(days=3), forward=True)
    return {
        # Nominations opened a few days ago and close in about a week and a half.
        "nominations": _windows(
            _weekday(today - timedelta(days=3)),
            close,
            opens,
            _weekday(opens + timedelta(days=7), forward=True),
        ),
        # Voting opened a couple of days ago and closes in about a week.
        "voting": _windows(
            _weekday(today - timedelta(days=24)),
            _weekday(today - timedelta(days=10)),
            _weekday(today - timedelta(days=2)),
            _weekday(today + timedelta(days=7), forward=True),
        ),
        # Voting closed about two weeks ago.
        "closed": _windows(
            _weekday(today - timedelta(days=35)),
            _weekday(today - timedelta(days=25)),
            _weekday(today - timedelta(days=21)),
            _weekday(today - timedelta(days=14)),
        ),
    }


def _move(election: Election, **dates) -> Election:
    """Set an election's dates directly, to take a step the services only allow in that phase
    (the real dates may lie in the past). Dates stay in order: the database checks them."""
    Election.objects.filter(pk=election.pk).update(**dates)
    election.refresh_from_db()
    return election


def _nominations_now(election: Election) -> Election:
    now = timezone.now()
    return _move(
        election,
        nominations_close_at=now + timedelta(hours=1),
        voting_opens_at=now + timedelta(hours=2),
        voting_closes_at=now + timedelta(hours=3),
    )


def _open_election(coordinator: User, body: Body, windows: dict, tie_rule: str) -> Election:
    return services.election_create(
        actor=coordinator,
        body=body,
        post=Post.DEPUTY_CHAIR,
        tie_rule=tie_rule,
        **windows,
    )


def _propose(election: Election, people: dict[str, User], name: str, proposer: str, **steps):
    """Propose ``name``; then, if given, second (by ``seconder``) and answer (``accept``)."""
    candidate = services.candidate_propose(
        actor=people[proposer], election=election, person=people[name]
    )
    if "seconder" in steps:
        candidate = services.candidate_second(actor=people[steps["seconder"]], candidate=candidate)
    if "accept" in steps:
        candidate = services.candidate_respond(
            actor=people[name],
            candidate=candidate,
            accept=steps["accept"],
            statement=STATEMENTS.get(name, ""),
        )
    return candidate


def _vote(election: Election, voters: list[User], choices: list[Candidate | str]) -> None:
    """Each voter casts one ballot; which choice is whose is left to chance, and the receipts
    are thrown away (a voter is shown theirs once, in the page that casts it)."""
    dealt = list(choices)
    _random.shuffle(dealt)
    for voter, choice in zip(voters, dealt, strict=True):
        if choice == ABSTAIN:
            services.ballot_cast(voter=voter, election=election, choices=[], abstain=True)
        else:
            services.ballot_cast(voter=voter, election=election, choices=[choice.pk])


def _already(body: Body) -> bool:
    return Election.objects.filter(body=body, post=Post.DEPUTY_CHAIR).exists()


@transaction.atomic
def load_elections(*, partnership: Partnership) -> Loaded:
    """Load each of the three demo elections that its body does not already have; running it
    again changes nothing."""
    dates = demo_windows(timezone.localdate())
    bodies = {b.name: b for b in Body.objects.filter(partnership=partnership)}
    people = {
        u.full_name: u
        for u in User.objects.filter(memberships__body__partnership=partnership).distinct()
    }
    coordinator = User.objects.get(email="coordinator@mercia-vale.example")
    loaded = Loaded()

    # 1. Taking nominations: the Delivery Board's deputy chair.
    delivery = bodies["Delivery Board"]
    if not _already(delivery):
        windows = dates["nominations"]
        election = _open_election(coordinator, delivery, windows, TieRule.REBALLOT)
        _propose(election, people, "Ruth Adeyemi", "Martin Ashworth", seconder="Andrew Penhaligon",
                 accept=True)  # fmt: skip
        _propose(election, people, "Daniel Okafor", "Moira Chapman", seconder="Philip Cartwright")
        _propose(election, people, "Stuart Ingham", "Mark Delaney")
        loaded.elections["nominations"] = election

    # 2. Voting open: the deputy chair of Economic Development and Enterprise.
    economy = bodies["Economic Development and Enterprise"]
    if not _already(economy):
        windows = dates["voting"]
        election = _nominations_now(_open_election(coordinator, economy, windows, TieRule.LOT))
        philip = _propose(election, people, "Philip Cartwright", "Nadia Rahman",
                          seconder="Marcus Webb", accept=True)  # fmt: skip
        emma = _propose(election, people, "Emma Lockwood", "Sarah Whitcombe",
                        seconder="Daniel Okafor", accept=True)  # fmt: skip
        election = _move(election, **{k: v for k, v in windows.items() if k.endswith("_at")})
        voters = [people[name] for name in ("Nadia Rahman", "Sarah Whitcombe", "Marcus Webb")]
        _vote(election, voters, [philip, philip, emma])
        loaded.elections["voting"] = election

    # 3. Closed, result declared: the deputy chair of Safer and Stronger Communities.
    safer = bodies["Safer and Stronger Communities"]
    if not _already(safer):
        windows = dates["closed"]
        election = _nominations_now(_open_election(coordinator, safer, windows, TieRule.REBALLOT))
        rachel = _propose(election, people, "Rachel Dunmore", "Mark Delaney",
                          seconder="Kerry Walsh", accept=True)  # fmt: skip
        hassan = _propose(election, people, "Hassan Ali", "Tom Baxter",
                          seconder="Olivia Brennan", accept=True)  # fmt: skip
        _propose(election, people, "Joseph Tan", "Stuart Ingham", seconder="Bethan Morgan",
                 accept=False)  # fmt: skip
        # Voting, from its real opening (so the electorate is the group's voting members on
        # that day) to a close still to come; then the window ends and the election is closed.
        election = _move(
            election,
            nominations_close_at=windows["nominations_close_at"],
            voting_opens_at=windows["voting_opens_at"],
            voting_closes_at=timezone.now() + timedelta(hours=1),
        )
        voters = [
            people[name]
            for name in (
                "Mark Delaney",
                "Kerry Walsh",
                "Stuart Ingham",
                "Olivia Brennan",
                "Rachel Dunmore",
                "Tom Baxter",
                "Hassan Ali",
                "Bethan Morgan",
            )
        ]  # Joseph Tan did not vote.
        _vote(election, voters, [rachel] * 5 + [hassan] * 2 + [ABSTAIN])
        election = _move(election, voting_closes_at=windows["voting_closes_at"])
        # Closed by the every-minute job (no acting person), as soon as voting ended.
        election = services.election_close(actor=None, election=election)
        election = _move(election, closed_at=windows["voting_closes_at"] + timedelta(minutes=1))
        loaded.elections["closed"] = election
    return loaded
