"""Returns through the web: the lead writes, saves and submits; the group signs off, sends back
and re-opens; the lead delegates; "Your returns", a body's returns and the account panel.

The ``perf`` fixture's Safer Group owns SC01 (number, lower is better, target 100, 10%
tolerance), SC02 (percentage) and SC03 (yes/no, annual), all led by ``member``.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from partnership.models import Notice
from performance import services
from performance.models import Indicator, Return, ReturnStatus
from performance.views.return_lists import returns_account_panel
from tests.conftest import fresh
from tests.test_url_access import ROLES, _check, _client_for

RETURN_URLS = {
    "my_returns",
    "performance:body_returns",
    "performance:return",
    "performance:return_rating",
    "performance:return_sign_off",
    "performance:return_send_back",
    "performance:return_reopen",
    "performance:return_delegate",
}

INSIDERS = {
    "anonymous": "login",
    "outsider": 404,
    "other_member": 404,
    "member": 200,
    "chair": 200,
    "group_coordinator": 200,
    "coordinator": 200,
}
WRITER = {**INSIDERS, "chair": 403, "group_coordinator": 403, "coordinator": 403}
SIGNERS = {**INSIDERS, "member": 403}
BODY_INSIDERS = {**INSIDERS, "outsider": 403, "other_member": 403}
SIGNED_IN = {**dict.fromkeys(ROLES, 200), "anonymous": "login"}
POST_ONLY = {**dict.fromkeys(ROLES, 405), "anonymous": "login"}


def open_return(perf, indicator=None):
    indicator = indicator or perf.burglary
    return Return.objects.filter(
        indicator=indicator, year=perf.period.year, quarter=perf.period.number
    ).first()


def url(name, indicator, period, **extra):
    kwargs = {"partnership": indicator.partnership.slug, "pk": indicator.pk}
    return reverse(f"performance:{name}", kwargs={**kwargs, "period": period.slug, **extra})


def submit(perf, world, indicator=None, value="95", by=None, **fields):
    indicator = indicator or perf.burglary
    return services.return_submit(
        actor=by or world.member,
        indicator=indicator,
        period=perf.period,
        version=0,
        value=Decimal(value),
        commentary=fields.get("commentary", "Fewer burglaries after the summer campaign."),
        remedial_action=fields.get("remedial_action", ""),
        remedial_by=fields.get("remedial_by"),
    )


def form_data(version=0, action="save", **fields):
    data = {"version": str(version), "action": action, "value": "", "commentary": ""}
    data |= {"remedial_action": "", "remedial_by_day": "", "remedial_by_month": ""}
    data |= {"remedial_by_year": ""}
    return data | fields


@pytest.fixture
def submitted(perf, world):
    return submit(perf, world)


# --- who may reach what --------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_return_urls_as(role, client, world, perf, submitted):
    client = _client_for(client, world, role)
    body = {"partnership": world.partnership.slug, "body": world.group.slug}
    signed_off = perf.history[-1]
    rows = [
        ("my_returns", reverse("my_returns"), SIGNED_IN),
        ("body_returns", reverse("performance:body_returns", kwargs=body), BODY_INSIDERS),
        ("submitted return", url("return", perf.burglary, perf.period), INSIDERS),
        ("not started return", url("return", perf.satisfaction, perf.period), INSIDERS),
        ("signed-off return", url("return", perf.burglary, signed_off), INSIDERS),
        ("rating", url("return_rating", perf.satisfaction, perf.period) + "?value=70", WRITER),
        ("send back", url("return_send_back", perf.burglary, perf.period), SIGNERS),
        ("re-open", url("return_reopen", perf.burglary, signed_off), SIGNERS),
        ("delegate", url("return_delegate", perf.satisfaction, perf.period), WRITER),
        ("sign off", url("return_sign_off", perf.burglary, perf.period), POST_ONLY),
    ]
    for label, address, expected in rows:
        response = client.get(address)
        _check(response, expected[role], f"{label}: {address}")


@pytest.mark.parametrize("role", ROLES)
def test_post_sign_off_as(role, client, world, perf, submitted):
    client = _client_for(client, world, role)
    expected = {**SIGNERS, "chair": 302, "group_coordinator": 302, "coordinator": 302}[role]
    _check(client.post(url("return_sign_off", perf.burglary, perf.period)), expected, role)
    submitted.refresh_from_db()
    assert (submitted.status == ReturnStatus.SIGNED_OFF) == (expected == 302)


@pytest.mark.parametrize("role", ["anonymous", "outsider", "other_member", "member"])
def test_a_refused_send_back_or_reopen_changes_nothing(role, client, world, perf, submitted):
    client = _client_for(client, world, role)
    expected = SIGNERS[role]
    for address in (
        url("return_send_back", perf.burglary, perf.period),
        url("return_reopen", perf.burglary, perf.history[-1]),
    ):
        _check(client.post(address, {"reason": "Because."}), expected, address)
    statuses = set(Return.objects.filter(indicator=perf.burglary).values_list("status", flat=True))
    assert statuses == {ReturnStatus.SUBMITTED, ReturnStatus.SIGNED_OFF}


@pytest.mark.parametrize("role", ["anonymous", "outsider", "chair", "group_coordinator"])
def test_only_the_lead_may_delegate(role, client, world, perf):
    client = _client_for(client, world, role)
    address = url("return_delegate", perf.satisfaction, perf.period)
    _check(client.post(address, {"delegate": str(perf.colleague.pk)}), WRITER[role], address)
    assert open_return(perf, perf.satisfaction) is None


@pytest.mark.parametrize("role", ["chair", "group_coordinator", "coordinator"])
def test_insiders_who_do_not_write_cannot_post_a_return(role, client, world, perf):
    client.force_login(getattr(world, role))
    response = client.post(url("return", perf.burglary, perf.period), form_data(value="90"))
    assert response.status_code == 403
    assert open_return(perf) is None


def test_another_groups_indicator_is_not_found_for_the_lead(client, world, perf):
    client.force_login(world.member)
    assert client.get(url("return", perf.other, perf.period)).status_code == 404


@pytest.mark.parametrize("period", ["2025-q5", "2025-q0", "nonsense", "0-q1", "2025-q1x"])
def test_a_period_that_is_not_a_quarter_is_not_found(period, client, world, perf):
    client.force_login(world.member)
    address = reverse(
        "performance:return",
        kwargs={"partnership": world.partnership.slug, "pk": perf.burglary.pk, "period": period},
    )
    assert client.get(address).status_code == 404


def test_an_unknown_indicator_is_not_found(client, world, perf):
    client.force_login(world.coordinator)
    address = reverse(
        "performance:return",
        kwargs={"partnership": world.partnership.slug, "pk": 999999, "period": perf.period.slug},
    )
    assert client.get(address).status_code == 404


# --- writing a return ----------------------------------------------------------------------


def test_the_lead_saves_a_draft_then_submits_it(client, world, perf):
    client.force_login(world.member)
    address = url("return", perf.burglary, perf.period)
    page = client.get(address)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="version" value="0"' in html
    assert "Save draft" in html and "Submit for sign-off" in html and "Check rating" in html
    assert 'aria-live="polite"' in html
    assert "return-rating.mjs" in html

    response = client.post(address, form_data(value="95", commentary="Summer campaign."))
    assert response.status_code == 302
    ret = open_return(perf)
    assert (ret.status, ret.value, ret.version) == ("draft", Decimal(95), 1)
    assert "Draft saved" in client.get(address).content.decode()

    response = client.post(
        address, form_data(version=1, action="submit", value="95", commentary="Summer campaign.")
    )
    assert response.status_code == 302
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.SUBMITTED
    assert ret.rag == "green" and ret.submitted_by == world.member
    page = client.get(address).content.decode()
    assert "submitted for sign-off" in page
    assert "Save draft" not in page  # read-only once submitted


def test_check_rating_shows_the_rating_without_saving(client, world, perf):
    client.force_login(world.member)
    response = client.post(
        url("return", perf.burglary, perf.period), form_data(action="check", value="150")
    )
    assert response.status_code == 200
    assert response.context["rating"].rag == "red"
    assert 'value="150"' in response.content.decode()
    assert open_return(perf) is None


def test_the_rating_fragment_rates_a_typed_value(client, world, perf):
    client.force_login(world.member)
    response = client.get(url("return_rating", perf.burglary, perf.period), {"value": "150"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Red" in html and "<html" not in html
    assert "Target for " + perf.period.label in html
    # Against the previous quarter's 90 and last year's 120.
    assert "(90)" in html and "(120)" in html
    assert "Worsening" in html and "Improving" not in html.split("a year earlier")[0]
    response = client.get(url("return_rating", perf.burglary, perf.period), {"value": "lots"})
    assert response.status_code == 400
    assert "Enter the value as a number" in response.content.decode()


def _error_page(response, *expected):
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert response.context["form"].errors
    for text in expected:
        assert text in html, text
    return html


def test_a_value_that_is_not_a_number_is_refused_and_kept(client, world, perf):
    client.force_login(world.member)
    response = client.post(
        url("return", perf.burglary, perf.period),
        form_data(action="submit", value="about forty", commentary="Kept as typed."),
    )
    html = _error_page(response, "Enter the value as a number")
    assert 'value="about forty"' in html and "Kept as typed." in html
    assert "<title>Error: " in html
    assert open_return(perf) is None


def test_a_percentage_over_100_is_refused(client, world, perf):
    client.force_login(world.member)
    response = client.post(url("return", perf.satisfaction, perf.period), form_data(value="120"))
    html = _error_page(response, "A percentage must be between 0 and 100")
    assert 'value="120"' in html


def test_a_red_return_needs_commentary_and_remedial_action_to_be_submitted(client, world, perf):
    client.force_login(world.member)
    response = client.post(
        url("return", perf.burglary, perf.period), form_data(action="submit", value="150")
    )
    _error_page(
        response,
        "Enter commentary: the value is red",
        "Enter the remedial action",
        "Enter the date the remedial action will be done by",
    )
    errors = response.context["form"].errors
    assert {"commentary", "remedial_action", "remedial_by"} <= set(errors)
    assert 'value="150"' in response.content.decode()
    # Nothing was saved: the submission is all or nothing.
    assert open_return(perf) is None


def test_an_amber_return_needs_remedial_action_but_not_commentary(client, world, perf):
    client.force_login(world.member)
    response = client.post(
        url("return", perf.burglary, perf.period),
        form_data(action="submit", value="105", commentary="A little up."),
    )
    _error_page(response, "Enter the remedial action")
    assert set(response.context["form"].errors) == {"remedial_action", "remedial_by"}
    by = perf.period.ends_on + timedelta(days=90)
    response = client.post(
        url("return", perf.burglary, perf.period),
        form_data(
            action="submit",
            value="105",
            commentary="A little up.",
            remedial_action="More patrols",
            remedial_by_day=str(by.day),
            remedial_by_month=str(by.month),
            remedial_by_year=str(by.year),
        ),
    )
    assert response.status_code == 302
    ret = open_return(perf)
    assert (ret.rag, ret.remedial_by) == ("amber", by)


def test_a_quarter_that_has_not_ended_is_not_open(client, world, perf):
    client.force_login(world.member)
    future = perf.period.next()
    response = client.post(url("return", perf.burglary, future), form_data(value="80"))
    _error_page(response, "is not open for returns yet")
    assert 'value="80"' in response.content.decode()


def test_a_second_save_from_the_same_version_is_refused_and_keeps_what_was_typed(
    client, world, perf
):
    client.force_login(world.member)
    address = url("return", perf.burglary, perf.period)
    assert client.post(address, form_data(value="95", commentary="First.")).status_code == 302
    response = client.post(address, form_data(value="97", commentary="Second, typed meanwhile."))
    html = _error_page(response, "while you were editing it")
    assert 'value="97"' in html and "Second, typed meanwhile." in html
    assert "The return as it is saved now" in html and "First." in html
    # The hidden version is now the saved one: saving again is a deliberate overwrite.
    assert 'name="version" value="1"' in html
    ret = open_return(perf)
    assert (ret.value, ret.commentary) == (Decimal(95), "First.")
    assert client.post(address, form_data(version=1, value="97")).status_code == 302
    ret.refresh_from_db()
    assert ret.value == Decimal(97)


def test_a_yes_no_indicator_is_answered_with_radios(client, world, perf):
    client.force_login(world.member)
    address = url("return", perf.strategy, perf.period)
    html = client.get(address).content.decode()
    assert 'type="radio"' in html and ">Yes</label>" in html


# --- signing off, sending back, re-opening -------------------------------------------------


def test_the_group_coordinator_signs_off_and_the_lead_is_told(
    client, world, perf, submitted, django_capture_on_commit_callbacks
):
    client.force_login(world.group_coordinator)
    page = client.get(url("return", perf.burglary, perf.period)).content.decode()
    assert ">Sign off</button>" in page and "Send back" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("return_sign_off", perf.burglary, perf.period))
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == ReturnStatus.SIGNED_OFF
    assert submitted.signed_off_by == world.group_coordinator
    assert [m.to for m in mail.outbox] == [[world.member.email]]
    assert mail.outbox[0].subject == f"Return signed off: SC01 {perf.period.label}"
    page = client.get(url("return", perf.burglary, perf.period)).content.decode()
    assert "Re-open for a correction" in page and ">Sign off</button>" not in page


def test_the_lead_cannot_sign_off_their_own_return(client, world, perf, submitted):
    client.force_login(world.member)
    page = client.get(url("return", perf.burglary, perf.period)).content.decode()
    assert ">Sign off</button>" not in page
    assert client.post(url("return_sign_off", perf.burglary, perf.period)).status_code == 403


def test_nobody_signs_off_a_return_they_submitted(client, world, perf):
    """The chair may sign the group's returns off, but not one they wrote themselves."""
    own = services.indicator_create(
        actor=None,
        partnership=world.partnership,
        body=world.group,
        code="SC09",
        title="Chair's own measure",
        unit="number",
        polarity="higher",
        lead=world.chair,
    )
    ret = submit(perf, world, indicator=own, value="3", by=world.chair)
    client.force_login(world.chair)
    page = client.get(url("return", own, perf.period)).content.decode()
    assert "You submitted this return, so you cannot sign it off" in page
    assert ">Sign off</button>" not in page
    response = client.post(url("return_sign_off", own, perf.period), follow=True)
    assert "someone else must sign it off" in response.content.decode()
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.SUBMITTED


