"""Reads about who sits where. Each returns in a fixed number of queries however many rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from membership.models import (
    NON_VOTING_ROLES,
    AgreementSignature,
    AgreementVersion,
    Appointment,
    Candidate,
    Election,
    ElectionStatus,
    Membership,
    Seat,
    User,
)
from partnership.models import Body, Partnership, Sector


def body_memberships(*, body: Body, current: bool = True) -> QuerySet[Membership]:
    """Current members (or past and future ones) with everything a members table shows."""
    qs = Membership.objects.filter(body=body).select_related("person", "organisation", "seat")
    today = timezone.localdate()
    if current:
        return qs.current(on=today).order_by("role", "person__full_name")
    return qs.exclude(pk__in=qs.current(on=today).values("pk")).order_by(
        "-starts_on", "person__full_name"
    )


@dataclass
class SeatSummary:
    seat: Seat
    held: int

    @property
    def vacancies(self) -> int:
        return max(self.seat.count - self.held, 0)


def seat_summaries(*, body: Body, memberships: list[Membership]) -> list[SeatSummary]:
    """Each seat with how many places are held today, from memberships already loaded."""
    held: dict[int, int] = {}
    for m in memberships:
        held[m.seat_id] = held.get(m.seat_id, 0) + 1
    seats = Seat.objects.filter(body=body).select_related(
        "nominating_organisation", "nominating_body"
    )
    return [SeatSummary(seat=s, held=held.get(s.pk, 0)) for s in seats.order_by("name")]


def missing_sectors(*, memberships: list[Membership]) -> list[str]:
    """Sectors with no representative among the body's members (advisers, observers and
    co-ordinators do not count): each body should have public, private and voluntary ones."""
    present = {m.sector for m in memberships if m.role not in NON_VOTING_ROLES}
    return [label for value, label in Sector.choices if value not in present]


@dataclass
class BodyOverview:
    members: int = 0
    vacancies: int = 0
    missing_sectors: list[str] | None = None


def body_overview(*, partnership: Partnership) -> dict[int, BodyOverview]:
    """Members, vacancies and missing sectors of every body, in two queries."""
    today = timezone.localdate()
    overview: dict[int, BodyOverview] = {}
    held: dict[int, int] = {}
    present: dict[int, set[str]] = {}
    current = Membership.objects.current(on=today).filter(body__partnership=partnership)
    for body_id, seat_id, role, org_sector, seat_sector in current.values_list(
        "body_id", "seat_id", "role", "organisation__sector", "seat__sector"
    ):
        overview.setdefault(body_id, BodyOverview()).members += 1
        held[seat_id] = held.get(seat_id, 0) + 1
        if role not in NON_VOTING_ROLES:
            present.setdefault(body_id, set()).add(org_sector or seat_sector)
    for seat_id, body_id, count in Seat.objects.filter(body__partnership=partnership).values_list(
        "id", "body_id", "count"
    ):
        overview.setdefault(body_id, BodyOverview()).vacancies += max(
            count - held.get(seat_id, 0), 0
        )
    for body_id, entry in overview.items():
        entry.missing_sectors = [
            label for value, label in Sector.choices if value not in present.get(body_id, set())
        ]
    return overview


def person_memberships(*, person: User) -> list[Membership]:
    """A person's memberships, current first, across every partnership."""
    today = timezone.localdate()
    memberships = list(
        Membership.objects.filter(person=person)
        .select_related("body__partnership", "organisation", "seat")
        .order_by("-starts_on")
    )
    return sorted(memberships, key=lambda m: (not m.is_current(on=today), m.body.name))


def person_appointments(*, person: User) -> QuerySet[Appointment]:
    return Appointment.objects.filter(person=person).select_related(
        "partnership", "body__partnership"
    )


def partnership_appointments(*, partnership: Partnership) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(partnership=partnership)
        .select_related("person", "body")
        .order_by("ends_on", "person__full_name")
    )


