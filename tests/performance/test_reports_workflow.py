"""A drafted report's way to the board: the narrative, approval by the chair (or the deputy
when the chair is unavailable), return with comments, the agenda item made once however often
retried, waiting for a meeting, the PDF on the paper, who may see a report, a six-monthly report
on a Partnership Board agenda, and publishing an annual report."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from governance import services as gs
from governance.models import AgendaItem, Paper, Purpose
from membership import services as ms
from membership.models import Membership, Role
from partnership.models import Notice
from performance import permissions, selectors, services
from performance.models import Indicator, RenderState, Report, ReportKind, ReportStatus
from performance.services.reports.common import save_version
from tests.factories import UserFactory
from tests.governance.helpers import pdf_bytes, schedule
from tests.performance.conftest import circulated
from tests.performance.test_reports_exceptions import complete


@pytest.fixture(autouse=True)
def renders(monkeypatch):
    """Renders asked for, by report id (the render job itself is tested with rendering)."""
    asked = []
    monkeypatch.setattr(
        "performance.services.reports.rendering.report_render_later",
        lambda report, *, requested_by=None: asked.append(report.pk),
        raising=False,
    )
    return asked


@pytest.fixture
def report(perf, world):
    """The Safer Group's drafted exception report for the open quarter: SC01 red."""
    complete(perf, world, burglaries="120")
    return services.exception_report_draft(body=world.group, period=perf.period)


@pytest.fixture
def meeting(world):
    """The Board's next meeting."""
    return schedule(world, days=21)


@pytest.fixture
def deputy(perf, world):
    person = UserFactory(email="deputy@example.org", full_name="Deputy Chair")
    ms.membership_create(
        actor=None,
        body=world.group,
        seat=world.group_seat,
        person=person,
        role=Role.DEPUTY_CHAIR,
        organisation=world.council,
        starts_on=world.start,
    )
    return person


def items_for(report):
    return AgendaItem.objects.filter(title=report.title)


# --- the narrative ------------------------------------------------------------------------------


def test_the_narrative_keeps_only_what_the_report_asks(world, report):
    sc01 = report.facts["exceptions"][0]["id"]
    saved = services.report_save_narrative(
        actor=world.group_coordinator,
        report=report,
        narrative={
            f"why_{sc01}": " A spike in one ward. ",
            f"action_{sc01}": "Patrols, by March.",
            "summary": "One indicator off track.",
            "asks": "",
            "foreword": "Not on an exception report",
        },
    )
    assert saved.narrative == {
        f"why_{sc01}": "A spike in one ward.",
        f"action_{sc01}": "Patrols, by March.",
        "summary": "One indicator off track.",
    }


def test_only_the_coordinators_and_the_chair_write_the_narrative(world, report):
    with pytest.raises(ValidationError):
        services.report_save_narrative(
            actor=world.member, report=report, narrative={"summary": "Mine"}
        )
    services.report_save_narrative(actor=world.chair, report=report, narrative={"summary": "Ok"})
    assert permissions.can_edit_report(world.chair, report)
    assert not permissions.can_edit_report(world.member, report)


def test_the_narrative_is_fixed_once_submitted(world, report):
    services.report_submit(actor=world.group_coordinator, report=report)
    report.refresh_from_db()
    assert not permissions.can_edit_report(world.group_coordinator, report)
    with pytest.raises(ValidationError, match="with the chair"):
        services.report_save_narrative(
            actor=world.group_coordinator, report=report, narrative={"summary": "Late"}
        )


# --- approval -----------------------------------------------------------------------------------


def test_the_chair_approves_a_draft_and_it_goes_on_the_boards_next_meeting(
    world, report, meeting, renders
):
    later = schedule(world, days=60)
    services.report_save_narrative(
        actor=world.chair,
        report=report,
        narrative={"summary": "Burglary is up.", "asks": "Agree extra funding for patrols."},
    )

    approved = services.report_approve(actor=world.chair, report=report)

    assert approved.status == ReportStatus.APPROVED
    assert approved.approved_by == world.chair
    review = approved.reviews.get()
    assert (review.reviewer, review.acting_as, review.outcome) == (world.chair, "Chair", "approved")
    item = approved.agenda_item
    assert item.meeting == meeting and item.meeting != later
    assert item.purpose == Purpose.DECISION
    assert item.decision_required == "Agree extra funding for patrols."
    assert item.title == report.title
    assert "Chair" in item.presenter
    paper = approved.paper
    assert paper.item == item
    assert paper.owner == world.chair
    assert paper.main_issues == "Burglary is up."
    assert paper.decision_required == "Agree extra funding for patrols."
    assert renders == [report.pk]


