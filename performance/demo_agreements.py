"""The demo partnership's commissioning agreements: four fictional service level agreements
that thematic groups made with voluntary-sector providers, after Warrington's minimum content,
built through the services so the rules hold and history is kept.

The story, as of the day it is loaded:

- Children and Young People's youth mentoring agreement ends in 60 days: it is flagged, and the
  group must decide whether to renew it;
- Safer and Stronger Communities' street pastors agreement has a review 20 days overdue;
- Healthier Communities' exercise-on-referral agreement belongs to the Vale Active Leisure
  Trust key partnership (when the register is loaded) and is measured partly by an indicator
  made for the provider's own service;
- Economic Development's job club agreement had its first review held on time.

Each target is measured by one of the groups' indicators (``load_demo_performance`` makes
them); an agreement whose indicators are missing gets one for the provider's service instead.
Dates are relative to the day the demo is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from membership.management.commands.load_demo import BODIES, ORGANISATIONS, PEOPLE
from membership.models import User
from partnership.models import Body, Organisation, Partnership
from partnership.periods import financial_year_label
from performance import services as setup
from performance.models import CommissioningAgreement, Indicator, KeyPartnership
from performance.selectors.returns import open_quarter
from performance.services.agreements import agreement_create, agreement_review_record

__all__ = ["Loaded", "load_agreements"]

COMMON = {
    "default_terms": "If the provider misses two quarterly returns, or a return shows the "
    "service well below its targets for two quarters running, the commissioning body may "
    "withhold the next payment after a month's written notice. If the commissioning body pays "
    "late, the provider may pause new referrals until it is paid.",
    "arbitration_terms": "A disagreement goes first to the supervising person and the "
    "provider's representative, then to the group's chair and the provider's chief officer. "
    "If they cannot agree within 28 days, the Partnership Co-ordinator mediates.",
    "equality_statement": "The service is open to everyone who meets its referral criteria, "
    "whatever their age, disability, sex, gender identity, race, religion or belief, or "
    "sexual orientation. The provider records who uses it and reports any group that is "
    "under-represented, with what it will do about it.",
}


@dataclass(frozen=True)
class Own:
    """An indicator for the provider's own service."""

    code: str
    title: str
    definition: str
    baseline: str


@dataclass(frozen=True)
class Spec:
    reference: str
    group: str  # a key of BODIES
    title: str
    provider: str  # a key of ORGANISATIONS
    supervisor: str  # a key of PEOPLE
    representative: str  # a key of PEOPLE: named with their job
    starts: int  # days from today
    ends: int
    reviews: tuple[int, ...]  # days from today
    held: tuple[int, ...]  # of the reviews, those held, each held this many days after due
    texts: dict[str, str]
    costs: tuple[tuple[str, str], ...]
    targets: tuple[tuple[str, str], ...]  # (target, indicator code)
    own: Own | None = None
    own_target: str = ""
    key_partnership: str = ""


