""" "Your tasks": the page a person lands on after signing in (``LOGIN_REDIRECT_URL``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from partnership.tasklist import tasks_for

__all__ = ["tasks"]


@login_required
@require_GET
def tasks(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    groups = tasks_for(request, today=today)
    return render(
        request,
        "membership/account/tasks.html",
        {"groups": groups, "count": sum(len(g.tasks) for g in groups), "today": today},
    )
