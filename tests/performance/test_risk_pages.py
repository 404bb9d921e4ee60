"""The risk registers' pages: a body's register, the partnership's, the heat map and a risk's
page. Who sees what (404 for anyone a risk is not for, the login page for the anonymous), what
each page says, and query counts that do not grow with the number of risks.

The world: the Safer Group reports to the Board (chaired by ``chair``, with ``member`` on it);
``group_coordinator`` co-ordinates the group, ``coordinator`` the partnership; ``other_member``
sits on the Other Group only; ``outsider`` has no place at all.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partnership.periods import Quarter
from performance.models import (
    Risk,
    RiskAcceptance,
    RiskAppetite,
    RiskCategory,
    RiskControl,
    RiskReview,
    RiskStatus,
)
from performance.selectors.returns import deadline_for, open_quarter
from tests.factories import UserFactory

# --- fixtures (copied from test_risk_selectors.py, not imported: each file stands alone) -------


@pytest.fixture
def category(world):
    """A category, and ``world.risk_owner``: a Council officer with no place on any body."""
    world.risk_owner = UserFactory(email="risk_owner@example.org", full_name="Risk Owner")
    return RiskCategory.objects.create(partnership=world.partnership, name="Partnership")


def make_risk(w, category, body, code, *, residual=(3, 3), inherent=(4, 4), target=(2, 2), **kw):
    return Risk.objects.create(
        partnership=w.partnership,
        body=body,
        code=code,
        title=kw.pop("title", f"Risk {code}"),
        category=category,
        owner=w.risk_owner,
        owner_organisation=w.council,
        inherent_likelihood=inherent[0],
        inherent_impact=inherent[1],
        residual_likelihood=residual[0],
        residual_impact=residual[1],
        target_likelihood=target[0],
        target_impact=target[1],
        **kw,
    )


@pytest.fixture
def risks(world, category):
    """The group's own open and confidential risks, one escalated to the Board above the
    group's appetite (12), the Board's own, and the Other Group's."""
    w = world
    RiskAppetite.objects.create(body=w.group, threshold=12)
    return {
        "G-OPEN": make_risk(w, category, w.group, "G-OPEN", title="Volunteers drift away"),
        "G-CONF": make_risk(
            w, category, w.group, "G-CONF", title="Secret funding gap", confidential=True
        ),
        "G-ESC": make_risk(
            w,
            category,
            w.group,
            "G-ESC",
            title="Youth service closes",
            residual=(4, 4),
            inherent=(5, 5),
            escalated_to=w.board,
            escalated_on=w.start,
        ),
        "B-OWN": make_risk(w, category, w.board, "B-OWN", title="Board loses quorum"),
        "O-CONF": make_risk(
            w, category, w.other, "O-CONF", title="Other group's secret", confidential=True
        ),
    }


def url(name, w, **kwargs):
    return reverse(f"performance:{name}", kwargs={"partnership": w.partnership.slug, **kwargs})


def body_url(w, body):
    return url("body_risks", w, body=body.slug)


def risk_url(w, risk):
    return url("risk", w, pk=risk.pk)


def get(client, user, address):
    if user is not None:
        client.force_login(user)
    return client.get(address)


# --- who may open each page -----------------------------------------------------------------


def page_urls(w, risks):
    return [
        body_url(w, w.group),
        url("risk_list", w),
        url("risk_heat_map", w),
        url("risk_heat_map", w) + f"?body={w.group.slug}",
        risk_url(w, risks["G-OPEN"]),
    ]


def test_the_anonymous_are_sent_to_log_in_on_every_risk_page(client, world, risks):
    for address in page_urls(world, risks):
        response = client.get(address)
        assert response.status_code == 302, address
        assert response["Location"].startswith(reverse("login")), address


def test_an_outsider_gets_404_on_every_risk_page(client, world, risks):
    client.force_login(world.outsider)
    for address in page_urls(world, risks):
        assert client.get(address).status_code == 404, address


def test_a_member_of_another_body_gets_404_for_the_groups_register_and_risks(client, world, risks):
    client.force_login(world.other_member)
    assert client.get(body_url(world, world.group)).status_code == 404
    assert client.get(risk_url(world, risks["G-OPEN"])).status_code == 404
    assert client.get(risk_url(world, risks["G-CONF"])).status_code == 404
    heat = url("risk_heat_map", world) + f"?body={world.group.slug}"
    assert client.get(heat).status_code == 404
    # Their own body's risks they do see.
    assert client.get(risk_url(world, risks["O-CONF"])).status_code == 200


