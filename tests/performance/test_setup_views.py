"""The co-ordinators' set-up pages: outcomes and delivery plans (read by everyone), indicators,
a year's targets and a body's return deadlines (co-ordinators of the owning body only)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partnership.periods import Quarter
from performance import services
from performance.models import Indicator, Outcome, PlanAction, ReturnDeadline, Target
from performance.selectors import default_deadline, open_quarter
from tests.test_url_access import (
    PARTNERSHIP_COORDINATOR,
    PUBLIC,
    ROLES,
    _check,
    _client_for,
)

GROUP_COORDINATORS = {**PARTNERSHIP_COORDINATOR, "group_coordinator": 200}
# An unpublished indicator of the Safer Group: its members (the member, the chair) see it but
# may not change it; to everyone else it does not exist.
SAFER_UNPUBLISHED = {
    **GROUP_COORDINATORS,
    "outsider": 404,
    "other_member": 404,
}
# The Other Group's unpublished indicator: its lead (other_member) sees it; only the
# partnership's co-ordinator may change it.
OTHER_UNPUBLISHED = {
    **dict.fromkeys(ROLES, 404),
    "anonymous": "login",
    "other_member": 403,
    "coordinator": 200,
}

SETUP_URLS = {
    "performance:outcome_list",
    "performance:outcome_create",
    "performance:outcome",
    "performance:outcome_edit",
    "performance:plan_action_create",
    "performance:plan_action_edit",
    "performance:indicator_create",
    "performance:indicator_edit",
    "performance:targets_edit",
    "performance:deadlines",
}


def setup_urls(w, perf):
    p = w.partnership.slug
    outcome = {"partnership": p, "pk": perf.outcome.pk}
    year = perf.period.year

    def body(b):
        return {"partnership": p, "body": b.slug}

    def indicator(i, **more):
        return {"partnership": p, "pk": i.pk, **more}

    return [
        ("performance:outcome_list", {"partnership": p}, PUBLIC),
        ("performance:outcome", outcome, PUBLIC),
        ("performance:outcome_create", {"partnership": p}, GROUP_COORDINATORS),
        ("performance:outcome_edit", outcome, GROUP_COORDINATORS),
        ("performance:plan_action_create", outcome, GROUP_COORDINATORS),
        (
            "performance:plan_action_edit",
            {"partnership": p, "pk": perf.action.pk},
            GROUP_COORDINATORS,
        ),
        ("performance:indicator_create", {"partnership": p}, GROUP_COORDINATORS),
        ("performance:indicator_edit", indicator(perf.burglary), GROUP_COORDINATORS),
        ("performance:indicator_edit", indicator(perf.satisfaction), SAFER_UNPUBLISHED),
        ("performance:indicator_edit", indicator(perf.other), OTHER_UNPUBLISHED),
        ("performance:targets_edit", indicator(perf.burglary, year=year), GROUP_COORDINATORS),
        (
            "performance:targets_edit",
            indicator(perf.satisfaction, year=year),
            SAFER_UNPUBLISHED,
        ),
        ("performance:targets_edit", indicator(perf.other, year=year), OTHER_UNPUBLISHED),
        ("performance:deadlines", body(w.group), GROUP_COORDINATORS),
        ("performance:deadlines", body(w.subgroup), GROUP_COORDINATORS),
        ("performance:deadlines", body(w.board), PARTNERSHIP_COORDINATOR),
        ("performance:deadlines", body(w.other), PARTNERSHIP_COORDINATOR),
    ]


def test_the_matrix_covers_every_setup_url(world, perf):
    assert {name for name, _, _ in setup_urls(world, perf)} == SETUP_URLS


@pytest.mark.parametrize("role", ROLES)
def test_get_every_setup_url_as(role, client, world, perf):
    client = _client_for(client, world, role)
    for name, kwargs, expected in setup_urls(world, perf):
        url = reverse(name, kwargs=kwargs)
        _check(client.get(url), expected[role], url)


def test_an_unknown_outcome_action_indicator_or_body_is_not_found(client, world, perf):
    client.force_login(world.coordinator)
    p = world.partnership.slug
    for name, kwargs in [
        ("performance:outcome", {"partnership": p, "pk": 9999}),
        ("performance:outcome_edit", {"partnership": p, "pk": 9999}),
        ("performance:plan_action_edit", {"partnership": p, "pk": 9999}),
        ("performance:indicator_edit", {"partnership": p, "pk": 9999}),
        ("performance:targets_edit", {"partnership": p, "pk": perf.burglary.pk, "year": 1850}),
        ("performance:deadlines", {"partnership": p, "body": "nowhere"}),
        ("performance:outcome", {"partnership": "elsewhere", "pk": perf.outcome.pk}),
    ]:
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 404, name


# --- helpers -----------------------------------------------------------------------------------


def _url(world, name, **kwargs):
    return reverse(name, kwargs={"partnership": world.partnership.slug, **kwargs})


def _date(prefix: str, day) -> dict[str, str]:
    return {
        f"{prefix}_day": str(day.day),
        f"{prefix}_month": str(day.month),
        f"{prefix}_year": str(day.year),
    }


def _indicator_data(world, **overrides) -> dict[str, str]:
    data = {
        "code": "SC09",
        "title": "Repeat victims of domestic abuse",
        "definition": "Victims referred to MARAC more than once in 12 months.",
        "unit": "percentage",
        "polarity": "lower",
        "baseline_value": "28.5",
        "baseline_period": "2024/25",
        "data_source": "MARAC records",
        "body": str(world.group.pk),
        "outcome": "",
        "lead": str(world.member.pk),
        "frequency": "quarterly",
        "target_kind": "point",
        "decimal_places": "1",
        "tolerance_kind": "absolute",
        "tolerance": "2.5",
        "travel_margin": "0.5",
        "published": "on",
    }
    return {**data, **overrides}


# --- outcomes and delivery plans ---------------------------------------------------------------


def test_coordinator_adds_an_outcome(client, world, perf):
    client.force_login(world.group_coordinator)
    response = client.post(
        _url(world, "performance:outcome_create"),
        {
            "code": "SC2",
            "title": "Less anti-social behaviour",
            "kind": "agreed",
            "body": str(world.subgroup.pk),
            "description": "A Local Area Agreement outcome.",
        },
        follow=True,
    )
    outcome = Outcome.objects.get(code="SC2")
    assert outcome.body == world.subgroup
    assert outcome.history.get().history_user == world.group_coordinator
    assert response.redirect_chain[-1][0] == _url(world, "performance:outcome", pk=outcome.pk)
    assert "Outcome SC2 has been added." in response.content.decode()


def test_a_duplicate_outcome_code_is_refused_by_the_field_keeping_what_was_typed(
    client, world, perf
):
    client.force_login(world.group_coordinator)
    response = client.post(
        _url(world, "performance:outcome_create"),
        {"code": "sc1", "title": "A second try", "kind": "priority", "body": str(world.group.pk)},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert 'id="id_code-error"' in html
    assert "Another outcome already has the code sc1" in html
    assert 'value="A second try"' in html
    assert Outcome.objects.count() == 1


def test_an_outcome_cannot_be_given_to_a_body_the_coordinator_does_not_run(client, world, perf):
    client.force_login(world.group_coordinator)
    response = client.post(
        _url(world, "performance:outcome_edit", pk=perf.outcome.pk),
        {"code": "SC1", "title": "Moved", "kind": "priority", "body": str(world.other.pk)},
    )
    assert "Select a body you co-ordinate" in response.content.decode()
    perf.outcome.refresh_from_db()
    assert perf.outcome.body == world.group


def test_coordinator_adds_and_changes_an_action_of_the_delivery_plan(client, world, perf):
    client.force_login(world.group_coordinator)
    due = timezone.localdate() + timedelta(days=90)
    response = client.post(
        _url(world, "performance:plan_action_create", pk=perf.outcome.pk),
        {
            "title": "Target hardening for repeat victims",
            "organisation": str(world.charity.pk),
            "lead": str(perf.colleague.pk),
            "status": "on_track",
            **_date("due_on", due),
        },
    )
    outcome_url = _url(world, "performance:outcome", pk=perf.outcome.pk)
    assert response.status_code == 302
    assert response["Location"] == outcome_url + "#plan"
    action = PlanAction.objects.get(title="Target hardening for repeat victims")
    assert (action.organisation, action.lead, action.due_on) == (
        world.charity,
        perf.colleague,
        due,
    )
    response = client.post(
        _url(world, "performance:plan_action_edit", pk=action.pk),
        {
            "title": action.title,
            "organisation": str(world.charity.pk),
            "lead": str(perf.colleague.pk),
            "status": "complete",
            **_date("due_on", due),
        },
    )
    html = response.content.decode()
    assert "Enter the date the action was completed" in html
    assert 'id="id_completed_on-error"' in html


def test_an_action_lead_must_sit_on_one_of_the_partnerships_bodies(client, world, perf):
    client.force_login(world.coordinator)
    response = client.post(
        _url(world, "performance:plan_action_create", pk=perf.outcome.pk),
        {
            "title": "Something",
            "organisation": str(world.council.pk),
            "lead": str(world.outsider.pk),
            "status": "not_started",
            **_date("due_on", timezone.localdate()),
        },
    )
    assert "Select someone who sits on one of the partnership" in response.content.decode()
    assert PlanAction.objects.count() == 1


def test_the_outcome_shows_its_plan_with_overdue_actions_in_words(client, world, perf):
    services.plan_action_create(
        actor=None,
        outcome=perf.outcome,
        title="Late leaflet drop",
        organisation=world.business,
        lead=world.member,
        due_on=timezone.localdate() - timedelta(days=3),
        status="delayed",
    )
    html = client.get(_url(world, "performance:outcome", pk=perf.outcome.pk)).content.decode()
    assert "Late leaflet drop" in html
    assert "Testshire Business Forum" in html
    assert "Delayed</strong>" in html
    assert "Overdue</strong>" in html
    assert "1 overdue" in html


def test_the_public_sees_only_published_indicators_and_no_history(client, world, perf):
    html = client.get(_url(world, "performance:outcome", pk=perf.outcome.pk)).content.decode()
    assert "SC01: Reported burglaries" in html
    assert "SC02" not in html
    assert "Change history" not in html
    assert "Change the outcome" not in html
    client.force_login(world.group_coordinator)
    html = client.get(_url(world, "performance:outcome", pk=perf.outcome.pk)).content.decode()
    assert "SC02: Residents satisfied" in html
    assert "Change history" in html


def test_the_outcome_list_counts_indicators_the_viewer_may_see_and_actions_by_status(
    client, world, perf
):
    url = _url(world, "performance:outcome_list")
    html = client.get(url).content.decode()
    assert "SC1: People feel safer" in html
    assert "1 not started" in html
    assert "Add an outcome" not in html
    row = html.split("SC1: People feel safer")[1].split("</tr>")[0]
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">1</td>' in row
    client.force_login(world.group_coordinator)
    html = client.get(url).content.decode()
    assert "Add an outcome" in html
    row = html.split("SC1: People feel safer")[1].split("</tr>")[0]
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">3</td>' in row


def test_the_outcome_list_filters_by_owning_body(client, world, perf):
    services.outcome_create(
        actor=None,
        partnership=world.partnership,
        body=world.other,
        code="OG1",
        title="More volunteering",
        kind="priority",
    )
    url = _url(world, "performance:outcome_list")
    html = client.get(url, {"body": world.other.slug}).content.decode()
    assert "OG1: More volunteering" in html
    assert "SC1" not in html.split("<h1")[1]
    assert "OG1" in client.get(url).content.decode()


# --- indicators --------------------------------------------------------------------------------


def test_coordinator_adds_an_indicator(client, world, perf):
    client.force_login(world.group_coordinator)
    response = client.post(
        _url(world, "performance:indicator_create"),
        _indicator_data(world, outcome=str(perf.outcome.pk)),
    )
    indicator = Indicator.objects.get(code="SC09")
    assert response.status_code == 302
    assert response["Location"] == _url(world, "performance:indicator", pk=indicator.pk)
    assert indicator.baseline_value == Decimal("28.5")
    assert indicator.tolerance == Decimal("2.5")
    assert (indicator.outcome, indicator.lead, indicator.published) == (
        perf.outcome,
        world.member,
        True,
    )


def test_a_percentage_baseline_over_100_is_refused_by_the_field_keeping_what_was_typed(
    client, world, perf
):
    client.force_login(world.coordinator)
    response = client.post(
        _url(world, "performance:indicator_create"),
        _indicator_data(world, baseline_value="150", code="SC01"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert 'id="id_baseline_value-error"' in html
    assert "A percentage must be between 0 and 100" in html
    assert 'value="150"' in html
    assert 'value="Repeat victims of domestic abuse"' in html
    assert not Indicator.objects.filter(title="Repeat victims of domestic abuse").exists()


def test_a_duplicate_indicator_code_is_refused_by_the_field(client, world, perf):
    client.force_login(world.coordinator)
    response = client.post(
        _url(world, "performance:indicator_create"), _indicator_data(world, code="sc01")
    )
    html = response.content.decode()
    assert 'id="id_code-error"' in html
    assert "Another indicator already has the code sc01" in html


def test_group_coordinator_cannot_create_an_indicator_for_the_other_group(client, world, perf):
    client.force_login(world.group_coordinator)
    form_page = client.get(_url(world, "performance:indicator_create")).content.decode()
    assert f'<option value="{world.other.pk}">Other Group</option>' not in form_page
    assert f'<option value="{world.group.pk}">Safer Group</option>' in form_page
    response = client.post(
        _url(world, "performance:indicator_create"),
        _indicator_data(world, body=str(world.other.pk)),
    )
    html = response.content.decode()
    assert 'id="id_body-error"' in html
    assert "Select a body you co-ordinate" in html
    assert not Indicator.objects.filter(code="SC09").exists()


def test_editing_an_indicator_keeps_the_reason_and_says_ratings_stay(client, world, perf):
    client.force_login(world.group_coordinator)
    url = _url(world, "performance:indicator_edit", pk=perf.burglary.pk)
    form_page = client.get(url).content.decode()
    assert "Returns already submitted keep the RAG rating they were given" in form_page
    data = _indicator_data(
        world,
        code="SC01",
        title="Reported burglaries",
        unit="number",
        baseline_value="",
        decimal_places="0",
        tolerance_kind="percent",
        tolerance="15",
        outcome=str(perf.outcome.pk),
        reason="Agreed at the March meeting",
    )
    response = client.post(url, data)
    assert response.status_code == 302
    perf.burglary.refresh_from_db()
    assert perf.burglary.tolerance == Decimal(15)
    latest = perf.burglary.history.order_by("-history_date", "-pk").first()
    assert latest.history_change_reason == "Agreed at the March meeting"
    assert latest.history_user == world.group_coordinator


# --- targets -----------------------------------------------------------------------------------


def test_target_changes_land_in_history_and_are_shown(client, world, perf):
    client.force_login(world.group_coordinator)
    year = perf.period.year
    url = _url(world, "performance:targets_edit", pk=perf.burglary.pk, year=year)
    form_page = client.get(url).content.decode()
    assert 'value="100"' in form_page
    assert "point in time" in form_page
    assert "RAG ratings already given to submitted returns do not change" in form_page
    response = client.post(url, {"year": "90", "q1": "25", "q2": "", "q3": "", "q4": ""})
    assert response.status_code == 302
    targets = dict(
        Target.objects.filter(indicator=perf.burglary, year=year).values_list("quarter", "value")
    )
    assert targets == {0: Decimal(90), 1: Decimal(25)}
    assert Target.history.filter(indicator=perf.burglary, year=year, quarter=0).count() == 2
    html = client.get(url).content.decode()
    assert "Change history" in html
    assert "100 → 90" in html
    assert f"{perf.period.year_label} Q1" in html


def test_a_bad_target_is_refused_by_its_field_and_nothing_is_saved(client, world, perf):
    client.force_login(world.coordinator)
    url = _url(world, "performance:targets_edit", pk=perf.satisfaction.pk, year=perf.period.year)
    response = client.post(url, {"year": "85", "q1": "lots", "q2": "101", "q3": "", "q4": ""})
    html = response.content.decode()
    assert 'id="id_q1-error"' in html
    assert "Enter the value as a number" in html
    assert 'id="id_q2-error"' in html
    assert 'value="lots"' in html
    assert Target.objects.get(indicator=perf.satisfaction, year=perf.period.year).value == 80


def test_the_targets_page_says_when_targets_are_cumulative_and_links_other_years(
    client, world, perf
):
    perf.burglary.target_kind = "cumulative"
    perf.burglary.save()
    client.force_login(world.coordinator)
    year = perf.period.year
    html = client.get(
        _url(world, "performance:targets_edit", pk=perf.burglary.pk, year=year)
    ).content.decode()
    assert "<strong>cumulative</strong>" in html
    assert "the year to date" in html
    assert _url(world, "performance:targets_edit", pk=perf.burglary.pk, year=year + 1) in html
    assert _url(world, "performance:targets_edit", pk=perf.burglary.pk, year=year - 1) in html


# --- deadlines ---------------------------------------------------------------------------------


def _deadline_periods() -> list[Quarter]:
    """The quarters the page offers: the open one (last year's Q4 in April to June) and the
    seven after it."""
    first = open_quarter()
    return [first.minus(-n) for n in range(8)]


def _deadline_data(changes: dict[Quarter, object] | None = None) -> dict[str, str]:
    data = {}
    for period in _deadline_periods():
        day = (changes or {}).get(period, default_deadline(period))
        data |= _date(f"due_{period.year}_q{period.number}", day)
    return data


def test_coordinator_sets_a_deadline_and_defaults_stay_defaults(client, world, perf):
    client.force_login(world.group_coordinator)
    q2 = _deadline_periods()[1]
    url = _url(world, "performance:deadlines", body=world.group.slug)
    form_page = client.get(url).content.decode()
    assert f'value="{default_deadline(q2).day}"' in form_page
    # The open quarter, whose returns are being collected now, is the first offered.
    first = open_quarter()
    assert f'id="id_due_{first.year}_q{first.number}_day"' in form_page
    response = client.post(url, _deadline_data({q2: q2.ends_on + timedelta(days=10)}))
    assert response.status_code == 302
    assert list(ReturnDeadline.objects.values_list("year", "quarter", "due_on")) == [
        (q2.year, q2.number, q2.ends_on + timedelta(days=10))
    ]
    html = client.get(url).content.decode()
    assert "Return deadlines for Safer Group have been saved." in html
    assert f"{q2.label}</strong>: Created" in html


def test_a_deadline_before_the_quarter_ends_is_refused_by_its_field_and_nothing_saved(
    client, world, perf
):
    client.force_login(world.coordinator)
    periods = _deadline_periods()
    q1, q3 = periods[0], periods[2]
    url = _url(world, "performance:deadlines", body=world.group.slug)
    response = client.post(
        url,
        _deadline_data({q1: q1.ends_on + timedelta(days=5), q3: q3.ends_on - timedelta(days=1)}),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert f'id="id_due_{q3.year}_q{q3.number}-error"' in html
    assert f"The deadline must be after the quarter ends on {q3.ends_on:%-d %B %Y}" in html
    assert f'value="{(q3.ends_on - timedelta(days=1)).day}"' in html
    assert not ReturnDeadline.objects.exists()


# --- query counts ------------------------------------------------------------------------------


def _grow_outcomes(world, perf, start: int, stop: int) -> None:
    for i in range(start, stop):
        body = world.group if i % 2 else world.other
        outcome = services.outcome_create(
            actor=None,
            partnership=world.partnership,
            body=body,
            code=f"X{i}",
            title=f"Outcome {i}",
            kind="priority",
        )
        services.plan_action_create(
            actor=None,
            outcome=outcome,
            title=f"Action {i}",
            organisation=world.council,
            lead=world.member,
            due_on=timezone.localdate() - timedelta(days=i % 3),
            status="at_risk",
        )
        services.indicator_create(
            actor=None,
            partnership=world.partnership,
            body=body,
            outcome=outcome,
            code=f"XI{i}",
            title=f"Indicator {i}",
            unit="number",
            polarity="higher",
            lead=world.member,
            published=bool(i % 2),
        )


def _grow_plan(world, perf, start: int, stop: int) -> None:
    for i in range(start, stop):
        services.plan_action_create(
            actor=None,
            outcome=perf.outcome,
            title=f"Action {i}",
            organisation=world.charity,
            lead=world.member if i % 2 else perf.colleague,
            due_on=timezone.localdate() + timedelta(days=i - 3),
            status="on_track",
        )
        services.indicator_create(
            actor=None,
            partnership=world.partnership,
            body=world.group,
            outcome=perf.outcome,
            code=f"SCX{i}",
            title=f"Indicator {i}",
            unit="number",
            polarity="higher",
            lead=world.other_member if i % 2 else world.member,
            published=bool(i % 3),
        )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["anonymous", "member", "group_coordinator"])
def test_outcome_list_uses_the_same_queries_for_5_and_40_outcomes(
    role, client, world, perf, django_assert_num_queries
):
    client = _client_for(client, world, role)
    url = _url(world, "performance:outcome_list")
    _grow_outcomes(world, perf, 0, 5)
    few = _queries(client, url)
    _grow_outcomes(world, perf, 5, 40)
    with django_assert_num_queries(few):
        client.get(url)


@pytest.mark.parametrize("role", ["anonymous", "member", "group_coordinator"])
def test_outcome_page_uses_the_same_queries_for_5_and_40_actions_and_indicators(
    role, client, world, perf, django_assert_num_queries
):
    client = _client_for(client, world, role)
    url = _url(world, "performance:outcome", pk=perf.outcome.pk)
    _grow_plan(world, perf, 0, 5)
    few = _queries(client, url)
    _grow_plan(world, perf, 5, 40)
    with django_assert_num_queries(few):
        client.get(url)
