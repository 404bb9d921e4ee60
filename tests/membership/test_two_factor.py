"""The second factor: set up at the first sign-in, a code at every sign-in (or a recovery
code), the session key rotated when it is given, remembered browsers, a co-ordinator's reset,
and nothing but its own pages for a session that has only the password. These tests sign in
through the pages (the password POSTed), never ``force_login``, which the suite's conftest
makes pass the second factor."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from membership import services
from membership.middleware import VERIFIED
from membership.models import RecoveryCode, User
from tests.conftest import PASSWORD

KEY = "3132333435363738393031323334353637383930"
TASKS = reverse("account:tasks")
VERIFY = reverse("two_factor")
SET_UP = reverse("two_factor_set_up")
RECOVERY = reverse("two_factor_recovery")


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key):06d}"


def fresh(device: TOTPDevice) -> TOTPDevice:
    """Forget the last code used and any throttling, as a new 30-second step would."""
    TOTPDevice.objects.filter(pk=device.pk).update(
        last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None
    )
    device.refresh_from_db()
    return device


def password_only(user, client: Client | None = None) -> Client:
    client = client or Client()
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


@pytest.fixture
def enrolled(world):
    device = services.second_factor_enrol(user=world.member, key=KEY)
    world.member.refresh_from_db()
    return device


# --- the gate --------------------------------------------------------------------------------


def test_a_password_alone_reaches_only_the_second_factor_pages(world, enrolled):
    client = password_only(world.member)
    for path in (TASKS, reverse("account:home"), world.board.get_absolute_url(), "/admin/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(f"{VERIFY}?next="), path
    # Signing out and the second factor's pages stay open.
    assert client.get(VERIFY).status_code == 200
    assert client.get(RECOVERY).status_code == 200
    # A script's request is answered 401, not a page.
    response = client.get(TASKS, headers={"Sec-Fetch-Mode": "cors"})
    assert response.status_code == 401
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(TASKS)["Location"].startswith(reverse("login"))


def test_a_password_alone_cannot_replace_the_second_factor(world, enrolled):
    client = password_only(world.member)
    response = client.get(SET_UP)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    client.post(SET_UP, {"code": "123456"})
    assert TOTPDevice.objects.filter(user=world.member).count() == 1  # nothing new made


def test_the_code_signs_in_rotates_the_session_key_and_goes_where_asked(world, enrolled):
    client = password_only(world.member)
    before = client.session.session_key
    response = client.post(f"{VERIFY}?next=/account/", {"code": code_for(enrolled)})
    assert response.status_code == 302 and response["Location"] == "/account/"
    assert client.session.session_key != before
    assert client.session[VERIFIED] == world.member.pk
    assert client.get(TASKS).status_code == 200


def test_a_wrong_code_is_said_next_to_the_field_and_throttled(world, enrolled):
    client = password_only(world.member)
    response = client.post(VERIFY, {"code": "000000"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and 'href="#id_code"' in page
    assert "The code is not right, or has expired" in page
    # The very next try, even with the right code, waits: 1, 2, 4 ... seconds after each miss.
    response = client.post(VERIFY, {"code": code_for(enrolled)})
    assert "You have entered a wrong code too many times" in response.content.decode()
    assert client.get(TASKS).status_code == 302
    for bad in ("12345", "abcdef", ""):
        page = client.post(VERIFY, {"code": bad}).content.decode()
        assert "govuk-error-message" in page


def test_a_code_is_good_once(world, enrolled):
    code = code_for(enrolled)
    services.totp_check(user=world.member, code=code)
    with pytest.raises(ValidationError):
        services.totp_check(user=world.member, code=code)


def test_a_redirect_after_the_code_stays_on_this_site(world, enrolled):
    client = password_only(world.member)
    response = client.post(f"{VERIFY}?next=https://evil.example/", {"code": code_for(enrolled)})
    assert response["Location"] == TASKS


def test_the_admin_needs_the_second_factor_too(db):
    admin = User.objects.create_superuser("root@example.org", PASSWORD, full_name="Root")
    client = Client()
    client.post("/admin/login/", {"username": admin.email, "password": PASSWORD})
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"{SET_UP}?next=")  # none yet: set one up


# --- setting up ------------------------------------------------------------------------------


def test_first_sign_in_sets_up_an_app_and_shows_ten_recovery_codes_once(world):
    client = password_only(world.member)
    response = client.get(TASKS)
    assert response["Location"] == f"{SET_UP}?next=%2Faccount%2Ftasks%2F"
    page = client.get(response["Location"]).content.decode()
    assert "<svg" in page and 'role="img"' in page  # the QR code, drawn on the server
    secret = re.search(r'class="app-secret">([A-Z2-7 ]+)<', page).group(1)
    device = TOTPDevice.objects.get(user=world.member, confirmed=False)
    assert secret.replace(" ", "") == __import__("base64").b32encode(device.bin_key).decode()
    # A wrong code keeps the same secret: the app already scanned still works.
    page = client.post(SET_UP, {"code": "000000"}).content.decode()
    assert secret in page and "govuk-error-summary" in page
    fresh(device)
    response = client.post(f"{SET_UP}?next=%2Faccount%2Ftasks%2F", {"code": code_for(device)})
    assert response.status_code == 302
    codes_page = client.get(response["Location"]).content.decode()
    codes = re.findall(r'class="app-secret">([0-9A-Z-]+)<', codes_page)
    assert len(codes) == 10 and all(len(c) == 29 for c in codes)
    assert 'href="/account/tasks/"' in codes_page
    # Shown once: not kept in the session, and only digests in the database.
    assert client.get(reverse("two_factor_recovery_codes")).status_code == 302
    stored = set(RecoveryCode.objects.filter(person=world.member).values_list("digest", flat=True))
    assert len(stored) == 10 and not any(c.replace("-", "") in d for c in codes for d in stored)
    assert client.get(TASKS).status_code == 200
    world.member.refresh_from_db()
    assert world.member.second_factor_since is not None
    assert world.member.history.first().history_change_reason == "Set up an authenticator app"


def test_a_new_app_replaces_the_old_one_and_its_codes(world, enrolled):
    old_codes = services.recovery_codes_new(user=world.member)
    client = Client()
    client.force_login(world.member)
    client.get(SET_UP)
    new = TOTPDevice.objects.get(user=world.member, confirmed=False)
    # Changing how one signs in asks for the password again.
    page = client.post(SET_UP, {"password": "wrong", "code": code_for(new)}).content.decode()
    assert "Your current password is not right" in page and 'href="#id_password"' in page
    assert TOTPDevice.objects.filter(user=world.member).count() == 2  # nothing changed yet
    client.post(SET_UP, {"password": PASSWORD, "code": code_for(fresh(new))})
    assert list(TOTPDevice.objects.filter(user=world.member)) == [new]
    with pytest.raises(ValidationError):
        services.recovery_code_use(user=world.member, code=old_codes[0])
    assert world.member.history.first().history_change_reason == "Set up a new authenticator app"


# --- recovery codes --------------------------------------------------------------------------


def test_a_recovery_code_signs_in_once_typed_any_way(world, enrolled):
    codes = services.recovery_codes_new(user=world.member)
    client = password_only(world.member)
    typed = codes[0].replace("-", " ").lower().replace("0", "o")
    response = client.post(RECOVERY, {"code": typed})
    assert response.status_code == 302 and response["Location"] == TASKS
    page = client.get(TASKS).content.decode()
    assert "You have 9 left" in page
    # The same code again, in another browser: refused, next to the field.
    other = password_only(world.member)
    page = other.post(RECOVERY, {"code": codes[0]}).content.decode()
    assert "has been used already" in page and 'href="#id_code"' in page
    assert other.get(TASKS).status_code == 302


def test_recovery_codes_are_throttled_per_account(world, enrolled):
    codes = services.recovery_codes_new(user=world.member)
    for _ in range(10):
        with pytest.raises(ValidationError):
            services.recovery_code_use(user=world.member, code="0" * 24)
    with pytest.raises(ValidationError, match="too many recovery codes"):
        services.recovery_code_use(user=world.member, code=codes[1])
    # From another address the owner's code still works.
    assert services.recovery_code_use(user=world.member, code=codes[1], address="192.0.2.9") == 9


def test_new_recovery_codes_from_the_account_page(world, enrolled):
    client = Client()
    client.force_login(world.member)
    page = client.get(reverse("account:two_factor")).content.decode()
    assert "0 of 10 not yet used" in page
    page = client.post(reverse("account:two_factor_recovery_codes_new")).content.decode()
    assert "Enter your password" in page and 'href="#id_password"' in page
    response = client.post(reverse("account:two_factor_recovery_codes_new"), {"password": PASSWORD})
    page = client.get(response["Location"]).content.decode()
    assert len(re.findall(r'class="app-secret">', page)) == 10
    assert services.recovery_codes_left(user=world.member) == 10


# --- remembered browsers ---------------------------------------------------------------------


def test_a_remembered_browser_is_not_asked_again_until_something_forgets_it(world, enrolled):
    from django.conf import settings

    client = password_only(world.member)
    client.post(VERIFY, {"code": code_for(enrolled), "remember": "on"})
    cookie = client.cookies[settings.TWO_FACTOR_REMEMBER_COOKIE]
    assert cookie["httponly"] and cookie["max-age"] == 30 * 86400
    client.post(reverse("logout"))
    password_only(world.member, client)
    before = client.session.session_key
    assert client.get(TASKS).status_code == 200  # no code asked
    assert client.session.session_key != before  # still a new key when it is given

    # Another person signing in on this browser is asked for theirs.
    services.second_factor_enrol(user=world.chair, key=KEY)
    client.post(reverse("logout"))
    password_only(world.chair, client)
    assert client.get(TASKS).status_code == 302

    # "Sign out everywhere" forgets every remembered browser.
    client.post(reverse("logout"))
    password_only(world.member, client)
    assert client.get(TASKS).status_code == 200
    services.account_sign_out_everywhere(user=world.member)
    password_only(world.member, client)
    assert client.get(TASKS).status_code == 302


def test_not_ticking_remember_remembers_nothing(world, enrolled):
    from django.conf import settings

    client = password_only(world.member)
    client.post(VERIFY, {"code": code_for(enrolled)})
    assert settings.TWO_FACTOR_REMEMBER_COOKIE not in client.cookies
    client.post(reverse("logout"))
    password_only(world.member, client)
    assert client.get(TASKS).status_code == 302


def test_a_remembered_browser_is_forgotten_after_the_period_and_by_a_new_password(
    world, enrolled, monkeypatch
):
    token = services.remember_token(user=world.member)
    assert services.remembered_person(user=world.member, token=token)
    assert not services.remembered_person(user=world.chair, token=token)
    assert not services.remembered_person(user=world.member, token=token + "x")
    real = time.time()
    monkeypatch.setattr(signing.time, "time", lambda: real + 31 * 86400)
    assert not services.remembered_person(user=world.member, token=token)
    monkeypatch.setattr(signing.time, "time", lambda: real)
    services.account_password_change(user=world.member, password="another good password 9")
    assert not services.remembered_person(user=world.member, token=token)


def test_remembering_can_be_turned_off(world, enrolled, settings):
    settings.TWO_FACTOR_REMEMBER_DAYS = 0
    client = password_only(world.member)
    assert "Remember this device" not in client.get(VERIFY).content.decode()
    token = services.remember_token(user=world.member)
    assert not services.remembered_person(user=world.member, token=token)


# --- reset by a co-ordinator -----------------------------------------------------------------


def test_a_coordinator_resets_a_members_second_factor(
    world, enrolled, django_capture_on_commit_callbacks
):
    services.recovery_codes_new(user=world.member)
    member_browser = Client()
    member_browser.force_login(world.member)
    url = reverse(
        "membership:second_factor_reset",
        args=[world.partnership.slug, world.board.slug, world.member_membership.pk],
    )
    detail = world.member_membership
    coordinator = Client()
    coordinator.force_login(world.coordinator)
    page = coordinator.get(
        reverse(
            "membership:membership_detail",
            args=[world.partnership.slug, world.board.slug, detail.pk],
        )
    ).content.decode()
    assert url in page
    assert coordinator.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator.post(url, {"password": PASSWORD})
    assert response.status_code == 302
    world.member.refresh_from_db()
    assert world.member.second_factor_since is None
    assert not TOTPDevice.objects.filter(user=world.member).exists()
    assert not RecoveryCode.objects.filter(person=world.member).exists()
    row = world.member.history.first()
    assert row.history_change_reason == "Second factor reset by Coordinator"
    assert row.history_user == world.coordinator
    # Signed out everywhere, told by e-mail, and set up again at the next sign-in.
    assert member_browser.get(TASKS).status_code == 302
    assert [m.to for m in mail.outbox] == [[world.member.email]]
    assert "Coordinator reset your second factor" in mail.outbox[0].body
    client = password_only(world.member)
    assert client.get(TASKS)["Location"].startswith(SET_UP)


def test_only_the_bodys_coordinators_reset_and_never_their_own_or_an_admins(world, enrolled):
    url = reverse(
        "membership:second_factor_reset",
        args=[world.partnership.slug, world.board.slug, world.member_membership.pk],
    )
    for person in (world.member, world.chair, world.other_member, world.group_coordinator):
        client = Client()
        client.force_login(person)
        assert client.post(url).status_code == 403, person
    assert TOTPDevice.objects.filter(user=world.member).exists()
    with pytest.raises(ValidationError, match="your own"):
        services.second_factor_reset(actor=world.member, person=world.member)
    world.member.is_staff = True
    world.member.save()
    client = Client()
    client.force_login(world.coordinator)
    page = client.post(url, {"password": PASSWORD}).content.decode()
    assert "govuk-error-summary" in page and "only another administrator" in page
    assert TOTPDevice.objects.filter(user=world.member).exists()


def test_asking_for_the_password_again_is_throttled_per_account(world, enrolled):
    client = Client()
    client.force_login(world.member)
    url = reverse("account:password_change")
    for _ in range(5):
        client.post(url, {"old_password": "wrong", "new_password1": "x", "new_password2": "x"})
    page = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": "a much longer passphrase 2026",
            "new_password2": "a much longer passphrase 2026",
        },
    ).content.decode()
    assert "You have entered a wrong password too many times" in page
    assert page.count("Error:") == 2  # the title's, and the field's hidden prefix
    world.member.refresh_from_db()
    assert world.member.check_password(PASSWORD)


def test_an_administrator_resets_an_administrators_second_factor_in_the_admin(world):
    root = User.objects.create_superuser("root@example.org", PASSWORD, full_name="Root")
    other = User.objects.create_superuser("ops@example.org", PASSWORD, full_name="Ops")
    services.second_factor_enrol(user=other, key=KEY)
    client = Client()
    client.force_login(root)
    response = client.post(
        reverse("admin:membership_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [other.pk]},
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.second_factor_since is None
    assert not TOTPDevice.objects.filter(user=other).exists()
    assert other.history.first().history_change_reason == "Second factor reset by Root"


def test_the_demo_people_have_published_authenticators(db):
    from django.core.management import call_command

    from membership.demo_second_factor import demo_totp_key

    call_command("load_demo", force=True, stdout=__import__("io").StringIO())
    coordinator = User.objects.get(email="coordinator@mercia-vale.example")
    device = TOTPDevice.objects.get(user=coordinator, confirmed=True)
    assert device.key == demo_totp_key(coordinator.email)
    invited = User.objects.filter(email__endswith="@mercia-vale.example", password__startswith="!")
    assert invited.exists()
    assert not TOTPDevice.objects.filter(user__in=invited).exists()


def test_an_authenticator_deleted_in_the_admin_is_set_up_again_at_sign_in(world, enrolled):
    TOTPDevice.objects.filter(user=world.member).delete()
    client = password_only(world.member)
    response = client.get(VERIFY)
    assert response.status_code == 302 and response["Location"].startswith(SET_UP)
    assert client.get(SET_UP).status_code == 200


# --- found by the outside review -------------------------------------------------------------


def _reset_url(world, body, membership):
    return reverse(
        "membership:second_factor_reset", args=[world.partnership.slug, body.slug, membership.pk]
    )


def test_a_reset_needs_the_coordinators_password_and_reaches_only_their_own_people(world, enrolled):
    from membership import services as ms

    coordinator = Client()
    coordinator.force_login(world.coordinator)
    url = _reset_url(world, world.board, world.member_membership)
    page = coordinator.post(url, {"password": "wrong"}).content.decode()
    assert "Your current password is not right" in page
    assert TOTPDevice.objects.filter(user=world.member).exists()

    # The member also sits on the Safer Group: its co-ordinator does not co-ordinate the Board,
    # so may not reset them even from the group's page.
    group_place = ms.membership_create(
        actor=None,
        body=world.group,
        seat=world.group_seat,
        person=world.member,
        starts_on=world.start,
    )
    group_coordinator = Client()
    group_coordinator.force_login(world.group_coordinator)
    url = _reset_url(world, world.group, group_place)
    page = group_coordinator.get(url).content.decode()
    assert (
        "also sits on bodies you do not co-ordinate" in page
        and "Reset second factor" not in (page.split("<h1", 1)[1].split("</h1>", 1)[1])
    )
    group_coordinator.post(url, {"password": PASSWORD})
    assert TOTPDevice.objects.filter(user=world.member).exists()

    # An officer (here the group's co-ordinator, put on the group) only by an administrator.
    officer = ms.membership_create(
        actor=None,
        body=world.group,
        seat=world.group_seat,
        person=world.group_coordinator,
        starts_on=world.start,
    )
    services.second_factor_enrol(user=world.group_coordinator, key=KEY)
    page = coordinator.post(_reset_url(world, world.group, officer), {"password": PASSWORD})
    assert "reset by an administrator" in page.content.decode()
    assert TOTPDevice.objects.filter(user=world.group_coordinator).exists()


def test_a_reset_refuses_a_membership_that_has_ended(world, enrolled):
    from membership import services as ms

    ms.membership_end(
        actor=None, membership=world.member_membership, ends_on=world.start + timedelta(days=1)
    )
    coordinator = Client()
    coordinator.force_login(world.coordinator)
    page = coordinator.post(
        _reset_url(world, world.board, world.member_membership), {"password": PASSWORD}
    ).content.decode()
    assert "does not sit on Board now" in page
    assert TOTPDevice.objects.filter(user=world.member).exists()


def test_a_secret_seen_on_another_set_up_page_never_becomes_the_authenticator(world):
    attacker = password_only(world.member)
    attacker.get(SET_UP)
    seen = TOTPDevice.objects.get(user=world.member, confirmed=False)
    owner = password_only(world.member)
    owner.get(SET_UP)
    mine = TOTPDevice.objects.get(user=world.member, confirmed=False)
    assert mine.pk != seen.pk and mine.key != seen.key
    assert not TOTPDevice.objects.filter(pk=seen.pk).exists()
    owner.post(SET_UP, {"code": code_for(mine)})
    assert list(TOTPDevice.objects.filter(user=world.member, confirmed=True)) == [mine]


def test_setting_up_an_app_is_told_by_e_mail(world, django_capture_on_commit_callbacks):
    client = password_only(world.member)
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=world.member, confirmed=False)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SET_UP, {"code": code_for(device)})
    assert [m.subject for m in mail.outbox] == ["An authenticator app was set up for your account"]


def test_someone_with_the_password_cannot_lock_the_owner_out_for_long(
    world, enrolled, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(15):
            TOTPDevice.objects.filter(pk=enrolled.pk).update(throttling_failure_timestamp=None)
            with pytest.raises(ValidationError):
                services.totp_check(user=world.member, code="000000")
    enrolled.refresh_from_db()
    assert enrolled.throttling_failure_count == services.THROTTLE_CAP  # at most 2^9 s
    # The owner was told at the fifth wrong code in a row, once.
    assert [m.subject for m in mail.outbox] == ["Wrong sign-in codes after your password"]
    # A recovery code (from the owner's address; the other person's tries do not count
    # there) lets them in and lifts the wait.
    codes = services.recovery_codes_new(user=world.member)
    for _ in range(10):
        with pytest.raises(ValidationError):
            services.recovery_code_use(user=world.member, code="0" * 24, address="198.51.100.1")
    services.recovery_code_use(user=world.member, code=codes[0], address="192.0.2.1")
    enrolled.refresh_from_db()
    assert enrolled.throttling_failure_count == 0
    # So does a new password.
    TOTPDevice.objects.filter(pk=enrolled.pk).update(throttling_failure_count=7)
    services.account_password_change(user=world.member, password="another good password 9")
    enrolled.refresh_from_db()
    assert enrolled.throttling_failure_count == 0


def test_right_passwords_asked_again_are_not_counted(world, enrolled):
    client = Client()
    client.force_login(world.member)
    for _ in range(7):
        response = client.post(
            reverse("account:two_factor_recovery_codes_new"), {"password": PASSWORD}
        )
        assert response.status_code == 302


def test_the_admins_actions_need_change_rights_and_superusers_only_by_superusers(world):
    from django.contrib.auth.models import Permission

    root = User.objects.create_superuser("root@example.org", PASSWORD, full_name="Root")
    services.second_factor_enrol(user=root, key=KEY)
    viewer = User.objects.create_user("viewer@example.org", PASSWORD, full_name="Viewer")
    viewer.is_staff = True
    viewer.save()
    viewer.user_permissions.add(Permission.objects.get(codename="view_user"))
    client = Client()
    client.force_login(viewer)
    client.post(
        reverse("admin:membership_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [root.pk]},
    )
    assert TOTPDevice.objects.filter(user=root).exists()
    viewer.user_permissions.add(Permission.objects.get(codename="change_user"))
    client.post(
        reverse("admin:membership_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [root.pk]},
    )
    assert TOTPDevice.objects.filter(user=root).exists()  # a superuser's: superusers only
    # Authenticators are not in the admin at all: no silent deletion.
    from django.contrib import admin

    assert TOTPDevice not in admin.site._registry


def test_sign_out_on_the_code_pages_is_a_button_that_signs_out(world, enrolled):
    client = password_only(world.member)
    page = client.get(VERIFY).content.decode()
    assert f'<form method="post" action="{reverse("logout")}"' in page
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(TASKS)["Location"].startswith(reverse("login"))
