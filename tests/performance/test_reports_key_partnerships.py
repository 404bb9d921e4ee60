"""The twice-yearly key partnerships report and the register as a PDF: built from the register
as it stands (performance/services/reports/key_partnerships.py, key_partnership_register.py),
approved by the governance lead rather than a chair, added to a meeting, rendered, never public.

Key partnerships are made with the ORM here: the register's own services are tested with them.
The report covers the half-year in progress, so a review recorded today is in it.
"""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from governance.models import AgendaItem, Purpose
from partnership.models import Notice
from partnership.storage import private_storage
from performance import permissions, selectors, services
from performance.forms.board_reports import Half
from performance.models import (
    CommissioningAgreement,
    KeyPartnership,
    KeyPartnershipReview,
    Report,
    ReportKind,
    ReportStatus,
    Risk,
)
from performance.services.reports.key_partnership_register import (
    key_partnership_register_build,
)
from performance.services.reports.key_partnerships import key_partnerships_build
from performance.services.reports.rendering import report_render
from tests.conftest import appoint_governance_lead
from tests.governance.helpers import schedule
from tests.performance.conftest import circulated, signed_off
from tests.performance.test_risk_urls import make_risk
from tests.test_url_access import ROLES, _check, _client_for

KP_REPORT_URLS = {"performance:key_partnership_register_pdf"}


# --- the register, made directly -------------------------------------------------------------


def key_partnership(w, name: str, **fields) -> KeyPartnership:
    today = timezone.localdate()
    values = {
        "partnership": w.partnership,
        "name": name,
        "lead_organisation": w.council,
        "lead_service": "Community Safety",
        "lead_officer": w.member,
        "remit": "To reduce crime and disorder across Testshire. " * 3,
        "meets_key_criteria": True,
        "key_criteria": ["statutory", "reliance"],
        "monitoring_arrangements": "A quarterly report to the Board.",
        "additional_monitoring": False,
        "annual_value": Decimal("125000.00"),
        "funding": "Council and police contributions",
        "next_review_on": today + timedelta(days=400),
    }
    values.update(fields)
    return KeyPartnership.objects.create(**values)


def review(kp, *, by, outcome="continue", on=None, strength="strong", changes=""):
    return KeyPartnershipReview.objects.create(
        key_partnership=kp,
        reviewed_on=on or timezone.localdate(),
        reviewer=by,
        still_needed="Yes: it is a statutory partnership.",
        delivering="Mostly.",
        value_for_money="Yes.",
        governance="Sound.",
        partner_strength=strength,
        partner_strength_notes="The police restructure leaves its partners stretched.",
        risks="Funding ends in 2028.",
        changes_needed=changes,
        outcome=outcome,
    )


def agreement(w, kp, reference: str, total: str) -> CommissioningAgreement:
    today = timezone.localdate()
    return CommissioningAgreement.objects.create(
        partnership=w.partnership,
        commissioning_body=w.group,
        reference=reference,
        title=f"Outreach service {reference}",
        provider=w.charity,
        purpose="Outreach.",
        starts_on=today - timedelta(days=100),
        ends_on=today + timedelta(days=265),
        supervisor=w.member,
        provider_representative="Pat Provider, manager",
        provider_representative_email="pat@example.org",
        partnership_obligations="Funding quarterly in advance.",
        provider_obligations="DBS checks for staff.",
        service_specification="Weekly outreach sessions.",
        target_user_group="Young people",
        sustainability_plan="Match funding.",
        risk_assessment="Low.",
        potential_savings="Fewer call-outs.",
        equality_statement="Open to all.",
        community_engagement="Youth forum.",
        total_cost=Decimal(total),
        monitoring_arrangements="Quarterly returns.",
        default_terms="Notice of 30 days.",
        arbitration_terms="Negotiation, then mediation.",
        key_partnership=kp,
    )


def this_half() -> Half:
    return Half.of(timezone.localdate())


def build(w, *, actor=None) -> Report:
    half = this_half()
    return key_partnerships_build(
        actor=actor or w.coordinator, partnership=w.partnership, year=half.year, half=half.half
    )


@pytest.fixture
def lead(world):
    return appoint_governance_lead(world)


