"""The restructure after its review (issue 16): held meetings stay put, no future dates (a
shadow body instead), things that can neither move nor end block the step, the tree on a past
date follows re-parented bodies, locks and unknown bodies, confidential carried actions, a
second restructure keeps the first successor's record, office-held seats, and a dry run that
leaves nothing behind."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from governance import services as gs
from governance.models import (
    Action,
    Meeting,
    MeetingStatus,
    Minutes,
    ProposalStatus,
    SubGroupProposal,
)
from membership import services as ms
from membership.models import Membership, Role, Seat
from membership.selectors_structure import body_story, structure_on
from membership.services.restructure import MemberChoice, NewBody, restructure
from partnership import services as ps
from partnership.forms import BodyForm
from partnership.models import Body, BodyEvent, ChangeKind, Notice, OutboxJob
from partnership.restructure import open_things
from performance.models import Report, Risk, RiskAcceptance
from performance.models.reports import ReportKind
from tests.governance.helpers import build_meetings
from tests.membership.test_restructure import counts, merge_groups, snapshot
from tests.membership.test_restructure_views import date_fields, step, what
from tests.performance.conftest import build_performance

FUTURE = "A restructure takes effect on the day it is made or an earlier date."


def replace_board(world, g, on, **overrides):
    """Replace the Board (with its meetings and action) by a new Commissioning Board."""
    found = {t.key for _c, things in open_things(bodies=[world.board], on=on) for t in things}
    args = {
        "actor": world.coordinator,
        "kind": ChangeKind.REPLACE,
        "partnership": world.partnership,
        "sources": [world.board],
        "effective_on": on,
        "reason": "The 2011 review",
        "new_body": NewBody(name="Commissioning Board", kind="commissioning_board"),
        "members": {
            world.chair_membership.pk: MemberChoice(seat="Council", role=Role.CHAIR),
            world.member_membership.pk: MemberChoice(seat="Council"),
        },
        "things": dict.fromkeys(found, "move"),
    }
    args.update(overrides)
    return restructure(**args)


def meeting(body, days: int, **fields) -> Meeting:
    return gs.meeting_create(
        actor=None,
        body=body,
        held_on=timezone.localdate() + timedelta(days=days),
        start_time=time(10),
        venue="Town Hall",
        **fields,
    )


# --- 1. a backdated step leaves meetings already held where they were --------------------------


def test_a_backdated_step_leaves_meetings_already_held_with_the_old_body(world, today):
    g = build_meetings(world)
    on = today - timedelta(days=10)  # the past meeting, 7 days ago, was held after it
    found = {c.kind: [t.pk for t in ts] for c, ts in open_things(bodies=[world.board], on=on)}
    assert g.past.pk not in found["meeting"]
    assert set(found["meeting"]) == {g.upcoming.pk, g.draft.pk}
    replace_board(world, g, on)
    g.past.refresh_from_db()
    assert g.past.body == world.board and g.past.status != MeetingStatus.CANCELLED


# --- 2. no future dates: a shadow body prepares ahead ------------------------------------------


def test_a_future_date_is_refused_on_its_field_and_changes_nothing(world, today):
    before, rows = counts(), snapshot()
    with pytest.raises(ValidationError) as refused:
        merge_groups(world, today, effective_on=today + timedelta(days=1))
    assert refused.value.message_dict["effective_on"][0].startswith(FUTURE)
    assert "Shadow body until" in refused.value.message_dict["effective_on"][0]
    assert counts() == before and snapshot() == rows


def test_a_rename_cannot_take_effect_later(world, today):
    with pytest.raises(ValidationError) as refused:
        ps.body_update(
            actor=world.coordinator,
            body=world.group,
            name="Safer Communities Group",
            effective_on=today + timedelta(days=3),
        )
    assert "effective_on" in refused.value.message_dict
    world.group.refresh_from_db()
    assert world.group.name == "Safer Group"


def test_a_body_is_set_up_as_a_shadow_body_from_its_form(world, today):
    later = today + timedelta(days=30)
    form = BodyForm(
        {
            "name": "Area Board",
            "kind": "area_board",
            **date_fields("established_on", today),
            **date_fields("shadow_until", later),
        },
        parents=Body.objects.none(),
        allow_top_level=True,
    )
    assert form.is_valid(), form.errors
    assert form.fields["shadow_until"].label == "Shadow body until"
    body = ps.body_create(actor=None, partnership=world.partnership, **form.cleaned_data)
    assert body.shadow_until == later
    ps.body_update(actor=None, body=body, shadow_until=later + timedelta(days=1))
    body.refresh_from_db()
    assert body.shadow_until == later + timedelta(days=1)


def test_replacing_by_an_existing_shadow_body_makes_it_real_on_the_day(world, today):
    shadow = ps.body_create(
        actor=None,
        partnership=world.partnership,
        name="Area Board",
        kind="area_board",
        parent=world.board,
        established_on=today - timedelta(days=5),
        shadow_until=today + timedelta(days=30),
    )
    ms.seat_create(actor=None, body=shadow, name="Partners", count=5, voting=True)
    result = restructure(
        actor=world.coordinator,
        kind=ChangeKind.REPLACE,
        partnership=world.partnership,
        sources=[world.other],
        effective_on=today,
        reason="The area board takes over",
        successor=shadow,
        members={world.other_membership.pk: MemberChoice(seat="Partners")},
    )
    shadow.refresh_from_db()
    assert shadow.shadow_until == today
    assert f"Area Board takes over on {today:%-d %B %Y}: it is no longer a shadow body." in (
        result.lines
    )


# --- 3. what can neither move nor end blocks the step, before any write ------------------------


def minutes_open(world, today) -> Minutes:
    held = meeting(world.other, -3)
    return Minutes.objects.create(meeting=held)


def test_minutes_not_yet_approved_block_the_step_with_their_note(world, today):
    minutes = minutes_open(world, today)
    before, rows = counts(), snapshot()
    key = f"minutes-{minutes.pk}"
    for decision in ("move", "end"):
        with pytest.raises(ValidationError) as refused:
            merge_groups(world, today, things={f"body-{world.subgroup.pk}": "move", key: decision})
        assert refused.value.message_dict[key] == [
            "These minutes are not yet approved: have them approved before the body ends."
        ]
        assert counts() == before and snapshot() == rows


def test_a_report_not_yet_approved_blocks_the_step(world, today):
    report = Report.objects.create(
        partnership=world.partnership,
        body=world.other,
        kind=ReportKind.EXCEPTION,
        year=2026,
        quarter=1,
        title="Quarter 1 exceptions",
        data_fingerprint="x",
        layout_version=1,
        built_at=timezone.now(),
    )
    key = f"report-{report.pk}"
    with pytest.raises(ValidationError) as refused:
        merge_groups(world, today, things={f"body-{world.subgroup.pk}": "move", key: "end"})
    assert "have it approved before the body ends" in refused.value.message_dict[key][0]
    assert not Body.objects.filter(name="Commissioning Board").exists()


def test_a_child_body_or_agreement_that_cannot_end_is_refused_before_any_write(world, today):
    before, rows = counts(), snapshot()
    with pytest.raises(ValidationError) as refused:
        merge_groups(world, today, things={f"body-{world.subgroup.pk}": "end"})
    assert f"body-{world.subgroup.pk}" in refused.value.message_dict
    assert counts() == before and snapshot() == rows


def test_a_sub_group_proposal_to_a_body_that_ends_is_withdrawn_and_cannot_move(world, today):
    proposal = SubGroupProposal.objects.create(
        parent=world.other,
        name="Youth Panel",
        kind="sub_group",
        remit="Young people's voice",
        membership="Youth workers",
        timescale="A year",
        proposed_by=world.other_member,
    )
    key = f"proposal-{proposal.pk}"
    with pytest.raises(ValidationError) as refused:
        merge_groups(world, today, things={f"body-{world.subgroup.pk}": "move", key: "move"})
    assert "cannot move" in refused.value.message_dict[key][0]
    result = merge_groups(world, today, things={f"body-{world.subgroup.pk}": "move", key: "end"})
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.WITHDRAWN
    assert proposal.decision_note == "Withdrawn: The 2011 review of the partnership"
    assert "Proposal for the Youth Panel is withdrawn." in result.lines


def test_escalated_risks_and_acceptances_follow_to_the_successor(world, today):
    from types import SimpleNamespace

    from performance import services as perf_services
    from tests.performance.test_risk_services import make_risk

    categories = {c.name: c for c in perf_services.risk_categories(world.partnership)}
    risks = SimpleNamespace(categories=categories, perf=build_performance(world))
    risk = make_risk(world, risks)
    # A risk of the sub-group, escalated to the Safer Group (which it reports to).
    Risk.objects.filter(pk=risk.pk).update(body=world.subgroup, escalated_to=world.group)
    acceptance = RiskAcceptance.objects.create(
        risk=risk,
        body=world.group,
        accepted_by=world.chair,
        reason="Within tolerance this year",
        expires_on=today + timedelta(days=60),
        accepted_at=timezone.now(),
    )
    found = {c.kind: [t.pk for t in ts] for c, ts in open_things(bodies=[world.group], on=today)}
    assert found["escalation"] == [risk.pk] and found["acceptance"] == [acceptance.pk]
    sources = [world.group, world.other]
    things = {t.key: "move" for _c, ts in open_things(bodies=sources, on=today) for t in ts}
    things[f"escalation-{risk.pk}"] = "end"
    held = Membership.objects.current(on=today).filter(body__in=sources)
    members = {m.pk: MemberChoice() for m in held}
    with pytest.raises(ValidationError) as refused:
        merge_groups(world, today, things=things)
    assert (
        "follows its body's line of reporting"
        in (refused.value.message_dict[f"escalation-{risk.pk}"][0])
    )
    things[f"escalation-{risk.pk}"] = "move"
    new = merge_groups(world, today, things=things, members=members).change.successor
    acceptance.refresh_from_db()
    assert acceptance.body == new
    risk.refresh_from_db()
    assert risk.escalated_to_id != world.group.pk


def test_the_open_work_page_shows_a_blocking_thing_as_a_message_then_the_error(client, world):
    minutes = minutes_open(world, timezone.localdate())
    client.force_login(world.coordinator)
    client.post(step("restructure", world), what(world, **date_fields("effective_on", world.start)))
    key = f"member-{world.other_membership.pk}"
    client.post(step("restructure_members", world), {key: "", f"role-{key[7:]}": "member"})
    page = client.get(step("restructure_things", world)).content.decode()
    note = "These minutes are not yet approved: have them approved before the body ends."
    assert note in page
    assert f'name="minutes-{minutes.pk}" type="radio"' not in page
    assert f'id="id_minutes-{minutes.pk}"' in page
    posted = client.post(step("restructure_things", world), {f"body-{world.subgroup.pk}": "move"})
    html = posted.content.decode()
    assert posted.status_code == 200 and "govuk-error-message" in html and note in html


# --- 4. the tree on a past date follows re-parented bodies -------------------------------------


def test_the_day_before_a_merge_the_sub_group_shows_under_its_old_parent(world, today):
    on = today - timedelta(days=5)
    new = merge_groups(world, on).change.successor

    def parent_of(tree, name, parent=None):
        for node in tree:
            if node.name == name:
                return parent
            found = parent_of(node.children, name, node.name)
            if found:
                return found
        return None

    before = structure_on(partnership=world.partnership, on=on - timedelta(days=1))
    assert parent_of(before.tree, "Safer Sub-group") == "Safer Group"
    after = structure_on(partnership=world.partnership, on=on)
    assert parent_of(after.tree, "Safer Sub-group") == "Commissioning Board"
    world.subgroup.refresh_from_db()
    timeline = body_story(body=world.subgroup).timeline
    moved = [t for t in timeline if t.text == "Moved to report to"]
    assert [(t.on, [o["name"] for o in t.others]) for t in moved] == [(on, [new.name])]


def test_the_body_page_timeline_says_where_it_moved(client, world, today):
    merge_groups(world, today)
    url = reverse("membership:body", kwargs={"partnership": "testshire", "body": "safer-sub-group"})
    html = client.get(url).content.decode()
    assert "Moved to report to" in html and "the Commissioning Board" in html


# --- 5. unknown bodies -------------------------------------------------------------------------


def test_an_unknown_source_or_successor_is_refused_on_its_field(world, today):
    with pytest.raises(ValidationError) as refused:
        merge_groups(world, today, sources=[world.group, Body(pk=999999)])
    assert "sources" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        merge_groups(world, today, new_body=None, successor=Body(pk=999999))
    assert "successor" in refused.value.message_dict


# --- 6 and 7. confidential carried actions; a second restructure -------------------------------


def secret_action(world, g, today) -> Action:
    return gs.action_add(
        actor=world.coordinator,
        meeting=g.past,
        item=g.past_secret,
        description="Take legal advice SECRETCARRIED",
        owner=world.member,
        due_on=today + timedelta(days=3),
    )


def test_a_confidential_carried_action_is_hidden_from_a_successor_member_new_to_it(
    client, world, today
):
    g = build_meetings(world)
    secret_action(world, g, today)
    new = replace_board(world, g, today).change.successor
    seat = Seat.objects.get(body=new, name="Council")
    ms.membership_create(actor=None, body=new, seat=seat, person=world.outsider, starts_on=today)
    url = reverse("governance:action_log", kwargs={"partnership": "testshire", "body": new.slug})
    client.force_login(world.outsider)  # on the new board; never sat on the old one
    page = client.get(url).content.decode()
    assert "SECRETCARRIED" not in page and "Publish the annual report" in page
    client.force_login(world.coordinator)
    assert "SECRETCARRIED" in client.get(url).content.decode()


def test_a_meeting_cannot_move_to_a_successor_set_up_after_it(world, today):
    g = build_meetings(world)
    later = ps.body_create(
        actor=None,
        partnership=world.partnership,
        name="Later Board",
        kind="partnership_board",
        established_on=today,
    )
    Body.objects.filter(pk=later.pk).update(established_on=g.upcoming.held_on + timedelta(days=1))
    ms.seat_create(actor=None, body=later, name="Council", count=3, voting=True)
    later.refresh_from_db()
    with pytest.raises(ValidationError):
        replace_board(world, g, today, new_body=None, successor=later)


def test_a_second_restructure_keeps_the_first_successors_record(client, world, today):
    g = build_meetings(world)
    first = replace_board(world, g, today - timedelta(days=5)).change.successor
    found = {t.key for _c, ts in open_things(bodies=[first], on=today) for t in ts}
    held = Membership.objects.current(on=today).filter(body=first)
    restructure(
        actor=world.coordinator,
        kind=ChangeKind.REPLACE,
        partnership=world.partnership,
        sources=[first],
        effective_on=today,
        reason="Again",
        new_body=NewBody(name="Strategic Board", kind="partnership_board"),
        members={m.pk: MemberChoice(seat="Council", role=m.role) for m in held},
        things=dict.fromkeys(found, "move"),
    )
    action = Action.objects.get(pk=g.action.pk)
    assert action.carried_to.name == "Strategic Board"
    for slug in ("commissioning-board", "strategic-board"):
        url = reverse("governance:action_log", kwargs={"partnership": "testshire", "body": slug})
        assert "Publish the annual report" in client.get(url).content.decode(), slug


# --- 8. seats held by a source's office --------------------------------------------------------


def test_a_seat_held_as_chair_of_a_source_ends_and_the_summary_says_so(world, today):
    chair = ms.membership_create(
        actor=None,
        body=world.other,
        seat=world.other_seat,
        person=world.outsider,
        role=Role.CHAIR,
        starts_on=today - timedelta(days=20),
    )
    seat = ms.seat_create(
        actor=None,
        body=world.board,
        name="Chair of the Other Group",
        count=1,
        voting=True,
        office_body=world.other,
        office_role=Role.CHAIR,
    )
    held = Membership.objects.current(on=today).get(seat=seat)
    assert held.person == world.outsider
    Membership.objects.filter(pk=held.pk).update(starts_on=today - timedelta(days=20))
    result = merge_groups(
        world,
        today,
        members={
            world.other_membership.pk: MemberChoice(seat="Partners", role=Role.MEMBER),
            chair.pk: MemberChoice(),
        },
    )
    held.refresh_from_db()
    assert held.ends_on == today
    assert (
        "Outsider leaves the seat 'Chair of the Other Group' on Board, held as chair of "
        "Other Group." in result.lines
    )
    assert result.change.summary == result.lines


def test_a_copied_seat_keeps_the_office_that_holds_it(world, today):
    ms.seat_create(
        actor=None,
        body=world.other,
        name="Board chair",
        count=1,
        voting=True,
        office_body=world.board,
        office_role=Role.CHAIR,
    )
    Membership.objects.filter(body=world.other).update(starts_on=today - timedelta(days=20))
    held = Membership.objects.current(on=today).filter(body=world.other)
    members = {
        m.pk: MemberChoice(seat=m.seat.name, role=Role.MEMBER if m.role != Role.CHAIR else m.role)
        for m in held
    }
    new = merge_groups(world, today, members=members).change.successor
    copied = Seat.objects.get(body=new, name="Board chair")
    assert (copied.office_body, copied.office_role) == (world.board, Role.CHAIR)
    assert Membership.objects.current(on=today).filter(seat=copied, person=world.chair).exists()


# --- 9. a dry run leaves nothing behind --------------------------------------------------------


def test_a_dry_run_with_meetings_and_risks_leaves_nothing_and_queues_nothing(
    world, today, django_capture_on_commit_callbacks
):
    build_performance(world)
    future = meeting(world.group, 14)
    things = {
        f"body-{world.subgroup.pk}": "move",
        f"meeting-{future.pk}": "move",
        **{
            t.key: "move"
            for c, ts in open_things(bodies=[world.group, world.other], on=today)
            for t in ts
            if c.kind in ("risk", "indicator", "outcome", "agreement", "keypartnership")
        },
    }
    assert any(k.startswith(("risk-", "indicator-")) for k in things)
    held = Membership.objects.current(on=today).filter(body__in=[world.group, world.other])
    members = {m.pk: MemberChoice(seat="Partners", role=Role.MEMBER) for m in held}
    models = (Notice, OutboxJob, BodyEvent, Risk, Meeting)
    before = {m.__name__: m.objects.count() for m in models}
    risks = list(Risk.objects.order_by("pk").values())
    meetings = list(Meeting.objects.order_by("pk").values())
    with django_capture_on_commit_callbacks() as callbacks:
        preview = merge_groups(world, today, things=things, members=members, dry_run=True)
    assert callbacks == []
    assert preview.change is None and preview.lines
    assert {m.__name__: m.objects.count() for m in models} == before
    assert list(Risk.objects.order_by("pk").values()) == risks
    assert list(Meeting.objects.order_by("pk").values()) == meetings
