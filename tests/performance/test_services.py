"""Returns through the services: saving, submitting, locking, sign-off, sending back, re-opening,
delegation; and the set-up rules that keep past ratings as they were."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from partnership.models import Notice
from performance import services
from performance.models import Direction, EventKind, Rag, Return, ReturnStatus
from performance.selectors import (
    deadline_for,
    figures_for,
    open_quarter,
    return_for,
    returns_owed_by,
)
from performance.services import ReturnConflict
from tests.factories import UserFactory


@pytest.fixture
def draft(perf, world):
    """The open quarter's SC01 return, saved once as a draft by the lead."""
    return services.return_save(
        actor=world.member,
        indicator=perf.burglary,
        period=perf.period,
        version=0,
        value=D(95),
        commentary="",
    )


def submit(perf, world, *, version, value="95", commentary="Down again.", **more):
    return services.return_submit(
        actor=more.pop("actor", world.member),
        indicator=more.pop("indicator", perf.burglary),
        period=more.pop("period", perf.period),
        version=version,
        value=D(value) if value is not None else None,
        commentary=commentary,
        **more,
    )


def test_a_draft_is_saved_and_its_version_moves_on(draft):
    assert draft.status == ReturnStatus.DRAFT
    assert draft.version == 1
    assert draft.rag == ""  # rated live until it is submitted


def test_a_save_from_an_old_version_is_refused_and_keeps_the_saved_values(perf, world, draft):
    services.return_save(
        actor=world.member, indicator=perf.burglary, period=perf.period, version=1, value=D(90)
    )
    with pytest.raises(ReturnConflict) as conflict:
        services.return_save(
            actor=world.member,
            indicator=perf.burglary,
            period=perf.period,
            version=1,
            value=D(70),
        )
    assert conflict.value.current.value == D(90)
    assert "while you were editing" in conflict.value.messages[0]
    assert return_for(indicator=perf.burglary, period=perf.period).value == D(90)


def test_two_first_saves_of_a_new_return_cannot_both_win(perf, world):
    services.return_save(
        actor=world.member, indicator=perf.burglary, period=perf.period, version=0, value=D(1)
    )
    with pytest.raises(ReturnConflict):
        services.return_save(
            actor=world.member, indicator=perf.burglary, period=perf.period, version=0, value=D(2)
        )


def test_submitting_keeps_the_target_rag_and_directions_it_was_given(perf, world, draft):
    ret = submit(perf, world, version=draft.version, value="95")
    assert ret.status == ReturnStatus.SUBMITTED
    assert ret.target_value == D(100)
    assert ret.rag == Rag.GREEN  # lower is better: 95 against 100
    # The last signed-off quarter was 90, the same quarter last year 120.
    assert ret.direction == Direction.WORSENING
    assert ret.direction_year == Direction.IMPROVING
    assert ret.events.get().kind == EventKind.SUBMITTED


def test_a_later_target_change_does_not_change_a_reported_rating(perf, world, draft):
    ret = submit(perf, world, version=draft.version, value="95")
    services.return_sign_off(actor=world.group_coordinator, ret=ret)
    services.target_set(
        actor=world.coordinator, indicator=perf.burglary, year=perf.period.year, value=D(50)
    )
    ret.refresh_from_db()
    assert (ret.rag, ret.target_value) == (Rag.GREEN, D(100))
    # What the same figure would be given now is red, and that is only shown for new ones.
    rating = services.return_rating(indicator=perf.burglary, period=perf.period, value=D(95))
    assert rating.rag == Rag.RED


def test_the_old_target_and_tolerance_stay_in_history(perf, world):
    services.target_set(
        actor=world.coordinator, indicator=perf.burglary, year=perf.period.year, value=D(80)
    )
    target = perf.burglary.targets.get(year=perf.period.year, quarter=0)
    assert [h.value for h in target.history.order_by("history_date")] == [D(100), D(80)]
    services.indicator_update(
        actor=world.coordinator, indicator=perf.burglary, tolerance=D(20), reason="Board decision"
    )
    latest, earlier = perf.burglary.history.order_by("-history_date")[:2]
    assert (earlier.tolerance, latest.tolerance) == (D(10), D(20))
    assert latest.history_change_reason == "Board decision"


