import re

import pytest
from django.core import mail
from django.urls import reverse

from membership import services as ms
from membership.models import Membership, User
from partnership import services as ps
from tests.conftest import PASSWORD
from tests.factories import UserFactory


def body_url(world, name, body=None, **kwargs):
    return reverse(
        name,
        kwargs={
            "partnership": world.partnership.slug,
            "body": (body or world.board).slug,
            **kwargs,
        },
    )


def date_fields(prefix, d):
    return {
        f"{prefix}_day": str(d.day),
        f"{prefix}_month": str(d.month),
        f"{prefix}_year": str(d.year),
    }


def test_coordinator_appoints_someone_new(client, world, today):
    client.force_login(world.coordinator)
    response = client.post(
        body_url(world, "membership:membership_create", body=world.group),
        {
            "seat": world.group_seat.pk,
            "person": "",
            "new_full_name": "Nia Adeyemi",
            "new_email": "nia@example.org",
            "organisation": world.business.pk,
            "role": "member",
            **date_fields("starts_on", today),
        },
    )
    assert response.status_code == 302
    person = User.objects.get(email="nia@example.org")
    assert Membership.objects.current().get(person=person).body == world.group


def test_a_bad_date_is_reported_next_to_the_field_and_keeps_what_was_typed(client, world):
    client.force_login(world.coordinator)
    response = client.post(
        body_url(world, "membership:membership_create", body=world.group),
        {
            "seat": world.group_seat.pk,
            "new_full_name": "Nia Adeyemi",
            "new_email": "nia@example.org",
            "role": "member",
            "starts_on_day": "31",
            "starts_on_month": "2",
            "starts_on_year": "2026",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_starts_on-error"' in html and "Start date must be a real date" in html
    assert 'value="Nia Adeyemi"' in html and 'value="nia@example.org"' in html
    assert 'name="starts_on_day" type="text" inputmode="numeric" value="31"' in html
    assert not User.objects.filter(email="nia@example.org").exists()


def test_an_incomplete_date_says_what_is_missing(client, world):
    client.force_login(world.coordinator)
    response = client.post(
        body_url(world, "membership:membership_create", body=world.group),
        {
            "seat": world.group_seat.pk,
            "person": world.outsider.pk,
            "role": "member",
            "starts_on_day": "3",
            "starts_on_year": "2026",
        },
    )
    assert "Start date must include a month" in response.content.decode()


def test_a_full_seat_is_reported_next_to_the_seat_and_nothing_is_saved(client, world, today):
    ms.membership_create(
        actor=None, body=world.board, seat=world.board_seat, person=UserFactory(), starts_on=today
    )
    client.force_login(world.coordinator)
    response = client.post(
        body_url(world, "membership:membership_create"),
        {
            "seat": world.board_seat.pk,
            "person": "",
            "new_full_name": "Extra Person",
            "new_email": "extra@example.org",
            "role": "member",
            **date_fields("starts_on", today),
        },
    )
    html = response.content.decode()
    assert 'id="id_seat-error"' in html and "are filled during these dates" in html
    assert 'value="Extra Person"' in html
    # The new account is rolled back with the refused appointment.
    assert not User.objects.filter(email="extra@example.org").exists()


def test_ending_a_membership_before_it_started_is_refused_on_the_field(client, world):
    client.force_login(world.coordinator)
    before = world.member_membership.starts_on.replace(
        year=world.member_membership.starts_on.year - 1
    )
    response = client.post(
        body_url(world, "membership:membership_end", pk=world.member_membership.pk),
        {**date_fields("ends_on", before), "reason": "Resigned"},
    )
    html = response.content.decode()
    assert 'id="id_ends_on-error"' in html and "after the start date" in html
    assert 'value="Resigned"' in html


def test_ending_a_membership_removes_the_members_rights(client, world, today):
    client.force_login(world.coordinator)
    client.post(
        body_url(world, "membership:membership_end", pk=world.chair_membership.pk),
        {**date_fields("ends_on", today), "reason": "Stood down"},
    )
    client.force_login(world.chair)
    # A chair no longer: their account shows the membership as ended.
    assert "Ended" in client.get(reverse("account:home")).content.decode()
    from partnership.permissions import can_chair_body

    assert not can_chair_body(User.objects.get(pk=world.chair.pk), world.board)


def test_body_page_shows_contact_details_to_the_public_only_with_consent(client, world):
    ms.profile_update(
        actor=world.member, user=world.member, contact_public=True, phone="01632 960001"
    )
    html = client.get(world.board.get_absolute_url()).content.decode()
    assert "member@example.org" in html and "01632 960001" in html
    assert "chair@example.org" not in html
    assert "Chair" in html and "Testshire Council" in html


def test_body_page_shows_history_to_coordinators_only(client, world):
    ps.body_update(actor=world.coordinator, body=world.board, remit="A clearer remit")
    assert "Change history" not in client.get(world.board.get_absolute_url()).content.decode()
    client.force_login(world.coordinator)
    html = client.get(world.board.get_absolute_url()).content.decode()
    assert "Change history" in html and "A clearer remit" in html and "Coordinator" in html


def test_body_page_warns_when_a_sector_is_missing(client, world):
    client.force_login(world.coordinator)
    html = client.get(world.board.get_absolute_url()).content.decode()
    assert "no private or voluntary, community and faith sector member" in html


def test_body_page_shows_vacancies(client, world):
    html = client.get(world.board.get_absolute_url()).content.decode()
    assert "1 vacant" in html


@pytest.mark.parametrize("extra", [0, 8])
def test_body_page_queries_do_not_grow_with_members(
    client, world, today, extra, django_assert_num_queries
):
    seat = ms.seat_create(actor=None, body=world.board, name="Many", count=20, voting=True)
    for i in range(extra):
        org = ps.organisation_create(
            actor=None, partnership=world.partnership, name=f"Org {i}", sector="private"
        )
        ms.membership_create(
            actor=None,
            body=world.board,
            seat=seat,
            person=UserFactory(),
            organisation=org,
            starts_on=today,
        )
    client.force_login(world.coordinator)
    # A body's page is a detail page holding five lists, not a list page (those are held to 8
    # in tests/test_list_queries.py): body, session, user, rights, members, children, seats,
    # elections (their winners only when there are some), history, the structure changes'
    # events (issue 16); past members only when the seats' counts say there are some.
    with django_assert_num_queries(10):
        client.get(world.board.get_absolute_url())


@pytest.mark.parametrize("extra", [0, 8])
def test_structure_and_organisation_pages_queries_do_not_grow(
    client, world, extra, django_assert_num_queries
):
    for i in range(extra):
        ps.body_create(
            actor=None,
            partnership=world.partnership,
            name=f"Group {i}",
            kind="forum",
            parent=world.board,
        )
        ps.organisation_create(
            actor=None, partnership=world.partnership, name=f"Org {i}", sector="public"
        )
    # Partnership, bodies, current memberships, seats.
    with django_assert_num_queries(4):
        client.get(reverse("membership:structure", kwargs={"partnership": world.partnership.slug}))
    with django_assert_num_queries(2):
        client.get(
            reverse("partnership:organisation_list", kwargs={"partnership": world.partnership.slug})
        )


def test_member_sees_their_memberships_and_roles(client, world):
    client.force_login(world.chair)
    html = client.get(reverse("account:home")).content.decode()
    assert "Board" in html and "Chair" in html and "Testshire Council" in html


def test_member_edits_contact_details_and_consent(client, world):
    client.force_login(world.member)
    response = client.post(
        reverse("account:profile"),
        {
            "full_name": "Member Person",
            "job_title": "Director",
            "phone": "01632 960002",
            "postal_address": "",
            "contact_public": "on",
        },
    )
    assert response.status_code == 302
    world.member.refresh_from_db()
    assert world.member.contact_public and world.member.job_title == "Director"


def test_member_profile_needs_a_name_and_keeps_the_rest(client, world):
    client.force_login(world.member)
    response = client.post(reverse("account:profile"), {"full_name": "", "job_title": "Director"})
    html = response.content.decode()
    assert "Enter full name" in html and 'value="Director"' in html


def test_sign_in_by_email_and_password(client, world):
    response = client.post(
        reverse("login"), {"username": "member@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == reverse("account:tasks")


def test_wrong_password_says_so(client, world):
    response = client.post(reverse("login"), {"username": "member@example.org", "password": "nope"})
    assert "Enter a correct e-mail address and password" in response.content.decode()


def test_someone_added_by_a_coordinator_sets_a_first_password_by_email(client, world):
    ms.person_create(actor=None, email="fresh@example.org", full_name="Fresh Face")
    client.post(reverse("password_reset"), {"email": "fresh@example.org"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password-reset/\S+/)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "a sturdy new passphrase", "new_password2": "a sturdy new passphrase"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("login"),
        {"username": "fresh@example.org", "password": "a sturdy new passphrase"},
    )
    assert response.status_code == 302


def test_sign_in_ignores_the_case_of_the_email_address(client, world):
    response = client.post(
        reverse("login"), {"username": "Member@Example.org", "password": PASSWORD}
    )
    assert response.status_code == 302


def test_a_date_in_error_marks_its_boxes(client, world):
    client.force_login(world.coordinator)
    response = client.post(
        body_url(world, "membership:membership_end", pk=world.member_membership.pk),
        {"ends_on_day": "40", "ends_on_month": "1", "ends_on_year": "2027"},
    )
    html = response.content.decode()
    assert html.count("govuk-input--error") == 3
    assert 'aria-describedby="id_ends_on-hint id_ends_on-error"' in html


def test_a_coordinator_of_a_top_level_body_can_edit_it(client, world, today):
    top = ps.body_create(actor=None, partnership=world.partnership, name="Forum", kind="forum")
    person = UserFactory()
    ms.appointment_create(
        actor=None, person=person, partnership=world.partnership, body=top, starts_on=today
    )
    client.force_login(person)
    response = client.post(
        reverse(
            "partnership:body_edit",
            kwargs={"partnership": world.partnership.slug, "body": top.slug},
        ),
        {
            "name": "Community Forum",
            "kind": "forum",
            "parent": "",
            "remit": "",
            "terms_of_reference": "",
        },
    )
    assert response.status_code == 302
    top.refresh_from_db()
    assert top.name == "Community Forum" and top.parent is None


def test_structure_shows_each_bodys_members_vacancies_and_missing_sectors(client, world):
    html = client.get(
        reverse("membership:structure", kwargs={"partnership": world.partnership.slug})
    ).content.decode()
    # The Board: chair and member from the council, one of three council places vacant.
    assert "2 members, 1 vacant place" in html
    assert "No private or voluntary, community and faith sector member" in html
