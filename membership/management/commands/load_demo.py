"""Load Mercia Vale, a fictional demo partnership: a Partnership Board, Delivery Board and four
thematic groups after the Warrington agreement's Appendix F, with Cheshire-style area
partnership boards. Everything goes through the services, so the rules hold and history is
recorded. Running it again changes nothing and only prints the demo sign-ins."""

from __future__ import annotations

from datetime import date
from itertools import count

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q

from membership.demo import demo_agreement_load
from membership.demo_second_factor import demo_second_factors_enrol, demo_totp_secret
from membership.models import AppointmentRole, Membership, User
from membership.services import (
    appointment_create,
    body_close,
    membership_create,
    membership_end,
    person_create,
    seat_create,
)
from partnership.models import BodyKind, Partnership, Sector
from partnership.services import body_create, organisation_create

SLUG, NAME, DOMAIN = "demo", "Mercia Vale Partnership", "mercia-vale.example"
PASSWORD = "demo-partnership-2026"  # noqa: S105 - the published password of fictional demo users
SITE = "http://127.0.0.1:8000"
PUBLIC, PRIVATE, VOLUNTARY = Sector.PUBLIC, Sector.PRIVATE, Sector.VOLUNTARY

# key: (name, sector, statutory partner)
ORGANISATIONS = {
    "council": ("Mercia Vale Borough Council", PUBLIC, True),
    "pct": ("Mercia Vale Primary Care Trust", PUBLIC, True),
    "hospitals": ("Mercia Vale Hospitals NHS Trust", PUBLIC, True),
    "police": ("Mercia Constabulary", PUBLIC, True),
    "fire": ("Mercia Fire and Rescue Service", PUBLIC, True),
    "jcp": ("Jobcentre Plus Mercia Vale", PUBLIC, True),
    "bizforum": ("Mercia Vale Business Forum", PRIVATE, False),
    "chamber": ("Mercia Vale Chamber of Commerce", PRIVATE, False),
    "cvs": ("Mercia Vale Council for Voluntary Service", VOLUNTARY, False),
    "hub": ("Community Network Hub", VOLUNTARY, False),
    "housing": ("Mercia Vale Housing Trust", VOLUNTARY, False),
    "gor": ("Government Office for the Region", PUBLIC, False),
    "probation": ("Mercia Probation Service", PUBLIC, True),
    "college": ("Mercia Vale College", PUBLIC, False),
    "parishes": ("Mercia Vale Association of Parish Councils", PUBLIC, False),
    "fsb": ("Federation of Small Businesses, Mercia Vale Branch", PRIVATE, False),
    "shopping": ("Vale Shopping Centre Ltd", PRIVATE, False),
    "youthtrust": ("Mercia Vale Youth Trust", VOLUNTARY, False),
    "agewell": ("Age Well Mercia Vale", VOLUNTARY, False),
    "faith": ("Mercia Vale Faith Forum", VOLUNTARY, False),
}

