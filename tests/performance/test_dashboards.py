"""The dashboards, an indicator's page, the charts and the open data: who sees which figures,
the summary, filters and paging, stored ratings, and the queries they take."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from partnership.periods import Quarter, quarters_ending
from performance import charts, services
from performance.models import Indicator, Return, ReturnStatus, Target
from tests.performance.conftest import signed_off
from tests.test_url_access import ROLES, _check, _client_for, drain

DASHBOARD_URLS = {
    "performance:dashboard",
    "performance:body_dashboard",
    "performance:indicator",
    "performance:open_data_csv",
}

PUBLIC_ROLES = ["anonymous", "outsider", "other_member"]  # outsiders to the Safer Group
SAFER_INSIDERS = ["member", "chair", "group_coordinator", "coordinator"]


def url(name, perf_world, **kwargs):
    return reverse(name, kwargs={"partnership": perf_world.partnership.slug, **kwargs})


def codes(response) -> list[str]:
    return [line.row.indicator.code for line in response.context["lines"]]


def _row(response, code):
    return next(line.row for line in response.context["lines"] if line.row.indicator.code == code)


def submit(perf, world, value, *, commentary="Figures checked."):
    """The open quarter's burglary return, submitted by its lead and not yet signed off."""
    return services.return_submit(
        actor=world.member,
        indicator=perf.burglary,
        period=perf.period,
        version=0,
        value=Decimal(value),
        commentary=commentary,
        remedial_action="More patrols",
        remedial_by=perf.period.ends_on + timedelta(days=90),
    )


# --- the summary, filters and paging ---------------------------------------------------------


def test_the_summary_counts_each_rating_by_outcome(client, world, perf):
    client.force_login(world.coordinator)
    response = client.get(url("performance:dashboard", world))
    assert response.status_code == 200
    overview = response.context["overview"]
    summary, total = overview.summary, overview.total
    # SC01 90 against 100 (lower is better) and SC02 82 against 80 are green; SC03 and OG01
    # have no returns; OG01 has no outcome.
    assert [(row.outcome.label if row.outcome else None, row.cells()) for row in summary] == [
        ("SC1: People feel safer in their neighbourhoods", [2, 0, 0, 1, 0]),
        (None, [0, 0, 0, 1, 0]),
    ]
    assert total.cells() == [2, 0, 0, 2, 0]
    assert total.total == 4
    html = response.content.decode()
    assert "Summary: indicators by outcome and latest RAG rating</caption>" in html
    assert "All outcomes" in html


def test_filters_by_outcome_body_rag_and_lead(client, world, perf):
    client.force_login(world.coordinator)
    base = url("performance:dashboard", world)
    everything = ["OG01", "SC01", "SC02", "SC03"]
    assert codes(client.get(base)) == everything
    assert codes(client.get(base, {"outcome": perf.outcome.pk})) == ["SC01", "SC02", "SC03"]
    assert codes(client.get(base, {"body": world.other.pk})) == ["OG01"]
    assert codes(client.get(base, {"rag": "green"})) == ["SC01", "SC02"]
    assert codes(client.get(base, {"rag": "no_data"})) == ["OG01", "SC03"]
    assert codes(client.get(base, {"lead": world.other_member.pk})) == ["OG01"]
    assert codes(client.get(base, {"lead": world.member.pk, "rag": "no_data"})) == ["SC03"]
    # A choice that was never offered is no filter at all, not an error.
    assert codes(client.get(base, {"outcome": "nonsense", "lead": 999999})) == everything


def test_the_rag_filter_uses_the_latest_reported_figure(client, world, perf):
    submit(perf, world, 777)  # red, awaiting sign-off
    client.force_login(world.coordinator)
    base = url("performance:dashboard", world)
    assert codes(client.get(base, {"rag": "red"})) == ["SC01"]
    # The public still sees the signed-off green figure.
    client.logout()
    assert codes(client.get(base, {"rag": "red"})) == []
    assert codes(client.get(base, {"rag": "green"})) == ["SC01"]


def test_sorting_by_rag_puts_the_worst_first(client, world, perf):
    submit(perf, world, 777)
    client.force_login(world.coordinator)
    listed = codes(client.get(url("performance:dashboard", world), {"sort": "rag"}))
    assert listed == ["SC01", "SC02", "OG01", "SC03"]


