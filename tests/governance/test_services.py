"""The rules of meetings, tested through the services."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from governance import selectors
from governance import services as gs
from governance.models import MinutesStatus, Paper
from membership import services as ms
from partnership.models import Notice
from tests.governance.helpers import build_meetings, pdf_bytes, schedule


@pytest.fixture
def g(world):
    return build_meetings(world)


# --- scheduling and the agenda ----------------------------------------------------------------


def test_a_meeting_needs_a_venue_or_an_online_link(world):
    with pytest.raises(ValidationError) as caught:
        gs.meeting_create(
            actor=world.coordinator,
            body=world.board,
            held_on=timezone.localdate(),
            start_time=time(10, 0),
        )
    assert "venue" in caught.value.message_dict


def test_a_meeting_finishes_after_it_starts(world):
    with pytest.raises(ValidationError) as caught:
        gs.meeting_create(
            actor=world.coordinator,
            body=world.board,
            held_on=timezone.localdate(),
            start_time=time(10, 0),
            end_time=time(9, 0),
            online_link="https://meet.example/board",
        )
    assert "end_time" in caught.value.message_dict


def test_a_new_meeting_has_the_standing_items_with_partner_matters_last(world):
    meeting = schedule(world, days=10)
    item = gs.item_add(actor=world.coordinator, meeting=meeting, title="Budget")
    titles = [i.title for i in meeting.items.order_by("position")]
    assert titles[:4] == [
        "Apologies for absence",
        "Declarations of interest",
        "Minutes of the last meeting",
        "Matters arising",
    ]
    assert titles[-2:] == [item.title, "Partner matters"]


def test_a_confidential_item_needs_a_reason(world):
    meeting = schedule(world, days=10)
    with pytest.raises(ValidationError) as caught:
        gs.item_add(actor=world.coordinator, meeting=meeting, title="Tender", confidential=True)
    assert "confidential_reason" in caught.value.message_dict


def test_a_decision_item_says_what_decision_is_required(world):
    meeting = schedule(world, days=10)
    with pytest.raises(ValidationError) as caught:
        gs.item_add(actor=world.coordinator, meeting=meeting, title="Plan", purpose="decision")
    assert "decision_required" in caught.value.message_dict


def test_publishing_needs_an_item_of_business(world):
    meeting = schedule(world, days=10)
    with pytest.raises(ValidationError):
        gs.meeting_publish(actor=world.coordinator, meeting=meeting)


def test_moving_an_item_up_swaps_it_with_the_one_above(world):
    meeting = schedule(world, days=10, standing_items=[])
    a = gs.item_add(actor=world.coordinator, meeting=meeting, title="A")
    b = gs.item_add(actor=world.coordinator, meeting=meeting, title="B")
    gs.item_move(actor=world.coordinator, item=b, up=True)
    assert [i.title for i in meeting.items.order_by("position")] == ["B", "A"]
    assert a.pk


# --- papers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("paper.pdf", b"just some text, not a PDF", "whatever its name says"),
        ("paper.docx", pdf_bytes(), "Rename it"),
        ("paper.exe", b"MZ\x90\x00", "must be a PDF"),
        ("paper.pdf", b"", "empty"),
    ],
)
def test_an_upload_is_judged_by_its_content(world, name, data, says):
    meeting = schedule(world, days=10)
    item = gs.item_add(actor=world.coordinator, meeting=meeting, title="Plan")
    with pytest.raises(ValidationError) as caught:
        gs.paper_add(
            actor=world.coordinator,
            item=item,
            title="Plan",
            owner=world.member,
            upload=(name, data),
        )
    assert says in caught.value.message_dict["upload"][0]
    assert not Paper.objects.exists()


def test_an_upload_over_the_limit_is_refused(world, settings):
    settings.PAPER_MAX_BYTES = 100
    meeting = schedule(world, days=10)
    item = gs.item_add(actor=world.coordinator, meeting=meeting, title="Plan")
    with pytest.raises(ValidationError) as caught:
        gs.paper_add(
            actor=world.coordinator,
            item=item,
            title="Plan",
            owner=world.member,
            upload=("plan.pdf", pdf_bytes()),
        )
    assert "smaller than" in caught.value.message_dict["upload"][0]


def test_word_and_opendocument_files_are_accepted_and_their_words_found(world):
    import io
    import zipfile

    def package(parts: dict[str, bytes]) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            for name, data in parts.items():
                z.writestr(name, data)
        return out.getvalue()

    docx = package(
        {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:t>Burglary plan</w:t>"}
    )
    odt = package(
        {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<p>Parks</p>"}
    )
    meeting = schedule(world, days=10)
    item = gs.item_add(actor=world.coordinator, meeting=meeting, title="Plan")
    a = gs.paper_add(
        actor=world.coordinator, item=item, title="A", owner=world.member, upload=("a.docx", docx)
    )
    b = gs.paper_add(
        actor=world.coordinator, item=item, title="B", owner=world.member, upload=("b.odt", odt)
    )
    assert (a.file_type, b.file_type) == ("docx", "odt")
    # Their words are read in the background (governance.tasks.extract_paper_text).
    for paper in (a, b):
        assert gs.paper_extract_text(paper_id=paper.pk, version=paper.version)
        paper.refresh_from_db()
    assert "Burglary plan" in a.text and "Parks" in b.text


def test_circulating_sends_each_member_one_message_once(world, g):
    # build_meetings circulated the upcoming meeting's papers to the Board and co-ordinators.
    key = f"papers:{g.upcoming.pk}:"
    told = Notice.objects.filter(key__startswith=key)
    assert {n.recipient for n in told} == {world.chair, world.member, world.coordinator}
    with pytest.raises(ValidationError):
        gs.papers_circulate(actor=world.coordinator, meeting=g.upcoming)
    assert told.count() == 3


def test_a_replaced_paper_has_to_go_out_again(world, g):
    gs.paper_update(
        actor=world.coordinator,
        paper=g.public_paper,
        upload=("v2.pdf", pdf_bytes()),
        change_note="Corrected figures",
    )
    g.public_paper.refresh_from_db()
    assert g.public_paper.circulated_at is None
    assert not selectors.paper_visible(g.public_paper, selectors.PUBLIC)


def test_a_confidential_paper_is_never_public(world, g):
    assert not selectors.paper_visible(g.secret_paper, selectors.PUBLIC)
    member = selectors.body_access(world.member, world.board)
    assert selectors.paper_visible(g.secret_paper, member)
    gs.paper_update(
        actor=world.coordinator,
        paper=g.public_paper,
        confidential=True,
        confidential_reason="Named individuals",
    )
    assert not selectors.paper_visible(g.public_paper, selectors.PUBLIC)


# --- late papers ----------------------------------------------------------------------------------


def test_papers_not_out_a_week_before_are_flagged_and_chased_once(world):
    meeting = schedule(world, days=3)
    item = gs.item_add(actor=world.coordinator, meeting=meeting, title="Plan")
    paper = gs.paper_add(actor=world.coordinator, item=item, title="Plan", owner=world.member)
    assert selectors.papers_late(meeting=meeting) == [paper]
    assert gs.papers_chase_late() == 2  # the author and the co-ordinator
    assert gs.papers_chase_late() == 0
    assert gs.papers_chase_late() == 0
    assert {m.to[0] for m in mail.outbox} == {world.member.email, world.coordinator.email}


def test_the_agenda_lists_the_late_papers_for_those_who_run_the_body_and_the_chair(world):
    meeting = schedule(world, days=3)
    item = gs.item_add(actor=world.coordinator, meeting=meeting, title="Plan")
    late = gs.paper_add(actor=world.coordinator, item=item, title="Plan", owner=world.member)
    other = gs.item_add(actor=world.coordinator, meeting=meeting, title="Other")
    gs.item_add(actor=world.coordinator, meeting=meeting, title="Nothing late")
    later = gs.paper_add(actor=world.coordinator, item=other, title="Later", owner=world.chair)
    for viewer in (world.coordinator, world.chair):
        access = selectors.body_access(viewer, meeting.body)
        found = selectors.agenda(meeting=meeting, access=access).late_papers
        assert sorted(found, key=lambda p: p.pk) == [late, later]
        assert [(p.item.title, p.owner.full_name) for p in found] == [
            ("Plan", world.member.full_name),
            ("Other", world.chair.full_name),
        ]
    member = selectors.body_access(world.member, meeting.body)
    assert selectors.agenda(meeting=meeting, access=member).late_papers == []


def test_papers_are_not_chased_before_the_week_starts(world):
    meeting = schedule(world, days=20)
    item = gs.item_add(actor=world.coordinator, meeting=meeting, title="Plan")
    gs.paper_add(actor=world.coordinator, item=item, title="Plan", owner=world.member)
    assert selectors.papers_late(meeting=meeting) == []
    assert gs.papers_chase_late() == 0


# --- apologies and attendance ------------------------------------------------------------------


def test_a_member_sends_apologies_and_the_coordinator_is_told(world, g):
    gs.apologies_send(actor=world.member, meeting=g.upcoming)
    assert Notice.objects.filter(recipient=world.coordinator, key__startswith="apologies:").exists()
    assert g.upcoming.attendance.get(person=world.member).status == "apologies"


def test_a_substitute_comes_from_the_same_organisation(world, g):
    from tests.factories import UserFactory

    colleague = UserFactory(full_name="Colleague")
    ms.membership_create(
        actor=None,
        body=world.group,
        seat=world.group_seat,
        person=colleague,
        organisation=world.council,
        starts_on=timezone.localdate() - timedelta(days=1),
    )
    gs.apologies_send(actor=world.member, meeting=g.upcoming, substitute=colleague)
    with pytest.raises(ValidationError) as caught:
        gs.apologies_send(actor=world.member, meeting=g.upcoming, substitute=world.other_member)
    assert "Testshire Council" in caught.value.message_dict["substitute"][0]


def test_on_a_seat_a_group_nominates_the_substitute_comes_from_that_group(world):
    from tests.factories import UserFactory

    seat = ms.seat_create(
        actor=None, body=world.board, name="Safer Group rep", count=1, nominating_body=world.group
    )
    rep, groupie = UserFactory(full_name="Rep"), UserFactory(full_name="Groupie")
    start = timezone.localdate() - timedelta(days=1)
    rep_m = ms.membership_create(
        actor=None, body=world.board, seat=seat, person=rep, starts_on=start
    )
    ms.membership_create(
        actor=None, body=world.group, seat=world.group_seat, person=groupie, starts_on=start
    )
    meeting = schedule(world, days=10)
    assert gs.substitutes_allowed(meeting=meeting, membership=rep_m) == [groupie]


def test_only_members_send_apologies(world, g):
    with pytest.raises(ValidationError):
        gs.apologies_send(actor=world.other_member, meeting=g.upcoming)


def test_attendance_is_recorded_only_from_the_day_of_the_meeting(world, g):
    with pytest.raises(ValidationError):
        gs.attendance_record(
            actor=world.coordinator,
            meeting=g.upcoming,
            records={world.chair.pk: ("present", None)},
        )


def test_an_interest_declared_at_the_meeting_is_shown_against_the_item(world, g):
    gs.interest_declare(
        actor=world.coordinator, item=g.past_public, person=world.member, nature="A trustee."
    )
    agenda = selectors.agenda(meeting=g.past, access=selectors.PUBLIC)
    item = next(i for i in agenda.items if i.pk == g.past_public.pk)
    assert [d.person for d in item.declared] == [world.member]
    with pytest.raises(ValidationError):
        gs.interest_declare(
            actor=world.coordinator, item=g.past_public, person=world.member, nature="Again."
        )


# --- actions ------------------------------------------------------------------------------------


def test_overdue_actions_are_chased_once(world, g):
    later = timezone.localdate() + timedelta(days=30)
    assert gs.actions_chase_overdue(today=later) == 1
    assert gs.actions_chase_overdue(today=later) == 0
    gs.action_complete(actor=world.member, action=g.action)
    g.action.refresh_from_db()
    assert not g.action.is_overdue(today=later)


def test_the_public_action_log_shows_only_public_items_of_approved_minutes(world, g):
    gs.action_add(
        actor=world.coordinator,
        meeting=g.past,
        item=g.past_secret,
        description="Take legal advice",
        owner=world.member,
        due_on=timezone.localdate(),
    )
    public = selectors.action_log(body=world.board, access=selectors.PUBLIC)
    members = selectors.action_log(
        body=world.board, access=selectors.body_access(world.member, world.board)
    )
    assert [a.description for a in public] == ["Publish the annual report"]
    assert len(members) == 2


# --- minutes ------------------------------------------------------------------------------------


@pytest.fixture
def submitted(world):
    meeting = schedule(world, days=-1)
    item = gs.item_add(actor=world.coordinator, meeting=meeting, title="Budget")
    gs.meeting_publish(actor=world.coordinator, meeting=meeting)
    minutes = gs.minutes_start(actor=world.coordinator, meeting=meeting)
    gs.minutes_save(actor=world.coordinator, minutes=minutes, entries={item.pk: ("Discussed.", "")})
    gs.minutes_submit(actor=world.coordinator, minutes=minutes)
    return meeting, minutes, item


def test_minutes_cannot_be_drafted_before_the_meeting(world, g):
    with pytest.raises(ValidationError):
        gs.minutes_start(actor=world.coordinator, meeting=g.upcoming)


def test_minutes_are_not_public_until_approved(world, submitted):
    meeting, minutes, _ = submitted
    assert selectors.minutes_visible(meeting=meeting, access=selectors.PUBLIC) == []
    gs.minutes_approve(actor=world.chair, minutes=minutes)
    assert selectors.minutes_visible(meeting=meeting, access=selectors.PUBLIC) == [minutes]


def test_only_the_chair_approves(world, submitted):
    _, minutes, _ = submitted
    for person in (world.member, world.coordinator, world.other_member):
        with pytest.raises(ValidationError):
            gs.minutes_approve(actor=person, minutes=minutes)
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.SUBMITTED


def test_the_deputy_approves_only_when_the_chair_was_absent(world, submitted):
    from tests.factories import UserFactory

    meeting, minutes, _ = submitted
    deputy = UserFactory(full_name="Deputy")
    ms.membership_create(
        actor=None,
        body=world.board,
        seat=world.board_seat,
        person=deputy,
        role="deputy_chair",
        organisation=world.council,
        starts_on=meeting.held_on - timedelta(days=5),
    )
    gs.attendance_record(
        actor=world.coordinator, meeting=meeting, records={world.chair.pk: ("present", None)}
    )
    with pytest.raises(ValidationError):
        gs.minutes_approve(actor=deputy, minutes=minutes)
    gs.attendance_record(
        actor=world.coordinator, meeting=meeting, records={world.chair.pk: ("apologies", None)}
    )
    gs.minutes_approve(actor=deputy, minutes=minutes)
    assert minutes.reviews.get().acting_as == "Acting chair (deputy chair)"


def test_returned_minutes_keep_the_comments_and_the_draft(world, submitted):
    _, minutes, item = submitted
    with pytest.raises(ValidationError):
        gs.minutes_return(actor=world.chair, minutes=minutes, comments=" ")
    gs.minutes_return(actor=world.chair, minutes=minutes, comments="Add the figures.")
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.RETURNED
    gs.minutes_save(
        actor=world.coordinator, minutes=minutes, entries={item.pk: ("Discussed: £3m.", "")}
    )
    entry = minutes.entries.get(item=item)
    assert [h.text for h in entry.history.order_by("history_date")][-2:] == [
        "Discussed.",
        "Discussed: £3m.",
    ]
    assert minutes.reviews.get().comments == "Add the figures."


def test_approved_minutes_cannot_be_edited_and_a_correction_supersedes_them(world, submitted):
    meeting, minutes, item = submitted
    gs.minutes_approve(actor=world.chair, minutes=minutes)
    with pytest.raises(ValidationError):
        gs.minutes_save(actor=world.coordinator, minutes=minutes, entries={item.pk: ("X", "")})
    correction = gs.minutes_correct(actor=world.coordinator, meeting=meeting, reason="Wrong figure")
    assert correction.version == 2
    # The approved version stays the public one until the correction is approved.
    assert selectors.minutes_visible(meeting=meeting, access=selectors.PUBLIC) == [minutes]
    gs.minutes_save(
        actor=world.coordinator, minutes=correction, entries={item.pk: ("Corrected.", "")}
    )
    gs.minutes_submit(actor=world.coordinator, minutes=correction)
    gs.minutes_approve(actor=world.chair, minutes=correction)
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.SUPERSEDED
    assert selectors.minutes_visible(meeting=meeting, access=selectors.PUBLIC) == [correction]


def test_minutes_awaiting_approval_are_chased_once_per_submission(world, submitted):
    _, minutes, _ = submitted
    later = timezone.now() + timedelta(days=6)
    assert gs.minutes_chase_awaiting(now=later) == 1
    assert gs.minutes_chase_awaiting(now=later) == 0
    assert gs.minutes_chase_awaiting(now=timezone.now()) == 0


def test_confidential_minutes_never_reach_the_public(world, g):
    entries = selectors.minute_entries(minutes=g.minutes, access=selectors.PUBLIC)
    assert g.past_public in [e.item for e in entries]
    assert g.past_secret not in [e.item for e in entries]
    decisions = selectors.decisions_log(body=world.board, access=selectors.PUBLIC)
    assert [d.decision for d in decisions] == ["Report approved"]


# --- the public record --------------------------------------------------------------------------


def test_scheduled_meetings_are_listed_for_everyone(world, g):
    def listed(user):
        return set(selectors.meetings_for(user=user, partnership=world.partnership))

    for user in (AnonymousUser(), world.outsider, world.member, world.chair, world.coordinator):
        assert g.draft in listed(user)


def test_the_feed_holds_published_meetings_and_nothing_confidential(world, g):
    from governance.feeds import calendar_feed
    from governance.views.public import _public_feed_meetings

    feed = calendar_feed(
        name="Board", meetings=_public_feed_meetings(world.board.meetings.all())
    ).decode()
    assert feed.count("BEGIN:VEVENT") == 3
    assert "SECRET" not in feed
    assert "DRAFTMEETING" in feed and "Agenda not yet published" in feed
    assert "DTSTART:" in feed


def test_attendance_by_member_counts_the_financial_year(world, g):
    year = selectors.financial_year(g.past.held_on)
    meetings, rows = selectors.attendance_by_member(body=world.board, year=year)
    assert meetings == [g.past]
    by_person = {r.person: r for r in rows}
    assert (by_person[world.chair].present, by_person[world.member].apologies) == (1, 1)
    assert by_person[world.chair].rate == 100


def test_the_financial_year_starts_in_april():
    from datetime import date

    assert selectors.financial_year(date(2027, 3, 31)) == 2026
    assert selectors.financial_year(date(2027, 4, 1)) == 2027
