"""Risk registers: the rules the services keep (banding, scores, owners, links, closing,
reviews, appetite, escalation and de-escalation, acceptance) and who may do what."""

from __future__ import annotations

from datetime import time, timedelta
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from governance import services as gs
from governance.models import AgendaItem, Purpose
from partnership import services as ps
from partnership.models import Notice
from partnership.periods import Quarter
from performance import permissions as pp
from performance import services
from performance.models import DEFAULT_CATEGORIES, Risk, RiskReview, RiskSettings
from tests.conftest import fresh
from tests.factories import PartnershipFactory


@pytest.fixture
def risks(perf, world):
    categories = {c.name: c for c in services.risk_categories(world.partnership)}
    return SimpleNamespace(categories=categories, perf=perf)


def make_risk(world, risks, **fields):
    values = {
        "code": "SG-R1",
        "title": "Partners withdraw funding for neighbourhood wardens",
        "cause": "Budget pressures in partner organisations",
        "effect": "Fewer patrols; burglary rises",
        "category": risks.categories["Financial"],
        "owner": world.member,
        "owner_organisation": world.council,
        "inherent_likelihood": 4,
        "inherent_impact": 4,
        "residual_likelihood": 3,
        "residual_impact": 3,
        "target_likelihood": 2,
        "target_impact": 2,
    }
    values.update(fields)
    return services.risk_create(actor=world.group_coordinator, body=world.group, **values)


def board_meeting(world, days=14):
    return gs.meeting_create(
        actor=world.coordinator,
        body=world.board,
        held_on=timezone.localdate() + timedelta(days=days),
        start_time=time(10, 0),
        end_time=time(12, 0),
        venue="Council House",
    )


def escalation_items(world):
    return AgendaItem.objects.filter(meeting__body=world.board, title__startswith="Escalated")


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# --- categories and bands -----------------------------------------------------------------------


def test_the_default_categories_are_created_on_first_use_and_more_can_be_added(world, risks):
    assert set(risks.categories) == set(DEFAULT_CATEGORIES)
    assert "Safeguarding" in risks.categories
    assert len(services.risk_categories(world.partnership)) == 7
    services.risk_category_add(actor=world.coordinator, partnership=world.partnership, name="Data")
    assert len(services.risk_categories(world.partnership)) == 8
    with pytest.raises(ValidationError) as excinfo:
        services.risk_category_add(
            actor=world.coordinator, partnership=world.partnership, name="financial"
        )
    assert "name" in errors_of(excinfo)


def test_bands_follow_the_defaults_without_settings(world):
    band = [services.risk_band(world.partnership, s) for s in (1, 4, 5, 9, 10, 15, 16, 25)]
    assert band == ["low", "low", "medium", "medium", "high", "high", "very_high", "very_high"]
    assert services.risk_band_label(world.partnership, 16) == "Very high"


def test_bands_follow_the_partnership_settings(world):
    services.risk_settings_update(
        actor=world.coordinator,
        partnership=world.partnership,
        medium_from=4,
        high_from=8,
        very_high_from=20,
    )
    band = [services.risk_band(world.partnership, s) for s in (3, 4, 8, 19, 20)]
    assert band == ["low", "medium", "high", "high", "very_high"]


def test_bands_must_rise(world):
    with pytest.raises(ValidationError) as excinfo:
        services.risk_settings_update(
            actor=world.coordinator,
            partnership=world.partnership,
            medium_from=6,
            high_from=6,
            very_high_from=5,
        )
    assert set(errors_of(excinfo)) == {"high_from", "very_high_from"}
    assert not RiskSettings.objects.exists()


# --- the register -------------------------------------------------------------------------------


def test_a_risk_is_created_with_its_history(world, risks):
    risk = make_risk(world, risks, outcomes=[risks.perf.outcome])
    assert risk.partnership == world.partnership and risk.body == world.group
    assert risk.residual_score == 9 and risk.is_open
    assert list(risk.outcomes.all()) == [risks.perf.outcome]
    first = risk.history.earliest()
    assert first.history_user == world.group_coordinator
    assert first.history_change_reason == "Risk added"


def test_a_target_worse_than_inherent_is_refused(world, risks):
    with pytest.raises(ValidationError) as excinfo:
        make_risk(world, risks, target_likelihood=5, target_impact=5)
    assert set(errors_of(excinfo)) == {"target_likelihood", "target_impact"}
    assert not Risk.objects.exists()