# key: (full name, job title, organisation they represent, contact details public)
PEOPLE = {
    "priya": ("Priya Shah", "Partnership Co-ordinator", "council", True),
    "helen": ("Helen Aldridge", "Head of Governance and Democratic Services", "council", True),
    "owen": ("Owen Pritchard", "Community Safety Co-ordinator", "council", True),
    "martin": ("Martin Ashworth", "Chief Executive", "council", False),
    "susan": ("Susan Marsh", "Leader of the Council", "council", True),
    "gareth": ("Gareth Lloyd", "Executive Member for Communities", "council", True),
    "fiona": ("Fiona Hebden", "Director of Children's Services", "council", False),
    "nadia": ("Nadia Rahman", "Head of Regeneration", "council", True),
    "leanne": ("Leanne Foster", "Licensing Manager", "council", True),
    "joseph": ("Joseph Tan", "Neighbourhoods Manager", "council", False),
    "bernadette": ("Bernadette Quinn", "Ward Councillor", "council", True),
    "neil": ("Neil Sutcliffe", "Ward Councillor", "council", False),
    "ruth": ("Ruth Adeyemi", "Chief Executive", "pct", False),
    "simon": ("Simon Hale", "Director of Public Health", "pct", True),
    "claire": ("Claire Norbury", "Head of Children's Commissioning", "pct", False),
    "andrew": ("Andrew Penhaligon", "Chief Executive", "hospitals", False),
    "janet": ("Janet Oduya", "Director of Nursing", "hospitals", True),
    "mark": ("Mark Delaney", "Chief Superintendent, Mercia Vale Area", "police", False),
    "kerry": ("Kerry Walsh", "Neighbourhood Policing Inspector", "police", True),
    "stuart": ("Stuart Ingham", "Performance Delivery Manager", "fire", False),
    "bethan": ("Bethan Morgan", "Community Safety Advocate", "fire", True),
    "daniel": ("Daniel Okafor", "External Relations Manager", "jcp", True),
    "sarah": ("Sarah Whitcombe", "Partnership Manager", "jcp", False),
    "catherine": ("Catherine Bellamy", "Managing Director, Bellamy Precision", "bizforum", True),
    "raj": ("Raj Mistry", "Owner, Mistry Pharmacies", "bizforum", False),
    "philip": ("Philip Cartwright", "Director, Cartwright Logistics", "bizforum", True),
    "emma": ("Emma Lockwood", "Chief Executive", "chamber", True),
    "tom": ("Tom Baxter", "Town Centre Manager", "chamber", False),
    "gillian": ("Gillian Rhodes", "Proprietor, The Old Mill Bakery", "chamber", True),
    "craig": ("Craig Fenwick", "Security Manager, Vale Shopping Centre", "chamber", False),
    "moira": ("Moira Chapman", "Chief Executive", "cvs", True),
    "kevin": ("Kevin O'Neill", "Development Officer", "cvs", False),
    "angela": ("Angela Price", "Chair of the Community Network Hub", "hub", True),
    "hassan": ("Hassan Ali", "Street Pastors Co-ordinator", "hub", False),
    "lucy": ("Lucy Fairbairn", "Youth Services Manager", "hub", True),
    "grace": ("Grace Nwosu", "Faith Communities Officer", "hub", False),
    "derek": ("Derek Holloway", "Volunteer Co-ordinator", "hub", True),
    "rachel": ("Rachel Dunmore", "Director of Housing Services", "housing", False),
    "ian": ("Ian McAllister", "Tenancy Sustainment Manager", "housing", False),
    "victoria": ("Victoria Penrose", "Locality Manager", "gor", False),
    "olivia": ("Olivia Brennan", "Head of Probation Delivery", "probation", True),
    "marcus": ("Marcus Webb", "Principal", "college", False),
    "frances": ("Frances Doyle", "Clerk to the Association", "parishes", True),
    "amir": ("Amir Haddad", "Branch Chair", "fsb", True),
    "sophie": ("Sophie Kendrick", "Centre Manager", "shopping", False),
    "zainab": ("Zainab Hussain", "Director", "youthtrust", True),
    "brian": ("Brian Ellery", "Chief Officer", "agewell", False),
    "samuel": ("Samuel Okonjo", "Secretary", "faith", True),
    "graham": ("Graham Tilsley", "Independent Chair", None, True),
    "yvonne": ("Yvonne Castle", "Independent Chair", None, False),
    "patrick": ("Patrick Moran", "Independent Chair", None, False),
}
# Added by a co-ordinator and not yet signed in: they set a password through the reset link.
INVITED = {"craig", "patrick"}
# The named sign-ins: person key -> (e-mail local part, what they can try out).
SIGN_INS = {
    "priya": ("coordinator", "Co-ordinator of the whole partnership"),
    "owen": ("tg.coordinator", "Co-ordinator, Safer and Stronger Communities"),
    "helen": ("governance", "Governance lead"),
    "catherine": ("chair", "Chair, Mercia Vale Partnership Board"),
    "daniel": ("member", "Member, Delivery Board and Economic Development and Enterprise"),
}
ADMIN = ("admin", "Tom Whitfield", "Systems Administrator")

