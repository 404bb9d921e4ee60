"""Builds the benchmark's partnership, makes the signed-in sessions and lists the pages.

Runs inside Django (``python -m benchmarks.bench build``, with the benchmark's settings and
the scratch database in DATABASE_URL). The shape comes from the project's services: bodies,
seats, organisations, appointments, meetings and their agendas, elections, the agreement,
rulings, risks, key partnerships and commissioning agreements are made by the services, as
people would make them. The thousands of rows (people, memberships, declarations, gifts) are
written with ``bulk_create_with_history``, as the services would have written them (an audit
row each), and then everyone's rights are derived by ``membership.rights.rights_sync``, the
writer ``manage.py sync_permissions`` uses.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from itertools import cycle

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from benchmarks.bench.sizes import Sizes
from governance import services as gs
from governance.models import Declaration, Gift, Meeting
from membership import services as ms
from membership.middleware import VERIFIED
from membership.models import Membership, Role, User
from membership.rights import rights_sync
from partnership import services as ps
from partnership.context import SESSION_KEY as NAV_KEY
from partnership.context import partnerships_of
from partnership.models import Partnership
from partnership.pdf import render_pdf
from partnership.sessions import SEEN_AT, SIGNED_IN_AT
from performance import services as perf
from performance.services.agreements import agreement_create
from performance.services.partnerships import (
    key_partnership_create,
    key_partnership_settings_save,
)

BIG = "assembly"  # the slug of the 420-member body


def build_partnership(*, n: int, sizes: Sizes, today: date) -> None:
    """Partnership number ``n`` (slug ``bench-<n>``), with everyone's rights derived."""
    rng = random.Random(n)
    start = today - timedelta(days=400)
    p = Partnership.objects.create(name=f"Bench Partnership {n}", slug=f"bench-{n}", area="Bench")
    mail = f"p{n}.bench.example"
    hashed = make_password("bench-password-never-used")

    coordinator = User.objects.create(
        email=f"coordinator@{mail}", full_name="Bench Co-ordinator", password=hashed
    )
    lead = User.objects.create(email=f"lead@{mail}", full_name="Bench Lead", password=hashed)
    ms.appointment_create(actor=None, person=coordinator, partnership=p, starts_on=start)
    ms.appointment_create(
        actor=None, person=lead, partnership=p, role="governance_lead", starts_on=start
    )

    sectors = cycle(["public", "private", "voluntary"])
    orgs = [
        ps.organisation_create(
            actor=None, partnership=p, name=f"Organisation {i:03}", sector=next(sectors)
        )
        for i in range(sizes.organisations)
    ]
    big = ps.body_create(actor=None, partnership=p, name="Assembly", kind="partnership_board")
    kinds = cycle(["thematic_group", "forum", "delivery_board"])
    bodies = [big]
    for i in range(sizes.bodies - 1):
        parent = big if i < 20 or len(bodies) < 2 else bodies[1 + i % 20]
        bodies.append(
            ps.body_create(
                actor=None, partnership=p, name=f"Group {i:02}", kind=next(kinds), parent=parent
            )
        )

    # People, and their memberships: the big body first, the rest shared among the others.
    people = bulk_create_with_history(
        [
            User(email=f"person{i:05}@{mail}", full_name=f"Person {i:05}", password=hashed)
            for i in range(sizes.people)
        ],
        User,
    )
    seated = min(sizes.people, sizes.big_body + (sizes.bodies - 1) * 20)
    others = max(1, (seated - sizes.big_body) // max(1, sizes.bodies - 1))
    memberships = []
    for body_index, body in enumerate(bodies):
        if body_index == 0:
            members = people[: min(sizes.big_body, sizes.people)]
        else:
            first = sizes.big_body + (body_index - 1) * others
            members = people[first : first + others] or people[:3]
        seat = ms.seat_create(
            actor=None, body=body, name="Members", count=len(members), voting=True
        )
        for i, person in enumerate(members):
            role = Role.CHAIR if i == 0 else Role.DEPUTY_CHAIR if i == 2 else Role.MEMBER
            memberships.append(
                Membership(
                    body=body,
                    seat=seat,
                    person=person,
                    role=role,
                    organisation=orgs[i % len(orgs)],
                    starts_on=start,
                )
            )
    bulk_create_with_history(memberships, Membership, default_change_reason="Appointed")
    for person in [*people, coordinator, lead]:
        rights_sync(user=person)
    chair, member = people[0], people[1]

    # Register entries: four in five are declarations, spread over the seated people (the
    # assembly's first), the rest gifts; at 10× everyone has ten times as many.
    members_of = {m.person_id: m for m in memberships}
    seated_people = [person for person in people if person.pk in members_of]
    wanted = round(sizes.entries * 0.8)
    declarations = [
        Declaration(
            partnership=p,
            person=seated_people[i % len(seated_people)],
            kind=rng.choice(["financial", "business", "personal", "organisational"]),
            holder="self",
            organisation=orgs[rng.randrange(len(orgs))],
            description="Director of a partner organisation.",
            starts_on=start + timedelta(days=rng.randrange(300)),
        )
        for i in range(wanted)
    ]
    declarations = bulk_create_with_history(
        declarations, Declaration, default_change_reason="Declared"
    )
    gifts = [
        Gift(
            partnership=p,
            person=person,
            body=members_of[person.pk].body,
            kind=rng.choice(["gift", "hospitality"]),
            donor="A supplier",
            description="Lunch after a site visit",
            value=Decimal(rng.randrange(20, 200)),
            offered_on=start + timedelta(days=rng.randrange(360)),
            decision="accepted",
        )
        for person in (
            seated_people[i % len(seated_people)] for i in range(sizes.entries - len(declarations))
        )
    ]
    bulk_create_with_history(gifts, Gift, default_change_reason="Declared")
    big_declarations = [d for d in declarations if members_of[d.person_id].body_id == big.pk]
    for d in big_declarations[3 : 3 + max(2, len(big_declarations) // 10)]:
        if d.person_id == chair.pk:
            continue  # the deputy rules on the chair's own (a larger size draws one)
        gs.ruling_make(actor=chair, declaration=d, body=big, outcome="noted", reason="Noted.")

    # Meetings: the big body's monthly, half past and half to come, with 20-item agendas.
    for i in range(sizes.meetings):
        body = big if i < sizes.big_meetings else bodies[1 + i % (len(bodies) - 1)]
        offset = (i - sizes.big_meetings // 2) * 30 if body is big else rng.randrange(-700, 120)
        meeting = gs.meeting_create(
            actor=coordinator,
            body=body,
            held_on=today + timedelta(days=offset + 1),
            start_time=time(10, 0),
            venue="Council Chamber",
        )
        for j in range(sizes.items if body is big else 2):
            gs.item_add(
                actor=coordinator,
                meeting=meeting,
                title=f"Item {j + 1}: report from a partner",
                presenter="The chair",
                organisations=[orgs[(j * 7 + i) % len(orgs)]],
            )
        gs.meeting_publish(actor=coordinator, meeting=meeting)

    # Elections on the big body: one taking nominations, one voting.
    now = timezone.now()
    for post, days in (("deputy_chair", 0), ("chair", -10)):
        ms.election_create(
            actor=coordinator,
            body=big,
            post=post,
            nominations_open_at=now + timedelta(days=days - 1),
            nominations_close_at=now + timedelta(days=days + 7),
            voting_opens_at=now + timedelta(days=days + 8),
            voting_closes_at=now + timedelta(days=days + 15),
            term_starts_on=(now + timedelta(days=days + 20)).date(),
            tie_rule="lot",
        )

    # The agreement, agreed by the big body and issued.
    pdf = render_pdf(
        template="membership/pdf/agreement.html",
        context={"partnership": p, "label": "2026", "sections": [("1. Purpose", "To agree.")]},
    )
    version = ms.agreement_version_upload(
        actor=lead, partnership=p, label="2026", what_changed="The first version.",
        upload=("agreement-2026.pdf", pdf),
    )  # fmt: skip
    ms.agreement_record_approval(
        actor=lead, version=version, body=big, agreed_on=today - timedelta(days=21)
    )
    ms.agreement_issue(actor=lead, version=version)
    ms.agreement_sign(actor=member, version=version)

    # Risks across the bodies' registers.
    categories = perf.risk_categories(p)
    first_member = {}
    for m in memberships:
        first_member.setdefault(m.body_id, m)
    for i in range(sizes.risks):
        body = bodies[i % len(bodies)]
        owner = first_member[body.pk]
        likelihood, impact = rng.randint(3, 5), rng.randint(3, 5)
        perf.risk_create(
            actor=coordinator,
            body=body,
            code=f"R{i + 1:03}",
            title=f"Risk {i + 1}: partners cannot deliver",
            description="A partner withdraws its funding.",
            category=categories[i % len(categories)],
            owner=owner.person,
            owner_organisation=owner.organisation,
            inherent_likelihood=likelihood,
            inherent_impact=impact,
            residual_likelihood=likelihood - 1,
            residual_impact=impact - 1,
            target_likelihood=likelihood - 2,
            target_impact=impact - 2,
        )

    # Officers among the assembly's first 40 members (the measured member among them), as a
    # real register spreads its lead officers and supervisors.
    officers = people[1 : min(41, sizes.big_body, sizes.people)] or [member]
    _registers(
        p=p, sizes=sizes, today=today, lead=lead, officers=officers, bodies=bodies, orgs=orgs
    )


def _registers(*, p, sizes: Sizes, today: date, lead, officers, bodies, orgs) -> None:
    """The register of key partnerships (published), reviews falling due across the years, and
    the assembly's commissioning agreements, each measured by an indicator its supervisor
    leads."""
    for i in range(sizes.key_partnerships):
        extra = i % 2 == 1
        key_partnership_create(
            actor=lead,
            partnership=p,
            name=f"Key partnership {i + 1:03}",
            lead_organisation=orgs[i % len(orgs)],
            lead_service="Contracts and Commissioning",
            lead_officer=officers[i % len(officers)],
            remit="To deliver a service the partnership relies on, and improve it.",
            bodies=[bodies[i % len(bodies)]],
            partner_organisations=[orgs[(i + 1) % len(orgs)], orgs[(i + 2) % len(orgs)]],
            meets_key_criteria=True,
            key_criteria=["financial", "reliance"],
            monitoring_arrangements="Quarterly partnership board meetings with the provider.",
            additional_monitoring=extra,
            additional_monitoring_reason="A new contract." if extra else "",
            annual_value=Decimal(10000 + i * 250),
            next_review_on=today + timedelta(days=i * 5 - 60),
        )
    # Published, as the public's page is measured too.
    key_partnership_settings_save(actor=lead, partnership=p, review_years=3, publish_register=True)
    big = bodies[0]
    texts = dict.fromkeys(
        (
            "purpose", "partnership_obligations", "provider_obligations",
            "service_specification", "target_user_group", "sustainability_plan",
            "risk_assessment", "potential_savings", "equality_statement",
            "community_engagement", "monitoring_arrangements", "default_terms",
            "arbitration_terms",
        ),
        "As the agreement's schedule sets out.",
    )  # fmt: skip
    for i in range(sizes.agreements):
        indicator = perf.indicator_create(
            actor=None, partnership=p, body=big, code=f"SLA{i + 1:03}",
            title=f"People the service {i + 1} reached", unit="number", polarity="higher",
            lead=officers[i % len(officers)],
        )  # fmt: skip
        agreement_create(
            actor=lead,
            body=big,
            reference=f"SLA-{i + 1:03}",
            title=f"Commissioned service {i + 1}",
            provider=orgs[i % len(orgs)],
            supervisor=officers[i % len(officers)],
            provider_representative="Provider Manager, service manager",
            provider_representative_email=f"provider{i}@bench.example",
            starts_on=today - timedelta(days=200),
            ends_on=today + timedelta(days=30 + i * 10),
            total_cost=Decimal("15000.00"),
            cost_lines=[
                {"description": "Staff", "amount": Decimal("12000.00")},
                {"description": "Running costs", "amount": Decimal("3000.00")},
            ],
            targets=[{"description": "Reach people", "indicator": indicator}],
            review_dates=[today - timedelta(days=20), today + timedelta(days=20)],
            **texts,
        )


def build(*, sizes: Sizes, partnerships: int) -> None:
    User.objects.create_superuser(email="admin@bench.example", password=None, full_name="Admin")
    today = timezone.localdate()
    for n in range(1, partnerships + 1):
        with transaction.atomic():
            build_partnership(n=n, sizes=sizes, today=today)
    if connection.vendor == "postgresql":
        # Statistics for the planner, as autovacuum would gather them in a while: measured
        # straight after a bulk build, the plans would otherwise be for empty tables.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def session_for(user: User) -> str:
    """A session as signing in and giving the second factor leave it."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[SIGNED_IN_AT] = session[SEEN_AT] = timezone.now().timestamp()
    session[VERIFIED] = user.pk
    session[NAV_KEY] = partnerships_of(user)
    session.create()
    return session.session_key


@dataclass
class Page:
    name: str
    role: str  # public, member, coordinator, admin
    kind: str  # reference, list or detail
    url: str


def pages() -> tuple[list[Page], dict[str, str]]:
    """Every page measured, with a fresh session for each signed-in role."""
    p = Partnership.objects.get(slug="bench-1")
    big = p.bodies.get(slug=BIG)
    member = User.objects.get(email="person00001@p1.bench.example")
    coordinator = User.objects.get(email="coordinator@p1.bench.example")
    admin = User.objects.get(email="admin@bench.example")
    upcoming = (
        Meeting.objects.filter(body=big, held_on__gte=timezone.localdate())
        .order_by("held_on")
        .first()
    )
    election = big.elections.order_by("pk").first()
    somebody = (
        Membership.objects.filter(body=big, role=Role.MEMBER).exclude(person=member).order_by("pk")
    ).first()
    slug = {"partnership": p.slug}
    body = {**slug, "body": big.slug}
    everyone = ["public", "member", "coordinator"]
    main = [
        ("structure", "list", "membership:structure", slug, everyone),
        ("body", "detail", "membership:body", body, everyone),
        ("organisations", "list", "partnership:organisation_list", slug, everyone),
        ("meetings", "list", "governance:meeting_list", slug, everyone),
        ("meeting", "detail", "governance:meeting", {**slug, "pk": upcoming.pk}, everyone),
        ("interests register", "list", "governance:body_interests", body, everyone),
        ("gifts register", "list", "governance:body_gifts", body, everyone),
        (
            "membership",
            "detail",
            "membership:membership_detail",
            {**body, "pk": somebody.pk},
            ["coordinator"],
        ),
        ("elections", "list", "membership:election_list", body, everyone),
        ("election", "detail", "membership:election_detail", {**body, "pk": election.pk}, everyone),
        ("agreement", "detail", "membership:agreement", slug, everyone),
        ("performance dashboard", "list", "performance:dashboard", slug, everyone),
        ("risks register", "list", "performance:risk_list", slug, ["member", "coordinator"]),
        ("key partnerships", "list", "performance:key_partnership_list", slug, everyone),
        ("agreements", "list", "performance:agreement_list", slug, ["member", "coordinator"]),
        ("account tasks", "list", "account:tasks", {}, ["member", "coordinator"]),
    ]
    found = [
        Page("F0", "public", "reference", reverse("bench_f0", kwargs=slug)),
        Page("L0", "member", "reference", reverse("bench_l0", kwargs=body)),
        Page(
            "admin",
            "admin",
            "reference",
            f"{reverse('admin:membership_membership_changelist')}?body__id__exact={big.pk}",
        ),
    ]
    for name, kind, url_name, kwargs, roles in main:
        url = reverse(url_name, kwargs=kwargs)
        found += [Page(name, role, kind, url) for role in roles]
    sessions = {
        "member": session_for(member),
        "coordinator": session_for(coordinator),
        "admin": session_for(admin),
    }
    return found, sessions


def page_dicts(found: list[Page]) -> list[dict]:
    return [asdict(page) for page in found]