def test_a_body_dashboard_shows_only_its_own_indicators(client, world, perf):
    client.force_login(world.coordinator)
    response = client.get(url("performance:body_dashboard", world, body=world.group.slug))
    assert codes(response) == ["SC01", "SC02", "SC03"]
    assert "Safer Group: performance</h1>" in response.content.decode()


def test_the_dashboard_pages_50_indicators_at_a_time_and_keeps_the_filters(client, world, perf):
    bulk_indicators(world, perf, 0, 120, quarters=0)
    client.force_login(world.coordinator)
    base = url("performance:dashboard", world)
    first = client.get(base, {"rag": "no_data"})
    assert len(first.context["lines"]) == 50
    html = first.content.decode()
    assert 'class="govuk-pagination"' in html
    assert "Indicators 1 to 50 of 122 matching the filters" in html  # + SC03 and OG01
    assert 'href="?rag=no_data&amp;page=2#indicators" rel="next"' in html
    last = client.get(base, {"rag": "no_data", "page": 3})
    assert len(last.context["lines"]) == 22
    assert 'aria-current="page">3</a>' in last.content.decode()
    # A page past the end shows the last page rather than failing.
    assert client.get(base, {"rag": "no_data", "page": 99}).context["page"].number == 3


def test_coordinators_get_the_setup_links_and_everyone_the_open_data(client, world, perf):
    p = world.partnership.slug
    setup = [
        reverse(name, kwargs={"partnership": p})
        for name in (
            "performance:indicator_create",
            "performance:indicator_import",
            "performance:indicator_export",
        )
    ]
    # Outcomes and delivery plans are the published Community Strategy: linked for everyone.
    everyone = [url("performance:open_data_csv", world), url("performance:outcome_list", world)]
    for role, sees_setup in [("coordinator", True), ("group_coordinator", True), ("member", False)]:
        client.force_login(getattr(world, role))
        html = client.get(url("performance:dashboard", world)).content.decode()
        assert all((link in html) == sees_setup for link in setup), role
        assert all(link in html for link in everyone), role
    client.logout()
    html = client.get(url("performance:dashboard", world)).content.decode()
    assert all(link in html for link in everyone)


def test_a_body_dashboard_links_returns_and_deadlines_for_those_who_run_them(client, world, perf):
    group = {"body": world.group.slug}
    returns = url("performance:body_returns", world, **group)
    deadlines = url("performance:deadlines", world, **group)
    for role, sees_returns, sees_deadlines in [
        ("group_coordinator", True, True),
        ("chair", True, False),  # chairs the Safer Group: signs off, does not set deadlines
        ("member", False, False),
    ]:
        client.force_login(getattr(world, role))
        html = client.get(url("performance:body_dashboard", world, **group)).content.decode()
        assert (returns in html, deadlines in html) == (sees_returns, sees_deadlines), role


# --- who sees which figures -------------------------------------------------------------------


@pytest.mark.parametrize("role", PUBLIC_ROLES)
def test_the_public_sees_only_published_indicators_and_signed_off_figures(
    role, client, world, perf
):
    submit(perf, world, 777, commentary="UNSIGNED-COMMENTARY")
    client = _client_for(client, world, role)
    response = client.get(url("performance:dashboard", world))
    expected = ["OG01", "SC01"] if role == "other_member" else ["SC01"]
    assert codes(response) == expected
    row = _row(response, "SC01")
    assert row.latest.value == 90 and row.latest.status == ReturnStatus.SIGNED_OFF
    html = response.content.decode()
    assert "777" not in html and "awaiting sign-off" not in html
    assert "Residents satisfied" not in html  # SC02 is members only

    page = client.get(url("performance:indicator", world, pk=perf.burglary.pk)).content.decode()
    assert "777" not in page and "UNSIGNED-COMMENTARY" not in page
    assert "Awaiting sign-off" not in page
    # The chart's own text says the same as its table: signed-off figures only.
    assert "from 120 to 90" in page and "latest green" in page
    assert (
        client.get(url("performance:indicator", world, pk=perf.satisfaction.pk)).status_code == 404
    )

    body = drain(client.get(url("performance:open_data_csv", world))).decode()
    assert "777" not in body and "SC02" not in body and "SC03" not in body