@pytest.fixture
def register(world, perf):
    """Three key partnerships: the Community Safety Partnership (SC01 linked and rated red this
    quarter, a very high risk and a confidential one linked, an agreement, reviewed today with
    outcome "change"); the Health and Wellbeing Board (reports to the executive itself); and
    the Leisure Trust, never reviewed."""
    w = world
    signed_off(perf.burglary, perf.period, 130, by=w.member, signer=w.group_coordinator)
    safety = key_partnership(w, "Community Safety Partnership", annual_value=Decimal("125000"))
    safety.indicators.add(perf.burglary, perf.satisfaction)
    high = make_risk(w, w.group, "KP-HIGH", owner=w.member, organisation=w.council, residual=(4, 4))
    secret = make_risk(
        w,
        w.group,
        "KP-CONF",
        owner=w.member,
        organisation=w.council,
        residual=(5, 4),
        confidential=True,
    )
    low = make_risk(w, w.group, "KP-LOW", owner=w.member, organisation=w.council, residual=(1, 2))
    safety.risks.add(high, secret, low)
    agreement(w, safety, "SLA-01", "40000.00")
    agreement(w, safety, "SLA-02", "2500.50")
    review(
        safety,
        by=w.coordinator,
        outcome="change",
        strength="concerns",
        changes="Bring the youth offending work into the partnership.",
    )
    health = key_partnership(
        w, "Health and Wellbeing Board", reports_to_executive=True, lead_organisation=w.charity
    )
    leisure = key_partnership(
        w, "Leisure Trust", next_review_on=timezone.localdate() - timedelta(days=3)
    )
    return {"safety": safety, "health": health, "leisure": leisure}


# --- the facts -------------------------------------------------------------------------------


def test_the_report_holds_every_key_partnership_from_the_live_register(world, perf, register):
    report = build(world)
    facts = report.facts
    period = this_half().label

    assert report.kind == ReportKind.KEY_PARTNERSHIPS
    assert report.body == world.board
    assert report.title == f"Key partnerships report: {period}"
    assert (facts["period"], facts["audience"], facts["has_unpublished"]) == (
        period,
        "members",
        True,
    )
    # In the order of the register; the one that reports itself is only listed.
    assert [kp["name"] for kp in facts["partnerships"]] == [
        "Community Safety Partnership",
        "Leisure Trust",
    ]
    assert [kp["name"] for kp in facts["own_reports"]] == ["Health and Wellbeing Board"]
    assert facts["own_reports"][0]["lead_organisation"] == "Testshire CVS"
    safety, leisure = facts["partnerships"]
    assert safety["lead_organisation"] == "Testshire Council"
    assert (safety["lead_service"], safety["lead_officer"]) == ("Community Safety", "Member")
    assert len(safety["remit"].split()) <= 61

    # Performance against targets: the latest signed-off figure, with its target and RAG.
    burglary, satisfaction = safety["indicators"]
    assert (burglary["code"], burglary["actual_text"], burglary["rag_label"]) == (
        "SC01",
        "130",
        "Red",
    )
    assert burglary["target_text"] == "100"
    assert burglary["as_at"] == perf.period.short_label
    assert satisfaction["published"] is False
    # Emerging issues: the review's words; the linked risks rated high or above appetite
    # counted, never named (the report's readers need not be the risks' own body's people).
    issues = safety["issues"]
    assert issues["flagged_risks"] == 2
    for code in ("KP-HIGH", "KP-CONF", "High risk", "Informant"):
        assert code not in str(facts)
    assert issues["red_indicators"] == ["SC01 Reported burglaries"]
    assert safety["review"]["changes_needed"].startswith("Bring the youth offending")
    assert safety["review"]["risks"] == "Funding ends in 2028."
    # Budget: its value and funding, and how many agreements with their sum: never an
    # agreement itself, which only its commissioning body's people read.
    budget = safety["budget"]
    assert budget["annual_value"] == "£125,000.00"
    assert budget["funding"] == "Council and police contributions"
    assert budget["agreements"] == 2
    assert "SLA-01" not in str(facts) and "Outreach service" not in str(facts)
    assert budget["agreements_total"] == "£42,500.50"
    # Partner strength and stability: the latest review's rating, with its date.
    assert safety["review"]["strength_label"] == "Concerns"
    assert safety["review"]["on"] == f"{timezone.localdate().day} {timezone.localdate():%B %Y}"
    assert leisure["review"] is None
    assert leisure["review_overdue"] is True
    # Changes: the review that ended in change.
    assert facts["changes"]["reviews"] == [
        {
            "name": "Community Safety Partnership",
            "on": safety["review"]["on"],
            "outcome": "change",
            "outcome_label": "Continue with changes",
            "changes_needed": "Bring the youth offending work into the partnership.",
        }
    ]
    summary = facts["summary"]
    assert (summary["active"], summary["covered"], summary["own_reports"]) == (3, 2, 1)
    assert (summary["overdue"], summary["reviews"], summary["ended"]) == (1, 1, 0)
    assert {o["label"]: o["count"] for o in summary["outcomes"]} == {
        "Continue as it is": 0,
        "Continue with changes": 1,
        "Exit the partnership": 0,
    }