def test_a_risk_of_another_partnership_is_a_404(client, world, risks):
    from tests.factories import PartnershipFactory

    PartnershipFactory(name="Elsewhere", slug="elsewhere")
    client.force_login(world.coordinator)
    address = reverse("performance:risk", kwargs={"partnership": "elsewhere", "pk": 1})
    assert client.get(address).status_code == 404
    address = reverse(
        "performance:risk", kwargs={"partnership": "elsewhere", "pk": risks["G-OPEN"].pk}
    )
    assert client.get(address).status_code == 404


# --- a body's register ------------------------------------------------------------------------


def test_the_group_register_lists_its_risks_for_its_coordinator(client, world, risks):
    response = get(client, world.group_coordinator, body_url(world, world.group))
    assert response.status_code == 200
    html = response.content.decode()
    for code in ("G-OPEN", "G-CONF", "G-ESC"):
        assert code in html
    assert "B-OWN" not in html and "O-CONF" not in html
    assert "Above appetite (16 &gt; 12)" in html
    assert "Escalated to Board" in html
    assert "Very high" in html  # 16: the band in words
    assert "Risk Owner" in html and "Partnership" in html
    assert "Add a risk" in html and "Risk appetite" in html
    # Made since the quarter being collected ended: first reviewed for the next one, by the
    # group's returns deadline for it.
    following = open_quarter().next()
    assert deadline_for(body=world.group, period=following).strftime("%-d %B %Y") in html


def test_the_board_register_shows_the_escalated_risk_marked_as_such(client, world, risks):
    response = get(client, world.chair, body_url(world, world.board))
    html = response.content.decode()
    assert response.status_code == 200
    assert "G-ESC" in html and "Escalated from Safer Group" in html
    assert "B-OWN" in html
    # The group's own risks, confidential or not, stay with the group.
    assert "G-OPEN" not in html and "G-CONF" not in html


def test_an_accepted_risk_shows_until_when(client, world, risks, today):
    from performance.models import RiskAcceptance

    RiskAcceptance.objects.create(
        risk=risks["G-ESC"],
        accepted_by=world.chair,
        reason="Funding agreed",
        expires_on=today + timedelta(days=90),
        accepted_at=timezone.now(),
    )
    html = get(client, world.group_coordinator, body_url(world, world.group)).content.decode()
    assert f"Accepted until {(today + timedelta(days=90)):%-d %B %Y}" in html


def test_the_register_shows_closed_risks_when_asked(client, world, risks, today):
    Risk.objects.filter(pk=risks["G-OPEN"].pk).update(
        status=RiskStatus.CLOSED, closed_on=today, closure_reason="Done"
    )
    client.force_login(world.group_coordinator)
    assert "G-OPEN" not in client.get(body_url(world, world.group)).content.decode()
    closed = client.get(body_url(world, world.group) + "?status=closed").content.decode()
    assert "G-OPEN" in closed and "G-CONF" not in closed


# --- the partnership's register ------------------------------------------------------------------


def test_the_list_shows_only_what_the_user_may_see(client, world, risks):
    html = get(client, world.member, url("risk_list", world)).content.decode()
    assert "G-ESC" in html and "B-OWN" in html
    assert "G-CONF" not in html and "Secret funding gap" not in html
    assert "O-CONF" not in html and "G-OPEN" not in html


def test_the_coordinator_sees_every_risk_on_the_list(client, world, risks):
    html = get(client, world.coordinator, url("risk_list", world)).content.decode()
    for code in risks:
        assert code in html


