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
# The length of simple-history's history_change_reason column.
REASON_MAX = 100


class _AuditedRecords(HistoricalRecords):
    def post_save(self, instance, created, using=None, **kwargs):
        # A save of only fields the history does not keep (Django writes ``last_login`` at
        # every sign-in) changes nothing it could show: an empty row per sign-in would crowd
        # the real changes off the page.
        update_fields = kwargs.get("update_fields")
        if not created and update_fields and set(update_fields) <= set(self.excluded_fields):
            return
        super().post_save(instance, created, using=using, **kwargs)


def audited(*, excluded_fields: tuple[str, ...] = ()) -> HistoricalRecords:
    return _AuditedRecords(excluded_fields=list(excluded_fields), cascade_delete_history=False)


def record_actor(obj: models.Model, *, actor: Any, reason: str = "") -> None:
    """Say who is making the next save of ``obj`` and why, for its history row."""
    obj._history_user = actor if getattr(actor, "is_authenticated", False) else None
    if reason:
        # simple-history keeps 100 characters of a reason; a longer one (a reason typed by a
        # person, quoted in full on the record itself) would fail the save on PostgreSQL.
        obj._change_reason = reason if len(reason) <= REASON_MAX else reason[: REASON_MAX - 1] + "…"


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
    if isinstance(value, dict):
        # A JSON field (a report's narrative): each part on a line of its own.
        return "\n".join(f"{key}: {_display(part, None, {})}" for key, part in value.items())
    if isinstance(value, list):
        return ", ".join(_display(part, None, {}) for part in value)
    if choices is not None:
        return str(choices.get(value, value))
    if value in names:
        return names[value]
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if hasattr(value, "strftime"):
        return value.strftime("%-d %B %Y")
    return str(value)


def history_entries(
    obj: models.Model, *, limit: int = 50, hide_reasons: tuple[str, ...] = ()
) -> list[HistoryEntry]:
    """Who changed what and when on ``obj``, newest first, in a fixed number of queries.
    Rows saved with one of ``hide_reasons`` are left out, and each shown row is compared with
    the shown row before it (a lead's drafts, say, are theirs alone: a reader sees what changed
    from one submission to the next)."""
    records = obj.history.order_by("-history_date", "-pk")
    if hide_reasons:
        records = records.exclude(history_change_reason__in=hide_reasons)
    records = records[: limit + 1]
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
    """Foreign keys are shown by name, joined in the one query that reads the history (a
    historical row's foreign keys are nullable, so the join keeps rows whose target is gone)."""
    excluded = set(getattr(model.history.model, "_history_excluded_fields", None) or [])
    kept = {f.name for f in model.history.model._meta.concrete_fields}
    tracked = [
        f
        for f in model._meta.concrete_fields
        if f.name not in NOT_SHOWN and f.name not in excluded and f.name in kept
    ]
    relations = [f.name for f in tracked if f.is_relation]
    records = list(records.select_related("history_user", *relations))
    names: dict[str, dict[Any, str]] = defaultdict(dict)
    for record in records:
        for name in relations:
            related = getattr(record, name)
            # Once per object, not per row: some names read a relation of their own.
            if related is not None and related.pk not in names[name]:
                names[name][related.pk] = str(related)
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
