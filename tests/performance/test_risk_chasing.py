"""Risk reviews and overdue controls in the returns' daily digest: each review step on its day
to the right people, once; a review, closing the risk or its not yet existing stops it; each
overdue control told to its owner once per due date; everything in one message a person a day;
and the same number of queries however many risks."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from types import SimpleNamespace

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from partnership.models import Notice
from partnership.periods import Quarter
from performance import services
from performance.models import ChaseStep, Risk, RiskControlChase, RiskReviewChase
from performance.selectors.returns import deadline_for

REVIEW_IN_7 = "Risk reviews due in 7 days"
REVIEW_TODAY = "Risk reviews due today"
REVIEW_LATE_7 = "Risk reviews 7 days late (as co-ordinator)"
REVIEW_LATE_14 = "Risk reviews 14 days late (as chair)"
CONTROLS_OVERDUE = "Risk controls overdue"
RETURNS_IN_7 = "Returns due in 7 days"


@pytest.fixture
def deadline(world, perf, today):
    """A week after the later of the quarter's start and the personas' taking up post: every
    day a test chases on (from 7 days before the deadline to 20 after) finds the personas in
    post and the same quarter being collected (only its reviews are chased)."""
    due_on = max(Quarter.of(today).starts_on, world.start) + timedelta(days=7)
    for body in (world.group, world.other):
        services.deadline_set(actor=None, body=body, period=perf.period, due_on=due_on)
    return deadline_for(body=world.group, period=perf.period)


@pytest.fixture
def risks(world, perf):
    return SimpleNamespace(
        categories={c.name: c for c in services.risk_categories(world.partnership)}, perf=perf
    )


def make_risk(world, risks, *, code="SG-R1", body=None, owner=None, since=None, **fields):
    """A risk of the Safer Group owned by Member, existing since the start of the quarter
    ``since`` (the open quarter by default; False: created today, after it ended): created
    through the service, then dated back."""
    values = {
        "code": code,
        "title": "Partners withdraw funding for neighbourhood wardens",
        "category": risks.categories["Financial"],
        "owner": owner or world.member,
        "owner_organisation": world.council,
        "inherent_likelihood": 4,
        "inherent_impact": 4,
        "residual_likelihood": 3,
        "residual_impact": 3,
        "target_likelihood": 2,
        "target_impact": 2,
        **fields,
    }
    risk = services.risk_create(actor=world.coordinator, body=body or world.group, **values)
    if since is not False:
        quarter = since or risks.perf.period
        created = timezone.make_aware(datetime.combine(quarter.starts_on, time(9)))
        Risk.objects.filter(pk=risk.pk).update(created_at=created)
    return Risk.objects.get(pk=risk.pk)


def add_control(world, risk, *, due_on, owner=None, **fields):
    return services.control_add(
        actor=world.group_coordinator,
        risk=risk,
        description=fields.pop("description", "Agree a three-year funding letter with partners"),
        owner=owner or world.member,
        due_on=due_on,
        **fields,
    )


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


def everything_sent() -> str:
    return "".join(m.body for m in digests())


def review_steps_told(risk) -> set[tuple[str, str]]:
    return set(RiskReviewChase.objects.filter(risk=risk).values_list("step", "recipient__email"))


def risk_url(risk, name="performance:risk") -> str:
    return reverse(name, kwargs={"partnership": "testshire", "pk": risk.pk})


# --- each review step on its day, to the right people ------------------------------------------


def test_the_risk_owner_is_reminded_of_the_review_seven_days_before_the_deadline(
    world, risks, deadline
):
    risk = make_risk(world, risks)
    day = deadline - timedelta(days=7)
    chase(day)
    body = only_mail_to(world.member)
    assert REVIEW_IN_7 in body
    title = "SG-R1 Partners withdraw funding for neighbourhood wardens"
    assert f"{title}, {risks.perf.period.label}" in body
    assert "Safer Group, Testshire Partnership" in body
    assert f"Deadline: {deadline:%-d %B %Y}" in body
    assert risk_url(risk, "performance:risk_review") in body
    # Nobody above the owner hears before the deadline.
    assert "SG-R1" not in "".join(m.body for m in digests() if m.to != [world.member.email])
    assert review_steps_told(risk) == {(ChaseStep.BEFORE, world.member.email)}


def test_the_risk_owner_is_reminded_again_on_the_day(world, risks, deadline):
    risk = make_risk(world, risks)
    chase(deadline - timedelta(days=7))
    mail.outbox.clear()
    chase(deadline)
    body = only_mail_to(world.member)
    assert REVIEW_TODAY in body and REVIEW_IN_7 not in body
    assert review_steps_told(risk) == {
        (ChaseStep.BEFORE, world.member.email),
        (ChaseStep.DUE, world.member.email),
    }


def test_the_bodys_coordinators_are_told_of_a_review_seven_days_late(world, risks, deadline):
    risk = make_risk(world, risks)
    chase(deadline)
    mail.outbox.clear()
    chase(deadline + timedelta(days=7))
    for coordinator in (world.group_coordinator, world.coordinator):
        body = only_mail_to(coordinator)
        assert REVIEW_LATE_7 in body and "SG-R1" in body
        assert "Owned by Member" in body
        assert risk_url(risk, "performance:risk_review") in body
    assert "SG-R1" not in "".join(m.body for m in mails_to(world.member) + mails_to(world.chair))
    assert review_steps_told(risk) == {
        (ChaseStep.DUE, world.member.email),
        (ChaseStep.LATE_COORDINATORS, world.group_coordinator.email),
        (ChaseStep.LATE_COORDINATORS, world.coordinator.email),
    }


def test_the_chair_is_told_of_a_review_fourteen_days_late_with_a_link_to_the_risk(
    world, risks, deadline
):
    risk = make_risk(world, risks)
    chase(deadline + timedelta(days=7))
    mail.outbox.clear()
    chase(deadline + timedelta(days=14))
    body = only_mail_to(world.chair)
    assert REVIEW_LATE_14 in body and "SG-R1" in body and "Owned by Member" in body
    # The chair does not review it: the risk's page, not the review form.
    assert risk_url(risk) in body and risk_url(risk, "performance:risk_review") not in body
    # The co-ordinators were told a week ago: not again.
    assert REVIEW_LATE_7 not in everything_sent()
    assert (ChaseStep.LATE_CHAIR, world.chair.email) in review_steps_told(risk)


def test_a_review_found_twenty_days_late_reaches_the_coordinators_and_the_chair_not_the_owner(
    world, risks, deadline
):
    risk = make_risk(world, risks)
    chase(deadline + timedelta(days=20))
    assert REVIEW_LATE_14 in only_mail_to(world.chair)
    assert REVIEW_LATE_7 in only_mail_to(world.group_coordinator)
    assert "SG-R1" not in "".join(m.body for m in mails_to(world.member))
    assert review_steps_told(risk) == {
        (ChaseStep.LATE_COORDINATORS, world.group_coordinator.email),
        (ChaseStep.LATE_COORDINATORS, world.coordinator.email),
        (ChaseStep.LATE_CHAIR, world.chair.email),
    }


def test_each_review_step_is_told_once_however_often_the_chase_runs(world, risks, deadline):
    risk = make_risk(world, risks)
    day = deadline - timedelta(days=7)
    assert chase(day) > 0
    told = RiskReviewChase.objects.count()
    assert chase(day) == 0
    mail.outbox.clear()
    chase(day + timedelta(days=1))  # still in the window: nothing more to tell
    assert "SG-R1" not in everything_sent()
    assert RiskReviewChase.objects.count() == told
    assert review_steps_told(risk) == {(ChaseStep.BEFORE, world.member.email)}


# --- what is owed --------------------------------------------------------------------------------


def test_a_review_recorded_for_the_quarter_stops_the_chase(world, risks, deadline):
    risk = make_risk(world, risks)
    chase(deadline - timedelta(days=7))
    services.risk_review(actor=world.member, risk=risk, period=risks.perf.period, unchanged=True)
    mail.outbox.clear()
    chase(deadline + timedelta(days=20))
    assert "SG-R1" not in everything_sent()
    assert review_steps_told(risk) == {(ChaseStep.BEFORE, world.member.email)}


def test_a_review_recorded_for_a_later_quarter_stops_the_chase_too(world, risks, deadline):
    """The review form records the quarter it is made in: after the deadline's reminder, that is
    already the next one, and the owner who answered it must not be escalated."""
    risk = make_risk(world, risks)
    services.risk_review(
        actor=world.member, risk=risk, period=risks.perf.period.next(), unchanged=True
    )
    chase(deadline + timedelta(days=20))
    assert "SG-R1" not in everything_sent()
    assert not RiskReviewChase.objects.exists()


def test_a_review_of_an_earlier_quarter_does_not_stop_the_chase(world, risks, deadline):
    risk = make_risk(world, risks, since=risks.perf.period.previous())
    services.risk_review(
        actor=world.member, risk=risk, period=risks.perf.period.previous(), unchanged=True
    )
    chase(deadline - timedelta(days=7))
    body = only_mail_to(world.member)
    assert REVIEW_IN_7 in body and "SG-R1 Partners" in body
    # The earlier quarter was reviewed: nobody is told it is late.
    assert "SG-R1" not in "".join(m.body for m in mails_to(world.coordinator))


def test_a_closed_risk_is_not_chased(world, risks, deadline):
    risk = make_risk(world, risks)
    add_control(world, risk, due_on=deadline - timedelta(days=30))
    services.risk_close(actor=world.group_coordinator, risk=risk, reason="Funding agreed")
    chase(deadline + timedelta(days=20))
    assert "SG-R1" not in everything_sent()
    assert not RiskReviewChase.objects.exists() and not RiskControlChase.objects.exists()


def test_a_risk_created_after_the_quarter_ended_is_not_chased_for_it(world, risks, deadline):
    make_risk(world, risks, since=False)  # created today: the open quarter had ended
    chase(deadline + timedelta(days=20))
    assert "SG-R1" not in everything_sent()
    assert not RiskReviewChase.objects.exists()


def test_only_the_quarter_being_collected_is_chased_not_earlier_ones(world, risks, deadline):
    earlier = risks.perf.period.previous()
    risk = make_risk(world, risks, since=earlier)
    chase(deadline - timedelta(days=7))
    # A review takes the risk as it stands now: last quarter's, missed, is not made up.
    to_owner = only_mail_to(world.member)
    assert REVIEW_IN_7 in to_owner and risks.perf.period.label in to_owner
    assert earlier.label not in everything_sent()
    assert mails_to(world.coordinator) == [] and mails_to(world.chair) == []
    assert set(
        RiskReviewChase.objects.filter(risk=risk).values_list("year", "quarter").distinct()
    ) == {(risks.perf.period.year, risks.perf.period.number)}


# --- overdue controls ----------------------------------------------------------------------------


def test_an_overdue_control_is_told_to_its_owner_once(world, risks, deadline):
    risk = make_risk(world, risks, since=False)
    day = deadline - timedelta(days=7)
    control = add_control(world, risk, due_on=day - timedelta(days=1), owner=risks.perf.colleague)
    chase(day - timedelta(days=1))  # due today: not yet overdue
    assert mails_to(risks.perf.colleague) == []
    chase(day)
    body = only_mail_to(risks.perf.colleague)
    assert CONTROLS_OVERDUE in body
    assert "SG-R1 Partners withdraw funding for neighbourhood wardens: Agree a three-year" in body
    assert f"Was due {day - timedelta(days=1):%-d %B %Y}" in body
    assert risk_url(risk) in body
    assert set(RiskControlChase.objects.values_list("control", "due_on", "recipient")) == {
        (control.pk, control.due_on, risks.perf.colleague.pk)
    }
    mail.outbox.clear()
    chase(day + timedelta(days=1))
    chase(day + timedelta(days=5))
    assert mails_to(risks.perf.colleague) == []


def test_an_overdue_control_given_a_new_due_date_and_missing_it_is_told_again(
    world, risks, deadline
):
    risk = make_risk(world, risks, since=False)
    day = deadline - timedelta(days=7)
    control = add_control(world, risk, due_on=day - timedelta(days=1), owner=risks.perf.colleague)
    chase(day)
    services.control_update(
        actor=world.group_coordinator, control=control, due_on=day + timedelta(days=2)
    )
    mail.outbox.clear()
    chase(day + timedelta(days=2))  # the new date is not past yet
    assert mails_to(risks.perf.colleague) == []
    chase(day + timedelta(days=3))
    body = only_mail_to(risks.perf.colleague)
    assert CONTROLS_OVERDUE in body and f"Was due {day + timedelta(days=2):%-d %B %Y}" in body
    assert RiskControlChase.objects.filter(control=control).count() == 2


def test_a_control_in_place_or_cancelled_is_not_chased(world, risks, deadline):
    risk = make_risk(world, risks, since=False)
    day = deadline - timedelta(days=7)
    add_control(
        world,
        risk,
        due_on=day - timedelta(days=5),
        owner=risks.perf.colleague,
        status="in_place",
        done_on=timezone.localdate(),
    )
    add_control(
        world, risk, due_on=day - timedelta(days=5), owner=risks.perf.colleague, status="cancelled"
    )
    chase(day)
    assert mails_to(risks.perf.colleague) == []
    assert not RiskControlChase.objects.exists()


def test_a_new_owner_of_an_overdue_control_is_told_too(world, risks, deadline):
    risk = make_risk(world, risks, since=False)
    day = deadline - timedelta(days=7)
    control = add_control(world, risk, due_on=day - timedelta(days=1), owner=risks.perf.colleague)
    chase(day)
    services.control_update(actor=world.group_coordinator, control=control, owner=world.chair)
    chase(day + timedelta(days=1))
    assert CONTROLS_OVERDUE in only_mail_to(world.chair)


# --- one digest a person a day -------------------------------------------------------------------


def test_returns_reviews_and_controls_come_in_one_message_a_person_a_day(world, risks, deadline):
    risk = make_risk(world, risks)
    make_risk(world, risks, code="SG-R2", title="Volunteer drivers leave the scheme")
    add_control(world, risk, due_on=deadline - timedelta(days=20))
    day = deadline - timedelta(days=7)
    chase(day)
    body = only_mail_to(world.member)
    for heading in (RETURNS_IN_7, REVIEW_IN_7, CONTROLS_OVERDUE):
        assert heading in body
    assert "SC01" in body and "SG-R1" in body and "SG-R2" in body
    assert body.index(RETURNS_IN_7) < body.index(REVIEW_IN_7) < body.index(CONTROLS_OVERDUE)
    (message,) = mails_to(world.member)
    assert message.subject == "Performance and risk: 5 due or late"  # SC01, SC02, 2 reviews, 1
    notice = Notice.objects.get(recipient=world.member)
    assert notice.key == f"returns-digest:{day.isoformat()}"
    assert notice.url == reverse("my_returns")  # they write returns: as before
    assert "SG-R2 Volunteer drivers leave the scheme" in message.alternatives[0][0]


def test_someone_who_already_had_todays_digest_gets_the_risks_tomorrow(world, risks, deadline):
    risk = make_risk(world, risks)
    add_control(world, risk, due_on=deadline - timedelta(days=20))
    day = deadline - timedelta(days=7)
    Notice.objects.create(
        recipient=world.member, key=f"returns-digest:{day.isoformat()}", subject="Earlier"
    )
    chase(day)
    assert mails_to(world.member) == []
    assert not RiskReviewChase.objects.filter(recipient=world.member).exists()
    assert not RiskControlChase.objects.filter(recipient=world.member).exists()
    chase(day + timedelta(days=1))
    body = only_mail_to(world.member)
    assert REVIEW_IN_7 in body and CONTROLS_OVERDUE in body and RETURNS_IN_7 in body


def test_a_digest_of_risks_only_links_to_the_register(world, risks, deadline):
    """An owner (who may sit on another body) to the partnership's register; co-ordinators told
    of one body's late reviews to that body's register."""
    day = deadline - timedelta(days=7)
    services.deadline_set(
        actor=None, body=world.subgroup, period=risks.perf.period, due_on=day - timedelta(days=7)
    )
    make_risk(world, risks, code="SSG-R1", body=world.subgroup)
    own = make_risk(world, risks, code="SG-R9", owner=risks.perf.colleague)
    chase(day)
    assert REVIEW_LATE_7 in only_mail_to(world.group_coordinator)
    assert REVIEW_IN_7 in only_mail_to(risks.perf.colleague)
    notices = {n.recipient_id: n.url for n in Notice.objects.all()}
    assert notices[world.group_coordinator.pk] == reverse(
        "performance:body_risks", kwargs={"partnership": "testshire", "body": "safer-sub-group"}
    )
    assert notices[risks.perf.colleague.pk] == reverse(
        "performance:risk_list", kwargs={"partnership": "testshire"}
    )
    assert review_steps_told(own) == {(ChaseStep.BEFORE, risks.perf.colleague.email)}


# --- a fixed number of queries -------------------------------------------------------------------

# Returns (indicators, bodies, partnerships, leads, set-up dates, returns, told), risks (risks,
# reviews, told), deadlines, co-ordinators (2), office holders, controls (told, controls), and
# key partnerships, agreement reviews and agreements ending (one each: none found, no more).
QUERIES = 19


@pytest.mark.parametrize("count", [3, 30])
def test_the_chase_of_risks_takes_the_same_queries_however_many_risks(
    world, risks, deadline, count, django_assert_num_queries
):
    bodies = [world.group, world.other, world.subgroup]
    owners = [world.member, risks.perf.colleague]
    for n in range(count):
        risk = make_risk(
            world,
            risks,
            code=f"R{n:02d}",
            body=bodies[n % 3],
            owner=owners[n % 2],
            since=risks.perf.period.previous() if n % 2 else None,
        )
        if n % 5 == 0:
            services.risk_review(
                actor=world.coordinator, risk=risk, period=risks.perf.period, unchanged=True
            )
    day = deadline + timedelta(days=14)
    chase(deadline)  # the owners told: those steps are not told again
    for risk in Risk.objects.all():
        add_control(world, risk, due_on=day - timedelta(days=1), owner=owners[risk.pk % 2])
    with django_assert_num_queries(QUERIES):
        found = services.digests_to_send(today=day)
    reviews = [i for d in found for i in d.items if i.kind == "review"]
    controls = [i for d in found for i in d.items if i.kind == "control"]
    assert reviews and len(controls) == count
    for digest in found:  # the sections and links need nothing more from the database
        with django_assert_num_queries(0):
            assert digest.sections
            assert digest.url(my_returns="/returns/")


# --- who may be told --------------------------------------------------------------------------


def test_an_owner_who_left_the_partnership_is_not_reminded_but_the_escalations_go_out(
    world, risks, deadline
):
    """Someone who no longer sits on a body may not read the risk: they are not sent its
    title. The co-ordinators, told at 7 days late, see to it."""
    from membership import services as ms
    from membership.models import Membership

    risk = make_risk(world, risks, owner=risks.perf.colleague)
    for membership in Membership.objects.filter(person=risks.perf.colleague):
        ms.membership_end(actor=None, membership=membership, ends_on=deadline - timedelta(days=6))
    chase(deadline)
    assert mails_to(risks.perf.colleague) == []
    chase(deadline + timedelta(days=7))
    assert "SG-R1" in only_mail_to(world.group_coordinator)
    assert risks.perf.colleague.email not in {e for _, e in review_steps_told(risk)}


def test_a_control_owner_is_told_of_a_confidential_risk_they_may_read(world, risks, deadline):
    """A control's owner reads its risk, confidential or not, while they sit on a body of the
    partnership; once they leave they are told nothing more."""
    from membership import services as ms
    from membership.models import Membership
    from performance.permissions import can_see_risk
    from tests.conftest import fresh

    risk = make_risk(world, risks, since=False, title="Secret merger talks", confidential=True)
    day = deadline - timedelta(days=7)
    add_control(world, risk, due_on=day - timedelta(days=1), owner=world.other_member)
    assert can_see_risk(fresh(world.other_member), risk)
    chase(day)
    assert "Secret merger talks" in only_mail_to(world.other_member)
    # A second control, overdue after they left: not told, and the risk no longer theirs.
    add_control(world, risk, due_on=day + timedelta(days=1), owner=world.other_member)
    for membership in Membership.objects.filter(person=world.other_member):
        ms.membership_end(actor=None, membership=membership, ends_on=day + timedelta(days=1))
    mail.outbox.clear()
    chase(day + timedelta(days=3))
    assert mails_to(world.other_member) == []
