"""A risk's steps: adding, changing and closing a risk, its quarterly review, its controls, a
body's appetite, accepting a risk above appetite and the partnership's risk settings. Each form
renders; a good post changes things through the services; a bad one shows the error summary
and keeps what was typed; a refused role gets a 403 (or a 404 for a risk it may not see) and
changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from performance import services
from performance.models import (
    Risk,
    RiskAcceptance,
    RiskAppetite,
    RiskCategory,
    RiskControl,
    RiskReview,
    RiskSettings,
)
from tests.test_url_access import ROLES, _check, _client_for

RISK_STEP_URLS = {
    "performance:risk_create",
    "performance:risk_edit",
    "performance:risk_close",
    "performance:risk_review",
    "performance:risk_accept",
    "performance:risk_control_create",
    "performance:risk_control_edit",
    "performance:risk_appetite",
    "performance:risk_settings",
}

LOGIN = {"anonymous": "login"}
# The Safer Group's register: kept by its members, chair and co-ordinators. To anyone else a
# risk on it does not exist.
KEEPERS = {
    **LOGIN,
    "outsider": 404,
    "other_member": 404,
    "member": 200,
    "chair": 200,
    "group_coordinator": 200,
    "coordinator": 200,
}
# Adding a risk to the Safer Group: the body is public, the step is refused.
ADDERS = {**KEEPERS, "outsider": 403, "other_member": 403}
# The owner (member) and the group's co-ordinators review; the chair sees it but may not.
REVIEWERS = {**KEEPERS, "chair": 403}
# Not escalated: nobody accepts it.
NOBODY = {**KEEPERS, **dict.fromkeys(("member", "chair", "group_coordinator", "coordinator"), 403)}
GROUP_COORDINATORS = {
    **LOGIN,
    **dict.fromkeys(ROLES[1:], 403),
    "group_coordinator": 200,
    "coordinator": 200,
}
PARTNERSHIP_COORDINATOR = {**GROUP_COORDINATORS, "group_coordinator": 403}


@pytest.fixture
def categories(perf, world):
    return {c.name: c for c in services.risk_categories(world.partnership)}


@pytest.fixture
def risk(world, categories):
    return make_risk(world, categories)


def make_risk(world, categories, **fields):
    values = {
        "code": "SG-R1",
        "title": "Partners withdraw funding for neighbourhood wardens",
        "category": categories["Financial"],
        "owner": world.member,
        "owner_organisation": world.council,
        "inherent_likelihood": 4,
        "inherent_impact": 4,
        "residual_likelihood": 3,
        "residual_impact": 3,
        "target_likelihood": 2,
        "target_impact": 2,
    }
    values.update(fields)
    return services.risk_create(actor=world.group_coordinator, body=world.group, **values)


def control_of(world, risk):
    return services.control_add(
        actor=world.group_coordinator,
        risk=risk,
        description="Joint funding agreement",
        owner=world.member,
        due_on=timezone.localdate() + timedelta(days=30),
    )


def escalated(world, risk):
    """The risk above the Safer Group's appetite, so escalated to the Board (chaired by
    ``chair``)."""
    services.risk_appetite_set(actor=world.group_coordinator, body=world.group, threshold=4)
    risk.refresh_from_db()
    assert risk.escalated_to == world.board
    return risk


def step_urls(w, risk, control):
    p = w.partnership.slug
    group = {"partnership": p, "body": w.group.slug}
    one = {"partnership": p, "pk": risk.pk}
    return [
        ("performance:risk_create", group, ADDERS),
        ("performance:risk_edit", one, KEEPERS),
        ("performance:risk_close", one, KEEPERS),
        ("performance:risk_review", one, REVIEWERS),
        ("performance:risk_accept", one, NOBODY),
        ("performance:risk_control_create", one, KEEPERS),
        ("performance:risk_control_edit", {"partnership": p, "pk": control.pk}, KEEPERS),
        ("performance:risk_appetite", group, GROUP_COORDINATORS),
        ("performance:risk_settings", {"partnership": p}, PARTNERSHIP_COORDINATOR),
    ]


def _url(world, name, **kwargs):
    return reverse(name, kwargs={"partnership": world.partnership.slug, **kwargs})


def _risk_url(world, risk):
    return _url(world, "performance:risk", pk=risk.pk)


def _date(prefix: str, day) -> dict[str, str]:
    return {
        f"{prefix}_day": str(day.day),
        f"{prefix}_month": str(day.month),
        f"{prefix}_year": str(day.year),
    }


def _risk_data(world, categories, **overrides) -> dict:
    data = {
        "title": "Volunteers leave the street-watch scheme",
        "code": "SG-R2",
        "description": "Too few volunteers to cover every ward.",
        "cause": "Ageing volunteers; little recruitment",
        "effect": "Wards without street-watch",
        "category": str(categories["Operational"].pk),
        "owner": str(world.member.pk),
        "owner_organisation": str(world.council.pk),
        "inherent_likelihood": "4",
        "inherent_impact": "3",
        "residual_likelihood": "3",
        "residual_impact": "3",
        "target_likelihood": "2",
        "target_impact": "2",
    }
    return {**data, **overrides}


def _said(response) -> str:
    """The success message the step left for the next page (read here, so these tests do not
    depend on the risk's page)."""
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def _refused(html: str) -> bool:
    return "<title>Error: " in html and "There is a problem" in html


# --- who may -----------------------------------------------------------------------------------


def test_the_matrix_covers_every_risk_step(world, risk):
    names = {name for name, _, _ in step_urls(world, risk, control_of(world, risk))}
    assert names == RISK_STEP_URLS


@pytest.mark.parametrize("role", ROLES)
def test_get_every_risk_step_as(role, client, world, risk):
    control = control_of(world, risk)
    client = _client_for(client, world, role)
    for name, kwargs, expected in step_urls(world, risk, control):
        url = reverse(name, kwargs=kwargs)
        _check(client.get(url), expected[role], url)


@pytest.mark.parametrize("role", ROLES)
def test_refused_roles_change_nothing_by_posting(role, client, world, risk, categories):
    control = control_of(world, risk)
    client = _client_for(client, world, role)
    posts = {
        "performance:risk_create": _risk_data(world, categories),
        "performance:risk_edit": _risk_data(world, categories, code="SG-R1"),
        "performance:risk_close": {"reason": "Funding confirmed"},
        "performance:risk_review": {"outcome": "unchanged"},
        "performance:risk_accept": {"reason": "Tolerable", **_date("expires_on", risk.created_at)},
        "performance:risk_control_create": {"description": "Something"},
        "performance:risk_control_edit": {"description": "Something"},
        "performance:risk_appetite": {"threshold": "3"},
        "performance:risk_settings": {"medium_from": "3", "high_from": "6", "very_high_from": "9"},
    }
    before = (
        Risk.objects.count(),
        Risk.history.count(),
        RiskControl.history.count(),
        RiskReview.objects.count(),
        RiskAppetite.objects.count(),
        RiskSettings.objects.count(),
        RiskAcceptance.objects.count(),
    )
    for name, kwargs, expected in step_urls(world, risk, control):
        if expected[role] == 200:
            continue
        url = reverse(name, kwargs=kwargs)
        _check(client.post(url, posts[name]), expected[role], url)
    after = (
        Risk.objects.count(),
        Risk.history.count(),
        RiskControl.history.count(),
        RiskReview.objects.count(),
        RiskAppetite.objects.count(),
        RiskSettings.objects.count(),
        RiskAcceptance.objects.count(),
    )
    assert after == before


def test_a_risk_of_another_partnership_or_unknown_is_not_found(client, world, risk):
    client.force_login(world.coordinator)
    for name, kwargs in [
        ("performance:risk_edit", {"partnership": "elsewhere", "pk": risk.pk}),
        ("performance:risk_edit", {"partnership": world.partnership.slug, "pk": 9999}),
        ("performance:risk_control_edit", {"partnership": world.partnership.slug, "pk": 9999}),
        ("performance:risk_create", {"partnership": world.partnership.slug, "body": "nowhere"}),
    ]:
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 404, name


# --- adding and changing a risk ----------------------------------------------------------------


def test_the_risk_form_shows_the_levels_and_names_owners_with_their_organisation(
    client, world, categories
):
    client.force_login(world.member)
    html = client.get(_url(world, "performance:risk_create", body=world.group.slug)).content
    html = html.decode()
    assert "Almost certain" in html and "Expected to happen (over 80%)" in html
    assert "Severe" in html and "Inherent score" in html and "Target score" in html
    assert "Member, Testshire Council" in html
    assert "Safeguarding" in html
    assert "SC01 Reported burglaries" in html  # the partnership's indicators to link
    # The Other Group's unpublished indicator is not for the Safer Group's member to see.
    assert "OG01 Volunteers recruited" not in html


def test_a_member_adds_a_risk_to_their_body_register(client, world, categories, perf):
    client.force_login(world.member)
    data = _risk_data(
        world,
        categories,
        indicators=[str(perf.burglary.pk)],
        outcomes=[str(perf.outcome.pk)],
        actions=[str(perf.action.pk)],
        confidential="on",
    )
    response = client.post(_url(world, "performance:risk_create", body=world.group.slug), data)
    risk = Risk.objects.get(code="SG-R2")
    assert risk.body == world.group and risk.confidential
    assert list(risk.indicators.all()) == [perf.burglary]
    assert list(risk.actions.all()) == [perf.action]
    assert risk.residual_score == 9 and risk.category.name == "Operational"
    assert risk.history.get().history_user == world.member
    assert response["Location"] == _risk_url(world, risk)
    assert "Risk SG-R2 has been added to the register." in _said(response)


def test_a_target_worse_than_inherent_is_refused_by_the_field_keeping_what_was_typed(
    client, world, categories
):
    client.force_login(world.member)
    data = _risk_data(world, categories, target_likelihood="5")
    response = client.post(_url(world, "performance:risk_create", body=world.group.slug), data)
    html = response.content.decode()
    assert response.status_code == 200 and _refused(html)
    assert 'id="id_target_likelihood-error"' in html
    assert "The target likelihood cannot be worse than the inherent likelihood" in html
    assert 'value="Volunteers leave the street-watch scheme"' in html
    assert 'id="id_target_likelihood_4" name="target_likelihood" type="radio" value="5"' in html
    assert not Risk.objects.filter(code="SG-R2").exists()


def test_missing_scores_and_a_duplicate_reference_are_refused(client, world, categories, risk):
    client.force_login(world.member)
    data = _risk_data(world, categories, code="sg-r1")
    del data["residual_impact"]
    response = client.post(_url(world, "performance:risk_create", body=world.group.slug), data)
    html = response.content.decode()
    assert _refused(html) and "Select the residual impact" in html
    assert 'href="#id_residual_impact_0"' in html
    response = client.post(
        _url(world, "performance:risk_create", body=world.group.slug),
        _risk_data(world, categories, code="sg-r1"),
    )
    assert "Another risk already has the reference sg-r1" in response.content.decode()
    assert Risk.objects.count() == 1


def test_an_owner_from_an_organisation_they_do_not_represent_is_refused(client, world, categories):
    client.force_login(world.member)
    data = _risk_data(world, categories, owner_organisation=str(world.charity.pk))
    response = client.post(_url(world, "performance:risk_create", body=world.group.slug), data)
    html = response.content.decode()
    assert _refused(html) and 'id="id_owner-error"' in html
    assert "currently represents Testshire CVS" in html
    assert not Risk.objects.filter(code="SG-R2").exists()


def test_the_chair_changes_a_risk_and_the_history_says_so(client, world, risk, categories):
    client.force_login(world.chair)
    url = _url(world, "performance:risk_edit", pk=risk.pk)
    html = client.get(url).content.decode()
    assert 'value="Partners withdraw funding for neighbourhood wardens"' in html
    assert 'id="id_residual_likelihood_2" name="residual_likelihood" type="radio" value="3"' in (
        html.replace(' aria-describedby="id_residual_likelihood_2-hint" checked', "")
    )
    data = _risk_data(world, categories, code="SG-R1", title="Wardens lose their funding")
    response = client.post(url, data)
    risk.refresh_from_db()
    assert risk.title == "Wardens lose their funding"
    assert risk.history.latest().history_user == world.chair
    assert "Risk SG-R1 has been updated." in _said(response)


def test_an_unchanged_risk_writes_no_history(client, world, risk):
    client.force_login(world.member)
    url = _url(world, "performance:risk_edit", pk=risk.pk)
    rows = risk.history.count()
    form = client.get(url).context["form"]
    data = {}
    for name, value in form.initial.items():
        if value is None or value is False:
            continue
        if isinstance(value, list):
            data[name] = [str(v) for v in value]
        elif value is True:
            data[name] = "on"
        else:
            data[name] = str(getattr(value, "pk", value))
    response = client.post(url, data)
    assert "Nothing was changed." in _said(response)
    assert risk.history.count() == rows


# --- closing -----------------------------------------------------------------------------------


def test_a_risk_is_closed_with_a_reason(client, world, risk):
    client.force_login(world.group_coordinator)
    url = _url(world, "performance:risk_close", pk=risk.pk)
    assert "Close risk SG-R1" in client.get(url).content.decode()
    response = client.post(url, {"reason": "   "})
    assert _refused(response.content.decode())
    response = client.post(url, {"reason": "Funding confirmed for three years"})
    risk.refresh_from_db()
    assert not risk.is_open and risk.closure_reason == "Funding confirmed for three years"
    assert response["Location"] == _risk_url(world, risk)
    # A closed risk no longer changes: its steps send back to its page.
    for name in ("risk_close", "risk_edit", "risk_control_create"):
        response = client.get(_url(world, f"performance:{name}", pk=risk.pk))
        assert response.status_code == 302 and response["Location"] == _risk_url(world, risk)


# --- the quarterly review ----------------------------------------------------------------------


def test_the_owner_confirms_a_risk_unchanged(client, world, risk):
    client.force_login(world.member)
    url = _url(world, "performance:risk_review", pk=risk.pk)
    html = client.get(url).content.decode()
    assert "No change this quarter" in html and "Re-score" in html
    assert 'id="conditional-rescore"' in html and "1 Rare" in html
    response = client.post(url, {"outcome": "unchanged"})
    review = RiskReview.objects.get()
    assert review.unchanged and review.reviewer == world.member
    assert "recorded" in _said(response)


def test_the_owner_rescores_a_risk_and_says_what_changed(client, world, risk):
    client.force_login(world.member)
    url = _url(world, "performance:risk_review", pk=risk.pk)
    response = client.post(url, {"outcome": "rescore", "residual_likelihood": "2"})
    html = response.content.decode()
    assert _refused(html)
    assert "Select the residual impact" in html
    assert "Say what changed since the last review" in html
    # What was typed is kept, and the re-score stays open.
    assert 'value="rescore" checked' in html
    assert not RiskReview.objects.exists()
    client.post(
        url,
        {
            "outcome": "rescore",
            "residual_likelihood": "2",
            "residual_impact": "3",
            "what_changed": "Two partners confirmed their funding",
        },
    )
    risk.refresh_from_db()
    assert risk.residual_score == 6
    assert RiskReview.objects.get().what_changed == "Two partners confirmed their funding"


def test_a_review_that_raises_the_score_above_appetite_escalates_the_risk(client, world, risk):
    services.risk_appetite_set(actor=world.group_coordinator, body=world.group, threshold=12)
    client.force_login(world.member)
    client.post(
        _url(world, "performance:risk_review", pk=risk.pk),
        {
            "outcome": "rescore",
            "residual_likelihood": "4",
            "residual_impact": "4",
            "what_changed": "A partner gave notice of cuts",
        },
    )
    risk.refresh_from_db()
    assert risk.escalated_to == world.board


def test_no_review_option_chosen_is_refused(client, world, risk):
    client.force_login(world.member)
    response = client.post(_url(world, "performance:risk_review", pk=risk.pk), {})
    html = response.content.decode()
    assert _refused(html) and "Select whether the risk changed this quarter" in html
    assert 'href="#id_outcome_0"' in html


# --- controls ----------------------------------------------------------------------------------


def test_a_control_is_added_with_a_govuk_date(client, world, risk):
    client.force_login(world.member)
    url = _url(world, "performance:risk_control_create", pk=risk.pk)
    html = client.get(url).content.decode()
    assert 'name="due_on_day"' in html and "Not yet known" in html
    due = timezone.localdate() + timedelta(days=60)
    response = client.post(
        url,
        {
            "description": "Joint funding bid",
            "owner": str(world.member.pk),
            "status": "planned",
            "effectiveness": "not_yet",
            **_date("due_on", due),
        },
    )
    control = RiskControl.objects.get()
    assert control.due_on == due and control.risk == risk
    assert control.history.get().history_user == world.member
    assert response["Location"] == _risk_url(world, risk)


def test_a_control_in_place_needs_its_date_and_keeps_what_was_typed(client, world, risk):
    control = control_of(world, risk)
    client.force_login(world.group_coordinator)
    url = _url(world, "performance:risk_control_edit", pk=control.pk)
    assert "Joint funding agreement" in client.get(url).content.decode()
    data = {
        "description": "Joint funding agreement, signed",
        "owner": str(world.member.pk),
        "status": "in_place",
        "effectiveness": "effective",
        **_date("due_on", control.due_on),
    }
    response = client.post(url, {**data, "done_on_day": "31", "done_on_month": "2"})
    html = response.content.decode()
    assert _refused(html) and "must include a year" in html
    assert 'value="Joint funding agreement, signed"' in html or "signed</textarea>" in html
    response = client.post(url, data)
    assert "Enter the date the control was put in place" in response.content.decode()
    response = client.post(url, {**data, **_date("done_on", timezone.localdate())})
    control.refresh_from_db()
    assert control.status == "in_place" and control.done_on == timezone.localdate()
    assert "Control updated." in _said(response)


# --- acceptance above appetite -----------------------------------------------------------------


def test_the_parent_chair_accepts_an_escalated_risk(client, world, risk):
    escalated(world, risk)
    url = _url(world, "performance:risk_accept", pk=risk.pk)
    # The group's co-ordinator sees the escalated risk, and may not accept it.
    client.force_login(world.group_coordinator)
    assert client.get(url).status_code == 403
    client.force_login(world.chair)
    assert "Accept risk SG-R1 above appetite" in client.get(url).content.decode()
    response = client.post(url, {"reason": "", **_date("expires_on", timezone.localdate())})
    html = response.content.decode()
    assert _refused(html)
    assert "Say why the risk is accepted above appetite" in html
    response = client.post(
        url, {"reason": "Funding talks", **_date("expires_on", timezone.localdate())}
    )
    html = response.content.decode()
    assert _refused(html) and 'id="id_expires_on-error"' in html
    assert "The acceptance must run until a date in the future" in html
    assert "Funding talks</textarea>" in html
    until = timezone.localdate() + timedelta(days=90)
    response = client.post(url, {"reason": "Funding talks under way", **_date("expires_on", until)})
    acceptance = RiskAcceptance.objects.get()
    assert acceptance.accepted_by == world.chair and acceptance.expires_on == until
    risk.refresh_from_db()
    assert risk.escalated_to is None
    assert "accepted above appetite until" in _said(response)


# --- appetite ----------------------------------------------------------------------------------


def test_coordinators_set_a_body_appetite_per_category(client, world, risk, categories):
    client.force_login(world.group_coordinator)
    url = _url(world, "performance:risk_appetite", body=world.group.slug)
    financial = f"category_{categories['Financial'].pk}"
    html = client.get(url).content.decode()
    assert "Financial (optional)" in html
    response = client.post(url, {"threshold": "12", financial: "30"})
    html = response.content.decode()
    assert _refused(html) and "must be a whole number from 1 to 25" in html
    assert 'value="30"' in html and not RiskAppetite.objects.exists()
    response = client.post(url, {"threshold": "12", financial: "6"})
    assert "risk appetite has been saved" in _said(response)
    assert dict(
        RiskAppetite.objects.filter(body=world.group).values_list("category__name", "threshold")
    ) == {None: 12, "Financial": 6}
    risk.refresh_from_db()
    assert risk.escalated_to == world.board  # 9 is above the financial appetite of 6
    # Blank removes it.
    client.post(url, {"threshold": "12", financial: ""})
    assert RiskAppetite.objects.filter(body=world.group).count() == 1
    risk.refresh_from_db()
    assert risk.escalated_to is None


# --- settings ----------------------------------------------------------------------------------


def test_the_coordinator_sets_bands_publishes_a_summary_and_adds_a_category(client, world):
    client.force_login(world.coordinator)
    url = _url(world, "performance:risk_settings")
    html = client.get(url).content.decode()
    assert 'value="5"' in html and "Safeguarding" in html
    response = client.post(
        url,
        {
            "medium_from": "4",
            "high_from": "8",
            "very_high_from": "20",
            "publish_summary": "on",
            "new_category": "Data protection",
        },
        follow=True,
    )
    settings = RiskSettings.objects.get()
    assert (settings.medium_from, settings.high_from, settings.very_high_from) == (4, 8, 20)
    assert settings.publish_summary
    assert RiskCategory.objects.filter(name="Data protection").exists()
    assert "Data protection" in response.content.decode()


def test_bands_that_do_not_rise_are_refused_and_nothing_is_saved(client, world):
    client.force_login(world.coordinator)
    response = client.post(
        _url(world, "performance:risk_settings"),
        {
            "medium_from": "6",
            "high_from": "6",
            "very_high_from": "20",
            "new_category": "Data protection",
        },
    )
    html = response.content.decode()
    assert _refused(html) and "The high band must start above the medium band" in html
    assert 'value="Data protection"' in html
    assert not RiskSettings.objects.exists()
    assert not RiskCategory.objects.filter(name="Data protection").exists()


def test_a_duplicate_category_is_refused_by_its_field(client, world, categories):
    client.force_login(world.coordinator)
    response = client.post(
        _url(world, "performance:risk_settings"),
        {"medium_from": "5", "high_from": "10", "very_high_from": "16", "new_category": "legal"},
    )
    html = response.content.decode()
    assert _refused(html) and 'id="id_new_category-error"' in html
    assert "There is already a category called legal" in html


def test_the_risk_form_asks_as_many_queries_however_much_there_is_to_link(
    client, world, perf, risk
):
    client.force_login(world.member)
    url = _url(world, "performance:risk_edit", pk=risk.pk)
    client.get(url)  # the categories exist, the session is warm

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    first = queries()
    for n in range(5):
        outcome = services.outcome_create(
            actor=None,
            partnership=world.partnership,
            body=world.group,
            code=f"SC{n + 5}",
            title=f"Outcome {n}",
            kind="priority",
        )
        services.plan_action_create(
            actor=None,
            outcome=outcome,
            title=f"Action {n}",
            organisation=world.council,
            lead=world.member,
            due_on=timezone.localdate(),
        )
    services.control_add(
        actor=world.member,
        risk=risk,
        description="Another",
        owner=world.member,
        due_on=timezone.localdate(),
    )
    assert queries() == first


def test_an_edit_keeps_links_to_indicators_the_editor_cannot_see(
    client, world, categories, risk, perf
):
    from performance.models import Indicator

    hidden = Indicator.objects.get(code="OG01")  # the Other Group's, unpublished
    services.risk_update(actor=world.coordinator, risk=risk, indicators=[hidden])
    client.force_login(world.member)
    data = _risk_data(world, categories, code=risk.code, indicators=[str(perf.burglary.pk)])
    client.post(_url(world, "performance:risk_edit", pk=risk.pk), data)

    assert set(risk.indicators.all()) == {hidden, perf.burglary}
