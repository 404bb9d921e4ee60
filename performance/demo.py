"""The demo partnership's performance management, built through the services so the rules hold
and history is kept: outcomes and delivery plans, about 30 indicators across the four thematic
groups with targets for this financial year and the three before it, two years of signed-off
returns, and the open quarter half done, so that a lead, a chair and a co-ordinator can each
take their part at once. Dates are relative to the day the demo is loaded; the content is in
``performance.management.demo_data``."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from membership.management.commands.load_demo import BODIES, ORGANISATIONS, PEOPLE
from membership.models import User
from partnership.models import Body, Notice, Organisation, Partnership
from partnership.periods import Quarter, financial_year, financial_year_label, quarters_ending
from performance import services
from performance.management.demo_data import (
    DEFAULT_SET_UP_BY,
    GROUPS,
    INDICATORS,
    OUTCOMES,
    SENT_BACK_REASON,
    SET_UP_BY,
    Spec,
)
from performance.models import (
    WHOLE_YEAR,
    ActionStatus,
    EventKind,
    Indicator,
    Outcome,
    Polarity,
    Rag,
    Return,
    ReturnEvent,
    ReturnStatus,
    TargetKind,
    ToleranceKind,
    Unit,
)
from performance.rules import format_value, rag_rating, target_for
from performance.selectors import open_quarter

HISTORY_QUARTERS = 8
LETTER = {"G": Rag.GREEN, "A": Rag.AMBER, "R": Rag.RED}
# How the open quarter's returns are left, as the load reports them.
STATES = {
    "": "not started",
    "draft": "draft",
    "delegated": "delegated",
    "submitted": "awaiting sign-off",
    "sent_back": "sent back",
    "signed": "signed off",
}
# A sentence added to some commentaries, in turn, so that two years of them do not read alike.
ASIDES = [
    "",
    " Figures validated at the group's performance clinic.",
    "",
    " The figure is provisional until the validated data are published.",
    " Discussed with partners at the group's last meeting.",
]


@dataclass
class Loaded:
    outcomes: int = 0
    indicators: int = 0
    history: int = 0
    open_states: dict[str, int] = field(default_factory=dict)


class _Builder:
    def __init__(self, partnership: Partnership, today: date):
        self.partnership, self.today = partnership, today
        self.open = open_quarter(today=today)
        self.history = quarters_ending(self.open.previous(), HISTORY_QUARTERS)
        this_year = financial_year(today)
        self.years = [this_year - 3, this_year - 2, this_year - 1, this_year]
        names = {PEOPLE[key][0]: key for key in PEOPLE}
        self.people = {
            names[u.full_name]: u for u in User.objects.filter(full_name__in=list(names))
        }
        orgs = {ORGANISATIONS[key][0]: key for key in ORGANISATIONS}
        self.orgs = {
            orgs[o.name]: o
            for o in Organisation.objects.filter(partnership=partnership, name__in=list(orgs))
        }
        self.bodies = {
            key: Body.objects.get(partnership=partnership, name=BODIES[key][0]) for key in GROUPS
        }
        self.outcomes: dict[str, Outcome] = {}
        self.targets: dict[str, dict[tuple[int, int], Decimal]] = {}
        self.so_far: dict[tuple[str, int], Decimal] = {}
        # (return id, submitted at, signed off at) to date the events as they happened.
        self.stamps: list[tuple[int, datetime, datetime | None]] = []
        self.history_ids: list[int] = []

    def actor(self, group: str) -> User:
        return self.people[SET_UP_BY.get(group, DEFAULT_SET_UP_BY)]

    # --- plan ---------------------------------------------------------------------------------

    def outcomes_and_plans(self) -> None:
        for code, (group, kind, title, description, actions) in OUTCOMES.items():
            outcome = services.outcome_create(
                actor=self.actor(group),
                partnership=self.partnership,
                body=self.bodies[group],
                code=code,
                title=title,
                kind=kind,
                description=description,
            )
            self.outcomes[code] = outcome
            for action, org, lead, starts, due, status, progress in actions:
                due_on = self.today + timedelta(days=due)
                services.plan_action_create(
                    actor=self.actor(group),
                    outcome=outcome,
                    title=action,
                    organisation=self.orgs[org],
                    lead=self.people[lead],
                    starts_on=self.today + timedelta(days=starts),
                    due_on=due_on,
                    status=status,
                    completed_on=due_on - timedelta(days=7)
                    if status == ActionStatus.COMPLETE
                    else None,
                    progress=progress,
                )

    def indicator(self, spec: Spec) -> Indicator:
        indicator = services.indicator_create(
            actor=self.actor(spec.group),
            partnership=self.partnership,
            body=self.bodies[spec.group],
            outcome=self.outcomes[spec.outcome],
            code=spec.code,
            title=spec.title,
            definition=spec.definition,
            unit=spec.unit,
            polarity=spec.polarity,
            baseline_value=Decimal(spec.baseline),
            baseline_period=financial_year_label(self.years[0] - 1),
            data_source=spec.source,
            lead=self.people[spec.lead],
            frequency=spec.frequency,
            target_kind=spec.kind,
            decimal_places=spec.places,
            tolerance_kind=spec.tolerance_kind,
            tolerance=Decimal(spec.tolerance),
            travel_margin=Decimal(0),
            published=spec.published,
        )
        self.targets[spec.code] = {}
        for n, year in enumerate(self.years, start=1):
            for quarter, value in self.year_targets(spec, n).items():
                services.target_set(
                    actor=self.actor(spec.group),
                    indicator=indicator,
                    year=year,
                    quarter=quarter,
                    value=value,
                )
                self.targets[spec.code][(year, quarter)] = value
        return indicator

    def year_targets(self, spec: Spec, n: int) -> dict[int, Decimal]:
        """The ``n``th year's targets: a step better than the year before each year."""
        sign = 1 if spec.polarity == Polarity.HIGHER else -1
        year = _round(Decimal(spec.baseline) + sign * Decimal(spec.step) * n, spec.places)
        targets = {WHOLE_YEAR: year}
        if spec.kind == TargetKind.CUMULATIVE:
            for quarter, share in enumerate(spec.profile, start=1):
                targets[quarter] = _round(year * Decimal(share), spec.places)
        else:
            for quarter, extra in enumerate(spec.profile, start=1):
                targets[quarter] = _round(year + sign * -Decimal(extra), spec.places)
        return targets

    # --- returns ------------------------------------------------------------------------------

    def value(self, spec: Spec, indicator: Indicator, period: Quarter, letter: str):
        """A figure for ``period`` that rates ``letter`` against its target, and the target."""
        target = target_for(indicator, period, self.targets[spec.code])
        if spec.unit == Unit.YES_NO:
            return (Decimal(1) if letter == "G" else Decimal(0)), target
        rng = random.Random(f"{spec.code} {period.slug}")
        sign = 1 if spec.polarity == Polarity.HIGHER else -1
        if spec.tolerance_kind == ToleranceKind.PERCENT:
            allowed = abs(target) * Decimal(spec.tolerance) / 100
        else:
            allowed = Decimal(spec.tolerance)
        spread = {"G": (0.05, 0.9), "A": (-0.9, -0.25), "R": (-2.6, -1.3)}[letter]
        # A year-to-date figure never falls during the year.
        floor = self.so_far.get((spec.code, period.year), Decimal(0))
        for _ in range(30):
            value = target + sign * allowed * Decimal(str(round(rng.uniform(*spread), 3)))
            value = max(_round(value, spec.places, money=spec.unit == Unit.CURRENCY), floor)
            if spec.unit == Unit.PERCENTAGE:
                value = min(value, Decimal(100))
            if self.rag(indicator, value, target) == LETTER[letter]:
                break
        if spec.kind == TargetKind.CUMULATIVE:
            self.so_far[(spec.code, period.year)] = value
        return value, target

    @staticmethod
    def rag(indicator: Indicator, value: Decimal, target: Decimal) -> Rag:
        return rag_rating(
            value=value,
            target=target,
            polarity=indicator.polarity,
            unit=indicator.unit,
            tolerance_kind=indicator.tolerance_kind,
            tolerance=indicator.tolerance,
        )

    def words(self, spec, indicator, period, letter, value, target, turn) -> dict:
        """The commentary, and for a figure off track the remedial action and its date."""
        rag = self.rag(indicator, value, target)
        shown = format_value(indicator, value)
        wanted = format_value(indicator, target)
        if spec.unit == Unit.YES_NO:
            said = spec.good if rag == Rag.GREEN else spec.bad
            commentary = f"{shown}. {said}"
        elif rag == Rag.GREEN:
            commentary = f"{shown} against a target of {wanted}. {spec.good}"
        elif rag == Rag.AMBER:
            commentary = f"{shown}, a little short of the target of {wanted}. {spec.bad}"
        else:
            commentary = f"{shown} against a target of {wanted}: off track. {spec.bad}"
        words = {"commentary": commentary + ASIDES[turn % len(ASIDES)]}
        if rag in (Rag.AMBER, Rag.RED):
            words["remedial_action"] = spec.remedy
            words["remedial_by"] = period.ends_on + timedelta(days=120)
        return words

    def signer(self, spec: Spec, submitter: User, turn: int) -> User:
        """The group's co-ordinator or chair, in turn: never whoever submitted."""
        signers = [self.people[k] for k in GROUPS[spec.group][0]]
        signers = [p for p in signers if p.pk != submitter.pk]
        return signers[turn % len(signers)]

    def submit(self, spec, indicator, period, letter, *, turn: int, on: date) -> Return:
        value, target = self.value(spec, indicator, period, letter)
        return services.return_submit(
            actor=indicator.lead,
            indicator=indicator,
            period=period,
            version=0,
            value=value,
            today=max(on, period.ends_on + timedelta(days=1)),
            **self.words(spec, indicator, period, letter, value, target, turn),
        )

    def history_of(self, spec: Spec, indicator: Indicator) -> None:
        due = [p for p in self.history if indicator.is_due(p)]
        for turn, period in enumerate(due):
            letter = spec.pattern[turn % len(spec.pattern)]
            rng = random.Random(f"{spec.code} {period.slug} dates")
            submitted = period.ends_on + timedelta(days=rng.randint(8, 26))
            signed = submitted + timedelta(days=rng.randint(2, 12))
            ret = self.submit(spec, indicator, period, letter, turn=turn, on=submitted)
            services.return_sign_off(actor=self.signer(spec, ret.submitted_by, turn), ret=ret)
            self.stamps.append((ret.pk, _at(submitted, 10), _at(signed, 15)))
            self.history_ids.append(ret.pk)

    def open_return(self, spec: Spec, indicator: Indicator) -> str:
        """This quarter's return as ``spec.now`` says: the state it is left in."""
        period, today = self.open, self.today
        if not indicator.is_due(period):
            return "not due"
        state, _, detail = spec.now.partition(":")
        rng = random.Random(f"{spec.code} {period.slug} dates")
        # Submitted some days ago, but never before the quarter ended.
        submitted = max(period.ends_on + timedelta(days=1), today - timedelta(rng.randint(3, 20)))
        signed = min(today, submitted + timedelta(days=rng.randint(1, 4)))
        turn = len(spec.pattern)
        if state in ("submitted", "signed", "sent_back"):
            ret = self.submit(spec, indicator, period, detail, turn=turn, on=today)
            stamp = None
            if state == "signed":
                signer = self.signer(spec, ret.submitted_by, turn)
                services.return_sign_off(actor=signer, ret=ret)
                stamp = _at(signed, 16)
            elif state == "sent_back":
                chair = self.people[GROUPS[spec.group][0][0]]
                services.return_send_back(actor=chair, ret=ret, reason=SENT_BACK_REASON)
            self.stamps.append((ret.pk, _at(submitted, 11), stamp))
        elif state == "draft":
            value, target = self.value(spec, indicator, period, detail)
            words = self.words(spec, indicator, period, detail, value, target, turn)
            # A draft half written: the figure and commentary are in, the action is not.
            services.return_save(
                actor=indicator.lead,
                indicator=indicator,
                period=period,
                version=0,
                value=value,
                commentary=words["commentary"],
                today=today,
            )
        elif state == "delegated":
            services.return_delegate(
                actor=indicator.lead,
                indicator=indicator,
                period=period,
                delegate=self.people[detail],
                today=today,
            )
        return STATES[state]