def test_the_list_filters_by_body_band_and_status(client, world, risks, today):
    client.force_login(world.coordinator)
    base = url("risk_list", world)
    html = client.get(f"{base}?body={world.other.slug}").content.decode()
    assert "O-CONF" in html and "G-OPEN" not in html
    html = client.get(f"{base}?band=very_high").content.decode()
    assert "G-ESC" in html and "G-OPEN" not in html
    html = client.get(f"{base}?band=medium").content.decode()
    assert "G-OPEN" in html and "G-ESC" not in html
    Risk.objects.filter(pk=risks["B-OWN"].pk).update(
        status=RiskStatus.CLOSED, closed_on=today, closure_reason="Done"
    )
    assert "B-OWN" not in client.get(base).content.decode()
    html = client.get(f"{base}?status=closed").content.decode()
    assert "B-OWN" in html and "G-OPEN" not in html
    assert client.get(f"{base}?body=nowhere").status_code == 404


def test_the_list_shows_fifty_risks_a_page(client, world, category):
    many_risks(world, category, 60)
    client.force_login(world.coordinator)
    html = client.get(url("risk_list", world)).content.decode()
    assert "Risks 1 to 50 of 60" in html
    html = client.get(url("risk_list", world) + "?page=2").content.decode()
    assert "Risks 51 to 60 of 60" in html


# --- the heat map ------------------------------------------------------------------------------


def cell_html(html, likelihood, impact):
    """The markup of one cell: rows run likelihood 5 down to 1, cells impact 1 to 5."""
    body = html.split("<tbody", 1)[1]
    row = body.split('<tr class="govuk-table__row">')[6 - likelihood]
    return row.split("app-heat-map__cell app-heat-map__cell--")[impact]


def test_the_heat_map_counts_risks_into_cells_with_the_band_in_words(client, world, risks):
    html = get(client, world.group_coordinator, url("risk_heat_map", world)).content.decode()
    # The group co-ordinator sees G-OPEN, G-CONF (3 × 3) and G-ESC (4 × 4).
    assert "3 risks by residual likelihood" in html
    cell = cell_html(html, 3, 3)
    assert cell.startswith("medium")
    assert '<span class="app-heat-map__count">2</span>' in cell
    assert "Medium" in cell and "G-OPEN" in cell and "G-CONF" in cell
    cell = cell_html(html, 4, 4)
    assert cell.startswith("very_high") and "Very high" in cell and "G-ESC" in cell
    assert '<span class="app-heat-map__count">1</span>' in cell
    empty = cell_html(html, 1, 1)
    assert empty.startswith("low") and '<span class="app-heat-map__count">0</span>' in empty
    assert "Low" in empty
    # The levels' words head the rows and columns.
    assert "Almost certain: expected to happen" in html
    assert "Severe: the partnership cannot deliver" in html


def test_the_heat_map_is_drawn_for_the_basis_asked(client, world, risks):
    client.force_login(world.group_coordinator)
    html = client.get(url("risk_heat_map", world) + "?basis=inherent").content.decode()
    assert "by inherent likelihood" in html
    assert '<span class="app-heat-map__count">2</span>' in cell_html(html, 4, 4)
    assert "G-ESC" in cell_html(html, 5, 5)
    assert "?basis=residual" in html and "?basis=target" in html
    # An unknown basis falls back to the residual score.
    html = client.get(url("risk_heat_map", world) + "?basis=nonsense").content.decode()
    assert "by residual likelihood" in html


def test_a_bodys_heat_map_shows_its_register(client, world, risks):
    address = url("risk_heat_map", world) + f"?body={world.board.slug}"
    html = get(client, world.chair, address).content.decode()
    assert "2 risks by residual likelihood" in html
    assert "G-ESC" in html and "B-OWN" in html and "G-OPEN" not in html
    assert "basis=target" in html and f"body={world.board.slug}" in html


def test_the_heat_map_never_shows_a_confidential_risk_to_others(client, world, risks):
    html = get(client, world.member, url("risk_heat_map", world)).content.decode()
    assert "G-CONF" not in html and "O-CONF" not in html
    assert "G-ESC" in html


def test_the_heat_map_says_what_a_cell_was_last_quarter(client, world, risks, today):
    previous = Quarter.of(today).previous()
    before = timezone.make_aware(datetime.combine(previous.ends_on - timedelta(days=10), time(9)))
    risk = risks["G-OPEN"]
    risk.history.update(history_date=before)
    risk.residual_likelihood = 5
    risk.save()  # moved from 3 × 3 to 5 × 3 this quarter
    html = get(client, world.group_coordinator, url("risk_heat_map", world)).content.decode()
    assert "Was 0 last quarter" in cell_html(html, 5, 3)
    # 3 × 3 still holds G-CONF (new this quarter), and held G-OPEN before.
    assert "Was 1 last quarter" not in cell_html(html, 3, 3)
    assert "Was" not in cell_html(html, 1, 1)


