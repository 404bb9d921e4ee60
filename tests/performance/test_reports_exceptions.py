"""Exception reports drafted from the signed-off returns: which indicators are exceptions, the
"no exceptions" report, versions only when the data changed, and the two triggers (the sign-off
that completes the quarter, and the daily job at the deadline)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D
from unittest import mock

import pytest
from django.utils import timezone

from partnership.models import Notice
from performance import services
from performance.models import Report, ReportKind, ReportStatus, Return
from performance.selectors import deadline_for
from tests.performance.conftest import signed_off

CASES = [
    # (previous quarter, this quarter, why it is an exception or None); lower is better,
    # target 100, 10% tolerance: green to 100, amber to 110, red beyond.
    ("90", "120", "Red"),  # red, worsening
    ("130", "120", "Red"),  # red, improving: still an exception
    ("90", "105", "Amber and worsening"),
    ("108", "104", None),  # amber, improving
    ("105", "105", None),  # amber, no change
    (None, "105", None),  # amber, nothing to compare with
    ("90", "95", None),  # green, worsening
    ("99", "95", None),  # green, improving
]


def add_indicator(perf, world, code="SC09", *, previous=None, published=True, **fields):
    """A quarterly indicator of the Safer Group (lower is better, target 100, 10% tolerance),
    with its previous quarter's return signed off if ``previous`` is given."""
    indicator = services.indicator_create(
        actor=None,
        partnership=world.partnership,
        body=world.group,
        outcome=perf.outcome,
        code=code,
        title=f"Test measure {code}",
        unit="number",
        polarity="lower",
        lead=world.member,
        frequency="quarterly",
        target_kind="point",
        tolerance_kind="percent",
        tolerance=D(10),
        published=published,
        **fields,
    )
    for year in (perf.period.year - 1, perf.period.year):
        services.target_set(actor=None, indicator=indicator, year=year, value=D(100))
    if previous is not None:
        sign(indicator, perf.period.previous(), previous, world)
    return indicator


def sign(indicator, period, value, world):
    return signed_off(indicator, period, value, by=world.member, signer=world.group_coordinator)


def complete(perf, world, *, burglaries="95", satisfied="85"):
    """Sign off every return the Safer Group owes for the open quarter."""
    sign(perf.burglary, perf.period, burglaries, world)
    sign(perf.satisfaction, perf.period, satisfied, world)
    if perf.strategy.is_due(perf.period):
        sign(perf.strategy, perf.period, "1", world)


def draft(perf, world, **kwargs):
    return services.exception_report_draft(body=world.group, period=perf.period, **kwargs)


def label(period):
    return f"Q{period.number} {period.year_label}"


# --- which indicators are exceptions ------------------------------------------------------------


@pytest.mark.parametrize(("previous", "now", "why"), CASES)
def test_an_indicator_is_an_exception_when_red_or_amber_and_worsening(
    perf, world, previous, now, why
):
    indicator = add_indicator(perf, world, previous=previous)
    sign(indicator, perf.period, now, world)

    facts = services.exception_facts(body=world.group, period=perf.period)

    exceptions = {row["code"]: row["why"] for row in facts["exceptions"]}
    others = {row["code"] for row in facts["others"]}
    if why:
        assert exceptions["SC09"] == why
        assert "SC09" not in others
    else:
        assert "SC09" not in exceptions
        assert "SC09" in others


def test_the_facts_hold_the_exceptions_with_what_the_chair_needs(perf, world):
    complete(perf, world, burglaries="120", satisfied="77")  # red; amber and worsening (82)

    facts = services.exception_facts(body=world.group, period=perf.period)

    assert facts["title"] == f"Exception report: Safer Group, {label(perf.period)}"
    assert facts["kind"] == "exception"
    assert facts["period"] == facts["quarter"] == label(perf.period)
    assert facts["period_start"] == perf.period.starts_on.isoformat()
    assert facts["period_end"] == perf.period.ends_on.isoformat()
    assert facts["audience"] == "members"
    assert facts["body"]["name"] == "Safer Group"
    assert facts["board"]["name"] == "Board"
    assert facts["board"]["url"].endswith(world.board.get_absolute_url())
    red, amber = facts["exceptions"]
    assert (red["code"], red["why"], red["rag"]) == ("SC01", "Red", "red")
    assert (amber["code"], amber["why"]) == ("SC02", "Amber and worsening")
    assert red["value"] == "120.0000" and red["target"] == "100.0000"
    assert red["lead"] == "Member"
    assert red["commentary"] == "Figures checked."
    assert red["remedial_action"] == "Extra patrols in the worst-affected wards"
    assert len(red["trend"]) == 8 and red["trend"][-1]["value"] == "120.0000"
    assert facts["no_exceptions"] is False
    assert facts["counts"]["red"] == 1 and facts["counts"]["amber"] == 1
    # SC02 is not published: members read it; the agenda item is made confidential.
    assert facts["has_unpublished"] is True


