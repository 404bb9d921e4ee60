"""Reads of the registers, and the one place that decides who sees what of them.

- A member sees and changes only their own entries (every version, every ruling).
- A body's register holds the entries of the people who sit on it, and the interests that
  concern the body itself. Its chair and deputy, its co-ordinators and the governance lead
  see the whole of it; the chair and deputy rule on it.
- The public sees a body's registers only as the partnership publishes them, and never an
  entry withheld as sensitive: it sees that an entry was withheld, and the stated reason.
- Exports (CSV and PDF for a date range) are for co-ordinators and the governance lead.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import (
    Exists,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from governance.models import (
    AgendaItem,
    Declaration,
    Gift,
    InterestKind,
    Meeting,
    RegisterConfirmation,
    RegisterSettings,
    Ruling,
    RulingStatus,
)
from membership.models import Appointment, AppointmentRole, Membership, User
from partnership import permissions as perms
from partnership.models import Body, Partnership
from partnership.periods import financial_year


@dataclass(frozen=True)
class RegisterAccess:
    rule: bool = False  # the chair or deputy chair: rules on declarations
    manage: bool = False  # a co-ordinator of the body
    lead: bool = False  # the partnership's governance lead

    @property
    def full(self) -> bool:
        """Sees every entry, withheld ones included."""
        return self.rule or self.manage or self.lead

    @property
    def export(self) -> bool:
        return self.manage or self.lead


def register_access(user, body: Body) -> RegisterAccess:
    return RegisterAccess(
        rule=perms.can_chair_body(user, body),
        manage=perms.can_manage_body(user, body),
        lead=perms.can_lead_governance(user, body.partnership),
    )


def register_settings(*, partnership: Partnership) -> RegisterSettings:
    """The partnership's settings, or the defaults (unsaved) if it never changed them."""
    found = RegisterSettings.objects.filter(partnership=partnership).first()
    return found or RegisterSettings(partnership=partnership)


def governance_leads(*, partnership: Partnership) -> list[User]:
    return [
        a.person
        for a in Appointment.objects.current()
        .filter(partnership=partnership, role=AppointmentRole.GOVERNANCE_LEAD)
        .select_related("person")
    ]


def register_bodies(*, declaration: Declaration, on: date | None = None) -> list[Body]:
    """The bodies whose register holds the declaration: those its declarant sits on, and the
    body it concerns."""
    ids = set(
        Membership.objects.current(on=on)
        .filter(person_id=declaration.person_id, body__partnership_id=declaration.partnership_id)
        .values_list("body_id", flat=True)
    )
    if declaration.body_id:
        ids.add(declaration.body_id)
    return list(Body.objects.filter(pk__in=ids).select_related("partnership").order_by("name"))


def declaration_access(user, declaration: Declaration) -> RegisterAccess | None:
    """What ``user`` may do with a declaration: None if they may not see it at all. The
    declarant sees their own (an empty access: nothing more than that)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if perms.can_lead_governance(user, declaration.partnership):
        return RegisterAccess(lead=True)
    rule = manage = False
    for body in register_bodies(declaration=declaration):
        rule = rule or perms.can_chair_body(user, body)
        manage = manage or perms.can_manage_body(user, body)
    if rule or manage:
        return RegisterAccess(rule=rule, manage=manage)
    if declaration.person_id == user.pk:
        return RegisterAccess()
    return None


RULING_FIELDS = (
    "id",
    "outcome",
    "restrictions",
    "status",
    "settled_outcome",
    "settled_restrictions",
    "reason",
)


def standing_rulings(
    declarations: list[tuple[int, int]], *, body_id: int
) -> dict[int, tuple[Ruling | None, bool]]:
    """For each (declaration, person) given: the body's ruling standing on it and whether it
    was made on an earlier version (see ``attach_standing_rulings``). One query."""
    if not declarations:
        return {}
    versions = (
        Declaration.objects.filter(person_id__in={person for _, person in declarations})
        .annotate(here=FilteredRelation("rulings", condition=Q(rulings__body_id=body_id)))
        .values_list("id", "supersedes_id", *(f"here__{f}" for f in RULING_FIELDS))
        .order_by()
    )
    # The rulings are built from the joined columns only (RULING_FIELDS): enough for the
    # register, the flags and the export. Who ruled and when are not loaded: read them from
    # the declaration's own page, which loads whole rulings.
    # A Ruling is made only for a ruling that stands on a declaration asked about: most of
    # the versions read are other interests of the same people.
    earlier, ruled = {}, {}
    for pk, supersedes, *ruling in versions:
        earlier[pk] = supersedes
        if ruling[0] is not None:
            ruled[pk] = ruling
    made: dict[int, Ruling] = {}

    def ruling_on(pk: int) -> Ruling:
        if pk not in made:
            fields = dict(zip(RULING_FIELDS, ruled[pk], strict=True))
            made[pk] = Ruling(declaration_id=pk, body_id=body_id, **fields)
        return made[pk]

    found = {}
    for pk, _ in declarations:
        version, seen, is_earlier = pk, set(), False
        while version is not None and version not in ruled and version not in seen:
            seen.add(version)
            version, is_earlier = earlier.get(version), True
        if version is None or version in seen:
            found[pk] = (None, False)
        else:
            found[pk] = (ruling_on(version), is_earlier)
    return found


def attach_standing_rulings(declarations: list[Declaration], *, body_id: int) -> None:
    """Set ``standing_ruling`` on each declaration: the body's ruling on it or, while a change
    of circumstances awaits a ruling, the ruling on the nearest earlier version, so updating
    an interest never quietly lifts a restriction (``ruling_is_earlier`` says which).

    One query, however many declarations: every version of the declarants' interests, each
    with the body's ruling on it joined (a ruling carries what a register shows of it)."""
    standing = standing_rulings([(d.pk, d.person_id) for d in declarations], body_id=body_id)
    for d in declarations:
        d.standing_ruling, d.ruling_is_earlier = standing[d.pk]