def test_the_database_refuses_a_target_worse_than_inherent(world, risks):
    risk = make_risk(world, risks)
    with pytest.raises(IntegrityError), transaction.atomic():
        Risk.objects.filter(pk=risk.pk).update(target_impact=5)


@pytest.mark.parametrize("value", [0, 6, 2.5, "3", None, True])
def test_scores_are_whole_numbers_from_1_to_5(world, risks, value):
    with pytest.raises(ValidationError) as excinfo:
        make_risk(world, risks, residual_impact=value)
    assert "residual_impact" in errors_of(excinfo)


def test_codes_are_unique_in_the_partnership(world, risks):
    make_risk(world, risks)
    with pytest.raises(ValidationError) as excinfo:
        services.risk_create(
            actor=world.coordinator,
            body=world.other,
            code="sg-r1",
            title="Another",
            category=risks.categories["Legal"],
            owner=world.other_member,
            owner_organisation=world.charity,
            inherent_likelihood=2,
            inherent_impact=2,
            residual_likelihood=2,
            residual_impact=2,
            target_likelihood=1,
            target_impact=1,
        )
    assert "code" in errors_of(excinfo)


def test_an_owner_organisation_of_another_partnership_is_refused(world, risks):
    elsewhere = PartnershipFactory(name="Elsewhere", slug="elsewhere")
    foreign = ps.organisation_create(
        actor=None, partnership=elsewhere, name="Elsewhere Council", sector="public"
    )
    with pytest.raises(ValidationError) as excinfo:
        make_risk(world, risks, owner_organisation=foreign)
    assert "owner_organisation" in errors_of(excinfo)


def test_the_owner_must_represent_their_organisation_in_the_partnership(world, risks):
    with pytest.raises(ValidationError) as excinfo:
        make_risk(world, risks, owner=world.outsider)
    assert "owner" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        make_risk(world, risks, owner=world.member, owner_organisation=world.charity)
    assert "owner" in errors_of(excinfo)


def test_a_category_of_another_partnership_is_refused(world, risks):
    elsewhere = PartnershipFactory(name="Elsewhere", slug="elsewhere")
    foreign = services.risk_categories(elsewhere)[0]
    with pytest.raises(ValidationError) as excinfo:
        make_risk(world, risks, category=foreign)
    assert "category" in errors_of(excinfo)


def test_links_of_another_partnership_are_refused(world, risks):
    elsewhere = PartnershipFactory(name="Elsewhere", slug="elsewhere")
    body = ps.body_create(actor=None, partnership=elsewhere, name="Board", kind="partnership_board")
    outcome = services.outcome_create(
        actor=None, partnership=elsewhere, body=body, code="E1", title="Elsewhere", kind="priority"
    )
    with pytest.raises(ValidationError) as excinfo:
        make_risk(world, risks, outcomes=[outcome])
    assert "outcomes" in errors_of(excinfo)
    risk = make_risk(world, risks, indicators=[risks.perf.burglary])
    org = ps.organisation_create(actor=None, partnership=elsewhere, name="E", sector="public")
    action = services.plan_action_create(
        actor=None,
        outcome=outcome,
        title="Elsewhere's action",
        organisation=org,
        lead=world.outsider,
        due_on=timezone.localdate(),
    )
    with pytest.raises(ValidationError) as excinfo:
        services.risk_update(actor=world.group_coordinator, risk=risk, actions=[action])
    assert "actions" in errors_of(excinfo)
    assert list(risk.indicators.all()) == [risks.perf.burglary]
    assert not risk.actions.exists()


def test_a_risk_is_closed_with_a_reason_and_stays_readable(world, risks):
    risk = make_risk(world, risks)
    with pytest.raises(ValidationError) as excinfo:
        services.risk_close(actor=world.group_coordinator, risk=risk, reason="  ")
    assert "reason" in errors_of(excinfo)
    closed = services.risk_close(
        actor=world.group_coordinator, risk=risk, reason="Funding agreed for three years"
    )
    assert closed.status == "closed" and closed.closed_on == timezone.localdate()
    assert closed.closure_reason == "Funding agreed for three years"
    assert pp.can_see_risk(fresh(world.member), closed)
    assert not pp.can_review_risk(fresh(world.member), closed)
    with pytest.raises(ValidationError):
        services.risk_close(actor=world.group_coordinator, risk=closed, reason="Again")
    reopened = services.risk_reopen(actor=world.group_coordinator, risk=closed, reason="Cuts")
    assert reopened.is_open and reopened.closed_on is None


