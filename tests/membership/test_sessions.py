"""Sessions: idle for 30 minutes or signed in for 12 hours, a session ends (time moved, not
waited); "Sign out everywhere" ends every session of the person; changing the password ends
every other one and keeps this one; the session key changes at sign-in."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from partnership import sessions
from tests.conftest import PASSWORD

HOME = reverse("account:home")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _move_time(monkeypatch, seconds: float) -> None:
    real = sessions.now()
    monkeypatch.setattr(sessions, "now", lambda: real + seconds)


def test_a_session_idle_for_30_minutes_ends_and_says_why(world, monkeypatch):
    client = signed_in(world.member)
    assert client.get(HOME).status_code == 200
    _move_time(monkeypatch, 31 * 60)
    response = client.get(HOME)
    assert response.status_code == 302
    assert (
        response["Location"].startswith(reverse("login"))
        and "next=/account/" in response["Location"]
    )
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out after 30 minutes without activity" in page
    assert client.get(HOME).status_code == 302  # still signed out


def test_activity_keeps_a_session_going(world, monkeypatch):
    client = signed_in(world.member)
    real = sessions.now()
    for minutes in (10, 20, 30, 40, 50):
        monkeypatch.setattr(sessions, "now", lambda m=minutes: real + m * 60)
        assert client.get(HOME).status_code == 200


def test_however_active_a_session_ends_12_hours_after_signing_in(world, monkeypatch):
    client = signed_in(world.member)
    real = sessions.now()
    for minutes in range(0, 12 * 60, 25):
        monkeypatch.setattr(sessions, "now", lambda m=minutes: real + m * 60)
        assert client.get(HOME).status_code == 200
    monkeypatch.setattr(sessions, "now", lambda: real + 12 * 3600 + 60)
    response = client.get(HOME)
    assert response.status_code == 302
    assert "12 hours after you signed in" in client.get(response["Location"]).content.decode()


def test_the_cookie_expires_at_the_absolute_limit(settings):
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_MAX_HOURS * 3600 == 12 * 3600
    assert settings.SESSION_IDLE_MINUTES == 30


def test_a_page_seen_within_two_minutes_does_not_write_the_session(world, monkeypatch):
    client = signed_in(world.member)
    client.get(HOME)
    seen = client.session[sessions.SEEN_AT]
    _move_time(monkeypatch, 60)
    client.get(HOME)
    assert client.session[sessions.SEEN_AT] == seen
    _move_time(monkeypatch, 3 * 60)
    client.get(HOME)
    assert client.session[sessions.SEEN_AT] > seen


def test_sign_out_everywhere_ends_every_session_of_the_person_only(world):
    here, there = signed_in(world.member), signed_in(world.member)
    someone_else = signed_in(world.chair)
    assert here.get(reverse("account:sign_out_everywhere")).status_code == 200
    response = here.post(reverse("account:sign_out_everywhere"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert "You have been signed out everywhere" in here.get(reverse("login")).content.decode()
    assert here.get(HOME).status_code == 302
    assert there.get(HOME).status_code == 302
    assert someone_else.get(HOME).status_code == 200
    world.member.refresh_from_db()
    assert world.member.history.first().history_change_reason == "Signed out everywhere"
    # Signing in again works (up to the second factor, tests/membership/test_two_factor.py).
    again = Client()
    again.post(reverse("login"), {"username": world.member.email, "password": PASSWORD})
    assert again.get(HOME)["Location"].startswith(reverse("two_factor_set_up"))


def test_changing_the_password_keeps_this_session_and_ends_the_others(world):
    here, there = signed_in(world.member), signed_in(world.member)
    response = here.post(
        reverse("account:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a much longer passphrase 2026",
            "new_password2": "a much longer passphrase 2026",
        },
    )
    assert response.status_code == 302
    assert here.get(HOME).status_code == 200
    assert there.get(HOME).status_code == 302
    world.member.refresh_from_db()
    assert world.member.check_password("a much longer passphrase 2026")


@pytest.mark.parametrize(
    ("data", "field", "says"),
    [
        ({}, "old_password", "Enter your current password"),
        (
            {"old_password": "wrong", "new_password1": "x" * 20, "new_password2": "x" * 20},
            "old_password",
            "Your current password is not right",
        ),
        (
            {"old_password": PASSWORD, "new_password1": "abc", "new_password2": "abd"},
            "new_password2",
            "The two new passwords do not match",
        ),
    ],
)
def test_a_wrong_password_change_says_what_is_wrong_by_the_field(world, data, field, says):
    client = signed_in(world.member)
    response = client.post(reverse("account:password_change"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html and f'href="#id_{field}"' in html and says in html


def test_the_session_key_changes_at_sign_in(world):
    client = Client()
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    client.post(reverse("login"), {"username": world.member.email, "password": PASSWORD})
    assert client.session.session_key != before


def test_a_form_sent_after_the_timeout_comes_back_to_the_form_not_its_action(world, monkeypatch):
    client = signed_in(world.member)
    _move_time(monkeypatch, 31 * 60)
    form_page = "http://testserver" + reverse("account:profile")
    response = client.post(
        reverse("account:profile"), {"full_name": "Member"}, HTTP_REFERER=form_page
    )
    assert response.status_code == 302
    assert "next=/account/contact-details/" in response["Location"]


def test_signing_out_after_the_timeout_just_signs_out(world, monkeypatch):
    client = signed_in(world.member)
    _move_time(monkeypatch, 31 * 60)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_a_scripts_request_after_the_timeout_is_told_401_not_sent_a_page(world, monkeypatch):
    client = signed_in(world.member)
    _move_time(monkeypatch, 31 * 60)
    response = client.get(HOME, HTTP_SEC_FETCH_MODE="cors")
    assert response.status_code == 401