@dataclass
class Register:
    entries: list
    withheld: list[str] = field(default_factory=list)  # the stated reasons, for the public
    published: bool = True
    threshold: object = None


FAR_FUTURE = date(9999, 12, 31)


def _sat_while_held(body: Body, start: date, end: date) -> Q:
    """The declarant sat on the body on some day in [start, end] while the version was in
    force: someone's interests from before they joined or after they left are not the body's
    business. Intervals on a line share a day if each pair of them does: the membership and
    the range here, the version and the range in ``held_between``, and the membership and the
    version below (the version is in force until it ends or a newer one starts)."""
    # When the newer version began, read by a subquery on the (unique) link to it rather
    # than a join of the declaration to its newer version, which the planner misjudges.
    newer = Declaration.objects.filter(supersedes_id=OuterRef(OuterRef("pk")))
    replaced_on = Subquery(newer.order_by().values("starts_on")[:1])
    until = [
        Coalesce(OuterRef("ended_on"), Value(FAR_FUTURE)),
        Coalesce(replaced_on, Value(FAR_FUTURE)),
    ]
    in_range = Membership.objects.filter(body=body, starts_on__lte=end).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gt=start)
    )
    sat = Exists(
        in_range.filter(person_id=OuterRef("person_id"))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=OuterRef("starts_on")))
        .filter(starts_on__lt=until[0])
        .filter(starts_on__lt=until[1])
    )
    # First the cheap test, one hashed list of who sat in the range, so the exact one runs
    # only on their entries: at 10x (15,672 entries, 420 members) 280 ms became 20.
    return Q(person_id__in=in_range.values("person_id")) & Q(sat)


def _public(entries: list, access: RegisterAccess, published: bool, **extra) -> Register:
    if access.full:
        return Register(entries=entries, published=published, **extra)
    if not published:
        return Register(entries=[], published=False, **extra)
    shown = [e for e in entries if not e.withheld_reason]
    withheld = [e.withheld_reason for e in entries if e.withheld_reason]
    return Register(entries=shown, withheld=withheld, **extra)


def body_interests(
    *,
    body: Body,
    access: RegisterAccess,
    start: date | None = None,
    end: date | None = None,
) -> Register:
    """The body's register of interests: in force today, or held at some time in a range.
    Each entry carries the body's ruling standing on it (see attach_standing_rulings), in a
    fixed number of queries however many entries there are."""
    today = timezone.localdate()
    start, end = start or today, end or today
    qs = (
        Declaration.objects.held_between(start=start, end=end)
        .filter(partnership_id=body.partnership_id)
        .filter(Q(body=body) | _sat_while_held(body, start, end))
        .select_related("person", "organisation", "body", "superseded_by")
        .order_by("person__full_name", "starts_on", "pk")
    )
    entries = list(qs)
    attach_standing_rulings(entries, body_id=body.pk)
    settings = register_settings(partnership=body.partnership)
    return _public(entries, access, settings.publish_interests)


