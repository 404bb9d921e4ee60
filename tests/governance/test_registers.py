"""Every rule of the registers: declaring, updating and ending interests, rulings and
disputes, gifts and hospitality, the yearly confirmation, what the public sees, interests
flagged on agendas, and the chasers."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.utils import timezone

from governance import selectors
from governance import services as gs
from governance.models import Declaration, RegisterConfirmation, RulingStatus
from governance.selectors import RegisterAccess
from membership import services as ms
from partnership.models import Notice
from partnership.periods import financial_year
from tests.factories import OrganisationFactory, UserFactory
from tests.governance.helpers import schedule


def chase_day() -> date:
    """The first of this month: every world membership (from 30 days ago) is current then."""
    return timezone.localdate().replace(day=1)


PUBLIC = RegisterAccess()


def declare(world, person=None, **fields):
    values = {
        "kind": "financial",
        "holder": "self",
        "organisation": world.business,
        "description": "Paid director of a member firm.",
        "starts_on": world.start,
    }
    values.update(fields)
    return gs.declaration_create(
        actor=person or world.member,
        partnership=world.partnership,
        person=person or world.member,
        **values,
    )


def gift(world, person=None, **fields):
    values = {
        "body": world.board,
        "kind": "hospitality",
        "donor": "Kestrel Services Ltd",
        "description": "Dinner at the annual awards",
        "value": Decimal("45.00"),
        "offered_on": timezone.localdate() - timedelta(days=3),
        "decision": "accepted",
    }
    values.update(fields)
    return gs.gift_declare(
        actor=person or world.member,
        partnership=world.partnership,
        person=person or world.member,
        **values,
    )


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): ...`` runs what the block queued for after its commit, as a real
    commit would (the test's own transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def failing_addresses(monkeypatch) -> set[str]:
    """Sending to an address put in this set fails, as a bad address or a mail server down
    would."""
    from partnership import notifications

    failing: set[str] = set()
    real = notifications._send

    def send(to, *args):
        if to.email in failing:
            raise ConnectionRefusedError("mail server refused")
        return real(to, *args)

    monkeypatch.setattr(notifications, "_send", send)
    return failing


# --- declaring ------------------------------------------------------------------------------


def test_a_member_declares_an_interest_and_the_chair_is_asked_to_rule(world, committed):
    with committed():
        d = declare(world)
    assert d.is_live()
    assert [b.name for b in selectors.register_bodies(declaration=d)] == ["Board"]
    assert Notice.objects.filter(recipient=world.chair, key__startswith="declaration-to-rule:")
    assert any("Declaration of interest to rule on" in m.subject for m in mail.outbox)


def test_someone_who_sits_on_no_body_cannot_declare(world):
    with pytest.raises(ValidationError, match="Only members"):
        declare(world, person=world.outsider)


def test_an_interest_must_concern_an_organisation_body_or_project(world):
    with pytest.raises(ValidationError) as excinfo:
        declare(world, organisation=None)
    assert "project" in errors_of(excinfo)


def test_an_interest_cannot_be_held_from_a_future_date(world):
    with pytest.raises(ValidationError) as excinfo:
        declare(world, starts_on=timezone.localdate() + timedelta(days=1))
    assert "starts_on" in errors_of(excinfo)


def test_an_organisation_of_another_partnership_is_refused(world):
    with pytest.raises(ValidationError) as excinfo:
        declare(world, organisation=OrganisationFactory())
    assert "organisation" in errors_of(excinfo)


def test_an_unknown_type_or_holder_is_refused(world):
    with pytest.raises(ValidationError) as excinfo:
        declare(world, kind="secret", holder="cousin")
    assert {"kind", "holder"} <= set(errors_of(excinfo))


# --- updating and ending: nothing is lost ---------------------------------------------------


def test_updating_an_interest_supersedes_it_and_keeps_the_old_version(world, today):
    old = declare(world)
    new = gs.declaration_update(
        actor=world.member,
        declaration=old,
        changed_on=today,
        change_note="Became chair of the firm",
        description="Chair of a member firm.",
    )
    old.refresh_from_db()
    assert old.is_superseded and not old.is_live()
    assert new.supersedes == old and new.is_live()
    assert new.organisation == world.business  # carried over
    assert Declaration.objects.live().filter(person=world.member).get() == new
    assert old.history.count() == 1 and new.history.count() == 1


def test_a_replaced_version_cannot_be_updated_or_ended_again(world, today):
    old = declare(world)
    gs.declaration_update(actor=world.member, declaration=old, changed_on=today, change_note="x")
    with pytest.raises(ValidationError, match="already been replaced"):
        gs.declaration_update(
            actor=world.member, declaration=old, changed_on=today, change_note="y"
        )
    with pytest.raises(ValidationError, match="already been replaced"):
        gs.declaration_end(actor=world.member, declaration=old, ended_on=today)


def test_an_update_says_what_changed(world, today):
    with pytest.raises(ValidationError) as excinfo:
        gs.declaration_update(
            actor=world.member, declaration=declare(world), changed_on=today, change_note=" "
        )
    assert "change_note" in errors_of(excinfo)


def test_ending_an_interest_keeps_it_as_ended(world, today):
    d = gs.declaration_end(actor=world.member, declaration=declare(world), ended_on=today)
    assert d.ended_on == today and not d.is_live()
    assert Declaration.objects.filter(pk=d.pk).exists()
    with pytest.raises(ValidationError, match="has ended"):
        gs.declaration_end(actor=world.member, declaration=d, ended_on=today)


def test_an_interest_cannot_end_before_it_began_or_in_the_future(world, today):
    d = declare(world)
    with pytest.raises(ValidationError) as excinfo:
        gs.declaration_end(actor=world.member, declaration=d, ended_on=world.start - timedelta(1))
    assert "ended_on" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        gs.declaration_end(actor=world.member, declaration=d, ended_on=today + timedelta(1))
    assert "ended_on" in errors_of(excinfo)


def test_a_declaration_with_a_ruling_cannot_be_deleted(world):
    d = declare(world)
    gs.ruling_make(actor=world.chair, declaration=d, body=world.board, outcome="noted", reason="ok")
    with pytest.raises(ProtectedError):
        d.delete()


# --- rulings ------------------------------------------------------------------------------


def test_the_chair_rules_and_the_member_is_told(world, committed):
    d = declare(world)
    with committed():
        ruling = gs.ruling_make(
            actor=world.chair,
            declaration=d,
            body=world.board,
            outcome="restricted",
            restrictions="Business rates relief scheme",
            reason="A direct financial interest",
        )
    assert ruling.acting_as == "Chair"
    assert ruling.final_outcome == "restricted"
    assert Notice.objects.filter(recipient=world.member, key=f"ruling:{ruling.pk}").exists()


def test_only_the_chair_or_deputy_of_the_body_rules(world):
    d = declare(world, person=world.chair)
    for actor in (world.member, world.coordinator, world.other_member):
        with pytest.raises(ValidationError, match="Only the chair or deputy"):
            gs.ruling_make(
                actor=actor, declaration=d, body=world.board, outcome="noted", reason="x"
            )


def test_a_chair_cannot_rule_on_their_own_declaration_but_the_deputy_can(world):
    d = declare(world, person=world.chair)
    with pytest.raises(ValidationError, match="your own declaration"):
        gs.ruling_make(
            actor=world.chair, declaration=d, body=world.board, outcome="noted", reason="x"
        )
    deputy = UserFactory()
    ms.membership_create(
        actor=None,
        body=world.board,
        seat=world.board_seat,
        person=deputy,
        role="deputy_chair",
        starts_on=world.start,
    )
    ruling = gs.ruling_make(
        actor=deputy, declaration=d, body=world.board, outcome="noted", reason="x"
    )
    assert ruling.acting_as == "Deputy chair"


def test_a_restriction_names_what_the_member_takes_no_part_in(world):
    with pytest.raises(ValidationError) as excinfo:
        gs.ruling_make(
            actor=world.chair,
            declaration=declare(world),
            body=world.board,
            outcome="restricted",
            reason="x",
        )
    assert "restrictions" in errors_of(excinfo)


def test_a_body_rules_once_on_a_version(world):
    d = declare(world)
    gs.ruling_make(actor=world.chair, declaration=d, body=world.board, outcome="noted", reason="x")
    with pytest.raises(ValidationError, match="already ruled"):
        gs.ruling_make(
            actor=world.chair, declaration=d, body=world.board, outcome="disbarred", reason="y"
        )


def test_a_body_rules_only_on_its_own_register(world):
    d = declare(world, person=world.other_member)
    with pytest.raises(ValidationError, match="not in the body's register"):
        gs.ruling_make(
            actor=world.chair, declaration=d, body=world.board, outcome="noted", reason="x"
        )


def test_an_interest_in_the_body_itself_is_in_its_register(world):
    d = declare(world, person=world.other_member, organisation=None, body=world.board)
    assert world.board in selectors.register_bodies(declaration=d)
    gs.ruling_make(actor=world.chair, declaration=d, body=world.board, outcome="noted", reason="x")


def test_a_changed_interest_is_ruled_on_afresh(world, today):
    old = declare(world)
    gs.ruling_make(
        actor=world.chair, declaration=old, body=world.board, outcome="noted", reason="x"
    )
    new = gs.declaration_update(
        actor=world.member, declaration=old, changed_on=today, change_note="c"
    )
    assert old.rulings.count() == 1 and new.rulings.count() == 0
    with pytest.raises(ValidationError, match="no longer in force"):
        gs.ruling_make(
            actor=world.chair, declaration=old, body=world.board, outcome="noted", reason="x"
        )


def test_disbarring_tells_the_coordinators(world, committed):
    with committed():
        ruling = gs.ruling_make(
            actor=world.chair,
            declaration=declare(world),
            body=world.board,
            outcome="disbarred",
            reason="Mostly to the firm's benefit",
        )
    assert Notice.objects.filter(
        recipient=world.coordinator, key=f"ruling-disbarred:{ruling.pk}:in_force"
    ).exists()


# --- disputes -------------------------------------------------------------------------------


@pytest.fixture
def ruling(world):
    return gs.ruling_make(
        actor=world.chair,
        declaration=declare(world),
        body=world.board,
        outcome="disbarred",
        reason="Prejudicial to the board's aims",
    )


def test_the_member_disputes_and_the_governance_lead_is_told(
    world, ruling, governance_lead, committed
):
    with committed():
        r = gs.ruling_dispute(actor=world.member, ruling=ruling, reason="My firm never bids")
    assert r.status == RulingStatus.DISPUTED
    assert Notice.objects.filter(recipient=governance_lead, key=f"ruling-disputed:{r.pk}").exists()


def test_only_the_declarant_disputes_and_only_once(world, ruling):
    with pytest.raises(ValidationError, match="Only the member"):
        gs.ruling_dispute(actor=world.chair, ruling=ruling, reason="x")
    with pytest.raises(ValidationError) as excinfo:
        gs.ruling_dispute(actor=world.member, ruling=ruling, reason=" ")
    assert "dispute_reason" in errors_of(excinfo)
    gs.ruling_dispute(actor=world.member, ruling=ruling, reason="x")
    with pytest.raises(ValidationError, match="already been disputed"):
        gs.ruling_dispute(actor=world.member, ruling=ruling, reason="again")


def test_the_governance_lead_changes_a_disputed_ruling(world, ruling, governance_lead, committed):
    with pytest.raises(ValidationError, match="Only a disputed ruling"):
        gs.ruling_settle(actor=governance_lead, ruling=ruling, uphold=True, reason="x")
    gs.ruling_dispute(actor=world.member, ruling=ruling, reason="My firm never bids")
    with pytest.raises(ValidationError) as excinfo:
        gs.ruling_settle(
            actor=governance_lead, ruling=ruling, uphold=False, reason="x", outcome="disbarred"
        )
    assert "settled_outcome" in errors_of(excinfo)
    with committed():
        r = gs.ruling_settle(
            actor=governance_lead,
            ruling=ruling,
            uphold=False,
            reason="Restriction is enough",
            outcome="restricted",
            restrictions="Business grants",
        )
    assert r.status == RulingStatus.CHANGED
    assert (r.outcome, r.final_outcome, r.final_restrictions) == (
        "disbarred",
        "restricted",
        "Business grants",
    )
    assert Notice.objects.filter(recipient=world.member, key=f"ruling-settled:{r.pk}").exists()
    assert Notice.objects.filter(recipient=world.chair, key=f"ruling-settled:{r.pk}").exists()


# --- gifts and hospitality ------------------------------------------------------------------


def test_a_gift_over_the_threshold_is_brought_to_the_chair(world, committed):
    with committed():
        small = gift(world, value=Decimal("50.00"))
        big = gift(world, value=Decimal("50.01"))
    keys = set(Notice.objects.filter(recipient=world.chair).values_list("key", flat=True))
    assert f"gift-over-threshold:{big.pk}" in keys
    assert f"gift-over-threshold:{small.pk}" not in keys
    register = selectors.body_gifts(body=world.board, access=RegisterAccess(rule=True))
    flagged = {g.pk: g.over_threshold for g in register.entries}
    assert flagged == {small.pk: False, big.pk: True}


def test_the_partnership_sets_its_threshold(world, governance_lead, committed):
    gs.register_settings_update(
        actor=governance_lead,
        partnership=world.partnership,
        publish_interests=True,
        publish_gifts=True,
        gift_threshold=Decimal("25"),
    )
    with committed():
        g = gift(world, value=Decimal("30"))
    assert Notice.objects.filter(key=f"gift-over-threshold:{g.pk}").exists()


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"value": Decimal("-1")}, "value"),
        ({"offered_on": date.today() + timedelta(days=2)}, "offered_on"),
        ({"donor": " "}, "donor"),
        ({"decision": "maybe"}, "decision"),
        ({"advice_sought": True, "advice_from": ""}, "advice_from"),
    ],
)
def test_a_bad_gift_is_refused_next_to_its_field(world, fields, field):
    with pytest.raises(ValidationError) as excinfo:
        gift(world, **fields)
    assert field in errors_of(excinfo)


def test_a_gift_is_declared_only_for_a_body_one_sits_on(world):
    with pytest.raises(ValidationError) as excinfo:
        gift(world, body=world.other)
    assert "body" in errors_of(excinfo)


# --- the yearly confirmation and its chaser ----------------------------------------------------


def test_confirming_with_nothing_declared_is_a_nil_return_and_counts_once(world):
    first = gs.register_confirm(
        actor=world.member, partnership=world.partnership, person=world.member
    )
    again = gs.register_confirm(
        actor=world.member, partnership=world.partnership, person=world.member
    )
    assert first.nil_return and first == again
    assert RegisterConfirmation.objects.count() == 1


def test_confirming_with_an_interest_is_not_a_nil_return(world):
    declare(world)
    c = gs.register_confirm(actor=world.member, partnership=world.partnership, person=world.member)
    assert not c.nil_return


def test_unconfirmed_members_are_chased_once_a_month_however_often_the_job_runs(world):
    gs.register_confirm(actor=world.chair, partnership=world.partnership, person=world.chair)
    # Days of this month, when everyone in the world is a member (never a fixed date: the
    # world's memberships start 30 days before today).
    day = chase_day()
    first = gs.registers_chase_confirmation(today=day)
    assert gs.registers_chase_confirmation(today=day) == 0
    assert gs.registers_chase_confirmation(today=day + timedelta(days=20)) == 0
    chased = set(
        Notice.objects.filter(key__startswith="register-confirm:").values_list(
            "recipient__email", flat=True
        )
    )
    # Members only (the chair confirmed; co-ordinators and outsiders sit on no body).
    assert chased == {"member@example.org", "other_member@example.org"}
    assert first == 2
    next_month = (day + timedelta(days=32)).replace(day=1)
    # A new month; in a new financial year the chair's confirmation is due again too.
    again = 2 if financial_year(next_month) == financial_year(day) else 3
    assert gs.registers_chase_confirmation(today=next_month) == again


# --- what the public sees -----------------------------------------------------------------------


def test_the_public_register_withholds_sensitive_entries_with_their_reason(world):
    shown = declare(world)
    declare(world, organisation=world.charity, withheld_reason="Personal safety")
    public = selectors.body_interests(body=world.board, access=PUBLIC)
    assert [d.pk for d in public.entries] == [shown.pk]
    assert public.withheld == ["Personal safety"]
    whole = selectors.body_interests(body=world.board, access=RegisterAccess(rule=True))
    assert len(whole.entries) == 2


def test_an_unpublished_register_shows_the_public_nothing(world, governance_lead):
    declare(world)
    gift(world)
    gs.register_settings_update(
        actor=governance_lead,
        partnership=world.partnership,
        publish_interests=False,
        publish_gifts=False,
        gift_threshold=Decimal("50"),
    )
    for read in (selectors.body_interests, selectors.body_gifts):
        register = read(body=world.board, access=PUBLIC)
        assert not register.published and register.entries == []
        assert read(body=world.board, access=RegisterAccess(manage=True)).entries


def test_the_register_shows_interests_of_people_on_the_body_only(world, today):
    declare(world)
    declare(world, person=world.other_member)
    names = [d.person for d in selectors.body_interests(body=world.board, access=PUBLIC).entries]
    assert names == [world.member]
    ms.membership_end(actor=None, membership=world.member_membership, ends_on=today)
    assert selectors.body_interests(body=world.board, access=PUBLIC).entries == []


def test_an_export_range_includes_versions_held_then(world, today):
    old = declare(world, starts_on=today - timedelta(days=20))
    new = gs.declaration_update(
        actor=world.member, declaration=old, changed_on=today - timedelta(days=5), change_note="c"
    )
    full = RegisterAccess(manage=True)
    early = selectors.body_interests(
        body=world.board, access=full, start=today - timedelta(days=15), end=today - timedelta(10)
    )
    assert [d.pk for d in early.entries] == [old.pk]
    whole = selectors.body_interests(
        body=world.board, access=full, start=today - timedelta(days=15), end=today
    )
    assert [d.pk for d in whole.entries] == [old.pk, new.pk]


def test_who_may_see_a_declaration(world, governance_lead):
    d = declare(world)
    assert selectors.declaration_access(world.member, d) == RegisterAccess()
    assert selectors.declaration_access(world.chair, d).rule
    assert selectors.declaration_access(world.coordinator, d).manage
    assert selectors.declaration_access(governance_lead, d).lead
    for nobody in (world.other_member, world.group_coordinator, world.outsider):
        assert selectors.declaration_access(nobody, d) is None


# --- meetings know about interests ----------------------------------------------------------


@pytest.fixture
def meeting_with_items(world):
    meeting = schedule(world, days=3)
    forum = gs.item_add(
        actor=world.coordinator,
        meeting=meeting,
        title="Business forum grant",
        organisations=[world.business],
    )
    hub = gs.item_add(
        actor=world.coordinator, meeting=meeting, title="Youth hub", projects="Youth Hub\nOther"
    )
    plain = gs.item_add(actor=world.coordinator, meeting=meeting, title="Any other business")
    return meeting, forum, hub, plain


def test_members_with_an_interest_are_flagged_against_the_items(world, meeting_with_items):
    meeting, forum, hub, plain = meeting_with_items
    declare(world)  # in the business forum
    declare(world, person=world.chair, organisation=None, project="youth hub")
    ended = declare(world, organisation=None, project="Other")
    gs.declaration_end(actor=world.member, declaration=ended, ended_on=timezone.localdate())
    flags = selectors.interest_flags(meeting=meeting)
    assert [f.person for f in flags[forum]] == [world.member]
    assert [f.person for f in flags[hub]] == [world.chair]
    assert plain not in flags


def test_flagged_members_are_reminded_once_per_item_before_the_meeting(world, meeting_with_items):
    meeting, forum, _, _ = meeting_with_items
    declare(world)
    assert gs.interests_remind_before_meetings() == 0  # the agenda is not yet published
    gs.meeting_publish(actor=world.coordinator, meeting=meeting)
    assert gs.interests_remind_before_meetings() == 1
    assert gs.interests_remind_before_meetings() == 0
    assert Notice.objects.filter(
        recipient=world.member, key=f"interest-reminder:{forum.pk}:{world.member.pk}"
    ).exists()


def test_an_interest_declared_at_a_meeting_joins_the_register_in_one_step(world):
    meeting = schedule(world, days=0)
    item = gs.item_add(actor=world.coordinator, meeting=meeting, title="Grants")
    gs.meeting_publish(
        actor=world.coordinator, meeting=meeting
    )  # interests need a published agenda
    declared = gs.interest_declare(
        actor=world.coordinator, item=item, person=world.member, nature="Trustee of an applicant"
    )
    fields = {
        "kind": "organisational",
        "holder": "self",
        "project": "Grants",
        "description": declared.nature,
        "starts_on": meeting.held_on,
    }
    d = gs.declaration_from_meeting(actor=world.coordinator, declared=declared, **fields)
    assert (d.person, d.declared_at_meeting) == (world.member, declared)
    with pytest.raises(ValidationError, match="already in the register"):
        gs.declaration_from_meeting(actor=world.coordinator, declared=declared, **fields)


# --- review findings, each held by a test -------------------------------------------------------


def test_a_past_day_sees_the_version_in_force_then(world, today):
    old = declare(world, starts_on=today - timedelta(days=30))
    new = gs.declaration_update(
        actor=world.member, declaration=old, changed_on=today, change_note="c"
    )
    assert list(Declaration.objects.live(on=today - timedelta(days=10))) == [old]
    assert list(Declaration.objects.live(on=today)) == [new]
    old.refresh_from_db()
    assert old.is_live(on=today - timedelta(days=10)) and not old.is_live(on=today)


def test_a_held_meeting_keeps_the_flags_of_its_day(world, today, meeting_with_items):
    _, forum, _, _ = meeting_with_items
    past = schedule(world, days=-10)
    item = gs.item_add(
        actor=world.coordinator, meeting=past, title="Grant", organisations=[world.business]
    )
    old = declare(world, starts_on=today - timedelta(days=30))
    gs.declaration_update(
        actor=world.member, declaration=old, changed_on=today, change_note="c", organisation=None,
        project="Something else",
    )  # fmt: skip
    assert [f.declaration for f in selectors.interest_flags(meeting=past)[item]] == [old]


def test_updating_an_interest_does_not_lift_a_restriction(world, today, meeting_with_items):
    meeting, forum, _, _ = meeting_with_items
    old = declare(world)
    ruling = gs.ruling_make(
        actor=world.chair, declaration=old, body=world.board, outcome="restricted",
        restrictions="Forum grants", reason="Direct interest",
    )  # fmt: skip
    gs.declaration_update(actor=world.member, declaration=old, changed_on=today, change_note="typo")
    (flag,) = selectors.interest_flags(meeting=meeting)[forum]
    assert (flag.ruling, flag.ruling_is_earlier) == (ruling, True)
    (entry,) = selectors.body_interests(body=world.board, access=PUBLIC).entries
    assert entry.standing_ruling == ruling and entry.ruling_is_earlier


def test_a_failing_mail_server_loses_nothing_and_the_hourly_job_sends_it_later(
    world, committed, failing_addresses
):
    from partnership.notifications import NotAllSent

    failing_addresses.add(world.chair.email)
    with committed():
        d = declare(world)
    assert Declaration.objects.filter(pk=d.pk).exists()  # the member's entry stands
    told = Notice.objects.filter(key=f"declaration-to-rule:{d.pk}:{world.board.pk}")
    assert not told.exists()
    with pytest.raises(NotAllSent):  # still failing: raised, so the job is retried
        gs.registers_send_notices()
    failing_addresses.clear()  # the mail server is back
    assert gs.registers_send_notices() == 1
    assert told.count() == 1


def test_the_hourly_job_sends_every_kind_of_register_notice_once(world):
    d = declare(world)  # its notices wait for a commit that, in this test, never comes
    ruling = gs.ruling_make(
        actor=world.chair, declaration=declare(world, organisation=world.charity),
        body=world.board, outcome="noted", reason="ok",
    )  # fmt: skip
    g = gift(world, value=Decimal("99"))
    assert gs.registers_send_notices() == 3
    assert gs.registers_send_notices() == 0
    keys = set(Notice.objects.values_list("key", flat=True))
    assert {
        f"declaration-to-rule:{d.pk}:{world.board.pk}",
        f"ruling:{ruling.pk}",
        f"gift-over-threshold:{g.pk}",
    } <= keys


def test_one_bad_address_does_not_stop_the_chaser_for_the_others(world, failing_addresses):
    from partnership.notifications import NotAllSent

    failing_addresses.add(world.member.email)
    with pytest.raises(NotAllSent):
        gs.registers_chase_confirmation(today=chase_day())
    chased = Notice.objects.filter(key__startswith="register-confirm:")
    assert set(chased.values_list("recipient", flat=True)) == {
        world.chair.pk,
        world.other_member.pk,
    }


def test_a_settled_disbarment_tells_the_coordinators(world, governance_lead, committed):
    r = gs.ruling_make(
        actor=world.chair, declaration=declare(world), body=world.board, outcome="noted",
        reason="x",
    )  # fmt: skip
    gs.ruling_dispute(actor=world.member, ruling=r, reason="Should be stricter, say the press")
    with committed():
        gs.ruling_settle(
            actor=governance_lead, ruling=r, uphold=False, reason="Prejudicial",
            outcome="disbarred",
        )  # fmt: skip
    assert Notice.objects.filter(
        recipient=world.coordinator, key=f"ruling-disbarred:{r.pk}:changed"
    ).exists()


def test_an_upheld_ruling_stands_and_only_the_governance_lead_settles(
    world, ruling, governance_lead
):
    gs.ruling_dispute(actor=world.member, ruling=ruling, reason="x")
    for actor in (world.chair, world.coordinator):
        with pytest.raises(ValidationError, match="Only the governance lead"):
            gs.ruling_settle(actor=actor, ruling=ruling, uphold=True, reason="x")
    r = gs.ruling_settle(actor=governance_lead, ruling=ruling, uphold=True, reason="Sound")
    assert (r.status, r.final_outcome) == (RulingStatus.UPHELD, "disbarred")


def test_an_unpublished_register_tells_its_chair_so_and_shows_no_reasons(world, governance_lead):
    declare(world, withheld_reason="Personal safety")
    gs.register_settings_update(
        actor=governance_lead, partnership=world.partnership, publish_interests=False,
        publish_gifts=True, gift_threshold=Decimal("50"),
    )  # fmt: skip
    assert not selectors.body_interests(
        body=world.board, access=RegisterAccess(rule=True)
    ).published
    public = selectors.body_interests(body=world.board, access=PUBLIC)
    assert public.withheld == [] and public.entries == []


def test_an_update_cannot_change_whose_interest_it_is(world, today):
    with pytest.raises(TypeError):
        gs.declaration_update(
            actor=world.member, declaration=declare(world), changed_on=today, change_note="c",
            person=world.chair,
        )  # fmt: skip


def test_a_register_leaves_out_interests_from_after_someone_left(world, today):
    before = declare(world, starts_on=today - timedelta(days=25))
    ms.membership_end(
        actor=None, membership=world.member_membership, ends_on=today - timedelta(days=10)
    )
    # The member now sits on the Other Group, and declares an interest begun since.
    ms.membership_create(
        actor=None, body=world.other, seat=world.other_seat, person=world.member,
        starts_on=today - timedelta(days=5),
    )  # fmt: skip
    later = declare(world, organisation=world.charity, starts_on=today - timedelta(days=3))
    full = RegisterAccess(manage=True)
    month = {"start": today - timedelta(days=30), "end": today}
    board = selectors.body_interests(body=world.board, access=full, **month)
    assert [d.pk for d in board.entries] == [before.pk]
    other = selectors.body_interests(body=world.other, access=full, **month)
    assert {d.pk for d in other.entries} == {before.pk, later.pk}
    # Today the Board's register holds nobody's: the member has left it.
    assert selectors.body_interests(body=world.board, access=full).entries == []


def test_a_settled_dispute_asks_no_governance_lead_to_settle_it(world, ruling, governance_lead):
    gs.ruling_dispute(actor=world.member, ruling=ruling, reason="x")
    gs.ruling_settle(actor=governance_lead, ruling=ruling, uphold=True, reason="Sound")
    gs.registers_send_notices()
    assert not Notice.objects.filter(key=f"ruling-disputed:{ruling.pk}").exists()


def test_the_hourly_job_leaves_old_declarations_to_the_register_page(world):
    old = declare(world)
    Declaration.objects.filter(pk=old.pk).update(declared_at=timezone.now() - timedelta(days=61))
    fresh = declare(world, organisation=world.charity)
    gs.registers_send_notices()
    asked = set(
        Notice.objects.filter(key__startswith="declaration-to-rule:").values_list("key", flat=True)
    )
    assert asked == {f"declaration-to-rule:{fresh.pk}:{world.board.pk}"}


def test_a_job_out_of_time_stops_rather_than_carrying_on(world, monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    from partnership import notifications

    def out_of_time(*args):
        raise SoftTimeLimitExceeded

    monkeypatch.setattr(notifications, "_send", out_of_time)
    with pytest.raises(SoftTimeLimitExceeded):
        gs.registers_chase_confirmation(today=chase_day())