@pytest.mark.parametrize(
    ("value", "commentary", "remedial", "field"),
    [
        ("130", "", "", "commentary"),  # red: say why
        ("130", "Rising.", "", "remedial_action"),  # off track: say what is being done
        ("105", "Slightly up.", "", "remedial_action"),  # amber is off track too
        (None, "", "", "commentary"),  # no figure: say why
    ],
)
def test_an_incomplete_return_is_not_submitted(perf, world, value, commentary, remedial, field):
    with pytest.raises(ValidationError) as error:
        submit(perf, world, version=0, value=value, commentary=commentary, remedial_action=remedial)
    assert field in error.value.message_dict
    assert not Return.objects.filter(indicator=perf.burglary, status="submitted").exists()


def test_a_red_return_with_commentary_and_remedial_action_is_submitted(perf, world):
    ret = submit(
        perf,
        world,
        version=0,
        value="130",
        commentary="A spate in two wards.",
        remedial_action="Targeted patrols",
        remedial_by=perf.period.ends_on + timedelta(days=90),
    )
    assert ret.rag == Rag.RED


def test_a_percentage_over_100_is_refused_by_the_field(perf, world):
    with pytest.raises(ValidationError) as error:
        services.return_save(
            actor=world.member,
            indicator=perf.satisfaction,
            period=perf.period,
            version=0,
            value=D(101),
        )
    assert "value" in error.value.message_dict


def test_a_quarter_that_has_not_ended_is_not_open(perf, world):
    current = perf.period.next()
    with pytest.raises(ValidationError) as error:
        services.return_save(
            actor=world.member, indicator=perf.burglary, period=current, version=0, value=D(1)
        )
    assert "not open for returns yet" in error.value.messages[0]


def test_an_annual_indicator_takes_no_return_mid_year(perf, world):
    mid_year = perf.period if perf.period.number != 4 else perf.period.previous()
    with pytest.raises(ValidationError) as error:
        services.return_save(
            actor=world.member, indicator=perf.strategy, period=mid_year, version=0, value=D(1)
        )
    assert "no return is due" in error.value.messages[0]


def test_only_the_lead_or_their_delegate_writes_a_return(perf, world):
    with pytest.raises(ValidationError):
        services.return_save(
            actor=world.chair, indicator=perf.burglary, period=perf.period, version=0, value=D(1)
        )


def test_nobody_signs_off_a_return_they_submitted(perf, world, draft):
    ret = submit(perf, world, version=draft.version)
    with pytest.raises(ValidationError) as error:
        services.return_sign_off(actor=world.member, ret=ret)
    assert "someone else must sign it off" in error.value.messages[0]
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.SUBMITTED


def test_the_database_refuses_a_self_sign_off_too(perf, world, draft):
    ret = submit(perf, world, version=draft.version)
    with pytest.raises(IntegrityError), transaction.atomic():
        Return.objects.filter(pk=ret.pk).update(
            status=ReturnStatus.SIGNED_OFF, signed_off_by=world.member, signed_off_at=ret.updated_at
        )


def test_a_signed_off_return_is_locked(perf, world, draft):
    ret = submit(perf, world, version=draft.version)
    ret = services.return_sign_off(actor=world.chair, ret=ret)
    with pytest.raises(ValidationError) as error:
        services.return_save(
            actor=world.member,
            indicator=perf.burglary,
            period=perf.period,
            version=ret.version,
            value=D(1),
        )
    assert "signed off" in error.value.messages[0]