def body_gifts(
    *,
    body: Body,
    access: RegisterAccess,
    start: date | None = None,
    end: date | None = None,
) -> Register:
    """The body's gifts and hospitality register, newest first; over-threshold entries are
    marked (``over_threshold``) for the chair."""
    qs = Gift.objects.filter(body=body).select_related("person")
    if start:
        qs = qs.filter(offered_on__gte=start)
    if end:
        qs = qs.filter(offered_on__lte=end)
    settings = register_settings(partnership=body.partnership)
    entries = list(qs.order_by("-offered_on", "-pk"))
    for gift in entries:
        gift.over_threshold = gift.value > settings.gift_threshold
    return _public(entries, access, settings.publish_gifts, threshold=settings.gift_threshold)


@dataclass
class PersonRegister:
    declarations: list[Declaration]  # every version, newest first
    gifts: list[Gift]
    confirmation: RegisterConfirmation | None
    year: int
    bodies: list[Body]  # where they sit: where gifts may be declared


def person_register(*, person: User, partnership: Partnership) -> PersonRegister:
    today = timezone.localdate()
    year = financial_year(today)
    declarations = list(
        Declaration.objects.filter(person=person, partnership=partnership)
        .select_related("organisation", "body", "superseded_by", "partnership")
        .prefetch_related(Prefetch("rulings", queryset=Ruling.objects.select_related("body")))
        .order_by("-starts_on", "-pk")
    )
    gifts = list(Gift.objects.filter(person=person, partnership=partnership).select_related("body"))
    confirmation = RegisterConfirmation.objects.filter(
        person=person, partnership=partnership, year=year
    ).first()
    bodies = list(
        Body.objects.filter(
            pk__in=Membership.objects.current(on=today)
            .filter(person=person, body__partnership=partnership)
            .values("body_id")
        ).order_by("name")
    )
    return PersonRegister(declarations, gifts, confirmation, year, bodies)


GIFT_LATE_DAYS = 365


def gift_bodies(*, person: User, partnership: Partnership) -> QuerySet[Body]:
    """The bodies a gift can be declared for: those the person sits on, or sat on in the last
    year (a gift is declared for the role it was offered in, even if declared late)."""
    today = timezone.localdate()
    sat = (
        Membership.objects.filter(person=person, body__partnership=partnership)
        .filter(starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=today - timedelta(days=GIFT_LATE_DAYS)))
    )
    return Body.objects.filter(pk__in=sat.values("body_id")).order_by("name")


def declarations_awaiting_ruling(
    *, body_ids: set[int], person: User | None = None, on: date | None = None
) -> list[tuple[Declaration, Body]]:
    """The declarations in force that each of the bodies must rule on and has not: the
    interests of those who sit on it and the interests concerning it (``register_bodies``,
    asked for many bodies at once), with no ruling of that body on that version. A changed
    interest awaits a ruling of its own, even while the earlier version's ruling stands.
    ``person`` (the chair asking) never rules on their own interests, so those are left out.

    Four queries however many bodies and declarations: the bodies, who sits on them, the
    candidate declarations, and the rulings already made on them."""
    if not body_ids:
        return []
    day = on or timezone.localdate()
    bodies = {b.pk: b for b in Body.objects.filter(pk__in=body_ids).select_related("partnership")}
    sitting: dict[int, set[int]] = {}
    for person_id, body_id in (
        Membership.objects.current(on=day)
        .filter(body_id__in=bodies)
        .values_list("person_id", "body_id")
    ):
        sitting.setdefault(person_id, set()).add(body_id)
    candidates = (
        Declaration.objects.live(on=day)
        .filter(Q(person_id__in=sitting) | Q(body_id__in=bodies))
        .select_related("person", "partnership", "organisation", "body")
        .order_by("declared_at", "pk")
    )
    if person is not None:
        candidates = candidates.exclude(person=person)
    candidates = list(candidates)
    ruled = set(
        Ruling.objects.filter(
            declaration__in=[d.pk for d in candidates], body_id__in=bodies
        ).values_list("declaration_id", "body_id")
    )
    awaiting = []
    for d in candidates:
        register_of = set(sitting.get(d.person_id, ()))
        if d.body_id in bodies:
            register_of.add(d.body_id)
        for body_id in sorted(register_of, key=lambda pk: bodies[pk].name):
            body = bodies[body_id]
            if body.partnership_id == d.partnership_id and (d.pk, body_id) not in ruled:
                awaiting.append((d, body))
    return awaiting