def test_a_partnership_ended_in_the_half_is_under_changes_only(world, perf, register):
    today = timezone.localdate()
    KeyPartnership.objects.filter(pk=register["leisure"].pk).update(status="ended", ended_on=today)
    long_gone = key_partnership(world, "Old Forum")
    KeyPartnership.objects.filter(pk=long_gone.pk).update(
        status="ended", ended_on=today - timedelta(days=800)
    )

    facts = build(world).facts

    assert [kp["name"] for kp in facts["partnerships"]] == ["Community Safety Partnership"]
    assert facts["changes"]["ended"] == [
        {"name": "Leisure Trust", "on": f"{today.day} {today:%B %Y}"}
    ]
    assert "Old Forum" not in str(facts)


def test_partnerships_added_in_the_half_are_under_changes(world, perf, register):
    earlier = timezone.now() - timedelta(days=800)
    KeyPartnership.objects.exclude(pk=register["leisure"].pk).update(created_at=earlier)

    facts = build(world).facts

    assert [kp["name"] for kp in facts["changes"]["added"]] == ["Leisure Trust"]


def test_a_half_year_still_to_come_cannot_be_reported_on(world):
    later = this_half()
    later = Half(later.year + 1, later.half)
    with pytest.raises(ValidationError, match="once it has started"):
        key_partnerships_build(
            actor=None, partnership=world.partnership, year=later.year, half=later.half
        )
    with pytest.raises(ValidationError):
        key_partnerships_build(actor=None, partnership=world.partnership, year=2025, half=3)


def test_a_rebuild_makes_a_new_version_only_when_the_register_changed(world, perf, register):
    first = build(world)
    assert build(world).pk == first.pk

    review(register["leisure"], by=world.coordinator, outcome="exit", changes="Wind it down.")
    rebuilt = services.report_rebuild(actor=world.coordinator, report=first)

    first.refresh_from_db()
    assert rebuilt.version == 2 and first.status == ReportStatus.SUPERSEDED
    assert [r["name"] for r in rebuilt.facts["changes"]["reviews"]] == [
        "Community Safety Partnership",
        "Leisure Trust",
    ]


def _grow(w, perf, risk, *, upto: int) -> None:
    """Key partnerships KP 000 to upto - 1, each with an indicator, a risk, a review and an
    agreement."""
    have = KeyPartnership.objects.filter(name__startswith="KP ").count()
    for n in range(have, upto):
        kp = key_partnership(w, f"KP {n:03}", reports_to_executive=n % 5 == 0)
        kp.indicators.add(perf.burglary)
        kp.risks.add(risk)
        review(kp, by=w.coordinator, outcome="change", changes="More partners.")
        agreement(w, kp, f"SLA-{n:03}", "100.00")


def test_the_build_asks_the_same_queries_for_13_and_200_partnerships(
    world, perf, django_assert_num_queries
):
    risk = make_risk(world, world.group, "R1", owner=world.member, organisation=world.council)
    _grow(world, perf, risk, upto=12)
    build(world)
    _grow(world, perf, risk, upto=13)
    with CaptureQueriesContext(connection) as small:
        report = build(world)
    assert len(report.facts["partnerships"]) + len(report.facts["own_reports"]) == 13
    _grow(world, perf, risk, upto=200)

    with django_assert_num_queries(len(small.captured_queries)):
        report = build(world)
    assert len(report.facts["partnerships"]) + len(report.facts["own_reports"]) == 200


# --- the governance lead's approval ----------------------------------------------------------