def test_sending_back_needs_a_reason_and_tells_the_lead(
    client, world, perf, submitted, django_capture_on_commit_callbacks
):
    client.force_login(world.chair)
    address = url("return_send_back", perf.burglary, perf.period)
    assert client.get(address).status_code == 200
    _error_page(client.post(address, {"reason": "  "}), "Enter what needs to change")
    reason = "The figure excludes attempted burglaries: include them."
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(address, {"reason": reason})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == ReturnStatus.SENT_BACK
    assert [m.to for m in mail.outbox] == [[world.member.email]]
    assert reason in mail.outbox[0].body
    assert reason in mail.outbox[0].alternatives[0][0]
    notice = Notice.objects.get(recipient=world.member)
    assert notice.subject == f"Return sent back: SC01 {perf.period.label}"
    # The lead sees why, above the form, with the figures to correct.
    client.force_login(world.member)
    page = client.get(url("return", perf.burglary, perf.period)).content.decode()
    assert reason in page and "Submit for sign-off" in page


def test_send_back_is_refused_for_a_return_not_awaiting_sign_off(client, world, perf):
    client.force_login(world.chair)
    response = client.get(url("return_send_back", perf.satisfaction, perf.period), follow=True)
    assert "not awaiting sign-off" in response.content.decode()


