"""How long a signed-in session lasts: it ends after ``SESSION_IDLE_MINUTES`` without a request
(30 by default) and, however active, ``SESSION_MAX_HOURS`` after signing in (12). The cookie
itself expires at the absolute limit, so a browser left open overnight holds nothing.

The times are kept in the session: ``signed_in_at`` at sign-in, ``seen_at`` refreshed at most
every ``SEEN_EVERY`` seconds (so a person clicking through pages does not write their session
on every request). A session that times out is ended and the person sent to sign in again,
told why, and brought back to the page they asked for.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"
SEEN_EVERY = 120  # seconds


def now() -> float:
    return time.time()


@receiver(user_logged_in, dispatch_uid="partnership.sessions.signed_in")
def _signed_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = request.session[SEEN_AT] = now()


def expired(session) -> str | None:
    """Why the session has ended ("idle", "max"), or None while it lasts."""
    moment = now()
    seen = session.get(SEEN_AT)
    signed_in = session.get(SIGNED_IN_AT)
    if signed_in is not None and moment - signed_in > settings.SESSION_MAX_HOURS * 3600:
        return "max"
    if seen is not None and moment - seen > settings.SESSION_IDLE_MINUTES * 60:
        return "idle"
    return None


def come_back_to(request: HttpRequest) -> str:
    """Where signing in again brings the person: the page they asked for; after a form was
    sent (a POST cannot be repeated by a redirect), the page the form was on."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return resolve_url(settings.LOGIN_REDIRECT_URL)


class SessionTimeoutMiddleware:
    """After AuthenticationMiddleware: ends a session that has been idle, or has lasted, too
    long; otherwise notes that the person was here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            why = expired(request.session)
            if why is not None:
                logout(request)
                if request.path == reverse("logout"):
                    return redirect(settings.LOGOUT_REDIRECT_URL)  # what they asked for
                if request.headers.get("Sec-Fetch-Mode", "navigate") != "navigate":
                    # A script's request (the return form's rating): no page to show it.
                    return HttpResponse("Signed out", status=401, content_type="text/plain")
                messages.info(
                    request,
                    f"You were signed out after {settings.SESSION_IDLE_MINUTES} minutes without "
                    "activity. Sign in again to carry on."
                    if why == "idle"
                    else f"You were signed out {settings.SESSION_MAX_HOURS} hours after you "
                    "signed in. Sign in again to carry on.",
                )
                return redirect_to_login(come_back_to(request))
            moment = now()
            seen = request.session.get(SEEN_AT)
            if seen is None:
                # Signed in before this was in place: start counting now.
                request.session.setdefault(SIGNED_IN_AT, moment)
                request.session[SEEN_AT] = moment
            elif moment - seen > SEEN_EVERY:
                request.session[SEEN_AT] = moment
        return self.get_response(request)