def test_the_coordinator_submits_it_to_the_governance_lead_who_is_told(
    world, perf, register, lead, django_capture_on_commit_callbacks
):
    report = build(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_submit(actor=world.coordinator, report=report)

    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert services.report_approvers(report=report) == [lead]
    told = Notice.objects.get(recipient=lead, key__startswith="report_submitted:")
    assert told.subject == f"For your approval: {report.title}"
    assert not Notice.objects.filter(recipient=world.chair, key__startswith="report_submitted:")


def test_without_a_governance_lead_it_cannot_be_submitted(world, perf, register):
    report = build(world)
    with pytest.raises(ValidationError, match="no governance lead"):
        services.report_submit(actor=world.coordinator, report=report)


def test_the_governance_lead_approves_it_and_it_is_rendered(
    world, perf, register, lead, monkeypatch
):
    renders = []
    monkeypatch.setattr(
        "performance.services.reports.rendering.report_render_later",
        lambda report, *, requested_by=None: renders.append(report.pk),
    )
    report = build(world)
    services.report_submit(actor=world.coordinator, report=report)

    services.report_approve(actor=lead, report=report, comments="Clear.")

    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED and report.approved_by == lead
    (decision,) = report.reviews.all()
    assert (decision.acting_as, decision.outcome) == ("Governance lead", "approved")
    assert renders == [report.pk]
    assert report.agenda_item is None  # the co-ordinator adds it to a meeting


def test_neither_a_chair_nor_a_coordinator_approves_it(world, perf, register, lead):
    report = build(world)
    services.report_submit(actor=world.coordinator, report=report)

    for person in (world.chair, world.coordinator, world.group_coordinator):
        with pytest.raises(ValidationError, match="governance lead"):
            services.report_approve(actor=person, report=report)
        assert not permissions.can_approve_report(person, report)
    assert permissions.can_approve_report(lead, report)
    assert report.reviews.count() == 0


def test_the_governance_lead_returns_it_with_comments(
    world, perf, register, lead, django_capture_on_commit_callbacks
):
    report = build(world)
    services.report_submit(actor=world.coordinator, report=report)
    with pytest.raises(ValidationError):
        services.report_return(actor=lead, report=report, comments=" ")

    with django_capture_on_commit_callbacks(execute=True):
        services.report_return(actor=lead, report=report, comments="Say more on the Trust.")

    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    (decision,) = report.reviews.all()
    assert (decision.acting_as, decision.comments) == ("Governance lead", "Say more on the Trust.")
    notice = Notice.objects.get(recipient=world.coordinator, key__startswith="report_returned:")
    assert notice.subject == f"Returned by the governance lead: {report.title}"


def test_the_governance_lead_writes_the_narrative_and_the_chair_does_not(
    world, perf, register, lead
):
    report = build(world)
    narrative = {"summary": "Two partnerships need attention.", "recommendations": "Note it."}

    report = services.report_save_narrative(actor=lead, report=report, narrative=narrative)

    assert report.narrative == narrative
    assert permissions.can_edit_report(world.coordinator, report)
    with pytest.raises(ValidationError, match="governance lead"):
        services.report_save_narrative(actor=world.chair, report=report, narrative={})


# --- to a meeting, and who reads it ----------------------------------------------------------


def approved(world, lead) -> Report:
    report = build(world)
    services.report_submit(actor=world.coordinator, report=report)
    return services.report_approve(actor=lead, report=report)


def test_once_approved_the_coordinator_adds_it_to_a_board_meeting_as_confidential(
    world, perf, register, lead, monkeypatch
):
    monkeypatch.setattr(
        "performance.services.reports.rendering.report_render_later", lambda *a, **k: None
    )
    meeting = schedule(world, days=14)
    draft = build(world)
    with pytest.raises(ValidationError, match="governance lead approves"):
        services.report_add_to_meeting(actor=world.coordinator, report=draft, meeting=meeting)
    report = approved(world, lead)

    item = services.report_add_to_meeting(actor=world.coordinator, report=report, meeting=meeting)

    assert item.purpose == Purpose.INFORMATION
    assert item.confidential is True
    assert AgendaItem.objects.filter(title=report.title).count() == 1
    with pytest.raises(ValidationError):
        services.report_add_to_meeting(
            actor=world.coordinator,
            report=report,
            meeting=schedule(world, days=7, body=world.other),
        )


def test_it_never_becomes_public_even_on_a_published_agenda(
    world, perf, register, lead, monkeypatch
):
    monkeypatch.setattr(
        "performance.services.reports.rendering.report_render_later", lambda *a, **k: None
    )
    from governance import services as gs

    meeting = schedule(world, days=14)
    report = approved(world, lead)
    item = services.report_add_to_meeting(actor=world.coordinator, report=report, meeting=meeting)
    # Even on an item someone made public, with its paper out on a published agenda.
    AgendaItem.objects.filter(pk=item.pk).update(confidential=False)
    gs.meeting_publish(actor=world.coordinator, meeting=meeting)
    report = circulated(report)

    assert permissions.is_public_report(report) is False
    assert report not in selectors.public_reports(partnership=world.partnership)
    assert not permissions.can_see_report(world.outsider, report)


def test_the_governance_lead_and_board_members_read_it_others_do_not(world, perf, register, lead):
    report = build(world)

    assert permissions.can_see_report(lead, report)
    assert permissions.can_see_report(world.member, report)
    assert not permissions.can_see_report(world.other_member, report)
    assert report in selectors.reports_for(user=lead, partnership=world.partnership)


# --- the PDF ---------------------------------------------------------------------------------


def text_of(pdf: bytes) -> str:
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join((page.extract_text() or "") for page in pages).split())


