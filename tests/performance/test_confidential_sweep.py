"""Every performance page, read as each role: what is not theirs to see never appears.

Three markers are planted in the `perf` world:
- SECRETKPI: the title and signed-off commentary of an unpublished Safer Group indicator,
  for the group's insiders only (its members, chair, co-ordinators, the lead);
- SUBMITTEDNOTE: the commentary of a published indicator's return that is submitted but not
  yet signed off, which the public never sees;
- DRAFTNOTE: a lead's draft, which nobody but its writer sees;
- SECRETRISK: the title of a confidential Safer Group risk (and its control), for the group's
  insiders only: never the public, another group's members, or the Board's people as such;
- KPSECRET: a key partnership's money, liabilities, exit strategy, memorandum and review
  answers, for the register's readers (anyone sitting on a body, its keepers): never the public,
  though the register is published (its public fields only);
- SLASECRET: a Safer Group commissioning agreement's content, for the group's insiders only.
Each matrix of the area's own tests says who gets which page; this sweep reads every page
that answers 200 and checks the markers in what comes back.
"""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from performance import services
from tests.performance.conftest import signed_off
from tests.test_url_access import ROLES, _client_for, drain

SAFER_INSIDERS = {"member", "chair", "group_coordinator", "coordinator"}
MARKERS = {
    b"SECRETKPI": SAFER_INSIDERS,
    b"SUBMITTEDNOTE": SAFER_INSIDERS,
    b"DRAFTNOTE": {"member"},
    b"SECRETRISK": SAFER_INSIDERS,
    b"KPSECRET": {"other_member", "member", "chair", "coordinator"},
    b"SLASECRET": SAFER_INSIDERS,
}


@pytest.fixture
def planted(world, perf):
    secret = services.indicator_create(
        actor=None,
        partnership=world.partnership,
        body=world.group,
        outcome=perf.outcome,
        code="SC09",
        title="SECRETKPI repeat victims",
        unit="number",
        polarity="lower",
        lead=world.member,
    )
    services.target_set(actor=None, indicator=secret, year=perf.period.year - 1, value=Decimal(9))
    previous = perf.period.previous()
    signed_off(
        secret,
        previous,
        12,
        by=world.member,
        signer=world.group_coordinator,
        commentary="SECRETKPI commentary",
    )
    services.return_submit(
        actor=world.member,
        indicator=perf.burglary,
        period=perf.period,
        version=0,
        value=Decimal(97),
        commentary="SUBMITTEDNOTE about the quarter",
    )
    services.return_save(
        actor=world.member,
        indicator=perf.satisfaction,
        period=perf.period,
        version=0,
        value=Decimal(70),
        commentary="DRAFTNOTE not yet checked",
    )
    return secret, previous


def plant_reports(world, perf, previous):
    """The reports the sweep reads: the Safer Group's exception report for the quarter
    SECRETKPI reported in (members only), the Board's six-monthly report (members only, holding
    unpublished indicators) and a published annual report (public: published indicators only)."""
    from django.utils import timezone

    from partnership.periods import financial_year
    from performance.models import Report

    exception = services.exception_report_draft(body=world.group, period=previous)
    half = previous if previous.number in (2, 4) else previous.previous()
    six_monthly = services.six_monthly_build(
        actor=world.coordinator, partnership=world.partnership, year=half.year, half=half.number
    )
    annual = services.annual_build(
        actor=world.coordinator,
        partnership=world.partnership,
        year=financial_year(timezone.localdate()) - 1,
    )
    services.report_approve(actor=world.chair, report=annual)
    annual = services.report_publish(
        actor=world.coordinator, report=Report.objects.get(pk=annual.pk)
    )
    return [exception, six_monthly, annual]


def plant_risk(world):
    """A confidential Safer Group risk owned by ``member``, with a control and a review."""
    risk = services.risk_create(
        actor=None,
        body=world.group,
        code="G-SECRET",
        title="SECRETRISK informant exposed",
        description="SECRETRISK cause and effect",
        category=services.risk_categories(world.partnership)[0],
        owner=world.member,
        owner_organisation=world.council,
        inherent_likelihood=4,
        inherent_impact=5,
        residual_likelihood=3,
        residual_impact=4,
        target_likelihood=2,
        target_impact=2,
        confidential=True,
    )
    control = services.control_add(
        actor=None,
        risk=risk,
        description="SECRETRISK control",
        owner=world.member,
        due_on=world.start,
    )
    return risk, control