def test_a_map_with_no_past_says_nothing_of_last_quarter(client, world, risks):
    html = get(client, world.group_coordinator, url("risk_heat_map", world)).content.decode()
    assert "last quarter" not in html


def test_only_co_ordinators_see_the_link_to_set_the_appetite(client, world, risks):
    appetite = url("risk_appetite", world, body=world.group.slug)
    client.force_login(world.group_coordinator)
    html = client.get(body_url(world, world.group)).content.decode()
    assert appetite in html
    client.force_login(world.member)  # a Board member, reading the Board's register
    html = client.get(body_url(world, world.board)).content.decode()
    assert url("risk_create", world, body=world.board.slug) in html
    assert url("risk_appetite", world, body=world.board.slug) not in html


# --- a risk's page ----------------------------------------------------------------------------


def test_the_risk_page_shows_everything_about_the_risk(client, world, risks, today):
    w = world
    risk = risks["G-ESC"]
    Risk.objects.filter(pk=risk.pk).update(
        description="The council may close the youth service.",
        cause="Budget cuts",
        effect="Young people lose support",
    )
    RiskControl.objects.create(
        risk=risk, description="Lobby the council", owner=w.member, due_on=today
    )
    RiskReview.objects.create(
        risk=risk,
        year=Quarter.of(today).year,
        quarter=Quarter.of(today).number,
        reviewer=w.group_coordinator,
        residual_likelihood=4,
        residual_impact=4,
        what_changed="The council consulted on closure.",
        reviewed_at=timezone.now(),
    )
    response = get(client, w.group_coordinator, risk_url(w, risk))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Youth service closes",
        "The council may close the youth service.",
        "Budget cuts",
        "Young people lose support",
        "Risk Owner, Testshire Council",
        "Above appetite (16 &gt; 12)",
        "Escalated to the Board",
        "Lobby the council",
        "The council consulted on closure.",
        "Change history",
        "Control “Lobby the council”",
        "Likely: will probably happen",
        "Very high",
    ):
        assert text in html, text
    # The co-ordinator keeps the register: edits, closes, adds controls and reviews.
    for link in ("risk_edit", "risk_close", "risk_control_create", "risk_review"):
        assert url(link, w, pk=risk.pk) in html, link
    assert url("risk_accept", w, pk=risk.pk) not in html


def test_the_risk_page_links_to_the_meeting_it_was_escalated_to(client, world, risks):
    from datetime import time as clock

    from governance import services as gs

    w = world
    meeting = gs.meeting_create(
        actor=w.coordinator,
        body=w.board,
        held_on=timezone.localdate() + timedelta(days=14),
        start_time=clock(14, 0),
        end_time=clock(16, 0),
        venue="Council House",
    )
    item = gs.item_add(
        actor=w.coordinator,
        meeting=meeting,
        title="Escalated risk G-ESC",
        presenter="Chair",
        purpose="decision",
        decision_required="To accept or treat the risk",
    )
    Risk.objects.filter(pk=risks["G-ESC"].pk).update(escalation_item=item)
    html = get(client, w.chair, risk_url(w, risks["G-ESC"])).content.decode()
    assert meeting.get_absolute_url() in html
    assert f"its meeting on {meeting.held_on:%-d %B %Y}" in html


def test_the_chair_of_the_body_it_is_escalated_to_may_accept_it(client, world, risks):
    risk = risks["G-ESC"]
    html = get(client, world.chair, risk_url(world, risk)).content.decode()
    assert url("risk_accept", world, pk=risk.pk) in html
    # The Board's chair does not keep the group's register.
    assert url("risk_edit", world, pk=risk.pk) not in html


def test_a_board_member_sees_the_escalated_risk_without_the_chairs_steps(client, world, risks):
    risk = risks["G-ESC"]
    response = get(client, world.member, risk_url(world, risk))
    assert response.status_code == 200
    html = response.content.decode()
    assert url("risk_accept", world, pk=risk.pk) not in html
    assert url("risk_edit", world, pk=risk.pk) not in html


