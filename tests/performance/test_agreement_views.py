"""Commissioning agreements' pages: every URL for every role (``AGREEMENT_URLS``), the form with
its rows (errors next to their field or row, nothing typed lost), the agreement's page, the
review step and the exports.

In the ``perf`` world: SLA-G is commissioned by the Safer Group and supervised by ``member``
(who sits on it); SLA-O by the Other Group, supervised by ``other_member``. Nothing about an
agreement is public: the public is sent to sign in on every route."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from performance.models import CommissioningAgreement
from tests.performance.test_agreements import TEXTS, make_agreement
from tests.test_url_access import ROLES, _check, _client_for

AGREEMENT_URLS = {
    "performance:agreement_list",
    "performance:agreement_create",
    "performance:agreement_export",
    "performance:agreement",
    "performance:agreement_edit",
    "performance:agreement_review",
}

# The list and the export: anyone with a place in the partnership (each sees only theirs).
INSIDE = {**dict.fromkeys(ROLES, 200), "anonymous": "login", "outsider": 404}
# Adding: those who co-ordinate a body; others with a place in the partnership are refused.
ADD = {**INSIDE, "other_member": 403, "member": 403, "chair": 403}
# SLA-G: the Safer Group's members, chair and co-ordinators (member is its supervisor too).
SAFER = {
    **dict.fromkeys(ROLES, 404),
    "anonymous": "login",
    "member": 200,
    "chair": 200,
    "group_coordinator": 200,
    "coordinator": 200,
}
SAFER_EDIT = {**SAFER, "member": 403, "chair": 403}
# Its reviews: the supervisor and the group's co-ordinators; the chair reads but does not.
SAFER_REVIEW = {**SAFER, "chair": 403}


@pytest.fixture
def agreements(world, perf, today):
    w = world
    safer = make_agreement(
        w,
        perf,
        today,
        reference="SLA-G",
        ends_on=today + timedelta(days=45),
        review_dates=[today - timedelta(days=10), today + timedelta(days=20)],
    )
    other = make_agreement(
        w,
        perf,
        today,
        body=w.other,
        reference="SLA-O",
        supervisor=w.other_member,
        targets=[{"description": "More volunteers", "indicator": perf.other}],
    )
    return {"SLA-G": safer, "SLA-O": other}


def at(w, name, **kwargs):
    return reverse(f"performance:{name}", kwargs={"partnership": w.partnership.slug, **kwargs})


@pytest.mark.parametrize("role", ROLES)
def test_agreement_urls_as(role, client, world, agreements):
    w = world
    client = _client_for(client, w, role)
    a = agreements["SLA-G"]
    review = a.reviews.first()
    rows = [
        ("list", at(w, "agreement_list"), INSIDE),
        ("list, filtered", at(w, "agreement_list") + "?state=current&ending=1", INSIDE),
        ("export csv", at(w, "agreement_export") + "?format=csv", INSIDE),
        ("export xlsx", at(w, "agreement_export") + "?format=xlsx", INSIDE),
        ("add", at(w, "agreement_create"), ADD),
        ("page", at(w, "agreement", pk=a.pk), SAFER),
        ("edit", at(w, "agreement_edit", pk=a.pk), SAFER_EDIT),
        ("review", at(w, "agreement_review", pk=review.pk), SAFER_REVIEW),
    ]
    for label, address, expected in rows:
        _check(client.get(address), expected[role], f"{label}: {address}")


@pytest.mark.parametrize("role", ROLES)
def test_the_list_shows_each_role_only_its_agreements(role, client, world, agreements):
    client = _client_for(client, world, role)
    response = client.get(at(world, "agreement_list"))
    if INSIDE[role] != 200:
        _check(response, INSIDE[role], role)
        return
    shown = {ref for ref in ("SLA-G", "SLA-O") if ref.encode() in response.content}
    expected = {"SLA-G"} if SAFER[role] == 200 else set()
    if role in ("other_member", "coordinator"):
        expected.add("SLA-O")
    assert shown == expected


def test_the_list_flags_the_ending_and_the_overdue(client, world, agreements):
    client.force_login(world.group_coordinator)
    page = client.get(at(world, "agreement_list")).content.decode()
    assert "Ends in 45 days" in page
    assert "Review overdue" in page
    assert "£12,500.50" in page
    only = client.get(at(world, "agreement_list") + "?overdue=1").content.decode()
    assert "SLA-G" in only


def test_an_unknown_body_filter_is_a_404(client, world, agreements):
    client.force_login(world.coordinator)
    assert client.get(at(world, "agreement_list") + "?body=nowhere").status_code == 404


# --- the agreement's page -----------------------------------------------------------------------


def test_the_page_shows_every_heading_the_costs_targets_reviews_and_history(
    client, world, perf, agreements
):
    client.force_login(world.member)
    a = agreements["SLA-G"]
    page = client.get(at(world, "agreement", pk=a.pk)).content.decode()
    headings = [
        "1. Purpose of the agreement",
        "2. Agreement period",
        "3. Supervising person",
        "4. Provider's representative",
        "5. The provider's obligations",
        "6. Service specification",
        "7. Performance monitoring arrangements",
        "8. The commissioning body's obligations",
        "9. Default",
        "10. Arbitration",
    ]
    positions = [page.index(h) for h in headings]
    assert positions == sorted(positions)
    assert "£10,000.00" in page and "£2,500.50" in page and "£12,500.50" in page
    assert "SC01: Reported burglaries" in page
    assert "Green" in page  # the latest signed-off figure's rating
    assert "Ends in 45 days" in page
    assert ">Overdue<" in page and ">Due<" in page
    assert "Change history" in page and "Agreement added" in page
    assert "the lead should delegate the return to them" in page
    # The supervisor records the overdue review; the member may not change the agreement.
    assert "Record the review" in page
    assert "Change the agreement" not in page


# --- the form -----------------------------------------------------------------------------------


def _management(prefix: str, total: int, initial: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _date(name: str, day: date) -> dict[str, str]:
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }


def form_data(world, perf, today, **overrides) -> dict[str, str]:
    data = {
        "commissioning_body": str(world.group.pk),
        "reference": "SLA-NEW",
        "provider": str(world.charity.pk),
        "supervisor": str(world.member.pk),
        "total_cost": "£1,000.10",
        **TEXTS,
        **_date("starts_on", today),
        **_date("ends_on", today + timedelta(days=364)),
        **_management("cost", 3),
        "cost-0-description": "Staff",
        "cost-0-amount": "900",
        "cost-1-description": "Room hire",
        "cost-1-amount": "100.10",
        **_management("target", 2),
        "target-0-description": "Fewer burglaries",
        "target-0-indicator": str(perf.burglary.pk),
        **_management("review", 2),
        **_date("review-0-due_on", today + timedelta(days=180)),
    }
    data.update(overrides)
    return data


def test_the_coordinator_adds_an_agreement(client, world, perf, today):
    client.force_login(world.group_coordinator)
    response = client.post(at(world, "agreement_create"), form_data(world, perf, today))
    a = CommissioningAgreement.objects.get()
    assert response.status_code == 302 and response["Location"] == a.get_absolute_url()
    assert a.total_cost == Decimal("1000.10")
    assert [line.description for line in a.cost_lines.all()] == ["Staff", "Room hire"]
    assert a.targets.get().indicator == perf.burglary
    assert a.reviews.get().due_on == today + timedelta(days=180)


def test_an_empty_form_says_what_is_missing_next_to_each_field(client, world, perf, today):
    client.force_login(world.group_coordinator)
    empty = {
        **_management("cost", 3),
        **_management("target", 2),
        **_management("review", 2),
    }
    response = client.post(at(world, "agreement_create"), empty)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Error: " in page
    for message in (
        "Select the commissioning body",
        "Enter the purpose of the agreement",
        "Enter the equality and diversity statement",
        "Enter the arbitration terms",
        "Select the supervising person",
    ):
        # In the summary and next to the field.
        assert page.count(message) == 2, message


def test_cost_lines_that_do_not_add_up_keep_everything_typed(client, world, perf, today):
    client.force_login(world.group_coordinator)
    data = form_data(world, perf, today, total_cost="1000.11")
    response = client.post(at(world, "agreement_create"), data)
    page = response.content.decode()
    assert "The cost lines add up to £1,000.10, not £1,000.11" in page
    assert 'href="#id_total_cost"' in page
    assert 'value="Room hire"' in page and 'value="100.10"' in page
    assert 'value="1000.11"' in page
    assert escape(TEXTS["arbitration_terms"]) in page
    assert not CommissioningAgreement.objects.exists()


def test_a_rows_error_shows_next_to_that_row(client, world, perf, today):
    client.force_login(world.group_coordinator)
    late = today + timedelta(days=800)
    data = form_data(world, perf, today, **_date("review-1-due_on", late))
    data["target-1-description"] = "Volunteers"
    data["target-1-indicator"] = str(perf.other.pk)
    data["cost-2-description"] = "Typo"
    data["cost-2-amount"] = "twelve"
    response = client.post(at(world, "agreement_create"), data)
    page = response.content.decode()
    assert "Enter the amount as an amount in pounds, like 1250.50" in page
    assert 'value="twelve"' in page
    assert "<title>Error: " in page
    # The form's own errors come first; with them fixed, the service's rows are checked.
    data["cost-2-amount"] = "0"
    page = client.post(at(world, "agreement_create"), data).content.decode()
    assert "Select an indicator of the commissioning body" in page  # not of the choices
    data.pop("target-1-indicator")
    data.pop("target-1-description")
    page = client.post(at(world, "agreement_create"), data).content.decode()
    assert "Review date 2 must be within the agreement&#x27;s period" in page
    assert 'href="#id_review-1-due_on_day"' in page


def test_the_edit_form_changes_a_line_in_place(client, world, perf, today, agreements):
    a = agreements["SLA-G"]
    client.force_login(world.group_coordinator)
    page = client.get(at(world, "agreement_edit", pk=a.pk)).content.decode()
    assert 'value="Mediators"' in page and 'value="10,000.00"' in page
    mediators, training = a.cost_lines.all()
    pending = list(a.reviews.filter(held_on__isnull=True))
    data = form_data(
        world,
        perf,
        today,
        reference="SLA-G",
        total_cost="12600.50",
        **_date("starts_on", a.starts_on),
        **_date("ends_on", a.ends_on),
        **_management("cost", 2, initial=2),
        **{
            "cost-0-id": str(mediators.pk),
            "cost-0-description": "Mediators",
            "cost-0-amount": "10100",
            "cost-1-id": str(training.pk),
            "cost-1-description": "Training",
            "cost-1-amount": "2500.50",
        },
        **_date("review-0-due_on", pending[0].due_on),
    )
    data.pop("commissioning_body")
    response = client.post(at(world, "agreement_edit", pk=a.pk), data)
    assert response.status_code == 302
    mediators.refresh_from_db()
    assert mediators.amount == Decimal("10100")
    assert a.cost_lines.count() == 2


def test_two_rows_sent_with_one_lines_id_save_two_lines_that_add_up(
    client, world, perf, today, agreements
):
    a = agreements["SLA-G"]
    client.force_login(world.group_coordinator)
    mediators = a.cost_lines.first()
    pending = list(a.reviews.filter(held_on__isnull=True))
    data = form_data(
        world,
        perf,
        today,
        reference="SLA-G",
        total_cost="100",
        **_date("starts_on", a.starts_on),
        **_date("ends_on", a.ends_on),
        **_management("cost", 2, initial=2),
        **{
            "cost-0-id": str(mediators.pk),
            "cost-0-description": "Mediators",
            "cost-0-amount": "60",
            "cost-1-id": str(mediators.pk),
            "cost-1-description": "Travel",
            "cost-1-amount": "40",
        },
        **_date("review-0-due_on", pending[0].due_on),
    )
    data.pop("commissioning_body")
    response = client.post(at(world, "agreement_edit", pk=a.pk), data)
    assert response.status_code == 302
    a.refresh_from_db()
    lines = [(line.description, line.amount) for line in a.cost_lines.all()]
    assert lines == [("Mediators", Decimal("60")), ("Travel", Decimal("40"))]
    assert sum(amount for _, amount in lines) == a.total_cost == Decimal("100")


@pytest.mark.parametrize("total", ["abc", "100000", "-1", None])
def test_rows_whose_count_was_tampered_with_are_offered_again_with_a_message(
    client, world, perf, today, total
):
    client.force_login(world.group_coordinator)
    data = form_data(world, perf, today)
    if total is None:
        del data["cost-TOTAL_FORMS"]
    else:
        data["cost-TOTAL_FORMS"] = total
    response = client.post(at(world, "agreement_create"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Error: " in page
    message = "The rows of cost lines were not sent as expected: enter them again"
    # In the summary (linking to the first row) and next to the rows.
    assert page.count(message) == 2
    assert f'<a href="#id_cost-0-description">{message}</a>' in page
    assert 'id="cost-lines-error"' in page
    # The blank rows are there to fill in again, and no more of them than at first.
    assert 'name="cost-TOTAL_FORMS" value="3"' in page
    assert 'name="cost-2-description"' in page and 'name="cost-3-description"' not in page
    # Everything else typed is kept, the other lists' rows included.
    assert 'value="SLA-NEW"' in page
    assert escape(TEXTS["arbitration_terms"]) in page
    assert 'value="Fewer burglaries"' in page
    assert not CommissioningAgreement.objects.exists()


def test_a_forged_count_of_rows_builds_no_rows(client, world, perf, today, monkeypatch):
    from performance.forms import agreements as forms

    built = []
    real_init = forms.CostLineForm.__init__

    def counting(self, *args, **kwargs):
        built.append(1)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(forms.CostLineForm, "__init__", counting)
    client.force_login(world.group_coordinator)
    data = form_data(world, perf, today, **{"cost-TOTAL_FORMS": "100000"})
    assert client.post(at(world, "agreement_create"), data).status_code == 200
    assert len(built) == 3  # the blank rows offered again


def test_the_edit_form_offers_the_lines_held_again_when_its_rows_cannot_be_read(
    client, world, perf, today, agreements
):
    a = agreements["SLA-G"]
    client.force_login(world.group_coordinator)
    data = form_data(world, perf, today, reference="SLA-G", title="Changed title")
    data.pop("commissioning_body")
    data.pop("target-TOTAL_FORMS")
    page = client.post(at(world, "agreement_edit", pk=a.pk), data).content.decode()
    assert "The rows of targets were not sent as expected: enter them again" in page
    assert 'value="Changed title"' in page
    # The agreement's target as held, then the blank rows.
    assert 'name="target-TOTAL_FORMS" value="3"' in page
    a.refresh_from_db()
    assert a.title != "Changed title"


# --- reviews ------------------------------------------------------------------------------------


def test_the_supervisor_records_a_review(client, world, agreements, today):
    a = agreements["SLA-G"]
    review = a.reviews.first()
    client.force_login(world.member)
    url = at(world, "agreement_review", pk=review.pk)
    page = client.post(url, {"findings": ""}).content.decode()
    assert "Enter the date the review was held" in page
    assert "Enter what the review found" in page
    response = client.post(url, {**_date("held_on", today), "findings": "Delivering well."})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.held_on == today and review.reviewer == world.member
    # Once recorded, the step sends them back to the agreement.
    assert client.get(url).status_code == 302


# --- exports ------------------------------------------------------------------------------------


def test_the_csv_export_joins_lines_and_targets(client, world, agreements):
    client.force_login(world.member)
    response = client.get(at(world, "agreement_export") + "?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["Reference"] for r in rows] == ["SLA-G"]  # SLA-O is not theirs
    assert rows[0]["Cost lines"] == "Mediators: 10000.00; Training: 2500.50"
    assert rows[0]["Targets"] == "Fewer burglaries in the mediated streets (SC01)"
    assert rows[0]["Total cost (£)"] == "12500.50"


def test_the_xlsx_export_has_the_lines_and_targets_on_their_own_sheets(client, world, agreements):
    from openpyxl import load_workbook

    client.force_login(world.coordinator)
    response = client.get(at(world, "agreement_export") + "?format=xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Agreements", "Cost lines", "Targets"]
    assert [row[0] for row in book["Agreements"].iter_rows(min_row=2, values_only=True)] == [
        "SLA-G",
        "SLA-O",
    ]
    assert book["Cost lines"].max_row == 5  # the header, and two lines for each


def test_an_unknown_format_is_a_404(client, world, agreements):
    client.force_login(world.coordinator)
    assert client.get(at(world, "agreement_export") + "?format=pdf").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_post_to_add_change_and_review_as(role, client, world, perf, today, agreements):
    """Only the Safer Group's co-ordinators add and change its agreements; its supervisor and
    co-ordinators record its reviews. Anyone else is refused (or sent to sign in), and nothing
    changes."""
    w = world
    client = _client_for(client, w, role)
    a = agreements["SLA-G"]
    added = {**ADD, "group_coordinator": 302, "coordinator": 302}[role]
    response = client.post(at(w, "agreement_create"), form_data(w, perf, today))
    _check(response, added, "add")
    assert CommissioningAgreement.objects.filter(reference="SLA-NEW").exists() == (added == 302)
    changed = {**SAFER_EDIT, "group_coordinator": 200, "coordinator": 200}[role]
    # An empty form: those allowed see its errors (200), nobody else gets that far.
    _check(client.post(at(w, "agreement_edit", pk=a.pk), {}), changed, "edit")
    review = a.reviews.first()
    recorded = {
        **SAFER_REVIEW,
        **{r: 302 for r in ROLES if SAFER_REVIEW[r] == 200},
    }[role]
    held = {**_date("held_on", today), "findings": "Fine."}
    _check(client.post(at(w, "agreement_review", pk=review.pk), held), recorded, "review")
    review.refresh_from_db()
    assert (review.held_on is not None) == (recorded == 302)


def test_the_governance_lead_reads_every_agreement_and_changes_none(
    client, world, governance_lead, agreements
):
    client.force_login(governance_lead)
    page = client.get(at(world, "agreement_list")).content.decode()
    assert "SLA-G" in page and "SLA-O" in page
    a = agreements["SLA-O"]
    assert client.get(at(world, "agreement", pk=a.pk)).status_code == 200
    assert client.get(at(world, "agreement_edit", pk=a.pk)).status_code == 403
    assert client.get(at(world, "agreement_create")).status_code == 403


@pytest.mark.parametrize("n", [13, 200])
def test_the_list_page_asks_a_fixed_number_of_queries(
    client, world, perf, today, n, django_assert_num_queries
):
    lines = [{"description": "All of it", "amount": Decimal("100")}]
    for i in range(n):
        make_agreement(
            world, perf, today, reference=f"M-{i:03}", cost_lines=lines, total_cost=Decimal(100)
        )
    client.force_login(world.group_coordinator)
    client.get(at(world, "agreement_list"))  # sessions and caches warmed
    # The session, the user, the partnership, whether they sit in it, their rights, its tree,
    # whether they co-ordinate a body (to let them in, then to offer "Add an agreement"), the
    # bodies for the filter and the page of rows with its total: the same for 13 or 200.
    with django_assert_num_queries(10):
        response = client.get(at(world, "agreement_list") + "?state=current")
    assert response.content.decode().count("M-0") == min(n, 50)


def test_an_unpublished_indicators_figures_stay_with_its_insiders(
    client, world, governance_lead, agreements
):
    # OG01 is the Other Group's, unpublished: the governance lead reads the agreement, not the
    # indicator's figures; the group's own member reads both.
    a = agreements["SLA-O"]
    client.force_login(governance_lead)
    page = client.get(at(world, "agreement", pk=a.pk)).content.decode()
    assert "Shown to the Other Group's members only" in page
    client.force_login(world.other_member)
    page = client.get(at(world, "agreement", pk=a.pk)).content.decode()
    assert "members only" not in page
