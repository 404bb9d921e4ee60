"""The demo's performance data: enough of everything for a lead, a chair and a co-ordinator to
take their part at once, built through the services so the rules hold. The demo is loaded
once for the module (it takes a while) and rolled back at the end; the tests only read it,
except the last, which loads it again and checks nothing changed."""

from __future__ import annotations

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import F

from membership.models import User
from partnership.models import Body, Partnership
from performance import selectors
from performance.models import (
    Indicator,
    Outcome,
    PlanAction,
    Rag,
    Return,
    ReturnDeadline,
    ReturnEvent,
    ReturnStatus,
    Target,
)
from performance.permissions import can_sign_off

GROUPS = {
    "Children and Young People",
    "Safer and Stronger Communities",
    "Healthier Communities and Older People",
    "Economic Development and Enterprise",
}


def _counts() -> tuple[int, ...]:
    models = (Outcome, PlanAction, Indicator, Target, Return, ReturnEvent, ReturnDeadline)
    return tuple(model.objects.count() for model in models)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo with its meetings, performance and reports, once for the module, undone at its
    end."""
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
            out = StringIO()
            # The meetings: the approved exception report goes on the next one.
            call_command("load_demo_meetings", "--force", stdout=StringIO())
            call_command("load_demo_performance", "--force", stdout=out)
            call_command("load_demo_reports", "--force", stdout=out)
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


def test_about_thirty_indicators_across_the_four_thematic_groups(loaded):
    by_group = Counter(Indicator.objects.values_list("body__name", flat=True))
    assert set(by_group) == GROUPS
    assert 28 <= sum(by_group.values()) <= 34
    assert min(by_group.values()) >= 6
    indicators = Indicator.objects.select_related("lead")
    assert {i.unit for i in indicators} == {
        "number",
        "percentage",
        "rate_per_1000",
        "currency",
        "yes_no",
    }
    assert {i.frequency for i in indicators} == {"quarterly", "six_monthly", "annual"}
    assert {i.target_kind for i in indicators} == {"point", "cumulative"}
    assert {i.polarity for i in indicators} == {"higher", "lower"}
    assert indicators.filter(published=True).count() > indicators.count() / 2
    assert all(i.baseline_value is not None and i.data_source for i in indicators)


def test_every_lead_sits_on_or_represents_a_partner_on_the_owning_group(loaded):
    from membership.models import Membership

    for indicator in Indicator.objects.select_related("body", "lead"):
        sits = Membership.objects.current().filter(body=indicator.body)
        assert (
            sits.filter(person=indicator.lead).exists()
            or sits.filter(organisation__memberships__person=indicator.lead).exists()
        ), indicator.code


def test_every_outcome_is_owned_by_a_group_and_has_a_delivery_plan(loaded):
    from django.utils import timezone

    outcomes = Outcome.objects.select_related("body").prefetch_related("actions")
    assert 6 <= len(outcomes) <= 10
    for outcome in outcomes:
        assert outcome.body.name in GROUPS
        assert 2 <= len(outcome.actions.all()) <= 4
    assert {o.kind for o in outcomes} == {"priority", "agreed"}
    actions = PlanAction.objects.all()
    today = timezone.localdate()
    assert any(a.is_overdue(today=today) for a in actions)
    assert actions.filter(status="complete", completed_on__isnull=False).exists()
    assert len({a.status for a in actions}) >= 4


def test_targets_for_this_financial_year_and_the_three_before(loaded):
    from django.utils import timezone

    from partnership.periods import financial_year

    this_year = financial_year(timezone.localdate())
    years = set(Target.objects.values_list("year", flat=True))
    assert years == {this_year - 3, this_year - 2, this_year - 1, this_year}
    cumulative = Target.objects.filter(indicator__target_kind="cumulative")
    assert cumulative.filter(quarter__in=[1, 2, 3]).exists()
    assert Target.objects.filter(indicator__target_kind="point", quarter=2).exists()


def test_two_years_of_signed_off_returns_with_green_amber_and_red(loaded):
    period = selectors.open_quarter()
    history = Return.objects.exclude(year=period.year, quarter=period.number)
    assert set(history.values_list("status", flat=True)) == {ReturnStatus.SIGNED_OFF}
    quarters = {(r.year, r.quarter) for r in history}
    assert len(quarters) == 8
    assert min(quarters) == (period.minus(8).year, period.minus(8).number)
    rags = Counter(history.values_list("rag", flat=True))
    assert set(rags) == {Rag.GREEN, Rag.AMBER, Rag.RED}
    assert rags[Rag.GREEN] > rags[Rag.AMBER] > 0
    for ret in history.filter(rag__in=[Rag.AMBER, Rag.RED]):
        assert ret.commentary and ret.remedial_action and ret.remedial_by, ret
    assert not history.filter(commentary="").exists()
    # Dated as they happened: submitted after the quarter ended, signed off after that.
    for ret in history.filter(quarter=1):
        assert ret.period.ends_on < ret.submitted_at.date() <= ret.signed_off_at.date()


def test_history_signed_off_by_the_groups_coordinator_or_chair(loaded):
    signed = Return.objects.exclude(signed_off_by=None)
    assert not signed.exclude(submitted_by=F("indicator__lead")).exists()
    pairs = set(signed.values_list("signed_off_by", "indicator__body"))
    bodies = Body.objects.in_bulk({body for _, body in pairs})
    people = User.objects.in_bulk({person for person, _ in pairs})
    for person, body in pairs:
        assert can_sign_off(people[person], bodies[body]), (people[person], bodies[body])


def test_nobody_signed_off_their_own_return(loaded):
    assert Return.objects.filter(signed_off_by__isnull=False).exists()
    assert not Return.objects.filter(signed_off_by=F("submitted_by")).exists()


def test_the_open_quarter_is_half_submitted_with_every_state(loaded):
    period = selectors.open_quarter()
    due = [i for i in Indicator.objects.all() if i.is_due(period)]
    returns = {
        r.indicator_id: r for r in Return.objects.filter(year=period.year, quarter=period.number)
    }
    statuses = Counter(r.status for r in returns.values())
    assert statuses[ReturnStatus.SIGNED_OFF] >= 2
    assert statuses[ReturnStatus.SUBMITTED] >= 3
    assert statuses[ReturnStatus.SENT_BACK] == 1
    delegated = [r for r in returns.values() if r.delegate_id]
    assert len(delegated) == 1
    drafts = [r for r in returns.values() if r.status == "draft" and not r.delegate_id]
    assert len(drafts) >= 2
    not_started = [i for i in due if i.pk not in returns]
    assert len(not_started) >= 3
    submitted = statuses[ReturnStatus.SIGNED_OFF] + statuses[ReturnStatus.SUBMITTED]
    assert 0.35 <= submitted / len(due) <= 0.65
    sent_back = Return.objects.get(status=ReturnStatus.SENT_BACK)
    assert sent_back.events.get(kind="sent_back").reason
    # Delegated to a colleague from the lead's own organisation.
    ret = delegated[0]
    lead = ret.indicator.lead
    demo = Partnership.objects.get(slug="demo")
    assert ret.delegate in selectors.colleagues_of(person=lead, partnership=demo)


def test_a_lead_a_chair_and_a_coordinator_each_have_their_part(loaded):
    daniel = User.objects.get(email="member@mercia-vale.example")
    owed = selectors.returns_owed_by(person=daniel)
    assert {d.status for d in owed} >= {"not_started", "draft", "sent_back"}
    assert any(d.delegated_to_me for d in owed)

    def awaiting(person):
        bodies = [b for b in Body.objects.filter(name__in=GROUPS) if can_sign_off(person, b)]
        return selectors.returns_awaiting_sign_off(bodies=bodies)

    nadia = User.objects.get(full_name="Nadia Rahman")
    assert awaiting(nadia)
    owen = User.objects.get(email="tg.coordinator@mercia-vale.example")
    assert awaiting(owen)
    assert {d.body.name for d in ReturnDeadline.objects.select_related("body")} == GROUPS
    # The command names them, by the addresses they sign in with.
    for person in (daniel, nadia, owen, User.objects.get(full_name="Priya Shah")):
        assert person.email in loaded


def test_loading_it_again_changes_nothing(loaded):
    counts = _counts()
    out = StringIO()
    call_command("load_demo_performance", "--force", stdout=out)
    assert "already loaded" in out.getvalue()
    assert _counts() == counts
    from performance.models import Report

    reports = Report.objects.count()
    call_command("load_demo_reports", "--force", stdout=out)
    assert "already loaded" in out.getvalue().splitlines()[-1]
    assert Report.objects.count() == reports


def test_the_reports_each_role_takes_part_in(loaded):
    """An approved exception report on the Delivery Board's next agenda, one awaiting its
    chair, one drafted at its deadline, a six-monthly report, and last year's annual report
    published."""
    from django.utils import timezone

    from governance.models import Paper, Purpose
    from performance.models import Report, ReportKind, ReportStatus
    from performance.services import report_acting_as

    exception = Report.objects.filter(kind=ReportKind.EXCEPTION)
    approved = exception.get(status=ReportStatus.APPROVED)
    assert approved.body.name == "Safer and Stronger Communities"
    assert approved.facts["exceptions"], "the approved report has something to report"
    assert approved.narrative["asks"]
    item = approved.agenda_item
    assert item.meeting.body.name == "Delivery Board"
    assert item.meeting.held_on >= timezone.localdate()
    assert item.purpose == Purpose.DECISION
    paper = Paper.objects.get(pk=approved.paper_id)
    assert paper.item_id == item.pk
    assert paper.file_type == "pdf" and paper.circulated_at is None  # ready to circulate

    awaiting = exception.get(status=ReportStatus.SUBMITTED)
    nadia = User.objects.get(full_name="Nadia Rahman")
    assert report_acting_as(person=nadia, report=awaiting) == "Chair"
    assert exception.filter(status=ReportStatus.DRAFT).exists()

    assert Report.objects.filter(kind=ReportKind.SIX_MONTHLY).exists()
    annual = Report.objects.get(kind=ReportKind.ANNUAL)
    assert annual.is_published and annual.narrative["foreword"]
