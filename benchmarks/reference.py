"""The floors every page is compared with, and the query counter (benchmark settings only).

- F0: one indexed query and a tiny template; what any request costs the stack.
- L0: the ideal signed-in list of 50 rows in the site's layout: the body by its slug, then
  its first 50 current memberships with ``select_related``; two queries of its own (plus the
  session's and the user's, as every signed-in page).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from membership.models import Membership
from partnership.models import Body, Partnership


def f0(request: HttpRequest, partnership: str) -> HttpResponse:
    p = get_object_or_404(Partnership, slug=partnership)
    return render(request, "bench/f0.html", {"name": p.name})


@login_required
def l0(request: HttpRequest, partnership: str, body: str) -> HttpResponse:
    body_obj = get_object_or_404(
        Body.objects.select_related("partnership"), partnership__slug=partnership, slug=body
    )
    rows = list(
        Membership.objects.current()
        .filter(body=body_obj)
        .select_related("person", "organisation", "seat")
        .order_by("person__full_name", "pk")[:50]
    )
    return render(
        request,
        "bench/l0.html",
        {"partnership": body_obj.partnership, "body": body_obj, "rows": rows},
    )


class _Count:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)


class QueryCountMiddleware:
    """Puts the number of database queries the request made in an ``X-Queries`` header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        count = _Count()
        with connection.execute_wrapper(count):
            response = self.get_response(request)
        response["X-Queries"] = str(count.n)
        return response
