"""The Partnership Board's reports: the six-monthly performance report, the annual report and
the newsletter, built from the data as it stands (performance/services/reports/board.py)."""

from __future__ import annotations

import json
from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from governance.models import (
    AgendaItem,
    Attendance,
    Declaration,
    Gift,
    Meeting,
    MinuteEntry,
    Minutes,
)
from membership.models import AgreementSignature, AgreementVersion
from partnership import services as ps
from partnership.periods import Quarter, financial_year, financial_year_label
from performance import services
from performance.models import Report, ReportStatus, Return, ReturnStatus
from performance.selectors import open_quarter
from performance.services.reports import annual as ra
from performance.services.reports import board as rb
from performance.services.reports.common import save_version
from tests.factories import PartnershipFactory
from tests.governance.helpers import build_meetings
from tests.performance.conftest import signed_off

# Planted in members-only places: none may reach a public report.
SECRETS = ("SECRETCOMMENTARY", "SECRETITEM", "SECRETMINUTE", "SECRETDECISION", "SECRETPAPER")


def last_half() -> Quarter:
    """The last quarter of the latest half-year to have ended."""
    last = open_quarter()
    return last if last.number in (2, 4) else last.previous()


@pytest.fixture
def half(world, perf) -> Quarter:
    """SC01 and SC02 signed off at the half's last quarter, SC02 (members only) with a
    commentary no public report may show."""
    last = last_half()
    if last == perf.period:
        signed_off(perf.burglary, last, 80, by=world.member, signer=world.group_coordinator)
        signed_off(
            perf.satisfaction,
            last,
            85,
            by=world.member,
            signer=world.chair,
            commentary="SECRETCOMMENTARY survey",
        )
    else:
        Return.objects.filter(indicator=perf.satisfaction, year=last.year).update(
            commentary="SECRETCOMMENTARY survey"
        )
    return last


def signed_value(indicator, period: Quarter) -> str:
    ret = Return.objects.get(
        indicator=indicator,
        year=period.year,
        quarter=period.number,
        status=ReturnStatus.SIGNED_OFF,
    )
    return str(ret.value)


def approved_exception_report(world, period: Quarter, *, summary: str, code: str = "SC01"):
    """An exception report of the Safer Group for ``period``, approved by its chair (made
    directly: the chair's workflow is tested with it)."""
    report, _ = save_version(
        actor=world.group_coordinator,
        body=world.group,
        kind="exception",
        year=period.year,
        quarter=period.number,
        title=f"Exception report {period.label}",
        facts={
            "kind": "exception",
            "quarter": period.short_label,
            "has_unpublished": False,
            "exceptions": [
                {"id": 1, "code": code, "title": "Reported burglaries", "rag_label": "Red"}
            ],
        },
    )
    report.narrative = {
        "summary": summary,
        "asks": "Note the extra patrols",
        "why_1": "A spike in one ward",
        "action_1": "Extra patrols until March",
    }
    report.status = ReportStatus.APPROVED
    report.approved_by = world.chair
    report.approved_at = timezone.now()
    report.save()
    return report


def public_text(report) -> str:
    return json.dumps(report.facts) + json.dumps(report.title)


# --- the Partnership Board ---------------------------------------------------------------------


def test_partnership_board_is_the_open_partnership_board(world):
    assert rb.partnership_board(world.partnership) == world.board


def test_a_partnership_without_a_board_cannot_build_its_reports(db):
    lonely = PartnershipFactory(name="Lonely Partnership", slug="lonely")
    with pytest.raises(ValidationError, match="no open partnership board"):
        rb.partnership_board(lonely)
    with pytest.raises(ValidationError):
        ra.newsletter_build(actor=None, partnership=lonely)


# --- the six-monthly report --------------------------------------------------------------------