def recent_elections(*, body: Body, limit: int = 5) -> list[Election]:
    """The body's latest elections (not cancelled), each with its elected candidates."""
    return list(
        Election.objects.filter(body=body)
        .exclude(status=ElectionStatus.CANCELLED)
        .select_related("seat")
        .prefetch_related(
            Prefetch(
                "candidates",
                queryset=Candidate.objects.filter(elected=True).select_related("person"),
                to_attr="winners",
            )
        )
        .order_by("-voting_closes_at")[:limit]
    )


def coordinators_by_body(*, bodies: Iterable[Body], on=None) -> dict[int, list[User]]:
    """The people who co-ordinate each body on a day, by body id: a co-ordinator appointment
    for the body, for a body above it, or for the whole partnership. They are the ones told
    and chased. Two queries however many bodies and partnerships."""
    on = on or timezone.localdate()
    bodies = list(bodies)
    partnership_ids = {b.partnership_id for b in bodies}
    parents = dict(
        Body.objects.filter(partnership_id__in=partnership_ids).values_list("id", "parent_id")
    )
    appointments = list(
        Appointment.objects.current(on=on)
        .filter(partnership_id__in=partnership_ids, role="coordinator")
        .select_related("person")
    )
    found: dict[int, list[User]] = {}
    for body in bodies:
        line, current = {body.pk}, parents.get(body.pk)
        while current is not None and current not in line:
            line.add(current)
            current = parents.get(current)
        people = {
            a.person_id: a.person
            for a in appointments
            if a.partnership_id == body.partnership_id and (a.body_id is None or a.body_id in line)
        }
        found[body.pk] = sorted(people.values(), key=lambda p: p.full_name)
    return found


def body_coordinators(*, body: Body, on=None) -> list[User]:
    """The people who co-ordinate this body today: a co-ordinator appointment for it, for a
    body above it, or for the whole partnership. They are the ones told and chased."""
    return coordinators_by_body(bodies=[body], on=on)[body.pk]


def office_holders_by_body(*, bodies: Iterable[Body], on=None) -> dict[int, dict[str, User]]:
    """Who is chair and deputy chair of each body on a day, by body id: {"chair": user, ...}
    (an empty dict for a body with neither). One query."""
    on = on or timezone.localdate()
    bodies = list(bodies)
    found: dict[int, dict[str, User]] = {b.pk: {} for b in bodies}
    for m in (
        Membership.objects.current(on=on)
        .filter(body__in=[b.pk for b in bodies], role__in=["chair", "deputy_chair"])
        .select_related("person")
    ):
        found[m.body_id][m.role] = m.person
    return found


def body_office_holders(*, body: Body, on=None) -> dict[str, User]:
    """Who is chair and deputy chair of the body on a day: {"chair": user, ...}."""
    return office_holders_by_body(bodies=[body], on=on)[body.pk]


# --- the partnership agreement ----------------------------------------------------------------


def agreement_current(*, partnership: Partnership) -> AgreementVersion | None:
    """The version issued most recently: the one members sign."""
    return (
        AgreementVersion.objects.filter(partnership=partnership, issued_at__isnull=False)
        .select_related("partnership", "agreed_by")
        .order_by("-issued_at", "-pk")
        .first()
    )


def partnership_members(*, partnership: Partnership, on: date | None = None) -> QuerySet[User]:
    """Everyone who sits on one of the partnership's bodies on ``on`` (today by default)."""
    sitting = (
        Membership.objects.current(on=on).filter(body__partnership=partnership).values("person_id")
    )
    return User.objects.filter(pk__in=sitting, is_active=True).order_by("full_name")