def test_a_correction_reopens_the_return_and_history_keeps_both_values(
    client, world, perf, django_capture_on_commit_callbacks
):
    quarter = perf.history[-1]  # SC01 signed off at 90
    client.force_login(world.group_coordinator)
    address = url("return_reopen", perf.burglary, quarter)
    _error_page(client.post(address, {"reason": ""}), "Enter what needs correcting")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(address, {"reason": "The police revised the figure to 88."})
    assert response.status_code == 302
    assert mail.outbox[0].subject.startswith("Return re-opened for a correction: SC01")

    ret = Return.objects.get(indicator=perf.burglary, year=quarter.year, quarter=quarter.number)
    client.force_login(world.member)
    response = client.post(
        url("return", perf.burglary, quarter),
        form_data(version=ret.version, action="submit", value="88", commentary="Revised."),
    )
    assert response.status_code == 302
    client.force_login(world.group_coordinator)
    client.post(url("return_sign_off", perf.burglary, quarter))
    response = client.get(url("return", perf.burglary, quarter))
    changes = [
        (c.old, c.new)
        for entry in response.context["history"]
        for c in entry.changes
        if c.field == "Actual value"
    ]
    assert ("90.0000", "88.0000") in changes
    html = response.content.decode()
    assert "Re-opened for correction: The police revised the figure to 88." in html
    assert "Change history" in html