AGREEMENTS = (
    Spec(
        "SLA-CYP-01",
        "cyp",
        "Youth mentoring for young people at risk of offending",
        "youthtrust",
        "fiona",
        "zainab",
        starts=-305,
        ends=60,
        reviews=(-120, 30),
        held=(6,),
        texts={
            "purpose": "Keep young people aged 10 to 17 who are on the edge of offending out of "
            "the youth justice system, through a trained volunteer mentor for six months.",
            "partnership_obligations": "The group pays the grant in four quarterly instalments "
            "in advance, refers young people through the youth diversion panel, and gives the "
            "provider the anonymised figures it needs for its returns.",
            "provider_obligations": "An enhanced DBS check for every mentor before they meet a "
            "young person; safeguarding training every year; the council's safeguarding "
            "procedures; data protection law for the young people's records.",
            "service_specification": "One-to-one mentoring, weekly for six months, for young "
            "people referred by the diversion panel, schools or the youth offending service; "
            "group activities in the school holidays; a named mentor co-ordinator.",
            "target_user_group": "Young people aged 10 to 17 living in Mercia Vale who have come "
            "to the attention of the police or their school but have not been convicted.",
            "sustainability_plan": "The provider is bidding to two national trusts for three "
            "more years; mentors are volunteers, so the service costs little to keep going.",
            "risk_assessment": "Safeguarding (high impact, low likelihood: vetted and "
            "supervised mentors); too few referrals (medium: monthly panel slots reserved).",
            "potential_savings": "A first-time entrant to the youth justice system costs "
            "partners about £8,000 in the first year: ten fewer entrants saves more than the "
            "grant.",
            "community_engagement": "Young people who finished the programme sit on its "
            "steering group and help recruit mentors in their own neighbourhoods.",
            "monitoring_arrangements": "Quarterly returns of the linked indicators to the "
            "group, a case-study report at each review, and an annual visit by the supervisor.",
        },
        costs=(
            ("Mentor co-ordinator (0.6 full-time equivalent)", "18400.00"),
            ("Volunteer recruitment, vetting and training", "4250.00"),
            ("Holiday activities and travel", "3100.50"),
            ("Management and overheads", "2249.50"),
        ),
        targets=(
            ("Fewer first-time entrants to the youth justice system", "NI 111"),
            ("More young people taking part in positive activities", "NI 110"),
        ),
    ),
    Spec(
        "SLA-SSC-01",
        "safer",
        "Street pastors and night-time marshals in the town centre",
        "hub",
        "owen",
        "hassan",
        starts=-300,
        ends=430,
        reviews=(-20, 160, 340),
        held=(),
        texts={
            "purpose": "Make the town centre safer on Friday and Saturday nights by putting "
            "trained street pastors and marshals where violence most often happens.",
            "partnership_obligations": "The group pays half the cost each April and October, "
            "shares the police's weekly hotspot map, and provides radios linked to the CCTV "
            "room.",
            "provider_obligations": "A DBS check and first-aid certificate for every pastor and "
            "marshal; the Licensing Act conditions of the venues they work near; incident logs "
            "kept for the police.",
            "service_specification": "Teams of four on Friday and Saturday nights from 10pm to "
            "4am, 50 weekends a year, at the three hotspots on the police's map, with first "
            "aid, water, flip-flops and a safe space at the church hall.",
            "target_user_group": "People using the town centre's night-time economy, and "
            "anyone vulnerable after a night out.",
            "sustainability_plan": "The Business Improvement District pays a growing share: "
            "a quarter from next year, half the year after.",
            "risk_assessment": "Assault on a volunteer (medium: teams of four, radios and "
            "training); too few volunteers at Christmas (medium: a reserve rota).",
            "potential_savings": "Fewer ambulance call-outs and A&E attendances on weekend "
            "nights, and fewer police hours spent on people who are only drunk.",
            "community_engagement": "Churches and faith groups across the borough recruit the "
            "volunteers; residents hear about the work at the area boards.",
            "monitoring_arrangements": "Quarterly returns of the linked indicators, the "
            "provider's incident logs each month, and a review at each review date.",
        },
        costs=(
            ("Co-ordinator (0.5 full-time equivalent)", "14500.00"),
            ("Volunteer training and first aid certificates", "3200.00"),
            ("Radios, uniforms and supplies", "2875.25"),
            ("Safe space hire", "1924.75"),
        ),
        targets=(
            ("Less violence with injury in the night-time economy", "NI 20"),
            ("Fewer residents seeing anti-social behaviour as a big problem", "NI 17"),
        ),
    ),
    Spec(
        "SLA-HCO-01",
        "health",
        "Exercise on referral for older people",
        "agewell",
        "simon",
        "brian",
        starts=-200,
        ends=530,
        reviews=(-15, 165, 345),
        held=(3,),
        texts={
            "purpose": "Help inactive older people with a long-term condition become and stay "
            "active, through a twelve-week exercise course on referral from their GP.",
            "partnership_obligations": "The group pays the grant quarterly in advance and asks "
            "every GP practice to refer; the leisure trust provides the halls at cost.",
            "provider_obligations": "Instructors qualified to level 3 in exercise referral; "
            "a DBS check for every instructor and volunteer; health and safety law for "
            "the sessions; the NHS's data-sharing rules for referrals.",
            "service_specification": "Twelve-week courses of two sessions a week in six "
            "community halls, a health check at the start and end, and a walking group "
            "afterwards so people keep going.",
            "target_user_group": "People aged 60 and over with a long-term condition who do "
            "less than 30 minutes of activity a week.",
            "sustainability_plan": "Graduates are trained as walk leaders; the leisure trust "
            "takes on the walking groups from the third year.",
            "risk_assessment": "A fall or cardiac event in a session (low likelihood, high "
            "impact: screening at referral, first-aid trained instructors, defibrillators).",
            "potential_savings": "Fewer falls needing hospital treatment: each one avoided "
            "saves the NHS about £6,000.",
            "community_engagement": "The course is shaped with the older people's forum, and "
            "its graduates tell others about it at the area boards.",
            "monitoring_arrangements": "Quarterly returns of the linked indicators, including "
            "the provider's own completion figures, and a review at each review date.",
        },
        costs=(
            ("Instructors", "21600.00"),
            ("Hall hire", "5400.00"),
            ("Health checks and equipment", "2150.00"),
            ("Management and overheads", "3350.00"),
        ),
        targets=(("More adults taking part in sport and active recreation", "NI 8"),),
        own=Own(
            "MV-HCO-R1",
            "Older people completing a twelve-week exercise-on-referral course",
            "People aged 60 and over who attended at least 18 of the 24 sessions of a course "
            "that ended in the quarter (Age Well Mercia Vale's register).",
            "45",
        ),
        own_target="At least 45 older people complete a course each quarter",
        key_partnership="Vale Active Leisure Trust",
    ),
    Spec(
        "SLA-EDE-01",
        "economy",
        "Job club and apprenticeship brokerage in the southern estates",
        "cvs",
        "nadia",
        "moira",
        starts=-120,
        ends=610,
        reviews=(-45, 135, 315, 495),
        held=(5,),
        texts={
            "purpose": "Help people out of work in the southern estates into jobs and "
            "apprenticeships, close to home, with the employers who are recruiting.",
            "partnership_obligations": "The group pays the grant quarterly in advance; "
            "Jobcentre Plus refers clients and hosts a work coach at the job club weekly.",
            "provider_obligations": "Advisers qualified to level 4 in advice and guidance; "
            "DBS checks for anyone working with young people; data protection law for "
            "clients' records.",
            "service_specification": "A job club three mornings a week at the community "
            "centre, one-to-one help with applications, and brokerage of apprenticeship "
            "places with the employers' pledge.",
            "target_user_group": "Working-age residents of the southern estates who are out of "
            "work, young people not in education, employment or training first.",
            "sustainability_plan": "The college takes on the apprenticeship brokerage in year "
            "three; the job club moves to volunteers trained as job buddies.",
            "risk_assessment": "Too few employers (medium: the Chamber's pledge); low "
            "attendance (medium: outreach with the housing trust's tenancy team).",
            "potential_savings": "Each person moved into work saves about £9,000 a year in "
            "benefits and adds to the local economy.",
            "community_engagement": "Residents who found work through the club mentor new "
            "members and speak at the area board.",
            "monitoring_arrangements": "Quarterly returns of the linked indicators and the "
            "provider's outcomes report at each review.",
        },
        costs=(
            ("Two advisers", "38200.00"),
            ("Community centre hire", "4800.00"),
            ("Travel to interviews and work clothing fund", "2500.00"),
            ("Management and overheads", "4500.00"),
        ),
        targets=(
            ("More apprenticeship starts by local residents", "MV-EDE3"),
            ("Fewer working-age people claiming out-of-work benefits", "NI 152"),
        ),
    ),
)


