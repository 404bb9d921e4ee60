"""The register of key partnerships: its services' rules (the criteria, additional monitoring,
the review dates, the memorandum, links of the same partnership, ending, settings) and its
selectors (the review flags, the filters, the counts, a fixed number of queries)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from partnership import services as ps
from performance.models import (
    KeyPartnership,
    KeyPartnershipSettings,
    KeyPartnershipStatus,
)
from performance.selectors.partnerships import (
    RegisterFilters,
    key_partnerships_register,
    register_counts,
)
from performance.services.partnerships import (
    key_partnership_create,
    key_partnership_end,
    key_partnership_settings_save,
    key_partnership_update,
)
from tests.factories import PartnershipFactory
from tests.governance.helpers import pdf_bytes


def fields(w, name="Leisure Trust", **overrides):
    today = timezone.localdate()
    return {
        "name": name,
        "lead_organisation": w.council,
        "lead_service": "Streetscene and Leisure Contracts",
        "lead_officer": w.member,
        "remit": "The management of the leisure centres.",
        "meets_key_criteria": True,
        "key_criteria": ["financial", "reliance"],
        "monitoring_arrangements": "Monthly operational meetings.",
        "additional_monitoring": False,
        "next_review_on": today + timedelta(days=400),
        **overrides,
    }


def make(w, name="Leisure Trust", *, actor=None, **overrides):
    return key_partnership_create(
        actor=actor, partnership=w.partnership, **fields(w, name, **overrides)
    )


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# --- adding -------------------------------------------------------------------------------------


def test_a_key_partnership_is_added_with_its_links_and_a_history_reason(world):
    w = world
    kp = make(
        w,
        actor=w.coordinator,
        bodies=[w.board],
        partner_organisations=[w.charity, w.business],
        mou_text="The partners agree to meet monthly.",
    )
    assert kp.status == KeyPartnershipStatus.ACTIVE
    assert set(kp.bodies.all()) == {w.board}
    assert set(kp.partner_organisations.all()) == {w.charity, w.business}
    # The criteria are kept in the framework's order.
    assert kp.key_criteria == ["reliance", "financial"]
    record = kp.history.get()
    assert record.history_change_reason == "Key partnership added"
    assert record.history_user == w.coordinator


def test_meeting_the_criteria_names_at_least_one_of_them(world):
    with pytest.raises(ValidationError) as excinfo:
        make(world, key_criteria=[])
    assert errors_of(excinfo) == {"key_criteria": ["Select at least one criterion it meets"]}
    with pytest.raises(ValidationError) as excinfo:
        make(world, key_criteria=["made_up"])
    assert "key_criteria" in errors_of(excinfo)


def test_not_meeting_the_criteria_keeps_none_of_them(world):
    kp = make(world, meets_key_criteria=False, key_criteria=["financial"])
    assert kp.key_criteria == []


def test_additional_monitoring_says_why(world):
    with pytest.raises(ValidationError) as excinfo:
        make(world, additional_monitoring=True, additional_monitoring_reason="  ")
    assert errors_of(excinfo) == {
        "additional_monitoring_reason": ["Say why additional monitoring is required"]
    }
    kp = make(world, additional_monitoring=True, additional_monitoring_reason="A new contract.")
    assert kp.additional_monitoring_reason == "A new contract."


def test_the_next_review_is_worked_out_from_the_last_when_not_given(world):
    last = date(2025, 3, 14)
    kp = make(world, last_reviewed_on=last, next_review_on=None)
    assert kp.next_review_on == date(2028, 3, 14)
    key_partnership_settings_save(
        actor=None, partnership=world.partnership, review_years=2, publish_register=False
    )
    other = make(world, "Waste Contract", last_reviewed_on=last, next_review_on=None)
    assert other.next_review_on == date(2027, 3, 14)


def test_with_neither_review_date_the_next_is_asked_for(world):
    with pytest.raises(ValidationError) as excinfo:
        make(world, next_review_on=None)
    assert list(errors_of(excinfo)) == ["next_review_on"]


def test_the_next_review_comes_after_the_last(world):
    last = date(2025, 3, 14)
    for upcoming in (last, last - timedelta(days=1)):
        with pytest.raises(ValidationError) as excinfo:
            make(world, last_reviewed_on=last, next_review_on=upcoming)
        assert errors_of(excinfo) == {
            "next_review_on": ["The next review must be after the last review"]
        }


def test_the_last_review_is_not_in_the_future(world):
    with pytest.raises(ValidationError) as excinfo:
        make(world, last_reviewed_on=timezone.localdate() + timedelta(days=1))
    assert list(errors_of(excinfo)) == ["last_reviewed_on"]


def test_required_text_is_asked_for_each_beside_its_field(world):
    with pytest.raises(ValidationError) as excinfo:
        make(world, name=" ", lead_service="", remit="", monitoring_arrangements="")
    assert set(errors_of(excinfo)) == {"name", "lead_service", "remit", "monitoring_arrangements"}


def test_a_name_is_used_once_in_a_partnership(world):
    make(world)
    with pytest.raises(ValidationError) as excinfo:
        make(world, "leisure trust")
    assert errors_of(excinfo) == {"name": ["Another key partnership already has this name"]}


def test_the_lead_officer_has_a_place_in_the_partnership(world):
    with pytest.raises(ValidationError) as excinfo:
        make(world, lead_officer=world.outsider)
    assert list(errors_of(excinfo)) == ["lead_officer"]
    # A co-ordinator holds an office in it, without a seat.
    assert make(world, lead_officer=world.coordinator).lead_officer == world.coordinator


def test_links_are_to_the_same_partnership(world, perf):
    w = world
    elsewhere = PartnershipFactory(name="Elsewhere", slug="elsewhere")
    stranger = ps.organisation_create(
        actor=None, partnership=elsewhere, name="Elsewhere Council", sector="public"
    )
    body = ps.body_create(actor=None, partnership=elsewhere, name="Board", kind="partnership_board")
    with pytest.raises(ValidationError) as excinfo:
        make(w, bodies=[body], partner_organisations=[stranger])
    assert errors_of(excinfo) == {
        "bodies": ["Select from this partnership"],
        "partner_organisations": ["Select from this partnership"],
    }
    with pytest.raises(ValidationError) as excinfo:
        make(w, lead_organisation=stranger)
    assert errors_of(excinfo) == {
        "lead_organisation": ["Select an organisation of this partnership"]
    }


def test_the_memorandum_file_is_checked_as_a_paper_is(world):
    with pytest.raises(ValidationError) as excinfo:
        make(world, mou_upload=("memorandum.pdf", b"MZ not a document"))
    assert list(errors_of(excinfo)) == ["mou_file"]
    assert not KeyPartnership.objects.exists()
    kp = make(world, mou_upload=("memorandum.pdf", pdf_bytes("Memorandum")))
    assert kp.mou_file.name.endswith("memorandum.pdf")
    with kp.mou_file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"


def test_a_file_replaced_or_removed_says_so_in_the_history(
    world, django_capture_on_commit_callbacks
):
    kp = make(world, mou_upload=("memorandum.pdf", pdf_bytes("First")))
    with django_capture_on_commit_callbacks(execute=True):
        kp = key_partnership_update(
            actor=None, key_partnership=kp, mou_upload=("second.pdf", pdf_bytes("Second"))
        )
    assert kp.mou_file.name.endswith("second.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        kp = key_partnership_update(actor=None, key_partnership=kp, remove_mou_file=True)
    assert not kp.mou_file
    reasons = list(kp.history.values_list("history_change_reason", flat=True))
    assert reasons[:2] == [
        "Key partnership changed; memorandum file removed",
        "Key partnership changed; memorandum file replaced",
    ]


# --- changing and ending ------------------------------------------------------------------------


def test_a_change_is_recorded_with_its_reason(world):
    kp = make(world)
    kp = key_partnership_update(
        actor=world.coordinator,
        key_partnership=kp,
        reason="Lead service renamed",
        lead_service="Leisure Contracts",
    )
    assert kp.lead_service == "Leisure Contracts"
    assert kp.history.first().history_change_reason == "Lead service renamed"


def test_ending_says_why_and_keeps_it_on_the_register(world):
    kp = make(world)
    with pytest.raises(ValidationError) as excinfo:
        key_partnership_end(actor=world.coordinator, key_partnership=kp, reason=" ")
    assert list(errors_of(excinfo)) == ["reason"]
    kp = key_partnership_end(
        actor=world.coordinator, key_partnership=kp, reason="The contract came to its end."
    )
    assert kp.status == KeyPartnershipStatus.ENDED
    assert kp.ended_on == timezone.localdate()
    assert kp.end_reason == "The contract came to its end."
    assert kp.history.first().history_change_reason == "Ended: The contract came to its end."
    with pytest.raises(ValidationError):
        key_partnership_end(actor=None, key_partnership=kp, reason="Again")
    with pytest.raises(ValidationError):
        key_partnership_update(actor=None, key_partnership=kp, lead_service="Anything")


def test_an_end_date_is_not_in_the_future(world):
    kp = make(world)
    with pytest.raises(ValidationError) as excinfo:
        key_partnership_end(
            actor=None,
            key_partnership=kp,
            reason="Wound up",
            ended_on=timezone.localdate() + timedelta(days=1),
        )
    assert list(errors_of(excinfo)) == ["ended_on"]


def test_an_end_date_is_not_before_its_last_review(world):
    kp = make(world)
    reviewed = timezone.localdate() - timedelta(days=30)
    KeyPartnership.objects.filter(pk=kp.pk).update(last_reviewed_on=reviewed)
    kp.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        key_partnership_end(
            actor=None, key_partnership=kp, reason="Wound up", ended_on=reviewed - timedelta(1)
        )
    assert "before its last review" in errors_of(excinfo)["ended_on"][0]
    kp = key_partnership_end(actor=None, key_partnership=kp, reason="Wound up", ended_on=reviewed)
    assert kp.ended_on == reviewed


# --- settings -----------------------------------------------------------------------------------


def test_settings_take_a_review_period_of_1_to_10_years_and_publish(world):
    for bad in (0, 11, True):
        with pytest.raises(ValidationError):
            key_partnership_settings_save(
                actor=None, partnership=world.partnership, review_years=bad, publish_register=True
            )
    saved = key_partnership_settings_save(
        actor=world.coordinator,
        partnership=world.partnership,
        review_years=4,
        publish_register=True,
    )
    assert (saved.review_years, saved.publish_register) == (4, True)
    assert KeyPartnershipSettings.objects.get().history.first().history_change_reason == (
        "Register published"
    )


# --- the register's rows ------------------------------------------------------------------------


@pytest.fixture
def register(world):
    today = timezone.localdate()
    rows = {
        "overdue": make(world, "Alpha Waste", next_review_on=today - timedelta(days=1)),
        "today": make(world, "Bravo Leisure", next_review_on=today),
        "soon": make(world, "Charlie Golf", next_review_on=today + timedelta(days=90)),
        "later": make(
            world,
            "Delta Payroll",
            next_review_on=today + timedelta(days=91),
            lead_organisation=world.charity,
        ),
        "ended": make(world, "Echo Software", next_review_on=today - timedelta(days=30)),
    }
    key_partnership_end(actor=None, key_partnership=rows["ended"], reason="Replaced")
    return rows


def test_each_row_says_whether_its_review_is_overdue_or_due_within_90_days(world, register):
    today = timezone.localdate()
    rows = {
        kp.name: (kp.is_overdue, kp.is_due_soon)
        for kp in key_partnerships_register(
            partnership=world.partnership, today=today, filters=RegisterFilters(status="all")
        )
    }
    assert rows == {
        "Alpha Waste": (True, False),
        "Bravo Leisure": (False, True),
        "Charlie Golf": (False, True),
        "Delta Payroll": (False, False),
        # Ended: no longer reviewed, so never overdue.
        "Echo Software": (False, False),
    }
    assert register_counts(partnership=world.partnership, today=today).__dict__ == {
        "active": 4,
        "overdue": 1,
        "due_soon": 2,
    }


@pytest.mark.parametrize(
    ("filters", "names"),
    [
        (RegisterFilters(), ["Alpha Waste", "Bravo Leisure", "Charlie Golf", "Delta Payroll"]),
        (RegisterFilters(status="ended"), ["Echo Software"]),
        (RegisterFilters(overdue=True), ["Alpha Waste"]),
        (RegisterFilters(search="golf"), ["Charlie Golf"]),
    ],
)
def test_the_register_is_filtered_in_the_database(world, register, filters, names):
    rows = key_partnerships_register(
        partnership=world.partnership, today=timezone.localdate(), filters=filters
    )
    assert [kp.name for kp in rows] == names


def test_the_register_is_filtered_by_lead_organisation(world, register):
    rows = key_partnerships_register(
        partnership=world.partnership,
        today=timezone.localdate(),
        filters=RegisterFilters(lead_organisation=world.charity.pk),
    )
    assert [kp.name for kp in rows] == ["Delta Payroll"]


def test_the_public_rows_are_the_active_ones_whatever_the_filter_asks(world, register):
    filters = RegisterFilters.from_query({"status": "ended"}, public=True)
    rows = key_partnerships_register(
        partnership=world.partnership, today=timezone.localdate(), filters=filters, public=True
    )
    assert [kp.name for kp in rows] == [
        "Alpha Waste",
        "Bravo Leisure",
        "Charlie Golf",
        "Delta Payroll",
    ]


# --- a fixed number of queries ------------------------------------------------------------------


def many(w, n: int) -> None:
    today = timezone.localdate()
    created = KeyPartnership.objects.bulk_create(
        KeyPartnership(
            partnership=w.partnership,
            name=f"Key partnership {i:03d}",
            lead_organisation=w.council,
            lead_service="A service",
            lead_officer=w.member,
            remit="A remit.",
            meets_key_criteria=True,
            key_criteria=["financial"],
            monitoring_arrangements="Meetings.",
            additional_monitoring=False,
            next_review_on=today + timedelta(days=i - 5),
        )
        for i in range(n)
    )
    Through = KeyPartnership.partner_organisations.through
    Through.objects.bulk_create(
        Through(keypartnership_id=kp.pk, organisation_id=org.pk)
        for kp in created
        for org in (w.charity, w.business)
    )
    Bodies = KeyPartnership.bodies.through
    Bodies.objects.bulk_create(
        Bodies(keypartnership_id=kp.pk, body_id=w.board.pk) for kp in created
    )


def register_url(w, name="key_partnership_list") -> str:
    return reverse(f"performance:{name}", kwargs={"partnership": w.partnership.slug})


# The session and the user, the partnership, the user's rights (kept for the request), whether
# they sit in the partnership, the page of rows with its total, its partners, its bodies, the
# counts and the lead organisations.
LIST_QUERIES = 10
# The session and user, the partnership, rights, sitting, the bodies the reader sees risks and
# indicators of (three), the rows, their partners, bodies, risks and indicators.
EXPORT_QUERIES = 13


@pytest.mark.parametrize("n", [13, 200])
def test_the_register_page_asks_the_same_queries_for_13_and_200_rows(
    client, world, n, django_assert_num_queries
):
    many(world, n)
    client.force_login(world.member)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(register_url(world))
    page = response.content.decode()
    assert response.status_code == 200
    assert "5 reviews overdue" in page
    assert page.count("Review overdue") == 5
    assert "Key partnership 012" in page
    if n == 200:  # 50 a page
        assert "Key partnership 049" in page and "Key partnership 050" not in page


@pytest.mark.parametrize("n", [13, 200])
def test_the_export_asks_the_same_queries_for_13_and_200_rows(
    client, world, n, django_assert_num_queries
):
    many(world, n)
    client.force_login(world.member)
    with django_assert_num_queries(EXPORT_QUERIES):
        response = client.get(register_url(world, "key_partnership_export") + "?format=csv")
    assert response.status_code == 200
    assert response.content.decode("utf-8-sig").count("Key partnership ") == n


# The partnership, whether the register is published, the page of rows with its total, its
# partners, the counts and the lead organisations.
PUBLIC_LIST_QUERIES = 6


@pytest.mark.parametrize("n", [13, 200])
def test_the_public_register_asks_the_same_queries_for_13_and_200_rows(
    client, world, n, django_assert_num_queries
):
    many(world, n)
    key_partnership_settings_save(
        actor=None, partnership=world.partnership, review_years=3, publish_register=True
    )
    with django_assert_num_queries(PUBLIC_LIST_QUERIES):
        response = client.get(register_url(world))
    assert response.status_code == 200
    assert f"of {n} active key partnerships" in response.content.decode()
