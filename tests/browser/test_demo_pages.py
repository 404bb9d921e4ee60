"""Every page of the demo partnership, as the public and as its co-ordinator, checked with
axe-core. Kept apart from tests/browser/test_journeys.py (where it was): it is the longest
browser test, and pytest-xdist's ``--dist loadfile`` hands a whole file to one worker, so on
its own it is a unit the two workers can balance around."""

import pytest

from partnership.models import Body
from performance.models import Indicator, Outcome, Report, Return
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def test_every_page_of_the_demo_partnership_is_accessible(page, transactional_db):
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo", "--force", stdout=StringIO())
    call_command("load_demo_meetings", "--force", stdout=StringIO())
    call_command("load_demo_performance", "--force", stdout=StringIO())
    call_command("load_demo_reports", "--force", stdout=StringIO())
    bodies = list(Body.objects.filter(partnership__slug="demo").select_related("partnership"))
    groups = [b for b in bodies if b.kind == "thematic_group" and b.indicators.exists()]
    performance = [
        "/p/demo/performance/",
        "/p/demo/performance/?rag=red",
        "/p/demo/performance/outcomes/",
        *[f"/p/demo/performance/outcomes/{o.pk}/" for o in Outcome.objects.all()],
        *[f"/p/demo/performance/bodies/{g.slug}/" for g in groups],
        # One indicator of each unit: number, percentage, rate, currency, yes/no.
        *[
            f"/p/demo/performance/indicators/{i.pk}/"
            for i in {i.unit: i for i in Indicator.objects.filter(published=True)}.values()
        ],
        "/p/demo/performance/publications/",
        *[r.get_absolute_url() for r in Report.objects.filter(published_at__isnull=False)],
    ]
    urls = [
        "/p/demo/",
        "/p/demo/organisations/",
        "/p/demo/agreement/",
        "/p/demo/registers/",
        *[b.get_absolute_url() for b in bodies],
        # Every body's registers: the demo's entries are on the boards', the rest are empty.
        *[b.get_absolute_url() + page for b in bodies for page in ("register/", "register/gifts/")],
        *performance,
    ]
    for url in urls:
        page.goto(url)
        assert_accessible(page)
    sign_in(page, "coordinator@mercia-vale.example", "demo-partnership-2026")
    assert_accessible(page)
    coordinator_only = [
        "/p/demo/coordinators/",
        "/p/demo/agreement/signatures/",
        "/account/returns/",
        "/p/demo/performance/import/",
        *[f"/p/demo/performance/bodies/{g.slug}/returns/" for g in groups],
        f"/p/demo/performance/bodies/{groups[0].slug}/deadlines/",
        *[
            r.get_absolute_url()
            for r in Return.objects.filter(status__in=["submitted", "sent_back"])[:3]
        ],
        "/p/demo/performance/reports/",
        # Every demo report: the exception reports (approved, submitted, drafted), the
        # six-monthly report and the annual report, and their editing pages where open.
        *[r.get_absolute_url() for r in Report.objects.all()],
        *[r.get_absolute_url() + "edit/" for r in Report.objects.filter(status="draft")],
    ]
    for url in [*urls, *coordinator_only]:
        page.goto(url)
        assert_accessible(page)