@dataclass
class Loaded:
    agreements: list[CommissioningAgreement] = field(default_factory=list)
    ending: list[CommissioningAgreement] = field(default_factory=list)
    overdue: list[CommissioningAgreement] = field(default_factory=list)


def _by_key(model, keys: dict, **filters) -> dict:
    names = {spec[0]: key for key, spec in keys.items()}
    field_name = "full_name" if model is User else "name"
    rows = model.objects.filter(**{f"{field_name}__in": list(names)}, **filters)
    return {names[getattr(row, field_name)]: row for row in rows}


def _own_indicator(
    spec: Spec, body: Body, lead: User, partnership: Partnership, today: date
) -> Indicator:
    own = spec.own or Own(
        f"{spec.reference}-1",
        f"People helped by the {spec.title.lower()} service",
        "People who used the service in the quarter (the provider's register).",
        "50",
    )
    found = Indicator.objects.filter(partnership=partnership, code=own.code).first()
    if found is not None:
        return found
    indicator = setup.indicator_create(
        actor=None,
        partnership=partnership,
        body=body,
        code=own.code,
        title=own.title,
        definition=own.definition,
        unit="number",
        polarity="higher",
        lead=lead,
        data_source=f"{spec.provider.title()} service records",
        baseline_value=Decimal(own.baseline),
        baseline_period=financial_year_label(open_quarter(today=today).year - 1),
    )
    year = open_quarter(today=today).year
    for y in (year, year + 1):
        setup.target_set(actor=None, indicator=indicator, year=y, value=Decimal(own.baseline))
    return indicator


