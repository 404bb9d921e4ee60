"""The weekly reminder to co-ordinators of vacant seats and memberships ending soon."""

from datetime import date, timedelta

from django.core import mail

from membership import services as ms
from partnership.models import Notice


def reports_for(world, person, today):
    reports = ms.vacancy_reports(partnership=world.partnership, today=today)
    return {r.body.name: r for r in reports.get(person, [])}


def test_each_coordinator_hears_of_the_bodies_they_coordinate(world, today):
    everything = reports_for(world, world.coordinator, today)
    assert set(everything) == {"Board", "Safer Group", "Other Group"}
    assert [(seat.name, n) for seat, n in everything["Board"].vacant] == [("Council", 1)]
    assert [(seat.name, n) for seat, n in everything["Other Group"].vacant] == [("Partners", 4)]
    # The group co-ordinator: their group (and its sub-group, which has no seats) only.
    assert set(reports_for(world, world.group_coordinator, today)) == {"Safer Group"}
    # Members and chairs are not co-ordinators.
    assert reports_for(world, world.chair, today) == {}


def test_memberships_ending_within_sixty_days_are_listed(world, today):
    ms.membership_end(
        actor=None, membership=world.member_membership, ends_on=today + timedelta(days=60)
    )
    ms.membership_end(
        actor=None, membership=world.other_membership, ends_on=today + timedelta(days=61)
    )
    everything = reports_for(world, world.coordinator, today)
    assert [m.person for m in everything["Board"].ending] == [world.member]
    assert everything["Other Group"].ending == []


def test_a_closed_body_and_a_full_one_are_not_reported(world, today):
    ms.seat_update(actor=None, seat=world.board_seat, count=2)
    ms.body_close(actor=world.coordinator, body=world.other, closed_on=today, reason="Merged")
    assert set(reports_for(world, world.coordinator, today)) == {"Safer Group"}


def test_the_reminder_is_sent_once_a_week_however_often_the_job_runs(world):
    monday = date(2026, 11, 30)
    assert ms.vacancies_remind_coordinators(today=monday) == 2
    assert ms.vacancies_remind_coordinators(today=monday) == 0
    assert ms.vacancies_remind_coordinators(today=monday + timedelta(days=6)) == 0
    notices = Notice.objects.filter(key__startswith="vacancies-weekly:")
    assert sorted(n.recipient.email for n in notices) == [
        "coordinator@example.org",
        "group_coordinator@example.org",
    ]
    body = next(m for m in mail.outbox if m.to == ["group_coordinator@example.org"]).body
    assert "Safer Group" in body and "Partners: 5 places vacant" in body
    assert "Board" not in body
    assert ms.vacancies_remind_coordinators(today=monday + timedelta(days=7)) == 2


def test_one_bad_address_does_not_stop_the_others_reminder(world, monkeypatch):
    import pytest

    from partnership import notifications
    from partnership.notifications import NotAllSent

    real = notifications._send

    def send(to, *args):
        if to == world.coordinator:
            raise ConnectionRefusedError("bad address")
        return real(to, *args)

    monkeypatch.setattr(notifications, "_send", send)
    with pytest.raises(NotAllSent):  # raised so the job is retried for the one that failed
        ms.vacancies_remind_coordinators(today=date(2026, 11, 30))
    reminded = Notice.objects.filter(key__startswith="vacancies-weekly:")
    assert [n.recipient for n in reminded] == [world.group_coordinator]


def test_one_coordinators_reports_are_those_the_reminder_sends_them(world, today):
    """``vacancy_reports_for`` (their tasks) tells a co-ordinator what ``vacancy_reports``
    (the weekly reminder) tells them: the same bodies, vacancies and memberships ending."""
    from membership.models import Appointment, AppointmentRole

    ms.membership_end(
        actor=None, membership=world.member_membership, ends_on=today + timedelta(days=30)
    )

    def shown(reports):
        return [
            (r.body.pk, [(s.pk, n) for s, n in r.vacant], [m.pk for m in r.ending]) for r in reports
        ]

    everyone = ms.vacancy_reports(partnership=world.partnership, today=today)
    for person in (world.coordinator, world.group_coordinator, world.chair, world.member):
        appointments = (
            Appointment.objects.current(on=today)
            .filter(person=person, role=AppointmentRole.COORDINATOR)
            .values_list("partnership_id", "body_id")
        )
        mine = ms.vacancy_reports_for(appointments=appointments, today=today)
        assert shown(mine) == shown(everyone.get(person, [])), person
    assert shown(everyone[world.coordinator])  # something to agree on
