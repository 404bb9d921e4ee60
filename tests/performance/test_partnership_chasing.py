"""The daily digest's key partnership reviews, agreement reviews and agreements ending: each
step on its day, to the right people, once however often it runs; and the same through the
real broker.

In the ``world``: ``member`` (sits on the Board) leads "Leisure Trust" and supervises the
Safer Group's agreement SLA-01; the keepers of the register are ``coordinator`` and the
governance lead; the Board's chair is ``chair``, who also chairs the Safer Group here; the
Safer Group's co-ordinators are ``group_coordinator`` and ``coordinator``.
"""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from membership import services as ms
from membership.models import Role
from partnership.models import Notice
from performance import services
from performance.models import (
    AgreementChase,
    AgreementReview,
    ChaseStep,
    CommissioningAgreement,
    KeyPartnership,
    KeyPartnershipChase,
)
from tests.conftest import appoint_governance_lead
from tests.factories import UserFactory
from tests.performance.test_partnership_reviews import make_key_partnership, record

KP_DUE_IN_7 = "Key partnership reviews due in 7 days"
KP_DUE_TODAY = "Key partnership reviews due today"
KP_LATE_7 = "Key partnership reviews 7 days late (as keeper of the register)"
KP_LATE_14 = "Key partnership reviews 14 days late (as chair of the partnership board)"
AG_DUE_IN_7 = "Agreement reviews due in 7 days"
AG_DUE_TODAY = "Agreement reviews due today"
AG_LATE_7 = "Agreement reviews 7 days late (as co-ordinator)"
AG_LATE_14 = "Agreement reviews 14 days late (as chair)"
ENDING = "Agreements ending within 90 days"


def chase(day) -> int:
    return services.digests_send(today=day)


def digests() -> list:
    return [m for m in mail.outbox if m.subject.startswith("Performance and risk:")]


def mails_to(person) -> list:
    return [m for m in digests() if m.to == [person.email]]


def only_mail_to(person) -> str:
    found = mails_to(person)
    assert len(found) == 1, [m.subject for m in found]
    return found[0].body


def recipients() -> set[str]:
    return {m.to[0] for m in digests()}


def at(w, name, **kwargs) -> str:
    return reverse(f"performance:{name}", kwargs={"partnership": w.partnership.slug, **kwargs})


def sit_as_group_chair(w):
    ms.membership_create(
        actor=None,
        body=w.group,
        seat=w.group_seat,
        person=w.chair,
        role=Role.CHAIR,
        organisation=w.council,
        starts_on=w.start,
    )


def make_agreement(w, *, reference="SLA-01", ends_on, supervisor=None, reviews=()):
    agreement = CommissioningAgreement.objects.create(
        partnership=w.partnership,
        commissioning_body=w.group,
        reference=reference,
        title="Domestic abuse advocacy",
        provider=w.charity,
        purpose="Advocacy for victims.",
        starts_on=w.start - timedelta(days=300),
        ends_on=ends_on,
        supervisor=supervisor or w.member,
        provider_representative="Pat Jones, manager",
        provider_representative_email="pat@example.org",
        partnership_obligations="Funding quarterly in advance.",
        provider_obligations="DBS checks for staff.",
        service_specification="Two advocates.",
        target_user_group="Victims of domestic abuse.",
        sustainability_plan="Bid to the lottery.",
        risk_assessment="Low.",
        potential_savings="Fewer repeat incidents.",
        equality_statement="Open to all.",
        community_engagement="Survivors' panel.",
        total_cost=Decimal("50000.00"),
        monitoring_arrangements="Quarterly returns.",
        default_terms="Notice of 3 months.",
        arbitration_terms="Negotiation, then mediation.",
    )
    for due in reviews:
        AgreementReview.objects.create(agreement=agreement, due_on=due)
    return agreement


@pytest.fixture
def lead(world):
    return appoint_governance_lead(world)


@pytest.fixture
def kp(world, today, lead):
    # The personas hold their posts from 30 days ago: every day chased finds them in post.
    return make_key_partnership(world, next_review_on=today + timedelta(days=10))


