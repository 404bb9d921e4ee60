"""The public's e-mail alerts: anyone may ask to hear of a body's new agendas, approved minutes
and published reports, or of the partnership's news, with no account.

- Subscribing is double opt-in: the form makes (or refreshes) an unconfirmed subscription and
  e-mails a link holding a random secret, of which only a hash is kept. Following the link and
  pressing its button confirms, and retires the link (its hash is replaced). The page after
  the form is the same whatever the address, so nobody learns who subscribes; an address
  asked for too often is quietly not written to.
- An address is kept only while it is subscribed: unsubscribing deletes the row, one never
  confirmed is deleted after a week (``alerts_purge_unconfirmed``, run hourly), and so are
  the subscriptions to a body that has closed (``alerts_purge_closed_bodies``).
- Every alert carries an unsubscribe link, and the RFC 8058 headers for a mail program's own
  one-click button. The link's token is a signature of the subscription's id made with a key
  that includes its ``token_hash``: it needs no stored secret, and dies with the row.
- What an alert says is built by the app that owns the thing (``governance`` for agendas and
  minutes, ``performance`` for reports, news here) from what the PUBLIC may see, registered
  here as an ``AlertSource`` at start-up (this app may not import those: DESIGN.md section 2).
  The same sources fill the Atom feeds (``partnership.feeds_atom``).
- Sending is claimed per subscription and alert (``AlertSent``) in the transaction that sends
  it, so a retried or repeated job never sends an alert twice, and a failed send is retried.
  The cost: the claim's row lock is held for the SMTP round trip (bounded by EMAIL_TIMEOUT);
  on SQLite that is the database's one write lock, on PostgreSQL one row.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from partnership.models import (
    AlertSent,
    AlertSubscription,
    AlertTopic,
    Body,
    NewsItem,
    Partnership,
)
from partnership.notifications import NotAllSent, one_click_possible, render_email, send_email
from partnership.outbox import enqueue
from partnership.throttle import Limit, hit

log = logging.getLogger(__name__)

BODY_TOPICS = [AlertTopic.AGENDAS, AlertTopic.MINUTES, AlertTopic.REPORTS]
NEWS_TOPICS = [AlertTopic.NEWS]
# An unconfirmed subscription, and its address, is deleted after this long.
CONFIRM_WITHIN = timedelta(days=7)
# The hourly job looks this far back for announcements whose job was lost.
LOOK_BACK = timedelta(days=2)

# The form by the address it is posted from: generous for an office behind one address, and
# a wall for a script. A 429 page says when to try again.
SUBSCRIBE_BY_ADDRESS = Limit("alerts:address", 20, timedelta(hours=1))
# One e-mail address asked for one body's alerts (or the news): 3 e-mails a day at most, and
# 20 a day for all of a partnership's bodies and the news together (any partnership), so
# nobody can use the forms to fill someone's inbox, while a resident may still ask for the
# alerts of several bodies on one day. Over either, nothing is written or sent, and the page
# says what it always says.
SUBSCRIBE_BY_EMAIL = Limit("alerts:email", 3, timedelta(days=1))
SUBSCRIBE_BY_EMAIL_ANYWHERE = Limit("alerts:email-anywhere", 20, timedelta(days=1))

_UNSUBSCRIBE_SALT = "partnership.alerts.unsubscribe"
SEND_TASK = "partnership.tasks.send_alerts"


# --- what an alert is about: the sources the other apps register ---------------------------


@dataclass(frozen=True)
class Announcement:
    """Something that has become public, told as the public may see it: never a confidential
    item's title. ``url`` is a path on the site; ``lines`` are its public contents (an
    agenda's items, the minutes' decisions)."""

    key: str
    topic: str
    partnership: Partnership
    body: Body | None
    title: str
    url: str
    when: datetime
    summary: str = ""
    lines: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class AlertSource:
    """One kind of announcement (``kind`` is the key's prefix: ``agenda:12``).

    ``build(pk)`` gives the announcement, or None when the thing is not (or no longer)
    public. ``since(moment)`` gives the pks of those that became public since then, for the
    hourly job. ``for_body(body, limit)`` gives a body's newest, for its Atom feed, in a
    fixed number of queries."""

    kind: str
    topic: str
    build: Callable[[int], Announcement | None]
    since: Callable[[datetime], Iterable[int]]
    for_body: Callable[[Body, int], list[Announcement]] | None = None


_sources: dict[str, AlertSource] = {}


def register_alert_source(source: AlertSource) -> AlertSource:
    """Called by an app's ``AppConfig.ready``; registering again replaces the source."""
    _sources[source.kind] = source
    return source


def alert_sources() -> list[AlertSource]:
    return list(_sources.values())


def alert_key(kind: str, pk: int) -> str:
    return f"{kind}:{pk}"


def announcement_for(key: str) -> Announcement | None:
    kind, _, pk = key.partition(":")
    source = _sources.get(kind)
    if source is None or not pk.isdigit():
        log.error("no alert source for %r", key)
        return None
    return source.build(int(pk))


def announce(kind: str, pk: int) -> None:
    """Alert the subscribers to ``kind`` ``pk`` once the caller's transaction commits (through
    the outbox, so a broker outage loses nothing). Called by the service that made it public;
    the job builds the message then, from what is public then."""
    enqueue(SEND_TASK, alert_key(kind, pk))


def body_feed_entries(body: Body, *, limit: int = 50) -> list[Announcement]:
    """A body's newest public agendas, minutes and reports, newest first."""
    entries: list[Announcement] = []
    for source in _sources.values():
        if source.for_body is not None:
            entries += source.for_body(body, limit)
    entries.sort(key=lambda a: a.when, reverse=True)
    return entries[:limit]


# --- news is this app's own ----------------------------------------------------------------


def _news_announcement(item: NewsItem) -> Announcement:
    return Announcement(
        key=alert_key("news", item.pk),
        topic=AlertTopic.NEWS,
        partnership=item.partnership,
        body=None,
        title=item.title,
        url=item.get_absolute_url(),
        when=item.published_at,
        summary=item.summary,
    )


def _news_build(pk: int) -> Announcement | None:
    item = (
        NewsItem.objects.select_related("partnership")
        .filter(pk=pk, published_at__isnull=False)
        .first()
    )
    return _news_announcement(item) if item else None


def _news_since(moment: datetime) -> list[int]:
    return list(NewsItem.objects.filter(published_at__gte=moment).values_list("pk", flat=True))


register_alert_source(
    AlertSource(kind="news", topic=AlertTopic.NEWS, build=_news_build, since=_news_since)
)


# --- tokens --------------------------------------------------------------------------------


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_secret() -> tuple[str, str]:
    secret = secrets.token_urlsafe(32)
    return secret, _hash(secret)


def unsubscribe_token(subscription: AlertSubscription) -> str:
    """The token in every alert's unsubscribe link: the id, signed with a key that includes
    the subscription's token hash, so it is valid only for this row while it exists."""
    signer = signing.Signer(salt=f"{_UNSUBSCRIBE_SALT}:{subscription.token_hash}")
    return signer.sign(str(subscription.pk))


def subscription_to_unsubscribe(
    *, partnership: Partnership, token: str
) -> AlertSubscription | None:
    pk, _, _ = token.partition(":")
    if not pk.isdigit() or len(pk) > 18:  # a bigger number is no row, and no query
        return None
    subscription = (
        AlertSubscription.objects.filter(partnership=partnership, pk=int(pk))
        .select_related("body", "partnership")
        .first()
    )
    if subscription is None:
        return None
    try:
        signing.Signer(salt=f"{_UNSUBSCRIBE_SALT}:{subscription.token_hash}").unsign(token)
    except signing.BadSignature:
        return None
    return subscription


def subscription_to_confirm(
    *, partnership: Partnership, secret: str, now: datetime | None = None
) -> AlertSubscription | None:
    """The subscription whose confirmation link holds ``secret``: None if there is none, or
    it was never confirmed and is past the week it had (its row is about to be deleted)."""
    now = now or timezone.now()
    subscription = (
        AlertSubscription.objects.filter(partnership=partnership, token_hash=_hash(secret))
        .select_related("body", "partnership")
        .first()
    )
    if subscription is None:
        return None
    if subscription.confirmed_at is None and subscription.created_at < now - CONFIRM_WITHIN:
        return None
    return subscription


def unsubscribe_url(subscription: AlertSubscription) -> str:
    return settings.SITE_URL + reverse(
        "partnership:alerts_unsubscribe",
        kwargs={
            "partnership": subscription.partnership.slug,
            "token": unsubscribe_token(subscription),
        },
    )


def _confirm_url(subscription: AlertSubscription, secret: str) -> str:
    return settings.SITE_URL + reverse(
        "partnership:alerts_confirm",
        kwargs={"partnership": subscription.partnership.slug, "secret": secret},
    )


def subject_name(subscription: AlertSubscription) -> str:
    """What the subscription is to, in words: "the Board" or "Testshire Partnership's news"."""
    if subscription.body_id:
        return f"the {subscription.body.name}"
    return f"{subscription.partnership.name}'s news"


def topic_labels(topics: Iterable[str]) -> list[str]:
    labels = dict(AlertTopic.choices)
    return [labels[t] for t in AlertTopic.values if t in set(topics)]


# --- subscribing, confirming, unsubscribing --------------------------------------------------


def _normalise(email: str) -> str:
    return email.strip().lower()


def alert_subscribe(
    *,
    partnership: Partnership,
    body: Body | None,
    email: str,
    topics: list[str],
) -> bool:
    """Ask ``email`` to confirm alerts about ``topics`` of ``body`` (the partnership's news
    when None). Returns whether an e-mail was sent (for the tests: the person is told the
    same thing either way).

    - A new address: an unconfirmed row, and a confirmation e-mail.
    - Unconfirmed already: a new secret (the old link stops working), the new topics, a new
      week to confirm, and the e-mail again.
    - Confirmed already: nothing changes (nobody can alter someone else's alerts by typing
      their address); the e-mail says so, with the link to unsubscribe.
    """
    allowed = BODY_TOPICS if body is not None else NEWS_TOPICS
    topics = [t for t in allowed if t in set(topics)]
    if not topics:
        raise ValueError("choose at least one topic")
    if body is not None and body.closed_on is not None and body.closed_on <= timezone.localdate():
        raise ValueError("the body has closed")
    email = _normalise(email)
    # Counted whatever happens next, so the count cannot tell a known address from another.
    target = f"{partnership.pk}:{body.pk if body is not None else 'news'}:{email}"
    if hit(SUBSCRIBE_BY_EMAIL, target) or hit(SUBSCRIBE_BY_EMAIL_ANYWHERE, email):
        log.info("alert e-mails for one address over the limit: not sent")
        return False
    secret, token_hash = _new_secret()
    try:
        with transaction.atomic():
            subscription = (
                AlertSubscription.objects.select_for_update()
                .filter(partnership=partnership, body=body, email=email)
                .first()
            )
            if subscription is None:
                subscription = AlertSubscription.objects.create(
                    partnership=partnership,
                    body=body,
                    email=email,
                    topics=topics,
                    token_hash=token_hash,
                )
            elif subscription.confirmed_at is None:
                subscription.topics = topics
                subscription.token_hash = token_hash
                subscription.created_at = timezone.now()
                subscription.save(update_fields=["topics", "token_hash", "created_at"])
            else:
                secret = ""
    except IntegrityError:
        # The same address asked twice at once: the other request sends the e-mail.
        return False
    subscription.partnership = partnership
    subscription.body = body
    if secret:
        template = "alert_confirm"
        context = {
            "confirm_url": _confirm_url(subscription, secret),
            "topics": topic_labels(topics),
            "days": CONFIRM_WITHIN.days,
        }
    else:
        template = "alert_already"
        context = {
            "topics": topic_labels(subscription.topics),
            "unsubscribe_url": unsubscribe_url(subscription),
        }
    context |= {"what": subject_name(subscription), "partnership": partnership}
    # Sent now, not by a job: the secret in the link is never stored, not even in a queue.
    try:
        send_email(email, *render_email(template, context))
    except Exception:
        # The page says what it always says; the person may ask again (a new link).
        log.exception("could not send the alerts e-mail for subscription %s", subscription.pk)
        return False
    return True


def alert_confirm(*, subscription: AlertSubscription) -> AlertSubscription | None:
    """Confirm the subscription, and retire its confirmation link: the hash of the link's
    secret is replaced by the hash of a new random value that is thrown away, so the link
    (which may sit in a mailbox for years) neither works again nor reaches the subscription.
    The unsubscribe token is signed with the new hash: nothing issued before confirming
    carries one. None if the link was used meanwhile (another click got there first)."""
    now = timezone.now()
    _, token_hash = _new_secret()
    confirmed = AlertSubscription.objects.filter(
        pk=subscription.pk, token_hash=subscription.token_hash, confirmed_at__isnull=True
    ).update(confirmed_at=now, token_hash=token_hash)
    if not confirmed:
        return None
    subscription.confirmed_at, subscription.token_hash = now, token_hash
    return subscription


def alert_unsubscribe(*, subscription: AlertSubscription) -> None:
    """Delete the subscription, and with it the address and the record of what it was sent."""
    AlertSubscription.objects.filter(pk=subscription.pk).delete()


def alerts_purge_unconfirmed(*, now: datetime | None = None) -> int:
    """Delete the subscriptions never confirmed within a week of asking."""
    now = now or timezone.now()
    deleted, _ = AlertSubscription.objects.filter(
        confirmed_at__isnull=True, created_at__lt=now - CONFIRM_WITHIN
    ).delete()
    return deleted


def alerts_purge_closed_bodies(*, today: date | None = None) -> int:
    """Delete the subscriptions to bodies that have closed: a closed body publishes nothing
    more, so its subscribers' addresses are no longer needed. Run hourly, rather than when
    the body is closed, because a body is often closed from a date to come."""
    today = today or timezone.localdate()
    deleted, _ = AlertSubscription.objects.filter(
        body__isnull=False, body__closed_on__lte=today
    ).delete()
    return deleted


# --- sending ---------------------------------------------------------------------------------


def _subscribers(announcement: Announcement) -> list[AlertSubscription]:
    """The confirmed subscriptions that want this announcement and have not had it. Those
    confirmed after it became public are not sent it: they asked for what comes next."""
    qs = AlertSubscription.objects.filter(
        partnership=announcement.partnership,
        confirmed_at__isnull=False,
        confirmed_at__lte=announcement.when,
    ).exclude(sent__key=announcement.key)
    if announcement.body is None:
        qs = qs.filter(body__isnull=True)
    else:
        qs = qs.filter(body=announcement.body)
    # Topics are a JSON list, which SQLite cannot search inside: picked here instead.
    return [s for s in qs.order_by("pk") if announcement.topic in s.topics]


def _alert_message(
    subscription: AlertSubscription, announcement: Announcement
) -> tuple[str, str, str, dict]:
    link = unsubscribe_url(subscription)
    context = {
        "announcement": announcement,
        "url": settings.SITE_URL + announcement.url,
        "what": subject_name(subscription),
        "unsubscribe_url": link,
        "partnership": announcement.partnership,
    }
    subject, text, html = render_email("alert", context)
    headers = {"List-Unsubscribe": f"<{link}>"}
    if one_click_possible():
        # RFC 8058: a mail program's own "unsubscribe" button POSTs to the (https) link.
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return subject, text, html, headers


def _send_one(subscription: AlertSubscription, announcement: Announcement) -> bool:
    """Claim and send in one transaction: a send that fails rolls the claim back, so the next
    run tries again; a claim already made (another worker, an earlier run) sends nothing.

    Holding the transaction open across the SMTP exchange is the price of sending exactly
    once without a second state to recover from; EMAIL_TIMEOUT bounds it. The message is
    rendered first, so only the claim and the send are inside."""
    subject, text, html, headers = _alert_message(subscription, announcement)
    try:
        with transaction.atomic():
            AlertSent.objects.create(subscription=subscription, key=announcement.key)
            send_email(subscription.email, subject, text, html, headers=headers)
    except IntegrityError:
        return False
    return True


def alerts_send(key: str) -> int:
    """Send the announcement ``key`` to each subscriber who has not had it; returns how many
    were sent now. One failed address stops nobody else; NotAllSent is raised at the end so
    the job is retried for those."""
    announcement = announcement_for(key)
    if announcement is None:
        return 0  # not public (any more): nothing to tell
    subscribers = _subscribers(announcement)
    for subscription in subscribers:
        subscription.partnership = announcement.partnership
        subscription.body = announcement.body
    sent = failed = 0
    for subscription in subscribers:
        try:
            sent += _send_one(subscription, announcement)
        except Exception:
            failed += 1
            log.exception("could not send alert %s to subscription %s", key, subscription.pk)
    if failed:
        raise NotAllSent(f"{failed} alert(s) of {key} not sent; the next run sends them")
    return sent


def alerts_send_missed(*, now: datetime | None = None) -> int:
    """Send what became public lately to anyone who has not had it: the alerts whose job was
    lost, and reports that became public without a service of their own announcing them (an
    exception report is public once its meeting's agenda and papers are).

    One announcement (or source) that fails stops none of the others: each is logged and the
    rest are sent; NotAllSent is raised at the end, so the job shows it failed, and the next
    run tries them again."""
    now = now or timezone.now()
    sent = 0
    failed: list[str] = []
    for source in list(_sources.values()):
        try:
            pks = list(source.since(now - LOOK_BACK))
        except Exception:
            log.exception("could not list the %s alerts of the last %s", source.kind, LOOK_BACK)
            failed.append(f"{source.kind}:*")
            continue
        for pk in pks:
            key = alert_key(source.kind, pk)
            try:
                sent += alerts_send(key)
            except NotAllSent:
                log.warning("some alerts of %s wait for the next run", key)
                failed.append(key)
            except Exception:
                log.exception("could not send the alerts of %s", key)
                failed.append(key)
    if failed:
        raise NotAllSent(
            f"alerts not all sent ({', '.join(failed)}); {sent} sent; the next run tries again"
        )
    return sent
