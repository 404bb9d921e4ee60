"""Search (issue 17): one index of everything searchable, each entry with the audience that
may find it, decided when it is indexed by the owning app's own selectors.

- ``registry``: each app's ``search.py`` registers, per model, what one record puts in the
  index (``register_indexer``) and what else changes with it;
- ``indexing``: entries replaced after each committed change, and the rebuild;
- ``query``: who may find what, ranking and highlighting, on PostgreSQL or SQLite.
"""

from partnership.search.registry import Entry, register_dependents, register_indexer

__all__ = ["Entry", "register_dependents", "register_indexer"]