K = BodyKind
TG = K.THEMATIC_GROUP
# key: (name, kind, reports to, established on[, planned end])
BODIES = {
    "board": ("Mercia Vale Partnership Board", K.PARTNERSHIP_BOARD, None, "2024-04-01"),
    "delivery": ("Delivery Board", K.DELIVERY_BOARD, "board", "2024-04-01"),
    "cyp": ("Children and Young People", TG, "delivery", "2024-04-01"),
    "safer": ("Safer and Stronger Communities", TG, "delivery", "2024-04-01"),
    "health": ("Healthier Communities and Older People", TG, "delivery", "2024-04-01"),
    "economy": ("Economic Development and Enterprise", TG, "delivery", "2024-04-01"),
    "asb": ("Anti-social Behaviour Sub-group", K.SUB_GROUP, "safer", "2024-09-02"),
    "nte": (
        "Town Centre Night-time Economy Task and Finish Group",
        K.TASK_AND_FINISH,
        "economy",
        "2026-02-02",
        "2027-03-31",
    ),
    "north": ("North Mercia Vale Area Partnership Board", K.AREA_BOARD, "board", "2025-04-01"),
    "central": ("Central Mercia Vale Area Partnership Board", K.AREA_BOARD, "board", "2025-04-01"),
    "south": ("South Mercia Vale Area Partnership Board", K.AREA_BOARD, "board", "2025-04-01"),
    "forum": ("Mercia Vale Neighbourhoods Forum", K.FORUM, "board", "2020-05-01"),
}
THEMES = {
    "cyp": "education and learning, social care, healthy schools, youth offending, drug and "
    "alcohol use, road safety and sexual health, as they affect children and young people",
    "safer": "crime prevention and detection, anti-social behaviour, drug and alcohol misuse, "
    "emergency planning, arson prevention, community cohesion and housing and homelessness",
    "health": "acute and general health services, social care of older and vulnerable people, "
    "health improvement, sport, leisure and culture, and the uptake of welfare benefits",
    "economy": "regeneration, inward investment, planning, tourism, the town centre, transport, "
    "adult learning and skills, and employment",
}
AREAS = {
    "north": "the northern villages and rural parishes",
    "central": "the town centre and its surrounding wards",
    "south": "the southern estates and market towns",
}
# key: (remit, purpose) for the bodies that are not a thematic group or an area board
REMITS = {
    "board": (
        "The strategic board of the partnership, drawn from the public, private and voluntary "
        "and community sectors, and ultimately accountable for its success. It agrees the key "
        "challenges and priorities for the borough, develops, monitors and reviews the "
        "Sustainable Community Strategy, and publishes an annual report on what the partnership "
        "has achieved for the community.",
        "To agree the key challenges and priorities for Mercia Vale, to own the Sustainable "
        "Community Strategy and to approve the Local Area Agreement.",
    ),
    "delivery": (
        "Co-ordinates, monitors and reviews the operational work of the partnership in "
        "delivering the Sustainable Community Strategy and Local Area Agreement. Its members are "
        "the chief officers of the agencies with the most resources to put into services in "
        "Mercia Vale, so that solutions to poor progress are found quickly. It makes sure "
        "partners allocate resources to the priorities and reports performance to the "
        "Partnership Board.",
        "To make sure the Local Area Agreement and delivery plans are resourced, delivered and "
        "monitored, and to hold partners to account for their part in them.",
    ),
    "asb": (
        "Co-ordinates the partners' response to anti-social behaviour across the borough, from "
        "early intervention with young people to action against persistent perpetrators. It "
        "shares information on hotspots, agrees joint problem-solving plans and reports "
        "progress to the Safer and Stronger Communities group.",
        "To reduce anti-social behaviour, and the fear of it, through joint problem-solving.",
    ),
    "nte": (
        "A time-limited group reviewing how the town centre works in the evening and at night: "
        "licensing, policing, getting home safely, street cleansing and the mix of venues. It "
        "will recommend a night-time economy action plan to the Economic Development and "
        "Enterprise group and close when the plan is agreed.",
        "To review the town centre's night-time economy and recommend an action plan by "
        "31 March 2027.",
    ),
    "forum": (
        "A network of residents' associations, tenants' groups and neighbourhood organisations "
        "that brought local views to the Partnership Board. Its work passed to the three area "
        "partnership boards when they were set up.",
        "To bring the views of neighbourhood groups to the partnership.",
    ),
}
MEETS = {
    K.PARTNERSHIP_BOARD: "quarterly, at venues across the borough",
    K.DELIVERY_BOARD: "every two months, in time to consider the groups' exception reports",
    K.THEMATIC_GROUP: "at least quarterly, following the performance reporting cycle",
    K.SUB_GROUP: "every six weeks, or as its chair decides",
    K.TASK_AND_FINISH: "monthly until its planned end date",
    K.AREA_BOARD: "quarterly, in public, within its area",
    K.FORUM: "at least four times a year",
}


