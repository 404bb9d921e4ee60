"""The demo's risk registers: every thematic group and board has one, with a year of reviews,
two risks escalated to the Delivery Board and one accepted above appetite by its chair, all
built through the services so the rules hold. The demo is loaded once for the module (with the
meetings, performance and reports around it, as ``make demo`` loads them) and rolled back at
its end; the tests only read it, except the last, which loads it again and checks nothing
changed."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from governance.models import AgendaItem, Purpose
from membership.models import Membership, User
from partnership.models import Body, Partnership
from partnership.periods import Quarter
from performance import selectors
from performance.demo_risks.data import ACCEPTED, ESCALATED, STILL_TO_REVIEW
from performance.models import (
    ControlStatus,
    Risk,
    RiskAcceptance,
    RiskAppetite,
    RiskControl,
    RiskReview,
    RiskStatus,
)
from performance.selectors.returns import open_quarter
from performance.services import acceptance_in_force, appetite_for, is_above_appetite

REGISTERS = {
    "Mercia Vale Partnership Board",
    "Delivery Board",
    "Children and Young People",
    "Safer and Stronger Communities",
    "Healthier Communities and Older People",
    "Economic Development and Enterprise",
}
GROUPS = REGISTERS - {"Mercia Vale Partnership Board", "Delivery Board"}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo with its meetings, performance, risks and reports, once for the module, undone
    at its end."""
    from partnership.storage import private_storage

    with django_db_blocker.unblock():
        # The agreement's PDF goes to a folder of the module's own (see tests/conftest.py).
        location = private_storage.__dict__.get("_location")
        private_storage._location = str(tmp_path_factory.mktemp("private"))
        for cached in ("base_location", "location"):
            private_storage.__dict__.pop(cached, None)
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("load_demo", "--force", stdout=StringIO())
            call_command("load_demo_meetings", "--force", stdout=StringIO())
            call_command("load_demo_performance", "--force", stdout=StringIO())
            out = StringIO()
            call_command("load_demo_risks", "--force", stdout=out)
            # The reports come after the risks (they may summarise them): they still load.
            call_command("load_demo_reports", "--force", stdout=StringIO())
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            private_storage._location = location
            for cached in ("base_location", "location"):
                private_storage.__dict__.pop(cached, None)


@pytest.fixture
def loaded(demo, db):
    return demo


def _risks():
    return Risk.objects.select_related("body__parent", "owner", "owner_organisation", "category")


def _year() -> list[Quarter]:
    """The four quarters before the one being collected, oldest first."""
    this = open_quarter()
    return [this.minus(n) for n in range(4, 0, -1)]


def test_each_thematic_group_and_board_has_8_to_15_risks(loaded):
    by_body = Counter(Risk.objects.values_list("body__name", flat=True))
    assert set(by_body) == REGISTERS
    assert all(8 <= n <= 15 for n in by_body.values()), by_body
    # The command says what it loaded.
    assert f"Loaded {sum(by_body.values())} risks" in loaded


def test_every_risk_keeps_the_registers_rules(loaded):
    demo = Partnership.objects.get(slug="demo")
    for risk in _risks().prefetch_related("controls", "outcomes", "indicators", "actions"):
        assert risk.partnership_id == demo.pk and risk.body.partnership_id == demo.pk
        assert risk.category.partnership_id == demo.pk
        assert risk.title and risk.description and risk.cause and risk.effect, risk.code
        for kind in ("inherent", "residual", "target"):
            for part in ("likelihood", "impact"):
                assert 1 <= getattr(risk, f"{kind}_{part}") <= 5
        assert risk.target_likelihood <= risk.inherent_likelihood, risk.code
        assert risk.target_impact <= risk.inherent_impact, risk.code
        assert risk.target_score <= risk.inherent_score, risk.code
        # Its owner sits on a body of the partnership, for the organisation named.
        assert (
            Membership.objects.current()
            .filter(
                person=risk.owner,
                organisation=risk.owner_organisation,
                body__partnership=demo,
            )
            .exists()
        ), risk.code
        assert 1 <= len(risk.controls.all()) <= 3, risk.code
        # Links are to the owning group's own outcomes, indicators and actions.
        assert all(o.body_id == risk.body_id for o in risk.outcomes.all()), risk.code
        assert all(i.body_id == risk.body_id for i in risk.indicators.all()), risk.code
        assert all(a.outcome.body_id == risk.body_id for a in risk.actions.all()), risk.code
        if risk.body.name in GROUPS:
            assert risk.outcomes.exists(), f"{risk.code} links to none of its group's outcomes"
    assert Risk.objects.filter(indicators__isnull=False).distinct().count() >= 20
    assert Risk.objects.filter(actions__isnull=False).distinct().count() >= 20
    categories = set(Risk.objects.values_list("category__name", flat=True))
    assert {"Safeguarding", "Financial", "Partnership", "Information governance"} <= categories
    assert Risk.objects.filter(confidential=True).exists()