@pytest.fixture
def agreement(world, today):
    sit_as_group_chair(world)
    return make_agreement(
        world,
        ends_on=today + timedelta(days=400),
        reviews=[today + timedelta(days=10), today + timedelta(days=200)],
    )


# --- key partnership reviews ------------------------------------------------------------------


def test_nothing_is_sent_eight_days_before_the_review_is_due(world, kp):
    assert chase(kp.next_review_on - timedelta(days=8)) == 0


def test_the_lead_officer_is_reminded_seven_days_before_with_a_link_to_the_form(world, kp):
    assert chase(kp.next_review_on - timedelta(days=7)) == 1
    body = only_mail_to(world.member)
    assert KP_DUE_IN_7 in body and "Leisure Trust" in body
    assert f"Review due by {kp.next_review_on:%-d %B %Y}" in body
    assert at(world, "key_partnership_review_create", pk=kp.pk) in body
    notice = Notice.objects.get(recipient=world.member)
    assert notice.url == at(world, "key_partnership_list")


def test_the_lead_officer_is_reminded_again_on_the_day(world, kp):
    chase(kp.next_review_on - timedelta(days=7))
    chase(kp.next_review_on)
    assert [KP_DUE_TODAY in m.body for m in mails_to(world.member)] == [False, True]


def test_the_keepers_are_told_seven_days_late_and_not_a_body_coordinator(world, kp, lead):
    chase(kp.next_review_on + timedelta(days=7))
    assert recipients() == {world.coordinator.email, lead.email}
    body = only_mail_to(lead)
    assert KP_LATE_7 in body and "Led by Member" in body
    assert at(world, "key_partnership_review_create", pk=kp.pk) in body


def test_the_board_chair_is_told_fourteen_days_late_with_a_link_to_the_record(world, kp):
    chase(kp.next_review_on + timedelta(days=7))
    mail.outbox.clear()
    chase(kp.next_review_on + timedelta(days=14))
    assert recipients() == {world.chair.email}
    body = only_mail_to(world.chair)
    assert KP_LATE_14 in body and at(world, "key_partnership", pk=kp.pk) in body


def test_a_review_found_twenty_days_late_reaches_the_keepers_and_the_chair(world, kp, lead):
    chase(kp.next_review_on + timedelta(days=20))
    assert recipients() == {world.coordinator.email, lead.email, world.chair.email}


def test_each_step_is_told_once_however_often_the_chase_runs(world, kp, lead):
    for day in (-7, -7, -3, 0, 0, 7, 8, 14, 15):
        chase(kp.next_review_on + timedelta(days=day))
    told = set(
        KeyPartnershipChase.objects.filter(key_partnership=kp).values_list(
            "step", "recipient__email"
        )
    )
    assert told == {
        (ChaseStep.BEFORE, world.member.email),
        (ChaseStep.DUE, world.member.email),
        (ChaseStep.LATE_COORDINATORS, world.coordinator.email),
        (ChaseStep.LATE_COORDINATORS, lead.email),
        (ChaseStep.LATE_CHAIR, world.chair.email),
    }
    assert len(digests()) == 5


def test_a_review_recorded_stops_the_chase_and_the_next_date_is_chased_afresh(world, kp, today):
    chase(kp.next_review_on - timedelta(days=7))
    record(world, kp, reviewed_on=today)
    kp.refresh_from_db()
    mail.outbox.clear()
    chase(today + timedelta(days=20))
    assert digests() == []
    # Three years on, the new date is chased like the first.
    chase(kp.next_review_on - timedelta(days=7))
    assert KP_DUE_IN_7 in only_mail_to(world.member)


def test_an_ended_key_partnership_is_not_chased(world, kp, today):
    KeyPartnership.objects.filter(pk=kp.pk).update(status="ended", ended_on=today)
    assert chase(kp.next_review_on + timedelta(days=20)) == 0


