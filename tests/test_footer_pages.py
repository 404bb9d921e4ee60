"""The footer's pages: default wording, a partnership's own wording, and the governance lead's
edit page with the GOV.UK error pattern."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from partnership import pages
from partnership.models import PartnershipPage

KINDS = ["accessibility", "privacy", "cookies", "contact"]


def page_url(world, kind, *, edit=False):
    name = "partnership:page_edit" if edit else "partnership:page"
    return reverse(name, kwargs={"partnership": world.partnership.slug, "kind": kind})


def test_the_accessibility_statement_follows_the_model_wording(client, world):
    html = client.get(page_url(world, "accessibility")).content.decode()
    assert "Testshire Partnership" in html
    for words in [
        "How accessible this website is",
        "Reporting accessibility problems with this website",
        "Enforcement procedure",
        "Equality and Human Rights Commission (EHRC)",
        "Equality Commission for Northern Ireland (ECNI)",
        "This statement was prepared on",
    ]:
        assert words in html, words


def test_the_privacy_notice_names_the_rights_and_the_ico(client, world):
    html = client.get(page_url(world, "privacy")).content.decode()
    for words in ["What personal data we hold", "How long we keep it", "UK General Data", "(ICO)"]:
        assert words in html, words


def test_the_cookies_page_names_the_essential_cookies_with_their_lifetimes(client, world, settings):
    settings.SESSION_COOKIE_AGE = 3 * 7 * 86400
    settings.CSRF_COOKIE_AGE = 52 * 7 * 86400
    html = client.get(page_url(world, "cookies")).content.decode()
    assert f"<code>{settings.SESSION_COOKIE_NAME}</code>" in html
    assert f"<code>{settings.CSRF_COOKIE_NAME}</code>" in html
    assert "3 weeks" in html
    assert "52 weeks" in html


@pytest.mark.parametrize("kind", KINDS)
def test_the_site_wide_defaults_need_no_partnership(client, db, kind):
    response = client.get(reverse("site_page", kwargs={"kind": kind}))
    assert response.status_code == 200
    assert "the partnership" in response.content.decode()


def test_an_unknown_page_is_not_found(client, world):
    assert client.get(page_url(world, "terms")).status_code == 404
    assert client.get(reverse("site_page", kwargs={"kind": "terms"})).status_code == 404


def test_only_the_governance_lead_sees_the_edit_link(client, world, governance_lead):
    client.force_login(world.coordinator)
    assert "Edit this page" not in client.get(page_url(world, "contact")).content.decode()
    client.force_login(governance_lead)
    html = client.get(page_url(world, "contact")).content.decode()
    assert page_url(world, "contact", edit=True) in html


def test_the_edit_form_starts_from_the_default_wording(client, world, governance_lead):
    client.force_login(governance_lead)
    response = client.get(page_url(world, "privacy", edit=True))
    assert response.status_code == 200
    assert response.context["form"].initial["title"] == "Privacy notice"
    assert "How long we keep it" in response.context["form"].initial["body"]


def test_an_empty_submit_shows_the_summary_and_the_messages_by_the_fields(
    client, world, governance_lead
):
    client.force_login(governance_lead)
    response = client.post(page_url(world, "contact", edit=True), {"title": "", "body": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert '<a href="#id_title">Enter title</a>' in html
    assert '<a href="#id_body">Enter text</a>' in html
    assert 'id="id_title-error"' in html
    assert 'id="id_body-error"' in html
    assert "<title>Error:" in html
    assert not PartnershipPage.objects.exists()


def test_what_was_typed_is_kept_when_one_field_is_missing(client, world, governance_lead):
    client.force_login(governance_lead)
    response = client.post(
        page_url(world, "contact", edit=True), {"title": "Get in touch", "body": ""}
    )
    html = response.content.decode()
    assert 'value="Get in touch"' in html
    assert '<a href="#id_body">Enter text</a>' in html
    response = client.post(
        page_url(world, "contact", edit=True), {"title": "", "body": "Ring us on 01234 567890."}
    )
    assert "Ring us on 01234 567890." in response.content.decode()


def test_the_lead_saves_the_wording_which_is_shown_as_text_with_its_history(
    client, world, governance_lead
):
    client.force_login(governance_lead)
    body = "Write to us\n\nThe Town Hall, Testshire.\nOr <script>alert(1)</script> call."
    response = client.post(
        page_url(world, "contact", edit=True), {"title": "Contact us", "body": body}
    )
    assert response.status_code == 302
    assert response["Location"] == page_url(world, "contact")
    record = PartnershipPage.objects.get(partnership=world.partnership, kind="contact")
    assert record.history.get().history_user == governance_lead
    client.logout()
    html = client.get(page_url(world, "contact")).content.decode()
    assert '<h1 class="govuk-heading-xl">Contact us</h1>' in html
    assert '<h2 class="govuk-heading-m">Write to us</h2>' in html
    assert "The Town Hall, Testshire.<br>Or &lt;script&gt;" in html
    assert "<script>alert" not in html
    assert "Last updated" in html
    # Other partnerships and the site-wide page keep the default.
    html = client.get(reverse("site_page", kwargs={"kind": "contact"})).content.decode()
    assert "The Town Hall" not in html


@pytest.mark.parametrize("role", ["member", "chair", "coordinator"])
def test_nobody_else_can_save_a_page(client, world, role):
    client.force_login(getattr(world, role))
    response = client.post(page_url(world, "contact", edit=True), {"title": "X", "body": "Y"})
    assert response.status_code == 403
    assert not PartnershipPage.objects.exists()
    with pytest.raises(PermissionDenied):
        pages.page_save(
            actor=getattr(world, role),
            partnership=world.partnership,
            kind="contact",
            title="X",
            body="Y",
        )


def test_saving_twice_keeps_one_page_and_two_history_rows(world, governance_lead):
    for text in ("First.", "Second."):
        pages.page_save(
            actor=governance_lead,
            partnership=world.partnership,
            kind="cookies",
            title="Cookies",
            body=text,
        )
    page = pages.page_for(partnership=world.partnership, kind="cookies")
    assert page.body == "Second."
    assert page.record.history.count() == 2


def test_a_heading_is_a_short_single_line_without_a_full_stop():
    page = pages.Page("contact", "Contact", "Heading\n\nA sentence.\n\nTwo\nlines")
    assert page.blocks == [(True, "Heading"), (False, "A sentence."), (False, "Two\nlines")]
