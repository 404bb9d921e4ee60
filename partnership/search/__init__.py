"""Search (issue 17). TODO(helper 1)."""


def register_indexer(*args, **kwargs) -> None:
    """TODO(helper 1)."""
