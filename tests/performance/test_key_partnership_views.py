"""The register of key partnerships' pages: every URL for every role (published or not), the
forms and their errors, the record's page with its history, and the exports (every field for
readers; the public fields alone for the public)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from performance.models import KeyPartnership, KeyPartnershipStatus
from performance.services.partnerships import (
    key_partnership_create,
    key_partnership_settings_save,
)
from performance.services.transfer.key_partnerships import PUBLIC_HEADERS
from tests.governance.helpers import pdf_bytes
from tests.performance.test_risk_urls import make_risk
from tests.test_url_access import ROLES, _check, _client_for, drain

KEY_PARTNERSHIP_URLS = {
    "performance:key_partnership_list",
    "performance:key_partnership",
    "performance:key_partnership_create",
    "performance:key_partnership_edit",
    "performance:key_partnership_end",
    "performance:key_partnership_mou",
    "performance:key_partnership_settings",
    "performance:key_partnership_export",
}

READERS = {"other_member", "member", "chair", "coordinator"}
# Unpublished: readers only; to anyone else the register does not exist.
READ = {**{r: (200 if r in READERS else 404) for r in ROLES}}
KEEP = {**READ, "anonymous": "login", "other_member": 403, "member": 403, "chair": 403}
MOU = {**READ, "anonymous": "login"}
# Published: the public reads it too; its steps are refused to all but its keepers.
PUBLIC = dict.fromkeys(ROLES, 200)
PUBLISHED_KEEP = {**dict.fromkeys(ROLES, 403), "anonymous": "login", "coordinator": 200}

SECRETS = (
    "Management fee of £1,250,000",
    "Buildings stay with the council",
    "Break clause at year ten",
    "Twelve months notice",
    "G-OPEN",
    "The memorandum text",
)


@pytest.fixture
def kp(world, perf):
    w = world
    risk = make_risk(w, w.group, "G-OPEN", owner=w.member, organisation=w.council)
    return key_partnership_create(
        actor=w.coordinator,
        partnership=w.partnership,
        name="Vale Leisure Trust",
        lead_organisation=w.council,
        lead_service="Leisure Contracts",
        lead_officer=w.member,
        remit="Runs the leisure centres.",
        partner_organisations=[w.charity],
        other_partners="Vale Active Ltd",
        bodies=[w.board],
        meets_key_criteria=True,
        key_criteria=["financial"],
        monitoring_arrangements="Monthly operational meetings.",
        additional_monitoring=True,
        additional_monitoring_reason="A new contract.",
        funding="Management fee of £1,250,000",
        annual_value=1250000,
        liabilities="Buildings stay with the council",
        exit_strategy="Break clause at year ten",
        notice_period="Twelve months notice",
        mou_text="The memorandum text",
        mou_upload=("memorandum.pdf", pdf_bytes("Memorandum")),
        risks=[risk],
        indicators=list(perf_indicators(w)),
        next_review_on=timezone.localdate() - timedelta(days=3),
    )


def perf_indicators(w):
    from performance.models import Indicator

    return Indicator.objects.filter(partnership=w.partnership, code__in=["SC01", "SC02"])


def at(w, name, **kwargs):
    return reverse(f"performance:{name}", kwargs={"partnership": w.partnership.slug, **kwargs})


def publish(w):
    key_partnership_settings_save(
        actor=None, partnership=w.partnership, review_years=3, publish_register=True
    )


def rows(w, kp):
    one = {"pk": kp.pk}
    return [
        ("list", at(w, "key_partnership_list"), "read"),
        ("record", at(w, "key_partnership", **one), "read"),
        ("export csv", at(w, "key_partnership_export") + "?format=csv", "read"),
        ("export xlsx", at(w, "key_partnership_export") + "?format=xlsx", "read"),
        ("add", at(w, "key_partnership_create"), "keep"),
        ("edit", at(w, "key_partnership_edit", **one), "keep"),
        ("end", at(w, "key_partnership_end", **one), "keep"),
        ("settings", at(w, "key_partnership_settings"), "keep"),
        ("memorandum", at(w, "key_partnership_mou", **one), "mou"),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_key_partnership_urls_as(role, client, world, kp):
    client = _client_for(client, world, role)
    expected = {"read": READ, "keep": KEEP, "mou": MOU}
    for label, address, kind in rows(world, kp):
        _check(client.get(address), expected[kind][role], f"{label}: {address}")


@pytest.mark.parametrize("role", ROLES)
def test_key_partnership_urls_once_published_as(role, client, world, kp):
    publish(world)
    client = _client_for(client, world, role)
    expected = {"read": PUBLIC, "keep": PUBLISHED_KEEP, "mou": MOU}
    for label, address, kind in rows(world, kp):
        _check(client.get(address), expected[kind][role], f"{label}: {address}")


def test_an_unknown_key_partnership_is_not_found(client, world, kp):
    client.force_login(world.coordinator)
    for name in ("key_partnership", "key_partnership_edit", "key_partnership_end"):
        assert client.get(at(world, name, pk=999999)).status_code == 404


def test_the_public_never_reaches_an_ended_key_partnership(client, world, kp):
    publish(world)
    KeyPartnership.objects.filter(pk=kp.pk).update(
        status=KeyPartnershipStatus.ENDED, ended_on=timezone.localdate()
    )
    assert client.get(at(world, "key_partnership", pk=kp.pk)).status_code == 404
    client.force_login(world.member)
    assert client.get(at(world, "key_partnership", pk=kp.pk)).status_code == 200


# --- the register and a record ------------------------------------------------------------------


def test_readers_see_every_field_summarised_and_the_overdue_reviews_counted(client, world, kp):
    client.force_login(world.coordinator)
    page = client.get(at(world, "key_partnership_list")).content.decode()
    assert "1 review overdue" in page
    assert "Review overdue" in page
    assert "Vale Leisure Trust" in page and "Leisure Contracts, Testshire Council" in page
    assert "Lead officer: Member" in page and "£1,250,000" in page
    assert "Add a key partnership" in page and "Register settings" in page
    assert at(world, "key_partnership_register_pdf") in page


def test_a_reader_who_keeps_nothing_has_no_links_to_add_or_settings(client, world, kp):
    client.force_login(world.member)
    page = client.get(at(world, "key_partnership_list")).content.decode()
    assert "Vale Leisure Trust" in page
    assert "Add a key partnership" not in page and "Register settings" not in page


def test_the_record_shows_every_heading_its_links_and_its_history(client, world, kp):
    client.force_login(world.coordinator)
    page = client.get(at(world, "key_partnership", pk=kp.pk)).content.decode()
    for heading in (
        "Leads",
        "Remit",
        "Partners",
        "Key criteria",
        "Monitoring",
        "Memorandum",
        "Money and liabilities",
        "Exit",
        "Risks",
        "Performance",
        "Reviews",
        "Change history",
    ):
        assert f">{heading}</h2>" in page, heading
    assert "G-OPEN" in page and "SC01" in page and "memorandum.pdf" in page
    assert "Key partnership added" in page
    assert "Review overdue" in page


def test_a_linked_risk_is_listed_only_for_those_who_may_see_it(client, world, kp):
    # The Other Group's member reads the register but has no place in the Safer Group.
    client.force_login(world.other_member)
    page = client.get(at(world, "key_partnership", pk=kp.pk)).content.decode()
    assert "G-OPEN" not in page and "No linked risks that you can see" in page


def test_the_public_page_and_register_hold_no_money_exit_risks_or_memorandum(client, world, kp):
    publish(world)
    for address in (at(world, "key_partnership_list"), at(world, "key_partnership", pk=kp.pk)):
        page = client.get(address).content.decode()
        assert "Vale Leisure Trust" in page and "Monthly operational meetings." in page
        for secret in (*SECRETS, "£1,250,000", "memorandum.pdf", "Lead officer", "Member"):
            assert secret not in page, (address, secret)


# --- exports ------------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(drain(response).decode("utf-8-sig"))))


def test_a_readers_export_has_every_field(client, world, kp):
    client.force_login(world.member)
    response = client.get(at(world, "key_partnership_export") + "?format=csv")
    assert response["Content-Disposition"].startswith('attachment; filename="testshire-key-')
    header, row = read_csv(response)
    record = dict(zip(header, row, strict=True))
    assert record["Name"] == "Vale Leisure Trust"
    assert record["Lead officer"] == "Member"
    assert record["Partners"] == "Testshire CVS; Vale Active Ltd"
    assert record["Annual value (£)"] == "1250000.00"
    assert record["Exit strategy"] == "Break clause at year ten"
    assert record["Risks"] == "G-OPEN"
    assert record["Indicators"] == "SC01; SC02"
    assert record["Memorandum of understanding or terms of reference"] == "file and text"
    assert record["Review"] == "overdue"


def test_the_public_export_holds_the_public_fields_alone(client, world, kp):
    publish(world)
    header, row = read_csv(client.get(at(world, "key_partnership_export") + "?format=csv"))
    assert header == PUBLIC_HEADERS
    text = ",".join(row)
    for secret in SECRETS:
        assert secret not in text
    workbook = load_workbook(
        io.BytesIO(drain(client.get(at(world, "key_partnership_export") + "?format=xlsx")))
    )
    sheet = workbook.active
    cells = [[c.value for c in line] for line in sheet.iter_rows()]
    assert cells[0] == PUBLIC_HEADERS
    assert cells[1][0] == "Vale Leisure Trust"
    assert not any(secret in str(cells) for secret in SECRETS)


def test_an_export_in_another_format_is_not_found(client, world, kp):
    client.force_login(world.member)
    assert client.get(at(world, "key_partnership_export") + "?format=pdf").status_code == 404


# --- the forms ----------------------------------------------------------------------------------


def form_data(w, **overrides):
    data = {
        "name": "Waste Contract",
        "lead_organisation": str(w.council.pk),
        "lead_service": "Streetscene",
        "lead_officer": str(w.member.pk),
        "remit": "Collects the waste.",
        "meets_key_criteria": "yes",
        "key_criteria": ["financial"],
        "monitoring_arrangements": "Quarterly board.",
        "additional_monitoring": "no",
        "last_reviewed_on_day": "14",
        "last_reviewed_on_month": "3",
        "last_reviewed_on_year": "2025",
    }
    data.update(overrides)
    return data


def test_a_keeper_adds_a_key_partnership_whose_next_review_is_worked_out(client, world, kp):
    client.force_login(world.coordinator)
    response = client.post(at(world, "key_partnership_create"), form_data(world))
    added = KeyPartnership.objects.get(name="Waste Contract")
    assert response.status_code == 302 and response["Location"] == added.get_absolute_url()
    assert added.next_review_on.isoformat() == "2028-03-14"
    assert added.history.get().history_user == world.coordinator


def test_the_form_says_what_is_wrong_beside_each_field_and_keeps_what_was_typed(client, world, kp):
    client.force_login(world.coordinator)
    data = form_data(
        world,
        key_criteria=[],
        additional_monitoring="yes",
        last_reviewed_on_day="",
        last_reviewed_on_month="",
        last_reviewed_on_year="",
        remit="",
    )
    response = client.post(at(world, "key_partnership_create"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("govuk-error-message") >= 1
    assert "<title>Error: " in page
    assert "Enter the remit and purpose" in page
    # The service's rules, once the form's own are met.
    response = client.post(
        at(world, "key_partnership_create"),
        {**data, "remit": "Collects the waste."},
    )
    page = response.content.decode()
    for message in (
        "Select at least one criterion it meets",
        "Say why additional monitoring is required",
        "Enter the date the next review is due, or the date of the last review",
    ):
        assert message in page, message
    assert 'value="Waste Contract"' in page and "Collects the waste." in page
    assert not KeyPartnership.objects.filter(name="Waste Contract").exists()


def test_a_refused_memorandum_file_is_an_error_on_its_field(client, world, kp):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.coordinator)
    upload = SimpleUploadedFile("memo.pdf", b"MZ an executable", content_type="application/pdf")
    response = client.post(
        at(world, "key_partnership_create"), {**form_data(world), "mou_file": upload}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_mou_file-error"' in page and "choose it again" in page


def test_a_keeper_changes_a_key_partnership_and_the_history_shows_it(client, world, kp):
    client.force_login(world.coordinator)
    page = client.get(at(world, "key_partnership_edit", pk=kp.pk)).content.decode()
    assert 'value="Vale Leisure Trust"' in page and "The current file is memorandum.pdf" in page
    data = {
        **form_data(world, name="Vale Leisure Trust", lead_service="Leisure and Culture"),
        "partner_organisations": [str(world.charity.pk)],
        "bodies": [str(world.board.pk)],
        "next_review_on_day": "1",
        "next_review_on_month": "4",
        "next_review_on_year": "2028",
    }
    response = client.post(at(world, "key_partnership_edit", pk=kp.pk), data)
    assert response.status_code == 302
    kp.refresh_from_db()
    assert kp.lead_service == "Leisure and Culture"
    # The risk was on the form for the co-ordinator but not chosen: unlinked, as asked.
    assert not kp.risks.exists()
    page = client.get(at(world, "key_partnership", pk=kp.pk)).content.decode()
    assert "Key partnership changed" in page and "Leisure and Culture" in page


def test_ending_asks_why_then_keeps_it_readable(client, world, kp):
    client.force_login(world.coordinator)
    address = at(world, "key_partnership_end", pk=kp.pk)
    assert "Why is it ending?" in client.get(address).content.decode()
    page = client.post(address, {"reason": ""}).content.decode()
    assert "Say why the key partnership is ending" in page
    response = client.post(address, {"reason": "The contract ended."})
    assert response.status_code == 302
    kp.refresh_from_db()
    assert kp.status == KeyPartnershipStatus.ENDED
    page = client.get(at(world, "key_partnership", pk=kp.pk)).content.decode()
    assert "Ended: The contract ended." in page
    assert (
        "Vale Leisure Trust" not in client.get(at(world, "key_partnership_list")).content.decode()
    )
    ended = client.get(at(world, "key_partnership_list") + "?status=ended").content.decode()
    assert "Vale Leisure Trust" in ended


def test_a_reader_cannot_end_or_change_it(client, world, kp):
    client.force_login(world.member)
    for name in ("key_partnership_end", "key_partnership_edit"):
        assert client.post(at(world, name, pk=kp.pk), {"reason": "x"}).status_code == 403
    assert KeyPartnership.objects.get(pk=kp.pk).status == KeyPartnershipStatus.ACTIVE


def test_settings_publish_the_register_with_errors_beside_the_field(client, world, kp):
    client.force_login(world.coordinator)
    address = at(world, "key_partnership_settings")
    page = client.post(address, {"review_years": "11"}).content.decode()
    assert "Enter a whole number of years from 1 to 10" in page
    response = client.post(address, {"review_years": "3", "publish_register": "on"})
    assert response.status_code == 302
    client.logout()
    assert client.get(at(world, "key_partnership_list")).status_code == 200


def test_the_memorandum_file_is_served_to_readers(client, world, kp):
    client.force_login(world.member)
    response = client.get(at(world, "key_partnership_mou", pk=kp.pk))
    assert response.status_code == 200
    assert drain(response).startswith(b"%PDF-")
    assert response["Cache-Control"] == "private, no-store"


def test_a_linked_risk_the_keeper_cannot_see_is_not_offered_and_stays_linked(
    client, world, kp, governance_lead
):
    client.force_login(governance_lead)
    address = at(world, "key_partnership_edit", pk=kp.pk)
    page = client.get(address).content.decode()
    assert "G-OPEN" not in page
    data = form_data(world, name="Vale Leisure Trust", lead_service="Leisure and Culture")
    assert client.post(address, data).status_code == 302
    kp.refresh_from_db()
    assert kp.lead_service == "Leisure and Culture"
    assert [r.code for r in kp.risks.all()] == ["G-OPEN"]


def test_the_record_lists_its_agreements_to_those_who_may_see_them(client, world, perf, kp):
    from tests.performance.test_agreements import make_agreement

    make_agreement(world, perf, timezone.localdate(), key_partnership=kp, title="Swim outreach")
    url = at(world, "key_partnership", pk=kp.pk)
    client.force_login(world.member)  # sits on the Safer Group, the commissioning body
    assert "Swim outreach" in client.get(url).content.decode()
    client.force_login(world.other_member)  # reads the register, not the Safer Group's SLAs
    page = client.get(url).content.decode()
    assert "Swim outreach" not in page and "No linked agreements that you can see" in page


def test_the_publications_page_links_the_register_only_while_it_is_published(client, world, kp):
    address = reverse(
        "performance:publication_list", kwargs={"partnership": world.partnership.slug}
    )
    assert "The register of key partnerships" not in client.get(address).content.decode()
    key_partnership_settings_save(
        actor=world.coordinator,
        partnership=world.partnership,
        review_years=3,
        publish_register=True,
    )
    assert "The register of key partnerships" in client.get(address).content.decode()


@pytest.mark.parametrize("query", ["lead=99999999999999999999999", "page=99999999999999999999999"])
def test_a_number_too_big_for_the_database_is_ignored(client, world, kp, query):
    key_partnership_settings_save(
        actor=world.coordinator,
        partnership=world.partnership,
        review_years=3,
        publish_register=True,
    )
    register = reverse(
        "performance:key_partnership_list", kwargs={"partnership": world.partnership.slug}
    )
    export = reverse(
        "performance:key_partnership_export", kwargs={"partnership": world.partnership.slug}
    )
    assert client.get(f"{register}?{query}").status_code == 200
    assert client.get(f"{export}?{query}").status_code == 200