def risk_pages(world):
    p = world.partnership.slug
    risk, control = plant_risk(world)
    pages = [reverse("performance:risk_list", kwargs={"partnership": p})]
    for basis in ("residual", "inherent", "target"):
        address = reverse("performance:risk_heat_map", kwargs={"partnership": p})
        pages += [address + f"?basis={basis}", address + f"?basis={basis}&body={world.group.slug}"]
    for body in (world.group, world.board, world.other):
        kwargs = {"partnership": p, "body": body.slug}
        pages += [
            reverse(f"performance:{name}", kwargs=kwargs)
            for name in ("body_risks", "risk_create", "risk_appetite")
        ]
    pages.append(reverse("performance:risk_settings", kwargs={"partnership": p}))
    # The public's summary of the registers, published: counts, and never the confidential risk.
    services.risk_settings_update(actor=None, partnership=world.partnership, publish_summary=True)
    pages.append(reverse("performance:risk_summary", kwargs={"partnership": p}))
    for name in ("risk", "risk_edit", "risk_close", "risk_review", "risk_accept"):
        pages.append(reverse(f"performance:{name}", kwargs={"partnership": p, "pk": risk.pk}))
    pages += [
        reverse("performance:risk_control_create", kwargs={"partnership": p, "pk": risk.pk}),
        reverse("performance:risk_control_edit", kwargs={"partnership": p, "pk": control.pk}),
    ]
    # The register's exports (xlsx last in its address: the sweep reads it as a workbook), its
    # import, its PDF's page and the report the PDF is made from.
    export = reverse("performance:risk_export", kwargs={"partnership": p})
    for body in ("", world.group.slug, world.board.slug):
        pages += [export + f"?body={body}&format=csv", export + f"?body={body}&format=xlsx"]
    pages.append(reverse("performance:risk_import", kwargs={"partnership": p}))
    for body in (world.group, world.board, world.other):
        kwargs = {"partnership": p, "body": body.slug}
        pages.append(reverse("performance:risk_register_pdf", kwargs=kwargs))
    from performance.services.reports.risk_register import risk_register_build

    register = risk_register_build(body=world.group)
    pages.append(reverse("performance:report", kwargs={"partnership": p, "pk": register.pk}))
    return pages


def every_page(world, perf, secret, previous):
    p = world.partnership.slug
    body = {"partnership": p, "body": world.group.slug}

    def ind(indicator, **more):
        return {"partnership": p, "pk": indicator.pk, **more}

    def ret(name, indicator, period):
        return reverse(f"performance:{name}", kwargs=ind(indicator, period=period.slug))

    pages = [
        reverse("account:home"),
        reverse("my_returns"),
        reverse("performance:dashboard", kwargs={"partnership": p}),
        reverse("performance:dashboard", kwargs={"partnership": p}) + "?rag=red",
        reverse("performance:body_dashboard", kwargs=body),
        reverse("performance:body_returns", kwargs=body),
        reverse("performance:body_returns", kwargs=body) + f"?period={previous.slug}",
        reverse("performance:open_data_csv", kwargs={"partnership": p}),
        reverse("performance:outcome_list", kwargs={"partnership": p}),
        reverse("performance:outcome", kwargs={"partnership": p, "pk": perf.outcome.pk}),
        reverse("performance:outcome_edit", kwargs={"partnership": p, "pk": perf.outcome.pk}),
        reverse("performance:deadlines", kwargs=body),
        reverse("performance:indicator_export", kwargs={"partnership": p}),
        reverse("performance:indicator_export", kwargs={"partnership": p}) + "?format=xlsx",
        reverse("performance:indicator_import", kwargs={"partnership": p}),
    ]
    for indicator in (perf.burglary, perf.satisfaction, secret):
        pages += [
            reverse("performance:indicator", kwargs=ind(indicator)),
            reverse("performance:indicator_edit", kwargs=ind(indicator)),
            reverse("performance:targets_edit", kwargs=ind(indicator, year=perf.period.year)),
        ]
        for period in (perf.period, previous):
            pages += [
                ret("return", indicator, period),
                ret("return_rating", indicator, period) + "?value=5",
                ret("return_send_back", indicator, period),
                ret("return_reopen", indicator, period),
                ret("return_delegate", indicator, period),
            ]
    pages += [
        reverse("performance:report_list", kwargs={"partnership": p}),
        reverse("performance:publication_list", kwargs={"partnership": p}),
        reverse("performance:publication_feed", kwargs={"partnership": p}),
        reverse("performance:exception_report_create", kwargs=body),
    ]
    for report in plant_reports(world, perf, previous):
        for name in ("report", "report_edit", "report_submit", "report_review"):
            pages.append(reverse(f"performance:{name}", kwargs={"partnership": p, "pk": report.pk}))
    return pages + risk_pages(world) + key_partnership_pages(world, perf)


