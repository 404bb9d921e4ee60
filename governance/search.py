"""What this app puts in the search index (partnership/search/). TODO(helper 1)."""


def register_indexers() -> None:
    """TODO(helper 1)."""
