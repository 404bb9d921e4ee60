"""Every risk URL, for every role: who gets the page, who is refused, who is sent to sign in.

In the ``perf`` world (``member`` and ``chair`` sit on the Safer Group too):
- G-OPEN, a Safer Group risk owned by ``member``;
- G-CONF, a confidential Safer Group risk, also owned by ``member``;
- O-ESC, an Other Group risk owned by ``other_member``, above its group's appetite and so
  escalated to the Board: the Board's people (``member``, ``chair``) read it there.
Nothing about a risk is public: the public is sent to sign in on every risk route.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from performance import services
from performance.models import Risk, RiskAcceptance
from tests.test_url_access import ROLES, _check, _client_for

RISK_URLS = {
    "performance:risk_list",
    "performance:risk_heat_map",
    "performance:risk_settings",
    "performance:body_risks",
    "performance:risk_create",
    "performance:risk_appetite",
    "performance:risk",
    "performance:risk_edit",
    "performance:risk_close",
    "performance:risk_review",
    "performance:risk_accept",
    "performance:risk_control_create",
    "performance:risk_control_edit",
}

NOBODY = {**dict.fromkeys(ROLES, 404), "anonymous": "login"}
# The partnership-wide register and heat map: anyone with a place in the partnership (each sees
# only what is theirs); to anyone else they do not exist.
INSIDE = {**dict.fromkeys(ROLES, 200), "anonymous": "login", "outsider": 404}
PARTNERSHIP_COORDINATOR = {**dict.fromkeys(ROLES, 403), "anonymous": "login", "coordinator": 200}

# A Safer Group risk, confidential or not: its body's insiders, nobody else.
SAFER = {**NOBODY, "member": 200, "chair": 200, "group_coordinator": 200, "coordinator": 200}
# The owner (member) and the group's co-ordinators review it; the chair reads it but does not.
SAFER_REVIEW = {**SAFER, "chair": 403}
# Only a risk escalated to a body is accepted, by that body's chair.
SAFER_ACCEPT = {**SAFER, "member": 403, "chair": 403, "group_coordinator": 403, "coordinator": 403}
# Adding a risk to a body, or setting its appetite: a body is public, so those with no place
# in it are refused the step (its register, like a risk, is not found).
SAFER_BODY = {**SAFER, "outsider": 403, "other_member": 403}
SAFER_APPETITE = {**SAFER_BODY, "member": 403, "chair": 403}

# The Other Group's risk escalated to the Board: the group's insiders and the Board's.
ESCALATED = {**NOBODY, "other_member": 200, "member": 200, "chair": 200, "coordinator": 200}
# Kept by its own group: the Board's people read it and decide on it, they do not edit it.
ESCALATED_KEEP = {**ESCALATED, "member": 403, "chair": 403}
ESCALATED_ACCEPT = {**ESCALATED, "other_member": 403, "member": 403, "coordinator": 403}


def make_risk(w, body, code, *, owner, organisation, residual=(2, 3), **fields):
    return services.risk_create(
        actor=None,
        body=body,
        code=code,
        title=f"Risk {code}",
        description="Cause and effect.",
        category=services.risk_categories(w.partnership)[0],
        owner=owner,
        owner_organisation=organisation,
        inherent_likelihood=5,
        inherent_impact=5,
        residual_likelihood=residual[0],
        residual_impact=residual[1],
        target_likelihood=1,
        target_impact=2,
        **fields,
    )


@pytest.fixture
def risks(world, perf):
    w = world
    safer = make_risk(w, w.group, "G-OPEN", owner=w.member, organisation=w.council)
    secret = make_risk(
        w, w.group, "G-CONF", owner=w.member, organisation=w.council, confidential=True
    )
    services.risk_appetite_set(actor=None, body=w.other, threshold=6)
    escalated = make_risk(
        w, w.other, "O-ESC", owner=w.other_member, organisation=w.charity, residual=(4, 4)
    )
    assert escalated.escalated_to == w.board
    controls = {
        risk.code: services.control_add(
            actor=None,
            risk=risk,
            description=f"Control of {risk.code}",
            owner=risk.owner,
            due_on=w.start,
        )
        for risk in (safer, secret, escalated)
    }
    return {"G-OPEN": safer, "G-CONF": secret, "O-ESC": escalated, "controls": controls}


def at(w, name, **kwargs):
    return reverse(f"performance:{name}", kwargs={"partnership": w.partnership.slug, **kwargs})


@pytest.mark.parametrize("role", ROLES)
def test_risk_urls_as(role, client, world, risks):
    w = world
    client = _client_for(client, w, role)
    group = {"body": w.group.slug}
    rows = [
        ("risk_list", at(w, "risk_list"), INSIDE),
        ("heat map", at(w, "risk_heat_map"), INSIDE),
        ("heat map, inherent", at(w, "risk_heat_map") + "?basis=inherent", INSIDE),
        ("group's heat map", at(w, "risk_heat_map") + f"?body={w.group.slug}", SAFER),
        ("settings", at(w, "risk_settings"), PARTNERSHIP_COORDINATOR),
        ("group's register", at(w, "body_risks", **group), SAFER),
        ("add a risk", at(w, "risk_create", **group), SAFER_BODY),
        ("appetite", at(w, "risk_appetite", **group), SAFER_APPETITE),
    ]
    for code, plain, review, accept in [
        ("G-OPEN", SAFER, SAFER_REVIEW, SAFER_ACCEPT),
        ("G-CONF", SAFER, SAFER_REVIEW, SAFER_ACCEPT),
        ("O-ESC", ESCALATED, ESCALATED_KEEP, ESCALATED_ACCEPT),
    ]:
        risk = risks[code]
        keep = plain if code != "O-ESC" else ESCALATED_KEEP
        control = risks["controls"][code]
        rows += [
            (code, at(w, "risk", pk=risk.pk), plain),
            (f"{code} edit", at(w, "risk_edit", pk=risk.pk), keep),
            (f"{code} close", at(w, "risk_close", pk=risk.pk), keep),
            (f"{code} review", at(w, "risk_review", pk=risk.pk), review),
            (f"{code} accept", at(w, "risk_accept", pk=risk.pk), accept),
            (f"{code} add control", at(w, "risk_control_create", pk=risk.pk), keep),
            (f"{code} edit control", at(w, "risk_control_edit", pk=control.pk), keep),
        ]
    for label, address, expected in rows:
        _check(client.get(address), expected[role], f"{label}: {address}")


@pytest.mark.parametrize("role", ROLES)
def test_the_boards_register_lists_what_was_escalated_to_it_for_its_people(
    role, client, world, risks
):
    client = _client_for(client, world, role)
    # Its own insiders: the Other Group's member reads the risk, not the Board's register.
    board = {**ESCALATED, "other_member": 404}
    response = client.get(at(world, "body_risks", body=world.board.slug))
    _check(response, board[role], role)
    if board[role] == 200:
        assert b"O-ESC" in response.content
        assert b"G-OPEN" not in response.content and b"G-CONF" not in response.content


@pytest.mark.parametrize("role", ROLES)
def test_the_partnership_register_lists_only_what_each_role_may_see(role, client, world, risks):
    client = _client_for(client, world, role)
    response = client.get(at(world, "risk_list"))
    if INSIDE[role] != 200:
        _check(response, INSIDE[role], role)
        return
    assert response.status_code == 200
    shown = {code for code in ("G-OPEN", "G-CONF", "O-ESC") if code.encode() in response.content}
    expected = {code for code in ("G-OPEN", "G-CONF") if SAFER[role] == 200}
    expected |= {"O-ESC"} if ESCALATED[role] == 200 else set()
    assert shown == expected


@pytest.mark.parametrize("role", ROLES)
def test_post_accept_and_close_as(role, client, world, risks):
    """Only the Board's chair accepts the escalated risk above appetite; only the Safer
    Group's insiders close its risk. Anyone else is refused (or sent to sign in) and the
    risks are as they were."""
    w = world
    client = _client_for(client, w, role)
    expiry = w.start.replace(year=w.start.year + 1)
    accept = {
        "reason": "We carry it while the new contract starts.",
        "expires_on_day": str(expiry.day),
        "expires_on_month": str(expiry.month),
        "expires_on_year": str(expiry.year),
    }
    accepts = {**ESCALATED_ACCEPT, "chair": 302}[role]
    _check(client.post(at(w, "risk_accept", pk=risks["O-ESC"].pk), accept), accepts, "accept")
    escalated = Risk.objects.get(pk=risks["O-ESC"].pk)
    if accepts == 302:
        assert RiskAcceptance.objects.get().accepted_by == w.chair
        assert escalated.escalated_to is None
    else:
        assert not RiskAcceptance.objects.exists()
        assert escalated.escalated_to == w.board
    closes = {**SAFER, **{r: 302 for r in ROLES if SAFER[r] == 200}}[role]
    close = {"reason": "No longer a risk."}
    _check(client.post(at(w, "risk_close", pk=risks["G-OPEN"].pk), close), closes, "close")
    assert Risk.objects.get(pk=risks["G-OPEN"].pk).is_open == (closes != 302)


def test_an_unknown_risk_or_control_is_not_found(client, world, risks):
    client.force_login(world.coordinator)
    for name in ("risk", "risk_edit", "risk_review", "risk_control_edit"):
        assert client.get(at(world, name, pk=999999)).status_code == 404, name


def test_a_risk_is_not_found_under_another_partnership(client, world, risks):
    from tests.factories import PartnershipFactory

    other = PartnershipFactory(name="Elsewhere", slug="elsewhere")
    client.force_login(world.coordinator)
    address = reverse(
        "performance:risk", kwargs={"partnership": other.slug, "pk": risks["G-OPEN"].pk}
    )
    assert client.get(address).status_code == 404


def test_the_public_reaches_no_risk_even_when_a_summary_is_published(client, world, risks):
    services.risk_settings_update(actor=None, partnership=world.partnership, publish_summary=True)
    w = world
    group = {"body": w.group.slug}
    addresses = [
        at(w, "risk_list"),
        at(w, "risk_heat_map"),
        at(w, "risk_settings"),
        at(w, "body_risks", **group),
        at(w, "risk_create", **group),
        at(w, "risk_appetite", **group),
    ]
    for risk in (risks["G-OPEN"], risks["G-CONF"], risks["O-ESC"]):
        for name in ("risk", "risk_edit", "risk_close", "risk_review", "risk_accept"):
            addresses.append(at(w, name, pk=risk.pk))
        addresses.append(at(w, "risk_control_create", pk=risk.pk))
        addresses.append(at(w, "risk_control_edit", pk=risks["controls"][risk.code].pk))
    for address in addresses:
        _check(client.get(address), "login", address)
        _check(client.post(address, {"reason": "x"}), "login", address)


def test_the_accepting_board_keeps_reading_the_risk_while_the_acceptance_stands(
    client, world, risks
):
    """O-ESC accepted by the Board's chair: it leaves the escalation but stays on the Board's
    register, marked accepted, for the Board's people; once the acceptance lapses (and it is
    escalated again, or not) only the rule of the day counts."""
    from datetime import timedelta

    from django.utils import timezone

    from performance.models import RiskAcceptance

    w = world
    risk = risks["O-ESC"]
    until = timezone.localdate() + timedelta(days=30)
    acceptance = services.risk_accept(
        actor=w.chair, risk=risk, reason="Tolerable for a quarter", expires_on=until
    )
    assert acceptance.body == w.board
    risk.refresh_from_db()
    assert risk.escalated_to is None
    board = at(w, "body_risks", body=w.board.slug)
    for person in (w.chair, w.member, w.coordinator):
        client.force_login(person)
        assert client.get(at(w, "risk", pk=risk.pk)).status_code == 200
        page = client.get(board).content.decode()
        assert "O-ESC" in page and "From Other Group, accepted above appetite" in page
        # The register's export says the same as its page.
        export = client.get(at(w, "risk_export") + f"?format=csv&body={w.board.slug}")
        assert "O-ESC" in export.content.decode()
    client.force_login(w.outsider)
    assert client.get(at(w, "risk", pk=risk.pk)).status_code == 404
    # Lapsed: the Board's own people (who sit on no body of the risk) no longer read it.
    RiskAcceptance.objects.filter(pk=acceptance.pk).update(
        expires_on=timezone.localdate() - timedelta(days=1)
    )
    client.force_login(w.member)
    assert client.get(at(w, "risk", pk=risk.pk)).status_code == 404
    assert "O-ESC" not in client.get(board).content.decode()
