"""A person's choices of how they hear about things, all their messages, and the one-click
unsubscribe link."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from partnership.forms_notifications import NotificationPreferencesForm
from partnership.history import history_entries
from partnership.models import Delivery, NotificationPreference, NotificationSettings
from partnership.notifications import (
    CATEGORIES,
    DIGEST,
    REQUIRED,
    digest_hour_of,
    digest_wanted,
    notification_choices,
    notification_preferences_update,
    notification_unsubscribe,
    unsubscribe_target,
)
from partnership.paging import page_with_total

RECENT_DIGESTS = 10


def _history(person) -> list:
    """The changes to the person's choices, newest first."""
    rows = [
        *NotificationPreference.objects.filter(person=person),
        *NotificationSettings.objects.filter(person=person),
    ]
    entries = [entry for row in rows for entry in history_entries(row, limit=20)]
    return sorted(entries, key=lambda e: e.when, reverse=True)[:20]


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    person = request.user
    initial = {**notification_choices(person=person), "digest_hour": digest_hour_of(person=person)}
    form = NotificationPreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        notification_preferences_update(
            actor=person,
            person=person,
            choices=form.choices(),
            digest_hour=form.cleaned_data["digest_hour"],
        )
        messages.success(request, "Your choices of how you hear about things have been saved.")
        return redirect("notifications:preferences")
    return render(
        request,
        "partnership/notifications/preferences.html",
        {
            "form": form,
            "required": CATEGORIES[REQUIRED],
            "digests": list(person.digests.filter(failures=0)[:RECENT_DIGESTS]),
            "history": _history(person),
        },
    )


@login_required
@require_http_methods(["GET"])
def messages_all(request: HttpRequest) -> HttpResponse:
    """Every message the person was sent, newest first, 50 a page: the account page shows
    the latest ten, and a kind with no e-mail is read only here."""
    notices = request.user.notices.select_related("digest").order_by("-created_at", "-pk")
    page = page_with_total(notices, number=request.GET.get("page"))
    return render(
        request,
        "partnership/notifications/messages.html",
        {
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "ellipsis": page.paginator.ELLIPSIS,
        },
    )


def _target(token: str):
    """The person and kind a token names, or None if the link is not one of ours."""
    try:
        person_id, category = unsubscribe_target(token)
    except signing.BadSignature:
        return None
    person = get_user_model().objects.filter(pk=person_id).first()
    return (person, category) if person is not None else None


def _kind_label(category: str) -> str:
    return "your daily digest" if category == DIGEST else CATEGORIES[category].label.lower()


# A mail client POSTs here on the reader's "Unsubscribe" (RFC 8058) with no cookies and no
# CSRF token: the signed token is the whole authority, and it can only turn e-mail off.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    target = _target(token)
    if target is None:
        return render(request, "partnership/notifications/unsubscribe_invalid.html", status=400)
    person, category = target
    context = {"kind": _kind_label(category), "digest": category == DIGEST}
    if request.method == "POST":
        notification_unsubscribe(person=person, category=category)
        return render(request, "partnership/notifications/unsubscribe_done.html", context)
    # Never on a GET: link checkers and mail scanners follow links.
    if category == DIGEST:
        off = not digest_wanted(person=person)
    else:
        off = NotificationPreference.objects.filter(
            person=person, category=category, delivery=Delivery.OFF
        ).exists()
    return render(request, "partnership/notifications/unsubscribe.html", {**context, "off": off})