@pytest.mark.parametrize("role", SAFER_INSIDERS)
def test_insiders_see_a_submitted_figure_marked_awaiting_sign_off(role, client, world, perf):
    submit(perf, world, 777, commentary="UNSIGNED-COMMENTARY")
    client.force_login(getattr(world, role))
    response = client.get(url("performance:dashboard", world))
    assert "SC02" in codes(response)
    row = _row(response, "SC01")
    assert row.latest.value == 777 and row.awaiting_sign_off
    html = response.content.decode()
    assert "awaiting sign-off" in html

    page = client.get(url("performance:indicator", world, pk=perf.burglary.pk)).content.decode()
    assert "777" in page and "Awaiting sign-off" in page and "UNSIGNED-COMMENTARY" in page
    assert "latest red" in page
    ret_url = url("performance:return", world, pk=perf.burglary.pk, period=perf.period.slug)
    assert ret_url in page
    # The open data never has it, whoever asks.
    body = drain(client.get(url("performance:open_data_csv", world))).decode()
    assert "777" not in body


def test_a_draft_is_not_shown_even_to_insiders(client, world, perf):
    services.return_save(
        actor=world.member,
        indicator=perf.burglary,
        period=perf.period,
        version=0,
        value=Decimal(777),
        commentary="DRAFT-COMMENTARY",
    )
    client.force_login(world.chair)
    page = client.get(url("performance:indicator", world, pk=perf.burglary.pk)).content.decode()
    assert "777" not in page and "DRAFT-COMMENTARY" not in page
    dashboard = client.get(url("performance:dashboard", world))
    row = _row(dashboard, "SC01")
    assert row.latest.value == 90


def test_a_stored_rating_stands_after_the_target_changes(client, world, perf):
    latest = perf.history[-1]
    for year in {p.year for p in perf.history}:
        services.target_set(actor=None, indicator=perf.burglary, year=year, value=Decimal(50))
    client.force_login(world.coordinator)
    response = client.get(url("performance:dashboard", world), {"rag": "green"})
    assert "SC01" in codes(response)
    row = _row(response, "SC01")
    assert row.latest_target == 100
    page = client.get(url("performance:indicator", world, pk=perf.burglary.pk))
    period_row = next(r for r in page.context["periods"] if r.period == latest)
    assert (period_row.value, period_row.target, period_row.rag) == (90, 100, "green")
    # The open quarter, not yet reported, is measured against today's target.
    assert page.context["periods"][-1].target == 50
    html = page.content.decode()
    assert "Changes to the targets, newest first" in html  # the old value is in the history