def rendered(report: Report) -> bytes:
    assert report_render(report_id=report.pk) is True
    report.refresh_from_db()
    with private_storage.open(report.pdf.name, "rb") as handle:
        return handle.read()


def test_the_report_renders_to_a_tagged_pdf_with_its_sections(world, perf, register):
    report = build(world)
    pdf = rendered(report)
    text = text_of(pdf)
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]

    assert root["/MarkInfo"]["/Marked"].value is True and root["/Lang"] == "en-GB"
    assert report.title in text
    for words in (
        "Community Safety Partnership",
        "Performance against targets",
        "SC01 Reported burglaries",
        "Red",
        "Emerging issues",
        "£42,500.50",
        "Partner strength and stability",
        "Concerns",
        "Not yet reviewed",
        "Continue with changes",
        "Health and Wellbeing Board",
        "Summary for the executive",
    ):
        assert words in text, words
    assert "KP-CONF" not in text


def test_the_register_pdf_holds_every_field_of_every_active_partnership(world, perf, register):
    report = key_partnership_register_build(partnership=world.partnership, actor=world.member)
    text = text_of(rendered(report))
    facts = report.facts

    assert report.kind == ReportKind.KEY_PARTNERSHIP_REGISTER and report.body == world.board
    assert facts["has_unpublished"] is True and facts["count"] == 3
    safety = facts["partnerships"][0]
    # Read by anyone on any body: risks and unpublished indicators are counted, not named.
    assert safety["risks"] == 3
    assert safety["indicators"] == ["SC01: Reported burglaries"]
    assert safety["unpublished_indicators"] == 1
    assert "KP-HIGH" not in text and "Residents satisfied" not in text
    assert "3 open risks linked" in text
    for words in ("Community Safety Partnership", "Exit strategy", "Monitoring arrangements"):
        assert words in text
    assert "A register is not approved" in text
    # Built again unchanged: the same version.
    assert key_partnership_register_build(partnership=world.partnership).pk == report.pk
    assert not permissions.can_edit_report(world.coordinator, report)
    assert permissions.is_public_report(report) is False


def test_the_register_pdf_is_read_by_everyone_who_reads_the_register(world, perf, register):
    report = key_partnership_register_build(partnership=world.partnership)

    assert permissions.can_see_report(world.other_member, report)
    assert not permissions.can_see_report(world.outsider, report)
    # It is reached from the register, not listed with the reports.
    assert report not in selectors.reports_for(user=world.member, partnership=world.partnership)


# --- the pages -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_key_partnership_report_urls_as(role, client, world):
    client = _client_for(client, world, role)
    inside = {**dict.fromkeys(ROLES, 200), "anonymous": "login", "outsider": 404}
    # The group co-ordinator sits on no body and keeps nothing: the register is not theirs.
    inside["group_coordinator"] = 404
    address = reverse(
        "performance:key_partnership_register_pdf", kwargs={"partnership": world.partnership.slug}
    )
    _check(client.get(address), inside[role], address)
    build_address = reverse(
        "performance:board_report_create",
        kwargs={"partnership": world.partnership.slug, "kind": "key-partnerships"},
    )
    builders = {**dict.fromkeys(ROLES, 403), "anonymous": "login", "coordinator": 200}
    _check(client.get(build_address), builders[role], build_address)


