"""Limits on how often the public forms may be used: signing in, asking for a password reset,
choosing a new password from a reset link.

Wrong passwords for one account are counted by django-axes (settings ``AXES_*``): the fifth in
15 minutes locks the account for 15 minutes, so the sixth try is refused, the right password
included, with the same
page whether or not the account exists. This module counts requests by address (and a reset by
the e-mail address asked for), with limits high enough for an office of people behind one
address and low enough to stop a script. Over a limit by address, the person sees a 429 page
saying when to try again; a reset asked too often for one e-mail address is quietly not sent
(the page says what it always says, so nobody learns whether the account exists).
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from partnership.models import ThrottleHit


@dataclass(frozen=True)
class Limit:
    scope: str
    count: int
    per: timedelta


SIGN_IN_BY_ADDRESS = Limit("sign-in:address", 50, timedelta(minutes=15))
# The second factor's pages (a code, a recovery code) after a password, by address.
SECOND_FACTOR_BY_ADDRESS = Limit("second-factor:address", 100, timedelta(minutes=15))
RESET_BY_ADDRESS = Limit("reset:address", 10, timedelta(hours=1))
# Resets asked for one e-mail address: 3 an hour from any one address (so someone else asking
# for yours does not stop you), and 10 a day in all (so nobody fills your inbox).
RESET_BY_EMAIL = Limit("reset:email-from-address", 3, timedelta(hours=1))
RESET_BY_EMAIL_ANYWHERE = Limit("reset:email", 10, timedelta(days=1))
NEW_PASSWORD_BY_ADDRESS = Limit("new-password:address", 20, timedelta(hours=1))
# A signed-in person asked for their password again (to change it, or their second factor):
# tries per account, so a session left open cannot be used to guess it.
PASSWORD_CHECK_BY_ACCOUNT = Limit("password-check:account", 5, timedelta(minutes=15))


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from: the proxy's last hop when behind one (the proxy
    appends the client's address to X-Forwarded-For), else the connection's; None when the
    request has none (one made in code, not over a network) or it is not an IP address, as
    django-axes stores it in an address column."""
    address = request.META.get("REMOTE_ADDR", "")
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            address = hops[-1]
    address = address.strip()
    if address.startswith("[") and "]" in address:  # [v6]:port
        address = address[1 : address.index("]")]
    elif address.count(":") == 1:  # v4:port
        address = address.split(":")[0]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def address_key(request: HttpRequest) -> str:
    """What the address limits count by: the address, or for IPv6 its /64 (one household or
    office network, whose devices take new addresses within it at will)."""
    address = client_ip(request)
    if address is None:
        return "unknown"
    ip = ipaddress.ip_address(address)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return address


def sign_in_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """The account a sign-in is for, as django-axes counts it: addresses are stored in lower
    case, so ``Member@…`` and ``member@…`` are one account's failures."""
    value = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(value).strip().lower()


def _hash(value: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{value}".encode()).hexdigest()


def blocked(limit: Limit, value: str) -> timezone.datetime | None:
    """Whether ``value`` is over ``limit`` now (when it may try again), counting nothing: for
    a caller that counts only failures, with ``hit`` after one."""
    since = timezone.now() - limit.per
    recent = list(
        ThrottleHit.objects.filter(scope=limit.scope, key=_hash(value), at__gte=since)
        .order_by("at")
        .values_list("at", flat=True)[: limit.count]
    )
    return recent[0] + limit.per if len(recent) >= limit.count else None


def hit(limit: Limit, value: str) -> timezone.datetime | None:
    """Count one request against ``limit`` for ``value``. None if it is within the limit;
    else when the person may try again (the request is not counted)."""
    now = timezone.now()
    key = _hash(value)
    since = now - limit.per
    ThrottleHit.objects.filter(scope=limit.scope, key=key, at__lt=since).delete()
    recent = list(
        ThrottleHit.objects.filter(scope=limit.scope, key=key, at__gte=since)
        .order_by("at")
        .values_list("at", flat=True)[: limit.count]
    )
    if len(recent) >= limit.count:
        return recent[0] + limit.per
    ThrottleHit.objects.create(scope=limit.scope, key=key)
    return None


def prune(*, older_than: timedelta = timedelta(days=2)) -> int:
    """Delete every count older than ``older_than`` (longer than any limit counts back)."""
    deleted, _ = ThrottleHit.objects.filter(at__lt=timezone.now() - older_than).delete()
    return deleted


def too_many(request: HttpRequest, retry_at) -> HttpResponse:
    seconds = max(int((retry_at - timezone.now()).total_seconds()), 1)
    response = render(
        request,
        "registration/too_many.html",
        {"retry_at": timezone.localtime(retry_at), "minutes": -(-seconds // 60)},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


def throttled(limit: Limit):
    """A view's POSTs counted by address against ``limit``; over it, the 429 page."""

    def decorate(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if request.method == "POST" and (retry_at := hit(limit, address_key(request))):
                return too_many(request, retry_at)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes's answer to a sign-in to a locked-out account (``AXES_LOCKOUT_CALLABLE``):
    the same page whether or not the account exists, saying how long to wait."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    response = render(
        request,
        "registration/locked_out.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(minutes * 60)
    return response
