"""The one place messages to people are sent from. Each message is a subject/text/html
triplet under templates/emails/<name>_{subject.txt,body.txt,body.html}.

``notify`` sends an e-mail. ``notify_once`` also keeps a Notice, which the person sees in the
app, and sends nothing if a notice with the same key already exists: chasers call it as often
as they run and each person hears once.

Each message is of one kind (``CATEGORIES``, found from its template by ``category_of``), and
each person chooses per kind how its e-mails come: straight away, in a daily digest
(partnership/digests.py) or not at all. The notice is kept whatever they chose, so Messages in
the app stay complete. The kinds the partnership is obliged to tell (``REQUIRED``) are always
sent straight away. Every e-mail ends with a link to the person's choices; the optional kinds
also carry RFC 8058 one-click unsubscribe headers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.template import Context, engines
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from partnership.models import Delivery, Notice, NotificationPreference

# The kinds of message and people's choices live in their own module; callers import them
# from here, with the sending.
from partnership.notification_choices import (  # noqa: F401
    CATEGORIES,
    DEFAULT_DIGEST_HOUR,
    DIGEST,
    KEY_CATEGORY,
    OPTIONAL,
    REQUIRED,
    TEMPLATE_CATEGORY,
    Category,
    category_of,
    delivery_offered,
    digest_hour_of,
    digest_wanted,
    notification_choices,
    notification_preferences_update,
    notification_unsubscribe,
)

log = logging.getLogger(__name__)


# --- the links in every e-mail -----------------------------------------------------------------

_UNSUBSCRIBE_SALT = "partnership.notifications.unsubscribe"


def unsubscribe_token(person, category: str) -> str:
    """A signed token naming the person and one kind of message (or ``DIGEST``). It does not
    expire: an old e-mail's link must still work, and all it can do is turn e-mail off."""
    return signing.dumps([person.pk, category], salt=_UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_target(token: str) -> tuple[int, str]:
    """The person's id and kind a token names. Raises signing.BadSignature if it was not
    ours, or names a kind that cannot be turned off."""
    try:
        person_id, category = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
    except (TypeError, ValueError) as exc:
        raise signing.BadSignature("malformed") from exc
    if category != DIGEST and (category not in CATEGORIES or category == REQUIRED):
        raise signing.BadSignature("not a kind that can be turned off")
    return int(person_id), category


def preferences_url() -> str:
    return settings.SITE_URL + reverse("notifications:preferences")


def unsubscribe_url(person, category: str) -> str:
    token = unsubscribe_token(person, category)
    return settings.SITE_URL + reverse("notifications:unsubscribe", kwargs={"token": token})


def one_click_possible() -> bool:
    """RFC 8058's one-click POST is only for an https link: a mail client posts to no other."""
    return settings.SITE_URL.startswith("https://")


def unsubscribe_headers(person, category: str) -> dict[str, str]:
    """RFC 8058: a mail client offers "Unsubscribe" and POSTs to the link, with no sign-in.
    Over plain http (a developer's machine) only the link is given, which a client opens."""
    if category == REQUIRED:
        return {}
    headers = {"List-Unsubscribe": f"<{unsubscribe_url(person, category)}>"}
    if one_click_possible():
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers


def _with_footer(person, category: str, text: str, html: str) -> tuple[str, str]:
    """Every e-mail ends with the person's choices: why a required one always comes, or how to
    stop this kind coming."""
    kind = CATEGORIES.get(category)
    context = {
        "category": kind,
        "digest": category == DIGEST,
        "preferences_url": preferences_url(),
        "unsubscribe_url": unsubscribe_url(person, category) if category != REQUIRED else "",
    }
    text = text.rstrip("\n") + "\n\n" + _plain("emails/_footer.txt", context)
    footer = render_to_string("emails/_footer.html", context)
    at = html.rfind("</body>")
    html = html[:at] + footer + html[at:] if at >= 0 else html + footer
    return text, html


# --- sending -----------------------------------------------------------------------------------


class NotAllSent(RuntimeError):
    """Some messages of a batch could not be sent; the others were. Raised so a job is
    retried: its sent messages have their notices, so the retry sends only the rest."""


def _plain(name: str, context: dict) -> str:
    """A plain-text template rendered without HTML escaping: a subject or a text body says
    "Health & Wellbeing", not "Health &amp; Wellbeing". (The HTML body is escaped as ever.)"""
    template = engines["django"].engine.get_template(name)
    return template.render(Context(context, autoescape=False))


def _render(template: str, context: dict) -> tuple[str, str, str]:
    context = {**context, "site_url": settings.SITE_URL}
    subject = " ".join(_plain(f"emails/{template}_subject.txt", context).split())
    text = _plain(f"emails/{template}_body.txt", context)
    html = render_to_string(f"emails/{template}_body.html", context)
    return subject, text, html


def _subject(template: str, context: dict) -> str:
    context = {**context, "site_url": settings.SITE_URL}
    return " ".join(_plain(f"emails/{template}_subject.txt", context).split())


def render_email(template: str, context: dict) -> tuple[str, str, str]:
    """The subject, text and HTML of ``templates/emails/<template>_*``."""
    return _render(template, context)


def send_email(
    address: str, subject: str, text: str, html: str, *, headers: dict | None = None
) -> None:
    """Send one rendered e-mail to one address, with extra headers (List-Unsubscribe)."""
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [address], headers=headers or None
    )
    message.attach_alternative(html, "text/html")
    message.send()