def test_the_indicator_page_has_the_chart_with_its_text_and_the_numbers_in_a_table(
    client, world, perf
):
    client.logout()
    html = client.get(url("performance:indicator", world, pk=perf.burglary.pk)).content.decode()
    svg = re.search(r"<svg[^>]*class=\"app-chart\".*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and 'aria-labelledby="trend-title trend-desc"' in svg
    assert '<title id="trend-title">Reported burglaries</title>' in svg
    first, last = quarters_ending(perf.period, 8)[0], perf.period
    assert (
        f'<desc id="trend-desc">Reported burglaries, {first.label} to {last.label}: from 120 to 90'
    ) in svg
    assert "<script" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    table = html.split('class="govuk-table app-trend-table"', 1)[1].split("</table>", 1)[0]
    for period, value in zip(perf.history, ("120", "105", "98", "90"), strict=True):
        row = table.split(f">{period.label}</th>", 1)[1].split("</tr>", 1)[0]
        assert f">{value}</td>" in row
        assert ">100</td>" in row  # the target beside it
    # Every attribute of the indicator is on its page.
    for text in (
        "Number",
        "Lower is better",
        "Police recorded crime",
        "Quarterly",
        "Point in time",
        "10% of the target",
        "Published to the public",
    ):
        assert text in html, text


def test_history_is_shown_to_insiders_only(client, world, perf):
    client.force_login(world.member)
    html = client.get(url("performance:indicator", world, pk=perf.burglary.pk)).content.decode()
    assert "Change history" in html and "Changes to the targets" in html
    client.force_login(world.outsider)
    html = client.get(url("performance:indicator", world, pk=perf.burglary.pk)).content.decode()
    assert "Change history" not in html and "Changes to the targets" not in html


def test_the_indicator_page_links_editing_for_those_who_manage_its_body(client, world, perf):
    edit = url("performance:indicator_edit", world, pk=perf.burglary.pk)
    targets = url("performance:targets_edit", world, pk=perf.burglary.pk, year=perf.period.year)
    for role, manages in [("group_coordinator", True), ("coordinator", True), ("member", False)]:
        client.force_login(getattr(world, role))
        html = client.get(url("performance:indicator", world, pk=perf.burglary.pk)).content.decode()
        assert (edit in html, targets in html) == (manages, manages), role


# --- the charts ---------------------------------------------------------------------------------


FIRST = Quarter(2024, 2)


def _points(values, target=Decimal(100)):
    periods = quarters_ending(FIRST.minus(-(len(values) - 1)), len(values))
    return [
        charts.Point(p, None if v is None else Decimal(v), target)
        for p, v in zip(periods, values, strict=True)
    ]


def test_the_description_says_the_trend_in_words():
    points = _points([120, 105, 98, 90])
    text = charts.describe("Reported burglaries", points, str, "Green")
    assert (
        text
        == "Reported burglaries, 2024/25 Q2 to 2025/26 Q1: from 120 to 90; target 100; latest green"
    )
    assert charts.describe("X", _points([None, None]), str) == (
        "X, 2024/25 Q2 to 2024/25 Q3: no figures reported; target 100"
    )
    assert "(1 quarter with no figure)" in charts.describe("X", _points([1, None, 3]), str)


def test_a_missing_quarter_is_a_gap_in_the_line():
    svg = str(charts.trend_chart(id_prefix="t", title="T", points=_points([10, None, 30]), fmt=str))
    value_path = re.search(r'<path d="([^"]+)" fill="none" stroke="#1d70b8"', svg).group(1)
    assert value_path.count("M") == 2 and "L" not in value_path
    target_path = re.search(r'<path d="([^"]+)" fill="none" stroke="#0b0c0c"', svg).group(1)
    assert target_path.count("M") == 1
    assert 'stroke-dasharray="6 4"' in svg  # the target is dashed, not just another colour


def test_a_quarter_that_takes_no_return_is_not_a_gap():
    periods = quarters_ending(Quarter(2025, 4), 8)
    points = [
        charts.Point(p, Decimal(5) if p.number == 4 else None, None, due=p.number == 4)
        for p in periods
    ]
    svg = str(charts.trend_chart(id_prefix="a", title="Annual", points=points, fmt=str))
    value_path = re.search(r'<path d="([^"]+)" fill="none" stroke="#1d70b8"', svg).group(1)
    assert value_path.count("M") == 1 and value_path.count("L") == 1


def test_the_axis_includes_zero_and_the_targets_where_sensible():
    low, high, ticks = charts.y_range([40.0, 90.0, 100.0])
    assert low == 0 and high >= 100 and ticks[0] == 0
    low, high, _ = charts.y_range([70.0, 82.0, 80.0])  # far from 0: zoom in
    assert 60 <= low <= 70 and high >= 82
    low, high, _ = charts.y_range([-5.0, 10.0])
    assert low <= -5 and high >= 10
    assert charts.y_range([], yes_no=True)[:2] == (0.0, 1.0)
    assert charts.y_range([3.0, 3.0])[1] > 3.0  # a flat line still has a range


def test_chart_text_is_escaped_and_there_is_no_script():
    svg = str(
        charts.sparkline(id_prefix="s", title="<b>A & B</b>", points=_points([1, 2]), fmt=str)
    )
    assert "<b>" not in svg and "&lt;b&gt;A &amp; B&lt;/b&gt;" in svg
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg and "<script" not in svg


# --- open data ------------------------------------------------------------------------------


def test_open_data_is_every_published_signed_off_figure(client, world, perf):
    submit(perf, world, 777)
    response = client.get(url("performance:open_data_csv", world))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate()
    assert (
        f'filename="testshire-performance-{today:%Y-%m-%d}.csv"' in response["Content-Disposition"]
    )
    rows = list(csv.DictReader(io.StringIO(drain(response).decode("utf-8"))))
    assert [r["period"] for r in rows] == [p.label for p in perf.history]
    assert {r["code"] for r in rows} == {"SC01"}
    first = rows[0]
    assert first == {
        "code": "SC01",
        "title": "Reported burglaries",
        "unit": "Number",
        "polarity": "Lower is better",
        "period": perf.history[0].label,
        "period_start": perf.history[0].starts_on.isoformat(),
        "period_end": perf.history[0].ends_on.isoformat(),
        "value": "120",
        "target": "100",
        "rag": "Red",
        "direction": "Not comparable",
        "owning_body": "Safer Group",
        "outcome": "SC1: People feel safer in their neighbourhoods",
    }


def test_open_data_never_starts_a_cell_with_a_formula(client, world, perf):
    services.indicator_update(actor=None, indicator=perf.burglary, title="=HYPERLINK(1)")
    body = drain(client.get(url("performance:open_data_csv", world))).decode()
    assert ",'=HYPERLINK(1)," in body


# --- the URL matrix and the confidential sweep ------------------------------------------------

PUBLIC = dict.fromkeys(ROLES, 200)
NOT_FOUND = dict.fromkeys(ROLES, 404)
SAFER_ONLY = {**NOT_FOUND, **dict.fromkeys(SAFER_INSIDERS, 200)}
OTHER_ONLY = {**NOT_FOUND, "other_member": 200, "coordinator": 200}


def dashboard_urls(w, perf):
    p = w.partnership.slug
    return [
        ("performance:dashboard", {"partnership": p}, PUBLIC),
        ("performance:body_dashboard", {"partnership": p, "body": w.group.slug}, PUBLIC),
        ("performance:body_dashboard", {"partnership": p, "body": w.other.slug}, PUBLIC),
        ("performance:body_dashboard", {"partnership": p, "body": "nope"}, NOT_FOUND),
        ("performance:indicator", {"partnership": p, "pk": perf.burglary.pk}, PUBLIC),
        ("performance:indicator", {"partnership": p, "pk": perf.satisfaction.pk}, SAFER_ONLY),
        ("performance:indicator", {"partnership": p, "pk": perf.other.pk}, OTHER_ONLY),
        ("performance:indicator", {"partnership": "nope", "pk": perf.burglary.pk}, NOT_FOUND),
        ("performance:open_data_csv", {"partnership": p}, PUBLIC),
    ]


def test_every_dashboard_url_is_in_the_matrix(world, perf):
    assert {name for name, _, _ in dashboard_urls(world, perf)} == DASHBOARD_URLS


@pytest.mark.parametrize("role", ROLES)
def test_get_every_dashboard_url_as(role, client, world, perf):
    client = _client_for(client, world, role)
    for name, kwargs, expected in dashboard_urls(world, perf):
        target = reverse(name, kwargs=kwargs)
        _check(client.get(target), expected[role], target)


MARKER = "CONFIDENTIAL-MARKER-7Q"


@pytest.mark.parametrize("role", ["anonymous", "outsider", "other_member"])
def test_an_unpublished_indicator_never_reaches_anyone_outside(role, client, world, perf):
    """Its title, its outcome's title and its figures are on no page for a non-insider."""
    outcome = services.outcome_create(
        actor=None,
        partnership=world.partnership,
        body=world.group,
        code="SC9",
        title=f"{MARKER} outcome",
        kind="priority",
    )
    secret = services.indicator_create(
        actor=None,
        partnership=world.partnership,
        body=world.group,
        outcome=outcome,
        code="SC99",
        title=f"{MARKER} indicator",
        unit="number",
        polarity="lower",
        lead=world.member,
    )
    for year in {p.year for p in perf.history}:
        services.target_set(actor=None, indicator=secret, year=year, value=Decimal(10))
    for period in perf.history:
        signed_off(secret, period, 9, by=world.member, signer=world.group_coordinator)
    client = _client_for(client, world, role)
    for target in _owned_pages(world, perf, secret):
        response = client.get(target)
        assert MARKER not in drain(response).decode(), target
    # Its insiders do see it.
    client.force_login(world.chair)
    assert MARKER in client.get(url("performance:dashboard", world)).content.decode()


def _owned_pages(w, perf, secret):
    p = w.partnership.slug
    for body in (w.board, w.group, w.subgroup, w.other):
        yield reverse("performance:body_dashboard", kwargs={"partnership": p, "body": body.slug})
    yield reverse("performance:dashboard", kwargs={"partnership": p})
    for params in ("?rag=green", f"?outcome={secret.outcome_id}", f"?lead={w.member.pk}"):
        yield reverse("performance:dashboard", kwargs={"partnership": p}) + params
    for indicator in (perf.burglary, perf.satisfaction, perf.strategy, perf.other, secret):
        yield reverse("performance:indicator", kwargs={"partnership": p, "pk": indicator.pk})
    yield reverse("performance:open_data_csv", kwargs={"partnership": p})


# --- queries at two sizes -----------------------------------------------------------------------


def bulk_indicators(world, perf, start, stop, *, quarters=8):
    """Indicators ``start`` to ``stop`` of the Safer Group, with targets and ``quarters``
    quarters of signed-off returns up to the open one, built in bulk for speed."""
    now = timezone.now()
    made = Indicator.objects.bulk_create(
        Indicator(
            partnership=world.partnership,
            body=world.group,
            outcome=perf.outcome,
            code=f"B{i:04d}",
            title=f"Bulk indicator {i}",
            unit="number",
            polarity="higher",
            lead=world.member if i % 2 else world.other_member,
            published=i % 3 == 0,
        )
        for i in range(start, stop)
    )
    periods = quarters_ending(perf.period, quarters) if quarters else []
    years = {p.year for p in periods} or {perf.period.year}
    Target.objects.bulk_create(
        Target(indicator=i, year=y, value=Decimal(50)) for i in made for y in years
    )
    rags = ["green", "amber", "red", "no_target"]
    Return.objects.bulk_create(
        Return(
            indicator=i,
            year=p.year,
            quarter=p.number,
            status=ReturnStatus.SIGNED_OFF if n < quarters - 1 else ReturnStatus.SUBMITTED,
            value=Decimal(40 + n),
            target_value=Decimal(50),
            rag=rags[(i.pk + n) % 4],
            direction="improving",
            direction_year="not_comparable",
            submitted_by=world.member,
            submitted_at=now,
            signed_off_by=world.chair if n < quarters - 1 else None,
            signed_off_at=now if n < quarters - 1 else None,
        )
        for i in made
        for n, p in enumerate(periods)
    )
    return made


QUERY_PAGES = [
    ("coordinator", "performance:dashboard", {}),
    ("anonymous", "performance:dashboard", {}),
    ("group_coordinator", "performance:body_dashboard", {"body": "safer-group"}),
    ("member", "performance:dashboard", {"rag": "red"}),
]


def _queries(client, world, role, name, kwargs, django_assert_num_queries, expected):
    params = {k: v for k, v in kwargs.items() if k == "rag"}
    path_kwargs = {k: v for k, v in kwargs.items() if k != "rag"}
    client.logout()
    client = _client_for(client, world, role)
    target = url(name, world, **path_kwargs)
    with django_assert_num_queries(expected):
        assert client.get(target, params).status_code == 200


# What each page takes, whatever the number of indicators. Anonymous: the partnership, the
# overview (summary, filter choices and the count, in one grouped query), the page, its
# figures and its targets (5). Signed in, also: the session, the user, their rights and the
# partnership's bodies (which they are insiders of); then, for those who are not the
# partnership's co-ordinator, the body tree, and for a body's co-ordinator which bodies they
# co-ordinate (the setup links). A body's dashboard reads the body, not the partnership.
EXPECTED_QUERIES = {
    ("coordinator", "performance:dashboard"): 9,
    ("anonymous", "performance:dashboard"): 5,
    ("group_coordinator", "performance:body_dashboard"): 11,
    ("member", "performance:dashboard"): 10,
}
# The indicator, its figures and targets for the chart, its targets by year; for an insider,
# also its history and its targets' history.
INDICATOR_QUERIES = {"member": 10, "outsider": 7, "anonymous": 4}


def _check_sizes(client, world, perf, django_assert_num_queries):
    for role, name, kwargs in QUERY_PAGES:
        expected = EXPECTED_QUERIES[(role, name)]
        _queries(client, world, role, name, kwargs, django_assert_num_queries, expected)
    for role, expected in INDICATOR_QUERIES.items():
        client.logout()
        c = _client_for(client, world, role)
        with django_assert_num_queries(expected):
            assert (
                c.get(url("performance:indicator", world, pk=perf.burglary.pk)).status_code == 200
            )


def test_the_pages_take_the_same_queries_for_10_and_200_indicators(
    client, world, perf, django_assert_num_queries
):
    bulk_indicators(world, perf, 0, 10)
    _check_sizes(client, world, perf, django_assert_num_queries)
    bulk_indicators(world, perf, 10, 200)
    _check_sizes(client, world, perf, django_assert_num_queries)


def test_each_dashboard_chart_links_to_its_numbers_in_a_table(client, world, perf):
    """A row's small chart has its text alternative; its quarter-by-quarter numbers are in
    the table on the indicator's page, one link away."""
    url = reverse("performance:dashboard", kwargs={"partnership": world.partnership.slug})
    html = client.get(url).content.decode()
    page = reverse(
        "performance:indicator",
        kwargs={"partnership": world.partnership.slug, "pk": perf.burglary.pk},
    )
    assert f'href="{page}#trend"' in html
    indicator = client.get(page).content.decode()
    assert 'id="trend"' in indicator and "<table" in indicator.split('id="trend"')[1]