# --- delegating ----------------------------------------------------------------------------


def test_the_lead_delegates_to_a_colleague_who_can_then_write_it(
    client, world, perf, django_capture_on_commit_callbacks
):
    client.force_login(world.member)
    address = url("return_delegate", perf.satisfaction, perf.period)
    page = client.get(address).content.decode()
    assert "Colleague" in page and "Take it back" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(address, {"delegate": str(perf.colleague.pk)})
    assert response.status_code == 302
    ret = open_return(perf, perf.satisfaction)
    assert ret.delegate == perf.colleague
    assert [m.to for m in mail.outbox] == [[perf.colleague.email]]

    client.force_login(perf.colleague)
    mine = client.get(reverse("my_returns")).content.decode()
    assert "SC02" in mine and "Delegated to you" in mine
    response = client.post(
        url("return", perf.satisfaction, perf.period),
        form_data(version=ret.version, action="submit", value="81.5", commentary="Survey."),
    )
    assert response.status_code == 302
    ret.refresh_from_db()
    assert (ret.status, ret.submitted_by) == (ReturnStatus.SUBMITTED, perf.colleague)

    client.force_login(world.member)
    mine = client.get(reverse("my_returns")).content.decode()
    assert "Delegated to Colleague" in mine and "Submitted for sign-off" in mine


