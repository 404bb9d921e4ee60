"""Keeping the index up to date: one record's entries replaced after its change is committed,
and the whole index rebuilt in batches (the nightly job and ``manage.py search_rebuild``).

Indexing runs after the commit, from the committed rows, so an entry never shows what a
rolled-back change said; it is cheap (a few queries a record), so it runs in the request
rather than as a background job, and a failure is logged, never the user's error: the next
save or the nightly rebuild puts it right.
"""

from __future__ import annotations

import logging
from functools import partial

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Model, QuerySet
from django.db.models.signals import post_delete, post_save

from partnership.models import SearchEntry
from partnership.search.registry import Entry, Registration, registration, registrations

log = logging.getLogger(__name__)

FIELDS = ("partnership_id", "body_id", "title", "text", "on_date", "url", "audience", "person_id")
TITLE_MAX = SearchEntry._meta.get_field("title").max_length
URL_MAX = SearchEntry._meta.get_field("url").max_length

Key = tuple[type[Model], int]


def connect(model: type[Model]) -> None:
    uid = f"partnership.search.{model._meta.label_lower}"
    post_save.connect(_saved, sender=model, dispatch_uid=f"{uid}.save", weak=False)
    post_delete.connect(_deleted, sender=model, dispatch_uid=f"{uid}.delete", weak=False)


def _saved(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    if raw:  # loading fixtures: the rebuild indexes them
        return
    reg = registration(sender)
    if update_fields and reg is not None and set(update_fields) <= reg.quiet_fields:
        return
    transaction.on_commit(partial(reindex, [(sender, instance.pk)]), robust=True)


def _deleted(sender, instance, **kwargs) -> None:
    # The record is gone once committed: what it changes is read now, while it can be.
    keys: list[Key] = [(sender, instance.pk)]
    reg = registration(sender)
    if reg is not None and reg.related is not None:
        keys += [(type(o), o.pk) for o in reg.related(instance)]
    transaction.on_commit(partial(reindex, keys, related=False), robust=True)


def reindex(keys: list[Key], *, related: bool = True) -> None:
    """Replace the entries of each record named (and, if ``related``, of the records that
    change with it), as they are now in the database.

    Each record is read and indexed inside the transaction that writes its entries, with its
    row locked (``_locked``): a hook or rebuild that read an older state cannot write it over
    a newer one, since whoever locks the row second reads it after the first has finished."""
    todo: dict[type[Model], list[int]] = {}

    def add(model: type[Model], pk: int) -> None:
        pks = todo.setdefault(model, [])
        if pk not in pks:
            pks.append(pk)

    for model, pk in keys:
        reg = registration(model)
        if reg is None:
            continue
        if reg.index_self:
            add(model, pk)
        if related and reg.related is not None:
            # Which records change with it (not what they say: that is read under the lock).
            instance = reg.all().filter(pk=pk).first()
            for other in reg.related(instance) if instance is not None else []:
                other_reg = registration(type(other))
                if other_reg is not None and other_reg.index_self:
                    add(type(other), other.pk)
    for model, pks in todo.items():
        reg = registration(model)
        with transaction.atomic():
            instances = list(_locked(reg.all().filter(pk__in=pks)))
            for instance in instances:
                entries_replace(instance=instance, reg=reg)
            gone = set(pks) - {i.pk for i in instances}
            if gone:
                entries_drop(model=model, pks=sorted(gone))


def _locked(qs: QuerySet) -> QuerySet:
    """The records, their rows locked until the transaction ends (PostgreSQL; SQLite has one
    writer at a time anyway, and ignores the request)."""
    features = connection.features
    if not features.has_select_for_update:
        return qs
    if features.has_select_for_update_of:
        return qs.select_for_update(of=("self",))
    return qs.select_for_update()


def reindex_now(instance: Model) -> None:
    """Index one record at once (a test, a shell): as its save does after commit."""
    reindex([(type(instance), instance.pk)])


def _content_type(model: type[Model]) -> ContentType:
    return ContentType.objects.get_for_model(model)  # cached after the first


def _clean(text: str) -> str:
    # The marks the search puts around matched words (query.START, STOP) never come from text.
    return text.replace("\x02", "").replace("\x03", "")


def _row(entry: Entry, *, content_type: ContentType, object_id: int) -> SearchEntry:
    return SearchEntry(
        content_type=content_type,
        object_id=object_id,
        kind=entry.kind,
        partnership_id=entry.partnership_id,
        body_id=entry.body_id,
        title=_clean(entry.title)[:TITLE_MAX],
        text=_clean(entry.text),
        on_date=entry.on_date,
        url=entry.url[:URL_MAX],
        audience=entry.audience,
        person_id=entry.person_id,
    )


def entries_replace(*, instance: Model, reg: Registration) -> None:
    ct = _content_type(reg.model)
    new = {e.kind: _row(e, content_type=ct, object_id=instance.pk) for e in reg.indexer(instance)}
    with transaction.atomic():
        old = {
            e.kind: e
            for e in SearchEntry.objects.select_for_update().filter(
                content_type=ct, object_id=instance.pk
            )
        }
        gone = [e.pk for kind, e in old.items() if kind not in new]
        if gone:
            SearchEntry.objects.filter(pk__in=gone).delete()
        for kind, row in new.items():
            current = old.get(kind)
            if current is None:
                row.save()
            elif any(getattr(current, f) != getattr(row, f) for f in FIELDS):
                for f in FIELDS:
                    setattr(current, f, getattr(row, f))
                current.save()


def entries_drop(*, model: type[Model], pks: list[int]) -> None:
    SearchEntry.objects.filter(content_type=_content_type(model), object_id__in=pks).delete()


def rebuild(*, batch_size: int = 500) -> int:
    """Index every registered record again, ``batch_size`` records a transaction, and drop the
    entries of records that no longer exist. Returns the number of entries written."""
    written = 0
    for reg in registrations():
        ct = _content_type(reg.model)
        qs = reg.all().order_by("pk")
        last = 0
        while True:
            # Read, indexed and written in one transaction, the batch's rows locked: a change
            # committed meanwhile waits, and its hook then writes what it says.
            with transaction.atomic():
                batch = list(_locked(qs.filter(pk__gt=last)[:batch_size]))
                if not batch:
                    break
                last = batch[-1].pk
                rows = [
                    _row(e, content_type=ct, object_id=instance.pk)
                    for instance in batch
                    for e in reg.indexer(instance)
                ]
                entries_drop(model=reg.model, pks=[i.pk for i in batch])
                SearchEntry.objects.bulk_create(rows)
            written += len(rows)
        SearchEntry.objects.filter(content_type=ct).exclude(
            object_id__in=reg.all().values("pk")
        ).delete()
    log.info("search index rebuilt: %s entries", written)
    return written
