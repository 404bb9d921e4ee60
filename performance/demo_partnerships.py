"""The demo partnership's register of key partnerships: 13 fictional partnerships in the shape of
Chorley's Appendix A (the partnership itself, a leisure trust, the waste contract and the county
waste partnership, a golf course, property services, choice-based lettings, four software
suppliers, a payroll shared service, a shared financial services joint committee), each with
its lead service, remit, monitoring arrangements and whether additional monitoring is required
as the appendix has them, built through the services so the rules hold and each keeps its
history.

As of the day it is loaded: the register is published; two reviews are overdue (the waste
contract's and the golf course's), two are due within 90 days (the leisure trust's and the
payroll service's), the rest later. Lead officers are the demo's people: Helen Aldridge (the
governance lead) and Priya Shah (the co-ordinator) among them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from membership.management.commands.load_demo import BODIES, ORGANISATIONS, PEOPLE
from membership.models import User
from partnership.models import Body, Organisation, Partnership
from performance.models import Indicator, KeyPartnership, Risk
from performance.services.partnerships import (
    key_partnership_create,
    key_partnership_settings_save,
)

__all__ = ["KP", "LoadedRegister", "load_key_partnerships"]

YEARS = 3
COUNCIL = "council"
CONTRACTS = "Streetscene and Leisure Contracts"
ICT = "Customer, ICT and Transactional Services"
SUPPLIER = "Regular meetings with the supplier."


@dataclass(frozen=True)
class KP:
    """One key partnership of the demo. ``reviewed`` is how many days ago it was last reviewed
    (None: never, and ``due`` days from today is its first review)."""

    name: str
    service: str
    remit: str
    monitoring: str
    additional: str  # why additional monitoring is required, or "" for none
    officer: str  # a key of PEOPLE
    criteria: tuple[str, ...]
    reviewed: int | None
    due: int | None = None
    lead: str = COUNCIL  # a key of ORGANISATIONS
    partners: tuple[str, ...] = ()  # keys of ORGANISATIONS
    others: str = ""  # partners outside the partnership, one a line
    bodies: tuple[str, ...] = ()  # keys of BODIES
    risks: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()
    value: str | None = None
    funding: str = ""
    liabilities: str = ""
    exit: str = ""
    notice: str = ""
    mou: str = ""
    mou_by: str = ""
    own_reports: bool = False


# Three years to the day after ``reviewed`` days ago: 1,115 days ago is 20 days overdue, 1,060
# days ago is due in about 35 days.
REGISTER = (
    KP(
        "Mercia Vale Partnership (LSP)",
        "Policy and Communications",
        "To work on a multi-agency basis in co-ordinating a local approach to improving outcomes "
        "for local people, and in particular to deliver the Sustainable Community Strategy.",
        "Quarterly performance monitoring reports go to the Partnership Board and the "
        "Executive Cabinet.",
        "",
        "priya",
        ("strategic", "reliance", "resources"),
        reviewed=400,
        partners=("pct", "police", "fire", "cvs", "bizforum"),
        bodies=("board", "delivery"),
        risks=("DB-R1", "DB-R2"),
        mou="The partners agree the Sustainable Community Strategy and its delivery plans, and "
        "hold each other to account for their parts in it through the Partnership Board.",
        mou_by="Helen Aldridge, Head of Governance and Democratic Services",
        funding="Partners' contributions to the pooled budget.",
        value="85000",
        exit="Statutory duty to co-operate: no exit. Partners' contributions reviewed yearly.",
        own_reports=True,
    ),
    KP(
        "Vale Active Leisure Trust",
        CONTRACTS,
        "The management of the council's indoor leisure facilities, and to increase the number "
        "of centre users.",
        "Monthly operational meetings with the contractor. Twice-yearly partnership board "
        "meetings, to which the Executive Member is invited. Capital programme monitoring "
        "reports include spending on the leisure centre buildings; spending over £75,000 on "
        "the buildings normally needs an Executive Member decision or a report to Cabinet.",
        "A long contract of high value, with the council's buildings in the trust's care.",
        "gareth",
        ("financial", "commitment", "reliance"),
        reviewed=1060,
        others="Vale Active Leisure Trust",
        bodies=("health",),
        risks=("HCO-R8",),
        indicators=("NI 8",),
        value="1250000",
        funding="Management fee paid monthly by the council.",
        liabilities="The council keeps the buildings' structural repairs.",
        exit="Break clause at year ten; the centres return to the council.",
        notice="Twelve months, except for a serious breach of contract.",
    ),
    KP(
        "GreenCycle Waste and Recycling Contract",
        CONTRACTS,
        "To provide a waste and recycling collection service and deliver service improvements "
        "throughout the life of the contract.",
        "Regular operational meetings. Quarterly partnership board meetings, to which the "
        "Executive Member is invited. Proposed changes to the service are reported to the "
        "Executive Cabinet.",
        "The largest contract the council lets, and a service every household sees.",
        "joseph",
        ("financial", "reliance", "commitment"),
        reviewed=1115,
        others="GreenCycle Environmental Services Ltd",
        value="3400000",
        funding="The council's waste budget.",
        liabilities="Vehicle lease costs if the contract ends early.",
        exit="The county waste partnership's fall-back arrangements.",
        notice="Six months.",
    ),
    KP(
        "Mercia County Waste Partnership",
        CONTRACTS,
        "To co-ordinate waste management across the county.",
        "Regular officers' meetings. Three meetings a year of the partnership for the Executive "
        "Member. Major changes, such as adopting a waste strategy or changing the share of "
        "costs, go to Cabinet or an Executive Member report.",
        "",
        "joseph",
        ("statutory", "strategic"),
        reviewed=700,
        others="Mercia County Council\nThe other district councils of Mercia",
    ),
    KP(
        "Valley Park Golf Course",
        CONTRACTS,
        "The management of Valley Park golf course.",
        "Regular operational meetings. Twice-yearly partnership board meetings, to which the "
        "Executive Member is invited. Reports to the Executive Cabinet on major proposals, such "
        "as course improvements and the access road.",
        "The contractor's finances were weak at its last review.",
        "gareth",
        ("commitment", "innovation_risk"),
        reviewed=1130,
        others="Fairway Leisure Management Ltd",
        risks=("HCO-R8",),
        value="95000",
        exit="The course returns to the council's parks service.",
        notice="Six months.",
    ),
    KP(
        "Property Services Partnership",
        "Governance",
        "To provide a professional property management and maintenance service.",
        "Partnership meetings every two months at officer level.",
        "Performance fell short of the contract's standards last year.",
        "helen",
        ("reliance", "financial"),
        reviewed=300,
        others="Meridian Property Services Ltd",
        value="640000",
        notice="Twelve months.",
    ),
    KP(
        "Vale Home Choice",
        "Strategic Housing",
        "To provide a sub-regional choice-based lettings scheme with a common allocations policy.",
        "Monthly steering group meetings, which the housing options manager usually attends, "
        "where significant issues are raised and decisions made. Quarterly performance reports "
        "and periodic customer satisfaction surveys. A monthly operational group on process "
        "and consistency.",
        "Several councils and housing providers share one allocations policy.",
        "nadia",
        ("reliance", "strategic"),
        reviewed=500,
        partners=("housing",),
        bodies=("safer",),
        indicators=("NI 155",),
        mou="Each partner council adopts the common allocations policy and pays its share of "
        "the scheme's costs, by the number of lettings.",
        mou_by="Executive Cabinet",
    ),
    KP(
        "Revenues and Benefits Software",
        ICT,
        "The revenues and benefits software system.",
        SUPPLIER,
        "A system the council's income depends on.",
        "leanne",
        ("reliance",),
        reviewed=200,
        others="Sterling Business Systems Ltd",
        risks=("DB-R3",),
        value="180000",
    ),
    KP(
        "Document Management Service",
        ICT,
        "The provision of a managed documents-online service.",
        SUPPLIER,
        "A managed service holding personal data.",
        "leanne",
        ("reliance",),
        reviewed=250,
        others="Northway Information Solutions Ltd",
        risks=("DB-R3",),
    ),
    KP(
        "Planning and Licensing Software",
        ICT,
        "The provision of planning, land charges, environment and licensing software.",
        SUPPLIER,
        "Statutory registers are kept in it.",
        "leanne",
        ("reliance", "statutory"),
        reviewed=150,
        others="Idris Software Ltd",
    ),
    KP(
        "Payroll Shared Service",
        "HR and Organisational Development",
        "To provide a payroll and expenses service for every employee and elected member.",
        "Regular service review meetings with the provider; finance checks and monitors its "
        "invoices.",
        "Another council pays our staff: a failure is felt at once.",
        "priya",
        ("reliance", "resources"),
        reviewed=None,
        due=60,
        others="Westshore Borough Council",
        mou="Westshore Borough Council runs the payroll for both councils; each pays its share "
        "by the number of payslips.",
        mou_by="Joint officers' board",
    ),
    KP(
        "Shared Financial and Assurance Services",
        "Chief Executive's Office and Shared Financial Services",
        "Shared financial and assurance services.",
        "A joint committee meets regularly to monitor the performance of the shared service.",
        "",
        "martin",
        ("strategic", "financial", "resources"),
        reviewed=600,
        others="Westshore Borough Council",
        bodies=("delivery",),
        value="910000",
        liabilities="Each council bears its share of redundancy costs if the service ends.",
        exit="Either council may leave at the end of a financial year.",
        notice="Twelve months, to the end of a financial year.",
        own_reports=True,
    ),
    KP(
        "Financials Software",
        "Shared Financial Services",
        "To provide the core financial system's software licence and maintenance.",
        "The contract is monitored by exception through the shared service's performance "
        "report to the joint committee.",
        "A single supplier of the system both councils' accounts are kept in.",
        "martin",
        ("reliance",),
        reviewed=100,
        others="Civitas Financial Systems Ltd",
    ),
)


@dataclass
class LoadedRegister:
    key_partnerships: list[KeyPartnership]
    overdue: list[KeyPartnership]
    due_soon: list[KeyPartnership]


@transaction.atomic
def load_key_partnerships(
    *, partnership: Partnership, today: date | None = None
) -> LoadedRegister | None:
    """Load the demo's register once; None if the partnership already has key partnerships."""
    if KeyPartnership.objects.filter(partnership=partnership).exists():
        return None
    today = today or timezone.localdate()
    names = {spec[0]: key for key, spec in PEOPLE.items()}
    people = {names[u.full_name]: u for u in User.objects.filter(full_name__in=list(names))}
    org_names = {spec[0]: key for key, spec in ORGANISATIONS.items()}
    orgs = {
        org_names[o.name]: o
        for o in Organisation.objects.filter(partnership=partnership, name__in=list(org_names))
    }
    body_names = {spec[0]: key for key, spec in BODIES.items()}
    bodies = {
        body_names[b.name]: b
        for b in Body.objects.filter(partnership=partnership, name__in=list(body_names))
    }
    risks = {r.code: r for r in Risk.objects.filter(partnership=partnership)}
    indicators = {i.code: i for i in Indicator.objects.filter(partnership=partnership)}
    governance = people["helen"]
    key_partnership_settings_save(
        actor=governance, partnership=partnership, review_years=YEARS, publish_register=True
    )
    made = []
    for spec in REGISTER:
        last = today - timedelta(days=spec.reviewed) if spec.reviewed is not None else None
        made.append(
            key_partnership_create(
                actor=governance,
                partnership=partnership,
                today=today,
                name=spec.name,
                lead_organisation=orgs[spec.lead],
                lead_service=spec.service,
                lead_officer=people[spec.officer],
                remit=spec.remit,
                partner_organisations=[orgs[k] for k in spec.partners if k in orgs],
                other_partners=spec.others,
                bodies=[bodies[k] for k in spec.bodies if k in bodies],
                meets_key_criteria=True,
                key_criteria=list(spec.criteria),
                monitoring_arrangements=spec.monitoring,
                additional_monitoring=bool(spec.additional),
                additional_monitoring_reason=spec.additional,
                mou_text=spec.mou,
                mou_approved_by=spec.mou_by,
                mou_approved_on=today - timedelta(days=900) if spec.mou else None,
                funding=spec.funding,
                annual_value=Decimal(spec.value) if spec.value else None,
                liabilities=spec.liabilities,
                exit_strategy=spec.exit,
                notice_period=spec.notice,
                reports_to_executive=spec.own_reports,
                # Links to what the other demo loaders made, when they have run.
                risks=[risks[code] for code in spec.risks if code in risks],
                indicators=[indicators[code] for code in spec.indicators if code in indicators],
                last_reviewed_on=last,
                next_review_on=today + timedelta(days=spec.due) if spec.due else None,
            )
        )
    soon = today + timedelta(days=90)
    return LoadedRegister(
        key_partnerships=made,
        overdue=[kp for kp in made if kp.next_review_on < today],
        due_soon=[kp for kp in made if today <= kp.next_review_on <= soon],
    )
