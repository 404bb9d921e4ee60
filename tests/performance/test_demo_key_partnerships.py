"""The demo's register of key partnerships: 13 in the shape of Chorley's Appendix A, published,
two reviews overdue and two due within 90 days, linked to the demo's bodies, risks and
indicators, built through the services (so each has its history). Loaded once for the module
(after the demo, its performance and risks, as ``make demo`` loads them) and rolled back at its
end; loading it again changes nothing."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from partnership.models import Partnership
from performance.demo_partnerships import REGISTER, load_key_partnerships
from performance.models import CommissioningAgreement, KeyPartnership, KeyPartnershipSettings
from performance.permissions import register_is_published


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("load_demo", "--force", stdout=StringIO())
            call_command("load_demo_performance", "--force", stdout=StringIO())
            call_command("load_demo_risks", "--force", stdout=StringIO())
            out = StringIO()
            call_command("load_demo_key_partnerships", "--force", stdout=out)
            partnership = Partnership.objects.get(slug="demo")
            yield SimpleNamespace(
                output=out.getvalue(),
                key_partnerships=list(KeyPartnership.objects.filter(partnership=partnership)),
            )
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def loaded(demo, db):
    return demo


def test_the_demo_loads_13_key_partnerships_and_publishes_the_register(loaded):
    demo = Partnership.objects.get(slug="demo")
    assert KeyPartnership.objects.filter(partnership=demo).count() == 13 == len(REGISTER)
    assert len(loaded.key_partnerships) == 13
    # The command says what it loaded, and loads the commissioning agreements after.
    assert "Loaded 13 key partnerships, published" in loaded.output
    assert CommissioningAgreement.objects.filter(partnership=demo).exists()
    assert register_is_published(demo)
    assert KeyPartnershipSettings.objects.get(partnership=demo).review_years == 3
    names = set(KeyPartnership.objects.values_list("name", flat=True))
    assert "Mercia Vale Partnership (LSP)" in names


def test_two_reviews_are_overdue_and_two_due_within_90_days(loaded):
    today = timezone.localdate()
    rows = KeyPartnership.objects.all()
    overdue = {kp.name for kp in rows if kp.next_review_on < today}
    soon = {kp.name for kp in rows if today <= kp.next_review_on <= today + timedelta(days=90)}
    assert overdue == {"GreenCycle Waste and Recycling Contract", "Valley Park Golf Course"}
    assert soon == {"Vale Active Leisure Trust", "Payroll Shared Service"}
    assert "GreenCycle Waste and Recycling Contract and Valley Park Golf Course" in loaded.output


def test_each_follows_appendix_a_with_its_leads_links_and_history(loaded):
    rows = KeyPartnership.objects.select_related("lead_officer").prefetch_related(
        "risks", "indicators", "bodies"
    )
    additional = {kp.name: kp.additional_monitoring for kp in rows}
    # As Appendix A: the partnership itself, the county waste partnership and the joint
    # committee need no additional monitoring; the others do.
    assert {name for name, extra in additional.items() if not extra} == {
        "Mercia Vale Partnership (LSP)",
        "Mercia County Waste Partnership",
        "Shared Financial and Assurance Services",
    }
    officers = {kp.lead_officer.full_name for kp in rows}
    assert {"Helen Aldridge", "Priya Shah"} <= officers
    assert sum(1 for kp in rows if kp.risks.all()) >= 3
    assert sum(1 for kp in rows if kp.indicators.all()) >= 2
    assert sum(1 for kp in rows if kp.mou_text) >= 3
    for kp in rows:
        assert kp.meets_key_criteria and kp.key_criteria, kp.name
        assert kp.history.get().history_user.full_name == "Helen Aldridge"


def test_loading_again_changes_nothing(loaded):
    before = list(KeyPartnership.objects.values_list("pk", "name", "next_review_on"))
    assert load_key_partnerships(partnership=Partnership.objects.get(slug="demo")) is None
    out = StringIO()
    call_command("load_demo_key_partnerships", "--force", stdout=out)
    assert "already loaded" in out.getvalue()
    assert list(KeyPartnership.objects.values_list("pk", "name", "next_review_on")) == before


def test_the_register_and_each_record_render_for_the_coordinator_and_the_public(loaded, client):
    from django.urls import reverse

    from membership.models import User

    register = reverse("performance:key_partnership_list", kwargs={"partnership": "demo"})
    client.force_login(User.objects.get(full_name="Priya Shah"))
    page = client.get(register).content.decode()
    assert "2 reviews overdue" in page and "2 reviews due within 90 days" in page
    for kp in loaded.key_partnerships:
        response = client.get(kp.get_absolute_url())
        assert response.status_code == 200, kp.name
    client.logout()
    page = client.get(register).content.decode()
    assert "13 key partnerships" in page and "Lead officer" not in page