def disputed_rulings(*, partnership: Partnership) -> list[Ruling]:
    return list(
        Ruling.objects.filter(
            declaration__partnership=partnership, status=RulingStatus.DISPUTED
        ).select_related("declaration__person", "declaration__partnership", "body", "ruled_by")
    )


def flag_text(kind: str, concerns: str, ruling: Ruling | None, ruling_is_earlier: bool) -> str:
    """What the meeting's page says after the member's name: "personal interest in Vale NHS
    Trust (ruling: noted: may take part)". Written here rather than in the template, which
    spent as long on a large agenda's flags as on the rest of the page."""
    text = f"{InterestKind(kind).label.lower()} interest in {concerns}"
    if ruling is None:
        return f"{text} (awaiting a ruling)"
    earlier = " on the earlier version, until the change is ruled on" * ruling_is_earlier
    outcome = ruling.get_final_outcome_display().lower()
    restrictions = f", {ruling.final_restrictions}" if ruling.final_restrictions else ""
    return f"{text} (ruling{earlier}: {outcome}{restrictions})"


@dataclass(frozen=True)
class InterestFlag:
    person: User
    declaration: Declaration
    ruling: Ruling | None  # the body's ruling standing on it
    ruling_is_earlier: bool = False  # made on an earlier version: the change awaits a ruling

    @property
    def text(self) -> str:
        d = self.declaration
        return flag_text(d.kind, d.concerns, self.ruling, self.ruling_is_earlier)


# What each item names: organisations' ids, bodies' ids and project lines (lower case).
Named = tuple[set[int], set[int], set[str]]


def _named_by(items: list[AgendaItem]) -> list[Named]:
    """What each item names, from the link tables alone (the organisations' and bodies' own
    rows are not needed to match), both in one query."""
    item_ids = [item.pk for item in items]
    links = AgendaItem.organisations.through.objects.filter(agendaitem_id__in=item_ids)
    about = AgendaItem.bodies.through.objects.filter(agendaitem_id__in=item_ids)
    named_organisations: dict[int, set[int]] = {}
    named_bodies: dict[int, set[int]] = {}
    rows = links.values_list("agendaitem_id", "organisation_id", Value(None, IntegerField()))
    rows = rows.union(
        about.values_list("agendaitem_id", Value(None, IntegerField()), "body_id"), all=True
    )
    for item_id, organisation_id, body_id in rows:
        if organisation_id is not None:
            named_organisations.setdefault(item_id, set()).add(organisation_id)
        else:
            named_bodies.setdefault(item_id, set()).add(body_id)
    return [
        (
            named_organisations.get(item.pk, set()),
            named_bodies.get(item.pk, set()),
            {line.strip().lower() for line in item.projects.splitlines() if line.strip()},
        )
        for item in items
    ]


def _concerned(*, meeting: Meeting, named: list[Named]) -> QuerySet[Declaration] | None:
    """The register entries, in force on the day, of members sitting that day, that concern
    something the agenda names (ordered by member), or None when it names nothing. The
    database picks them; the exact rule (``_matches``) is applied again on those few."""
    organisations = set().union(*(n[0] for n in named))
    bodies = set().union(*(n[1] for n in named))
    projects = set().union(*(n[2] for n in named))
    if not (organisations or bodies or projects):
        return None  # nothing named: the register need not be read at all
    sitting = (
        Membership.objects.current(on=meeting.held_on)
        .filter(body_id=meeting.body_id)
        .values("person_id")
    )
    concerned = Q(organisation_id__in=organisations) | Q(body_id__in=bodies)
    if projects:
        # Lower() is the database's: the same as str.lower() for the letters of project
        # names, and the exact rule is applied again in _matches.
        concerned |= Q(project_lower__in=projects)
    return (
        Declaration.objects.live(on=meeting.held_on)
        .filter(person_id__in=sitting, partnership_id=meeting.body.partnership_id)
        .alias(project_lower=Lower("project"))
        .filter(concerned)
        .order_by("person__full_name", "pk")
    )


