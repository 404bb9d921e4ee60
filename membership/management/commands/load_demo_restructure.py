"""Load the demo's history of restructuring (once), after load_demo: Mercia Vale's Health and
Wellbeing Partnership (2008) and Children's Trust Board (2009) merged into a Commissioning Board
on 1 April 2011, members carried over seat by seat and one ended; the Older People's
Partnership renamed the Ageing Well Partnership, with a new remit, in 2012. Everything goes
through the services (the restructure is the wizard's own call), so the old bodies' pages say
what became of them and the structure page shows the tree of 31 March 2011."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from membership.management.commands.load_demo import email_for
from membership.models import Role, User
from membership.services import membership_create, seat_create
from membership.services.restructure import MemberChoice, NewBody, restructure
from partnership.models import Body, BodyKind, ChangeKind, Organisation, Partnership, Sector
from partnership.services import body_create, body_update

MERGED_ON = date(2011, 4, 1)
RENAMED_ON = date(2012, 4, 1)
NEW_BOARD = "Commissioning Board"

# key: (name, established on, remit, {seat: (places, sector)},
#       [(person, seat, role, organisation, from)])
OLD_BODIES = {
    "hwp": (
        "Health and Wellbeing Partnership",
        date(2008, 4, 1),
        "Improve health and reduce health inequalities in Mercia Vale.",
        {"NHS": (3, Sector.PUBLIC), "Council": (2, Sector.PUBLIC), "Voluntary sector": (1, "")},
        [
            ("ruth", "NHS", Role.CHAIR, "pct", date(2008, 4, 1)),
            ("simon", "NHS", Role.MEMBER, "pct", date(2008, 4, 1)),
            ("janet", "NHS", Role.MEMBER, "hospitals", date(2009, 6, 1)),
            ("susan", "Council", Role.MEMBER, "council", date(2008, 4, 1)),
            ("brian", "Voluntary sector", Role.MEMBER, "agewell", date(2008, 4, 1)),
        ],
    ),
    "ctb": (
        "Children's Trust Board",
        date(2009, 1, 1),
        "Lead the Children and Young People's Plan under the Children Act 2004.",
        {"Council": (2, Sector.PUBLIC), "NHS": (1, Sector.PUBLIC), "Voluntary sector": (1, "")},
        [
            ("fiona", "Council", Role.CHAIR, "council", date(2009, 1, 1)),
            ("claire", "NHS", Role.MEMBER, "pct", date(2009, 1, 1)),
            ("zainab", "Voluntary sector", Role.MEMBER, "youthtrust", date(2009, 1, 1)),
        ],
    ),
}
# Who carries over to which seat of the Commissioning Board, with which role; the rest end.
CARRIED = {
    "ruth": ("NHS", Role.CHAIR),
    "simon": ("NHS", Role.MEMBER),
    "claire": ("NHS", Role.MEMBER),
    "fiona": ("Council", Role.DEPUTY_CHAIR),
    "susan": ("Council", Role.MEMBER),
    "zainab": ("Voluntary sector", Role.MEMBER),
    "brian": ("Voluntary sector", Role.MEMBER),
}
ORGANISATIONS = {
    "pct": "Mercia Vale Primary Care Trust",
    "hospitals": "Mercia Vale Hospitals NHS Trust",
    "council": "Mercia Vale Borough Council",
    "agewell": "Age Well Mercia Vale",
    "youthtrust": "Mercia Vale Youth Trust",
}


@transaction.atomic
def load_restructure(*, partnership: Partnership) -> Body | None:
    """The demo's restructures, once: None when the Commissioning Board already exists."""
    if Body.objects.filter(partnership=partnership, name=NEW_BOARD).exists():
        return None
    coordinator = User.objects.get(email=email_for("priya"))
    orgs = {
        key: Organisation.objects.get(partnership=partnership, name=name)
        for key, name in ORGANISATIONS.items()
    }
    # Under the Delivery Board, after the bodies the demo's other loaders use.
    delivery = Body.objects.get(partnership=partnership, name="Delivery Board")
    sources, members = [], {}
    for name, established, remit, seats, people in OLD_BODIES.values():
        body = body_create(
            actor=coordinator,
            partnership=partnership,
            name=name,
            kind=BodyKind.DELIVERY_BOARD,
            parent=delivery,
            remit=remit,
            established_on=established,
        )
        made = {
            seat: seat_create(
                actor=coordinator, body=body, name=seat, count=count, sector=sector, voting=True
            )
            for seat, (count, sector) in seats.items()
        }
        for person, seat, role, org, starts in people:
            m = membership_create(
                actor=coordinator,
                body=body,
                seat=made[seat],
                person=User.objects.get(email=email_for(person)),
                role=role,
                organisation=orgs[org],
                starts_on=starts,
            )
            seat_name, new_role = CARRIED.get(person, ("", Role.MEMBER))
            members[m.pk] = MemberChoice(seat=seat_name, role=new_role)
        sources.append(body)
    result = restructure(
        actor=coordinator,
        kind=ChangeKind.MERGE,
        partnership=partnership,
        sources=sources,
        effective_on=MERGED_ON,
        reason="The Health and Wellbeing Partnership and the Children's Trust Board are merged "
        "into one Commissioning Board, to commission health, care and children's services "
        "together.",
        new_body=NewBody(
            name=NEW_BOARD,
            kind=BodyKind.COMMISSIONING_BOARD,
            parent=delivery,
            remit="Commission health, social care and children's services for Mercia Vale.",
        ),
        members=members,
        things={},
    )
    older = body_create(
        actor=coordinator,
        partnership=partnership,
        name="Older People's Partnership",
        kind=BodyKind.FORUM,
        parent=delivery,
        remit="Services for older people.",
        established_on=date(2008, 4, 1),
    )
    body_update(
        actor=coordinator,
        body=older,
        effective_on=RENAMED_ON,
        reason="A wider remit: ageing well, not only services for older people.",
        name="Ageing Well Partnership",
        remit="Help everyone in Mercia Vale age well: health, housing, transport and loneliness.",
    )
    return result.change.successor


class Command(BaseCommand):
    help = (
        "Load the demo partnership's restructures (once), after load_demo: two boards merged "
        "into a Commissioning Board on 1 April 2011, and a partnership renamed in 2012."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Load with DJANGO_DEBUG off.")

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("load_demo_restructure is for development (DJANGO_DEBUG=true).")
        partnership = Partnership.objects.filter(slug="demo").first()
        if partnership is None:
            raise CommandError("Load the demo partnership first: manage.py load_demo")
        try:
            board = load_restructure(partnership=partnership)
        except ValidationError as exc:
            raise CommandError(f"The demo's restructure broke a rule: {exc}") from exc
        if board is None:
            self.stdout.write(
                "The demo restructures are already loaded: they are left as they are."
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Merged the Health and Wellbeing Partnership and the Children's Trust Board "
                f"into the {board} on 1 April 2011; renamed the Older People's Partnership.\n"
                "See /p/demo/changes/ and /p/demo/?on_day=31&on_month=3&on_year=2011; "
                "coordinator@mercia-vale.example can restructure from the structure page."
            )
        )