def test_the_lead_sees_whom_a_return_is_delegated_to(client, world, perf):
    services.return_delegate(
        actor=world.member, indicator=perf.burglary, period=perf.period, delegate=perf.colleague
    )
    client.force_login(world.member)
    assert "Delegated to Colleague" in client.get(reverse("my_returns")).content.decode()


def test_delegating_to_someone_from_another_organisation_is_refused(client, world, perf):
    client.force_login(world.member)
    response = client.post(
        url("return_delegate", perf.satisfaction, perf.period),
        {"delegate": str(world.other_member.pk)},
    )
    _error_page(response, "Select a colleague who represents your organisation")
    assert "delegate" in response.context["form"].errors
    assert not Return.objects.filter(indicator=perf.satisfaction, delegate__isnull=False).exists()


# --- lists and the account panel -----------------------------------------------------------


def _perf_due(perf) -> int:
    """How many of the fixture's own indicators are due in the open quarter (SC03 is annual)."""
    return sum(i.is_due(perf.period) for i in (perf.burglary, perf.satisfaction, perf.strategy))


def _led_indicators(world, count: int, *, body=None) -> list[Indicator]:
    """``count`` quarterly indicators led by the member, some with a return in the open
    quarter (a draft delegated to a colleague, or a submitted one). Made with their history
    rows, as the set-up pages make them: set up today, they owe the open quarter only."""
    indicators = bulk_create_with_history(
        [
            Indicator(
                partnership=world.partnership,
                body=body or world.group,
                code=f"X{i:03d}",
                title=f"Measure {i}",
                unit="number",
                polarity="higher",
                lead=world.member,
            )
            for i in range(count)
        ],
        Indicator,
    )
    return indicators


def _with_returns(indicators, period, *, delegate, submitter):
    Return.objects.bulk_create(
        Return(
            indicator=indicator,
            year=period.year,
            quarter=period.number,
            value=Decimal(i),
            delegate=delegate if i % 2 else None,
            status=ReturnStatus.SUBMITTED if i % 3 == 0 else ReturnStatus.DRAFT,
            submitted_by=submitter if i % 3 == 0 else None,
            submitted_at=timezone.now() if i % 3 == 0 else None,
            rag="green" if i % 3 == 0 else "",
        )
        for i, indicator in enumerate(indicators)
    )


MY_RETURNS_QUERIES = 6  # session, user, led indicators, when set up, returns, deadlines


@pytest.mark.parametrize("count", [10, 200])
def test_your_returns_uses_the_same_queries_for_10_and_200_indicators(
    count, client, world, perf, django_assert_num_queries
):
    indicators = _led_indicators(world, count)
    _with_returns(indicators, perf.period, delegate=perf.colleague, submitter=world.member)
    client.force_login(world.member)
    with django_assert_num_queries(MY_RETURNS_QUERIES):
        response = client.get(reverse("my_returns"))
    html = response.content.decode()
    assert "Delegated to Colleague" in html
    assert len(response.context["rows"]) == min(50, count + _perf_due(perf))


def test_your_returns_has_an_empty_state(client, world, perf):
    client.force_login(world.outsider)
    html = client.get(reverse("my_returns")).content.decode()
    assert "You have no returns to write" in html