def test_a_lead_officer_who_left_is_not_reminded_but_the_keepers_are_told(world, today, lead):
    gone = UserFactory(email="gone@example.org", full_name="Gone")
    kp = make_key_partnership(world, lead=gone, next_review_on=today + timedelta(days=10))
    chase(kp.next_review_on)
    assert digests() == []
    chase(kp.next_review_on + timedelta(days=7))
    assert recipients() == {world.coordinator.email, lead.email}


def test_a_lead_officer_who_keeps_the_register_without_a_seat_is_reminded(world, today, lead):
    # The governance lead holds an office, not a seat: they may record the review, so they are
    # told when it is due, as any lead officer.
    kp = make_key_partnership(world, lead=lead, next_review_on=today + timedelta(days=10))
    chase(kp.next_review_on - timedelta(days=7))
    assert recipients() == {lead.email}


# --- agreement reviews ---------------------------------------------------------------------------


def test_the_supervisor_is_reminded_of_the_next_review_before_and_on_the_day(world, agreement):
    review = AgreementReview.objects.filter(agreement=agreement).order_by("due_on").first()
    chase(review.due_on - timedelta(days=7))
    chase(review.due_on)
    first, second = (m.body for m in mails_to(world.member))
    assert AG_DUE_IN_7 in first and AG_DUE_TODAY in second
    assert "SLA-01: Domestic abuse advocacy" in first
    assert "Commissioned by the Safer Group" in first
    assert at(world, "agreement_review", pk=review.pk) in first
    assert recipients() == {world.member.email}


def test_the_bodys_coordinators_then_its_chair_are_told_of_a_late_review(world, agreement):
    review = AgreementReview.objects.filter(agreement=agreement).order_by("due_on").first()
    chase(review.due_on + timedelta(days=7))
    assert recipients() == {world.coordinator.email, world.group_coordinator.email}
    assert AG_LATE_7 in only_mail_to(world.group_coordinator)
    assert "Supervised by Member" in only_mail_to(world.group_coordinator)
    mail.outbox.clear()
    chase(review.due_on + timedelta(days=14))
    assert recipients() == {world.chair.email}
    body = only_mail_to(world.chair)
    assert AG_LATE_14 in body and at(world, "agreement", pk=agreement.pk) in body


def test_only_the_earliest_review_not_held_is_chased(world, agreement):
    first, second = AgreementReview.objects.filter(agreement=agreement).order_by("due_on")
    AgreementReview.objects.filter(pk=first.pk).update(
        held_on=first.due_on, reviewer=world.member, findings="On track."
    )
    assert chase(first.due_on + timedelta(days=20)) == 0
    chase(second.due_on - timedelta(days=7))
    assert AG_DUE_IN_7 in only_mail_to(world.member)
    assert AgreementChase.objects.filter(what="review", due_on=second.due_on).count() == 1


def test_an_agreement_review_step_is_told_once(world, agreement):
    review = AgreementReview.objects.filter(agreement=agreement).order_by("due_on").first()
    for _ in range(3):
        chase(review.due_on)
    assert len(digests()) == 1
    assert AgreementChase.objects.filter(what="review", step=ChaseStep.DUE).count() == 1


# --- agreements ending ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_before", "told"), [(91, False), (90, True), (1, True), (0, True), (-1, False)]
)
def test_an_agreement_ending_is_flagged_from_90_days_before_until_its_end(
    world, today, days_before, told
):
    agreement = make_agreement(world, ends_on=today + timedelta(days=200))
    chase(agreement.ends_on - timedelta(days=days_before))
    expected = {world.member.email, world.coordinator.email, world.group_coordinator.email}
    assert recipients() == (expected if told else set())
    if told:
        body = only_mail_to(world.member)
        assert ENDING in body and f"Ends on {agreement.ends_on:%-d %B %Y}" in body
        assert at(world, "agreement", pk=agreement.pk) in body


