"""Training and development (issue 16, Warrington section 3): a member records the courses
they complete on their account; a co-ordinator of a body they sit on records them for them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from membership import services
from membership.models import TrainingRecord
from membership.permissions import can_keep_training
from tests.test_url_access import ROLES, _check, _client_for

TRAINING_URLS = {
    "account:training",
    "account:training_remove",
    "membership:training_create",
}

SIGNED_IN = {**dict.fromkeys(ROLES, 200), "anonymous": "login"}
POST_ONLY = {**dict.fromkeys(ROLES, 405), "anonymous": "login"}
# The session, the user, and one page of records carrying its total; the membership page
# reads its records in one query more, whatever their number, and asks once whether the reader
# may see them (the person's seats not ended).
QUERIES = 3
MEMBERSHIP_QUERIES = 10
PARTNERSHIP_COORDINATOR = {**dict.fromkeys(ROLES, 403), "anonymous": "login", "coordinator": 200}


def add(w, *, actor=None, person=None, **fields):
    person = person or w.member
    data = {
        "course": "Safeguarding adults, level 2",
        "completed_on": date(2026, 3, 27),
        "provider": "Testshire Council",
        **fields,
    }
    return services.training_record_add(actor=actor or person, person=person, **data)


def training_create_url(w, membership=None):
    m = membership or w.member_membership
    return reverse(
        "membership:training_create",
        kwargs={"partnership": w.partnership.slug, "body": m.body.slug, "pk": m.pk},
    )


def form_data(**fields):
    return {
        "course": "Chairing meetings",
        "completed_on_day": "5",
        "completed_on_month": "11",
        "completed_on_year": "2025",
        "provider": "Testshire CVS",
        "notes": "",
        **fields,
    }


# --- the rules ------------------------------------------------------------------------------


def test_a_member_records_a_course_they_completed(world):
    record = add(world, notes="Half a day, online.")
    assert record.person == world.member
    assert record.recorded_by == world.member
    assert list(world.member.training_records.all()) == [record]
    assert record.history.get().history_change_reason == "Training recorded"


def test_a_course_needs_a_name_a_provider_and_a_date(world):
    with pytest.raises(ValidationError) as exc:
        add(world, course="  ", provider="", completed_on=None)
    assert set(exc.value.message_dict) == {"course", "provider", "completed_on"}
    assert not TrainingRecord.objects.exists()


def test_a_course_cannot_be_completed_in_the_future(world, today):
    with pytest.raises(ValidationError) as exc:
        add(world, completed_on=today + timedelta(days=1))
    assert exc.value.message_dict["completed_on"] == [
        "The date completed must be today or in the past"
    ]
    assert add(world, completed_on=today).completed_on == today


@pytest.mark.parametrize(
    "role, allowed",
    [
        ("member", True),  # themselves
        ("coordinator", True),  # the partnership's co-ordinator
        ("group_coordinator", False),  # co-ordinates the Safer Group; member sits on the Board
        ("chair", False),  # a fellow member is not a co-ordinator
        ("other_member", False),
        ("outsider", False),
    ],
)
def test_who_keeps_a_members_training(world, role, allowed):
    actor = getattr(world, role)
    assert can_keep_training(actor, world.member) is allowed
    if allowed:
        assert add(world, actor=actor).recorded_by == actor
    else:
        with pytest.raises(PermissionDenied):
            add(world, actor=actor)


def test_a_group_coordinator_keeps_the_training_of_their_groups_members(world):
    services.membership_create(
        actor=None,
        body=world.group,
        seat=world.group_seat,
        person=world.other_member,
        organisation=world.charity,
        starts_on=world.start,
    )
    assert can_keep_training(world.group_coordinator, world.other_member)
    record = add(world, actor=world.group_coordinator, person=world.other_member)
    assert record.history.get().history_change_reason == "Training recorded by a co-ordinator"


def test_nobody_anonymous_keeps_training(world):
    assert not can_keep_training(AnonymousUser(), world.member)


def test_a_removed_record_leaves_the_list_and_stays_in_history(world):
    record = add(world)
    pk = record.pk
    services.training_record_remove(actor=world.member, record=record)
    assert not TrainingRecord.objects.filter(pk=pk).exists()
    deleted = TrainingRecord.history.filter(id=pk).order_by("history_date").last()
    assert deleted.history_type == "-"
    assert deleted.history_user == world.member
    assert deleted.course == "Safeguarding adults, level 2"


def test_a_fellow_member_cannot_remove_someone_elses_record(world):
    record = add(world)
    with pytest.raises(PermissionDenied):
        services.training_record_remove(actor=world.chair, record=record)
    assert TrainingRecord.objects.filter(pk=record.pk).exists()


# --- the member's own page --------------------------------------------------------------------


def test_the_account_page_links_to_training(client, world):
    client.force_login(world.member)
    response = client.get(reverse("account:home"))
    assert reverse("account:training").encode() in response.content


def test_a_member_adds_and_sees_a_course_on_their_account(client, world):
    client.force_login(world.member)
    response = client.post(reverse("account:training"), form_data())
    assert response.status_code == 302
    page = client.get(reverse("account:training")).content.decode()
    assert "Chairing meetings" in page
    assert "5 November 2025" in page
    assert "Testshire CVS" in page


def test_a_member_sees_only_their_own_training(client, world):
    add(world, person=world.chair, course="Chair's induction")
    client.force_login(world.member)
    assert b"Chair&#x27;s induction" not in client.get(reverse("account:training")).content


def test_bad_input_is_shown_by_its_fields_and_nothing_typed_is_lost(client, world, today):
    client.force_login(world.member)
    tomorrow = today + timedelta(days=1)
    response = client.post(
        reverse("account:training"),
        form_data(
            provider="",
            completed_on_day=str(tomorrow.day),
            completed_on_month=str(tomorrow.month),
            completed_on_year=str(tomorrow.year),
            notes="Kept as typed",
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Error: " in page
    assert "govuk-error-summary" in page
    assert "Enter provider" in page
    assert "The date completed must be today or in the past" in page
    assert 'value="Chairing meetings"' in page
    assert "Kept as typed" in page
    assert not TrainingRecord.objects.exists()


def test_a_date_that_is_not_real_is_refused_by_its_field(client, world):
    client.force_login(world.member)
    response = client.post(
        reverse("account:training"), form_data(completed_on_day="31", completed_on_month="2")
    )
    assert "Date completed must be a real date" in response.content.decode()


def test_a_member_removes_their_own_record(client, world):
    record = add(world)
    client.force_login(world.member)
    response = client.post(reverse("account:training_remove", kwargs={"pk": record.pk}))
    assert response.status_code == 302
    assert not TrainingRecord.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("role", [r for r in ROLES if r not in ("anonymous", "member")])
def test_nobody_else_removes_a_members_record_from_their_account(client, world, role):
    record = add(world)
    client = _client_for(client, world, role)
    response = client.post(reverse("account:training_remove", kwargs={"pk": record.pk}))
    assert response.status_code == 404
    assert TrainingRecord.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("rows", [13, 200])
def test_the_training_page_takes_a_fixed_number_of_queries(
    client, world, rows, django_assert_num_queries
):
    TrainingRecord.objects.bulk_create(
        TrainingRecord(
            person=world.member,
            course=f"Course {n}",
            completed_on=date(2025, 1, 1) + timedelta(days=n),
            provider="Testshire CVS",
            recorded_by=world.coordinator if n % 2 else world.member,
        )
        for n in range(rows)
    )
    client.force_login(world.member)
    url = reverse("account:training")
    client.get(url)  # warm the per-user caches
    with django_assert_num_queries(QUERIES):
        response = client.get(url)
    assert response.content.count(b'class="govuk-table__row"') == min(rows, 50) + 1


@pytest.mark.parametrize("rows", [13, 200])
def test_the_membership_page_takes_a_fixed_number_of_queries(
    client, world, rows, django_assert_num_queries
):
    TrainingRecord.objects.bulk_create(
        TrainingRecord(
            person=world.member,
            course=f"Course {n}",
            completed_on=date(2025, 1, 1) + timedelta(days=n),
            provider="Testshire CVS",
            recorded_by=world.coordinator,
        )
        for n in range(rows)
    )
    client.force_login(world.coordinator)
    url = reverse(
        "membership:membership_detail",
        kwargs={
            "partnership": world.partnership.slug,
            "body": world.board.slug,
            "pk": world.member_membership.pk,
        },
    )
    client.get(url)
    with django_assert_num_queries(MEMBERSHIP_QUERIES):
        response = client.get(url)
    assert response.content.count(b"Course ") == min(rows, 50)


# --- a co-ordinator records for a member -----------------------------------------------------


def test_the_membership_page_lists_the_members_training_with_an_add_link(client, world):
    add(world, course="Safeguarding adults, level 2")
    client.force_login(world.coordinator)
    response = client.get(
        reverse(
            "membership:membership_detail",
            kwargs={
                "partnership": world.partnership.slug,
                "body": world.board.slug,
                "pk": world.member_membership.pk,
            },
        )
    )
    page = response.content.decode()
    assert "Training and development" in page
    assert "Safeguarding adults, level 2" in page
    assert training_create_url(world) in page


def test_a_coordinator_records_a_course_for_a_member(client, world):
    client.force_login(world.coordinator)
    response = client.post(training_create_url(world), form_data())
    assert response.status_code == 302
    assert response["Location"].endswith("#training")
    record = world.member.training_records.get()
    assert record.recorded_by == world.coordinator
    client.force_login(world.member)
    assert "Recorded by Coordinator" in client.get(reverse("account:training")).content.decode()


def test_the_coordinators_form_shows_errors_and_keeps_what_was_typed(client, world):
    client.force_login(world.coordinator)
    response = client.post(training_create_url(world), form_data(course="", notes="Typed"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter course" in page
    assert 'value="Testshire CVS"' in page
    assert "Typed" in page


def test_a_coordinator_cannot_record_for_a_member_who_has_left(client, world, today):
    services.membership_end(
        actor=world.coordinator, membership=world.member_membership, ends_on=today, reason="Left"
    )
    client.force_login(world.coordinator)
    response = client.post(training_create_url(world), form_data())
    assert response.status_code == 200
    assert "only they can record their training" in response.content.decode()
    assert not TrainingRecord.objects.exists()


def test_once_a_member_has_left_the_coordinator_no_longer_reads_their_training(
    client, world, today
):
    add(world, course="Safeguarding adults, level 2", notes="Private notes")
    services.membership_end(
        actor=world.coordinator, membership=world.member_membership, ends_on=today, reason="Left"
    )
    client.force_login(world.coordinator)
    page = client.get(
        reverse(
            "membership:membership_detail",
            kwargs={
                "partnership": world.partnership.slug,
                "body": world.board.slug,
                "pk": world.member_membership.pk,
            },
        )
    ).content.decode()
    assert "Safeguarding adults" not in page and "Private notes" not in page
    assert "sees their training now that they no longer sit on a body you co-ordinate" in page
    assert training_create_url(world) not in page


def test_a_member_whose_seat_starts_later_may_have_training_recorded(world, today):
    from membership.permissions import can_keep_training
    from tests.factories import UserFactory

    newcomer = UserFactory()
    services.membership_create(
        actor=None,
        body=world.board,
        seat=world.board_seat,
        person=newcomer,
        starts_on=today + timedelta(days=30),
    )
    assert can_keep_training(world.coordinator, newcomer)


# --- who reaches each URL ----------------------------------------------------------------------


def training_urls(w):
    record = add(w)
    board = {"partnership": w.partnership.slug, "body": w.board.slug}
    return [
        ("account:training", {}, SIGNED_IN),
        ("account:training_remove", {"pk": record.pk}, POST_ONLY),
        (
            "membership:training_create",
            {**board, "pk": w.member_membership.pk},
            PARTNERSHIP_COORDINATOR,
        ),
    ]


def test_every_training_url_is_in_the_matrix(world):
    assert {name for name, _, _ in training_urls(world)} == TRAINING_URLS


@pytest.mark.parametrize("role", ROLES)
def test_get_every_training_url_as(role, client, world):
    client = _client_for(client, world, role)
    for name, kwargs, expected in training_urls(world):
        url = reverse(name, kwargs=kwargs)
        _check(client.get(url), expected[role], url)