def test_a_confidential_risk_is_a_404_for_the_board(client, world, risks):
    client.force_login(world.member)
    assert client.get(risk_url(world, risks["G-CONF"])).status_code == 404
    client.force_login(world.chair)
    assert client.get(risk_url(world, risks["G-CONF"])).status_code == 404


def test_a_closed_risk_stays_readable_without_steps(client, world, risks, today):
    risk = risks["G-OPEN"]
    Risk.objects.filter(pk=risk.pk).update(
        status=RiskStatus.CLOSED, closed_on=today, closure_reason="The grant came through."
    )
    html = get(client, world.group_coordinator, risk_url(world, risk)).content.decode()
    assert "The grant came through." in html
    assert url("risk_close", world, pk=risk.pk) not in html
    assert url("risk_review", world, pk=risk.pk) not in html


# --- the links to the registers ----------------------------------------------------------------


def test_the_dashboard_links_to_the_risk_register_for_signed_in_users(client, world):
    dashboard = url("dashboard", world)
    assert url("risk_list", world) not in client.get(dashboard).content.decode()
    client.force_login(world.member)
    assert url("risk_list", world) in client.get(dashboard).content.decode()


def test_a_bodys_returns_page_links_to_its_register(client, world):
    address = url("body_returns", world, body=world.group.slug)
    html = get(client, world.group_coordinator, address).content.decode()
    assert body_url(world, world.group) in html


# --- query counts -------------------------------------------------------------------------------


def many_risks(w, category, n, *, start=0):
    """``n`` risks: half the Board's, half the Safer Group's escalated to the Board, each with
    a control (bulk-created: no history rows)."""
    created = Risk.objects.bulk_create(
        Risk(
            partnership=w.partnership,
            body=w.board if i % 2 else w.group,
            escalated_to=None if i % 2 else w.board,
            escalated_on=None if i % 2 else w.start,
            code=f"R{i:04d}",
            title=f"Risk {i}",
            category=category,
            owner=w.member,
            owner_organisation=w.council,
            inherent_likelihood=5,
            inherent_impact=5,
            residual_likelihood=i % 5 + 1,
            residual_impact=(i // 5) % 5 + 1,
            target_likelihood=1,
            target_impact=1,
        )
        for i in range(start, start + n)
    )
    RiskControl.objects.bulk_create(
        RiskControl(risk=r, description="Quarterly check", owner=w.member, due_on=w.start)
        for r in created
    )
    return created


def queries_for(client, address):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "page",
    ["register", "heat_map", "body_heat_map", "list"],
)
def test_the_pages_ask_the_same_queries_for_10_and_200_risks(client, world, category, page):
    w = world
    address = {
        "register": body_url(w, w.board),
        "heat_map": url("risk_heat_map", w),
        "body_heat_map": url("risk_heat_map", w) + f"?body={w.board.slug}",
        "list": url("risk_list", w),
    }[page]
    RiskAppetite.objects.create(body=w.group, threshold=6)
    client.force_login(w.chair)
    many_risks(w, category, 10)
    queries_for(client, address)  # the session and the like, loaded once
    with_10 = queries_for(client, address)
    many_risks(w, category, 190, start=10)
    assert queries_for(client, address) == with_10


def test_the_partnerships_coordinators_find_the_risk_settings(client, world, risks):
    settings_url = url("risk_settings", world).encode()
    assert settings_url in get(client, world.coordinator, url("risk_list", world)).content
    assert settings_url not in get(client, world.group_coordinator, url("risk_list", world)).content


def grow_risk(w, risk, start, stop):
    """Controls ``start`` to ``stop`` (each changed once, so each has two history rows), a
    review of the quarter and an acceptance for each, and a change to the risk itself: every
    list the risk's page shows grows."""
    from performance import services

    today = timezone.localdate()
    for i in range(start, stop):
        control = services.control_add(
            actor=w.group_coordinator,
            risk=risk,
            description=f"Control {i}: quarterly check with partners",
            owner=w.member,
            due_on=today + timedelta(days=i + 1),
        )
        services.control_update(actor=w.group_coordinator, control=control, status="in_progress")
        RiskReview.objects.create(
            risk=risk,
            year=Quarter.of(today).year,
            quarter=Quarter.of(today).number,
            reviewer=w.group_coordinator,
            unchanged=True,
            residual_likelihood=risk.residual_likelihood,
            residual_impact=risk.residual_impact,
            reviewed_at=timezone.now(),
        )
        RiskAcceptance.objects.create(
            risk=risk,
            accepted_by=w.chair,
            reason=f"Lapsed acceptance {i}",
            expires_on=today - timedelta(days=i + 1),
            accepted_at=timezone.now() - timedelta(days=400 - i),
        )
        risk.title = f"Risk retitled {i}"
        risk.save()  # a history row, as any change makes


