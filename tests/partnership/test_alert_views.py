"""TODO: the URL names this module covers, for tests/test_url_access.py."""

from __future__ import annotations

ALERT_URLS: set[str] = set()