def test_controls_are_in_place_in_progress_and_overdue(loaded):
    today = timezone.localdate()
    statuses = Counter(RiskControl.objects.values_list("status", flat=True))
    assert statuses[ControlStatus.IN_PLACE] >= 10
    assert statuses[ControlStatus.OVERDUE] >= 5
    assert statuses[ControlStatus.IN_PROGRESS] >= 5
    assert not RiskControl.objects.filter(status=ControlStatus.OVERDUE, due_on__gte=today).exists()
    for control in RiskControl.objects.filter(status=ControlStatus.IN_PLACE):
        assert control.done_on is not None and control.done_on <= today
        assert control.effectiveness in {"effective", "partial"}
    # A control put in place during the year says so in its history, on the day it was.
    changed = RiskControl.history.filter(history_change_reason="Control changed")
    assert changed.exists()
    assert all(h.history_date.date() < today for h in changed.filter(status="in_place"))


def test_a_year_of_quarterly_reviews_by_each_risks_owner(loaded):
    year = _year()
    today = timezone.localdate()
    for risk in _risks().prefetch_related("reviews"):
        reviews = list(risk.reviews.all())
        assert all(r.reviewer_id == risk.owner_id for r in reviews), risk.code
        past = {(r.year, r.quarter) for r in reviews} & {(q.year, q.number) for q in year}
        added = Quarter.of(timezone.localtime(risk.created_at).date())
        expected = [q for q in year if q >= added]
        if risk.status == RiskStatus.CLOSED:
            # Reviewed until it was closed: perhaps not in the quarter it was closed in.
            expected = [q for q in expected if q.starts_on <= risk.closed_on]
            assert {(q.year, q.number) for q in expected[:-1]} <= past, risk.code
            expected = [q for q in expected if (q.year, q.number) in past]
        assert past == {(q.year, q.number) for q in expected}, risk.code
        for review in reviews:
            quarter = Quarter(review.year, review.quarter)
            # Dated in the weeks after its quarter ended, as it happened (the review form
            # records the quarter being collected): not all on the day the demo loaded.
            day = timezone.localtime(review.reviewed_at).date()
            assert quarter.ends_on < day <= today, risk.code
            if quarter != open_quarter():
                assert day <= quarter.ends_on + timedelta(days=21), risk.code
        latest = max(reviews, key=lambda r: r.reviewed_at)
        assert latest.residual_likelihood == risk.residual_likelihood, risk.code
        assert latest.residual_impact == risk.residual_impact, risk.code
    # Most reviews confirm the risk unchanged; the rest re-score it and say what changed.
    kinds = Counter(RiskReview.objects.values_list("unchanged", flat=True))
    assert kinds[True] > kinds[False] >= 20
    assert not RiskReview.objects.filter(unchanged=False, what_changed="").exists()
    assert len({r.reviewed_at.date() for r in RiskReview.objects.all()}) > 40
    # Every risk was on its register by the year's first review, or added during the year.
    assert Risk.objects.filter(created_at__date__lt=year[0].ends_on).count() >= 40
    assert Risk.objects.filter(created_at__date__gt=year[0].ends_on).exists()
    # The quarter being collected was reviewed, but for a few owners still to do it.
    this = open_quarter()
    reviewed = RiskReview.objects.filter(year=this.year, quarter=this.number).values("risk")
    waiting = Risk.objects.filter(status=RiskStatus.OPEN).exclude(pk__in=reviewed)
    assert set(waiting.values_list("code", flat=True)) == set(STILL_TO_REVIEW)