def _send(to, subject: str, text: str, html: str, headers: dict | None = None) -> None:
    # Tests replace this to make one person's e-mail fail: headers are passed positionally.
    send_email(to.email, subject, text, html, headers=headers)


def send_to_person(to, category: str, subject: str, text: str, html: str) -> None:
    """Send a rendered e-mail of ``category`` to a person: the footer and headers added."""
    text, html = _with_footer(to, category, text, html)
    _send(to, subject, text, html, unsubscribe_headers(to, category))


def delivery_for(person, category: str) -> str:
    """How the person has chosen to hear of ``category`` (one query; none when required)."""
    if category == REQUIRED:
        return Delivery.IMMEDIATE
    chosen = NotificationPreference.objects.filter(person=person, category=category)
    return chosen.values_list("delivery", flat=True).first() or Delivery.IMMEDIATE


def notify(*, to, template: str, context: dict) -> None:
    """Send one e-mail to one person, unless they turned its kind off. It keeps no notice, so
    it cannot wait for a digest: a digest choice sends it straight away. Raises if it cannot
    be sent, so a caller inside a transaction rolls back its claim and the job retries. (No
    service sends through it now: a message kept in Messages goes through ``notify_once``.)"""
    category = category_of(template)
    if delivery_for(to, category) == Delivery.OFF:
        return
    subject, text, html = _render(template, {**context, "recipient": to})
    send_to_person(to, category, subject, text, html)


def _told_and_choice(to, key: str, category: str) -> tuple[bool, str]:
    """Whether the person already has the notice, and their choice for its kind, in the one
    query notify_once always made: chasers call it per message, so the choice costs none."""
    told = Notice.objects.filter(recipient=OuterRef("pk"), key=key)
    row = get_user_model().objects.filter(pk=to.pk).annotate(told=Exists(told))
    if category == REQUIRED:
        found = row.values_list("told", flat=True).first()
        return bool(found), Delivery.IMMEDIATE
    chosen = NotificationPreference.objects.filter(person=OuterRef("pk"), category=category)
    row = row.annotate(delivery=Subquery(chosen.values("delivery")[:1]))
    found = row.values_list("told", "delivery").first()
    if found is None:
        return False, Delivery.IMMEDIATE
    return found[0], delivery_offered(category, found[1] or Delivery.IMMEDIATE)


def notify_once(
    *,
    to,
    key: str,
    template: str,
    context: dict,
    url: str = "",
    on_sent: Callable[[], None] | None = None,
) -> bool:
    """Tell a person once about ``key``: a notice in the app and, as they chose for its kind,
    an e-mail now, a line in their daily digest, or nothing. Returns whether they were told
    now (the notice is new). For an e-mail now, the notice row and the e-mail stand or fall
    together: if sending fails the row is rolled back and the next run tries again; if the row
    exists, nothing is sent.

    ``on_sent`` is called inside the same transaction, just before the e-mail goes: a caller
    records there what the message told (a digest's chase steps), so the record stands or
    falls with the message and is never written for one that was not sent."""
    if not to.is_active:
        return False
    category = category_of(template, key)
    told, delivery = _told_and_choice(to, key, category)
    if told:
        return False
    context = {**context, "recipient": to}
    now = delivery == Delivery.IMMEDIATE
    if now:
        subject, text, html = _render(template, context)
    else:
        # Only an e-mail sent now needs its body: a digest lists the subject and the link.
        subject, text, html = _subject(template, context), "", ""
    try:
        with transaction.atomic():
            Notice.objects.create(
                recipient=to,
                key=key,
                subject=subject,
                url=url,
                category=category,
                emailed_at=timezone.now() if now else None,
                digest_pending=delivery == Delivery.DIGEST,
            )
            if on_sent is not None:
                on_sent()
            if now:
                send_to_person(to, category, subject, text, html)
    except IntegrityError:
        # Another worker claimed the same notice between our check and our insert.
        return False
    return True


def notify_each(messages: Iterable[dict], *, raise_failures: bool = True) -> int:
    """``notify_once`` for each message (its keyword arguments), so one bad address or a
    mail server hiccup stops nobody else hearing. Returns how many were sent now; with
    ``raise_failures``, raises NotAllSent at the end if any failed, else only logs them (for
    a caller whose job a later run completes)."""
    sent = failed = 0
    for message in messages:
        try:
            sent += notify_once(**message)
        except SoftTimeLimitExceeded:
            raise  # the job is out of time: stop now; the next run sends the rest
        except Exception:
            failed += 1
            log.exception("could not send %s to person %s", message["key"], message["to"].pk)
    if failed and raise_failures:
        raise NotAllSent(f"{failed} message(s) not sent; the next run sends them")
    return sent


def notify_after_commit(messages: Callable[..., Iterable[dict]], *args) -> None:
    """Send ``messages(*args)`` (``notify_once`` keyword arguments each) once the transaction
    commits, so nobody is told of a change that rolled back. A failure is only logged: the
    caller's app has a periodic job that sends whatever notice is missing."""

    def send():
        try:
            notify_each(messages(*args), raise_failures=False)
        except Exception:
            log.exception("notices for %s will be sent by the periodic job", args)

    transaction.on_commit(send)