def key_partnership_pages(world, perf):
    """A key partnership linked to the confidential risk, reviewed, in a published register;
    a Safer Group agreement linked to it; the twice-yearly report and the register's PDF."""
    from datetime import timedelta

    from django.utils import timezone

    from performance.models import Risk
    from performance.services.partnership_reviews import key_partnership_review_record
    from performance.services.partnerships import (
        key_partnership_create,
        key_partnership_settings_save,
    )
    from performance.services.reports.key_partnership_register import (
        key_partnership_register_build,
    )
    from performance.services.reports.key_partnerships import key_partnerships_build
    from tests.performance.test_agreements import make_agreement

    p, today = world.partnership.slug, timezone.localdate()
    kp = key_partnership_create(
        actor=world.coordinator,
        partnership=world.partnership,
        name="Vale Leisure Trust",
        lead_organisation=world.council,
        lead_service="Leisure Contracts",
        lead_officer=world.member,
        remit="Runs the leisure centres.",
        bodies=[world.group],
        meets_key_criteria=True,
        key_criteria=["financial"],
        monitoring_arrangements="Monthly operational meetings.",
        additional_monitoring=False,
        funding="KPSECRET management fee",
        annual_value=1250000,
        liabilities="KPSECRET buildings",
        exit_strategy="KPSECRET break clause",
        notice_period="KPSECRET twelve months",
        mou_text="KPSECRET memorandum",
        risks=[Risk.objects.get(code="G-SECRET")],
        indicators=[perf.burglary],
        next_review_on=today + timedelta(days=30),
    )
    review = key_partnership_review_record(
        actor=world.coordinator,
        key_partnership=kp,
        reviewed_on=today,
        still_needed="KPSECRET still needed",
        delivering="Yes.",
        value_for_money="Yes.",
        governance="Sound.",
        partner_strength="concerns",
        partner_strength_notes="KPSECRET the trust's reserves",
        risks="Old plant.",
        outcome="change",
        changes_needed="KPSECRET renegotiate the fee",
        actions=[],
    )
    key_partnership_settings_save(
        actor=world.coordinator,
        partnership=world.partnership,
        review_years=3,
        publish_register=True,
    )
    agreement = make_agreement(
        world, perf, today, key_partnership=kp, purpose="SLASECRET mediation in the hotspots"
    )
    half = 2 if today.month in (4, 5, 6, 7, 8, 9) else 4
    year = today.year if today.month >= 4 else today.year - 1
    report = key_partnerships_build(
        actor=world.coordinator, partnership=world.partnership, year=year, half=half
    )
    snapshot = key_partnership_register_build(
        actor=world.coordinator, partnership=world.partnership
    )
    register = reverse("performance:key_partnership_list", kwargs={"partnership": p})
    export = reverse("performance:key_partnership_export", kwargs={"partnership": p})
    agreements_export = reverse("performance:agreement_export", kwargs={"partnership": p})
    pages = [
        register,
        register + "?status=all",
        export + "?format=csv",
        export + "?format=xlsx",
        reverse("performance:key_partnership_create", kwargs={"partnership": p}),
        reverse("performance:key_partnership_settings", kwargs={"partnership": p}),
        reverse("performance:key_partnership_register_pdf", kwargs={"partnership": p}),
        reverse("performance:key_partnership_review", kwargs={"partnership": p, "pk": review.pk}),
        reverse("performance:agreement_list", kwargs={"partnership": p}),
        reverse("performance:agreement_create", kwargs={"partnership": p}),
        agreements_export + "?format=csv",
        agreements_export + "?format=xlsx",
    ]
    for name in ("key_partnership", "key_partnership_edit", "key_partnership_end"):
        pages.append(reverse(f"performance:{name}", kwargs={"partnership": p, "pk": kp.pk}))
    pages.append(
        reverse("performance:key_partnership_review_create", kwargs={"partnership": p, "pk": kp.pk})
    )
    for name in ("agreement", "agreement_edit"):
        pages.append(reverse(f"performance:{name}", kwargs={"partnership": p, "pk": agreement.pk}))
    due = agreement.reviews.order_by("due_on").first()
    pages.append(reverse("performance:agreement_review", kwargs={"partnership": p, "pk": due.pk}))
    for built in (report, snapshot):
        pages.append(reverse("performance:report", kwargs={"partnership": p, "pk": built.pk}))
    return pages


