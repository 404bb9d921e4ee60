""" "Your tasks" for performance, in the ``perf`` world: returns to submit, returns to sign
off, exception reports to approve and risks to review, each with a link straight to it, and a
fixed number of queries however many there are."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from performance import services
from performance.models import Risk
from performance.selectors import open_quarter
from performance.views.return_lists import return_url
from tests.performance.test_reports_exceptions import complete
from tests.performance.test_risk_steps import escalated, make_risk

TASKS = reverse("account:tasks")


def page(client, user) -> str:
    client.force_login(user)
    response = client.get(TASKS)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture(autouse=True)
def renders(monkeypatch):
    """Exception reports ask for a render; the render itself is tested elsewhere."""
    monkeypatch.setattr(
        "performance.services.reports.rendering.report_render_later",
        lambda report, *, requested_by=None: None,
        raising=False,
    )


def submit(perf, world, indicator, value="90"):
    return services.return_submit(
        actor=world.member,
        indicator=indicator,
        period=perf.period,
        version=0,
        value=Decimal(value),
        commentary="On track.",
    )


def test_the_lead_sees_the_returns_they_owe_with_links(client, world, perf):
    html = page(client, world.member)
    assert "Performance returns to submit" in html
    assert f"SC01: {perf.burglary.title}, {perf.period.label}" in html
    assert f'href="{return_url(perf.burglary, perf.period)}"' in html
    assert "OG01" not in html


def test_another_lead_sees_only_their_own(client, world, perf):
    html = page(client, world.other_member)
    assert "OG01" in html and "SC01" not in html


def test_a_submitted_return_leaves_the_leads_list_and_awaits_sign_off(client, world, perf):
    submit(perf, world, perf.burglary)
    assert f"SC01: {perf.burglary.title}, {perf.period.label}" not in page(client, world.member)
    for signer in (world.group_coordinator, world.chair):
        html = page(client, signer)
        assert "Returns to sign off" in html
        assert f"SC01: {perf.burglary.title}, {perf.period.label}" in html
    assert "Returns to sign off" not in page(client, world.other_member)


def test_the_chair_is_asked_to_approve_a_submitted_exception_report(client, world, perf):
    complete(perf, world, burglaries="120")
    report = services.exception_report_draft(body=world.group, period=perf.period)
    assert "Reports to approve" not in page(client, world.chair)
    services.report_submit(actor=world.group_coordinator, report=report)
    html = page(client, world.chair)
    assert "Reports to approve" in html
    url = reverse(
        "performance:report_review",
        kwargs={"partnership": world.partnership.slug, "pk": report.pk},
    )
    assert f'href="{url}"' in html
    assert "Reports to approve" not in page(client, world.member)


def test_a_risk_owner_is_asked_to_review_their_risk(client, world, perf):
    risk = risk_due(world)
    html = page(client, world.member)
    assert "Risks to review" in html and "Review SG-R1" in html
    url = reverse(
        "performance:risk_review", kwargs={"partnership": world.partnership.slug, "pk": risk.pk}
    )
    assert f'href="{url}"' in html
    assert "Risks to review" not in page(client, world.chair)


def test_the_chair_is_asked_to_decide_on_a_risk_escalated_to_their_board(client, world, perf):
    categories = {c.name: c for c in services.risk_categories(world.partnership)}
    risk = make_risk(world, categories)
    assert "Escalated risks to decide" not in page(client, world.chair)
    escalated(world, risk)
    html = page(client, world.chair)
    assert "Escalated risks to decide" in html and "Decide on SG-R1" in html
    assert "From the Safer Group to the Board, residual score 9" in html
    url = reverse("performance:risk", kwargs={"partnership": world.partnership.slug, "pk": risk.pk})
    assert f'href="{url}"' in html
    # Neither the group's people nor the board's members decide it.
    assert "Escalated risks to decide" not in page(client, world.group_coordinator)
    assert "Escalated risks to decide" not in page(client, world.member)
    # Accepted above appetite, it is decided: off the list.
    services.risk_accept(
        actor=world.chair,
        risk=risk,
        reason="Funding is agreed in principle",
        expires_on=timezone.localdate() + timedelta(days=90),
    )
    assert "Escalated risks to decide" not in page(client, world.chair)


def risk_due(world, **fields):
    """A risk created before the quarter being collected ended: it owes its review."""
    categories = {c.name: c for c in services.risk_categories(world.partnership)}
    risk = make_risk(world, categories, **fields)
    period = open_quarter()
    Risk.objects.filter(pk=risk.pk).update(
        created_at=timezone.make_aware(datetime.combine(period.starts_on, time(9)))
    )
    return risk


def _more_indicators(world, perf, n: int, start: int) -> None:
    for i in range(start, start + n):
        indicator = services.indicator_create(
            actor=None,
            partnership=world.partnership,
            body=world.group,
            outcome=perf.outcome,
            code=f"SC{i:02d}",
            title=f"Indicator {i}",
            unit="number",
            polarity="higher",
            lead=world.member,
        )
        services.target_set(
            actor=None, indicator=indicator, year=perf.period.year, value=Decimal(10)
        )


def _queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(TASKS).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["member", "chair", "group_coordinator"])
def test_the_page_takes_the_same_queries_however_many_returns(client, world, perf, persona):
    # Every risk is above the group's appetite: each is escalated to the Board, for its chair.
    services.risk_appetite_set(actor=world.group_coordinator, body=world.group, threshold=4)
    risk_due(world)
    _more_indicators(world, perf, 1, start=10)
    submit(perf, world, perf.burglary)
    user = getattr(world, persona)
    few = _queries(client, user)
    _more_indicators(world, perf, 8, start=20)
    risk_due(world, code="SG-R2")
    submit(perf, world, perf.satisfaction, value="85")
    assert _queries(client, user) == few
