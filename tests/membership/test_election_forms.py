"""The election forms follow the GOV.UK patterns: errors by the field with a summary, only the
fields the choice needs, no Django "---------" and default dates on working days."""

import re
from datetime import date

import pytest
from django.urls import reverse

from membership.models import Candidate, Election
from membership.views.elections import election_defaults
from partnership.calendar import is_working_day
from tests.membership.elections_helpers import add_voters, chair_election


def url(world, name: str, **kwargs) -> str:
    kwargs = {"partnership": world.partnership.slug, "body": world.board.slug, **kwargs}
    return reverse(f"membership:{name}", kwargs=kwargs)


@pytest.fixture
def election(world):
    add_voters(world, 2)
    return chair_election(world)


def test_proposing_nobody_shows_the_error_summary_and_the_message_by_the_field(
    client, world, election
):
    client.force_login(world.chair)
    response = client.post(url(world, "candidate_propose", pk=election.pk), {"person": ""})
    html = response.content.decode()

    assert response.status_code == 200
    assert 'class="govuk-error-summary"' in html
    assert '<a href="#id_person">Select the person you propose</a>' in html
    assert 'id="id_person-error"' in html
    assert "govuk-notification-banner" not in html
    assert not Candidate.objects.exists()


def test_proposing_someone_twice_puts_the_services_error_by_the_field(client, world, election):
    client.force_login(world.chair)
    propose = url(world, "candidate_propose", pk=election.pk)
    assert client.post(propose, {"person": world.member.pk}, follow=True).status_code == 200

    html = client.post(propose, {"person": world.member.pk}).content.decode()
    assert 'id="id_person-error"' in html and "has already been proposed" in html
    assert "govuk-notification-banner" not in html


def test_the_proposal_form_has_a_proper_empty_choice_and_no_organisation_for_a_chair(
    client, world, election
):
    client.force_login(world.chair)
    html = client.get(url(world, "election_detail", pk=election.pk)).content.decode()

    assert "---------" not in html
    assert re.search(r'<option value=""[^>]*>Select a person</option>', html)
    assert "Organisation they would represent" not in html


def test_a_chair_election_ignores_the_seat_fields_and_asks_them_only_under_seat(client, world):
    client.force_login(world.coordinator)
    create = url(world, "election_create")
    form = client.get(create).content.decode()
    assert 'class="govuk-radios__conditional app-radios__conditional" id="conditional-seat"' in form
    conditional = form[form.index('id="conditional-seat"') :]
    assert conditional.index('id="id_seat"') < conditional.index("</fieldset>")
    assert "---------" not in form

    later = date.today().year + 1
    data = {"post": "chair", "seat": "", "places": "lots", "tie_rule": "lot"}
    for name, day, time in (
        ("nominations_close", 1, "17:00"),
        ("voting_opens", 2, "09:00"),
        ("voting_closes", 9, "17:00"),
    ):
        data |= {f"{name}_on_day": day, f"{name}_on_month": 3, f"{name}_on_year": later}
        data[f"{name}_time"] = time
    data |= {"term_starts_on_day": 10, "term_starts_on_month": 3, "term_starts_on_year": later}
    assert client.post(create, data).status_code == 302
    assert Election.objects.get().places == 1 and Election.objects.get().seat is None

    seat_data = data | {"post": "seat", "places": ""}
    html = client.post(create, seat_data).content.decode()
    assert 'id="id_seat-error"' in html and 'id="id_places-error"' in html


@pytest.mark.parametrize("today", [date(2026, 12, 2), date(2027, 3, 12), date(2026, 8, 14)])
def test_default_dates_fall_on_working_days_in_order(today):
    dates = election_defaults(today)
    order = ["nominations_close_on", "voting_opens_on", "voting_closes_on", "term_starts_on"]

    assert all(is_working_day(dates[name]) for name in order)
    assert [dates[name] for name in order] == sorted(dates[name] for name in order)
    assert dates["voting_closes_on"] > dates["voting_opens_on"]


def test_the_default_close_is_not_christmas_eve_nor_the_term_christmas_day():
    dates = election_defaults(date(2026, 12, 2))
    assert dates["voting_closes_on"] == date(2027, 1, 4)
    assert dates["term_starts_on"] == date(2027, 1, 5)


def test_a_receipt_is_its_fingerprint_typed_with_spaces_and_capitals_or_not():
    from membership.forms import ReceiptCheckForm

    fingerprint = "0123456789abcdef" * 4
    grouped = " ".join(fingerprint[i : i + 8] for i in range(0, 64, 8)).upper()
    for typed in (fingerprint, grouped, f"  {grouped}  "):
        form = ReceiptCheckForm({"receipt": typed})
        assert form.is_valid() and form.cleaned_data["receipt"] == fingerprint
    for wrong in ("", "NOPE", fingerprint[:-1], fingerprint[:-1] + "g"):
        form = ReceiptCheckForm({"receipt": wrong})
        assert not form.is_valid() and form.errors["receipt"]
    assert ReceiptCheckForm().fields["receipt"].label == "Your receipt (ballot fingerprint)"


def test_a_counting_code_is_checked_for_its_shape_before_it_is_used():
    from membership.crypto.officers import new_code, normalise_code
    from membership.forms import CountingCodeForm

    code = new_code()
    for typed in (code, code.lower(), code.replace("-", " "), f" {code} "):
        form = CountingCodeForm({"code": typed})
        assert form.is_valid() and form.cleaned_data["code"] == normalise_code(code)
    for wrong in ("", "ABCD", code[:-1], code.replace(code[0], "0", 1)):
        form = CountingCodeForm({"code": wrong})
        assert not form.is_valid() and form.errors["code"]


def test_the_officers_form_defaults_to_two_counting_together():
    from membership.forms import ElectionOfficersForm

    form = ElectionOfficersForm(people=[(1, "One"), (2, "Two")])
    assert form.fields["threshold"].initial == 2
    form = ElectionOfficersForm({"officers": ["1", "3"], "threshold": "2"}, people=[(1, "One")])
    assert not form.is_valid() and "officers" in form.errors
