"""The one place audit history is configured and read.

Every audited model gets its ``HistoricalRecords`` from :func:`audited`, so the acting user,
the excluded fields and the change reason work the same way everywhere. Services name the
actor with :func:`record_actor`; web requests are covered by simple-history's middleware.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models
from simple_history.models import HistoricalRecords

NOT_SHOWN = {"id", "password", "last_login"}


def audited(*, excluded_fields: tuple[str, ...] = ()) -> HistoricalRecords:
    return HistoricalRecords(excluded_fields=list(excluded_fields), cascade_delete_history=False)


def record_actor(obj: models.Model, *, actor: Any, reason: str = "") -> None:
    """Say who is making the next save of ``obj`` and why, for its history row."""
    obj._history_user = actor if getattr(actor, "is_authenticated", False) else None
    if reason:
        obj._change_reason = reason


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    kind: str
    reason: str
    changes: list[Change] = field(default_factory=list)
    subject: str = ""


_KIND = {"+": "Created", "~": "Changed", "-": "Deleted"}


def _display(value: Any, choices: dict | None, names: dict[Any, str]) -> str:
    if value is None or value == "":
        return "(none)"
    if choices is not None:
        return str(choices.get(value, value))
    if value in names:
        return names[value]
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if hasattr(value, "strftime"):
        return value.strftime("%-d %B %Y")
    return str(value)


def history_entries(obj: models.Model, *, limit: int = 50) -> list[HistoryEntry]:
    """Who changed what and when on ``obj``, newest first, in a fixed number of queries."""
    records = obj.history.order_by("-history_date", "-pk")[: limit + 1]
    return _entries(obj._meta.model, records, limit=limit)


def history_of(
    model: type[models.Model], *, subject: str, limit: int = 50, **filters: Any
) -> list[HistoryEntry]:
    """The history of every ``model`` object whose history rows match ``filters``, newest
    first, each entry naming its object by the ``subject`` field (e.g. an appointment by its
    person). For small sets such as one partnership's appointments."""
    records = model.history.filter(**filters).order_by("-history_date", "-pk")
    return _entries(model, records, limit=limit, subject=subject)


def _entries(model, records, *, limit: int, subject: str | None = None) -> list[HistoryEntry]:
    """Foreign keys are shown by name: each related model is looked up once for all the ids
    that appear, rather than once per history row."""
    records = list(records.select_related("history_user"))
    excluded = set(getattr(model.history.model, "_history_excluded_fields", None) or [])
    kept = {f.name for f in model.history.model._meta.concrete_fields}
    tracked = [
        f
        for f in model._meta.concrete_fields
        if f.name not in NOT_SHOWN and f.name not in excluded and f.name in kept
    ]
    names: dict[str, dict[Any, str]] = defaultdict(dict)
    for f in tracked:
        if f.is_relation:
            ids = {getattr(r, f.attname) for r in records} - {None}
            if ids:
                related = f.related_model._default_manager.filter(pk__in=ids)
                names[f.name] = {o.pk: str(o) for o in related}
    # Each row is compared with the row before it for the same object.
    previous: dict[Any, Any] = {}
    for record in reversed(records):
        record.older = previous.get(record.id)
        previous[record.id] = record
    entries = []
    for newer in records[:limit]:
        older = newer.older
        changes = []
        if older is not None:
            for f in tracked:
                before, after = getattr(older, f.attname), getattr(newer, f.attname)
                if before != after:
                    choices = dict(f.choices) if f.choices else None
                    changes.append(
                        Change(
                            field=str(f.verbose_name).capitalize(),
                            old=_display(before, choices, names[f.name]),
                            new=_display(after, choices, names[f.name]),
                        )
                    )
        who = newer.history_user.get_full_name() if newer.history_user else "System"
        what = ""
        if subject is not None:
            what = names[subject].get(getattr(newer, f"{subject}_id"), "")
        entries.append(
            HistoryEntry(
                when=newer.history_date,
                who=who,
                kind=_KIND.get(newer.history_type, newer.history_type),
                reason=newer.history_change_reason or "",
                changes=changes,
                subject=what,
            )
        )
    return entries