def test_indicators_due_without_a_signed_off_return_are_listed_as_missing(perf, world):
    sign(perf.burglary, perf.period, "95", world)
    services.return_submit(  # submitted, not signed off: not a figure a report uses
        actor=world.member,
        indicator=perf.satisfaction,
        period=perf.period,
        version=0,
        value=D(60),
        commentary="Survey delayed.",
        remedial_action="New survey",
        remedial_by=perf.period.ends_on + timedelta(days=90),
        today=perf.period.ends_on + timedelta(days=5),
    )

    facts = services.exception_facts(body=world.group, period=perf.period)

    assert [m["code"] for m in facts["missing"]][:1] == ["SC02"]
    assert facts["missing"][0]["lead"] == "Member"
    assert "SC02" not in {r["code"] for r in facts["exceptions"] + facts["others"]}
    assert facts["counts"]["no_data"] == len(facts["missing"])


def test_retired_indicators_and_those_not_due_are_left_out(perf, world):
    retired = add_indicator(perf, world, "SC10")
    retired.retired_on = perf.period.starts_on
    retired.save()
    complete(perf, world)

    facts = services.exception_facts(body=world.group, period=perf.period)

    codes = {r["code"] for r in facts["others"] + facts["exceptions"]} | {
        m["code"] for m in facts["missing"]
    }
    assert "SC10" not in codes
    assert "OG01" not in codes  # another group's
    assert ("SC03" in codes) == (perf.period.number == 4)  # annual: due in Q4 only


def test_the_facts_take_the_same_queries_however_many_indicators(
    perf, world, django_assert_max_num_queries
):
    for n in range(5):
        add_indicator(perf, world, f"SC2{n}", previous="90")
    complete(perf, world)
    with django_assert_max_num_queries(5):
        services.exception_facts(body=world.group, period=perf.period)


def test_a_group_with_nothing_off_track_gets_a_no_exceptions_report(perf, world):
    complete(perf, world)

    report = draft(perf, world)

    assert report.kind == ReportKind.EXCEPTION
    assert report.facts["no_exceptions"] is True
    assert report.facts["exceptions"] == []
    assert {r["code"] for r in report.facts["others"]} >= {"SC01", "SC02"}
    assert report.status == ReportStatus.DRAFT and report.version == 1


# --- versions -----------------------------------------------------------------------------------


def test_drafting_again_with_the_same_data_makes_no_new_version(perf, world):
    complete(perf, world)
    first = draft(perf, world)

    again = draft(perf, world)

    assert again.pk == first.pk
    assert Report.objects.filter(kind=ReportKind.EXCEPTION).count() == 1


def test_drafting_on_a_later_day_with_the_same_data_makes_no_new_version(perf, world):
    complete(perf, world)
    first = draft(perf, world)
    tomorrow = timezone.localdate() + timedelta(days=1)

    with mock.patch("django.utils.timezone.localdate", return_value=tomorrow):
        again = draft(perf, world)

    assert again.pk == first.pk
    assert again.facts["built_on"] == first.facts["built_on"]


def test_changed_data_makes_a_new_version_and_keeps_the_narrative(perf, world):
    complete(perf, world)
    first = draft(perf, world)
    services.report_save_narrative(
        actor=world.group_coordinator, report=first, narrative={"summary": "A quiet quarter."}
    )
    ret = Return.objects.get(
        indicator=perf.burglary, year=perf.period.year, quarter=perf.period.number
    )
    services.return_reopen(actor=world.group_coordinator, ret=ret, reason="Wrong month's figure")
    ret.refresh_from_db()
    services.return_submit(
        actor=world.member,
        indicator=perf.burglary,
        period=perf.period,
        version=ret.version,
        value=D(130),
        commentary="Corrected: a spike in one ward.",
        remedial_action="Targeted patrols",
        remedial_by=perf.period.ends_on + timedelta(days=90),
    )
    services.return_sign_off(actor=world.group_coordinator, ret=ret)

    second = draft(perf, world)

    first.refresh_from_db()
    assert second.version == 2
    assert first.status == ReportStatus.SUPERSEDED
    assert second.narrative == {"summary": "A quiet quarter."}
    assert [r["code"] for r in second.facts["exceptions"]] == ["SC01"]
    assert first.facts["no_exceptions"] is True  # as it was built