def test_an_agreement_ending_is_told_once_and_a_missed_run_catches_up(world, today):
    agreement = make_agreement(world, ends_on=today + timedelta(days=200))
    chase(agreement.ends_on - timedelta(days=30))  # the 60 days before, the job never ran
    chase(agreement.ends_on - timedelta(days=29))
    chase(agreement.ends_on)
    assert len(mails_to(world.member)) == 1
    assert "(in 30 days)" in only_mail_to(world.member)
    rows = AgreementChase.objects.filter(agreement=agreement, what="ending")
    assert set(rows.values_list("step", flat=True)) == {""}
    assert rows.count() == 3


def test_a_supervisor_who_left_is_not_told_of_the_end_but_the_coordinators_are(world, today):
    gone = UserFactory(email="gone@example.org", full_name="Gone")
    agreement = make_agreement(world, ends_on=today + timedelta(days=200), supervisor=gone)
    chase(agreement.ends_on - timedelta(days=10))
    assert recipients() == {world.coordinator.email, world.group_coordinator.email}


# --- one digest, its link, its queries -----------------------------------------------------------


def test_everything_due_comes_in_one_message_a_person_a_day(world, today, lead):
    sit_as_group_chair(world)
    day = today + timedelta(days=10)
    make_key_partnership(world, next_review_on=day + timedelta(days=3))
    make_agreement(world, ends_on=day + timedelta(days=60), reviews=[day])
    chase(day)
    body = only_mail_to(world.member)
    for section in (KP_DUE_IN_7, AG_DUE_TODAY, ENDING):
        assert section in body
    assert body.index(KP_DUE_IN_7) < body.index(AG_DUE_TODAY) < body.index(ENDING)
    assert mails_to(world.member)[0].subject == "Performance and risk: 3 due or late"


def test_a_digest_of_agreements_only_links_to_the_agreements(world, today):
    make_agreement(world, ends_on=today + timedelta(days=200))
    chase(today + timedelta(days=150))
    notice = Notice.objects.get(recipient=world.member)
    assert notice.url == at(world, "agreement_list")


def test_the_chase_takes_the_same_queries_however_many_records(
    world, today, lead, django_assert_num_queries
):
    sit_as_group_chair(world)
    day = today + timedelta(days=10)

    def add(n):
        for i in range(n):
            make_key_partnership(
                world, name=f"KP {n}-{i}", next_review_on=day + timedelta(days=i % 3 * 7 - 7)
            )
            make_agreement(
                world,
                reference=f"SLA-{n}-{i}",
                ends_on=day + timedelta(days=30 + i),
                reviews=[day - timedelta(days=i % 3 * 7)],
            )

    add(2)
    with django_assert_num_queries(QUERIES):
        found = services.digests_to_send(today=day)
    assert found
    add(20)
    with django_assert_num_queries(QUERIES):
        found = services.digests_to_send(today=day)
    kinds = {i.kind for d in found for i in d.items}
    assert kinds == {"kp_review", "agreement_review", "agreement_ending"}
    for digest in found:  # the sections and links need nothing more from the database
        with django_assert_num_queries(0):
            assert digest.sections
            assert digest.url(my_returns="/returns/")


# Returns, risks and controls (none here), key partnerships (themselves, keepers, boards,
# told), agreement reviews (themselves, told), agreements ending (themselves, told).
QUERIES = 23


# --- your tasks ------------------------------------------------------------------------------

TASKS = reverse("account:tasks")


def tasks_page(client, user) -> str:
    client.force_login(user)
    response = client.get(TASKS)
    assert response.status_code == 200
    return response.content.decode()


def test_the_lead_officer_sees_a_review_due_within_90_days_with_a_link_to_the_form(
    client, world, today
):
    soon = make_key_partnership(world, next_review_on=today + timedelta(days=90))
    make_key_partnership(world, name="Far Off", next_review_on=today + timedelta(days=91))
    html = tasks_page(client, world.member)
    assert "Key partnership reviews due" in html and "Review Leisure Trust" in html
    assert at(world, "key_partnership_review_create", pk=soon.pk) in html
    assert "Far Off" not in html
    assert "Key partnership reviews due" not in tasks_page(client, world.chair)


