"""A key partnership's review: the framework's questions answered, the outcome, the actions and
their owners told; the dates it moves; its pages and form; and who may do what.

In the ``world``: ``member`` (sits on the Board) is the lead officer of "Leisure Trust";
``coordinator`` (the partnership's co-ordinator) keeps the register; ``other_member`` sits on
the Other Group and reads the register; ``chair`` reads it too; ``group_coordinator`` has an
appointment but no seat, and ``outsider`` nothing: to them the register does not exist.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse

from partnership.models import Notice
from performance.models import (
    KeyPartnership,
    KeyPartnershipReview,
    KeyPartnershipReviewAction,
    KeyPartnershipSettings,
    next_review_due,
)
from performance.selectors.partnership_flags import (
    agreement_ending_soon,
    key_partnership_reviews,
    review_overdue,
)
from performance.services.partnership_reviews import (
    key_partnership_action_done,
    key_partnership_review_record,
)
from tests.test_url_access import ROLES, _check, _client_for

KEY_PARTNERSHIP_REVIEW_URLS = {
    "performance:key_partnership_review_create",
    "performance:key_partnership_review",
    "performance:key_partnership_action_done",
}

ANSWERS = {
    "still_needed": "Yes: the leisure centres are a priority of the plan.",
    "delivering": "Visits are up 8% on the year; two targets missed.",
    "value_for_money": "The fee is below the regional benchmark.",
    "governance": "The partnership board meets twice a year; minutes are published.",
    "partner_strength": "adequate",
    "partner_strength_notes": "The trust's reserves fell this year.",
    "risks": "The trust's finances; the pool's plant is old.",
}


def make_key_partnership(w, *, name="Leisure Trust", lead=None, **fields) -> KeyPartnership:
    values = {
        "partnership": w.partnership,
        "name": name,
        "lead_organisation": w.council,
        "lead_service": "Streetscene and Leisure Contracts",
        "lead_officer": lead or w.member,
        "remit": "Runs the indoor leisure centres.",
        "meets_key_criteria": True,
        "key_criteria": ["financial"],
        "monitoring_arrangements": "Monthly operational meetings.",
        "additional_monitoring": False,
        "next_review_on": w.start + timedelta(days=60),
        **fields,
    }
    return KeyPartnership.objects.create(**values)


@pytest.fixture
def kp(world):
    return make_key_partnership(world)


def record(w, kp, *, actor=None, reviewed_on=None, outcome="continue", actions=(), **changes):
    return key_partnership_review_record(
        actor=actor or w.member,
        key_partnership=kp,
        reviewed_on=reviewed_on or w.start + timedelta(days=10),
        outcome=outcome,
        actions=actions,
        **{**ANSWERS, **changes},
    )


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as raised:
        call()
    return {k: " ".join(v) for k, v in raised.value.message_dict.items()}


# --- the service -----------------------------------------------------------------------------


def test_a_review_moves_the_last_and_next_review_dates_three_years_on(world, kp):
    on = world.start + timedelta(days=10)
    review = record(world, kp, reviewed_on=on)
    kp.refresh_from_db()
    assert kp.last_reviewed_on == on
    assert kp.next_review_on == next_review_due(last=on, review_years=3)
    assert kp.next_review_on.year == on.year + 3
    assert review.reviewer == world.member and review.outcome == "continue"


def test_the_partnerships_own_review_period_sets_the_next_date(world, kp):
    KeyPartnershipSettings.objects.create(partnership=world.partnership, review_years=5)
    on = world.start
    record(world, kp, reviewed_on=on)
    kp.refresh_from_db()
    assert kp.next_review_on == next_review_due(last=on, review_years=5)


def test_every_question_must_be_answered(world, kp):
    blank = dict.fromkeys(ANSWERS, "  ")
    errors = errors_of(lambda: record(world, kp, **blank))
    assert set(errors) == set(ANSWERS)
    assert errors["still_needed"] == "Say whether it is still needed"
    assert errors["partner_strength"] == "Select how strong and stable the partners are"
    assert not KeyPartnershipReview.objects.exists()


@pytest.mark.parametrize("outcome", ["change", "exit"])
def test_a_change_or_an_exit_says_what_changes(world, kp, outcome):
    errors = errors_of(lambda: record(world, kp, outcome=outcome))
    assert set(errors) == {"changes_needed"}
    review = record(world, kp, outcome=outcome, changes_needed="Re-let the contract.")
    assert review.changes_needed == "Re-let the contract."


def test_an_outcome_must_be_chosen(world, kp):
    assert errors_of(lambda: record(world, kp, outcome=""))["outcome"] == (
        "Select the outcome of the review"
    )


def test_a_review_cannot_be_dated_in_the_future_or_before_the_last(world, kp, today):
    errors = errors_of(lambda: record(world, kp, reviewed_on=today + timedelta(days=1)))
    assert errors["reviewed_on"] == "The date of the review must be today or in the past"
    record(world, kp, reviewed_on=today - timedelta(days=5))
    earlier = today - timedelta(days=6)
    errors = errors_of(lambda: record(world, kp, reviewed_on=earlier))
    assert errors["reviewed_on"].startswith("The date of the review must be on or after")
    # A second review the same day as the last is allowed.
    record(world, kp, reviewed_on=today - timedelta(days=5))
    assert KeyPartnershipReview.objects.count() == 2


def test_actions_are_saved_with_their_owners_and_dates(world, kp):
    on = world.start + timedelta(days=10)
    due = on + timedelta(days=90)
    review = record(
        world,
        kp,
        reviewed_on=on,
        actions=[
            ("Benchmark the fee", world.other_member, due),
            ("Survey users", world.chair, due),
        ],
    )
    assert [(a.description, a.owner, a.due_on) for a in review.actions.order_by("pk")] == [
        ("Benchmark the fee", world.other_member, due),
        ("Survey users", world.chair, due),
    ]


def test_each_action_needs_a_description_an_owner_who_sits_and_a_date_after_the_review(world, kp):
    on = world.start + timedelta(days=10)
    errors = errors_of(
        lambda: record(
            world,
            kp,
            reviewed_on=on,
            actions=[
                ("", None, None),
                ("Tell the trust", world.outsider, on),
                ("Fine", world.chair, on + timedelta(days=1)),
            ],
        )
    )
    assert errors == {
        "actions.0.description": "Describe the action",
        "actions.0.owner": "Select who owns the action",
        "actions.0.due_on": "Enter the date the action is due",
        "actions.1.owner": "Select someone who sits on one of the partnership's bodies",
        "actions.1.due_on": "The action must be due after the date of the review",
    }
    assert not KeyPartnershipReviewAction.objects.exists()


def test_only_the_lead_officer_and_the_keepers_record_a_review(world, kp, governance_lead):
    for stranger in (world.other_member, world.chair, world.outsider, world.group_coordinator):
        with pytest.raises(ValidationError):
            record(world, kp, actor=stranger)
    for allowed in (world.member, world.coordinator, governance_lead):
        record(world, kp, actor=allowed)
    assert KeyPartnershipReview.objects.count() == 3


def test_an_ended_key_partnership_is_not_reviewed(world, kp, today):
    KeyPartnership.objects.filter(pk=kp.pk).update(status="ended", ended_on=today)
    kp.refresh_from_db()
    with pytest.raises(ValidationError):
        record(world, kp, actor=world.coordinator)


def test_an_exit_does_not_end_the_partnership_by_itself(world, kp):
    record(world, kp, outcome="exit", changes_needed="Give a year's notice.")
    kp.refresh_from_db()
    assert kp.is_active and kp.ended_on is None


def test_the_history_says_the_outcome(world, kp):
    record(world, kp, outcome="change", changes_needed="Add a performance clause.")
    latest = kp.history.order_by("-history_date", "-pk").first()
    assert latest.history_change_reason == "Reviewed: continue with changes"
    assert latest.history_user == world.member


def test_the_action_owners_are_told_once_when_the_review_is_saved(
    world, kp, django_capture_on_commit_callbacks
):
    due = world.start + timedelta(days=100)
    with django_capture_on_commit_callbacks(execute=True):
        review = record(
            world,
            kp,
            actions=[
                ("Benchmark the fee", world.other_member, due),
                ("Survey users", world.other_member, due),
                ("Check the plant", world.chair, due),
            ],
        )
    assert sorted(m.to[0] for m in mail.outbox) == [world.chair.email, world.other_member.email]
    to_other = next(m for m in mail.outbox if m.to == [world.other_member.email])
    assert to_other.subject == "2 actions for you from the review of Leisure Trust"
    assert "Benchmark the fee" in to_other.body and "Survey users" in to_other.body
    url = reverse(
        "performance:key_partnership_review",
        kwargs={"partnership": world.partnership.slug, "pk": review.pk},
    )
    assert url in to_other.body
    assert Notice.objects.filter(recipient=world.other_member, url=url).count() == 1
    # Sent again (a retry), nobody hears twice.
    from partnership.notifications import notify_each
    from performance.services.partnership_reviews import _action_messages

    assert notify_each(_action_messages(review.pk)) == 0
    assert len(mail.outbox) == 2


def test_nobody_is_told_of_a_review_with_no_actions(world, kp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        record(world, kp)
    assert mail.outbox == []


def test_an_action_is_marked_done_by_its_owner_or_the_keepers(world, kp, today):
    on = today - timedelta(days=3)
    review = record(
        world,
        kp,
        reviewed_on=on,
        actions=[("One", world.other_member, today), ("Two", world.chair, today)],
    )
    one, two = review.actions.order_by("pk")
    for stranger in (world.member, world.chair, world.outsider):
        with pytest.raises(ValidationError):
            key_partnership_action_done(actor=stranger, action=one, done_on=today)
    assert key_partnership_action_done(actor=world.other_member, action=one, done_on=today)
    assert key_partnership_action_done(actor=world.coordinator, action=two, done_on=on)
    with pytest.raises(ValidationError, match="was done on"):
        key_partnership_action_done(actor=world.coordinator, action=two, done_on=today)
    one.refresh_from_db()
    assert one.done_on == today


def test_an_action_is_not_done_before_its_review_nor_in_the_future(world, kp, today):
    on = today - timedelta(days=3)
    review = record(world, kp, reviewed_on=on, actions=[("One", world.chair, today)])
    action = review.actions.get()
    for day, message in [
        (on - timedelta(days=1), "on or after the review"),
        (today + timedelta(days=1), "today or in the past"),
    ]:
        errors = errors_of(
            lambda day=day: key_partnership_action_done(
                actor=world.coordinator, action=action, done_on=day
            )
        )
        assert message in errors["done_on"]


# --- the flags -------------------------------------------------------------------------------


def test_a_review_is_overdue_only_after_its_date_while_active(world, kp, today):
    kp.next_review_on = today
    assert not review_overdue(kp, today)
    assert review_overdue(kp, today + timedelta(days=1))
    kp.status, kp.ended_on = "ended", today
    assert not review_overdue(kp, today + timedelta(days=1))


@pytest.mark.parametrize(
    ("days_before", "flagged"), [(91, False), (90, True), (1, True), (0, True), (-1, False)]
)
def test_an_agreement_is_ending_soon_from_90_days_before_its_end(days_before, flagged):
    from performance.models import CommissioningAgreement

    ends = date(2027, 3, 31)
    agreement = CommissioningAgreement(starts_on=date(2026, 4, 1), ends_on=ends)
    assert agreement_ending_soon(agreement, ends - timedelta(days=days_before)) is flagged


# --- the pages -------------------------------------------------------------------------------


def at(w, name, **kwargs) -> str:
    return reverse(f"performance:{name}", kwargs={"partnership": w.partnership.slug, **kwargs})


def form_data(w, *, reviewed_on: date, actions=(), **fields) -> dict:
    data = {
        "reviewed_on_day": str(reviewed_on.day),
        "reviewed_on_month": str(reviewed_on.month),
        "reviewed_on_year": str(reviewed_on.year),
        "outcome": "continue",
        "changes_needed": "",
        **ANSWERS,
        "actions-TOTAL_FORMS": "5",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "5",
        **fields,
    }
    for n in range(5):
        description, owner, due = actions[n] if n < len(actions) else ("", None, None)
        data |= {
            f"actions-{n}-description": description,
            f"actions-{n}-owner": str(owner.pk) if owner else "",
            f"actions-{n}-due_on_day": str(due.day) if due else "",
            f"actions-{n}-due_on_month": str(due.month) if due else "",
            f"actions-{n}-due_on_year": str(due.year) if due else "",
        }
    return data


def test_the_form_asks_the_frameworks_questions(client, world, kp):
    client.force_login(world.member)
    html = client.get(at(world, "key_partnership_review_create", pk=kp.pk)).content.decode()
    for question in (
        "Is it still needed?",
        "Is it delivering its outcomes?",
        "Does it give value for money?",
        "Are its governance and accountability effective?",
        "How strong and stable are the partners?",
        "What are its risks?",
        "What changes are needed?",
        "Continue with changes",
        "Exit the partnership",
        "Action 5 (optional)",
    ):
        assert question in html
    assert "does not end the key partnership by itself" in html


def test_a_review_is_recorded_from_the_form_with_blank_action_rows_ignored(
    client, world, kp, today
):
    client.force_login(world.member)
    due = today + timedelta(days=60)
    data = form_data(
        world,
        reviewed_on=today,
        outcome="change",
        changes_needed="Add a clause on opening hours.",
        actions=[("", None, None), ("Draft the clause", world.chair, due)],
    )
    response = client.post(at(world, "key_partnership_review_create", pk=kp.pk), data)
    review = KeyPartnershipReview.objects.get()
    assert response.status_code == 302
    assert response["Location"] == at(world, "key_partnership_review", pk=review.pk)
    assert review.outcome == "change"
    assert [(a.description, a.owner) for a in review.actions.all()] == [
        ("Draft the clause", world.chair)
    ]
    html = client.get(response["Location"]).content.decode()
    for text in (
        "Review of Leisure Trust",
        ANSWERS["still_needed"],
        "Adequate: The trust",
        "Continue with changes",
        "Add a clause on opening hours.",
        "Draft the clause",
        "Change history",
    ):
        assert text in html, text


def test_the_forms_errors_are_next_to_their_fields_and_nothing_typed_is_lost(
    client, world, kp, today
):
    client.force_login(world.member)
    data = form_data(
        world,
        reviewed_on=today + timedelta(days=3),
        still_needed="",
        outcome="exit",
        actions=[("Give notice", world.chair, today)],
        delivering="Half its targets met; typed text kept.",
    )
    response = client.post(at(world, "key_partnership_review_create", pk=kp.pk), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Review Leisure Trust" in html
    assert "There is a problem" in html
    for message, anchor in [
        ("The date of the review must be today or in the past", "#id_reviewed_on_day"),
        ("Say whether it is still needed", "#id_still_needed"),
        ("Say what the exit needs", "#id_changes_needed"),
        (
            "Action 1: The action must be due after the date of the review",
            "#id_actions-0-due_on_day",
        ),
    ]:
        assert message in html, message
        assert f'href="{anchor}"' in html, anchor
    assert "Half its targets met; typed text kept." in html
    assert 'value="Give notice"' in html
    assert not KeyPartnershipReview.objects.exists()


@pytest.mark.parametrize("total", ["abc", "100000", "6", None])
def test_action_rows_whose_count_was_tampered_with_are_offered_blank_with_a_message(
    client, world, kp, today, total
):
    client.force_login(world.member)
    due = today + timedelta(days=30)
    data = form_data(
        world,
        reviewed_on=today,
        delivering="Typed text kept.",
        actions=[("Give notice", world.chair, due)],
    )
    if total is None:
        del data["actions-TOTAL_FORMS"]
    else:
        data["actions-TOTAL_FORMS"] = total
    response = client.post(at(world, "key_partnership_review_create", pk=kp.pk), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Review Leisure Trust" in html
    message = "The rows of actions were not sent as expected: enter them again"
    # In the summary and next to the rows.
    assert html.count(message) == 2
    assert 'id="actions-error"' in html
    # The five blank rows to fill in again; the rest of the form as typed.
    assert 'name="actions-TOTAL_FORMS" value="5"' in html
    assert "Action 5 (optional)" in html and 'value="Give notice"' not in html
    assert "Typed text kept." in html
    assert not KeyPartnershipReview.objects.exists()


def test_an_owner_from_outside_the_list_is_refused_on_the_row(client, world, kp, today):
    client.force_login(world.member)
    due = today + timedelta(days=9)
    data = form_data(world, reviewed_on=today, actions=[("Give notice", world.outsider, due)])
    html = client.post(at(world, "key_partnership_review_create", pk=kp.pk), data).content.decode()
    assert "Action 1: Select someone from the list" in html
    assert 'href="#id_actions-0-owner"' in html
    assert not KeyPartnershipReview.objects.exists()


def test_an_action_rows_service_errors_are_shown_on_its_row(client, world, kp, today):
    client.force_login(world.member)
    data = form_data(
        world,
        reviewed_on=today,
        actions=[("", None, None), ("", None, None), ("Due too soon", world.chair, today)],
    )
    response = client.post(at(world, "key_partnership_review_create", pk=kp.pk), data)
    html = response.content.decode()
    # Only the action row is wrong: the title still says so.
    assert "<title>Error: Review Leisure Trust" in html
    assert "Action 3: The action must be due after the date of the review" in html
    assert 'href="#id_actions-2-due_on_day"' in html
    assert 'id="id_actions-2-due_on-error"' in html


def test_the_reviews_partial_lists_reviews_and_flags_an_overdue_one(world, kp, today):
    review = record(world, kp, reviewed_on=today - timedelta(days=1), outcome="continue")
    kp.refresh_from_db()
    html = render_to_string(
        "performance/partnerships/_reviews.html",
        {"key_partnership": kp, "reviews": key_partnership_reviews(kp), "can_review": True},
    )
    assert f"Reviewed on {review.reviewed_on:%-d %B %Y}" in html
    assert "by Member" in html and "Continue as it is" in html
    assert at(world, "key_partnership_review", pk=review.pk) in html
    assert "Record a review" in html and "Review overdue" not in html
    kp.next_review_on = today - timedelta(days=1)
    html = render_to_string(
        "performance/partnerships/_reviews.html",
        {"key_partnership": kp, "reviews": [], "can_review": False},
    )
    assert "Review overdue" in html and "Record a review" not in html


def test_the_reviews_are_loaded_in_two_queries_however_many(
    world, kp, today, django_assert_num_queries
):
    for n in range(4):
        record(
            world,
            kp,
            reviewed_on=today - timedelta(days=10 - n),
            actions=[("Do it", world.chair, today + timedelta(days=5))],
        )
    with django_assert_num_queries(2):
        reviews = key_partnership_reviews(kp)
        render_to_string(
            "performance/partnerships/_reviews.html",
            {"key_partnership": kp, "reviews": reviews, "can_review": True},
        )


def test_the_exit_review_page_says_the_partnership_is_not_ended_by_it(client, world, kp):
    review = record(world, kp, outcome="exit", changes_needed="Give notice in April.")
    client.force_login(world.chair)
    html = client.get(at(world, "key_partnership_review", pk=review.pk)).content.decode()
    assert "does not end it by itself" in html
    assert "until the keepers of the register end it" in html


def test_an_action_is_marked_done_from_the_reviews_page(client, world, kp, today):
    review = record(
        world,
        kp,
        reviewed_on=today - timedelta(days=1),
        actions=[("Survey users", world.other_member, today + timedelta(days=5))],
    )
    action = review.actions.get()
    client.force_login(world.other_member)
    page = at(world, "key_partnership_review", pk=review.pk)
    assert "Mark as done" in client.get(page).content.decode()
    response = client.post(at(world, "key_partnership_action_done", pk=action.pk))
    assert response.status_code == 302 and response["Location"] == page
    action.refresh_from_db()
    assert action.done_on == today
    html = client.get(page).content.decode()
    assert f"Done on {today:%-d %B %Y}" in html and "Mark as done" not in html


# --- who may do what -------------------------------------------------------------------------

READERS = {
    **dict.fromkeys(ROLES, 200),
    "anonymous": "login",
    "outsider": 404,
    # An appointment without a seat does not open the register (can_read_key_partnerships).
    "group_coordinator": 404,
}
REVIEWERS = {**READERS, "other_member": 403, "chair": 403}
# The action's owner (other_member) and the keepers; the lead officer (member) reads only.
ACTION_DONE = {**READERS, "other_member": 302, "coordinator": 302, "member": 403, "chair": 403}


@pytest.fixture
def reviewed(world, kp, today):
    review = record(
        world,
        kp,
        reviewed_on=today - timedelta(days=1),
        actions=[("Survey users", world.other_member, today + timedelta(days=5))],
    )
    return review


@pytest.mark.parametrize("role", ROLES)
def test_key_partnership_review_urls_as(role, client, world, kp, reviewed):
    client = _client_for(client, world, role)
    for address, expected in [
        (at(world, "key_partnership_review_create", pk=kp.pk), REVIEWERS),
        (at(world, "key_partnership_review", pk=reviewed.pk), READERS),
    ]:
        _check(client.get(address), expected[role], address)
    action = reviewed.actions.get()
    address = at(world, "key_partnership_action_done", pk=action.pk)
    _check(client.post(address), ACTION_DONE[role], address)
    action.refresh_from_db()
    assert (action.done_on is not None) == (ACTION_DONE[role] == 302)


@pytest.mark.parametrize("role", ROLES)
def test_the_public_never_sees_a_review_even_when_the_register_is_published(
    role, client, world, kp, reviewed
):
    KeyPartnershipSettings.objects.create(partnership=world.partnership, publish_register=True)
    client = _client_for(client, world, role)
    address = at(world, "key_partnership_review", pk=reviewed.pk)
    _check(client.get(address), READERS[role], address)


def test_an_ended_key_partnership_is_read_but_not_reviewed(client, world, kp, today):
    KeyPartnership.objects.filter(pk=kp.pk).update(status="ended", ended_on=today)
    client.force_login(world.coordinator)
    response = client.get(at(world, "key_partnership_review_create", pk=kp.pk))
    assert response.status_code == 403


def test_a_review_of_another_partnership_is_not_found(client, world, kp, reviewed):
    from tests.factories import PartnershipFactory

    other = PartnershipFactory(slug="elsewhere")
    client.force_login(world.coordinator)
    url = reverse(
        "performance:key_partnership_review", kwargs={"partnership": other.slug, "pk": reviewed.pk}
    )
    assert client.get(url).status_code == 404