def agreement_signatories(
    *, partnership: Partnership, bodies: QuerySet[Body] | None = None
) -> QuerySet[User]:
    """Who signs the agreement: everyone with a current membership of one of the
    partnership's bodies or a current appointment in it. With ``bodies``, only the current
    members of those bodies (what a body's co-ordinator sees)."""
    today = timezone.localdate()
    members = Membership.objects.current(on=today).filter(body__partnership=partnership)
    if bodies is not None:
        who = Q(pk__in=members.filter(body__in=bodies).values("person_id"))
    else:
        officers = Appointment.objects.current(on=today).filter(partnership=partnership)
        who = Q(pk__in=members.values("person_id")) | Q(pk__in=officers.values("person_id"))
    return User.objects.filter(who, is_active=True).order_by("full_name", "pk")


def is_signatory(*, person: User, partnership: Partnership) -> bool:
    if not getattr(person, "is_authenticated", False):
        return False
    return agreement_signatories(partnership=partnership).filter(pk=person.pk).exists()


@dataclass
class SignatureRow:
    person: User
    bodies: list[str]
    latest: AgreementSignature | None  # the signature of the latest version they signed
    signed_current: bool


def agreement_signature_table(
    *,
    partnership: Partnership,
    current: AgreementVersion | None,
    bodies: QuerySet[Body] | None = None,
) -> list[SignatureRow]:
    """Each signatory (of ``bodies`` only, if given), the bodies they sit on, the latest
    version they signed and when, and whether they have signed ``current``. Three queries
    however many people and versions."""
    people = agreement_signatories(partnership=partnership, bodies=bodies)
    sitting: dict[int, list[str]] = {}
    seats = Membership.objects.current(on=timezone.localdate()).filter(
        body__partnership=partnership, person__in=people.values("pk")
    )
    if bodies is not None:
        seats = seats.filter(body__in=bodies)
    for person_id, body_name in seats.order_by("body__name").values_list("person_id", "body__name"):
        names = sitting.setdefault(person_id, [])
        if body_name not in names:
            names.append(body_name)
    latest: dict[int, AgreementSignature] = {}
    signatures = (
        AgreementSignature.objects.filter(
            version__partnership=partnership,
            version__issued_at__isnull=False,
            person__in=people.values("pk"),
        )
        .select_related("version")
        .order_by("person_id", "-version__issued_at", "-pk")
    )
    signed_current: set[int] = set()
    for signature in signatures:
        latest.setdefault(signature.person_id, signature)
        if current is not None and signature.version_id == current.pk:
            signed_current.add(signature.person_id)
    return [
        SignatureRow(
            person=person,
            bodies=sitting.get(person.pk, []),
            latest=latest.get(person.pk),
            signed_current=person.pk in signed_current,
        )
        for person in people
    ]


@dataclass
class PersonAgreement:
    version: AgreementVersion
    signed: bool


def person_agreements(*, person: User, places: PersonPlaces | None = None) -> list[PersonAgreement]:
    """The current agreement of each partnership the person is a signatory of, and whether
    they have signed it: for their account page and their tasks. One query, after the
    person's places (``person_places``: one more, unless the caller has them already)."""
    from django.db.models import Exists, OuterRef

    places = places if places is not None else person_places(person=person)
    ids = places.signatory_partnership_ids
    if not ids:
        return []
    current: dict[int, AgreementVersion] = {}
    for version in (
        AgreementVersion.objects.filter(partnership_id__in=ids, issued_at__isnull=False)
        .annotate(
            signed=Exists(AgreementSignature.objects.filter(person=person, version=OuterRef("pk")))
        )
        .select_related("partnership")
        .only("label", "issued_at", "partnership__name", "partnership__slug")
        .order_by("-issued_at", "-pk")
    ):
        current.setdefault(version.partnership_id, version)
    return [
        PersonAgreement(version=v, signed=v.signed)
        for v in sorted(current.values(), key=lambda v: v.partnership.name)
    ]


# --- what a person holds today (their tasks and their account page) ----------------------------


@dataclass(frozen=True)
class HeldSeat:
    """One of a person's current memberships, as few columns as their tasks need."""

    body_id: int
    partnership_id: int
    role: str
    voting: bool  # the seat votes (the role may still not: see ``has_vote``)

    @property
    def has_vote(self) -> bool:
        return self.voting and self.role not in NON_VOTING_ROLES


