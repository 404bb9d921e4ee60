"""The daily digest: one e-mail a day to each person who chose to have some kinds of message
that way, listing what they were told since their last one.

``send_digests`` runs every quarter of an hour (partnership/celery.py). A person is due once
their chosen hour (UK time) has come today, and their digest carries what arrived before that
hour: a missed run is made up by a later one the same day, and a message that arrives after
the hour waits for tomorrow's (nothing at 07:00 and a message at 14:00 is no digest at 14:15).
Messages of a kind turned off since are left out. Each digest is claimed by its
``Digest(recipient, day)`` row in the transaction that sends it: two runs at once cannot both
send one, and a send that fails rolls the claim back for the next run.

A send that fails is counted on the day's row (``Digest.failures``), and the next runs try
again, up to ``ATTEMPTS`` a day (an hour's runs): a person whose mail is refused every time is
not tried every quarter of an hour for ever. After the last, the day is given up, logged once;
its messages stay waiting (and in Messages) and go in the next day's digest.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, datetime, time

from celery.exceptions import SoftTimeLimitExceeded
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Case, DateTimeField, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from partnership import notifications
from partnership.models import Delivery, Digest, Notice, NotificationPreference

log = logging.getLogger(__name__)

# People whose pending messages are read in one query.
BATCH = 200

# How many times a day a person's digest is tried: the run at their hour and the three after
# it, if each fails; then the day is given up and its messages wait for the next day's.
ATTEMPTS = 4


def scheduled_times(*, now: datetime) -> dict[int, datetime]:
    """Each digest hour whose time (UK) has come today, and that time. In the autumn's
    repeated hour the first one counts; an hour the spring skips is the moment the clocks go
    forward."""
    local = timezone.localtime(now)
    due = {}
    for hour in range(24):
        at = datetime.combine(local.date(), time(hour), tzinfo=local.tzinfo)
        if at.timestamp() <= now.timestamp():  # as instants, whatever zone ``now`` is in
            due[hour] = at
    return due


def _carried(notices):
    """The ``notices`` a digest carries: waiting for it, and of a kind the person has not
    turned off since (a choice made between notify_once reading it and the digest)."""
    off = NotificationPreference.objects.filter(
        person=OuterRef("recipient"), category=OuterRef("category"), delivery=Delivery.OFF
    )
    return notices.filter(digest_pending=True).exclude(Exists(off))


def people_due(*, now: datetime):
    """Active people with messages for today's digest, whose hour has come today and who have
    had no digest today, nor one given up after ``ATTEMPTS`` failures; each with
    ``scheduled``, the time of their hour today."""
    local = timezone.localtime(now)
    times = scheduled_times(now=now)
    if not times:
        return get_user_model().objects.none()
    sent_today = Digest.objects.filter(recipient=OuterRef("pk"), day=local.date()).exclude(
        failures__range=(1, ATTEMPTS - 1)
    )
    people = (
        get_user_model()
        .objects.filter(is_active=True)
        .annotate(
            hour=Coalesce(
                "notification_settings__digest_hour", Value(notifications.DEFAULT_DIGEST_HOUR)
            )
        )
        .filter(hour__in=list(times))
        .annotate(
            scheduled=Case(
                *(When(hour=hour, then=Value(at)) for hour, at in times.items()),
                output_field=DateTimeField(),
            )
        )
    )
    # Only what arrived before the person's hour today: a later message waits for tomorrow.
    waiting = _carried(
        Notice.objects.filter(recipient=OuterRef("pk"), created_at__lt=OuterRef("scheduled"))
    )
    return people.filter(Exists(waiting)).exclude(Exists(sent_today)).order_by("pk")


def digest_withdraw(*, person) -> int:
    """Drop every message waiting for the person's digest: they stay in Messages, but no
    e-mail carries them. Called when the person loses a right (membership.rights): a message
    told them of something they may no longer see, so it is not sent to them later."""
    return Notice.objects.filter(recipient=person, digest_pending=True).update(digest_pending=False)


def _sections(notices: list[Notice]) -> list[dict]:
    """The messages grouped by kind, in the preferences page's order."""
    by_kind: dict[str, list[Notice]] = defaultdict(list)
    for notice in notices:
        by_kind[notice.category].append(notice)
    order = [*notifications.CATEGORIES, *sorted(set(by_kind) - set(notifications.CATEGORIES))]
    return [
        {
            "title": notifications.CATEGORIES[k].label if k in notifications.CATEGORIES else k,
            "notices": by_kind[k],
        }
        for k in order
        if by_kind.get(k)
    ]


def _claim(*, person, day, messages: int, again: bool) -> Digest | None:
    """The row claiming the person's digest of ``day``, in the caller's transaction: a new one,
    or ``again`` the one of a send that failed, if it has failed fewer than ``ATTEMPTS`` times
    (a conditional update, so two runs at once cannot both take it). None if there is no such
    row: the day's digest is sent, or given up. A new one raises IntegrityError if the day has
    a row already."""
    if not again:
        return Digest.objects.create(recipient=person, day=day, messages=messages)
    failed = Digest.objects.filter(recipient=person, day=day, failures__range=(1, ATTEMPTS - 1))
    if not failed.update(failures=0, messages=messages, sent_at=timezone.now()):
        return None
    return Digest.objects.get(recipient=person, day=day)