def test_a_control_in_place_says_since_when(world, risks):
    risk = make_risk(world, risks)
    control = services.control_add(
        actor=world.group_coordinator,
        risk=risk,
        description="Three-year funding agreement",
        owner=world.member,
        due_on=timezone.localdate() + timedelta(days=60),
    )
    assert control.status == "planned" and control.effectiveness == "not_yet"
    with pytest.raises(ValidationError) as excinfo:
        services.control_update(actor=world.member, control=control, status="in_place")
    assert "done_on" in errors_of(excinfo)
    control = services.control_update(
        actor=world.member,
        control=control,
        status="in_place",
        done_on=timezone.localdate(),
        effectiveness="effective",
    )
    assert control.history.latest().history_change_reason == "Control changed"
    control = services.control_update(actor=world.member, control=control, status="in_progress")
    assert control.done_on is None


# --- reviews ------------------------------------------------------------------------------------


def test_a_review_unchanged_keeps_the_scores_and_needs_no_words(world, risks):
    risk = make_risk(world, risks)
    period = Quarter.of(timezone.localdate())
    rows = risk.history.count()
    review = services.risk_review(actor=world.member, risk=risk, period=period, unchanged=True)
    assert review.unchanged and review.residual_score == 9
    assert (review.year, review.quarter) == (period.year, period.number)
    risk.refresh_from_db()
    assert risk.residual_score == 9 and risk.history.count() == rows


def test_a_rescored_review_sets_the_residual_score_with_history(world, risks):
    risk = make_risk(world, risks)
    period = Quarter.of(timezone.localdate())
    with pytest.raises(ValidationError) as excinfo:
        services.risk_review(
            actor=world.member, risk=risk, period=period, residual_likelihood=2, residual_impact=3
        )
    assert "what_changed" in errors_of(excinfo)
    services.risk_review(
        actor=world.member,
        risk=risk,
        period=period,
        residual_likelihood=2,
        residual_impact=3,
        what_changed="Two partners confirmed funding",
    )
    risk.refresh_from_db()
    assert (risk.residual_likelihood, risk.residual_impact) == (2, 3)
    latest = risk.history.latest()
    assert latest.history_user == world.member
    assert latest.history_change_reason == f"Reviewed for {period.label}"
    assert [h.residual_likelihood for h in risk.history.order_by("history_date")] == [3, 2]


def test_only_the_owner_or_the_coordinators_review(world, risks):
    risk = make_risk(world, risks)
    period = Quarter.of(timezone.localdate())
    for person in (risks.perf.colleague, world.other_member, world.outsider):
        with pytest.raises(ValidationError):
            services.risk_review(actor=person, risk=risk, period=period, unchanged=True)
    services.risk_review(actor=world.group_coordinator, risk=risk, period=period, unchanged=True)
    assert RiskReview.objects.count() == 1


def test_a_review_updates_the_risks_controls(world, risks):
    risk = make_risk(world, risks)
    control = services.control_add(
        actor=world.member,
        risk=risk,
        description="Agreement",
        owner=world.member,
        due_on=timezone.localdate(),
    )
    services.risk_review(
        actor=world.member,
        risk=risk,
        period=Quarter.of(timezone.localdate()),
        unchanged=True,
        controls=[{"control": control, "status": "in_progress", "effectiveness": "partial"}],
    )
    control.refresh_from_db()
    assert (control.status, control.effectiveness) == ("in_progress", "partial")


def test_risks_due_review_are_the_open_ones_not_reviewed_in_the_quarter(world, risks):
    period = Quarter.of(timezone.localdate())
    one = make_risk(world, risks)
    two = make_risk(world, risks, code="SG-R2")
    three = make_risk(world, risks, code="SG-R3")
    services.risk_review(actor=world.member, risk=one, period=period, unchanged=True)
    services.risk_close(actor=world.member, risk=three, reason="Gone")
    assert list(services.risks_due_review(body=world.group, period=period)) == [two]
    assert list(services.risks_due_review(person=world.member, period=period)) == [two]
    assert list(services.risks_due_review(body=world.group, period=period.next())) == [one, two]
    assert not services.risks_due_review(body=world.other, period=period).exists()