@dataclass(frozen=True)
class HeldAppointment:
    partnership_id: int
    body_id: int | None
    role: str


@dataclass(frozen=True)
class ElectionPart:
    """The person's part in an open election: "elector" (on its fixed electorate), "voted",
    or "candidate" (nominated and seconded, awaiting their answer: ``candidate_id``)."""

    election_id: int
    kind: str
    candidate_id: int = 0


@dataclass(frozen=True)
class PersonPlaces:
    """A person's current memberships and appointments on a day, and their part in the open
    elections: what their tasks ask about (the agreements they sign, the elections they vote
    in, the registers they confirm, the bodies they co-ordinate), read once for all of them."""

    seats: tuple[HeldSeat, ...]
    appointments: tuple[HeldAppointment, ...]
    elections: tuple[ElectionPart, ...] = ()

    @property
    def sitting_partnership_ids(self) -> set[int]:
        return {s.partnership_id for s in self.seats}

    @property
    def signatory_partnership_ids(self) -> set[int]:
        """Those whose agreement the person signs (``agreement_signatories``): a member of
        one of its bodies, or an officer of it."""
        return self.sitting_partnership_ids | {a.partnership_id for a in self.appointments}

    @property
    def voting_body_ids(self) -> set[int]:
        """The bodies where the person holds a vote (``Membership.has_vote``)."""
        return {s.body_id for s in self.seats if s.has_vote}


def person_places(*, person: User, on: date | None = None) -> PersonPlaces:
    """``person``'s current memberships and appointments on ``on`` (today by default), and
    their part in the open elections, in one query (five small ones, in a union)."""
    from django.db.models import BooleanField, CharField, F, IntegerField, Value

    from membership.models import CandidateStatus, Elector, Participation

    day = on or timezone.localdate()

    def rows(qs, kind: str, a, b=0, role="", flag=False):
        # Every column an expression, annotated in the same order in each part, so that the
        # parts' columns line up in the union whatever the ORM's ordering of them.
        def typed(value, field):
            return value if hasattr(value, "resolve_expression") else Value(value, field)

        return (
            qs.order_by()
            .annotate(
                k=Value(kind, CharField()),
                a=a,
                b=typed(b, IntegerField()),
                r=typed(role, CharField()),
                v=typed(flag, BooleanField()),
            )
            .values_list("k", "a", "b", "r", "v")
        )

    in_open = {"election__status": ElectionStatus.OPEN}
    parts = rows(
        Membership.objects.current(on=day).filter(person=person),
        "seat",
        F("body_id"),
        F("body__partnership_id"),
        F("role"),
        F("seat__voting"),
    ).union(
        rows(
            Appointment.objects.current(on=day).filter(person=person),
            "appointment",
            F("partnership_id"),
            F("body_id"),
            F("role"),
        ),
        rows(Elector.objects.filter(person=person, **in_open), "elector", F("election_id")),
        rows(Participation.objects.filter(voter=person, **in_open), "voted", F("election_id")),
        rows(
            Candidate.objects.filter(person=person, status=CandidateStatus.SECONDED, **in_open),
            "candidate",
            F("election_id"),
            F("pk"),
        ),
        all=True,
    )
    seats, appointments, elections = [], [], []
    for kind, a, b, role, flag in parts:
        if kind == "seat":
            seats.append(HeldSeat(body_id=a, partnership_id=b, role=role, voting=bool(flag)))
        elif kind == "appointment":
            appointments.append(HeldAppointment(partnership_id=a, body_id=b, role=role))
        else:
            elections.append(ElectionPart(election_id=a, kind=kind, candidate_id=b or 0))
    return PersonPlaces(
        seats=tuple(seats), appointments=tuple(appointments), elections=tuple(elections)
    )
