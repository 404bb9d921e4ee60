"""Throttling the public forms: the sixth wrong password for one account in 15 minutes is
refused even with the right password, whether or not the account exists; the lock lifts after
15 minutes (time moved, not waited); password resets are limited by e-mail address (quietly)
and by address (a 429 page saying when to try again)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from partnership import throttle
from tests.conftest import PASSWORD

LOGIN = reverse("login")
RESET = reverse("password_reset")


def sign_in(client, email, password):
    return client.post(LOGIN, {"username": email, "password": password})


def test_the_sixth_wrong_password_in_15_minutes_locks_the_account_even_to_the_right_one(
    client, world
):
    email = world.member.email
    for _ in range(4):
        response = sign_in(client, email, "wrong password")
        assert response.status_code == 200
        assert "Enter a correct e-mail address and password" in response.content.decode()
    # The fifth wrong password is the last: it is answered with the lockout.
    assert sign_in(client, email, "wrong password").status_code == 429
    response = sign_in(client, email, PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many wrong passwords" in html and "15 minutes" in html
    assert response["Retry-After"] == "900"
    assert "_auth_user_id" not in client.session
    # Another account is not locked out by it.
    assert sign_in(client, world.chair.email, PASSWORD).status_code == 302


def test_the_lock_is_per_account_whatever_the_case_typed(client, world):
    for i in range(5):
        sign_in(client, world.member.email.upper() if i % 2 else world.member.email, "wrong")
    assert sign_in(client, world.member.email, PASSWORD).status_code == 429


def test_an_account_that_does_not_exist_is_locked_out_the_same_way(client, world):
    for _ in range(5):
        sign_in(client, "nobody@example.org", "wrong password")
    locked = sign_in(client, "nobody@example.org", "wrong password")
    real = None
    for _ in range(6):
        real = sign_in(client, world.member.email, "wrong password")
    assert locked.status_code == real.status_code == 429
    assert locked.content == real.content  # nothing says which account exists


def test_the_lock_lifts_after_15_minutes(client, world):
    for _ in range(5):
        sign_in(client, world.member.email, "wrong password")
    assert sign_in(client, world.member.email, PASSWORD).status_code == 429
    # Sixteen minutes pass (the failures are moved back, not waited for).
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))
    assert sign_in(client, world.member.email, PASSWORD).status_code == 302


def test_a_right_password_resets_the_count(client, world):
    for _ in range(4):
        sign_in(client, world.member.email, "wrong password")
    assert sign_in(client, world.member.email, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        sign_in(client, world.member.email, "wrong password")
    assert sign_in(client, world.member.email, PASSWORD).status_code == 302


def test_password_resets_for_one_address_are_sent_three_times_an_hour(client, world):
    for _ in range(10):
        response = client.post(RESET, {"email": world.member.email})
        assert response.status_code == 302  # always the same answer
    assert len(mail.outbox) == 3


def test_someone_else_asking_for_your_reset_does_not_stop_yours_until_the_daily_cap(world):
    """Past the cap nothing more is sent that day, from anywhere; but each of the ten sent is
    a working link to the account's owner, so the owner is never left without one."""
    from django.test import Client

    attacker = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(5):
        attacker.post(RESET, {"email": world.member.email})
    assert len(mail.outbox) == 3
    Client(REMOTE_ADDR="192.0.2.20").post(RESET, {"email": world.member.email})
    assert len(mail.outbox) == 4  # the member, from their own address, still gets theirs
    for i in range(30):
        Client(REMOTE_ADDR=f"203.0.113.{i}").post(RESET, {"email": world.member.email})
    assert len(mail.outbox) == 10  # and never more than ten a day, from anywhere


def test_old_counts_are_pruned_daily(db):
    from partnership.models import ThrottleHit
    from partnership.tasks import prune_throttle_hits

    limit = throttle.Limit("test:prune", 3, timedelta(minutes=15))
    throttle.hit(limit, "old")
    throttle.hit(limit, "new")
    ThrottleHit.objects.filter(key=throttle._hash("old")).update(
        at=timezone.now() - timedelta(days=3)
    )
    assert prune_throttle_hits() == 1
    assert ThrottleHit.objects.count() == 1


def test_ten_password_resets_a_second_from_one_address_send_at_most_ten_then_refuse(client, world):
    answers = [
        client.post(RESET, {"email": f"person{i}@example.org"}).status_code for i in range(12)
    ]
    assert answers[:10] == [302] * 10
    assert answers[10:] == [429, 429]
    response = client.post(RESET, {"email": world.member.email})
    html = response.content.decode()
    assert "Too many attempts" in html and "Try again after" in html
    assert int(response["Retry-After"]) > 3000
    assert len(mail.outbox) == 0  # none of those addresses has an account, nor was this sent


def test_the_limits_count_by_address_within_their_window(db):
    limit = throttle.Limit("test:address", 3, timedelta(minutes=15))
    for _ in range(3):
        assert throttle.hit(limit, "192.0.2.1") is None
    assert throttle.hit(limit, "192.0.2.1") is not None
    assert throttle.hit(limit, "192.0.2.2") is None  # another address has its own count


def test_signing_in_is_limited_by_address(client, world):
    limit = throttle.SIGN_IN_BY_ADDRESS
    for i in range(limit.count):
        client.post(LOGIN, {"username": f"person{i}@example.org", "password": "x"})
    response = sign_in(client, world.member.email, PASSWORD)
    assert response.status_code == 429 and "Too many attempts" in response.content.decode()


def test_a_request_with_no_address_has_none(rf):
    request = rf.get("/")
    request.META.pop("REMOTE_ADDR", None)
    assert throttle.client_ip(request) is None
    request.META["REMOTE_ADDR"] = "not an address"
    assert throttle.client_ip(request) is None


@pytest.mark.parametrize(
    ("meta", "behind", "expected"),
    [
        ({"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "192.0.2.9"}, False, "10.0.0.1"),
        (
            {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 192.0.2.9"},
            True,
            "192.0.2.9",
        ),
    ],
)
def test_the_address_is_the_proxys_last_hop_only_behind_a_proxy(
    rf, settings, meta, behind, expected
):
    settings.BEHIND_PROXY = behind
    request = rf.get("/", **meta)
    assert throttle.client_ip(request) == expected