# --- appetite -----------------------------------------------------------------------------------


def test_a_category_appetite_comes_before_the_bodys(world, risks):
    risk = make_risk(world, risks)
    assert services.appetite_for(risk) is None and not services.is_above_appetite(risk)
    services.risk_appetite_set(actor=world.group_coordinator, body=world.group, threshold=12)
    assert services.appetite_for(risk) == 12 and not services.is_above_appetite(risk)
    services.risk_appetite_set(
        actor=world.group_coordinator,
        body=world.group,
        threshold=8,
        category=risks.categories["Financial"],
    )
    services.risk_appetite_set(
        actor=world.group_coordinator,
        body=world.group,
        threshold=20,
        category=risks.categories["Legal"],
    )
    risk.refresh_from_db()
    assert services.appetite_for(risk) == 8 and services.is_above_appetite(risk)
    with pytest.raises(ValidationError) as excinfo:
        services.risk_appetite_set(actor=world.group_coordinator, body=world.group, threshold=26)
    assert "threshold" in errors_of(excinfo)


# --- escalation ---------------------------------------------------------------------------------


def rescore(world, risk, likelihood, impact):
    return services.risk_review(
        actor=world.member,
        risk=risk,
        period=Quarter.of(timezone.localdate()),
        residual_likelihood=likelihood,
        residual_impact=impact,
        what_changed="Scores re-taken",
    )


def test_a_risk_above_appetite_goes_on_the_parents_next_agenda_once(
    world, risks, django_capture_on_commit_callbacks
):
    meeting = board_meeting(world)
    board_meeting(world, days=40)
    services.risk_appetite_set(actor=world.group_coordinator, body=world.group, threshold=10)
    risk = make_risk(world, risks)
    assert risk.escalated_to is None
    with django_capture_on_commit_callbacks(execute=True):
        rescore(world, risk, 4, 3)
    risk.refresh_from_db()
    assert risk.escalated_to == world.board and risk.escalated_on == timezone.localdate()
    item = risk.escalation_item
    assert item.meeting == meeting and item.purpose == Purpose.DECISION
    # Always confidential: the public sees nothing of a risk.
    assert "SG-R1" in item.title and item.confidential
    assert list(item.bodies.all()) == [world.group]
    notice = Notice.objects.get(key__startswith="risk_escalated")
    assert notice.recipient == world.coordinator
    assert "Risk escalated to the Board" in mail.outbox[-1].subject
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            services.risk_escalation_check(risk=risk)
        rescore(world, risk, 4, 4)
        services.risk_update(actor=world.member, risk=risk, title="Partners withdraw funding")
    assert escalation_items(world).count() == 1
    assert Notice.objects.filter(key__startswith="risk_escalated").count() == 1


def test_a_confidential_risk_goes_on_the_agenda_as_a_confidential_item(world, risks):
    board_meeting(world)
    services.risk_appetite_set(actor=world.group_coordinator, body=world.group, threshold=4)
    risk = make_risk(world, risks, confidential=True)
    assert risk.escalation_item.confidential
    assert risk.escalation_item.confidential_reason


def test_a_risk_with_no_parent_body_is_not_escalated(world, risks):
    services.risk_appetite_set(actor=world.coordinator, body=world.board, threshold=4)
    risk = services.risk_create(
        actor=world.coordinator,
        body=world.board,
        code="B-R1",
        title="Board risk",
        category=risks.categories["Strategic"],
        owner=world.chair,
        owner_organisation=world.council,
        inherent_likelihood=5,
        inherent_impact=5,
        residual_likelihood=5,
        residual_impact=5,
        target_likelihood=1,
        target_impact=1,
    )
    assert services.is_above_appetite(risk) and risk.escalated_to is None


def test_falling_back_within_appetite_de_escalates(
    world, risks, django_capture_on_commit_callbacks
):
    board_meeting(world)
    services.risk_appetite_set(actor=world.group_coordinator, body=world.group, threshold=10)
    risk = make_risk(world, risks, residual_likelihood=4, residual_impact=4)
    assert risk.escalated_to == world.board
    with django_capture_on_commit_callbacks(execute=True):
        rescore(world, risk, 2, 4)
    risk.refresh_from_db()
    assert risk.escalated_to is None and risk.escalation_item is None
    assert any(h.escalated_to_id == world.board.pk for h in risk.history.all())
    assert Notice.objects.filter(key__startswith="risk_de_escalated").count() == 1
    assert "no longer escalated" in mail.outbox[-1].subject