def test_a_new_version_is_told_to_the_chair_and_the_coordinators_once(
    perf, world, django_capture_on_commit_callbacks
):
    complete(perf, world)
    with django_capture_on_commit_callbacks(execute=True):
        report = draft(perf, world)
    with django_capture_on_commit_callbacks(execute=True):
        draft(perf, world)

    told = Notice.objects.filter(key=f"report_drafted:{report.pk}:1")
    people = {n.recipient for n in told}
    assert world.chair in people
    assert world.group_coordinator in people
    assert world.coordinator in people
    assert world.member not in people
    assert told.count() == len(people)
    assert told.first().url == report.get_absolute_url()


# --- the triggers ------------------------------------------------------------------------------


def test_signing_off_the_last_due_return_drafts_the_report(
    perf, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sign(perf.burglary, perf.period, "120", world)
    assert not Report.objects.filter(body=world.group).exists()

    with django_capture_on_commit_callbacks(execute=True):
        sign(perf.satisfaction, perf.period, "85", world)
        if perf.strategy.is_due(perf.period):
            sign(perf.strategy, perf.period, "1", world)

    report = Report.objects.get(body=world.group, kind=ReportKind.EXCEPTION)
    assert (report.year, report.quarter) == (perf.period.year, perf.period.number)
    assert [r["code"] for r in report.facts["exceptions"]] == ["SC01"]


def test_signing_off_an_earlier_quarter_drafts_nothing(
    perf, world, django_capture_on_commit_callbacks
):
    """A correction of a quarter with no report (or loading past figures) drafts nothing."""
    earlier = perf.history[-1]
    ret = Return.objects.get(indicator=perf.burglary, year=earlier.year, quarter=earlier.number)
    services.return_reopen(actor=world.group_coordinator, ret=ret, reason="Typo")
    ret.refresh_from_db()
    services.return_submit(
        actor=world.member,
        indicator=perf.burglary,
        period=earlier,
        version=ret.version,
        value=D(91),
        commentary="Corrected.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.return_sign_off(actor=world.group_coordinator, ret=ret)

    assert not Report.objects.exists()


def test_the_daily_job_drafts_once_the_deadline_has_passed(perf, world):
    deadline = deadline_for(body=world.group, period=perf.period)
    sign(perf.burglary, perf.period, "120", world)  # the other returns never came

    assert services.exception_reports_draft_due(today=deadline) == 0
    drafted = services.exception_reports_draft_due(today=deadline + timedelta(days=1))

    reports = Report.objects.filter(kind=ReportKind.EXCEPTION)
    assert drafted == reports.count() == 2  # the Safer Group, and the Other Group (OG01)
    safer = reports.get(body=world.group)
    assert [r["code"] for r in safer.facts["exceptions"]] == ["SC01"]
    assert "SC02" in {m["code"] for m in safer.facts["missing"]}
    assert services.exception_reports_draft_due(today=deadline + timedelta(days=2)) == 0


def test_the_daily_job_drafts_nothing_for_a_body_reporting_to_nobody(perf, world):
    from partnership.models import Body

    Body.objects.filter(pk=world.other.pk).update(parent=None)
    deadline = deadline_for(body=world.group, period=perf.period)
    services.exception_reports_draft_due(today=deadline + timedelta(days=1))

    assert list(Report.objects.values_list("body__name", flat=True)) == [world.group.name]


def test_a_build_holds_the_body_before_it_reads_the_figures(perf, world, monkeypatch):
    """Two builds of one body's report run one after the other, each reading the figures
    only once it holds the body: a slower build never stores older figures as the newest."""
    from performance.services.reports import exceptions

    order = []
    real_lock, real_facts = exceptions.lock_body, exceptions.exception_facts
    monkeypatch.setattr(
        exceptions, "lock_body", lambda body: (order.append("lock"), real_lock(body))[1]
    )
    monkeypatch.setattr(
        exceptions,
        "exception_facts",
        lambda **kw: (order.append("read"), real_facts(**kw))[1],
    )
    complete(perf, world)
    order.clear()
    services.exception_report_draft(body=world.group, period=perf.period)
    assert order[:2] == ["lock", "read"]
