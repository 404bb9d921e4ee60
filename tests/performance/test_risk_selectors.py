"""The risk reads: who sees which risk, a body's register, the heat map and the public summary."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from membership import services as ms
from partnership.periods import Quarter
from performance import selectors
from performance.models import (
    Risk,
    RiskAcceptance,
    RiskAppetite,
    RiskCategory,
    RiskControl,
    RiskSettings,
    RiskStatus,
)
from performance.permissions import can_see_risk
from performance.selectors import Band
from tests.conftest import fresh
from tests.factories import UserFactory

ROLES = [
    "anonymous",
    "outsider",
    "other_member",
    "member",
    "chair",
    "group_coordinator",
    "coordinator",
]


@pytest.fixture
def category(world):
    """A category, and ``world.risk_owner``: a Council officer who owns the risks made here and
    holds no place on any body (so owning is the only thing that shows them a risk)."""
    world.risk_owner = UserFactory(email="risk_owner@example.org", full_name="Risk Owner")
    return RiskCategory.objects.create(partnership=world.partnership, name="Partnership")


def make_risk(w, category, body, code, *, residual=(3, 3), inherent=(4, 4), target=(2, 2), **kw):
    return Risk.objects.create(
        partnership=w.partnership,
        body=body,
        code=code,
        title=f"Risk {code}",
        category=category,
        owner=w.risk_owner,
        owner_organisation=w.council,
        inherent_likelihood=inherent[0],
        inherent_impact=inherent[1],
        residual_likelihood=residual[0],
        residual_impact=residual[1],
        target_likelihood=target[0],
        target_impact=target[1],
        **kw,
    )


def as_role(w, role):
    return AnonymousUser() if role == "anonymous" else fresh(getattr(w, role))


@pytest.fixture
def spread(world, category):
    """One risk of each kind whose visibility differs."""
    w = world
    return {
        "G-OPEN": make_risk(w, category, w.group, "G-OPEN"),
        "G-CONF": make_risk(w, category, w.group, "G-CONF", confidential=True),
        "G-ESC": make_risk(
            w,
            category,
            w.group,
            "G-ESC",
            confidential=True,
            escalated_to=w.board,
            escalated_on=w.start,
        ),
        "B-CONF": make_risk(w, category, w.board, "B-CONF", confidential=True),
        "S-CONF": make_risk(w, category, w.subgroup, "S-CONF", confidential=True),
        "O-CONF": make_risk(w, category, w.other, "O-CONF", confidential=True),
    }


SEES = {
    "anonymous": set(),
    "outsider": set(),
    # Only the Other Group's own: a member of another body sees none of a group's risks,
    # confidential or not.
    "other_member": {"O-CONF"},
    # Board members see the Board's risks and those escalated to it, never a group's own.
    "member": {"G-ESC", "B-CONF"},
    "chair": {"G-ESC", "B-CONF"},
    # Co-ordinating a group covers its sub-group.
    "group_coordinator": {"G-OPEN", "G-CONF", "G-ESC", "S-CONF"},
    "coordinator": {"G-OPEN", "G-CONF", "G-ESC", "B-CONF", "S-CONF", "O-CONF"},
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_only_the_risks_its_places_give(world, spread, role):
    seen = selectors.risks_visible_to(as_role(world, role), world.partnership)
    assert set(seen.values_list("code", flat=True)) == SEES[role]


@pytest.mark.parametrize("role", ROLES)
def test_the_database_agrees_with_can_see_risk(world, spread, role):
    user = as_role(world, role)
    seen = set(selectors.risks_visible_to(user, world.partnership).values_list("pk", flat=True))
    allowed = {risk.pk for risk in spread.values() if can_see_risk(user, risk)}
    assert seen == allowed


def test_an_escalated_confidential_risk_is_seen_by_the_parents_members(world, spread):
    member = fresh(world.member)
    seen = selectors.risks_visible_to(member, world.partnership)
    codes = set(seen.values_list("code", flat=True))
    assert "G-ESC" in codes
    assert "G-CONF" not in codes


def test_the_risk_owner_sees_the_risks_they_own_only_while_sitting_on_a_body(world, spread):
    """Rights follow memberships: ownership counts while the owner sits on a body of the
    partnership. ``world.risk_owner`` sits on none."""
    seen = selectors.risks_visible_to(fresh(world.risk_owner), world.partnership)
    assert not seen.exists()
    ms.membership_create(
        actor=None,
        body=world.other,
        seat=world.other_seat,
        person=world.risk_owner,
        organisation=world.council,
        starts_on=world.start,
    )
    seen = selectors.risks_visible_to(fresh(world.risk_owner), world.partnership)
    assert set(seen.values_list("code", flat=True)) == set(spread)


def test_a_risk_no_longer_escalated_leaves_the_parents_sight(world, spread):
    Risk.objects.filter(code="G-ESC").update(escalated_to=None, escalated_on=None)
    seen = selectors.risks_visible_to(fresh(world.member), world.partnership)
    assert set(seen.values_list("code", flat=True)) == {"B-CONF"}


def test_closed_risks_stay_readable(world, category):
    make_risk(
        world,
        category,
        world.group,
        "G-CLOSED",
        status=RiskStatus.CLOSED,
        closed_on=world.start,
        closure_reason="The contract ended.",
    )
    seen = selectors.risks_visible_to(fresh(world.group_coordinator), world.partnership)
    assert list(seen.values_list("code", flat=True)) == ["G-CLOSED"]


def test_nobody_sees_the_risks_of_another_partnership(world, category):
    from tests.factories import PartnershipFactory

    make_risk(world, category, world.group, "G1")
    elsewhere = PartnershipFactory(name="Elsewhere", slug="elsewhere")
    assert not selectors.risks_visible_to(fresh(world.coordinator), elsewhere).exists()


# --- the register -------------------------------------------------------------------------------


def test_the_register_lists_own_risks_and_those_escalated_from_below(world, category):
    w = world
    own = make_risk(w, category, w.board, "B1", residual=(2, 3))
    escalated = make_risk(
        w, category, w.group, "G1", residual=(4, 5), escalated_to=w.board, escalated_on=w.start
    )
    make_risk(w, category, w.group, "G2", residual=(5, 5))  # the group's alone
    make_risk(w, category, w.board, "B0", residual=(2, 3))
    register = list(selectors.body_register(body=w.board, user=fresh(w.chair)))
    assert [r.code for r in register] == ["G1", "B0", "B1"]
    first = register[0]
    assert first.pk == escalated.pk  # the same row, not a copy
    assert first.escalated_here is True
    assert first.residual == 20
    assert first.residual_band == Band.VERY_HIGH
    assert [r.escalated_here for r in register[1:]] == [False, False]
    assert register[2].pk == own.pk


def test_the_group_register_still_shows_its_escalated_risk_as_its_own(world, category):
    w = world
    make_risk(w, category, w.group, "G1", escalated_to=w.board, escalated_on=w.start)
    (row,) = selectors.body_register(body=w.group, user=fresh(w.group_coordinator))
    assert row.escalated_here is False
    assert row.escalated_to == w.board


def test_the_register_shows_open_risks_unless_asked_for_all(world, category):
    w = world
    make_risk(w, category, w.group, "G1")
    make_risk(w, category, w.group, "G2", status=RiskStatus.CLOSED, closed_on=w.start)
    user = fresh(w.group_coordinator)
    assert [r.code for r in selectors.body_register(body=w.group, user=user)] == ["G1"]
    closed = selectors.body_register(body=w.group, user=user, status=RiskStatus.CLOSED)
    assert [r.code for r in closed] == ["G2"]
    everything = selectors.body_register(body=w.group, user=user, status=None)
    assert {r.code for r in everything} == {"G1", "G2"}


def test_the_register_is_filtered_to_what_the_user_may_see(world, spread):
    w = world
    assert not selectors.body_register(body=w.group, user=fresh(w.other_member)).exists()
    codes = [r.code for r in selectors.body_register(body=w.board, user=fresh(w.member))]
    assert codes == ["B-CONF", "G-ESC"]
    assert not selectors.body_register(body=w.group, user=AnonymousUser()).exists()


def test_the_register_says_which_risks_are_above_appetite_and_accepted(world, category, today):
    w = world
    finance = RiskCategory.objects.create(partnership=w.partnership, name="Financial")
    RiskAppetite.objects.create(body=w.group, threshold=12)
    RiskAppetite.objects.create(body=w.group, category=finance, threshold=6)
    make_risk(w, category, w.group, "G1", residual=(4, 4))  # 16 > 12
    make_risk(w, category, w.group, "G2", residual=(3, 4))  # 12, at appetite
    make_risk(w, finance, w.group, "G3", residual=(3, 3))  # 9 > the category's 6
    accepted = make_risk(w, finance, w.group, "G4", residual=(2, 3))  # 6, at appetite
    make_risk(w, category, w.other, "O1", residual=(5, 5))
    RiskAcceptance.objects.create(
        risk=accepted,
        accepted_by=w.chair,
        reason="Funding agreed for next year.",
        expires_on=today + timedelta(days=90),
        accepted_at=timezone.now(),
    )
    RiskAcceptance.objects.create(
        risk=accepted,
        accepted_by=w.chair,
        reason="An older acceptance, lapsed.",
        expires_on=today - timedelta(days=1),
        accepted_at=timezone.now() - timedelta(days=200),
    )
    rows = {r.code: r for r in selectors.body_register(body=w.group, user=fresh(w.coordinator))}
    assert {code: r.appetite for code, r in rows.items()} == {
        "G1": 12,
        "G2": 12,
        "G3": 6,
        "G4": 6,
    }
    assert {code for code, r in rows.items() if r.above_appetite} == {"G1", "G3"}
    assert rows["G4"].accepted_until == today + timedelta(days=90)
    assert rows["G1"].accepted_until is None
    other = selectors.body_register(body=w.other, user=fresh(w.coordinator)).get()
    assert other.appetite is None and other.above_appetite is False


def page_of(register):
    """Touch what a register page shows of each risk."""
    for risk in register:
        _ = (risk.body.name, risk.category.name, risk.owner.full_name)
        _ = (risk.owner_organisation.name, risk.escalated_to, risk.escalation_item)
        _ = [o.title for o in risk.outcomes.all()] + [i.code for i in risk.indicators.all()]
        _ = [a.title for a in risk.actions.all()]
        _ = [(c.description, c.owner.full_name) for c in risk.controls.all()]


def many_risks(w, category, n):
    """``n`` risks: half the Board's, half the Safer Group's escalated to the Board, each with
    a control (bulk-created: no history rows)."""
    risks = Risk.objects.bulk_create(
        Risk(
            partnership=w.partnership,
            body=w.board if i % 2 else w.group,
            escalated_to=None if i % 2 else w.board,
            escalated_on=None if i % 2 else w.start,
            code=f"R{i:04d}",
            title=f"Risk {i}",
            category=category,
            owner=w.member,
            owner_organisation=w.council,
            inherent_likelihood=5,
            inherent_impact=5,
            residual_likelihood=i % 5 + 1,
            residual_impact=(i // 5) % 5 + 1,
            target_likelihood=1,
            target_impact=1,
        )
        for i in range(n)
    )
    RiskControl.objects.bulk_create(
        RiskControl(risk=r, description="Quarterly check", owner=w.member, due_on=w.start)
        for r in risks
    )
    return risks


# The partnership's bodies, the user's rights and the partnership's tree (both kept for the
# request), whether the user sits in the partnership (an owner's rights follow it), the
# settings, the risks, then one query each for outcomes, indicators, actions and controls.
REGISTER_QUERIES = 10
# The bodies, rights and tree, whether the user sits in the partnership, the settings, and the
# risks with where they were.
HEAT_MAP_QUERIES = 6


@pytest.mark.parametrize("n", [10, 500])
def test_the_register_asks_the_same_queries_for_10_and_500_risks(
    world, category, n, django_assert_num_queries
):
    many_risks(world, category, n)
    chair = fresh(world.chair)
    with django_assert_num_queries(REGISTER_QUERIES):
        register = list(selectors.body_register(body=world.board, user=chair))
        page_of(register)
    assert len(register) == n


@pytest.mark.parametrize("n", [10, 500])
def test_the_heat_map_asks_the_same_queries_for_10_and_500_risks(
    world, category, n, django_assert_num_queries
):
    many_risks(world, category, n)
    chair = fresh(world.chair)
    with django_assert_num_queries(HEAT_MAP_QUERIES):
        risks = selectors.risks_visible_to(chair, world.partnership).filter(status="open")
        heat = selectors.heat_map(risks=risks, partnership=world.partnership)
    assert heat.total == n


def test_a_bodys_heat_map_is_drawn_from_its_register(world, category, django_assert_num_queries):
    many_risks(world, category, 20)
    chair = fresh(world.chair)
    with django_assert_num_queries(HEAT_MAP_QUERIES + 1):  # the register's settings too
        register = selectors.body_register(body=world.board, user=chair)
        heat = selectors.heat_map(risks=register, partnership=world.partnership)
    assert heat.total == 20
    assert sorted(p.code for p in heat.points) == [f"R{i:04d}" for i in range(20)]


# --- the heat map -------------------------------------------------------------------------------


@pytest.fixture
def mapped(world, category):
    """Three risks whose cells differ for each basis."""
    w = world
    make_risk(w, category, w.group, "A", inherent=(5, 5), residual=(4, 4), target=(1, 2))
    make_risk(w, category, w.group, "B", inherent=(5, 4), residual=(4, 4), target=(2, 2))
    make_risk(w, category, w.group, "C", inherent=(3, 4), residual=(1, 3), target=(1, 2))
    return Risk.objects.filter(partnership=w.partnership)


@pytest.mark.parametrize(
    "basis, cells, bands",
    [
        (
            "residual",
            {(4, 4): ["A", "B"], (1, 3): ["C"]},
            {Band.LOW: 1, Band.MEDIUM: 0, Band.HIGH: 0, Band.VERY_HIGH: 2},
        ),
        (
            "inherent",
            {(5, 5): ["A"], (5, 4): ["B"], (3, 4): ["C"]},
            {Band.LOW: 0, Band.MEDIUM: 0, Band.HIGH: 1, Band.VERY_HIGH: 2},
        ),
        (
            "target",
            {(1, 2): ["A", "C"], (2, 2): ["B"]},
            {Band.LOW: 3, Band.MEDIUM: 0, Band.HIGH: 0, Band.VERY_HIGH: 0},
        ),
    ],
)
def test_the_heat_map_counts_each_basis_into_its_cells(world, mapped, basis, cells, bands):
    heat = selectors.heat_map(risks=mapped, partnership=world.partnership, basis=basis)
    assert heat.basis == basis
    found = {(c.likelihood, c.impact): c.codes for row in heat.rows for c in row.cells if c.count}
    assert found == cells
    assert heat.counts_by_band == bands
    assert heat.total == 3
    for (likelihood, impact), codes in cells.items():
        cell = heat.cell(likelihood, impact)
        assert cell.count == len(codes)
        assert set(cell.ids) == set(mapped.filter(code__in=codes).values_list("pk", flat=True))


def test_the_heat_map_runs_likelihood_5_to_1_down_and_impact_1_to_5_across(world, mapped):
    heat = selectors.heat_map(risks=mapped, partnership=world.partnership)
    assert [row.likelihood for row in heat.rows] == [5, 4, 3, 2, 1]
    assert all([c.impact for c in row.cells] == [1, 2, 3, 4, 5] for row in heat.rows)
    assert all(c.likelihood == row.likelihood for row in heat.rows for c in row.cells)


def test_the_heat_map_bands_cells_by_the_default_bands(world, mapped):
    heat = selectors.heat_map(risks=mapped, partnership=world.partnership)
    assert heat.cell(1, 4).band == Band.LOW  # 4
    assert heat.cell(1, 5).band == Band.MEDIUM  # 5
    assert heat.cell(3, 3).band == Band.MEDIUM  # 9
    assert heat.cell(2, 5).band == Band.HIGH  # 10
    assert heat.cell(3, 5).band == Band.HIGH  # 15
    assert heat.cell(4, 4).band == Band.VERY_HIGH  # 16
    assert heat.cell(5, 5).band == Band.VERY_HIGH  # 25


def test_the_heat_map_follows_the_partnerships_own_bands(world, mapped):
    RiskSettings.objects.create(
        partnership=world.partnership, medium_from=3, high_from=8, very_high_from=20
    )
    heat = selectors.heat_map(risks=mapped, partnership=world.partnership, basis="inherent")
    assert heat.cell(4, 4).band == Band.HIGH  # 16, no longer very high
    assert heat.cell(1, 3).band == Band.MEDIUM
    assert heat.counts_by_band == {Band.LOW: 0, Band.MEDIUM: 0, Band.HIGH: 1, Band.VERY_HIGH: 2}


def test_band_of_agrees_with_the_services_risk_band(world):
    from performance.services.risks.register import risk_band

    settings = RiskSettings(partnership=world.partnership, medium_from=4, high_from=9)
    for score in range(1, 26):
        band = selectors.band_of(settings, score)
        assert band == risk_band(world.partnership, score, bands=settings)


def test_band_of_uses_the_defaults_without_settings(world):
    settings = selectors.risk_settings_of(world.partnership)
    assert settings.pk is None
    assert [selectors.band_of(settings, s) for s in (1, 4, 5, 9, 10, 15, 16, 25)] == [
        Band.LOW,
        Band.LOW,
        Band.MEDIUM,
        Band.MEDIUM,
        Band.HIGH,
        Band.HIGH,
        Band.VERY_HIGH,
        Band.VERY_HIGH,
    ]


def test_the_heat_map_refuses_an_unknown_basis(world, mapped):
    with pytest.raises(ValueError):
        selectors.heat_map(risks=mapped, partnership=world.partnership, basis="gross")


def backdate_history(risk, when):
    risk.history.update(history_date=when)


def test_the_residual_map_shows_where_each_risk_was_last_quarter(world, category, today):
    w = world
    previous = Quarter.of(today).previous()
    before = timezone.make_aware(datetime.combine(previous.ends_on - timedelta(days=10), time(9)))
    rising = make_risk(w, category, w.group, "UP", residual=(2, 2))
    falling = make_risk(w, category, w.group, "DOWN", residual=(4, 5))
    steady = make_risk(w, category, w.group, "SAME", residual=(3, 3))
    for risk in (rising, falling, steady):
        backdate_history(risk, before)
    # This quarter's review: re-scored (a new history row, dated now).
    rising.residual_likelihood, rising.residual_impact = 4, 4
    rising.save()
    falling.residual_likelihood = 2
    falling.save()
    make_risk(w, category, w.group, "NEW", residual=(2, 2))

    heat = selectors.heat_map(
        risks=Risk.objects.filter(partnership=w.partnership), partnership=w.partnership
    )
    assert heat.shows_movement
    assert heat.previous_quarter == previous
    points = {p.code: p for p in heat.points}
    assert (points["UP"].was_likelihood, points["UP"].was_impact) == (2, 2)
    assert points["UP"].movement == "up" and points["UP"].moved
    assert points["DOWN"].movement == "down"
    assert (points["DOWN"].was_likelihood, points["DOWN"].was_impact) == (4, 5)
    assert points["SAME"].movement == "same" and not points["SAME"].moved
    assert points["NEW"].movement == "new" and points["NEW"].was_score is None
    # The "was" counts: where the same risks stood when the quarter ended.
    assert heat.cell(2, 2).was_count == 1  # UP was here; NEW did not exist
    assert heat.cell(2, 2).count == 1  # NEW is here now
    assert heat.cell(4, 5).was_count == 1
    assert heat.cell(3, 3).was_count == 1
    assert heat.cell(4, 4).was_count == 0 and heat.cell(4, 4).count == 1


def test_a_change_after_the_quarter_ended_is_not_where_it_was(world, category, today):
    """A risk changed twice: the map takes the last score saved before the quarter ended."""
    w = world
    previous = Quarter.of(today).previous()
    risk = make_risk(w, category, w.group, "R1", residual=(1, 1))
    risk.residual_likelihood = 3
    risk.save()
    first, second = risk.history.order_by("history_date", "history_id")
    first_on = timezone.make_aware(datetime.combine(previous.starts_on, time(9)))
    second_on = timezone.make_aware(datetime.combine(previous.ends_on, time(17)))
    risk.history.filter(pk=first.pk).update(history_date=first_on)
    risk.history.filter(pk=second.pk).update(history_date=second_on)
    risk.residual_impact = 4
    risk.save()  # this quarter

    heat = selectors.heat_map(risks=Risk.objects.filter(pk=risk.pk), partnership=w.partnership)
    (point,) = heat.points
    assert (point.was_likelihood, point.was_impact) == (3, 1)
    assert (point.likelihood, point.impact) == (3, 4)


def test_only_the_residual_map_shows_movement(world, mapped):
    heat = selectors.heat_map(risks=mapped, partnership=world.partnership, basis="target")
    assert not heat.shows_movement
    assert all(p.was_score is None for p in heat.points)


# --- the public summary -------------------------------------------------------------------------


def test_no_public_summary_unless_the_partnership_publishes_one(world, mapped):
    assert selectors.public_risk_summary(world.partnership) is None
    RiskSettings.objects.create(partnership=world.partnership, publish_summary=False)
    assert selectors.public_risk_summary(world.partnership) is None


def test_the_public_summary_counts_open_risks_that_are_not_confidential(world, category):
    w = world
    RiskSettings.objects.create(partnership=w.partnership, publish_summary=True)
    make_risk(w, category, w.group, "A", residual=(4, 4))
    make_risk(w, category, w.group, "B", residual=(2, 3))
    make_risk(w, category, w.board, "C", residual=(2, 3))
    make_risk(w, category, w.group, "D", residual=(1, 1))
    make_risk(w, category, w.group, "SECRET", residual=(5, 5), confidential=True)
    make_risk(
        w, category, w.group, "SHUT", residual=(5, 5), status=RiskStatus.CLOSED, closed_on=w.start
    )
    summary = selectors.public_risk_summary(w.partnership)
    assert summary.counts_by_band == {
        Band.LOW: 1,
        Band.MEDIUM: 2,
        Band.HIGH: 0,
        Band.VERY_HIGH: 1,
    }
    assert summary.total == 4
    assert [band for band, _ in summary.band_counts] == list(Band)
