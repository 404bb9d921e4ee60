"""Issue 16. The URL names this module covers, for tests/test_url_access.py."""

PROPOSAL_URLS: set[str] = set()
