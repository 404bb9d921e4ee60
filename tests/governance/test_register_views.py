"""Every registers URL for every role (the governance lead too), posts that must change
nothing when refused, exports, errors kept beside their fields, and query counts."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance import services as gs
from governance.models import Ruling
from membership import services as ms
from tests.factories import UserFactory
from tests.governance.helpers import schedule
from tests.governance.test_registers import declare, gift
from tests.test_url_access import ROLES, _check, _client_for

ALL = [*ROLES, "governance_lead"]
PUBLIC = dict.fromkeys(ALL, 200)
SIGNED_IN = {**PUBLIC, "anonymous": "login"}
LEAD_ONLY = {**dict.fromkeys(ALL, 403), "anonymous": "login", "governance_lead": 200}
# The member's own declaration: the member, the Board's chair and co-ordinator and the
# governance lead see it; to anyone else it does not exist.
SEEN_BY = {"member": 200, "chair": 200, "coordinator": 200, "governance_lead": 200}
NOT_FOUND = {**dict.fromkeys(ALL, 404), "anonymous": "login"}
DECLARATION = {**NOT_FOUND, **SEEN_BY}
OWN_ONLY = {**NOT_FOUND, **dict.fromkeys(SEEN_BY, 403), "member": 200}
SETTLE = {**NOT_FOUND, **dict.fromkeys(SEEN_BY, 403), "governance_lead": 200}
EXPORT = {**dict.fromkeys(ALL, 403), "anonymous": "login", "coordinator": 200}
EXPORT["governance_lead"] = 200
CHAIR_ONLY = {**dict.fromkeys(ALL, 403), "anonymous": "login", "chair": 200}
POST_ONLY = {**dict.fromkeys(ALL, 405), "anonymous": "login"}
# One partnership each: straight to it; nowhere to sit: a page that says so.
ANY = {**SIGNED_IN, **dict.fromkeys(["other_member", "member", "chair"], 302)}
FROM_MEETING = {
    **dict.fromkeys(ALL, 404),
    "anonymous": "login",
    "member": 200,
    "coordinator": 200,
    "chair": 403,
}

REGISTER_URLS = {
    "governance:registers_home",
    "governance:my_registers",
    "governance:register_confirm",
    "governance:declaration_create",
    "governance:declaration",
    "governance:declaration_update",
    "governance:declaration_end",
    "governance:gift_create",
    "governance:register_settings",
    "governance:dispute_list",
    "governance:ruling_dispute",
    "governance:ruling_settle",
    "governance:body_interests",
    "governance:body_gifts",
    "governance:register_export",
    "governance:ruling_create",
    "governance:declaration_from_meeting",
    "my_registers_any",
}


@pytest.fixture
def registers(world, governance_lead):
    world.governance_lead = governance_lead
    ruled = declare(world)
    ruling = gs.ruling_make(
        actor=world.chair, declaration=ruled, body=world.board, outcome="noted", reason="Fine"
    )
    gs.ruling_dispute(actor=world.member, ruling=ruling, reason="I want it recorded")
    pending = declare(world, organisation=world.charity)
    meeting = schedule(world, days=0)
    item = gs.item_add(actor=world.coordinator, meeting=meeting, title="Grants")
    gs.meeting_publish(actor=world.coordinator, meeting=meeting)
    declared = gs.interest_declare(
        actor=world.coordinator, item=item, person=world.member, nature="Trustee"
    )
    gift(world, value=Decimal("80"))
    return ruled, pending, ruling, meeting, declared


def register_urls(w, ruled, pending, ruling, meeting, declared):
    p = {"partnership": w.partnership.slug}
    board = {**p, "body": w.board.slug}
    return [
        ("governance:registers_home", p, PUBLIC),
        ("governance:my_registers", p, SIGNED_IN),
        ("governance:register_confirm", p, POST_ONLY),
        ("governance:declaration_create", p, SIGNED_IN),
        ("governance:declaration", {**p, "pk": ruled.pk}, DECLARATION),
        ("governance:declaration_update", {**p, "pk": pending.pk}, OWN_ONLY),
        ("governance:declaration_end", {**p, "pk": pending.pk}, OWN_ONLY),
        ("governance:gift_create", p, SIGNED_IN),
        ("governance:register_settings", p, LEAD_ONLY),
        ("governance:dispute_list", p, LEAD_ONLY),
        ("governance:ruling_dispute", {**p, "pk": ruling.pk}, OWN_ONLY),
        ("governance:ruling_settle", {**p, "pk": ruling.pk}, SETTLE),
        ("governance:body_interests", board, PUBLIC),
        ("governance:body_gifts", board, PUBLIC),
        ("governance:register_export", board, EXPORT),
        ("governance:ruling_create", {**board, "pk": pending.pk}, CHAIR_ONLY),
        (
            "governance:declaration_from_meeting",
            {**p, "pk": meeting.pk, "interest": declared.pk},
            FROM_MEETING,
        ),
        ("my_registers_any", {}, ANY),
    ]


@pytest.mark.parametrize("role", ALL)
def test_get_every_registers_url_as(role, client, world, registers):
    client = _client_for(client, world, role)
    urls = register_urls(world, *registers)
    assert {name for name, _, _ in urls} == REGISTER_URLS
    for name, kwargs, expected in urls:
        url = reverse(name, kwargs=kwargs)
        _check(client.get(url), expected[role], url)


@pytest.mark.parametrize("role", ALL)
def test_only_the_chair_can_post_a_ruling(role, client, world, registers):
    _, pending, *_ = registers
    client = _client_for(client, world, role)
    url = reverse(
        "governance:ruling_create",
        kwargs={"partnership": world.partnership.slug, "body": world.board.slug, "pk": pending.pk},
    )
    response = client.post(url, {"outcome": "noted", "reason": "No conflict"})
    _check(response, {**CHAIR_ONLY, "chair": 302}[role], url)
    assert Ruling.objects.filter(declaration=pending).exists() == (role == "chair")


@pytest.mark.parametrize("role", ["chair", "coordinator", "governance_lead", "other_member"])
def test_nobody_else_can_end_a_members_declaration(role, client, world, registers):
    _, pending, *_ = registers
    client = _client_for(client, world, role)
    url = reverse(
        "governance:declaration_end",
        kwargs={"partnership": world.partnership.slug, "pk": pending.pk},
    )
    today = timezone.localdate()
    response = client.post(
        url, {"ended_on_day": today.day, "ended_on_month": today.month, "ended_on_year": today.year}
    )
    assert response.status_code in (403, 404)
    pending.refresh_from_db()
    assert pending.ended_on is None


def test_a_bad_declaration_keeps_what_was_typed_with_errors_beside_the_fields(client, world):
    client.force_login(world.member)
    url = reverse("governance:declaration_create", kwargs={"partnership": world.partnership.slug})
    response = client.post(
        url,
        {
            "holder": "self",
            "description": "Trustee of Testshire Youth Trust",
            "starts_on_day": "31",
            "starts_on_month": "2",
            "starts_on_year": "2026",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["kind"] == ["Select type of interest"]
    assert form.errors["starts_on"] == ["Held from must be a real date"]
    html = response.content.decode()
    assert "Trustee of Testshire Youth Trust" in html
    assert 'value="31"' in html


def test_a_service_error_lands_next_to_its_field(client, world):
    client.force_login(world.member)
    url = reverse("governance:declaration_create", kwargs={"partnership": world.partnership.slug})
    response = client.post(
        url,
        {
            "kind": "personal",
            "holder": "self",
            "description": "A friend runs the charity",
            "starts_on_day": "1",
            "starts_on_month": "4",
            "starts_on_year": "2026",
        },
    )
    assert response.context["form"].errors["project"] == [
        "Say which organisation, body or project the interest concerns"
    ]


def test_the_coordinator_exports_both_registers_as_csv_and_pdf(client, world, registers):
    client.force_login(world.coordinator)
    url = reverse(
        "governance:register_export",
        kwargs={"partnership": world.partnership.slug, "body": world.board.slug},
    )
    today = timezone.localdate()
    start = today - timedelta(days=60)
    dates = {
        "start_day": start.day,
        "start_month": start.month,
        "start_year": start.year,
        "end_day": today.day,
        "end_month": today.month,
        "end_year": today.year,
    }
    response = client.get(url, {"register": "interests", "format": "csv", **dates})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Member" and len(rows) == 3
    assert {r[3] for r in rows[1:]} == {"Testshire Business Forum", "Testshire CVS"}
    response = client.get(url, {"register": "gifts", "format": "csv", **dates})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][4] == "80.00" and rows[1][8] == "Yes"
    response = client.get(url, {"register": "gifts", "format": "pdf", **dates})
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_an_export_with_its_range_backwards_says_so(client, world):
    client.force_login(world.coordinator)
    url = reverse(
        "governance:register_export",
        kwargs={"partnership": world.partnership.slug, "body": world.board.slug},
    )
    response = client.get(
        url,
        {
            "register": "gifts",
            "format": "csv",
            "start_day": "2",
            "start_month": "4",
            "start_year": "2026",
            "end_day": "1",
            "end_month": "4",
            "end_year": "2026",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["end"] == [
        "The end of the range must be on or after its start"
    ]


def test_a_formula_in_an_entry_cannot_run_in_a_spreadsheet(client, world):
    gift(world, donor="=HYPERLINK(evil)")
    client.force_login(world.coordinator)
    url = reverse(
        "governance:register_export",
        kwargs={"partnership": world.partnership.slug, "body": world.board.slug},
    )
    today = timezone.localdate()
    response = client.get(
        url,
        {
            "register": "gifts",
            "format": "csv",
            "start_day": "1",
            "start_month": "1",
            "start_year": str(today.year - 1),
            "end_day": today.day,
            "end_month": today.month,
            "end_year": today.year,
        },
    )
    assert "'=HYPERLINK(evil)" in response.content.decode("utf-8-sig")


def _add_people(world, n: int):
    seat = ms.seat_create(actor=None, body=world.board, name=f"Seat {n}", count=n, voting=True)
    for _ in range(n):
        person = UserFactory()
        ms.membership_create(
            actor=None, body=world.board, seat=seat, person=person, starts_on=world.start
        )
        declare(world, person=person)
        gs.ruling_make(
            actor=world.chair,
            declaration=person.declarations.get(),
            body=world.board,
            outcome="noted",
            reason="ok",
        )
        gift(world, person=person)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["governance:body_interests", "governance:body_gifts"])
def test_register_pages_use_the_same_queries_for_5_and_50_entries(client, world, name):
    client.force_login(world.chair)
    url = reverse(name, kwargs={"partnership": world.partnership.slug, "body": world.board.slug})
    _add_people(world, 5)
    few = _queries(client, url)
    _add_people(world, 45)
    assert _queries(client, url) == few
    assert few <= 12


def test_a_gift_offered_before_leaving_can_still_be_declared(client, world, today):
    ms.membership_end(actor=None, membership=world.member_membership, ends_on=today - timedelta(10))
    client.force_login(world.member)
    url = reverse("governance:gift_create", kwargs={"partnership": world.partnership.slug})
    offered = today - timedelta(days=20)
    response = client.post(
        url,
        {
            "kind": "gift",
            "body": world.board.pk,
            "donor": "Kestrel Services Ltd",
            "description": "A pen",
            "value": "8",
            "offered_on_day": offered.day,
            "offered_on_month": offered.month,
            "offered_on_year": offered.year,
            "decision": "accepted",
        },
    )
    assert response.status_code == 302
    assert world.member.gifts.get().body == world.board


def test_a_day_too_big_for_any_calendar_is_not_a_real_date(client, world):
    # int() reads twenty digits; the calendar overflows on them (OverflowError, not ValueError).
    client.force_login(world.member)
    url = reverse("governance:declaration_create", kwargs={"partnership": world.partnership.slug})
    response = client.post(
        url,
        {
            "holder": "self",
            "description": "Trustee",
            "starts_on_day": "99999999999999999999",
            "starts_on_month": "2",
            "starts_on_year": "2026",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["starts_on"] == ["Held from must be a real date"]