def test_sending_back_needs_a_reason_and_tells_the_lead(
    perf, world, draft, mailoutbox, django_capture_on_commit_callbacks
):
    ret = submit(perf, world, version=draft.version)
    with pytest.raises(ValidationError):
        services.return_send_back(actor=world.chair, ret=ret, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        ret = services.return_send_back(actor=world.chair, ret=ret, reason="Check the figure")
    assert ret.status == ReturnStatus.SENT_BACK
    assert [m.to for m in mailoutbox] == [["member@example.org"]]
    assert "Check the figure" in mailoutbox[0].body
    assert Notice.objects.filter(
        recipient=world.member, key__startswith="return-sent_back"
    ).exists()
    # Sent back, it is the lead's to correct and submit again.
    again = submit(perf, world, version=ret.version, value="92")
    assert again.status == ReturnStatus.SUBMITTED


def test_a_correction_reopens_with_a_reason_and_history_keeps_both_values(perf, world, draft):
    ret = submit(perf, world, version=draft.version, value="95")
    ret = services.return_sign_off(actor=world.group_coordinator, ret=ret)
    with pytest.raises(ValidationError):
        services.return_reopen(actor=world.group_coordinator, ret=ret, reason="")
    ret = services.return_reopen(
        actor=world.group_coordinator, ret=ret, reason="Police revised the figure"
    )
    assert ret.status == ReturnStatus.SENT_BACK and ret.signed_off_by is None
    ret = submit(perf, world, version=ret.version, value="97")
    services.return_sign_off(actor=world.chair, ret=ret)
    values = list(ret.history.order_by("history_date").values_list("value", flat=True))
    assert D(95) in values and values[-1] == D(97)
    kinds = list(ret.events.values_list("kind", flat=True))
    assert kinds == ["submitted", "signed_off", "reopened", "submitted", "signed_off"]
    assert ret.events.get(kind="reopened").reason == "Police revised the figure"


def test_a_lead_delegates_to_a_colleague_from_their_own_organisation(perf, world):
    stranger = UserFactory()
    with pytest.raises(ValidationError) as error:
        services.return_delegate(
            actor=world.member, indicator=perf.burglary, period=perf.period, delegate=stranger
        )
    assert "delegate" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.return_delegate(
            actor=world.chair, indicator=perf.burglary, period=perf.period, delegate=perf.colleague
        )
    ret = services.return_delegate(
        actor=world.member, indicator=perf.burglary, period=perf.period, delegate=perf.colleague
    )
    assert ret.delegate == perf.colleague
    # The colleague writes and submits it; the lead, not having submitted, may not sign off
    # (they have no right to), but the chair may.
    ret = submit(perf, world, actor=perf.colleague, version=ret.version)
    assert ret.submitted_by == perf.colleague
    owed = returns_owed_by(person=perf.colleague)
    assert owed == []  # submitted: nothing more owed for the open quarter


def test_your_returns_lists_the_open_quarter_with_its_deadline(perf, world):
    owed = returns_owed_by(person=world.member)
    # SC01 and SC02 are quarterly; SC03 is annual, due only in Q4.
    codes = sorted(d.indicator.code for d in owed)
    assert codes == (["SC01", "SC02", "SC03"] if perf.period.number == 4 else ["SC01", "SC02"])
    assert {d.deadline for d in owed} == {deadline_for(body=world.group, period=perf.period)}
    assert all(d.period == open_quarter() for d in owed)


def test_a_set_deadline_replaces_the_default_and_must_follow_the_quarter(perf, world):
    with pytest.raises(ValidationError):
        services.deadline_set(
            actor=world.group_coordinator,
            body=world.group,
            period=perf.period,
            due_on=perf.period.ends_on,
        )
    due = perf.period.ends_on + timedelta(days=10)
    services.deadline_set(
        actor=world.group_coordinator, body=world.group, period=perf.period, due_on=due
    )
    assert deadline_for(body=world.group, period=perf.period) == due


def test_figures_for_the_public_are_signed_off_only(perf, world, draft):
    submit(perf, world, version=draft.version)
    everyone = figures_for(indicator_ids=[perf.burglary.pk], signed_off_only=True)
    insiders = figures_for(indicator_ids=[perf.burglary.pk])
    assert perf.period not in everyone[perf.burglary.pk].figures
    assert insiders[perf.burglary.pk].figures[perf.period] == D(95)


def test_indicator_codes_are_unique_in_a_partnership(perf, world):
    with pytest.raises(ValidationError) as error:
        services.indicator_create(
            actor=None,
            partnership=world.partnership,
            body=world.group,
            code="sc01",
            title="Duplicate",
            unit="number",
            polarity="higher",
            lead=world.member,
        )
    assert "code" in error.value.message_dict


def test_a_long_reason_is_kept_in_full_on_the_event_and_cut_short_in_history(perf, world, draft):
    """History keeps 100 characters of a reason; the event keeps all of it (PostgreSQL
    refused the save before)."""
    ret = submit(perf, world, version=draft.version)
    reason = "The figure does not match the police's published data. " * 6
    ret = services.return_send_back(actor=world.chair, ret=ret, reason=reason)
    assert ret.events.get(kind="sent_back").reason == reason.strip()
    latest = ret.history.order_by("-history_date").first()
    assert len(latest.history_change_reason) == 100
    assert latest.history_change_reason.endswith("…")


def test_the_database_refuses_a_code_differing_only_in_case(perf, world):
    """Two people adding 'SC01' and 'sc01' at once both pass the service's check; the unique
    index on the lower-cased code stops the second."""
    from performance.models import Indicator, Outcome

    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(
            partnership=world.partnership,
            body=world.group,
            code="sc01",
            title="Duplicate",
            unit="number",
            polarity="higher",
            lead=world.member,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Outcome.objects.create(
            partnership=world.partnership, body=world.group, code="sc1", title="x", kind="priority"
        )