def test_posting_to_the_register_pdf_builds_it_and_shows_its_progress(
    client, world, perf, register, monkeypatch
):
    asked = []
    monkeypatch.setattr(
        "performance.services.reports.rendering.report_render_later",
        lambda report, *, requested_by=None: asked.append(report.pk),
    )
    client.force_login(world.other_member)
    address = reverse(
        "performance:key_partnership_register_pdf", kwargs={"partnership": world.partnership.slug}
    )

    response = client.post(address)

    report = Report.objects.get(kind=ReportKind.KEY_PARTNERSHIP_REGISTER)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/reports/{report.pk}/pdf/?progress=1")
    assert asked == [report.pk]
    progress = client.get(response["Location"])
    assert progress.status_code == 200


def test_the_governance_lead_builds_it_from_the_reports_list(
    client, world, perf, register, lead, monkeypatch
):
    monkeypatch.setattr(services, "report_render_later", lambda report, **kw: None)
    client.force_login(lead)
    listing = client.get(
        reverse("performance:report_list", kwargs={"partnership": world.partnership.slug})
    )
    assert "Build the key partnerships report" in listing.content.decode()
    address = reverse(
        "performance:board_report_create",
        kwargs={"partnership": world.partnership.slug, "kind": "key-partnerships"},
    )
    page = client.get(address).content.decode()
    assert "(in progress)" in page

    response = client.post(address, {"half": this_half().value})

    report = Report.objects.get(kind=ReportKind.KEY_PARTNERSHIPS)
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    assert report.built_by == lead


def test_the_pages_name_the_governance_lead_never_the_chair(
    client, world, perf, register, lead, monkeypatch
):
    monkeypatch.setattr(
        "performance.services.reports.rendering.report_render_later", lambda *a, **k: None
    )
    report = build(world)
    p = world.partnership.slug
    client.force_login(world.coordinator)
    detail = client.get(report.get_absolute_url()).content.decode()
    assert "Submit to the governance lead" in detail
    submit = reverse("performance:report_submit", kwargs={"partnership": p, "pk": report.pk})
    page = client.get(submit).content.decode()
    assert "Submit the report to the governance lead" in page
    assert "chair" not in page.split('id="main-content"')[-1].lower()

    response = client.post(submit, {})
    assert response.status_code == 302
    client.force_login(lead)
    detail = client.get(report.get_absolute_url()).content.decode()
    assert "Awaiting the governance lead" in detail
    review_url = reverse("performance:report_review", kwargs={"partnership": p, "pk": report.pk})
    response = client.post(review_url, {"outcome": "approve", "comments": ""})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    client.force_login(world.coordinator)
    meeting_page = reverse(
        "performance:report_add_to_meeting", kwargs={"partnership": p, "pk": report.pk}
    )
    assert client.get(meeting_page).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_nothing_confidential_reaches_anyone_it_is_not_for(role, client, world, perf, register):
    """The sweep of tests/performance/test_confidential_sweep.py, for these reports: a
    confidential risk is never named; an unpublished indicator reaches only the Safer Group's
    insiders (the twice-yearly report's readers all are; the register's PDF counts it)."""
    safety = register["safety"]
    secret = make_risk(
        world,
        world.group,
        "KP-SECRET",
        owner=world.member,
        organisation=world.council,
        residual=(5, 5),
        confidential=True,
    )
    Risk.objects.filter(pk=secret.pk).update(title="SECRETRISK informant exposed")
    safety.risks.add(secret)
    perf.satisfaction.title = "SECRETKPI satisfaction"
    perf.satisfaction.save(update_fields=["title"])
    p = world.partnership.slug
    report = build(world)
    snapshot = key_partnership_register_build(partnership=world.partnership)
    pages = [
        reverse("performance:report", kwargs={"partnership": p, "pk": report.pk}),
        reverse("performance:report", kwargs={"partnership": p, "pk": snapshot.pk}),
        reverse("performance:key_partnership_register_pdf", kwargs={"partnership": p}),
        reverse("performance:report_list", kwargs={"partnership": p}),
    ]
    insiders = {"member", "chair", "group_coordinator", "coordinator"}
    client = _client_for(client, world, role)
    read = 0
    for url in pages:
        response = client.get(url)
        if response.status_code != 200:
            continue
        read += 1
        assert b"SECRETRISK" not in response.content, (role, url)
        assert (b"SECRETKPI" in response.content) <= (role in insiders), (role, url)
    assert read > 0 or role in ("anonymous", "outsider")