def remit_and_terms(key: str, name: str, kind: str, parent) -> tuple[str, str]:
    """The body's remit, and terms of reference in numbered paragraphs."""
    if key in THEMES:
        remit = (
            f"Leads the partnership's work on {THEMES[key]}. It decides how the actions in its "
            "delivery plans are carried out and by whom, and advises the Partnership Board on "
            "community needs and aspirations in its field. It reports performance to the "
            "Delivery Board each quarter, with exception reports where indicators are off track."
        )
        purpose = f"To deliver the partnership's priorities for {name.lower()}."
    elif key in AREAS:
        remit = (
            f"An independently chaired 'mini-partnership' for {AREAS[key]} of Mercia Vale. It "
            "assesses evidence of local needs and priorities to prepare an area action plan, and "
            "performance-manages the Local Area Agreement targets that matter most locally. It "
            "brings the views of community forums, parish councils and neighbourhood groups "
            "into the partnership."
        )
        purpose = f"To prepare and oversee the area action plan for {AREAS[key]}."
    else:
        remit, purpose = REMITS[key]
    if parent is None:
        accountable = (
            "The Board is accountable to the people of Mercia Vale for the partnership's "
            "success, through its annual report and its published agendas, papers and minutes."
        )
    else:
        group = " group" if parent.kind == K.THEMATIC_GROUP else ""
        accountable = (
            f"It is accountable to the {parent.name}{group}, to which it reports progress, "
            "performance and any risk to the partnership's outcomes."
        )
    sectors = ", and at least one member from each sector" if parent is None else ""
    paragraphs = [
        f"Purpose. {purpose}",
        "Membership. Members hold the places set out in the membership categories, each "
        "nominated by the organisation or interest they represent. Advisers, co-ordinators and "
        "observers attend without decision-making rights.",
        f"Quorum. One third of the voting members, including the chair or deputy chair{sectors}.",
        f"Meetings. It meets {MEETS[kind]}. Papers are sent out at least one week before each "
        "meeting, and its agendas, papers and minutes are published once agreed.",
        f"Accountability. {accountable}",
    ]
    return remit, "\n\n".join(f"{n}. {text}" for n, text in enumerate(paragraphs, 1))


def rep(group: str) -> str:
    return f"Thematic Group representatives ({group})"


def group_seats(statutory: int = 6, voluntary: int = 3, business: int = 2) -> list[tuple]:
    """The usual places on a thematic group, sub-group or area board."""
    return [
        ("Statutory partners", statutory, PUBLIC, None, True, "With a duty to co-operate."),
        ("Voluntary and community sector", voluntary, VOLUNTARY, "hub", True, "Chosen by the Hub."),
        ("Business", business, PRIVATE, "bizforum", True, "Chosen by the Business Forum."),
        ("Co-ordinator", 1, "", None, False, "Supports the group; attends without a vote."),
    ]  # fmt: skip


# body: [(seat, places, sector, nominated by, voting, role and reason for being selected)]
SEATS = {
    "board": [
        ("Chair", 1, "", None, True, "Chosen by the Board to chair it; champions the partnership."),
        ("Deputy Chair", 1, "", None, True, "Chosen by the Board to stand in for the chair."),
        *[
            (rep(BODIES[key][0]), 3, "", key, True, "Chosen by the group; one is its chair.")
            for key in THEMES
        ],
        ("Borough Council", 2, PUBLIC, "council", True, "Chosen by the Council, reflecting its "
         "legal duties towards the Sustainable Community Strategy and Local Area Agreement."),
        ("Delivery Board representative", 1, "", "delivery", True, "Chosen by the Delivery Board "
         "to speak on its behalf."),
        ("Business sector representatives", 3, PRIVATE, "bizforum", True, "Chosen by the "
         "Business Forum to represent the views of Mercia Vale businesses."),
        ("Voluntary sector representatives", 3, VOLUNTARY, "hub", True, "Chosen by the Community "
         "Network Hub to represent the voluntary and community sector."),
        ("Area based representatives", 3, "", None, True, "One from each area partnership board."),
        ("Government Office observer", 1, PUBLIC, "gor", False, "An observer and adviser."),
        ("Co-ordinator", 1, "", None, False, "Supports the Board; attends without a vote."),
    ],
    "delivery": [
        (name, 1, ORGANISATIONS[org][1], org, True, f"{who}, to link the Board to the plans, "
         "policies and resources of their organisation and sector.")
        for name, org, who in [
            ("Borough Council", "council", "The Council's Chief Executive"),
            ("Primary Care Trust", "pct", "The Trust's Chief Executive"),
            ("Hospital Trust", "hospitals", "The Trust's Chief Executive"),
            ("Police", "police", "The Chief Superintendent for the area"),
            ("Fire and Rescue", "fire", "The Performance Delivery Manager"),
            ("Jobcentre Plus", "jcp", "The External Relations Manager"),
            ("Voluntary sector service provider", "cvs", "The CVS's Chief Executive"),
            ("Business sector representative", "bizforum", "Chosen by the Business Forum"),
        ]
    ] + [("Co-ordinator", 1, "", None, False, "Supports the Board; attends without a vote.")],
    **{key: group_seats() for key in THEMES},
    "asb": group_seats(statutory=5, voluntary=3, business=1),
    "nte": group_seats(statutory=4, voluntary=1, business=2),
    **{
        key: [
            ("Independent Chair", 1, "", None, True, "Appointed by the Partnership Board."),
            ("Ward councillors", 3, PUBLIC, "council", True, "Chosen by the Council."),
            *group_seats(statutory=3, voluntary=2, business=1),
        ]
        for key in AREAS
    },
    "forum": [("Chair", 1, "", None, True, "Chosen by the member groups.")],
}  # fmt: skip