def _matches(
    items: list[AgendaItem], named: list[Named], concerns: list[tuple[int | None, int | None, str]]
) -> list[tuple[AgendaItem, list[int]]]:
    """For each item with any, the places (in ``concerns``' order) of the entries it concerns:
    an entry's organisation or body is one the item names, or its project is one of the
    item's project lines, in any case. Found from what each item names through an index of
    the entries, not by trying every entry for every item."""
    by_organisation, by_body, by_project = defaultdict(list), defaultdict(list), defaultdict(list)
    for n, (organisation_id, body_id, project) in enumerate(concerns):
        by_organisation[organisation_id].append(n)
        by_body[body_id].append(n)
        if project:
            by_project[project.lower()].append(n)
    found = []
    for item, (organisations, bodies, projects) in zip(items, named, strict=True):
        matched: set[int] = set()
        for wanted, index in ((organisations, by_organisation), (bodies, by_body)):
            for key in wanted:
                matched.update(index.get(key, ()))
        for line in projects:
            matched.update(by_project.get(line, ()))
        if matched:
            found.append((item, sorted(matched)))
    return found


def interest_flags(
    *, meeting: Meeting, items: list[AgendaItem] | None = None
) -> dict[AgendaItem, list[InterestFlag]]:
    """Members of the body with an interest in the register, in force on the day of the
    meeting, in an organisation, body or project an agenda item names (a project matches a
    line of the item's projects, whole, in any case and padding), each with the whole
    declaration and person (the reminders before a meeting write to them). In a fixed number
    of queries, however many items, members and register entries. ``items``, if given, are
    the meeting's items the caller already holds: only those are flagged, and they are not
    read again. The meeting's page lists them through ``interest_flag_lines``."""
    if items is None:
        items = list(meeting.items.all())
    named = _named_by(items)
    concerned = _concerned(meeting=meeting, named=named)
    if concerned is None:
        return {}
    declarations = list(concerned.select_related("person", "organisation", "body"))
    attach_standing_rulings(declarations, body_id=meeting.body_id)
    concerns = [(d.organisation_id, d.body_id, d.project) for d in declarations]
    return {
        item: [
            InterestFlag(d.person, d, d.standing_ruling, d.ruling_is_earlier)
            for d in (declarations[n] for n in matched)
        ]
        for item, matched in _matches(items, named, concerns)
    }


FLAGS_SHOWN = 10  # on the meeting's page, a line each for the first members of an item


@dataclass(frozen=True)
class ItemFlags:
    """An item's flags as the meeting's page lists them: the first ``FLAGS_SHOWN`` as
    (member's name, text), and how many in all."""

    shown: list[tuple[str, str]]
    count: int

    @property
    def more(self) -> int:
        return self.count - len(self.shown)


def interest_flag_lines(
    *, meeting: Meeting, items: list[AgendaItem], shown: int = FLAGS_SHOWN
) -> dict[AgendaItem, ItemFlags]:
    """``interest_flags`` for the meeting's page: the same flags in the same order, each
    item's first ``shown`` written out and the rest counted. Read as rows, not models, so
    the page's cost stays flat as the members' register entries grow (at ten times the
    entries, 692 flags on a 20-item agenda cost 87 ms as models)."""
    named = _named_by(items)
    concerned = _concerned(meeting=meeting, named=named)
    if concerned is None:
        return {}
    rows = list(
        concerned.values_list(
            "pk", "person_id", "person__full_name", "kind", "organisation_id",
            "organisation__name", "body_id", "body__name", "project",
        )
    )  # fmt: skip
    concerns = [(r[4], r[6], r[8]) for r in rows]
    picked = [
        (item, matched[:shown], len(matched)) for item, matched in _matches(items, named, concerns)
    ]
    # Rulings only for the lines written out: the rest are only counted.
    written = {n for _, first, _ in picked for n in first}
    standing = standing_rulings([rows[n][:2] for n in sorted(written)], body_id=meeting.body_id)
    found: dict[AgendaItem, ItemFlags] = {}
    for item, first, count in picked:
        lines = []
        for n in first:
            pk, _, name, kind, _, organisation, _, body, project = rows[n]
            concerns = "; ".join(x for x in (organisation, body, project) if x)
            lines.append((name, flag_text(kind, concerns, *standing[pk])))
        found[item] = ItemFlags(shown=lines, count=count)
    return found
