"""Which signed-in sessions have passed the second factor, and the gate for those that have not.

A password alone signs a person in only as far as the pages that ask for their second factor
(or set one up) and signing out: every other page sends them there first, and brings them back
to it after. A session that has passed holds the person's id under ``VERIFIED``; the key is
rotated when it is set, as at sign-in. Signing in as someone else empties the session, and a
reset ends every session of the person (``User.session_epoch``), so the mark cannot outlive
what it vouches for. The check is on the session alone: no database query per request.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from membership.services.two_factor import remembered_person
from partnership.sessions import come_back_to

VERIFIED = "second_factor_verified"
# Reachable with a password alone: signing in and out, the second factor's own pages, the
# password reset (which signs nobody in) and the browser's CSP reports.
OPEN = frozenset(
    {
        "login",
        "logout",
        "two_factor",
        "two_factor_recovery",
        "two_factor_set_up",
        "two_factor_recovery_codes",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
        "csp_report",
    }
)


def is_verified(request: HttpRequest) -> bool:
    user = request.user
    return user.is_authenticated and request.session.get(VERIFIED) == user.pk


def mark_verified(request: HttpRequest) -> None:
    """The person has given their second factor: a new session key (as at sign-in), marked."""
    request.session.cycle_key()
    request.session[VERIFIED] = request.user.pk


class SecondFactorMiddleware:
    """After the session timeout: a signed-in person who has not given their second factor in
    this session is remembered by this browser, or sent to give it (or set one up)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated or is_verified(request):
            return None
        token = request.COOKIES.get(settings.TWO_FACTOR_REMEMBER_COOKIE)
        if remembered_person(user=request.user, token=token):
            mark_verified(request)
            return None
        match = request.resolver_match
        if match is not None and not match.namespace and match.url_name in OPEN:
            return None
        if request.headers.get("Sec-Fetch-Mode", "navigate") != "navigate":
            # A script's request: no page to send it to.
            return HttpResponse("Second factor needed", status=401, content_type="text/plain")
        name = "two_factor" if request.user.second_factor_since else "two_factor_set_up"
        return redirect(f"{reverse(name)}?{urlencode({'next': come_back_to(request)})}")
