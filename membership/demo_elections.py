"""The demo's elections, one at each stage, built through the election services so the rules
and the secret ballot hold:

- the Delivery Board's deputy chair, taking nominations: the deputy chair stands again
  (proposed, seconded, accepted); the demo member, Daniel Okafor, has been proposed and
  seconded and can accept or decline; a third proposal waits for a seconder;
- the deputy chair of Economic Development and Enterprise, with voting open: three of its six
  electors have voted, and Daniel can vote now;
- the deputy chair of Healthier Communities and Older People, voting closed on the last weekday
  and the ballots sealed: seven of eight electors voted and the election waits for two counting
  officers to enter their codes;
- the deputy chair of Safer and Stronger Communities, closed two weeks ago and counted by two
  officers, its result declared: eight of nine electors voted, the deputy chair was re-elected.

Every election has the same three counting officers, any two of whom count: the partnership's
governance lead, Helen Aldridge, and its two co-ordinators, Priya Shah and Owen Pritchard (none
of them a candidate). They made their counting codes before voting opened; in the election
taking nominations Helen has still to make hers, for someone trying the demo to make. A real
site never stores a code: the demo writes the ones still of use to ``demo-counting-codes.txt``
in the var directory (``write_codes``), headed DEMO ONLY, so the demo's officers can count.

Every date is relative to the day the demo is loaded, on a weekday. The services check each
step against the clock, so an election whose nominations or voting lie in the past has its
dates moved while that step is taken (as the tests' ``set_phase`` does), then set to its real
dates. Who voted how is not written anywhere, not even here: each election's choices are
shuffled and dealt to its voters at random.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from membership import services
from membership.crypto import officers as codes
from membership.models import (
    Appointment,
    AppointmentRole,
    Candidate,
    Election,
    ElectionStatus,
    Post,
    TieRule,
    User,
)
from partnership.models import Body, Partnership

_random = secrets.SystemRandom()
ABSTAIN = ""

# The counting officers of every demo election, besides the governance lead: the partnership's
# two co-ordinators. Any two of the three count.
CO_ORDINATORS = ("coordinator@mercia-vale.example", "tg.coordinator@mercia-vale.example")
THRESHOLD = 2
CODES_FILE = "demo-counting-codes.txt"
SITE = "http://127.0.0.1:8000"

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
    "Janet Oduya": (
        "I have been deputy chair since the group began and lead our work on falls "
        "prevention and hospital discharge. I would like another term to see the new "
        "discharge-to-assess service settled in."
    ),
    "Kevin O'Neill": (
        "I work with the voluntary groups that run lunch clubs, befriending and transport for "
        "older people. As deputy chair I would make sure their work is planned with the NHS "
        "and the council, not around them."
    ),
    "Hassan Ali": (
        "I co-ordinate the Street Pastors and spend my Friday nights in the town centre. I "
        "would bring the voluntary sector's view of what works on the street, and make sure "
        "residents hear what this group achieves."
    ),
}


@dataclass
class Loaded:
    """The elections loaded this time, by stage (nominations, voting, sealed, closed), and the
    counting codes made for them: election id -> officer's e-mail -> code."""

    elections: dict[str, Election] = field(default_factory=dict)
    codes: dict[int, dict[str, str]] = field(default_factory=dict)


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
        # Voting closed on the last weekday before today: the count waits for the officers.
        "sealed": _windows(
            _weekday(today - timedelta(days=24)),
            _weekday(today - timedelta(days=14)),
            _weekday(today - timedelta(days=8)),
            _weekday(today - timedelta(days=1)),
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


def _officers(
    election: Election, coordinator: User, officers: list[User], *, making: list[User]
) -> dict[str, str]:
    """Name ``officers`` the counting officers, any two of whom count, and have those in
    ``making`` make their counting codes (before voting opens, as the services require).
    Returns the codes made, by the officer's e-mail."""
    services.officers_name(
        actor=coordinator, election=election, people=officers, threshold=THRESHOLD
    )
    return {
        person.email: services.officer_code_make(actor=person, election=election)
        for person in making
    }


def _count(election: Election, made: dict[str, str], emails: list[str]) -> Election:
    """The officers with these e-mails count, each entering their code."""
    for email in emails:
        election = services.count_share_submit(
            actor=User.objects.get(email=email), election=election, code=made[email]
        )
    return election


def _vote_until(
    election: Election, windows: dict, voters: list[User], choices: list[Candidate | str]
) -> Election:
    """Vote from the election's real opening (so the electorate is the group's voting
    members on that day, and the key is dealt then) to a close still to come; then let the
    window end at its real time, and close and seal the election as the every-minute job
    does (no acting person), as soon as voting ended."""
    election = _move(
        election,
        nominations_close_at=windows["nominations_close_at"],
        voting_opens_at=windows["voting_opens_at"],
        voting_closes_at=timezone.now() + timedelta(hours=1),
    )
    _vote(election, voters, choices)
    election = _move(election, voting_closes_at=windows["voting_closes_at"])
    election = services.election_close(actor=None, election=election)
    return _move(election, closed_at=windows["voting_closes_at"] + timedelta(minutes=1))


def _already(body: Body) -> bool:
    return Election.objects.filter(body=body, post=Post.DEPUTY_CHAIR).exists()


def _dated(election: Election, *, made_at: datetime, counted_at: datetime | None = None) -> None:
    """Date the officers' codes (made before voting opened) and counts as they would be."""
    officers = election.officers.filter(code_made_at__isnull=False)
    officers.update(code_made_at=made_at)
    if counted_at is not None:
        for n, officer in enumerate(officers.filter(counted_at__isnull=False).order_by("index")):
            officer.counted_at = counted_at + timedelta(minutes=17 * n)
            officer.save(update_fields=["counted_at"])


@transaction.atomic
def load_elections(*, partnership: Partnership) -> Loaded:
    """Load each of the four demo elections that its body does not already have; running it
    again changes nothing."""
    dates = demo_windows(timezone.localdate())
    bodies = {b.name: b for b in Body.objects.filter(partnership=partnership)}
    people = {
        u.full_name: u
        for u in User.objects.filter(memberships__body__partnership=partnership).distinct()
    }
    coordinator = User.objects.get(email="coordinator@mercia-vale.example")
    # The officers: the governance lead and the two co-ordinators, none of them a candidate.
    lead = (
        Appointment.objects.current()
        .filter(partnership=partnership, role=AppointmentRole.GOVERNANCE_LEAD)
        .select_related("person")
        .earliest("starts_on")
        .person
    )
    officers = [lead, *(User.objects.get(email=email) for email in CO_ORDINATORS)]
    loaded = Loaded()

    # 1. Taking nominations: the Delivery Board's deputy chair. Two officers have made their
    # codes; the governance lead has still to make hers.
    delivery = bodies["Delivery Board"]
    if not _already(delivery):
        windows = dates["nominations"]
        election = _open_election(coordinator, delivery, windows, TieRule.REBALLOT)
        _propose(election, people, "Ruth Adeyemi", "Martin Ashworth", seconder="Andrew Penhaligon",
                 accept=True)  # fmt: skip
        _propose(election, people, "Daniel Okafor", "Moira Chapman", seconder="Philip Cartwright")
        _propose(election, people, "Stuart Ingham", "Mark Delaney")
        loaded.codes[election.pk] = _officers(election, coordinator, officers, making=officers[1:])
        loaded.elections["nominations"] = election

    # 2. Voting open: the deputy chair of Economic Development and Enterprise. The officers
    # made their codes during nominations; the key was dealt to them when voting opened.
    economy = bodies["Economic Development and Enterprise"]
    if not _already(economy):
        windows = dates["voting"]
        election = _nominations_now(_open_election(coordinator, economy, windows, TieRule.LOT))
        philip = _propose(election, people, "Philip Cartwright", "Nadia Rahman",
                          seconder="Marcus Webb", accept=True)  # fmt: skip
        emma = _propose(election, people, "Emma Lockwood", "Sarah Whitcombe",
                        seconder="Daniel Okafor", accept=True)  # fmt: skip
        loaded.codes[election.pk] = _officers(election, coordinator, officers, making=officers)
        election = _move(election, **{k: v for k, v in windows.items() if k.endswith("_at")})
        voters = [people[name] for name in ("Nadia Rahman", "Sarah Whitcombe", "Marcus Webb")]
        _vote(election, voters, [philip, philip, emma])
        _dated(election, made_at=windows["nominations_close_at"])
        loaded.elections["voting"] = election

    # 3. Sealed, waiting for the count: the deputy chair of Healthier Communities and Older
    # People. Nobody knows the result until two officers enter their codes.
    health = bodies["Healthier Communities and Older People"]
    if not _already(health):
        windows = dates["sealed"]
        election = _nominations_now(_open_election(coordinator, health, windows, TieRule.LOT))
        janet = _propose(election, people, "Janet Oduya", "Simon Hale", seconder="Moira Chapman",
                         accept=True)  # fmt: skip
        kevin = _propose(election, people, "Kevin O'Neill", "Brian Ellery",
                         seconder="Amir Haddad", accept=True)  # fmt: skip
        loaded.codes[election.pk] = _officers(election, coordinator, officers, making=officers)
        voters = [
            people[name]
            for name in (
                "Amir Haddad",
                "Bethan Morgan",
                "Brian Ellery",
                "Janet Oduya",
                "Kevin O'Neill",
                "Moira Chapman",
                "Simon Hale",
            )
        ]  # Raj Mistry did not vote.
        election = _vote_until(election, windows, voters, [janet] * 4 + [kevin] * 2 + [ABSTAIN])
        _dated(election, made_at=windows["nominations_close_at"])
        loaded.elections["sealed"] = election

    # 4. Closed, counted, result declared: the deputy chair of Safer and Stronger Communities.
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
        made = _officers(election, coordinator, officers, making=officers)
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
        election = _vote_until(election, windows, voters, [rachel] * 5 + [hassan] * 2 + [ABSTAIN])
        # Counted the next morning by the governance lead and the group's co-ordinator. Their
        # codes are of no more use (every wrapped share is emptied), so none is kept.
        election = _count(election, made, [lead.email, CO_ORDINATORS[1]])
        _dated(
            election,
            made_at=windows["nominations_close_at"],
            counted_at=windows["voting_closes_at"] + timedelta(hours=16, minutes=30),
        )
        loaded.elections["closed"] = election
    return loaded


# --- the demo's counting codes, written down (never on a real site) ---------------------------

HEADER = """\
DEMO ONLY. NEVER DO THIS WITH A REAL ELECTION.

The counting codes of the demo's counting officers. A real site never stores a counting
code: each officer is shown theirs once, when they make it, downloads or copies it, and
keeps it themselves; the site keeps only a public key derived from it. The demo writes its
officers' codes here so that you can sign in as an officer and count.

Sign in as an officer (the demo sign-ins are printed by make run; the second factor's code
by manage.py demo_code <e-mail>), open the election's counting page below and enter the
code. Any two of the three officers complete the count, and the result is declared.

This file is rewritten whenever load_demo_elections runs: a code no longer of use (made
again, or its election counted) is dropped.
"""
_ELECTION = re.compile(r"\(election (\d+)\)")
_CODE = re.compile(
    r"^\s+(\S+@\S+)\s.*?\b([2-9A-HJ-NP-Z]{4}(?:-[2-9A-HJ-NP-Z]{4}){4}-[2-9A-HJ-NP-Z]{6})\s*$"
)
_STATES = {
    "nominations": "taking nominations: codes are made until voting opens",
    "between": "nominations closed: codes are made until voting opens",
    "voting": "voting open: counted once voting closes",
    "counting": "voting has ended: closed within a minute, then counted",
    ElectionStatus.SEALED: "voting closed, sealed: waiting for the count",
}


def codes_path() -> Path:
    """Where the demo's counting codes are written: the var directory (PARTNERSHIP_VAR_DIR)."""
    return Path(settings.VAR_DIR) / CODES_FILE


def read_codes(path: Path) -> dict[int, dict[str, str]]:
    """The codes a codes file holds: election id -> officer's e-mail -> code."""
    found: dict[int, dict[str, str]] = {}
    election = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if heading := _ELECTION.search(line):
            election = found.setdefault(int(heading.group(1)), {})
        elif election is not None and (code := _CODE.match(line)):
            election[code.group(1)] = code.group(2)
    return found


def _counting_url(election: Election) -> str:
    return SITE + reverse(
        "membership:election_counting",
        kwargs={
            "partnership": election.body.partnership.slug,
            "body": election.body.slug,
            "pk": election.pk,
        },
    )


def write_codes(*, partnership: Partnership, made: dict[int, dict[str, str]]) -> Path | None:
    """Write the demo's counting codes still of use, those just ``made`` and those the file
    already holds, each checked against the officer's code key (so a code made again, or from
    another database, is dropped), to ``codes_path()``, readable by its owner only. Returns
    the path, or None when there is nothing to write and no file."""
    path = codes_path()
    known = read_codes(path) if path.exists() else {}
    for pk, by_email in made.items():
        known.setdefault(pk, {}).update(by_email)
    sections = []
    elections = (
        Election.objects.filter(
            body__partnership=partnership,
            pk__in=list(known),
            status__in=(ElectionStatus.OPEN, ElectionStatus.SEALED),
        )
        .select_related("body__partnership")
        .order_by("pk")
    )
    for election in elections:
        lines = []
        for officer in election.officers.select_related("person").order_by("index"):
            code = known[election.pk].get(officer.person.email)
            # Of use: not yet counted with, and either voting has not opened (the key is not
            # dealt) or the officer holds a share.
            usable = officer.partials is None and (
                election.public_key is None or officer.wrapped_share is not None
            )
            if not (code and usable and officer.code_key is not None):
                continue
            key = codes.code_key(code, election=str(election.pk), index=officer.index).encode()
            if key == bytes(officer.code_key):
                lines.append((officer.person.email, officer.person.full_name, code))
        if not lines:
            continue
        email_width = max(len(e) for e, _, _ in lines)
        name_width = max(len(n) for _, n, _ in lines)
        sections.append(
            "\n".join(
                [
                    f"{election} (election {election.pk})",
                    f"  {_STATES.get(election.phase(), election.phase())}",
                    f"  {_counting_url(election)}",
                    *(f"  {e.ljust(email_width)}  {n.ljust(name_width)}  {c}" for e, n, c in lines),
                ]
            )
        )
    if not sections and not path.exists():
        return None
    text = HEADER + "\n" + ("\n\n".join(sections) or "No counting code is of use now.") + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written whole or not at all, readable by its owner only.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".demo-codes-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