@transaction.atomic
def load_agreements(*, partnership: Partnership, today: date | None = None) -> Loaded | None:
    """The four agreements (see the module's docstring); None when some are already there."""
    if CommissioningAgreement.objects.filter(partnership=partnership).exists():
        return None
    today = today or timezone.localdate()
    people = _by_key(User, PEOPLE)
    orgs = _by_key(Organisation, ORGANISATIONS, partnership=partnership)
    bodies = _by_key(Body, BODIES, partnership=partnership)
    indicators = {i.code: i for i in Indicator.objects.filter(partnership=partnership)}
    keys = {k.name: k for k in KeyPartnership.objects.filter(partnership=partnership)}
    loaded = Loaded()
    for spec in AGREEMENTS:
        body = bodies[spec.group]
        representative = people[spec.representative]
        targets = [
            {"description": text, "indicator": indicators[code]}
            for text, code in spec.targets
            if code in indicators and indicators[code].retired_on is None
        ]
        if spec.own is not None or not targets:
            own = _own_indicator(spec, body, representative, partnership, today)
            text = spec.own_target or f"Help people through the {spec.title.lower()} service"
            targets.append({"description": text, "indicator": own})
        costs = [{"description": text, "amount": Decimal(amount)} for text, amount in spec.costs]
        supervisor = people[spec.supervisor]
        agreement = agreement_create(
            actor=supervisor,
            body=body,
            reference=spec.reference,
            title=spec.title,
            provider=orgs[spec.provider],
            supervisor=supervisor,
            provider_representative=f"{representative.full_name}, {PEOPLE[spec.representative][1]}",
            provider_representative_email=representative.email,
            starts_on=today + timedelta(days=spec.starts),
            ends_on=today + timedelta(days=spec.ends),
            total_cost=sum((line["amount"] for line in costs), Decimal(0)),
            key_partnership=keys.get(spec.key_partnership),
            cost_lines=costs,
            targets=targets,
            review_dates=[today + timedelta(days=d) for d in spec.reviews],
            **COMMON,
            **spec.texts,
        )
        past = agreement.reviews.filter(due_on__lt=today).order_by("due_on")
        for review, late in zip(past, spec.held, strict=False):
            agreement_review_record(
                actor=supervisor,
                review=review,
                held_on=min(review.due_on + timedelta(days=late), today),
                findings="The service is on track against its targets and within its budget. "
                "Referrals are steady; the provider will report on who is under-represented "
                "at the next review.",
                today=today,
            )
        loaded.agreements.append(agreement)
        if spec.ends <= 90:
            loaded.ending.append(agreement)
        if len(spec.held) < len([d for d in spec.reviews if d < 0]):
            loaded.overdue.append(agreement)
    return loaded