def test_closing_an_escalated_risk_de_escalates_it(world, risks):
    board_meeting(world)
    services.risk_appetite_set(actor=world.group_coordinator, body=world.group, threshold=10)
    risk = make_risk(world, risks, residual_likelihood=4, residual_impact=4)
    closed = services.risk_close(actor=world.member, risk=risk, reason="Funding settled")
    assert closed.escalated_to is None


def test_raising_the_appetite_de_escalates_at_once(world, risks):
    board_meeting(world)
    services.risk_appetite_set(actor=world.group_coordinator, body=world.group, threshold=10)
    risk = make_risk(world, risks, residual_likelihood=4, residual_impact=4)
    services.risk_appetite_set(actor=world.group_coordinator, body=world.group, threshold=16)
    risk.refresh_from_db()
    assert risk.escalated_to is None


def test_with_no_meeting_the_risk_is_escalated_and_placed_later(
    world, risks, django_capture_on_commit_callbacks
):
    services.risk_appetite_set(actor=world.group_coordinator, body=world.group, threshold=10)
    with django_capture_on_commit_callbacks(execute=True):
        risk = make_risk(world, risks, residual_likelihood=4, residual_impact=4)
    assert risk.escalated_to == world.board and risk.escalation_item is None
    assert Notice.objects.get(key__startswith="risk_escalated").recipient == world.coordinator
    assert "no meeting scheduled" in mail.outbox[-1].body
    assert services.risks_place_escalated(body=world.board) == 0
    meeting = board_meeting(world)
    assert services.risks_place_escalated(body=world.board) == 1
    assert services.risks_place_escalated(body=world.board) == 0
    risk.refresh_from_db()
    assert risk.escalation_item.meeting == meeting
    assert escalation_items(world).count() == 1


def test_a_meeting_scheduled_takes_the_risks_waiting_for_it(
    world, risks, django_capture_on_commit_callbacks
):
    services.risk_appetite_set(actor=world.group_coordinator, body=world.group, threshold=10)
    risk = make_risk(world, risks, residual_likelihood=4, residual_impact=4)
    assert risk.escalation_item is None
    # The hook in performance/apps.py, once the new meeting commits.
    with django_capture_on_commit_callbacks(execute=True):
        meeting = board_meeting(world)
    risk.refresh_from_db()
    assert risk.escalation_item.meeting == meeting


def test_a_cancelled_meeting_sends_its_risks_to_the_next(
    world, risks, django_capture_on_commit_callbacks
):
    first = board_meeting(world, days=7)
    second = board_meeting(world, days=35)
    services.risk_appetite_set(actor=world.group_coordinator, body=world.group, threshold=10)
    risk = make_risk(world, risks, residual_likelihood=4, residual_impact=4)
    assert risk.escalation_item.meeting == first
    with django_capture_on_commit_callbacks(execute=True):
        gs.meeting_cancel(actor=world.coordinator, meeting=first, reason="Not quorate")
    risk.refresh_from_db()
    assert risk.escalation_item.meeting == second
    # The cancelled meeting keeps its item, as the record of what was to be discussed.
    assert escalation_items(world).filter(meeting=first).count() == 1
    assert services.risks_place_escalated(body=world.board) == 0


def test_the_daily_job_places_waiting_risks_and_escalates_lapsed_acceptances(world, risks):
    board_meeting(world)
    services.risk_appetite_set(actor=world.group_coordinator, body=world.group, threshold=10)
    accepted = make_risk(world, risks, residual_likelihood=4, residual_impact=4)
    until = timezone.localdate() + timedelta(days=30)
    services.risk_accept(actor=world.chair, risk=accepted, reason="Tolerable", expires_on=until)
    # A second risk escalated while no meeting could take it (its item was removed).
    waiting = make_risk(world, risks, code="SG-R2", residual_likelihood=5, residual_impact=4)
    Risk.objects.filter(pk=waiting.pk).update(escalation_item=None)
    # The acceptance still stands on its expiry date.
    assert services.risks_check_escalation(today=until) == {"checked": 0, "placed": 1}
    accepted.refresh_from_db()
    waiting.refresh_from_db()
    assert accepted.escalated_to is None and waiting.escalation_item is not None
    assert services.risks_check_escalation(today=until + timedelta(days=1)) == {
        "checked": 1,
        "placed": 0,
    }
    accepted.refresh_from_db()
    assert accepted.escalated_to == world.board and accepted.escalation_item is not None
    # Done: nothing more to check or place, however often it runs.
    assert services.risks_check_escalation(today=until + timedelta(days=2)) == {
        "checked": 0,
        "placed": 0,
    }


