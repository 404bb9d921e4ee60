"""Response headers for every page, and where browsers report Content-Security-Policy breaches.

The policy itself is django-csp's (``CONTENT_SECURITY_POLICY`` in settings): only the site's
own scripts, styles, images and fonts, no inline script or style, no plugins, no framing, forms
post only here, no ``<base>``. This middleware adds what django-csp does not: a
Permissions-Policy that turns off every powerful browser feature the service never uses, and
``Cache-Control: no-store`` on every response to a signed-in person (their pages, papers and
ballots must not stay in a shared computer's cache or be shown again by its back button after
they sign out).
"""

from __future__ import annotations

import json
import logging

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

log = logging.getLogger("partnership.csp")

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "sync-xhr",
        "usb",
        "xr-spatial-tracking",
    )
)
MAX_REPORT_BYTES = 16 * 1024


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("TRACE", "TRACK"):
            # Never echoed, never answered as a GET (ASVS 5.0, 13.4.4).
            response = HttpResponseNotAllowed(["GET", "HEAD", "POST"])
        else:
            response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        try:
            signed_in = request.user.is_authenticated
        except (AttributeError, DatabaseError):
            # No user (a refusal before authentication), or the database is down: the 503
            # page is for everyone, and must not be stored either.
            signed_in = response.status_code >= 500
        if signed_in:
            if "no-store" not in response.get("Cache-Control", ""):
                response["Cache-Control"] = "no-store"
            response.headers.pop("Expires", None)
        return response


@csrf_exempt  # browsers send reports without a token
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """Log a breach of the policy a browser reports (one line each), and answer 204."""
    body = request.body[:MAX_REPORT_BYTES]
    try:
        report = json.loads(body or b"{}").get("csp-report", {})
    except (ValueError, AttributeError):
        report = {}
    log.warning(
        "CSP breach: %s blocked %s on %s",
        str(report.get("violated-directive") or report.get("effective-directive") or "?")[:100],
        str(report.get("blocked-uri") or "?")[:200],
        str(report.get("document-uri") or "?")[:200],
    )
    return HttpResponse(status=204)