def test_six_monthly_report_shows_every_indicator_by_outcome(world, perf, half):
    report = rb.six_monthly_build(
        actor=world.coordinator, partnership=world.partnership, year=half.year, half=half.number
    )
    label = "April to September" if half.number == 2 else "October to March"
    period = f"{label} {financial_year_label(half.year)}"
    assert report.kind == "six_monthly"
    assert report.body == world.board
    assert (report.year, report.quarter, report.version) == (half.year, half.number, 1)
    assert report.title == f"Six-monthly performance report: {period}"
    facts = report.facts
    assert facts["period"] == period
    assert facts["period_start"] == half.previous().starts_on.isoformat()
    assert facts["period_end"] == half.ends_on.isoformat()
    assert facts["audience"] == "members"
    assert facts["has_unpublished"] is True
    assert facts["body"]["name"] == facts["board"]["name"] == "Board"
    assert facts["built_on"] == f"{timezone.localdate().day} {timezone.localdate():%B %Y}"

    safer, others = facts["outcomes"]
    assert (safer["code"], safer["kind_label"]) == ("SC1", "Community Strategy priority")
    assert [r["code"] for r in safer["indicators"]] == ["SC01", "SC02", "SC03"]
    burglary, satisfaction, strategy = safer["indicators"]
    assert burglary["reported"] and burglary["as_at"] == half.short_label
    assert burglary["value"] == signed_value(perf.burglary, half)
    assert [p["period"] for p in burglary["trend"]][-1] == half.short_label
    assert len(burglary["trend"]) == 8
    assert satisfaction["published"] is False
    assert "SECRETCOMMENTARY" in satisfaction["commentary"]
    assert strategy["reported"] is False  # annual: nothing due at the half
    assert safer["actions"] == [
        {
            "title": "Neighbourhood watch in every ward",
            "partner": "Testshire Council",
            "lead": "Member",
            "due": f"{perf.action.due_on.day} {perf.action.due_on:%B %Y}",
            "status": "not_started",
            "status_label": "Not started",
            "overdue": False,
            "progress": "",
        }
    ]
    # An indicator with no outcome comes last, under "Other indicators".
    assert others["title"] == "Other indicators"
    assert [r["code"] for r in others["indicators"]] == ["OG01"]
    assert facts["exception_reports"] == []


def test_six_monthly_report_flags_overdue_actions(world, perf, half):
    services.plan_action_create(
        actor=None,
        outcome=perf.outcome,
        title="Lighting in the underpasses",
        organisation=world.council,
        lead=world.member,
        due_on=timezone.localdate() - timedelta(days=1),
        status="on_track",
        progress="Two of five done",
    )
    report = rb.six_monthly_build(
        actor=None, partnership=world.partnership, year=half.year, half=half.number
    )
    actions = {a["title"]: a for a in report.facts["outcomes"][0]["actions"]}
    assert actions["Lighting in the underpasses"]["overdue"] is True
    assert actions["Lighting in the underpasses"]["progress"] == "Two of five done"
    assert actions["Neighbourhood watch in every ward"]["overdue"] is False


def test_six_monthly_report_picks_up_approved_exception_reports_of_its_quarters(world, perf, half):
    exception = approved_exception_report(world, half, summary="Burglary rose in the half")
    approved_exception_report(world, half.minus(4), summary="A year before: NOT THIS HALF")
    other_half = Quarter(half.year, 3 if half.number == 2 else 1)
    approved_exception_report(world, other_half, summary="The other half: NOT THIS HALF")
    draft, _ = save_version(
        actor=None,
        body=world.other,
        kind="exception",
        year=half.year,
        quarter=half.previous().number,
        title="Draft exception report",
        facts={"kind": "exception", "exceptions": []},
    )
    report = rb.six_monthly_build(
        actor=None, partnership=world.partnership, year=half.year, half=half.number
    )
    [found] = report.facts["exception_reports"]
    assert found["body"] == "Safer Group"
    assert found["quarter"] == half.short_label
    assert found["summary"] == "Burglary rose in the half"
    assert found["asks"] == "Note the extra patrols"
    assert found["exceptions"] == [
        {
            "code": "SC01",
            "title": "Reported burglaries",
            "rag_label": "Red",
            "why": "A spike in one ward",
            "action": "Extra patrols until March",
        }
    ]
    assert found["url"].endswith(exception.get_absolute_url())
    assert found["approved_on"] == f"{timezone.localdate().day} {timezone.localdate():%B %Y}"
    assert "NOT THIS HALF" not in json.dumps(report.facts)
    assert "Draft exception report" not in json.dumps(report.facts)


def test_six_monthly_rebuild_with_the_same_data_is_the_same_version(world, perf, half):
    first = rb.six_monthly_build(
        actor=None, partnership=world.partnership, year=half.year, half=half.number
    )
    again = rb.six_monthly_build(
        actor=None, partnership=world.partnership, year=half.year, half=half.number
    )
    assert again.pk == first.pk and again.version == 1
    assert Report.objects.filter(kind="six_monthly").count() == 1