def test_an_item_holding_unpublished_indicators_is_confidential(world, report, meeting):
    approved = services.report_approve(actor=world.chair, report=report)
    assert approved.facts["has_unpublished"] is True  # SC02 is members only
    assert approved.agenda_item.confidential
    assert approved.agenda_item.confidential_reason == "Holds indicators not yet published"


def test_an_item_of_published_indicators_only_is_public(perf, world, meeting):
    Indicator.objects.filter(body=world.group).update(published=True)
    complete(perf, world, burglaries="120")
    report = services.exception_report_draft(body=world.group, period=perf.period)

    approved = services.report_approve(actor=world.chair, report=report)

    assert approved.facts["has_unpublished"] is False
    assert not approved.agenda_item.confidential
    # With no words from the chair, the cover sheet says what the facts say.
    assert "SC01 Reported burglaries (Red)" in approved.paper.main_issues
    assert approved.agenda_item.decision_required.startswith("To note")


def test_a_coordinator_cannot_approve(world, report, meeting):
    with pytest.raises(ValidationError, match="Only the chair"):
        services.report_approve(actor=world.group_coordinator, report=report)
    assert not items_for(report).exists()


def test_the_chair_returns_a_submitted_report_with_comments(
    world, report, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.report_submit(actor=world.group_coordinator, report=report)
    assert Notice.objects.filter(
        recipient=world.chair, key__startswith="report_submitted:"
    ).exists()

    with pytest.raises(ValidationError):
        services.report_return(actor=world.chair, report=report, comments="  ")
    with django_capture_on_commit_callbacks(execute=True):
        returned = services.report_return(
            actor=world.chair, report=report, comments="Say what the patrols cost."
        )

    assert returned.status == ReportStatus.RETURNED
    assert returned.reviews.get().comments == "Say what the patrols cost."
    assert Notice.objects.filter(
        recipient=world.group_coordinator, key__startswith="report_returned:"
    ).exists()
    # Back with the co-ordinator: editable again, and it can go back to the chair.
    services.report_save_narrative(
        actor=world.group_coordinator, report=returned, narrative={"summary": "Costs: £10k"}
    )
    services.report_submit(actor=world.group_coordinator, report=returned)


def test_the_deputy_cannot_approve_while_the_chair_is_available(world, report, deputy):
    services.report_submit(actor=world.group_coordinator, report=report)
    assert services.report_acting_as(person=deputy, report=report) is None
    with pytest.raises(ValidationError, match="deputy chair when the chair is unavailable"):
        services.report_approve(actor=deputy, report=report)


def test_the_deputy_approves_when_the_chair_is_unavailable(world, report, deputy, meeting):
    with pytest.raises(ValidationError) as error:
        services.report_submit(
            actor=world.group_coordinator, report=report, chair_unavailable=True, reason=" "
        )
    assert "chair_unavailable_reason" in error.value.message_dict

    services.report_submit(
        actor=world.group_coordinator,
        report=report,
        chair_unavailable=True,
        reason="On leave until the end of the month",
    )
    report.refresh_from_db()
    assert set(services.report_approvers(report=report)) == {world.chair, deputy}
    approved = services.report_approve(actor=deputy, report=report)

    assert approved.reviews.get().acting_as == "Acting chair (deputy chair)"
    assert approved.chair_unavailable_reason == "On leave until the end of the month"
    assert approved.agenda_item.meeting == meeting


def test_the_deputy_approves_when_the_chair_seat_is_empty(world, report, deputy, meeting):
    chair = Membership.objects.get(body=world.group, person=world.chair)
    ms.membership_end(actor=None, membership=chair, ends_on=world.start + timedelta(days=1))

    approved = services.report_approve(actor=deputy, report=report)

    assert approved.status == ReportStatus.APPROVED
    assert approved.agenda_item is not None


# --- on the agenda once -------------------------------------------------------------------------


def test_the_agenda_item_is_made_once_however_often_retried(world, report, meeting):
    services.report_approve(actor=world.chair, report=report)
    with pytest.raises(ValidationError):
        services.report_approve(actor=world.chair, report=report)
    for _ in range(3):
        services.report_place(report=report)
    assert services.reports_place_pending(body=world.board) == 0
    assert services.reports_place_pending_all() == 0

    assert items_for(report).count() == 1
    assert Paper.objects.filter(item__in=items_for(report)).count() == 1


def test_with_no_meeting_the_board_coordinators_are_told_and_it_waits(
    world, report, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        approved = services.report_approve(actor=world.chair, report=report)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_place(report=approved)

    assert approved.agenda_item is None
    told = Notice.objects.filter(key=f"report_not_placed:{report.pk}")
    assert [n.recipient for n in told] == [world.coordinator]  # the Board's co-ordinator
    assert list(selectors.reports_unplaced(board=world.board)) == [approved]

    with django_capture_on_commit_callbacks(execute=True):
        meeting = schedule(world, days=10)

    approved.refresh_from_db()
    assert approved.agenda_item.meeting == meeting
    assert items_for(report).count() == 1


def test_a_meeting_of_another_body_places_nothing(
    world, report, django_capture_on_commit_callbacks
):
    services.report_approve(actor=world.chair, report=report)
    with django_capture_on_commit_callbacks(execute=True):
        schedule(world, days=10, body=world.other)
    report.refresh_from_db()
    assert report.agenda_item is None


def test_the_daily_job_places_waiting_reports(world, report):
    services.report_approve(actor=world.chair, report=report)
    meeting = schedule(world, days=10)  # its hook did not run: nothing committed

    assert services.reports_place_pending_all() == 1
    assert services.reports_place_pending_all() == 0
    report.refresh_from_db()
    assert report.agenda_item.meeting == meeting


def test_a_cancelled_meeting_is_not_the_next_one(world, report):
    first = schedule(world, days=5)
    gs.meeting_cancel(actor=world.coordinator, meeting=first, reason="Not quorate")
    second = schedule(world, days=12)

    approved = services.report_approve(actor=world.chair, report=report)

    assert approved.agenda_item.meeting == second
    assert not first.items.filter(title=report.title).exists()


def test_a_report_on_a_meeting_since_cancelled_goes_on_the_next_one(
    world, report, django_capture_on_commit_callbacks
):
    first = schedule(world, days=5)
    approved = services.report_approve(actor=world.chair, report=report)
    assert approved.agenda_item.meeting == first

    with django_capture_on_commit_callbacks(execute=True):
        gs.meeting_cancel(actor=world.coordinator, meeting=first, reason="Not quorate")
    approved.refresh_from_db()
    assert approved.agenda_item is None  # waiting: no other meeting yet
    with django_capture_on_commit_callbacks(execute=True):
        second = schedule(world, days=12)

    approved.refresh_from_db()
    assert approved.agenda_item.meeting == second
    assert items_for(approved).count() == 2  # the cancelled meeting keeps its record
    assert services.reports_place_pending_all() == 0


def test_the_daily_job_moves_a_report_whose_meeting_was_cancelled(world, report):
    """Even when the hook on cancelling was lost: the daily job finds it."""
    first = schedule(world, days=5)
    approved = services.report_approve(actor=world.chair, report=report)
    type(first).objects.filter(pk=first.pk).update(status="cancelled")  # no hook ran
    second = schedule(world, days=12)  # nor here: no on-commit callbacks in this test

    assert services.reports_place_pending_all() == 1
    approved.refresh_from_db()
    assert approved.agenda_item.meeting == second


def test_the_coordinators_are_told_again_when_its_meeting_is_cancelled(
    world, report, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        approved = services.report_approve(actor=world.chair, report=report)  # no meeting yet
    assert Notice.objects.filter(key__startswith=f"report_not_placed:{report.pk}").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        meeting = schedule(world, days=5)
    approved.refresh_from_db()
    assert approved.agenda_item.meeting == meeting

    with django_capture_on_commit_callbacks(execute=True):
        gs.meeting_cancel(actor=world.coordinator, meeting=meeting, reason="Not quorate")

    assert Notice.objects.filter(key__startswith=f"report_not_placed:{report.pk}").count() == 2


def test_a_new_version_approved_replaces_the_old_on_an_agenda_to_come(perf, world, report, meeting):
    first = circulated(services.report_approve(actor=world.chair, report=report))
    Indicator.objects.filter(pk=perf.satisfaction.pk).update(title="Residents satisfied (new)")

    second = services.exception_report_draft(body=world.group, period=perf.period)
    assert second.version == 2 and second.status == ReportStatus.DRAFT
    first.refresh_from_db()
    assert first.status == ReportStatus.APPROVED  # the approved version stays as approved
    services.report_approve(actor=world.chair, report=second)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == ReportStatus.SUPERSEDED
    assert second.agenda_item == first.agenda_item
    assert items_for(report).count() == 1
    # The new version has to go out again: nobody reads it as the paper that was sent.
    assert Paper.objects.get(pk=second.paper_id).circulated_at is None
    assert not permissions.can_see_report(world.other_member, second)


# --- the PDF on the paper -----------------------------------------------------------------------


def rendered(report, fingerprint="ab" * 32):
    """As the render job leaves a report."""
    report.pdf.save(f"{report.kind}-{fingerprint[:8]}.pdf", ContentFile(pdf_bytes()), save=False)
    Report.objects.filter(pk=report.pk).update(
        pdf=report.pdf.name, pdf_fingerprint=fingerprint, render_state=RenderState.DONE
    )
    report.refresh_from_db()
    return report


def test_the_pdf_goes_on_the_paper_once(world, report, meeting):
    approved = services.report_approve(actor=world.chair, report=report)
    assert not approved.paper.file  # not rendered yet

    rendered(approved)
    assert services.attach_pdf_to_paper(approved) is True
    assert services.attach_pdf_to_paper(approved) is False

    paper = Paper.objects.get(pk=approved.paper_id)
    assert paper.file_name == services.report_paper_name(approved)
    assert paper.file_type == "pdf"
    # A new rendering (another fingerprint) replaces it while the paper is not yet out...
    rendered(approved, "cd" * 32)
    assert services.attach_pdf_to_paper(approved) is True
    # ...but never a paper already circulated: that is what members were sent.
    approved = circulated(approved)
    rendered(approved, "ef" * 32)
    assert services.attach_pdf_to_paper(approved) is False
    paper = Paper.objects.get(pk=approved.paper_id)
    assert paper.circulated_at is not None
    assert paper.file_name == services.report_paper_name(rendered(approved, "cd" * 32))


def test_a_paper_on_a_meeting_held_keeps_its_file(world, report, meeting):
    approved = rendered(services.report_approve(actor=world.chair, report=report))
    services.attach_pdf_to_paper(approved)
    kept = Paper.objects.get(pk=approved.paper_id).file.name
    type(meeting).objects.filter(pk=meeting.pk).update(
        held_on=timezone.localdate() - timedelta(days=1)
    )
    assert services.attach_pdf_to_paper(rendered(approved, "cd" * 32)) is False
    assert Paper.objects.get(pk=approved.paper_id).file.name == kept


def test_a_report_already_rendered_takes_its_pdf_to_the_agenda(world, report):
    approved = services.report_approve(actor=world.chair, report=report)
    rendered(approved)
    schedule(world, days=10)

    services.reports_place_pending(body=world.board)

    approved.refresh_from_db()
    assert approved.paper.file_name == services.report_paper_name(approved)


# --- who sees a report --------------------------------------------------------------------------


def test_a_draft_is_seen_by_the_groups_people_only(world, report):
    p = world.partnership
    for person in (world.chair, world.group_coordinator, world.coordinator, world.member):
        assert report in selectors.reports_for(person, p)
        assert permissions.can_see_report(person, report)
    for person in (world.other_member, world.outsider):
        assert report not in selectors.reports_for(person, p)
        assert not permissions.can_see_report(person, report)
    assert not selectors.public_reports(p).exists()
    assert not permissions.is_public_report(report)


def test_board_members_see_it_once_its_paper_is_out(perf, world, report, meeting):
    board_only = UserFactory(email="board_only@example.org")
    ms.membership_create(
        actor=None,
        body=world.board,
        seat=world.board_seat,
        person=board_only,
        organisation=world.council,
        starts_on=world.start,
    )
    assert report not in selectors.reports_for(board_only, world.partnership)
    approved = services.report_approve(actor=world.chair, report=report)
    board_only = type(board_only).objects.get(pk=board_only.pk)
    # On the agenda, but not yet sent out: as with any paper, members wait for it.
    assert approved not in selectors.reports_for(board_only, world.partnership)
    assert not permissions.can_see_report(board_only, approved)
    approved = circulated(approved)

    assert approved in selectors.reports_for(board_only, world.partnership)
    assert permissions.can_see_report(board_only, approved)
    # Confidential (unpublished indicators), so never public, even once the agenda is out.
    gs.meeting_publish(actor=world.coordinator, meeting=meeting)
    approved.refresh_from_db()
    assert not permissions.is_public_report(approved)
    assert not selectors.public_reports(world.partnership).exists()


def test_the_public_sees_an_approved_report_on_a_public_agenda(perf, world, meeting):
    Indicator.objects.filter(body=world.group).update(published=True)
    complete(perf, world, burglaries="120")
    report = services.exception_report_draft(body=world.group, period=perf.period)
    approved = services.report_approve(actor=world.chair, report=report)
    assert not permissions.is_public_report(approved)  # the agenda is not out yet

    gs.meeting_publish(actor=world.coordinator, meeting=meeting)
    approved = Report.objects.get(pk=approved.pk)
    assert not permissions.is_public_report(approved)  # the paper is not out yet
    assert approved not in selectors.reports_for(world.outsider, world.partnership)
    approved = circulated(approved)

    assert permissions.is_public_report(approved)
    assert list(selectors.public_reports(world.partnership)) == [approved]
    assert approved in selectors.reports_for(world.outsider, world.partnership)
    assert approved in selectors.reports_for(AnonymousUser(), world.partnership)
    assert permissions.can_see_report(AnonymousUser(), approved)
    public = selectors.public_reports(world.partnership).get()
    assert public.public_on is not None


def test_reports_for_lists_the_latest_version_each(perf, world, report):
    services.report_save_narrative(actor=world.chair, report=report, narrative={"summary": "x"})
    Indicator.objects.filter(pk=perf.burglary.pk).update(title="Burglaries (renamed)")
    second = services.exception_report_draft(body=world.group, period=perf.period)

    listed = list(selectors.reports_for(world.chair, world.partnership))

    assert listed == [second]
    assert list(selectors.report_versions(report=second)) == [second, report]


# --- six-monthly, annual ------------------------------------------------------------------------


def board_report(world, kind, **facts):
    report, _ = save_version(
        actor=None,
        body=world.board,
        kind=kind,
        year=2025,
        quarter=2 if kind == ReportKind.SIX_MONTHLY else 0,
        title=f"{ReportKind(kind).label} 2025/26",
        facts={"kind": kind, "period": "2025/26", "has_unpublished": False, **facts},
    )
    return report


def test_a_six_monthly_report_goes_on_a_partnership_board_meeting_once(world, meeting, renders):
    report = board_report(world, ReportKind.SIX_MONTHLY)

    item = services.report_add_to_meeting(actor=world.coordinator, report=report, meeting=meeting)
    again = services.report_add_to_meeting(actor=world.coordinator, report=report, meeting=meeting)

    report.refresh_from_db()
    assert item == again == report.agenda_item
    assert item.purpose == Purpose.INFORMATION
    assert report.status == ReportStatus.APPROVED  # reviewed by the co-ordinator: fixed now
    assert renders == [report.pk]
    with pytest.raises(ValidationError):
        services.report_approve(actor=world.chair, report=report)


def test_a_six_monthly_report_on_a_meeting_since_cancelled_goes_on_another(world, meeting, renders):
    report = board_report(world, ReportKind.SIX_MONTHLY)
    services.report_add_to_meeting(actor=world.coordinator, report=report, meeting=meeting)
    gs.meeting_cancel(actor=world.coordinator, meeting=meeting, reason="Not quorate")
    later = schedule(world, days=40)

    item = services.report_add_to_meeting(actor=world.coordinator, report=report, meeting=later)

    report.refresh_from_db()
    assert report.agenda_item == item and item.meeting == later


def test_a_six_monthly_report_goes_only_to_its_own_boards_meetings(world):
    report = board_report(world, ReportKind.SIX_MONTHLY)
    elsewhere = schedule(world, days=14, body=world.other)
    with pytest.raises(ValidationError):
        services.report_add_to_meeting(actor=world.coordinator, report=report, meeting=elsewhere)
    exception = board_report(world, ReportKind.EXCEPTION)
    with pytest.raises(ValidationError):
        services.report_add_to_meeting(
            actor=world.coordinator, report=exception, meeting=schedule(world, days=3)
        )


def test_an_annual_report_is_published_once_approved(world, meeting):
    report = board_report(world, ReportKind.ANNUAL)
    with pytest.raises(ValidationError, match="approves it before"):
        services.report_publish(actor=world.coordinator, report=report)

    approved = services.report_approve(actor=world.chair, report=report)
    assert approved.agenda_item is None  # not put on an agenda
    published = services.report_publish(actor=world.coordinator, report=approved)
    when = published.published_at
    again = services.report_publish(actor=world.coordinator, report=approved)

    assert when is not None and again.published_at == when
    assert permissions.is_public_report(published)
    assert list(selectors.public_reports(world.partnership)) == [published]
    with pytest.raises(ValidationError):
        services.report_publish(actor=world.coordinator, report=board_report(world, "six_monthly"))


def test_a_new_version_of_a_published_annual_report_takes_its_place(world):
    first = board_report(world, ReportKind.ANNUAL, foreword_facts="one")
    services.report_approve(actor=world.chair, report=first)
    services.report_publish(actor=world.coordinator, report=first)
    second = board_report(world, ReportKind.ANNUAL, foreword_facts="two")
    assert second.version == 2

    services.report_approve(actor=world.chair, report=second)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == ReportStatus.SUPERSEDED and first.published_at is None
    assert second.published_at is not None
    assert list(selectors.public_reports(world.partnership)) == [second]


def test_the_coordinators_are_told_where_the_approved_report_went(
    world, report, meeting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.report_approve(actor=world.chair, report=report)

    told = Notice.objects.get(recipient=world.group_coordinator, key=f"report_approved:{report.pk}")
    assert "Approved" in told.subject


# --- the account page -----------------------------------------------------------------------

HEADING = b"Reports awaiting your approval"


def account_page(client, person):
    client.force_login(person)
    return client.get(reverse("account:home"))


def test_a_submitted_report_is_on_its_chairs_account_page(client, world, report):
    assert HEADING not in account_page(client, world.chair).content

    services.report_submit(actor=world.group_coordinator, report=report)

    page = account_page(client, world.chair).content
    assert HEADING in page
    assert report.title.encode() in page
    review = reverse(
        "performance:report_review",
        kwargs={"partnership": world.partnership.slug, "pk": report.pk},
    )
    assert review.encode() in page
    for person in (world.member, world.group_coordinator):
        assert HEADING not in account_page(client, person).content


def test_the_deputy_sees_it_only_when_the_chair_is_unavailable(client, world, report, deputy):
    services.report_submit(actor=world.group_coordinator, report=report)
    assert HEADING not in account_page(client, deputy).content

    services.report_return(actor=world.chair, report=report, comments="Add the ask.")
    services.report_submit(
        actor=world.group_coordinator, report=report, chair_unavailable=True, reason="On leave"
    )
    assert HEADING in account_page(client, deputy).content


def test_an_approved_report_leaves_the_panel(client, world, report):
    services.report_submit(actor=world.group_coordinator, report=report)
    services.report_approve(actor=world.chair, report=report)
    assert HEADING not in account_page(client, world.chair).content


def test_the_panel_asks_as_many_queries_for_three_reports_as_for_one(client, world, perf, report):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from performance.models import ReportKind

    services.report_submit(actor=world.group_coordinator, report=report)

    def queries() -> int:
        client.force_login(world.chair)
        with CaptureQueriesContext(connection) as captured:
            assert HEADING in client.get(reverse("account:home")).content
        return len(captured)

    one = queries()
    for quarter in (1, 2):
        extra = save_version(
            actor=None,
            body=world.group,
            kind=ReportKind.EXCEPTION,
            year=perf.period.year - 1,
            quarter=quarter,
            title=f"Exception report {quarter}",
            facts={"has_unpublished": True},
        )[0]
        services.report_submit(actor=world.group_coordinator, report=extra)
    assert queries() == one


def test_a_report_waiting_for_its_chair_is_chased_once_per_submission(world, report):
    from governance.services.minutes import MINUTES_CHASE_AFTER

    services.report_submit(actor=world.group_coordinator, report=report)
    report.refresh_from_db()
    soon = report.submitted_at + MINUTES_CHASE_AFTER - timedelta(hours=1)
    later = report.submitted_at + MINUTES_CHASE_AFTER + timedelta(hours=1)

    assert services.reports_chase_awaiting(now=soon) == 0
    assert services.reports_chase_awaiting(now=later) == 1
    assert services.reports_chase_awaiting(now=later) == 0  # once, however often it runs
    told = Notice.objects.get(key__startswith=f"report_awaiting:{report.pk}:")
    assert told.recipient == world.chair

    services.report_approve(actor=world.chair, report=report)
    assert services.reports_chase_awaiting(now=later + timedelta(days=10)) == 0
