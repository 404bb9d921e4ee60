"""Performance fixtures, on top of the personas of tests/conftest.py.

``perf`` adds, for the Safer Group (co-ordinated by ``group_coordinator``):
- the Board's ``chair`` as the group's chair too, and ``member`` (Testshire Council) sitting
  on it; ``colleague``, also from the Council, sits on it as well (a lead may delegate to them);
- an outcome, SC1, with a delivery-plan action led by ``member``;
- three indicators led by ``member``: SC01 burglaries (number, lower is better, published,
  quarterly, point in time, 10% tolerance), SC02 satisfaction (percentage, higher is better,
  members only) and SC03 strategy agreed (yes/no, annual);
- targets for this financial year and the last, and signed-off returns of SC01 and SC02 for the
  four quarters before the open one. The open quarter's returns are not started.
- OG01 of the Other Group, led by ``other_member``, unpublished.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from membership import services as ms
from membership.models import Role
from performance import services
from performance.selectors import open_quarter
from tests.factories import UserFactory


@pytest.fixture
def perf(world):
    return build_performance(world)


@pytest.fixture
def live_perf(live_world):
    return build_performance(live_world)


def signed_off(indicator, period, value, *, by, signer, commentary="Figures checked."):
    """A return submitted by ``by`` and signed off by ``signer``, through the services."""
    ret = services.return_submit(
        actor=by,
        indicator=indicator,
        period=period,
        version=0,
        value=Decimal(value),
        commentary=commentary,
        remedial_action="Extra patrols in the worst-affected wards",
        remedial_by=period.ends_on + timedelta(days=60),
        today=period.ends_on + timedelta(days=5),
    )
    return services.return_sign_off(actor=signer, ret=ret)


def build_performance(w):
    p = w.partnership
    ms.membership_create(
        actor=None,
        body=w.group,
        seat=w.group_seat,
        person=w.chair,
        role=Role.CHAIR,
        organisation=w.council,
        starts_on=w.start,
    )
    ms.membership_create(
        actor=None,
        body=w.group,
        seat=w.group_seat,
        person=w.member,
        organisation=w.council,
        starts_on=w.start,
    )
    colleague = UserFactory(email="colleague@example.org", full_name="Colleague")
    ms.membership_create(
        actor=None,
        body=w.group,
        seat=w.group_seat,
        person=colleague,
        organisation=w.council,
        starts_on=w.start,
    )
    outcome = services.outcome_create(
        actor=None,
        partnership=p,
        body=w.group,
        code="SC1",
        title="People feel safer in their neighbourhoods",
        kind="priority",
    )
    action = services.plan_action_create(
        actor=None,
        outcome=outcome,
        title="Neighbourhood watch in every ward",
        organisation=w.council,
        lead=w.member,
        due_on=w.start + timedelta(days=200),
    )
    common = {"actor": None, "partnership": p, "body": w.group, "outcome": outcome}
    burglary = services.indicator_create(
        **common,
        code="SC01",
        title="Reported burglaries",
        definition="Dwelling burglaries reported to the police in the quarter.",
        unit="number",
        polarity="lower",
        lead=w.member,
        frequency="quarterly",
        target_kind="point",
        tolerance_kind="percent",
        tolerance=Decimal(10),
        published=True,
        data_source="Police recorded crime",
    )
    satisfaction = services.indicator_create(
        **common,
        code="SC02",
        title="Residents satisfied with their area",
        unit="percentage",
        polarity="higher",
        lead=w.member,
        decimal_places=1,
        tolerance_kind="absolute",
        tolerance=Decimal(5),
    )
    strategy = services.indicator_create(
        **common,
        code="SC03",
        title="Community safety strategy agreed",
        unit="yes_no",
        polarity="higher",
        lead=w.member,
        frequency="annual",
    )
    other = services.indicator_create(
        actor=None,
        partnership=p,
        body=w.other,
        code="OG01",
        title="Volunteers recruited",
        unit="number",
        polarity="higher",
        lead=w.other_member,
    )
    period = open_quarter()
    for year in (period.year - 1, period.year, period.year + 1):
        services.target_set(actor=None, indicator=burglary, year=year, value=Decimal(100))
        services.target_set(actor=None, indicator=satisfaction, year=year, value=Decimal(80))
        services.target_set(actor=None, indicator=strategy, year=year, value=Decimal(1))
        services.target_set(actor=None, indicator=other, year=year, value=Decimal(50))
    history = [period.minus(n) for n in (4, 3, 2, 1)]
    for past, burglaries, satisfied in zip(
        history, (120, 105, 98, 90), (70, 76, 79, 82), strict=True
    ):
        signed_off(burglary, past, burglaries, by=w.member, signer=w.group_coordinator)
        signed_off(satisfaction, past, satisfied, by=w.member, signer=w.chair)
    return SimpleNamespace(
        colleague=colleague,
        outcome=outcome,
        action=action,
        burglary=burglary,
        satisfaction=satisfaction,
        strategy=strategy,
        other=other,
        period=period,
        history=history,
    )


def circulated(report):
    """The report's paper sent out with its meeting's papers (as papers_circulate does, which
    needs the rendered file): the report again, as it now is."""
    from django.utils import timezone

    from governance.models import Paper
    from performance.models import Report

    Paper.objects.filter(pk=report.paper_id).update(circulated_at=timezone.now())
    return Report.objects.select_related("paper", "agenda_item__meeting").get(pk=report.pk)