def digest_failed(*, person, now: datetime) -> int | None:
    """Count a failed send of the person's digest of today on its row. Returns how many times
    it has failed today, or None if another run sent it meanwhile."""
    day = timezone.localtime(now).date()
    rows = Digest.objects.filter(recipient=person, day=day)
    for _ in range(2):  # twice, should another run's failure write the row between
        if rows.filter(failures__gt=0).update(failures=F("failures") + 1):
            return rows.values_list("failures", flat=True).get()
        try:
            with transaction.atomic():
                Digest.objects.create(recipient=person, day=day, failures=1)
            return 1
        except IntegrityError:
            continue  # a row meanwhile: sent, or another run's failure
    return None


def digest_send(*, person, notices: list[Notice], now: datetime) -> Digest | None:
    """Claim today's digest for ``person``, mark ``notices`` as carried by it, and send it, all
    in one transaction. Returns None if another run sent today's digest first, or if it has
    been given up today. Raises if it cannot be sent (the claim rolled back): the caller
    counts the failure (``digest_failed``)."""
    day = timezone.localtime(now).date()
    # A new claim; if today's row exists, it is taken again if a send failed on it before.
    for again in (False, True):
        try:
            return _digest_send(person=person, notices=notices, now=now, day=day, again=again)
        except IntegrityError:
            continue  # today's has a row: sent, failed before, or another run's just now
    return None


def _digest_send(
    *, person, notices: list[Notice], now: datetime, day: date, again: bool
) -> Digest | None:
    """One try at ``digest_send``, with a new claim or, ``again``, one that failed before."""
    with transaction.atomic():
        digest = _claim(person=person, day=day, messages=len(notices), again=again)
        if digest is None:
            return None
        # Only those still waiting: a kind turned off since is no longer sent.
        carried = Notice.objects.filter(pk__in=[n.pk for n in notices], digest_pending=True).update(
            digest=digest, digest_pending=False, emailed_at=now
        )
        if carried != len(notices):
            notices = list(Notice.objects.filter(digest=digest).order_by("created_at", "pk"))
            if not notices:
                transaction.set_rollback(True)
                return None
            digest.messages = len(notices)
            digest.save(update_fields=["messages"])
        subject, text, html = notifications.render_email(
            "digest",
            {
                "recipient": person,
                "day": day,
                "total": len(notices),
                "sections": _sections(notices),
            },
        )
        notifications.send_to_person(person, notifications.DIGEST, subject, text, html)
    return digest


def send_digests(*, now: datetime | None = None) -> int:
    """Send each due person their digest. Returns how many were sent. A digest that cannot be
    sent is counted and left for the next run (its claim rolled back); after ``ATTEMPTS`` it is
    left for the next day's, logged once. The log names the person by id, and the error only
    by its kind: a refusal's message would carry their address."""
    now = now or timezone.now()
    sent = 0
    people = list(people_due(now=now))
    for start in range(0, len(people), BATCH):
        batch = {p.pk: p for p in people[start : start + BATCH]}
        # Each person's messages from before their hour today, in one query.
        by_time: dict[datetime, list[int]] = defaultdict(list)
        for person in batch.values():
            by_time[person.scheduled].append(person.pk)
        before_their_hour = Q()
        for at, pks in by_time.items():
            before_their_hour |= Q(recipient__in=pks, created_at__lt=at)
        waiting: dict[int, list[Notice]] = defaultdict(list)
        pending = _carried(Notice.objects.filter(before_their_hour)).order_by(
            "recipient", "created_at", "pk"
        )
        for notice in pending:
            waiting[notice.recipient_id].append(notice)
        for pk, notices in waiting.items():
            try:
                sent += digest_send(person=batch[pk], notices=notices, now=now) is not None
            except SoftTimeLimitExceeded:
                raise  # out of time: the next run sends the rest
            except Exception as exc:
                _count_failure(person=batch[pk], now=now, error=type(exc).__name__)
    return sent


def _count_failure(*, person, now: datetime, error: str) -> None:
    """Count a failed send, and log it: a failure the next run tries again only at INFO, the
    one that gives the day up once, as an error."""
    failures = digest_failed(person=person, now=now)
    if failures is None:
        log.info("the digest to person %s failed (%s), but another run sent it", person.pk, error)
    elif failures < ATTEMPTS:
        log.info(
            "the digest to person %s failed (%s), try %s of %s today: the next run tries again",
            person.pk,
            error,
            failures,
            ATTEMPTS,
        )
    else:
        log.error(
            "the digest to person %s failed (%s) %s times today: given up, its messages wait "
            "for tomorrow's",
            person.pk,
            error,
            failures,
        )