def test_six_monthly_rebuilt_on_a_later_day_with_the_same_data_is_the_same_version(
    world, perf, half, monkeypatch
):
    first = rb.six_monthly_build(
        actor=None, partnership=world.partnership, year=half.year, half=half.number
    )
    tomorrow = timezone.localdate() + timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    again = rb.six_monthly_build(
        actor=None, partnership=world.partnership, year=half.year, half=half.number
    )
    assert again.pk == first.pk
    assert again.facts["built_on"] == first.facts["built_on"]


def test_six_monthly_rebuild_with_changed_data_makes_a_new_version(world, perf, half):
    first = rb.six_monthly_build(
        actor=None, partnership=world.partnership, year=half.year, half=half.number
    )
    first.narrative = {"summary": "Kept across versions"}
    first.save(update_fields=["narrative"])
    services.plan_action_update(
        actor=None, action=perf.action, status="on_track", progress="Half the wards"
    )
    second = rb.six_monthly_build(
        actor=None, partnership=world.partnership, year=half.year, half=half.number
    )
    assert second.pk != first.pk and second.version == 2
    assert second.narrative == {"summary": "Kept across versions"}
    assert second.facts["outcomes"][0]["actions"][0]["progress"] == "Half the wards"
    assert second.facts["built_on"]
    first.refresh_from_db()
    assert first.status == ReportStatus.SUPERSEDED
    assert first.facts["outcomes"][0]["actions"][0]["progress"] == ""


def test_six_monthly_report_needs_a_half_that_has_ended(world):
    with pytest.raises(ValidationError, match="quarter 2"):
        rb.six_monthly_build(actor=None, partnership=world.partnership, year=2025, half=3)
    future = open_quarter().next().next()
    future = future if future.number in (2, 4) else future.next()
    with pytest.raises(ValidationError, match="once it has ended"):
        rb.six_monthly_build(
            actor=None, partnership=world.partnership, year=future.year, half=future.number
        )


# --- the annual report -------------------------------------------------------------------------


@pytest.fixture
def year_of_business(world, perf, half):
    """A year's record: meetings with public and confidential business, a new body and a closed
    one, registers with entries whose words must stay out of the report, and the agreement."""
    meetings = build_meetings(world)
    year = financial_year(meetings.past.held_on)
    start = Quarter(year, 1).starts_on
    today = timezone.localdate()
    founded = max(start, world.start)
    ps.body_create(
        actor=None,
        partnership=world.partnership,
        name="Youth Forum",
        kind="forum",
        parent=world.board,
        established_on=founded,
    )
    ps.body_mark_closed(
        actor=None, body=world.subgroup, closed_on=today - timedelta(days=1), reason="Work done"
    )
    Declaration.objects.create(
        partnership=world.partnership,
        person=world.member,
        kind="business",
        holder="self",
        project="INTERESTMARK development",
        description="Director of INTERESTMARK Ltd",
        starts_on=world.start,
    )
    for decision, donor in (("accepted", "DONORMARK Ltd"), ("declined", "Other DONORMARK")):
        Gift.objects.create(
            partnership=world.partnership,
            person=world.chair,
            body=world.board,
            kind="hospitality",
            donor=donor,
            description="Dinner",
            value=Decimal("40"),
            offered_on=today - timedelta(days=2),
            decision=decision,
        )
    version = AgreementVersion.objects.create(
        partnership=world.partnership,
        label="2026",
        what_changed="First version",
        file="agreements/x.pdf",
        file_name="agreement.pdf",
        file_size=10,
        uploaded_by=world.coordinator,
        agreed_by=world.board,
        agreed_on=world.start,
        issued_at=timezone.now(),
    )
    AgreementSignature.objects.create(person=world.chair, version=version)
    return meetings, year