# body: {seat: ["person[:role][@start date]", ...]}; the role is "member" and the start date
# the day the body was established unless given.
STATUTORY, VCS, BUSINESS = "Statutory partners", "Voluntary and community sector", "Business"
MEMBERS = {
    "board": {
        "Chair": ["catherine:chair"],
        "Deputy Chair": ["angela:deputy_chair"],
        "Borough Council": ["susan", "gareth"],
        "Delivery Board representative": ["martin@2024-06-03"],
        "Business sector representatives": ["raj", "emma@2025-04-01"],
        "Voluntary sector representatives": ["hassan", "grace", "kevin@2024-10-01"],
        "Area based representatives": [f"{p}@2025-05-06" for p in ("graham", "yvonne", "patrick")],
        "Government Office observer": ["victoria:observer"],
        "Co-ordinator": ["priya:coordinator"],
        rep("Children and Young People"): ["fiona", "lucy", "claire"],
        rep("Safer and Stronger Communities"): ["mark", "rachel"],
        rep("Healthier Communities and Older People"): ["simon", "janet@2025-01-06"],
        rep("Economic Development and Enterprise"): ["nadia", "sarah"],
    },
    "delivery": {
        "Borough Council": ["martin:chair"],
        "Primary Care Trust": ["ruth:deputy_chair"],
        "Hospital Trust": ["andrew"],
        "Police": ["mark"],
        "Fire and Rescue": ["stuart"],
        "Jobcentre Plus": ["daniel@2024-09-02"],
        "Voluntary sector service provider": ["moira"],
        "Business sector representative": ["philip"],
        "Co-ordinator": ["priya:coordinator"],
    },
    "cyp": {
        STATUTORY: ["fiona:chair", "claire", "kerry@2025-01-06"],
        VCS: ["lucy:deputy_chair", "grace", "zainab@2025-09-01"],
        BUSINESS: ["gillian@2024-07-01", "sophie@2026-04-01"],
    },
    "safer": {
        STATUTORY: ["mark:chair", "kerry", "stuart", "joseph", "bethan@2025-02-03", "olivia"],
        VCS: ["rachel:deputy_chair", "hassan"],
        BUSINESS: ["tom"],
        "Co-ordinator": ["owen:coordinator"],
    },
    "health": {
        STATUTORY: ["simon:chair", "janet:deputy_chair", "bethan"],
        VCS: ["kevin", "moira", "brian@2025-04-01"],
        BUSINESS: ["raj@2024-06-03", "amir@2025-10-06"],
    },
    # No voluntary sector member since July 2025 (see ENDED): the page shows the sector warning.
    "economy": {
        STATUTORY: ["nadia:chair", "daniel@2024-09-02", "sarah", "marcus"],
        BUSINESS: ["philip:deputy_chair", "emma"],
    },
    "asb": {
        STATUTORY: ["kerry:chair", "joseph:deputy_chair", "bethan@2025-02-03"],
        VCS: ["rachel", "ian"],
        BUSINESS: ["craig@2025-06-02"],
    },
    "nte": {
        STATUTORY: ["leanne:chair", "nadia", "kerry"],
        BUSINESS: ["emma:deputy_chair", "tom"],
        VCS: ["hassan"],
    },
    **{
        key: {
            "Independent Chair": [f"{chair}:chair"],
            "Ward councillors": [f"{councillor}:deputy_chair"],
            STATUTORY: [statutory],
            VCS: [voluntary],
            BUSINESS: [business],
        }
        for key, (chair, councillor, statutory, voluntary, business) in {
            "north": ("graham", "gareth", "stuart", "derek", "gillian"),
            "central": ("yvonne", "bernadette", "joseph", "grace", "tom"),
            "south": ("patrick", "neil", "sarah", "kevin", "craig@2026-01-05"),
        }.items()
    },
    "forum": {"Chair": ["derek:chair@2020-06-01"]},
}
# Second holders of the area boards' places, beside the ones the table above gives each board.
MEMBERS["north"][STATUTORY].append("frances@2025-06-02")
MEMBERS["south"][VCS].append("samuel@2025-06-02")
# Past members: (body, seat, person, started, ended, reason), loaded before the current ones.
ENDED = [
    ("board", "Business sector representatives", "philip", "2024-04-01", "2025-04-01",
     "Stood down at the end of his term"),
    ("economy", VCS, "ian", "2024-04-01", "2025-07-01", "Moved to a role outside the group's work"),
]  # fmt: skip