@transaction.atomic
def load_performance(*, partnership: Partnership, today: date | None = None) -> Loaded | None:
    """Load the demo's performance management once; None if the partnership already has it."""
    if Outcome.objects.filter(partnership=partnership).exists():
        return None
    today = today or timezone.localdate()
    b = _Builder(partnership, today)
    b.outcomes_and_plans()
    indicators = [(spec, b.indicator(spec)) for spec in INDICATORS]
    # Oldest quarter first for every indicator, so each return's direction of travel is
    # worked out against the figures before it, as it was when it was submitted.
    for spec, indicator in indicators:
        b.history_of(spec, indicator)
    for group, (_signers, days) in GROUPS.items():
        services.deadline_set(
            actor=b.people[DEFAULT_SET_UP_BY],
            body=b.bodies[group],
            period=b.open,
            due_on=max(today + timedelta(days=days), b.open.ends_on + timedelta(days=1)),
        )
    states: dict[str, int] = {}
    for spec, indicator in indicators:
        state = b.open_return(spec, indicator)
        states[state] = states.get(state, 0) + 1
    _date_as_it_happened(b.stamps)
    _forget_old_notices(b.history_ids)
    return Loaded(
        outcomes=len(b.outcomes),
        indicators=len(indicators),
        history=len(b.history_ids),
        open_states=states,
    )


