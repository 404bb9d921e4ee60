"""The page for a request that failed on the server. A database that is unreachable (restarting,
failing over) gets a page of its own, a 503, that says plainly what happened: the change was
not saved (every write is one transaction, so nothing is half-saved), and going back keeps
what was typed. Anything else is the ordinary 500 page.

Django calls ``server_error`` (``handler500`` in partnership/urls.py) while the exception is
being handled, whichever layer raised it: a view, a middleware, or the session being saved.
The page needs no database: it is rendered without a request context (no user, no menus)."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views import defaults

RETRY_AFTER_SECONDS = 30


def server_error(request: HttpRequest) -> HttpResponse:
    error = sys.exc_info()[1]
    if not isinstance(error, (OperationalError, InterfaceError)):
        return defaults.server_error(request)
    html = loader.get_template("503.html").render({"posted": request.method == "POST"})
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