def test_the_history_reads_as_it_happened(loaded):
    """Each risk's history is dated when each thing happened, so the heat map shows where risks
    moved since last quarter, and a risk's page reads truly."""
    for risk in Risk.objects.all():
        added = risk.history.get(history_change_reason="Risk added")
        assert added.history_date == risk.created_at
    assert Risk.history.filter(history_date__date__lt=_year()[-1].starts_on).count() >= 60
    demo = Partnership.objects.get(slug="demo")
    open_risks = Risk.objects.filter(partnership=demo, status=RiskStatus.OPEN)
    heat = selectors.heat_map(risks=open_risks, partnership=demo)
    movements = Counter(point.movement for point in heat.points)
    assert movements["same"] > movements["up"] >= 3, movements
    assert movements["down"] >= 1
    assert movements["new"] == 0, "every open risk was on its register last quarter"


def test_exactly_two_group_risks_are_escalated_to_the_delivery_board_on_its_next_agenda(loaded):
    delivery = Body.objects.get(name="Delivery Board")
    escalated = list(_risks().filter(escalated_to__isnull=False).order_by("code"))
    assert [r.code for r in escalated] == sorted(ESCALATED)
    today = timezone.localdate()
    for risk in escalated:
        assert risk.body.name in GROUPS and risk.body.parent == delivery
        assert risk.escalated_to == delivery
        assert is_above_appetite(risk) and acceptance_in_force(risk) is None
        assert risk.escalated_on is not None and risk.escalated_on <= today
        item = AgendaItem.objects.select_related("meeting").get(pk=risk.escalation_item_id)
        assert item.meeting.body == delivery and item.meeting.held_on >= today
        assert item.purpose == Purpose.DECISION and item.confidential
        assert risk.code in item.title
    # The Board's chair sees them on one page, above appetite, with the Board's own risks.
    martin = User.objects.get(full_name="Martin Ashworth")
    register = list(selectors.body_register(body=delivery, user=martin))
    above = [r.code for r in register if r.above_appetite]
    # With the one he accepted, which stays on the Board's register while that stands.
    assert sorted(above) == sorted([*ESCALATED, ACCEPTED])
    assert [r.code for r in register if r.accepted_until] == [ACCEPTED]
    assert {r.code for r in register if r.escalated_here} == set(ESCALATED)
    assert sum(r.body_id == delivery.pk for r in register) >= 8


def test_one_risk_is_accepted_above_appetite_by_the_delivery_boards_chair(loaded):
    acceptance = RiskAcceptance.objects.select_related("risk__body", "accepted_by").get()
    risk = acceptance.risk
    assert risk.code == ACCEPTED
    assert acceptance.accepted_by.full_name == "Martin Ashworth"
    assert acceptance.reason and acceptance.expires_on > timezone.localdate()
    assert is_above_appetite(risk) and risk.escalated_to is None
    assert acceptance_in_force(risk) == acceptance
    # It was escalated before it was accepted, and its item on the Board's agenda now reports
    # the chair's decision, for information.
    reasons = list(
        risk.history.order_by("history_date", "history_id").values_list(
            "history_change_reason", flat=True
        )
    )
    assert reasons.index("Escalated to the Delivery Board") < len(reasons) - 1
    assert reasons[-1].startswith("Accepted above appetite")
    item = AgendaItem.objects.get(title__startswith=f"Risk {risk.code} accepted")
    assert item.purpose == Purpose.INFORMATION


def test_no_other_open_risk_is_above_its_bodys_appetite(loaded):
    assert RiskAppetite.objects.filter(category__isnull=True).count() == len(REGISTERS)
    assert RiskAppetite.objects.filter(category__name="Safeguarding").exists()
    above = {r.code for r in _risks().filter(status=RiskStatus.OPEN) if is_above_appetite(r)}
    assert above == {*ESCALATED, ACCEPTED}
    for risk in _risks():
        assert appetite_for(risk) is not None


def test_closed_risks_stay_on_their_register_with_a_reason(loaded):
    closed = Risk.objects.filter(status=RiskStatus.CLOSED)
    assert 1 <= closed.count() <= 3
    for risk in closed:
        assert risk.closure_reason and risk.closed_on < timezone.localdate()


def test_loading_it_again_changes_nothing(loaded):
    def counts():
        models = (Risk, RiskControl, RiskReview, RiskAcceptance, RiskAppetite, AgendaItem)
        rows = [model.objects.count() for model in models]
        return rows + [Risk.history.count(), RiskControl.history.count()]

    before = counts()
    out = StringIO()
    call_command("load_demo_risks", "--force", stdout=out)
    assert "already loaded" in out.getvalue()
    assert counts() == before