def day(iso: str) -> date:
    return date.fromisoformat(iso)


def email_for(key: str) -> str:
    if key in SIGN_INS:
        return f"{SIGN_INS[key][0]}@{DOMAIN}"
    return ".".join(PEOPLE[key][0].lower().replace("'", "").split()) + f"@{DOMAIN}"


class Loader:
    """Builds the demo partnership through the services, with no acting user."""

    def __init__(self) -> None:
        self.orgs, self.people, self.bodies, self.seats = {}, {}, {}, {}
        self.phones = (f"01632 960{n:03d}" for n in count(101))

    def load(self) -> Partnership:
        about = "The local strategic partnership of Mercia Vale, a fictional borough."
        self.partnership = Partnership.objects.create(
            name=NAME, slug=SLUG, area="Mercia Vale", description=about
        )
        for key, (name, sector, statutory) in ORGANISATIONS.items():
            self.orgs[key] = organisation_create(
                actor=None,
                partnership=self.partnership,
                name=name,
                sector=sector,
                statutory_partner=statutory,
            )
        for key, (full_name, job_title, _org, public) in PEOPLE.items():
            self.people[key] = self.person(key, full_name, job_title, public)
        for key, (name, kind, parent, established, *ends) in BODIES.items():
            self.body(key, name, kind, self.bodies.get(parent), established, *ends)
        for body_key, seats in SEATS.items():
            for name, places, sector, nominator, voting, description in seats:
                self.seats[body_key, name] = seat_create(
                    actor=None,
                    body=self.bodies[body_key],
                    name=name,
                    count=places,
                    sector=sector,
                    nominating_organisation=self.orgs.get(nominator),
                    nominating_body=self.bodies.get(nominator),
                    voting=voting,
                    description=description,
                )
        for body_key, seat, person, starts, ends, reason in ENDED:
            membership = self.sit(body_key, seat, person, "member", starts)
            membership_end(actor=None, membership=membership, ends_on=day(ends), reason=reason)
        for body_key, seats in MEMBERS.items():
            for seat, holders in seats.items():
                for holder in holders:
                    holder, _, starts = holder.partition("@")
                    person, _, role = holder.partition(":")
                    starts = starts or BODIES[body_key][3]
                    self.sit(body_key, seat, person, role or "member", starts)
        self.appoint("priya", None, AppointmentRole.COORDINATOR)
        self.appoint("owen", "safer", AppointmentRole.COORDINATOR)
        self.appoint("helen", None, AppointmentRole.GOVERNANCE_LEAD)
        body_close(
            actor=None,
            body=self.bodies["forum"],
            closed_on=date(2025, 3, 31),
            reason="Merged into the area partnership boards, which took over its work.",
        )
        local, full_name, job_title = ADMIN
        User.objects.create_superuser(
            f"{local}@{DOMAIN}", PASSWORD, full_name=full_name, job_title=job_title
        )
        demo_agreement_load(partnership=self.partnership)
        return self.partnership

    def person(self, key: str, full_name: str, job_title: str, public: bool) -> User:
        if key in INVITED:
            return person_create(
                actor=None, email=email_for(key), full_name=full_name, job_title=job_title
            )
        contact = {"contact_public": True, "phone": next(self.phones)} if public else {}
        return User.objects.create_user(
            email_for(key), PASSWORD, full_name=full_name, job_title=job_title, **contact
        )

    def body(self, key, name, kind, parent, established, ends=None) -> None:
        remit, terms = remit_and_terms(key, name, kind, parent)
        self.bodies[key] = body_create(
            actor=None,
            partnership=self.partnership,
            name=name,
            kind=kind,
            parent=parent,
            remit=remit,
            terms_of_reference=terms,
            established_on=day(established),
            ends_on=day(ends) if ends else None,
        )

    def sit(self, body_key: str, seat: str, person: str, role: str, starts: str) -> Membership:
        return membership_create(
            actor=None,
            body=self.bodies[body_key],
            seat=self.seats[body_key, seat],
            person=self.people[person],
            role=role,
            organisation=self.orgs.get(PEOPLE[person][2]),
            starts_on=day(starts),
        )

    def appoint(self, person: str, body_key: str | None, role: str) -> None:
        appointment_create(
            actor=None,
            person=self.people[person],
            partnership=self.partnership,
            body=self.bodies.get(body_key),
            role=role,
            starts_on=date(2024, 4, 1),
        )


