"""Which records go into the search index, and how each becomes entries.

Each app says it in its own ``search.py`` (called from its ``AppConfig.ready``): for a model,
a function that returns the entries of one instance, decided by the app's own selectors, and
optionally the records whose entries change with it (a meeting published changes what its
items, papers and minutes may be found by). Nothing here knows any app's rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Model, QuerySet


@dataclass(frozen=True)
class Entry:
    """What one record puts in the index under one kind (``SearchKind``). ``audience`` is a
    ``SearchAudience``; ``person``, if given, may also find it whatever its audience (an
    indicator's lead beside its body's members, a declarant beside those who keep the
    register). A PERSON entry is for that person (if any) and its body's co-ordinators only."""

    kind: str
    partnership_id: int
    title: str
    url: str
    audience: str
    body_id: int | None = None
    text: str = ""
    on_date: date | None = None
    person_id: int | None = None


Indexer = Callable[[Any], Iterable[Entry]]
Related = Callable[[Any], Iterable[Model]]


@dataclass
class Registration:
    model: type[Model]
    indexer: Indexer
    # What the rebuild walks, with what each entry needs loaded (or the default manager).
    queryset: Callable[[], QuerySet] | None = None
    # False for a model whose saves only reindex others (it has no entries of its own).
    index_self: bool = True
    # A save of only these fields (``update_fields``) changes nothing searchable.
    quiet_fields: frozenset[str] = frozenset()
    # The records to index again when this one changes: each app may add its own (a
    # paper's reports are performance's, whose app governance may not import).
    relateds: list[Related] = field(default_factory=list)

    def all(self) -> QuerySet:
        return self.queryset() if self.queryset else self.model._default_manager.all()

    @property
    def related(self) -> Related | None:
        if not self.relateds:
            return None
        return lambda instance: [o for r in self.relateds for o in r(instance)]


_REGISTRY: dict[type[Model], Registration] = {}


def _no_entries(instance: Any) -> list[Entry]:
    return []


def register_indexer(
    model: type[Model],
    indexer: Indexer,
    *,
    related: Related | None = None,
    queryset: Callable[[], QuerySet] | None = None,
) -> None:
    """Index ``model`` with ``indexer`` and keep it up to date: after each save or delete is
    committed, the record's entries (and those of ``related(instance)``) are replaced."""
    from partnership.search.indexing import connect

    reg = _REGISTRY.get(model) or Registration(model, _no_entries)
    reg.indexer, reg.queryset, reg.index_self = indexer, queryset, True
    if related is not None:
        reg.relateds.append(related)
    _REGISTRY[model] = reg
    connect(model)


def register_dependents(
    model: type[Model], related: Related, *, quiet_fields: Iterable[str] = ()
) -> None:
    """After saves of ``model``, ``related`` are reindexed too, unless only ``quiet_fields``
    were saved (a person's last sign-in). For a model that is not itself searchable but
    changes what others may be found by (a document's new version, a person's new name), or
    one indexed by another app (a paper, whose reports performance indexes again)."""
    from partnership.search.indexing import connect

    reg = _REGISTRY.get(model) or Registration(model, _no_entries, index_self=False)
    reg.relateds.append(related)
    reg.quiet_fields = reg.quiet_fields | frozenset(quiet_fields)
    _REGISTRY[model] = reg
    connect(model)


def registration(model: type[Model]) -> Registration | None:
    return _REGISTRY.get(model)


def registrations() -> list[Registration]:
    return [r for r in _REGISTRY.values() if r.index_self]