# Session, user, the body, the viewer's rights and the partnership's tree, the indicators
# (count and page), their returns, the deadline, and the returns awaiting sign-off.
BODY_RETURNS_QUERIES = 10


@pytest.mark.parametrize("count", [10, 200])
def test_body_returns_use_the_same_queries_for_10_and_200_indicators(
    count, client, world, perf, django_assert_num_queries
):
    indicators = _led_indicators(world, count)
    _with_returns(indicators, perf.period, delegate=perf.colleague, submitter=world.member)
    client.force_login(world.group_coordinator)
    address = reverse(
        "performance:body_returns",
        kwargs={"partnership": world.partnership.slug, "body": world.group.slug},
    )
    with django_assert_num_queries(BODY_RETURNS_QUERIES):
        response = client.get(address)
    html = response.content.decode()
    assert "Awaiting your sign-off" in html and ">Sign off<" in html
    assert "Set the deadlines for returns" in html
    assert len(response.context["rows"]) == min(50, count + _perf_due(perf))


def test_body_returns_show_an_earlier_quarter_and_sign_off_from_the_list(client, world, perf):
    submit(perf, world)
    client.force_login(world.chair)
    address = reverse(
        "performance:body_returns",
        kwargs={"partnership": world.partnership.slug, "body": world.group.slug},
    )
    earlier = client.get(address, {"period": perf.history[-1].slug}).content.decode()
    assert "Signed off" in earlier and "Awaiting your sign-off" in earlier
    assert "Set the deadlines" not in earlier  # the chair does not co-ordinate
    assert client.get(address, {"period": perf.period.next().slug}).status_code == 404
    response = client.post(url("return_sign_off", perf.burglary, perf.period), {"next": address})
    assert response["Location"] == address
    member_view = client.get(address).content.decode()
    assert "No returns are awaiting sign-off" in member_view


def _panel(user):
    request = RequestFactory().get("/account/")
    request.user = fresh(user)
    return returns_account_panel(request)


def test_the_account_panel_tells_the_lead_what_is_due(client, world, perf):
    from performance.selectors import returns_owed_by

    owed = returns_owed_by(person=world.member)
    panel = _panel(world.member)
    assert panel.context["due_now"] == len(owed) and panel.context["awaiting"] == 0
    assert panel.context["earliest"] == min(d.deadline for d in owed)
    client.force_login(world.member)
    html = client.get(reverse("account:home")).content.decode()
    assert 'id="returns"' in html and "Write your returns" in html
    assert f"due for {perf.period.long_label}" in html


def test_the_account_panel_tells_a_signer_what_awaits_them(
    client, world, perf, submitted, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        panel = _panel(world.group_coordinator)
    assert panel.context["awaiting"] == 1 and panel.context["owed"] == 0
    client.force_login(world.group_coordinator)
    html = client.get(reverse("account:home")).content.decode()
    assert "1 return awaits your sign-off" in html
    assert (
        reverse(
            "performance:body_returns",
            kwargs={"partnership": world.partnership.slug, "body": world.group.slug},
        )
        in html
    )
    # The lead who submitted it is not asked to sign it off.
    assert _panel(world.member).context["awaiting"] == 0


def test_the_account_panel_is_not_shown_to_someone_with_no_returns(client, world, perf):
    assert _panel(world.outsider) is None
    client.force_login(world.outsider)
    assert 'id="returns"' not in client.get(reverse("account:home")).content.decode()


def test_a_drafts_history_is_the_writers_alone_once_submitted(client, world, perf):
    """Every draft save is a history row; a reader of the submitted return sees what was
    submitted, not what the lead typed on the way there."""
    draft = services.return_save(
        actor=world.member,
        indicator=perf.burglary,
        period=perf.period,
        version=0,
        value=Decimal(45),
        commentary="First thoughts DRAFTSECRET",
    )
    services.return_submit(
        actor=world.member,
        indicator=perf.burglary,
        period=perf.period,
        version=draft.version,
        value=Decimal(55),
        commentary="Checked with the police.",
    )
    page = url("return", perf.burglary, perf.period)
    client.force_login(world.chair)
    assert "DRAFTSECRET" not in client.get(page).content.decode()
    client.force_login(world.member)
    assert "DRAFTSECRET" in client.get(page).content.decode()