def _date_as_it_happened(stamps) -> None:
    """The services stamp submissions and sign-offs (and their history rows and events) with
    the time they run: put them back on the days they were made, so two years of returns do
    not all look submitted the day the demo was loaded. Only timestamps change; every value,
    rating and person is as the services recorded it."""
    history = Return.history.model
    for pk, submitted, signed in stamps:
        Return.objects.filter(pk=pk).update(submitted_at=submitted)
        # A return sent back was last changed today, when it was sent back.
        Return.objects.filter(pk=pk).exclude(status=ReturnStatus.SENT_BACK).update(
            updated_at=signed or submitted
        )
        ReturnEvent.objects.filter(ret_id=pk, kind=EventKind.SUBMITTED).update(at=submitted)
        history.objects.filter(
            id=pk, history_change_reason__in=["Draft saved", "Submitted for sign-off"]
        ).update(history_date=submitted)
        if signed is not None:
            Return.objects.filter(pk=pk).update(signed_off_at=signed)
            ReturnEvent.objects.filter(ret_id=pk, kind=EventKind.SIGNED_OFF).update(at=signed)
            history.objects.filter(id=pk, history_change_reason="Signed off").update(
                history_date=signed
            )


def _forget_old_notices(return_ids: list[int]) -> None:
    """Each sign-off tells its lead once the load commits (``notify_once``, keyed by the
    event). Two years of "signed off" notices would bury the ones that matter now, and send
    two hundred e-mails, so the past quarters' keys are marked as already told (the lead who
    submitted is the one told) and the marks removed once the load has committed. Commit
    callbacks run in the order they were registered, so this one runs after the sends."""
    events = ReturnEvent.objects.filter(
        ret_id__in=return_ids, kind=EventKind.SIGNED_OFF
    ).values_list("pk", "ret__indicator__lead_id")
    told = [
        Notice(recipient_id=lead, key=f"return-signed_off:{pk}", subject="Demo history")
        for pk, lead in events
    ]
    Notice.objects.bulk_create(told)
    keys = [notice.key for notice in told]
    transaction.on_commit(lambda: Notice.objects.filter(key__in=keys).delete())


def _round(value: Decimal, places: int, *, money: bool = False) -> Decimal:
    """To the indicator's decimal places; sums of money to the nearest £1,000, as reported."""
    if money:
        return (value / 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP) * 1000
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))