def test_a_risks_page_asks_the_same_queries_for_2_and_20_controls_reviews_and_changes(
    client, world, risks
):
    w = world
    risk = risks["G-OPEN"]
    address = risk_url(w, risk)
    client.force_login(w.group_coordinator)
    grow_risk(w, risk, 0, 2)
    queries_for(client, address)  # the session and the like, loaded once
    with_2 = queries_for(client, address)
    grow_risk(w, risk, 2, 20)
    response = client.get(address)
    assert response.content.count(b"quarterly check with partners") >= 20
    assert queries_for(client, address) == with_2


def test_the_account_page_lists_the_risks_its_owner_has_to_review(client, world, risks):
    from membership import services as ms

    w = world
    period = open_quarter()
    # The risk owner takes a place on the Board: a risk owner's rights follow memberships.
    membership = ms.membership_create(
        actor=None, body=w.board, seat=w.board_seat, person=w.risk_owner, starts_on=w.start
    )
    # Created before the quarter being collected ended: each owes its review for it.
    Risk.objects.filter(pk__in=[r.pk for r in risks.values()]).update(
        created_at=timezone.make_aware(datetime.combine(period.starts_on, time(9)))
    )
    RiskReview.objects.create(
        risk=risks["G-CONF"],
        year=period.year,
        quarter=period.number,
        reviewer=w.risk_owner,
        unchanged=True,
        residual_likelihood=3,
        residual_impact=3,
        reviewed_at=timezone.now(),
    )
    Risk.objects.filter(pk=risks["G-ESC"].pk).update(
        status=RiskStatus.CLOSED, closed_on=timezone.localdate()
    )
    page = get(client, w.risk_owner, reverse("account:home")).content.decode()
    assert "Risks to review" in page
    assert url("risk_review", w, pk=risks["G-OPEN"].pk) in page
    # Reviewed for the quarter, or closed: nothing to do.
    assert url("risk_review", w, pk=risks["G-CONF"].pk) not in page
    assert url("risk_review", w, pk=risks["G-ESC"].pk) not in page
    assert "Risks to review" not in get(client, w.member, reverse("account:home")).content.decode()
    # Once they leave, the risks are no longer theirs to read: nothing listed.
    ms.membership_end(actor=None, membership=membership, ends_on=timezone.localdate())
    client.force_login(w.risk_owner)
    assert "Risks to review" not in client.get(reverse("account:home")).content.decode()


def test_the_register_says_when_each_review_is_due(client, world, risks):
    """By the body's returns deadline for the quarter being collected; once reviewed for it,
    or for a risk made since it ended, by the next quarter's."""
    from performance import services

    w = world
    period = open_quarter()
    due = period.ends_on + timedelta(days=20)
    services.deadline_set(actor=None, body=w.group, period=period, due_on=due)
    next_due = deadline_for(body=w.group, period=period.next())
    Risk.objects.filter(pk__in=[risks["G-OPEN"].pk, risks["G-CONF"].pk]).update(
        created_at=timezone.make_aware(datetime.combine(period.starts_on, time(9)))
    )
    RiskReview.objects.create(
        risk=risks["G-CONF"],
        year=period.year,
        quarter=period.number,
        reviewer=w.group_coordinator,
        unchanged=True,
        residual_likelihood=3,
        residual_impact=3,
        reviewed_at=timezone.now(),
    )
    page = get(client, w.group_coordinator, body_url(w, w.group)).content.decode()

    def row(code):
        start = page.index(f">{code}<") if f">{code}<" in page else page.index(code)
        return page[start : page.index("</tr>", start)]

    assert f"{due:%-d %B %Y}" in row("G-OPEN")
    assert f"{next_due:%-d %B %Y}" in row("G-CONF")
