"""TODO: the URL names this module covers, for tests/test_url_access.py."""

from __future__ import annotations

NOTIFICATION_URLS: set[str] = set()