class Command(BaseCommand):
    help = "Load the fictional Mercia Vale demo partnership (once) and print its demo sign-ins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even with DJANGO_DEBUG off. The demo has a superuser whose password is "
            "published in the README: never on a live site.",
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "load_demo is for development (DJANGO_DEBUG=true): its passwords are public. "
                "Use --force only on a machine nobody else can reach."
            )
        loaded = Partnership.objects.filter(Q(slug=SLUG) | Q(name=NAME)).first()
        if loaded is not None and loaded.slug == SLUG and demo_agreement_load(partnership=loaded):
            # A demo loaded before the agreement existed gets it; nothing else changes.
            self.stdout.write(self.style.SUCCESS("Added the partnership agreement to the demo."))
        elif loaded is not None:
            self.stdout.write("The demo partnership is already loaded: nothing was changed.")
        else:
            emails = [email_for(key) for key in PEOPLE] + [f"{ADMIN[0]}@{DOMAIN}"]
            taken = User.objects.filter(email__in=emails).values_list("email", flat=True)
            if taken:
                raise CommandError(f"Demo e-mail addresses already in use: {', '.join(taken)}")
            try:
                with transaction.atomic():
                    Loader().load()
            except ValidationError as exc:
                raise CommandError(f"The demo data broke a rule: {exc}") from exc
            self.stdout.write(self.style.SUCCESS("Loaded the demo partnership."))
        if demo_second_factors_enrol(domain=DOMAIN):
            self.stdout.write(self.style.SUCCESS("Set up the demo's authenticators."))
        self.print_sign_ins()

    def print_sign_ins(self) -> None:
        rows = [(email_for(key), role) for key, (_local, role) in SIGN_INS.items()]
        rows.append((f"{ADMIN[0]}@{DOMAIN}", "Superuser for /admin/ (repairs only)"))
        names = dict(
            User.objects.filter(email__in=[e for e, _ in rows]).values_list("email", "full_name")
        )
        table = [("E-mail", "Name", "Role", "Authenticator secret")]
        table += [
            (email, names.get(email, "(missing)"), role, demo_totp_secret(email))
            for email, role in rows
        ]
        widths = [max(len(row[i]) for row in table) for i in range(4)]
        self.stdout.write(f"\nDemo partnership: {NAME} at {SITE}/p/{SLUG}/")
        self.stdout.write(
            f"Every password is {PASSWORD}. After it, enter the code from an authenticator app\n"
            "given the secret below, or print it with: manage.py demo_code <e-mail>\n"
        )
        for row in table:
            cells = (c.ljust(w) for c, w in zip(row, widths, strict=True))
            self.stdout.write("  ".join(cells).rstrip())
        self.stdout.write(
            f"\nEveryone else signs in as firstname.lastname@{DOMAIN} with the same password\n"
            "(manage.py demo_code gives their codes too), except two people who were invited\n"
            "and have not yet set one: they set up an authenticator at their first sign-in.\n"
            f"The admin site ({SITE}/admin/) is for repairs only: make changes in the app,\n"
            "where the partnership's rules are enforced and recorded."
        )
