"""The size of a request is checked before any of it is read.

Django's multipart parser reads a whole upload (spooling it to a temporary file) before a form
can say it is too big, and the CSRF check reads the body of every POST. This middleware runs
before both (it sits above ``CsrfViewMiddleware``) and refuses, with a 413 page, any request
whose declared length is over its route's limit: a paper's limit plus room for the form's
fields on the routes that take papers, the import limit on the imports, and
``DATA_UPLOAD_MAX_MEMORY_SIZE`` everywhere else (the sign-in page among them). Nothing of the
body is read. The declared length is what Django reads up to (``LimitedStream``), so a request
that understates it cannot send more; one without a length has an empty body.

It is a middleware rather than an upload handler because a handler runs only for multipart
bodies, and only once something asks for ``request.POST``: this covers every body, first.
The reverse proxy in front should refuse bigger bodies still (README, "Deploying").
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.template.defaultfilters import filesizeformat

# Room for the fields that come with a file (title, summary, decision, the boundaries).
FORM_ROOM = 1024 * 1024


def _paper_routes() -> int:
    return settings.PAPER_MAX_BYTES + FORM_ROOM


def _import_routes() -> int:
    from performance.forms.transfer import MAX_BYTES

    return MAX_BYTES + FORM_ROOM


# Every route that takes a file, by URL name, with the size of the largest file it takes.
UPLOAD_ROUTES = {
    "governance:paper_create": _paper_routes,
    "governance:paper_edit": _paper_routes,
    "governance:paper_supplementary_create": _paper_routes,
    # The document library's files are checked as papers are (governance.services.library).
    "governance:library_create": _paper_routes,
    "governance:body_library_create": _paper_routes,
    "governance:library_version_create": _paper_routes,
    "membership:agreement_upload": _paper_routes,
    "performance:indicator_import": _import_routes,
    "performance:risk_import": _import_routes,
    "performance:key_partnership_create": _paper_routes,
    "performance:key_partnership_edit": _paper_routes,
}


def request_limit(view_name: str | None) -> int:
    """The most a request to this route may send, in bytes."""
    limit = UPLOAD_ROUTES.get(view_name or "")
    return limit() if limit else settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view, args, kwargs) -> HttpResponse | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        match = request.resolver_match
        limit = request_limit(match.view_name if match else None)
        if length <= limit:
            return None
        html = loader.get_template("413.html").render(
            {
                "limit": filesizeformat(max(limit - FORM_ROOM, 0))
                if match and match.view_name in UPLOAD_ROUTES
                else None
            }
        )
        # (A hop-by-hop "Connection: close" is the server's to send, not the application's;
        # gunicorn's sync workers close every connection after its response.)
        return HttpResponse(html, status=413)