def test_annual_report_holds_the_years_figures(world, perf, half, year_of_business):
    meetings, year = year_of_business
    report = ra.annual_build(actor=world.coordinator, partnership=world.partnership, year=year)
    label = financial_year_label(year)
    assert report.kind == "annual" and report.title == f"Annual report {label}"
    assert (report.year, report.quarter, report.body) == (year, 0, world.board)
    facts = report.facts
    assert facts["period"] == label
    assert facts["audience"] == "public"
    assert facts["has_unpublished"] is False
    assert facts["board"] is None

    structure = facts["structure"]
    assert [(b["name"], b["parent"]) for b in structure["bodies"]] == [
        ("Board", ""),
        ("Other Group", "Board"),
        ("Safer Group", "Board"),
        ("Youth Forum", "Board"),
    ]
    assert structure["established"] == ["Youth Forum"]
    assert structure["closed"][0]["name"] == "Safer Sub-group"
    assert structure["closed"][0]["reason"] == "Work done"

    # chair, member, other_member, colleague: people, once each however many seats.
    joined = 4 if world.start >= Quarter(year, 1).starts_on else 0
    assert facts["membership"] == {"members_now": 4, "joined": joined, "left": 0}
    assert facts["meetings"] == {"held": 1, "by_body": [{"body": "Board", "count": 1}]}
    # The chair was present, the member sent apologies.
    assert facts["attendance"] == [{"body": "Board", "meetings": 1, "rate": "50%"}]
    [decision] = facts["decisions"]
    assert decision["decision"] == "Report approved"
    assert decision["item"] == "Annual report"
    assert decision["url"].endswith(meetings.past.get_absolute_url())

    [safer] = facts["outcomes"]
    assert [r["code"] for r in safer["indicators"]] == ["SC01"]
    assert all(r["published"] for r in safer["indicators"])
    assert safer["actions"][0]["title"] == "Neighbourhood watch in every ward"
    assert facts["registers"] == {
        "interests": 1,
        "gifts": 2,
        "gifts_accepted": 1,
        "gifts_refused": 1,
        "agreement_signed": 1,
        # Everyone sitting on a body now, and the partnership's officers.
        "agreement_members": 6,
    }


def test_annual_report_never_holds_confidential_or_unpublished_things(
    world, perf, half, year_of_business
):
    _, year = year_of_business
    report = ra.annual_build(actor=None, partnership=world.partnership, year=year)
    text = public_text(report)
    for secret in (*SECRETS, "SC02", "SC03", "OG01", "Residents satisfied", "Volunteers"):
        assert secret not in text, secret
    for private in ("INTERESTMARK", "DONORMARK", "Dinner"):
        assert private not in text, private


def test_annual_report_position_is_the_latest_signed_off_figure_of_the_year(world, perf, half):
    year = half.year
    report = ra.annual_build(actor=None, partnership=world.partnership, year=year)
    [burglary] = report.facts["outcomes"][0]["indicators"]
    latest = max(
        Quarter(r.year, r.quarter)
        for r in Return.objects.filter(
            indicator=perf.burglary, year=year, status=ReturnStatus.SIGNED_OFF
        )
    )
    assert burglary["as_at"] == latest.short_label
    assert burglary["value"] == signed_value(perf.burglary, latest)


def test_annual_rebuild_makes_a_new_version_only_when_the_data_changed(
    world, perf, half, year_of_business
):
    _, year = year_of_business
    first = ra.annual_build(actor=None, partnership=world.partnership, year=year)
    assert ra.annual_build(actor=None, partnership=world.partnership, year=year).pk == first.pk
    Gift.objects.create(
        partnership=world.partnership,
        person=world.member,
        body=world.board,
        kind="gift",
        donor="A supplier",
        description="A pen",
        value=Decimal("5"),
        offered_on=timezone.localdate(),
        decision="accepted",
    )
    second = ra.annual_build(actor=None, partnership=world.partnership, year=year)
    assert second.version == 2
    assert second.facts["registers"]["gifts"] == 3
    first.refresh_from_db()
    assert first.facts["registers"]["gifts"] == 2


def test_annual_report_needs_a_year_that_has_started(world):
    next_year = financial_year(timezone.localdate()) + 1
    with pytest.raises(ValidationError, match="once it has started"):
        ra.annual_build(actor=None, partnership=world.partnership, year=next_year)


def _grow(world, *, names: range) -> None:
    """More of everything the annual report reads: bodies, outcomes, actions, published
    indicators, meetings with attendance and approved minutes' decisions."""
    day = timezone.localdate() - timedelta(days=3)
    for i in names:
        body = ps.body_create(
            actor=None,
            partnership=world.partnership,
            name=f"Group {i}",
            kind="thematic_group",
            parent=world.board,
        )
        outcome = services.outcome_create(
            actor=None,
            partnership=world.partnership,
            body=body,
            code=f"G{i}",
            title=f"Outcome {i}",
            kind="priority",
        )
        services.plan_action_create(
            actor=None,
            outcome=outcome,
            title=f"Action {i}",
            organisation=world.council,
            lead=world.member,
            due_on=day,
        )
        services.indicator_create(
            actor=None,
            partnership=world.partnership,
            body=body,
            outcome=outcome,
            code=f"G{i}01",
            title=f"Measure {i}",
            unit="number",
            polarity="higher",
            lead=world.member,
            published=True,
        )
        meeting = Meeting.objects.create(
            body=body,
            held_on=day,
            start_time=time(10, 0),
            status="published",
            published_at=timezone.now(),
        )
        item = AgendaItem.objects.create(meeting=meeting, position=1, title=f"Item {i}")
        minutes = Minutes.objects.create(
            meeting=meeting, status="approved", approved_by=world.chair, approved_at=timezone.now()
        )
        MinuteEntry.objects.create(minutes=minutes, item=item, decision=f"Decision {i}")
        Attendance.objects.create(meeting=meeting, person=world.member, status="present")


