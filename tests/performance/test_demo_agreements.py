"""The demo's commissioning agreements: four, each commissioned by a thematic group, with cost
lines that add up, targets measured by the group's indicators, one ending within 90 days, one
with a review overdue and one linked to a key partnership. The demo is loaded once for the
module (the partnership, its performance and its key partnerships first) and rolled back at its
end; the last test loads the agreements again and checks nothing changed."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from partnership.models import Partnership
from performance.demo_agreements import AGREEMENTS, load_agreements
from performance.models import ENDING_NOTICE_DAYS, CommissioningAgreement
from performance.selectors.agreements import agreement_page
from performance.services.agreements import bodies_under


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("load_demo", "--force", stdout=StringIO())
            call_command("load_demo_performance", "--force", stdout=StringIO())
            partnership = Partnership.objects.get(slug="demo")
            from performance.demo_partnerships import load_key_partnerships

            load_key_partnerships(partnership=partnership)
            yield load_agreements(partnership=partnership)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def loaded(demo, db):
    return demo


def _agreements():
    return CommissioningAgreement.objects.select_related("commissioning_body", "key_partnership")


def test_four_agreements_each_commissioned_by_a_thematic_group(loaded):
    agreements = list(_agreements())
    assert len(agreements) == len(AGREEMENTS) == 4
    assert {a.commissioning_body.kind for a in agreements} == {"thematic_group"}
    assert len({a.commissioning_body_id for a in agreements}) == 4


def test_every_agreement_keeps_the_rules(loaded):
    for a in _agreements().prefetch_related("cost_lines", "targets__indicator", "reviews"):
        assert sum(line.amount for line in a.cost_lines.all()) == a.total_cost > Decimal(0)
        assert 2 <= a.targets.count() <= 3, a.reference
        under = bodies_under(a.commissioning_body)
        assert all(t.indicator.body_id in under for t in a.targets.all())
        assert all(a.starts_on <= r.due_on <= a.ends_on for r in a.reviews.all())
        assert a.purpose and a.default_terms and a.arbitration_terms


def test_one_ends_within_90_days_one_has_a_review_overdue(loaded):
    today = timezone.localdate()
    ending = [
        a.reference
        for a in _agreements()
        if a.ends_on <= today + timedelta(days=ENDING_NOTICE_DAYS)
    ]
    assert ending == ["SLA-CYP-01"] == [a.reference for a in loaded.ending]
    overdue = [a.reference for a in _agreements() if agreement_page(a).review_overdue]
    assert overdue == ["SLA-SSC-01"] == [a.reference for a in loaded.overdue]


def test_one_belongs_to_a_key_partnership(loaded):
    linked = [a for a in _agreements() if a.key_partnership]
    assert [(a.reference, a.key_partnership.name) for a in linked] == [
        ("SLA-HCO-01", "Vale Active Leisure Trust")
    ]


def test_the_targets_show_the_indicators_latest_figures(loaded):
    page = agreement_page(_agreements().get(reference="SLA-SSC-01"))
    assert all(row.latest_period for row in page.targets)


def test_loading_again_changes_nothing(loaded):
    before = CommissioningAgreement.history.count()
    assert load_agreements(partnership=Partnership.objects.get(slug="demo")) is None
    assert CommissioningAgreement.history.count() == before