@pytest.mark.parametrize("role", ROLES)
def test_nothing_confidential_reaches_anyone_it_is_not_for(role, client, world, perf, planted):
    secret, previous = planted
    client = _client_for(client, world, role)
    read = 0
    for url in every_page(world, perf, secret, previous):
        response = client.get(url)
        body = drain(response)
        if response.status_code != 200:
            continue
        read += 1
        if url.endswith("format=xlsx"):
            sheet = openpyxl.load_workbook(io.BytesIO(body)).active
            body = " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row)
            body = body.encode()
        for marker, allowed in MARKERS.items():
            assert (marker in body) <= (role in allowed), (role, url, marker)
    assert read > 0


def test_the_insiders_do_see_what_the_sweep_looks_for(client, world, perf, planted):
    """The sweep would catch a leak: the markers are on the pages for those they are for."""
    client.force_login(world.member)
    p = world.partnership.slug
    dashboard = client.get(reverse("performance:dashboard", kwargs={"partnership": p}))
    assert b"SECRETKPI" in dashboard.content
    page = client.get(
        reverse(
            "performance:return",
            kwargs={"partnership": p, "pk": perf.burglary.pk, "period": perf.period.slug},
        )
    )
    assert b"SUBMITTEDNOTE" in page.content
    draft = client.get(
        reverse(
            "performance:return",
            kwargs={"partnership": p, "pk": perf.satisfaction.pk, "period": perf.period.slug},
        )
    )
    assert b"DRAFTNOTE" in draft.content
    exception, six_monthly, annual = plant_reports(world, perf, perf.period.previous())
    for report in (exception, six_monthly):
        page = client.get(reverse("performance:report", kwargs={"partnership": p, "pk": report.pk}))
        assert b"SECRETKPI" in page.content, report.title


def test_the_register_readers_do_see_the_key_partnership_markers(client, world, perf, planted):
    """KPSECRET and SLASECRET are on the pages for those they are for: the sweep would catch
    them anywhere else."""
    secret, previous = planted
    pages = every_page(world, perf, secret, previous)
    client.force_login(world.member)
    seen = b"".join(client.get(url).content for url in pages if "key-partnerships" in url)
    assert b"KPSECRET" in seen
    seen = b"".join(client.get(url).content for url in pages if "/agreements/" in url)
    assert b"SLASECRET" in seen


def test_the_risks_insiders_do_see_the_confidential_risk(client, world, perf):
    """SECRETRISK is on the risk's page and the group's register for an insider: the sweep
    would catch it anywhere else."""
    risk, _ = plant_risk(world)
    client.force_login(world.group_coordinator)
    p = world.partnership.slug
    for address in (
        reverse("performance:risk", kwargs={"partnership": p, "pk": risk.pk}),
        reverse("performance:body_risks", kwargs={"partnership": p, "body": world.group.slug}),
        reverse("performance:risk_list", kwargs={"partnership": p}),
    ):
        assert b"SECRETRISK" in client.get(address).content, address