def test_annual_build_takes_the_same_queries_however_much_there_is(
    world, perf, half, year_of_business, django_assert_max_num_queries
):
    _, year = year_of_business
    ra.annual_build(actor=None, partnership=world.partnership, year=year)
    # Both measured builds are rebuilds with changed data: the same path.
    _grow(world, names=range(1))
    with CaptureQueriesContext(connection) as small:
        ra.annual_build(actor=None, partnership=world.partnership, year=year)
    _grow(world, names=range(1, 8))
    with django_assert_max_num_queries(len(small.captured_queries)):
        report = ra.annual_build(actor=None, partnership=world.partnership, year=year)
    assert report.version == 3
    assert report.facts["meetings"]["held"] == 1 + 8
    assert len(report.facts["outcomes"]) == 1 + 8


# --- the newsletter ----------------------------------------------------------------------------


def test_newsletter_holds_the_public_highlights(world, perf, half):
    meetings = build_meetings(world)
    report = ra.newsletter_build(actor=world.coordinator, partnership=world.partnership)
    label = financial_year_label(financial_year(timezone.localdate()))
    assert report.kind == "newsletter"
    assert (report.issue, report.quarter, report.body) == (1, 0, world.board)
    assert report.title == f"Newsletter 1, {label}"
    facts = report.facts
    assert facts["audience"] == "public" and facts["has_unpublished"] is False
    assert facts["period_end"] == timezone.localdate().isoformat()
    highlights = facts["highlights"]
    assert highlights["meetings_held"] == 1
    assert [d["decision"] for d in highlights["decisions"]] == ["Report approved"]
    # Only SC01 is published: its latest signed-off rating is the one counted.
    latest = (
        Return.objects.filter(indicator=perf.burglary, status=ReturnStatus.SIGNED_OFF)
        .order_by("-year", "-quarter")
        .first()
    )
    expected = {"green": 0, "amber": 0, "red": 0}
    expected[latest.rag] += 1
    assert highlights["indicators"] == expected
    [upcoming] = highlights["upcoming"]
    assert upcoming["url"].endswith(meetings.upcoming.get_absolute_url())
    assert upcoming["body"] == "Board"


def test_newsletter_never_holds_confidential_or_unpublished_things(world, perf, half):
    build_meetings(world)
    report = ra.newsletter_build(actor=None, partnership=world.partnership)
    text = public_text(report)
    for secret in (*SECRETS, "DRAFTMEETING", "SC02", "OG01"):
        assert secret not in text, secret


def test_newsletter_is_rebuilt_until_approved_then_the_next_issue_starts(world, perf):
    first = ra.newsletter_build(actor=None, partnership=world.partnership)
    assert ra.newsletter_build(actor=None, partnership=world.partnership).pk == first.pk
    build_meetings(world)
    second = ra.newsletter_build(actor=None, partnership=world.partnership)
    assert (second.issue, second.version) == (1, 2)
    Report.objects.filter(pk=second.pk).update(
        status=ReportStatus.APPROVED, approved_by=world.chair, approved_at=timezone.now()
    )
    third = ra.newsletter_build(actor=None, partnership=world.partnership)
    assert (third.issue, third.version) == (2, 1)
    assert third.title.startswith("Newsletter 2, ")
    # A chosen issue is rebuilt as asked.
    assert ra.newsletter_build(actor=None, partnership=world.partnership, issue=2).pk == third.pk
    with pytest.raises(ValidationError):
        ra.newsletter_build(actor=None, partnership=world.partnership, issue=0)


def test_newsletter_shows_the_five_newest_public_decisions(world, perf):
    build_meetings(world)  # its decision, a week ago, is older than those below
    _grow(world, names=range(6))
    report = ra.newsletter_build(actor=None, partnership=world.partnership)
    decisions = report.facts["highlights"]["decisions"]
    assert len(decisions) == rb.NEWSLETTER_DECISIONS == 5
    assert "Report approved" not in [d["decision"] for d in decisions]
    assert report.facts["highlights"]["meetings_held"] == 7
