"""The performance set-up pages, the import and the dashboards in Chromium: every page and
state, errors included, passes axe-core (WCAG 2.2 AA) with zero violations."""

import pytest
from django.urls import reverse

from performance.models import Indicator
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD
from tests.performance.test_dashboards import bulk_indicators
from tests.performance.test_dashboards import submit as submit_return
from tests.performance.test_transfer import HEADER, as_csv, import_url, row

pytestmark = pytest.mark.browser


def test_every_setup_page_is_accessible_error_states_included(
    page,
    live_world,
    live_perf,
):
    from playwright.sync_api import expect

    w, perf = live_world, live_perf
    p = w.partnership.slug

    def visit(name, **kwargs):
        page.goto(reverse(name, kwargs={"partnership": p, **kwargs}))
        assert_accessible(page)

    def submit(button: str):
        page.get_by_role("button", name=button).click()
        page.wait_for_load_state()

    visit("performance:outcome_list")
    visit("performance:outcome", pk=perf.outcome.pk)
    sign_in(page, w.group_coordinator.email, PASSWORD)
    visit("performance:outcome_list")
    page.get_by_role("link", name="Add an outcome").click()
    submit("Add outcome")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter code")
    assert_accessible(page)
    page.get_by_label("Code").fill("SC2")
    page.get_by_label("Title").fill("Less anti-social behaviour")
    page.get_by_label("Community Strategy priority").check()
    page.get_by_label("Owning body").select_option(label="Safer Group")
    submit("Add outcome")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("SC2")
    assert_accessible(page)
    page.get_by_role("link", name="Add an action").click()
    submit("Add action")
    assert_accessible(page)
    visit("performance:plan_action_edit", pk=perf.action.pk)
    visit("performance:outcome", pk=perf.outcome.pk)
    visit("performance:outcome_edit", pk=perf.outcome.pk)
    visit("performance:indicator_create")
    page.get_by_label("Code").fill("SC09")
    page.get_by_label("Percentage", exact=True).check()
    page.get_by_label("Baseline value (optional)").fill("150")
    submit("Add indicator")
    expect(page.locator("#id_baseline_value-error")).to_contain_text("between 0 and 100")
    assert_accessible(page)
    visit("performance:indicator_edit", pk=perf.burglary.pk)
    visit("performance:targets_edit", pk=perf.burglary.pk, year=perf.period.year)
    page.get_by_label(f"Whole year {perf.period.year_label}").fill("lots")
    submit("Save targets")
    expect(page.locator("#id_year-error")).to_be_visible()
    assert_accessible(page)
    visit("performance:deadlines", body=w.group.slug)
    # The first quarter offered is the open one; a deadline on its last day is refused.
    q = perf.period
    end = q.ends_on
    page.locator(f"#id_due_{q.year}_q{q.number}_day").fill(str(end.day))
    page.locator(f"#id_due_{q.year}_q{q.number}_month").fill(str(end.month))
    page.locator(f"#id_due_{q.year}_q{q.number}_year").fill(str(end.year))
    submit("Save deadlines")
    expect(page.locator(f"#id_due_{q.year}_q{q.number}-error")).to_contain_text(
        "after the quarter ends"
    )
    assert_accessible(page)


def test_the_import_pages_are_accessible_error_states_included(
    page,
    live_world,
    live_perf,
):
    from playwright.sync_api import expect

    from tests.conftest import PASSWORD

    w = live_world
    sign_in(page, w.group_coordinator.email, PASSWORD)
    page.goto(import_url(w))
    assert_accessible(page)

    def send(name: str, data: bytes, mime="text/csv"):
        page.set_input_files("#id_upload", files=[{"name": name, "mimeType": mime, "buffer": data}])
        page.get_by_role("button", name="Upload and check").click()
        page.wait_for_load_state()

    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator("#id_upload-error")).to_contain_text("Select a CSV or Excel file")
    assert_accessible(page)
    send("paper.pdf", b"%PDF-1.4 a paper", "application/pdf")
    expect(page.locator("#id_upload-error")).to_contain_text("must be a CSV")
    assert_accessible(page)
    send("bad.csv", as_csv([HEADER, row(code="SC70", unit="percent"), row(body="Other Group")]))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Row 2, unit")
    assert_accessible(page)
    page.goto(import_url(w))
    send(
        "good.csv",
        as_csv([HEADER, row(code="SC71"), row(code="SC01", title="Burglaries", polarity="lower")]),
    )
    expect(page.locator("body")).to_contain_text("2 indicators: 1 new, 1 changed, 0 unchanged")
    assert_accessible(page)
    page.get_by_role("button", name="Import these indicators").click()
    page.wait_for_url(
        f"**{reverse('performance:dashboard', kwargs={'partnership': w.partnership.slug})}"
    )
    assert Indicator.objects.filter(code="SC71").exists()


def test_the_dashboards_and_an_indicator_page_pass_axe(page, live_world, live_perf):
    """Every page and state of the dashboards, for the public and for a co-ordinator: WCAG 2.2
    AA with zero violations, charts included, without JavaScript doing anything for them."""
    w, perf = live_world, live_perf
    submit_return(perf, w, 777)
    bulk_indicators(w, perf, 0, 60)
    p = w.partnership.slug
    public = [
        reverse("performance:dashboard", kwargs={"partnership": p}),
        reverse("performance:dashboard", kwargs={"partnership": p}) + "?rag=green&sort=rag",
        reverse("performance:body_dashboard", kwargs={"partnership": p, "body": w.group.slug}),
        reverse("performance:indicator", kwargs={"partnership": p, "pk": perf.burglary.pk}),
    ]
    for target in public:
        page.goto(target)
        assert_accessible(page)
    sign_in(page, w.coordinator.email, PASSWORD)
    for target in [
        *public,
        reverse("performance:dashboard", kwargs={"partnership": p}) + "?page=2",
        reverse("performance:indicator", kwargs={"partnership": p, "pk": perf.satisfaction.pk}),
        reverse("performance:indicator", kwargs={"partnership": p, "pk": perf.strategy.pk}),
    ]:
        page.goto(target)
        assert_accessible(page)
    # The filters work as a plain form.
    page.goto(public[0])
    page.get_by_label("Latest RAG rating").select_option("red")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**rag=red**")
    tags = page.locator(".app-indicator-table tbody .govuk-tag").all_inner_texts()
    assert tags and set(tags) == {"Red"}
    assert page.get_by_role("link", name="SC01: Reported burglaries").count() == 1
    assert_accessible(page)
