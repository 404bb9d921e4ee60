"""Commissioning agreements: the services' rules (Warrington's minimum content, the cost lines
adding up, dates in order, targets measured by the commissioning body's indicators), history
on change, recording a review, and the selectors (who sees which, the flags, query counts)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from membership import services as ms
from performance.models import (
    AgreementCostLine,
    AgreementTarget,
    CommissioningAgreement,
)
from performance.selectors.agreements import (
    AgreementFilters,
    agreement_page,
    agreement_rows,
    agreements_visible_to,
)
from performance.services.agreements import (
    REQUIRED_MESSAGES,
    agreement_create,
    agreement_review_record,
    agreement_update,
)

TEXTS = {
    "title": "Neighbourhood mediation service",
    "purpose": "Resolve neighbour disputes before they become crime.",
    "provider_representative": "Sam Provider, service manager",
    "provider_representative_email": "sam@provider.example.org",
    "partnership_obligations": "Fund the service quarterly in advance.",
    "provider_obligations": "DBS checks for every mediator.",
    "service_specification": "Mediation for any household referred by a partner.",
    "target_user_group": "Households in dispute with neighbours.",
    "sustainability_plan": "Volunteer mediators trained to carry on.",
    "risk_assessment": "Low: an established service.",
    "potential_savings": "Fewer police call-outs.",
    "equality_statement": "Open to every household.",
    "community_engagement": "Residents' groups refer cases.",
    "monitoring_arrangements": "Quarterly returns of the indicators below.",
    "default_terms": "Funding stops after two missed returns.",
    "arbitration_terms": "Disagreements go to the group's chair.",
}


def agreement_fields(w, perf, today, **overrides):
    fields = {
        "reference": "SLA-01",
        "provider": w.charity,
        "supervisor": w.member,
        "starts_on": today - timedelta(days=100),
        "ends_on": today + timedelta(days=265),
        "total_cost": Decimal("12500.50"),
        **TEXTS,
        "cost_lines": [
            {"description": "Mediators", "amount": Decimal("10000.00")},
            {"description": "Training", "amount": Decimal("2500.50")},
        ],
        "targets": [
            {
                "description": "Fewer burglaries in the mediated streets",
                "indicator": perf.burglary,
                "link_to_outcomes": "SC1",
            }
        ],
        "review_dates": [today + timedelta(days=30), today + timedelta(days=180)],
    }
    fields.update(overrides)
    return fields


def make_agreement(w, perf, today, *, body=None, actor=None, **overrides):
    return agreement_create(
        actor=actor, body=body or w.group, **agreement_fields(w, perf, today, **overrides)
    )


def errors_of(excinfo) -> dict[str, list[str]]:
    return {key: [str(m) for m in e] for key, e in excinfo.value.message_dict.items()}


# --- adding -------------------------------------------------------------------------------------


def test_an_agreement_is_added_with_its_lines_targets_and_reviews(world, perf, today):
    a = make_agreement(world, perf, today, actor=world.group_coordinator)
    assert a.commissioning_body == world.group
    assert [(line.description, line.amount) for line in a.cost_lines.all()] == [
        ("Mediators", Decimal("10000.00")),
        ("Training", Decimal("2500.50")),
    ]
    assert [t.indicator for t in a.targets.all()] == [perf.burglary]
    assert a.reviews.count() == 2
    assert a.history.get().history_change_reason == "Agreement added"


@pytest.mark.parametrize("name", sorted(REQUIRED_MESSAGES))
def test_every_required_field_is_refused_with_its_error(world, perf, today, name, db):
    blank = None if name in {"provider", "supervisor", "starts_on", "ends_on"} else ""
    if name == "total_cost":
        blank = None
    with pytest.raises(ValidationError) as excinfo:
        make_agreement(world, perf, today, **{name: blank})
    assert REQUIRED_MESSAGES[name] in errors_of(excinfo)[name]
    assert not CommissioningAgreement.objects.exists()


def test_a_blank_text_of_spaces_is_refused(world, perf, today):
    with pytest.raises(ValidationError) as excinfo:
        make_agreement(world, perf, today, purpose="   ")
    assert errors_of(excinfo)["purpose"] == ["Enter the purpose of the agreement"]


def test_cost_lines_that_do_not_add_up_are_refused_on_the_total(world, perf, today):
    with pytest.raises(ValidationError) as excinfo:
        make_agreement(world, perf, today, total_cost=Decimal("13000"))
    assert errors_of(excinfo)["total_cost"] == [
        "The cost lines add up to £12,500.50, not £13,000.00"
    ]


def test_a_penny_out_is_refused(world, perf, today):
    with pytest.raises(ValidationError) as excinfo:
        make_agreement(world, perf, today, total_cost=Decimal("12500.49"))
    assert errors_of(excinfo)["total_cost"] == [
        "The cost lines add up to £12,500.50, not £12,500.49"
    ]


def test_an_agreement_needs_a_cost_line_and_a_target_and_a_review_date(world, perf, today):
    with pytest.raises(ValidationError) as excinfo:
        make_agreement(world, perf, today, cost_lines=[], targets=[], review_dates=[])
    errors = errors_of(excinfo)
    assert errors["cost_lines"] == ["Add at least one cost line"]
    assert errors["targets"] == ["Add at least one target"]
    assert errors["review_dates"] == ["Add at least one review date"]


def test_a_negative_amount_is_refused_on_its_line(world, perf, today):
    lines = [{"description": "Refund", "amount": Decimal("-5")}]
    with pytest.raises(ValidationError) as excinfo:
        make_agreement(world, perf, today, cost_lines=lines, total_cost=Decimal(0))
    assert errors_of(excinfo)["cost_lines.0.amount"] == [
        "The amount of cost line 1 cannot be below £0"
    ]


def test_the_end_must_come_after_the_start(world, perf, today):
    with pytest.raises(ValidationError) as excinfo:
        make_agreement(world, perf, today, ends_on=today - timedelta(days=100))
    assert errors_of(excinfo)["ends_on"] == ["The end date must be after the start date"]


def test_review_dates_must_fall_in_the_period_and_not_repeat(world, perf, today):
    late = today + timedelta(days=400)
    twice = today + timedelta(days=30)
    with pytest.raises(ValidationError) as excinfo:
        make_agreement(world, perf, today, review_dates=[twice, late, twice])
    errors = errors_of(excinfo)
    assert errors["review_dates.1"] == ["Review date 2 must be within the agreement's period"]
    assert errors["review_dates.2"] == ["Review date 3 is given twice"]


def test_a_target_must_be_measured_by_an_indicator_of_the_body_or_below(world, perf, today):
    targets = [{"description": "Volunteers", "indicator": perf.other, "link_to_outcomes": ""}]
    with pytest.raises(ValidationError) as excinfo:
        make_agreement(world, perf, today, targets=targets)
    assert errors_of(excinfo)["targets.0.indicator"] == [
        "Select an indicator of the Safer Group or a body below it"
    ]
    # The Board is above the Safer Group: its agreements may use the group's indicators.
    board = make_agreement(world, perf, today, body=world.board)
    assert board.targets.get().indicator == perf.burglary


def test_a_retired_indicator_is_refused(world, perf, today):
    perf.burglary.retired_on = today - timedelta(days=1)
    perf.burglary.save(update_fields=["retired_on"])
    with pytest.raises(ValidationError) as excinfo:
        make_agreement(world, perf, today)
    assert errors_of(excinfo)["targets.0.indicator"] == [
        "SC01 is retired: select an indicator still in use"
    ]


def test_the_supervisor_and_provider_belong_to_the_partnership(world, perf, today):
    from tests.factories import OrganisationFactory, PartnershipFactory

    elsewhere = OrganisationFactory(partnership=PartnershipFactory(slug="elsewhere"))
    with pytest.raises(ValidationError) as excinfo:
        make_agreement(world, perf, today, supervisor=world.outsider, provider=elsewhere)
    errors = errors_of(excinfo)
    assert errors["supervisor"] == ["Select someone with a place in this partnership"]
    assert errors["provider"] == ["Select an organisation of this partnership"]


def test_a_reference_is_unique_in_the_partnership(world, perf, today):
    make_agreement(world, perf, today)
    with pytest.raises(ValidationError) as excinfo:
        make_agreement(world, perf, today, reference="sla-01")
    assert errors_of(excinfo)["reference"] == ["Another agreement already has the reference sla-01"]


# --- changing -----------------------------------------------------------------------------------


def test_an_update_changes_lines_in_place_and_keeps_history(world, perf, today):
    a = make_agreement(world, perf, today, actor=world.group_coordinator)
    mediators, training = a.cost_lines.all()
    agreement_update(
        actor=world.group_coordinator,
        agreement=a,
        total_cost=Decimal("11000"),
        cost_lines=[{"id": mediators.pk, "description": "Mediators", "amount": Decimal("11000")}],
        targets=[
            {"description": "Fewer burglaries", "indicator": perf.burglary},
            {"description": "Residents satisfied", "indicator": perf.satisfaction},
        ],
        review_dates=[today + timedelta(days=60)],
    )
    mediators.refresh_from_db()
    assert mediators.amount == Decimal("11000")
    assert not AgreementCostLine.objects.filter(pk=training.pk).exists()
    # The removed line's history keeps it, with who removed it.
    gone = AgreementCostLine.history.filter(id=training.pk).latest("history_date")
    assert gone.history_type == "-"
    assert gone.history_user == world.group_coordinator
    # The existing target (matched by its indicator) was changed, not re-created.
    assert AgreementTarget.history.filter(history_type="+").count() == 2
    assert list(a.reviews.values_list("due_on", flat=True)) == [today + timedelta(days=60)]
    reasons = list(a.history.values_list("history_change_reason", flat=True))
    assert reasons == ["Agreement changed", "Agreement added"]
    history = agreement_page(CommissioningAgreement.objects.get(pk=a.pk), today=today).history
    subjects = {entry.subject for entry in history}
    assert "Cost line “Training”" in subjects


def test_an_unchanged_update_writes_no_history(world, perf, today):
    a = make_agreement(world, perf, today)
    agreement_update(actor=None, agreement=a, title=a.title)
    assert a.history.count() == 1
    assert AgreementCostLine.history.count() == 2


def test_an_update_is_checked_like_an_addition(world, perf, today):
    a = make_agreement(world, perf, today)
    with pytest.raises(ValidationError) as excinfo:
        agreement_update(actor=None, agreement=a, total_cost=Decimal("1"))
    assert "total_cost" in errors_of(excinfo)


def test_two_rows_naming_one_line_save_as_two_lines_that_add_up(world, perf, today):
    a = make_agreement(world, perf, today)
    mediators, _training = a.cost_lines.all()
    agreement_update(
        actor=None,
        agreement=a,
        total_cost=Decimal("100"),
        cost_lines=[
            {"id": mediators.pk, "description": "Mediators", "amount": Decimal("60")},
            {"id": mediators.pk, "description": "Travel", "amount": Decimal("40")},
        ],
    )
    lines = list(a.cost_lines.order_by("position"))
    assert [(line.description, line.amount) for line in lines] == [
        ("Mediators", Decimal("60")),
        ("Travel", Decimal("40")),
    ]
    # The first row changed the line it named; the second was added as a line of its own.
    assert lines[0].pk == mediators.pk
    assert (
        sum(line.amount for line in lines) == CommissioningAgreement.objects.get(pk=a.pk).total_cost
    )


def test_a_row_naming_another_agreements_line_never_touches_it(world, perf, today):
    other = make_agreement(world, perf, today, reference="SLA-02")
    theirs = other.cost_lines.first()
    theirs_target = other.targets.get()
    a = make_agreement(world, perf, today)
    agreement_update(
        actor=None,
        agreement=a,
        total_cost=Decimal("100"),
        cost_lines=[{"id": theirs.pk, "description": "Stolen", "amount": Decimal("100")}],
        targets=[
            {
                "id": theirs_target.pk,
                "description": "Residents satisfied",
                "indicator": perf.satisfaction,
            }
        ],
    )
    theirs.refresh_from_db()
    theirs_target.refresh_from_db()
    assert (theirs.agreement_id, theirs.description) == (other.pk, "Mediators")
    assert other.cost_lines.count() == 2
    assert (theirs_target.agreement_id, theirs_target.indicator) == (other.pk, perf.burglary)
    assert [(line.description, line.amount) for line in a.cost_lines.all()] == [
        ("Stolen", Decimal("100"))
    ]
    assert [t.indicator for t in a.targets.all()] == [perf.satisfaction]


def test_two_target_rows_naming_one_target_save_as_two_targets(world, perf, today):
    a = make_agreement(world, perf, today)
    target = a.targets.get()
    agreement_update(
        actor=None,
        agreement=a,
        targets=[
            {"id": target.pk, "description": "Fewer burglaries", "indicator": perf.burglary},
            {"id": target.pk, "description": "Residents satisfied", "indicator": perf.satisfaction},
        ],
    )
    targets = list(a.targets.order_by("position"))
    assert [t.indicator for t in targets] == [perf.burglary, perf.satisfaction]
    assert targets[0].pk == target.pk


def _two_targets(world, perf, today):
    a = make_agreement(
        world,
        perf,
        today,
        targets=[
            {"description": "Fewer burglaries", "indicator": perf.burglary},
            {"description": "Residents satisfied", "indicator": perf.satisfaction},
        ],
    )
    return a, list(a.targets.order_by("position"))


def test_a_target_may_take_the_indicator_another_target_gives_up(world, perf, today):
    # Row 0 moves from SC01 to SC02 while row 1 moves from SC02 to SC03: saved one at a time
    # by their ids, row 0 would hold SC02 while row 1 still did (a unique constraint).
    a, (first, second) = _two_targets(world, perf, today)
    agreement_update(
        actor=None,
        agreement=a,
        targets=[
            {"id": first.pk, "description": "Residents satisfied", "indicator": perf.satisfaction},
            {"id": second.pk, "description": "Strategy agreed", "indicator": perf.strategy},
        ],
    )
    assert [t.indicator for t in a.targets.order_by("position")] == [
        perf.satisfaction,
        perf.strategy,
    ]
    # The target measured by SC02 is the same target, moved up: its history reads on.
    assert a.targets.get(indicator=perf.satisfaction).pk == second.pk


def test_two_targets_may_swap_their_indicators(world, perf, today):
    a, (first, second) = _two_targets(world, perf, today)
    agreement_update(
        actor=None,
        agreement=a,
        targets=[
            {"id": first.pk, "description": "Residents satisfied", "indicator": perf.satisfaction},
            {"id": second.pk, "description": "Fewer burglaries", "indicator": perf.burglary},
        ],
    )
    assert [t.indicator for t in a.targets.order_by("position")] == [
        perf.satisfaction,
        perf.burglary,
    ]


def test_an_agreement_holds_at_most_150_rows_a_list(world, perf, today):
    lines = [{"description": f"Line {n}", "amount": Decimal("1.00")} for n in range(151)]
    with pytest.raises(ValidationError) as raised:
        make_agreement(world, perf, today, cost_lines=lines, total_cost=Decimal("151.00"))
    assert raised.value.message_dict["cost_lines"] == ["An agreement holds at most 150 cost lines"]


# --- reviews ------------------------------------------------------------------------------------


def test_a_held_review_is_recorded_and_stays_on_update(world, perf, today):
    a = make_agreement(world, perf, today, review_dates=[today - timedelta(days=5)])
    review = a.reviews.get()
    agreement_review_record(
        actor=world.member, review=review, held_on=today, findings="On track.", today=today
    )
    review.refresh_from_db()
    assert (review.held_on, review.reviewer, review.findings) == (today, world.member, "On track.")
    agreement_update(actor=None, agreement=a, review_dates=[today + timedelta(days=10)])
    assert a.reviews.count() == 2
    with pytest.raises(ValidationError):
        agreement_review_record(actor=world.member, review=review, held_on=today, findings="x")


def test_a_review_needs_a_date_not_in_the_future_and_findings(world, perf, today):
    review = make_agreement(world, perf, today).reviews.first()
    with pytest.raises(ValidationError) as excinfo:
        agreement_review_record(
            actor=world.member, review=review, held_on=today + timedelta(days=1), findings=" "
        )
    errors = errors_of(excinfo)
    assert errors["held_on"] == ["The date the review was held cannot be in the future"]
    assert errors["findings"] == ["Enter what the review found"]


# --- selectors ----------------------------------------------------------------------------------


def test_who_sees_which_agreement(world, perf, today, governance_lead):
    w = world
    a = make_agreement(w, perf, today, supervisor=w.other_member)

    def sees(user):
        return list(agreements_visible_to(user, w.partnership)) == [a]

    # The group's members, chair and co-ordinators, the partnership's, the governance lead and
    # the supervisor (sitting on the Other Group); nobody else.
    for user in (w.member, w.chair, w.group_coordinator, w.coordinator, governance_lead):
        assert sees(user), user
    assert sees(w.other_member)
    assert not sees(w.outsider)
    ms.membership_end(actor=None, membership=w.other_membership, ends_on=today)
    w.other_member.__dict__.pop("_sits_in_partnership", None)
    assert not sees(w.other_member)


def test_rows_carry_the_cost_the_next_review_and_the_flags(world, perf, today):
    w = world
    make_agreement(w, perf, today, reference="A", review_dates=[today + timedelta(days=30)])
    make_agreement(
        w,
        perf,
        today,
        reference="B",
        ends_on=today + timedelta(days=20),
        review_dates=[today - timedelta(days=3)],
    )
    rows = list(agreement_rows(user=w.coordinator, partnership=w.partnership, today=today))
    assert [r.reference for r in rows] == ["B", "A"]  # soonest ending first
    b, a = rows
    assert b.cost_total == Decimal("12500.50")
    assert b.review_overdue and not a.review_overdue
    assert a.next_review_due == today + timedelta(days=30)

    def only(**filters):
        qs = agreement_rows(
            user=w.coordinator,
            partnership=w.partnership,
            filters=AgreementFilters(**filters),
            today=today,
        )
        return [r.reference for r in qs]

    assert only(ending=True) == ["B"]
    assert only(overdue=True) == ["B"]
    assert only(state="current") == ["B", "A"]
    assert only(state="ended") == []
    assert only(body=w.other.pk) == []


def test_the_page_shows_each_targets_latest_signed_off_figure(world, perf, today):
    a = make_agreement(world, perf, today, review_dates=[today - timedelta(days=3)])
    page = agreement_page(a, today=today)
    (target,) = page.targets
    assert target.latest_value == Decimal(90)
    assert target.latest_period == perf.history[-1].short_label
    assert target.latest_rag == "green"
    assert page.review_overdue
    assert page.cost_total == Decimal("12500.50")
    assert "Review overdue" in page.flags


def _many(w, perf, today, n):
    lines = [{"description": "All of it", "amount": Decimal("100")}]
    base = {"cost_lines": lines, "total_cost": Decimal("100")}
    for i in range(n):
        make_agreement(w, perf, today, reference=f"M-{i:03}", **base)


@pytest.mark.parametrize("n", [13, 200])
def test_the_list_asks_a_fixed_number_of_queries(world, perf, today, n, django_assert_num_queries):
    _many(world, perf, today, n)
    user = world.group_coordinator
    from partnership import permissions as perms

    perms.forget_cached_grants(user)
    user.__dict__.pop("_sits_in_partnership", None)
    user.__dict__.pop("_partnership_trees", None)
    # Rights, the partnership's bodies and its tree, whether they sit in it, and the rows.
    with django_assert_num_queries(5):
        rows = list(agreement_rows(user=user, partnership=world.partnership, today=today)[:50])
    assert len(rows) == min(n, 50)
