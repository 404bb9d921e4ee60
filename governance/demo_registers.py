"""The demo partnership's registers, built through the services as their members and chairs
would: interests of Delivery Board and Partnership Board members with their chairs' rulings
(one updated, one ended, one disputed for the governance lead to settle, two awaiting a
ruling), gifts and hospitality, one entry withheld from the public, and the year's
confirmations of everyone but the demo member (Daniel Okafor), who confirms from the app.
Loaded once, on its own, so that a demo loaded before the registers existed gets them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from governance import services as gs
from governance.models import Declaration, Meeting, MeetingStatus
from membership.models import User
from membership.selectors import partnership_members
from partnership.models import Partnership

# Interests as their holders declared them, by person: (kind, holder, organisation or None,
# project, description, days before the load it was held from[, withheld because]).
INTERESTS = {
    "moira": ("organisational", "self", "cvs", "",
              "I am Chief Executive of the CVS, which bids to the Neighbourhood Renewal Fund.",
              900),
    "ruth": ("personal", "household", "housing", "",
             "My husband is a non-executive director of the Housing Trust.", 400),
    "andrew": ("financial", "self", None, "Urgent care centre",
               "I hold shares in Vale Health Partners Ltd, which bid to run the urgent care "
               "centre.", 500),
    "philip": ("business", "self", None, "Town centre freight consolidation scheme",
               "I am a director of Cartwright Logistics, which could carry goods for the scheme.",
               300),
    "raj": ("business", "self", "pct", "",
            "I own Mistry Pharmacies, which the Primary Care Trust commissions to run stop "
            "smoking services.", 600),
    "emma": ("organisational", "self", "chamber", "",
             "I am Chief Executive of the Chamber of Commerce, which receives a partnership "
             "grant for business support.", 240),
    "hassan": ("organisational", "self", None, "Safer Stronger Communities Fund",
               "I co-ordinate the Street Pastors, which have applied to the fund for a grant.",
               20),
    "grace": ("personal", "household", "hub", "",
              "A member of my household works at a refuge run with the Community Network Hub.",
              200, "Publishing it could reveal where the refuge is and put its residents at "
              "risk."),
}  # fmt: skip
# Gifts and hospitality: (person, body, kind, donor, what, value, days ago, decision, advice).
GIFTS = [
    ("martin", "Delivery Board", "hospitality", "Mercia Vale Chamber of Commerce",
     "Two tickets to the Chamber's annual dinner", "120.00", 40, "accepted",
     "Priya Shah, Partnership Co-ordinator"),
    ("philip", "Delivery Board", "gift", "A haulage supplier", "A bottle of whisky", "40.00",
     25, "declined", ""),
    ("catherine", "Mercia Vale Partnership Board", "hospitality", "Government Office for the "
     "Region", "A working lunch with the locality team", "25.00", 60, "accepted", ""),
    ("emma", "Mercia Vale Partnership Board", "gift", "Harcourt Developments Ltd",
     "A hamper, sent while the firm was bidding for the town centre scheme", "75.00", 15,
     "declined", "Catherine Bellamy, chair"),
    ("raj", "Mercia Vale Partnership Board", "hospitality", "A pharmaceutical company",
     "A place at its two-day conference in London, with hotel", "350.00", 90, "declined", ""),
]  # fmt: skip
UNCONFIRMED = {"member@mercia-vale.example"}  # Daniel Okafor confirms his from the app


def _person(name: str) -> User:
    full = {
        "moira": "Moira Chapman",
        "ruth": "Ruth Adeyemi",
        "andrew": "Andrew Penhaligon",
        "philip": "Philip Cartwright",
        "raj": "Raj Mistry",
        "emma": "Emma Lockwood",
        "hassan": "Hassan Ali",
        "grace": "Grace Nwosu",
        "martin": "Martin Ashworth",
        "catherine": "Catherine Bellamy",
    }[name]
    return User.objects.get(full_name=full)


@transaction.atomic
def load_registers(*, partnership: Partnership, today: date | None = None) -> int:
    """Load the registers once. Returns how many interests were declared (0 if the
    partnership's registers already hold any)."""
    if Declaration.objects.filter(partnership=partnership).exists():
        return 0
    today = today or timezone.localdate()
    orgs = {o.name: o for o in partnership.organisations.all()}
    org_keys = {
        "cvs": "Mercia Vale Council for Voluntary Service",
        "housing": "Mercia Vale Housing Trust",
        "pct": "Mercia Vale Primary Care Trust",
        "chamber": "Mercia Vale Chamber of Commerce",
        "hub": "Community Network Hub",
    }
    bodies = {b.name: b for b in partnership.bodies.all()}
    delivery, board = bodies["Delivery Board"], bodies["Mercia Vale Partnership Board"]
    martin, catherine = _person("martin"), _person("catherine")
    declared = {}
    for name, (kind, holder, org, project, description, days, *withheld) in INTERESTS.items():
        person = _person(name)
        declared[name] = gs.declaration_create(
            actor=person,
            partnership=partnership,
            person=person,
            kind=kind,
            holder=holder,
            organisation=orgs[org_keys[org]] if org else None,
            project=project,
            description=description,
            starts_on=today - timedelta(days=days),
            withheld_reason=withheld[0] if withheld else "",
        )

    def rule(name, chair, body, outcome, reason, restrictions=""):
        return gs.ruling_make(
            actor=chair,
            declaration=declared[name],
            body=body,
            outcome=outcome,
            reason=reason,
            restrictions=restrictions,
        )

    rule(
        "moira",
        martin,
        delivery,
        "restricted",
        "The CVS bids to the fund, so its Chief Executive takes no part in allocating it.",
        "Decisions on Neighbourhood Renewal Fund allocations",
    )
    rule(
        "ruth",
        martin,
        delivery,
        "noted",
        "The Board commissions nothing from the Housing Trust at present; declare it again "
        "against any item that concerns the Trust.",
    )
    rule(
        "andrew",
        martin,
        delivery,
        "restricted",
        "A shareholding in a bidder is a financial interest in the contract.",
        "The urgent care centre contract",
    )
    disputed = rule(
        "philip",
        martin,
        delivery,
        "restricted",
        "A haulier could gain from the scheme's design.",
        "Decisions on the town centre freight consolidation scheme",
    )
    rule(
        "raj",
        catherine,
        board,
        "noted",
        "The Board does not commission pharmacy services; the Trust does.",
    )
    rule(
        "emma",
        catherine,
        board,
        "noted",
        "The grant is agreed by the Delivery Board, not by this Board.",
    )
    rule("grace", catherine, board, "noted", "The Board decides nothing about any refuge.")
    gs.ruling_dispute(
        actor=_person("philip"),
        ruling=disputed,
        reason="The scheme is open to every haulier and my firm has not bid. I ask to take "
        "part in the discussion of its design, and to leave before any decision on funding.",
    )
    # Circumstances change: the new version replaces the old, which the chair ruled on.
    gs.declaration_update(
        actor=_person("raj"),
        declaration=declared["raj"],
        changed_on=today - timedelta(days=45),
        change_note="Mistry Pharmacies now also runs NHS health checks for the Trust.",
        description="I own Mistry Pharmacies, which the Primary Care Trust commissions to run "
        "stop smoking services and NHS health checks.",
    )
    gs.declaration_end(
        actor=_person("andrew"),
        declaration=declared["andrew"],
        ended_on=today - timedelta(days=30),
        reason="I sold the shares.",
    )
    for name, body, kind, donor, what, value, days, decision, advice in GIFTS:
        person = _person(name)
        gs.gift_declare(
            actor=person,
            partnership=partnership,
            person=person,
            body=bodies[body],
            kind=kind,
            donor=donor,
            description=what,
            value=Decimal(value),
            offered_on=today - timedelta(days=days),
            decision=decision,
            advice_sought=bool(advice),
            advice_from=advice,
        )
    for person in partnership_members(partnership=partnership, on=today):
        if person.email not in UNCONFIRMED and person.has_usable_password():
            gs.register_confirm(actor=person, partnership=partnership, person=person)
    # The coming Delivery Board meeting has an item about the Housing Trust, in which the
    # deputy chair's household has an interest: its page shows the flag.
    coming = (
        Meeting.objects.filter(body=delivery, held_on__gt=today, status=MeetingStatus.PUBLISHED)
        .order_by("held_on")
        .first()
    )
    if coming is not None:
        gs.item_add(
            actor=User.objects.get(email="coordinator@mercia-vale.example"),
            meeting=coming,
            title="Housing-related support: commissioning intentions",
            presenter="Rachel Dunmore, Mercia Vale Housing Trust",
            purpose="decision",
            decision_required="To agree the commissioning intentions for 2027 to 2028.",
            organisations=[orgs[org_keys["housing"]]],
        )
    return len(declared)
