"""The one place messages to people are sent from. Each message is a subject/text/html
triplet under templates/emails/<name>_{subject.txt,body.txt,body.html}.

``notify`` sends an e-mail. ``notify_once`` also keeps a Notice, which the person sees in the
app, and sends nothing if a notice with the same key already exists: chasers call it as often
as they run and each person hears once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from partnership.models import Notice

log = logging.getLogger(__name__)


class NotAllSent(RuntimeError):
    """Some messages of a batch could not be sent; the others were. Raised so a job is
    retried: its sent messages have their notices, so the retry sends only the rest."""


def _render(template: str, context: dict) -> tuple[str, str, str]:
    context = {**context, "site_url": settings.SITE_URL}
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    text = render_to_string(f"emails/{template}_body.txt", context)
    html = render_to_string(f"emails/{template}_body.html", context)
    return subject, text, html


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


def _send(to, subject: str, text: str, html: str) -> None:
    send_email(to.email, subject, text, html)


def notify(*, to, template: str, context: dict) -> None:
    """Send one e-mail to one person. Raises if it cannot be sent, so a caller inside a
    transaction rolls back its claim and the job retries."""
    _send(to, *_render(template, context))


def notify_once(
    *,
    to,
    key: str,
    template: str,
    context: dict,
    url: str = "",
    on_sent: Callable[[], None] | None = None,
) -> bool:
    """Tell a person once about ``key``: a notice in the app and an e-mail. Returns whether it
    was sent now. The notice row and the e-mail stand or fall together: if sending fails the
    row is rolled back and the next run tries again; if the row exists, nothing is sent.

    ``on_sent`` is called inside the same transaction, just before the e-mail goes: a caller
    records there what the message told (a digest's chase steps), so the record stands or
    falls with the message and is never written for one that was not sent."""
    if not to.is_active or Notice.objects.filter(recipient=to, key=key).exists():
        return False
    subject, text, html = _render(template, {**context, "recipient": to})
    try:
        with transaction.atomic():
            Notice.objects.create(recipient=to, key=key, subject=subject, url=url)
            if on_sent is not None:
                on_sent()
            _send(to, subject, text, html)
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