def test_the_supervisor_sees_the_next_agreement_review_and_owners_their_actions(
    client, world, today
):
    agreement = make_agreement(
        world, ends_on=today + timedelta(days=300), reviews=[today - timedelta(days=2)]
    )
    review = AgreementReview.objects.get(agreement=agreement)
    html = tasks_page(client, world.member)
    assert "Agreement reviews due" in html and "Review SLA-01: Domestic abuse advocacy" in html
    assert at(world, "agreement_review", pk=review.pk) in html
    kp = make_key_partnership(world)
    done = record(
        world,
        kp,
        reviewed_on=today,
        actions=[("Benchmark the fee", world.chair, today + timedelta(days=30))],
    )
    html = tasks_page(client, world.chair)
    assert "Actions from key partnership reviews" in html and "Benchmark the fee" in html
    assert at(world, "key_partnership_review", pk=done.pk) in html
    assert "Actions from key partnership reviews" not in tasks_page(client, world.member)


def _task_queries(client, user) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(TASKS).status_code == 200
    return len(ctx.captured_queries)


def test_the_tasks_page_takes_the_same_queries_however_many_reviews_and_actions(
    client, world, today
):
    def add(n):
        for i in range(n):
            kp = make_key_partnership(
                world, name=f"KP {n}-{i}", next_review_on=today + timedelta(days=1 + i)
            )
            make_agreement(
                world,
                reference=f"SLA-{n}-{i}",
                ends_on=today + timedelta(days=300),
                reviews=[today + timedelta(days=i)],
            )
            record(
                world,
                kp,
                reviewed_on=today - timedelta(days=1),
                actions=[("Do", world.member, today + timedelta(days=9))],
            )
            KeyPartnership.objects.filter(pk=kp.pk).update(
                next_review_on=today + timedelta(days=1 + i)
            )

    add(1)
    few = _task_queries(client, world.member)
    add(12)
    assert _task_queries(client, world.member) == few


# --- through the real broker -----------------------------------------------------------------


@pytest.mark.broker
def test_reviews_and_endings_are_chased_once_through_the_broker_however_often_it_runs(
    live_world, worker
):
    from partnership.celery import app
    from tests.test_celery import wait_for

    w = live_world
    lead = appoint_governance_lead(w)
    sit_as_group_chair(w)
    today = timezone.localdate()  # the job chases as of today
    make_key_partnership(w, name="Leisure Trust", next_review_on=today + timedelta(days=7))
    make_key_partnership(w, name="Waste Contract", next_review_on=today - timedelta(days=14))
    make_agreement(w, ends_on=today + timedelta(days=60), reviews=[today - timedelta(days=7)])
    notices = Notice.objects.filter(key=f"returns-digest:{today.isoformat()}")
    for _ in range(2):
        app.send_task("performance.tasks.chase_returns")
    expected = {w.member, w.coordinator, lead, w.chair, w.group_coordinator}
    assert wait_for(lambda: notices.count() == len(expected))
    time.sleep(1.5)  # let the other run finish: it must find nothing to send
    assert notices.count() == len(expected)
    assert sorted(m.to[0] for m in digests()) == sorted(p.email for p in expected)
    member = only_mail_to(w.member)
    assert KP_DUE_IN_7 in member and "Leisure Trust" in member and ENDING in member
    assert KP_LATE_7 in only_mail_to(lead) and "Waste Contract" in only_mail_to(lead)
    coordinator = only_mail_to(w.coordinator)
    assert KP_LATE_7 in coordinator and AG_LATE_7 in coordinator and ENDING in coordinator
    assert KP_LATE_14 in only_mail_to(w.chair)
    group = only_mail_to(w.group_coordinator)
    assert AG_LATE_7 in group and ENDING in group and "Key partnership" not in group
    assert KeyPartnershipChase.objects.count() == 4  # Leisure: member; Waste: 2 keepers, chair
    assert AgreementChase.objects.filter(what="ending").count() == 3


@pytest.fixture
def worker(transactional_db):
    from celery.contrib.testing.worker import start_worker

    from partnership.celery import app

    app.control.purge()
    with start_worker(
        app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=10
    ):
        yield
