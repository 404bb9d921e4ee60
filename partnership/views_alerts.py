"""The public's e-mail alerts and Atom feeds: subscribing to a body or to the news, confirming
from the e-mailed link, unsubscribing (a person's click or a mail program's RFC 8058 POST).

None of these pages asks anyone to sign in: they are the public's. The rules are in
partnership/alerts.py; the feeds in partnership/feeds_atom.py.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from partnership import alerts
from partnership import permissions as perms
from partnership.forms_alerts import SubscribeForm
from partnership.models import Body, Partnership
from partnership.throttle import throttled


@require_safe
def alerts_index(request: HttpRequest, partnership: str) -> HttpResponse:
    """Every body one can hear from, and the news."""
    p = perms.get_partnership_or_404(partnership)
    bodies = Body.objects.filter(partnership=p).open().order_by("name")
    return render(request, "partnership/alerts/index.html", {"partnership": p, "bodies": bodies})


def _subscribe(
    request: HttpRequest, p: Partnership, body: Body | None, topics: list[str]
) -> HttpResponse:
    form = SubscribeForm(request.POST or None, topics=topics)
    if request.method == "POST" and form.is_valid():
        alerts.alert_subscribe(
            partnership=p,
            body=body,
            email=form.cleaned_data["email"],
            topics=form.chosen_topics(),
        )
        # The same page whether or not the address was already subscribed.
        return redirect("partnership:alerts_check_email", partnership=p.slug)
    return render(
        request,
        "partnership/alerts/subscribe.html",
        {
            "partnership": p,
            "body": body,
            "form": form,
            "days": alerts.CONFIRM_WITHIN.days,
            "feed_url": reverse(
                "partnership:body_feed_atom", kwargs={"partnership": p.slug, "body": body.slug}
            )
            if body
            else reverse("partnership:news_feed_atom", kwargs={"partnership": p.slug}),
        },
    )


@throttled(alerts.SUBSCRIBE_BY_ADDRESS)
@require_http_methods(["GET", "POST"])
def alerts_body(request: HttpRequest, partnership: str, body: str) -> HttpResponse:
    b = perms.get_body_or_404(partnership, body)
    if b.closed_on is not None and b.closed_on <= timezone.localdate():
        raise Http404("The body has closed: it publishes nothing more")
    return _subscribe(request, b.partnership, b, alerts.BODY_TOPICS)


@throttled(alerts.SUBSCRIBE_BY_ADDRESS)
@require_http_methods(["GET", "POST"])
def alerts_news(request: HttpRequest, partnership: str) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    return _subscribe(request, p, None, alerts.NEWS_TOPICS)


@require_safe
def alerts_check_email(request: HttpRequest, partnership: str) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    return render(
        request,
        "partnership/alerts/check_email.html",
        {"partnership": p, "days": alerts.CONFIRM_WITHIN.days},
    )


@require_http_methods(["GET", "POST"])
def alerts_confirm(request: HttpRequest, partnership: str, secret: str) -> HttpResponse:
    """GET shows a button; only its POST confirms, so a mail program or a virus scanner that
    opens the link confirms nothing."""
    p = perms.get_partnership_or_404(partnership)
    subscription = alerts.subscription_to_confirm(partnership=p, secret=secret)
    if subscription is None:
        return render(
            request, "partnership/alerts/link_invalid.html", {"partnership": p}, status=404
        )
    context = {
        "partnership": p,
        "subscription": subscription,
        "what": alerts.subject_name(subscription),
        "topics": alerts.topic_labels(subscription.topics),
    }
    if request.method == "POST":
        subscription = alerts.alert_confirm(subscription=subscription)
        if subscription is None:  # another click on the link confirmed it a moment ago
            return render(
                request, "partnership/alerts/link_invalid.html", {"partnership": p}, status=404
            )
        # Made after confirming: signed with the subscription's new token hash.
        context["unsubscribe_url"] = reverse(
            "partnership:alerts_unsubscribe",
            kwargs={"partnership": p.slug, "token": alerts.unsubscribe_token(subscription)},
        )
        return render(request, "partnership/alerts/confirmed.html", context)
    return render(request, "partnership/alerts/confirm.html", context)


# A mail program's one-click unsubscribe (RFC 8058) POSTs with no cookie and no token: the
# signed token in the address is what authorises it, and all it can do is delete the row.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def alerts_unsubscribe(request: HttpRequest, partnership: str, token: str) -> HttpResponse:
    p = perms.get_partnership_or_404(partnership)
    subscription = alerts.subscription_to_unsubscribe(partnership=p, token=token)
    if subscription is None:
        # Never subscribed, or unsubscribed already (the row, and the address, are gone).
        return render(request, "partnership/alerts/not_subscribed.html", {"partnership": p})
    what = alerts.subject_name(subscription)
    if request.method == "POST":
        alerts.alert_unsubscribe(subscription=subscription)
        return render(
            request, "partnership/alerts/unsubscribed.html", {"partnership": p, "what": what}
        )
    return render(
        request,
        "partnership/alerts/unsubscribe.html",
        {"partnership": p, "what": what, "subscription": subscription},
    )