def test_the_daily_risk_job_is_on_the_beat_schedule():
    from partnership.celery import app

    app.loader.import_default_modules()
    entry = app.conf.beat_schedule["daily-check-risk-escalations"]
    assert entry["task"] == "performance.tasks.check_risk_escalations"
    assert entry["task"] in app.tasks


# --- acceptance ---------------------------------------------------------------------------------


def test_only_the_parents_chair_accepts_with_a_future_expiry(world, risks):
    board_meeting(world)
    services.risk_appetite_set(actor=world.group_coordinator, body=world.group, threshold=10)
    risk = make_risk(world, risks, residual_likelihood=4, residual_impact=4)
    until = timezone.localdate() + timedelta(days=90)
    for person in (world.coordinator, world.group_coordinator, world.member, None):
        with pytest.raises(ValidationError):
            services.risk_accept(actor=person, risk=risk, reason="Tolerable", expires_on=until)
    with pytest.raises(ValidationError) as excinfo:
        services.risk_accept(
            actor=world.chair, risk=risk, reason="", expires_on=timezone.localdate()
        )
    assert set(errors_of(excinfo)) == {"reason", "expires_on"}
    services.risk_accept(
        actor=world.chair, risk=risk, reason="Funding talks under way", expires_on=until
    )
    risk.refresh_from_db()
    assert risk.escalated_to is None and services.is_above_appetite(risk)
    assert risk.acceptances.get().accepted_by == world.chair


def test_an_accepted_risk_is_not_escalated_until_the_acceptance_expires(world, risks):
    board_meeting(world)
    services.risk_appetite_set(actor=world.group_coordinator, body=world.group, threshold=10)
    risk = make_risk(world, risks, residual_likelihood=4, residual_impact=4)
    until = timezone.localdate() + timedelta(days=30)
    item_pk = risk.escalation_item_id
    services.risk_accept(actor=world.chair, risk=risk, reason="Tolerable", expires_on=until)
    # Its item, on a meeting still to come, now reports the acceptance, for information.
    item = AgendaItem.objects.get(pk=item_pk)
    assert item.purpose == Purpose.INFORMATION and item.decision_required == ""
    assert item.title.startswith("Risk SG-R1 accepted above appetite until")
    rescore(world, risk, 5, 4)
    services.risk_escalation_check(risk=risk, today=until)
    risk.refresh_from_db()
    assert risk.escalated_to is None and escalation_items(world).count() == 0
    services.risk_escalation_check(risk=risk, today=until + timedelta(days=1))
    risk.refresh_from_db()
    assert risk.escalated_to == world.board
    # Back on the same meeting: the item it had there is used again, never a second one,
    # and is for decision again.
    item = escalation_items(world).get()
    assert risk.escalation_item == item and item.purpose == Purpose.DECISION
    assert "residual score of 20" in item.decision_required


def test_the_parents_deputy_chair_accepts_too(world, risks):
    from membership import services as ms
    from membership.models import Role

    ms.membership_create(
        actor=None,
        body=world.board,
        seat=world.board_seat,
        person=world.outsider,
        role=Role.DEPUTY_CHAIR,
        organisation=world.council,
        starts_on=world.start,
    )
    board_meeting(world)
    services.risk_appetite_set(actor=world.group_coordinator, body=world.group, threshold=10)
    risk = make_risk(world, risks, residual_likelihood=4, residual_impact=4)
    acceptance = services.risk_accept(
        actor=world.outsider,
        risk=risk,
        reason="Tolerable for a quarter",
        expires_on=timezone.localdate() + timedelta(days=90),
    )
    assert acceptance.accepted_by == world.outsider
    assert services.acceptance_in_force(risk) == acceptance


