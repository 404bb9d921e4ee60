"""What a restructure does to a body's performance records (issue 16): open risks, active
indicators, open delivery-plan outcomes, running commissioning agreements and key
partnerships move to the successor or end, each with the reason in its history."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from membership.models import Membership, Role
from membership.services.restructure import MemberChoice, NewBody, restructure
from partnership.models import ChangeKind
from partnership.restructure import open_things
from performance import services
from performance.models import CommissioningAgreement, Indicator, KeyPartnership, Outcome, Risk
from tests.performance.test_agreements import make_agreement
from tests.performance.test_key_partnerships import make as make_key_partnership
from tests.performance.test_risk_services import make_risk


@pytest.fixture
def setup(world, perf, today):
    categories = {c.name: c for c in services.risk_categories(world.partnership)}
    risk = make_risk(world, SimpleNamespace(categories=categories, perf=perf))
    agreement = make_agreement(world, perf, today)
    kp = make_key_partnership(world, bodies=[world.group, world.board])
    return SimpleNamespace(risk=risk, agreement=agreement, kp=kp, perf=perf)


def merge(world, today, setup, *, decision: str, **things):
    """Merge the Safer Group and the Other Group into a new Commissioning Board, everyone who
    sits on them carried over."""
    held = Membership.objects.current(on=today).filter(body__in=[world.group, world.other])
    members = {
        m.pk: MemberChoice(seat="Partners", role=Role.MEMBER if m.role != Role.CHAIR else m.role)
        for m in held
    }
    chosen = {
        f"body-{world.subgroup.pk}": "move",
        f"risk-{setup.risk.pk}": decision,
        f"outcome-{setup.perf.outcome.pk}": decision,
        f"agreement-{setup.agreement.pk}": "move",
        f"keypartnership-{setup.kp.pk}": decision,
        **{
            f"indicator-{i.pk}": decision
            for i in Indicator.objects.filter(body__in=[world.group, world.other])
        },
        **things,
    }
    return restructure(
        actor=world.coordinator,
        kind=ChangeKind.MERGE,
        partnership=world.partnership,
        sources=[world.group, world.other],
        effective_on=today,
        reason="The 2011 review",
        new_body=NewBody(name="Commissioning Board", kind="commissioning_board"),
        members=members,
        things=chosen,
    )


def test_every_open_performance_record_is_to_be_decided(world, setup, today):
    found = {
        c.kind: sorted(t.label for t in things)
        for c, things in open_things(bodies=[world.group, world.other], on=today)
    }
    assert found["risk"] == ["Risk SG-R1: Partners withdraw funding for neighbourhood wardens"]
    assert found["outcome"] == ["Outcome SC1: People feel safer in their neighbourhoods"]
    assert [label[:14] for label in found["indicator"]] == [
        "Indicator OG01",
        "Indicator SC01",
        "Indicator SC02",
        "Indicator SC03",
    ]
    assert found["agreement"][0].startswith("Agreement SLA-01")
    assert found["keypartnership"] == ["Key partnership Leisure Trust"]


def test_moved_records_belong_to_the_successor(world, setup, today):
    result = merge(world, today, setup, decision="move")
    new = result.change.successor
    assert Risk.objects.get(pk=setup.risk.pk).body == new
    assert set(Indicator.objects.values_list("body", flat=True)) == {new.pk}
    assert Outcome.objects.get(pk=setup.perf.outcome.pk).body == new
    assert CommissioningAgreement.objects.get(pk=setup.agreement.pk).commissioning_body == new
    kp = KeyPartnership.objects.get(pk=setup.kp.pk)
    assert set(kp.bodies.all()) == {world.board, new}  # the Board's link stays
    risk = Risk.objects.get(pk=setup.risk.pk)
    assert risk.history.first().history_change_reason == (
        "Moved to Commissioning Board: The 2011 review"
    )
    assert "Key partnership Leisure Trust is linked to Commissioning Board." in result.lines


def test_ended_records_are_closed_retired_or_left_as_they_were(world, setup, today):
    result = merge(world, today, setup, decision="end")
    risk = Risk.objects.get(pk=setup.risk.pk)
    assert (risk.status, risk.closed_on, risk.closure_reason) == (
        "closed",
        today,
        "The 2011 review",
    )
    assert set(Indicator.objects.values_list("retired_on", flat=True)) == {today}
    assert Outcome.objects.get(pk=setup.perf.outcome.pk).closed_on == today
    kp = KeyPartnership.objects.get(pk=setup.kp.pk)
    assert set(kp.bodies.all()) == {world.board, world.group} and kp.is_active
    assert "Indicator SC01: Reported burglaries is retired." in result.lines
    assert "Risk SG-R1: Partners withdraw funding for neighbourhood wardens is closed." in (
        result.lines
    )


def test_a_running_agreement_cannot_end_with_its_body(world, setup, today):
    with pytest.raises(ValidationError) as refused:
        merge(world, today, setup, decision="move", **{f"agreement-{setup.agreement.pk}": "end"})
    assert (
        "cannot end with its commissioning body"
        in (refused.value.message_dict[f"agreement-{setup.agreement.pk}"][0])
    )
    assert Risk.objects.get(pk=setup.risk.pk).body == world.group