def test_a_risk_not_escalated_cannot_be_accepted(world, risks):
    risk = make_risk(world, risks)
    with pytest.raises(ValidationError):
        services.risk_accept(
            actor=world.chair,
            risk=risk,
            reason="Tolerable",
            expires_on=timezone.localdate() + timedelta(days=5),
        )


# --- permissions --------------------------------------------------------------------------------


def test_members_and_coordinators_keep_the_register(world, risks):
    for person in (world.group_coordinator, world.coordinator, world.member, world.chair):
        assert pp.can_manage_risks(fresh(person), world.group), person
    for person in (world.other_member, world.outsider):
        assert not pp.can_manage_risks(fresh(person), world.group), person
    from django.contrib.auth.models import AnonymousUser

    assert not pp.can_manage_risks(AnonymousUser(), world.group)


def test_who_sees_and_reviews_a_risk(world, risks):
    risk = make_risk(world, risks, owner=world.member)
    assert pp.can_see_risk(fresh(world.member), risk)
    assert pp.can_see_risk(fresh(risks.perf.colleague), risk)
    assert not pp.can_see_risk(fresh(world.other_member), risk)
    assert not pp.can_see_risk(fresh(world.outsider), risk)
    assert pp.can_review_risk(fresh(world.member), risk)
    assert pp.can_review_risk(fresh(world.group_coordinator), risk)
    assert not pp.can_review_risk(fresh(risks.perf.colleague), risk)
    assert not pp.can_review_risk(fresh(world.chair), risk)


def test_members_of_the_parent_see_a_risk_while_it_is_escalated(world, risks):
    from membership import services as ms

    ms.membership_create(
        actor=None,
        body=world.board,
        seat=world.board_seat,
        person=world.outsider,
        organisation=world.council,
        starts_on=world.start,
    )
    board_member = fresh(world.outsider)
    risk = make_risk(world, risks)
    assert not pp.can_see_risk(board_member, risk)
    services.risk_appetite_set(actor=world.group_coordinator, body=world.group, threshold=4)
    risk.refresh_from_db()
    assert pp.can_see_risk(fresh(world.outsider), risk)


def test_a_second_escalation_the_same_day_is_told_too(
    world, risks, django_capture_on_commit_callbacks
):
    from partnership.models import Notice

    board_meeting(world)
    services.risk_appetite_set(actor=world.group_coordinator, body=world.group, threshold=10)
    with django_capture_on_commit_callbacks(execute=True):
        risk = make_risk(world, risks, residual_likelihood=4, residual_impact=4)
    with django_capture_on_commit_callbacks(execute=True):
        rescore(world, risk, 2, 2)
    with django_capture_on_commit_callbacks(execute=True):
        rescore(world, risk, 4, 4)
    told = Notice.objects.filter(key__startswith=f"risk_escalated:{risk.pk}:")
    assert told.count() == 2 * told.values("recipient").distinct().count()


def test_a_risk_whose_body_reports_elsewhere_leaves_the_old_parent(world, risks):
    from partnership.models import Body

    board_meeting(world)
    services.risk_appetite_set(actor=world.group_coordinator, body=world.group, threshold=10)
    risk = make_risk(world, risks, residual_likelihood=4, residual_impact=4)
    risk.refresh_from_db()
    assert risk.escalated_to == world.board
    Body.objects.filter(pk=world.group.pk).update(parent=world.other)

    services.risk_escalation_check(risk=risk)

    risk.refresh_from_db()
    assert risk.escalated_to == world.other


def test_an_owner_who_no_longer_sits_on_a_body_loses_the_risk(world, risks):
    from django.contrib.auth.models import AnonymousUser  # noqa: F401

    from membership.models import Membership
    from membership.rights import rights_sync
    from performance import permissions, selectors

    risk = make_risk(world, risks)
    owner = risk.owner
    assert permissions.can_see_risk(owner, risk)
    Membership.objects.filter(person=owner).update(ends_on=timezone.localdate())
    rights_sync(user=owner)  # as ending a membership does
    owner = type(owner).objects.get(pk=owner.pk)  # a new request: rights loaded afresh

    assert not permissions.can_see_risk(owner, risk)
    assert not permissions.can_review_risk(owner, risk)
    assert risk not in selectors.risks_visible_to(owner, world.partnership)
